"""``losslab list`` / ``--version`` and the one-line error contract."""

import json
import subprocess
import sys

from losslab import __version__, registry
from losslab.cli import main


def test_list_json_covers_the_registry(capsys):
    assert main(["list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["key"] for r in rows] == [s.key for s in registry.list_losses()]


def test_list_table_and_version(capsys):
    assert main(["list", "--task", "regression"]) == 0
    out = capsys.readouterr().out
    assert "huber" in out and "softmax_ce" not in out
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


def test_bad_option_is_one_line_exit_2():
    proc = subprocess.run([sys.executable, "-m", "losslab.cli", "list", "--task", "nope"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "expected --task one of" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_usage_errors_are_one_line_exit_2(capsys):
    """click's own usage errors (unknown option or command, a value out of range) take the same one-line
    path as losslab's, whichever click typer uses (recent typer ships its own copy of click's classes)."""
    for argv, text in ((["demo", "--no-such-option"], "No such option: --no-such-option"),
                       (["no-such-command"], "No such command"),
                       (["demo", "--seeds", "0"], "--seeds")):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("losslab: error: ") and text in err and err.strip().count("\n") == 0, err
    assert main(["demo", "--help"]) == 0
    assert "--seeds" in capsys.readouterr().out


def test_unknown_option_has_no_traceback():
    proc = subprocess.run([sys.executable, "-m", "losslab.cli", "compare", "--no-such-option"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.strip().count("\n") == 0 and "No such option" in proc.stderr


def test_unknown_family_is_rejected(capsys):
    assert main(["list", "--family", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "expected --family one of" in err and "'nope'" in err
    for family in {s.family for s in registry.list_losses()}:
        assert repr(family) in err
    assert main(["list", "--family", "overlap", "--json"]) == 0
    assert {r["family"] for r in json.loads(capsys.readouterr().out)} == {"overlap"}


def test_usage_errors_show_the_value_given(capsys):
    """click's range and type errors name the option and show the value that was given."""
    for argv, option, value in ((["demo", "--seeds", "abc"], "--seeds", "abc"),
                                (["demo", "--steps", "0"], "--steps", "0"),
                                (["compare", "--task", "outliers", "--data-seed", "-1"], "--data-seed", "-1")):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and option in err and value in err.split(option, 1)[1], err
