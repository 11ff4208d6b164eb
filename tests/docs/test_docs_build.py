"""The documentation site: generated loss reference, CLI reference, docstrings, page examples, strict build.

The strict build (``mkdocs build --strict``) is marked slow; it fails on any warning: a broken link or
anchor, a page in the nav that does not exist, a public name without a docstring, a loss whose functional,
module or objective does not import, a figure that cannot be computed.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mkdocs")
pytest.importorskip("mkdocstrings")

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
# Hand-written pages whose ```python blocks must run (other helpers' pages are tested by them).
PAGES_WITH_EXAMPLES = ("index.md", "getting-started.md", "concepts.md", "guide.md", "migration.md")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"losslab_docs_{name}", DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def hooks():
    return _load("hooks")


def test_loss_reference_has_a_section_for_every_registry_entry(hooks):
    from losslab import registry

    pages = hooks.loss_reference_pages()
    index = pages["reference/losses/index.md"]
    for spec in registry.list_losses():
        page = pages.get(f"reference/losses/{spec.family}.md")
        assert page is not None, f"no loss-reference page for family {spec.family!r} (docs/hooks.py FAMILIES)"
        assert f"## `{spec.key}` {{#{spec.key}}}" in page, f"no section for registry entry {spec.key!r}"
        assert f"images/losses/{spec.key}.png" in page, f"no figure in the section of {spec.key!r}"
        assert f"({spec.family}.md#{spec.key})" in index, f"{spec.key!r} missing from the loss index"


def test_every_registry_entry_gets_a_figure():
    gen = _load("gen_figures")
    from losslab import registry

    key = registry.list_losses()[0].key
    png = gen.loss_figure(key)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # curves for every entry (cheap: no rendering), finite loss and gradient at every point
    import numpy as np

    for spec in registry.list_losses():
        _, xs, curves = gen.loss_curves(spec)
        for label, loss, grad in curves:
            assert np.isfinite(loss).all() and np.isfinite(grad).all(), f"{spec.key}: {label}"
            assert len(loss) == len(xs) == len(grad)


def test_cli_reference_documents_every_command(hooks):
    import typer.main

    from losslab.cli import app

    page = hooks.cli_reference_page()
    group = typer.main.get_command(app)
    ctx = group.context_class(group, info_name="losslab")
    for name in group.list_commands(ctx):
        assert f"## `losslab {name}` {{#{name}}}" in page


def test_every_public_name_has_a_docstring(hooks):
    problems = hooks.undocumented()
    assert not problems, "\n".join(problems)


def test_every_public_name_has_an_example(hooks):
    """Issue 7: every public name has a docstring with an example (run as a doctest by ``make test``)."""
    problems = [p for p in hooks.undocumented(need_example=True) if p.endswith("has no example")]
    assert not problems, f"{len(problems)} public names without a >>> example:\n" + "\n".join(problems)


def test_markers_expand(hooks):
    out = hooks.expand_markers("a <!-- gen:properties --> b <!-- gen:torch-mapping -->")
    assert "gen:" not in out and "| loss |" in out


@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES)
def test_page_examples_run(page, tmp_path, monkeypatch):
    path = DOCS / page
    if not path.exists():
        pytest.fail(f"docs/{page} is missing")
    blocks = re.findall(r"^```python\n(.*?)^```", path.read_text(encoding="utf-8"), re.S | re.M)
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    namespace: dict = {"__name__": f"docs_{page}"}
    for i, code in enumerate(blocks):
        try:
            exec(compile(code, f"docs/{page} block {i + 1}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"docs/{page}, python block {i + 1} failed: {type(exc).__name__}: {exc}\n{code}")


@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, "mkdocs build --strict failed:\n" + "\n".join(
        line for line in log.splitlines() if "WARNING" in line or "ERROR" in line or "Error" in line)[-6000:]
    from losslab import registry

    site = tmp_path / "site"
    for spec in registry.list_losses():
        html = (site / "reference" / "losses" / spec.family / "index.html").read_text(encoding="utf-8")
        assert f'id="{spec.key}"' in html, spec.key
        assert (site / "images" / "losses" / f"{spec.key}.png").exists(), spec.key
    assert (site / "reference" / "cli" / "index.html").exists()


def test_readme_figure_is_what_the_script_draws():
    """docs/assets/logits-in.png (shown by the README) must match ``gen_figures.py --readme`` output."""
    import io

    import numpy as np
    from PIL import Image

    gen = _load("gen_figures")
    committed = gen.README_FIGURE
    assert committed.exists(), "run: python docs/gen_figures.py --readme"
    fresh = np.asarray(Image.open(io.BytesIO(gen.fig_activation_pairs())).convert("L"), dtype=float)
    old = np.asarray(Image.open(committed).convert("L"), dtype=float)
    assert fresh.shape == old.shape, "README figure changed size: run python docs/gen_figures.py --readme"
    assert np.abs(fresh - old).mean() < 2.0, "README figure is stale: run python docs/gen_figures.py --readme"


def test_dice_gradient_formula_on_the_overlap_page(hooks):
    """The gradient formula printed in the overlap family's introduction is what autograd computes."""
    import torch

    from losslab.functional import sigmoid_dice_loss

    assert "∂ℓ/∂z_i = −[2 t_i (P + T + s) − (2I + s)] / (P + T + s)² · p_i (1 − p_i)" in hooks.FAMILIES["overlap"][1]
    g = torch.Generator().manual_seed(0)
    z = torch.randn(1, 1, 5, 5, dtype=torch.float64, generator=g, requires_grad=True)
    t = (torch.rand(1, 1, 5, 5, generator=g) < 0.4).double()
    s = 1e-2
    (grad,) = torch.autograd.grad(sigmoid_dice_loss(z, t, smooth=s), z)
    p = torch.sigmoid(z.detach())
    big_i, big_p, big_t = (p * t).sum(), p.sum(), t.sum()
    formula = -(2 * t * (big_p + big_t + s) - (2 * big_i + s)) / (big_p + big_t + s) ** 2 * p * (1 - p)
    torch.testing.assert_close(grad, formula)
