"""The README's loss list covers the registry and its two commands exist in the Makefile."""

from pathlib import Path

from losslab import registry

ROOT = Path(__file__).resolve().parents[1]


def test_readme_lists_every_registry_entry():
    text = (ROOT / "README.md").read_text()
    missing = [s.key for s in registry.list_losses() if f"`{s.key}`" not in text]
    assert not missing, f"README.md lacks {missing}"


def test_readme_commands_are_make_targets():
    makefile = (ROOT / "Makefile").read_text()
    assert "\ndemo:" in makefile and "\ntest:" in makefile
    assert "make demo" in (ROOT / "README.md").read_text()
