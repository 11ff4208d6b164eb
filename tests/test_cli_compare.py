"""``losslab compare``, ``losslab plot`` and ``losslab demo`` from the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from losslab.cli import main


def test_compare_json(tmp_path, capsys):
    out = tmp_path / "r.json"
    code = main(["compare", "--task", "digits-imbalanced", "sigmoid_ce", "mse:on=probability", "--seeds", "2",
                 "--steps", "4", "--json", str(out), "--no-progress"])
    assert code == 0
    d = json.loads(out.read_text())
    assert d["task"]["name"] == "digits-imbalanced" and [c["name"] for c in d["candidates"]] == [
        "sigmoid_ce", "mse:on=probability"]
    assert len(d["records"]) == 2 * 2 * 5
    rec = d["records"][0]
    assert set(rec) == {"candidate", "seed", "metric", "value", "higher_is_better"}
    printed = capsys.readouterr().out
    assert "sigmoid_ce" in printed and "macro_f1" in printed


def test_compare_json_stdout(capsys):
    assert main(["compare", "--task", "outliers", "mse", "mae", "--seeds", "1", "--steps", "5", "--json", "-"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert {r["metric"] for r in d["records"]} == {"mae", "rmse"}


def test_compare_user_npz_and_report(tmp_path, capsys):
    """File names are printed verbatim: rich read "[bold]" in them as markup (and "[/b]" in a label crashed it)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 3))
    np.savez(tmp_path / "[bold]d.npz", X=x, y=x[:, 0] * 2 + rng.normal(size=60))
    code = main(["compare", "--data", str(tmp_path / "[bold]d.npz"), "mse", "huber", "--seeds", "1", "--steps", "5",
                 "--report", str(tmp_path / "[red]rep"), "--no-progress"])
    assert code == 0
    assert (tmp_path / "[red]rep" / "report.html").exists()
    out = "".join(capsys.readouterr().out.split())  # rich wraps long paths anywhere
    assert "report:" in out and "[red]rep/report.html" in out and "[bold]d:mean" in out


@pytest.mark.parametrize("argv, match", [
    (["compare", "sigmoid_ce"], "exactly one of --task NAME or --data PATH"),
    (["compare", "--task", "digits", "sigmoid_ce"], "a loss suited to a multiclass task"),
    (["compare", "--task", "lesions", "--target", "y"], "--target/--masks/--kind/--size only with --data"),
    (["compare", "--data", "/no/such/file.csv", "--target", "y"], "expected --data an existing file or folder"),
    (["plot", "sigmoid_ce", "mse"], "losses on one axis"),
    (["plot", "huber", "--param", "delta"], "KEY=VALUE"),
    (["compare", "--task", "outliers", "--option", "nope"], "--option KEY=VALUE"),
    (["compare", "--data", "x.npz", "--option", "a=1"], "--option only with --task"),
])
def test_bad_input_is_one_line_exit_2(argv, match, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("losslab: error:") and match in err


def test_task_options_and_threads(capsys):
    import torch

    before = torch.get_num_threads()
    try:
        assert main(["compare", "--task", "outliers", "mse", "--seeds", "1", "--steps", "3", "--option",
                     "outlier_fraction=0", "--threads", "1", "--json", "-"]) == 0
    finally:
        torch.set_num_threads(before)
    captured = capsys.readouterr()
    d = json.loads(captured.out)
    assert d["task"]["n_outliers_train"] == 0 and d["environment"]["threads"] == 1
    assert "1 torch thread" in captured.err


def test_bad_user_data_is_one_line(tmp_path, capsys):
    (tmp_path / "bad.csv").write_text("a,label\nx,1\ny,0\n")
    assert main(["compare", "--data", str(tmp_path / "bad.csv"), "--target", "label"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "numeric feature columns" in err


def test_plot_writes_png(tmp_path, capsys):
    out = tmp_path / "[b]p.png"
    assert main(["plot", "sigmoid_ce", "sigmoid_focal", "mse", "--on", "probability", "--param", "gamma=2",
                 "-o", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(out) in capsys.readouterr().out


@pytest.mark.slow
def test_demo_tiny_budget(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--seeds", "1", "--steps", "2", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "advisor" in printed and "report" in printed and "sigmoid_ce" in printed
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 3
    assert (out / "table.md").read_text().startswith("| candidate")
    d = json.loads((out / "results.json").read_text())
    assert any(c["name"].startswith("advised") for c in d["candidates"]) and len(d["candidates"]) == 8


# ---------------------------------------------------------------------------------- bad arguments
@pytest.fixture
def no_training(monkeypatch):
    """Fail the test if a command gets as far as training (argument errors must come first)."""
    import losslab.compare
    import losslab.compare.demo

    def started(*args, **kwargs):
        raise AssertionError("training started before the bad argument was reported")

    monkeypatch.setattr(losslab.compare, "compare", started)
    monkeypatch.setattr(losslab.compare.demo, "run_demo", started)


def _one_line_error(capsys, argv: list[str]) -> str:
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 2, (captured.out, captured.err)
    assert captured.err.count("\n") == 1 and captured.err.startswith("losslab: error: "), captured.err
    assert "Traceback" not in captured.err
    return captured.err


@pytest.mark.parametrize("span", ["-1", "0", "nan", "inf", "-inf", "1e308"])
def test_plot_span_must_be_finite_positive_and_bounded(span, tmp_path, capsys):
    err = _one_line_error(capsys, ["plot", "sigmoid_ce", "--span", span, "-o", str(tmp_path / "p.png")])
    assert "--span" in err and "got" in err
    assert not (tmp_path / "p.png").exists()


def test_plot_span_bound_depends_on_the_axis(tmp_path, capsys):
    err = _one_line_error(capsys, ["plot", "sigmoid_ce", "--span", "1000", "-o", str(tmp_path / "p.png")])
    assert "--span" in err and "500" in err and "1000" in err
    err = _one_line_error(capsys, ["plot", "mse", "--span", "2e6", "-o", str(tmp_path / "p.png")])
    assert "--span" in err and "1e+06" in err
    assert main(["plot", "mse", "--span", "1e6", "-o", str(tmp_path / "p.png")]) == 0
    assert main(["plot", "sigmoid_ce", "--span", "500", "--x", "probability", "-o", str(tmp_path / "q.png")]) == 0


def test_plot_huge_span_subprocess_stderr_is_one_line(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "losslab.cli", "plot", "sigmoid_ce", "--span", "1e308", "-o",
                           str(tmp_path / "p.png")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "--span" in proc.stderr, proc.stderr


def test_plot_unwritable_output_names_the_option(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    err = _one_line_error(capsys, ["plot", "sigmoid_ce", "-o", str(tmp_path / "file" / "p.png")])
    assert "--out" in err and "file" in err
    err = _one_line_error(capsys, ["plot", "sigmoid_ce", "-o", str(tmp_path)])
    assert "--out" in err and "folder" in err


def test_plot_creates_missing_parent_folders(tmp_path, capsys):
    """An explicit output path in a folder that does not exist yet: the folder is created (intended)."""
    out = tmp_path / "new" / "deeper" / "p.png"
    assert main(["plot", "sigmoid_ce", "-o", str(out)]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("item, needles", [
    ("bogus=1", ["--option", "'bogus'", "outlier_fraction", "test_fraction"]),
    ("outlier_fraction=abc", ["--option", "outlier_fraction", "a finite number", "'abc'"]),
    ("outlier_fraction=nan", ["--option", "outlier_fraction", "a finite number", "'nan'"]),
    ("outlier_fraction=-1", ["--option", "outlier_fraction=-1", "outliers"]),
    ("outlier_fraction=2", ["--option", "outlier_fraction=2", "outliers"]),
])
def test_compare_task_option_errors_name_the_option(item, needles, capsys, no_training):
    err = _one_line_error(capsys, ["compare", "--task", "outliers", "--option", item, "--steps", "1", "--seeds", "1"])
    for needle in needles:
        assert needle in err, (needle, err)


def test_compare_task_option_int_and_runtime_errors(capsys, no_training):
    err = _one_line_error(capsys, ["compare", "--task", "digits-imbalanced", "--option", "digit=1.5"])
    assert "--option" in err and "digit" in err and "an integer" in err
    err = _one_line_error(capsys, ["compare", "--task", "lesions", "--option", "n_train=0"])  # RuntimeError inside
    assert "--option" in err and "n_train=0" in err


@pytest.mark.parametrize("argv, needles", [
    (["--data-seed", "-1"], ["--data-seed", "-1"]),
    (["--lr", "nan"], ["--lr", "nan"]),
    (["--lr", "0"], ["--lr", "0"]),
    (["--model", "bogus"], ["--model", "'bogus'", "unet"]),
])
def test_compare_options_are_named(argv, needles, capsys, no_training):
    err = _one_line_error(capsys, ["compare", "--task", "outliers", "mse", *argv])
    for needle in needles:
        assert needle in err, (needle, err)


def test_compare_task_and_data_options_are_named(tmp_path, capsys, no_training):
    err = _one_line_error(capsys, ["compare", "--task", "nope"])
    assert "--task one of" in err and "'nope'" in err and "--data" in err
    csv = tmp_path / "d.csv"
    csv.write_text("a,label\n" + "".join(f"{i},{i % 2}\n" for i in range(20)))
    err = _one_line_error(capsys, ["compare", "--data", str(csv), "--target", "label", "--kind", "bogus"])
    assert "--kind one of" in err and "'bogus'" in err
    err = _one_line_error(capsys, ["compare", "--data", str(csv), "--target", "label", "--size", "0"])
    assert "--size" in err


@pytest.mark.parametrize("candidate, needles", [
    ("sigmoid_ce:validate=maybe", ["sigmoid_ce:validate=maybe", "`validate`", "a bool", "'maybe'"]),
    ("sigmoid_focal:gamma=-1", ["`gamma`", ">= 0", "-1"]),
    ("sigmoid_ce:pos_weight=-3", ["`pos_weight`", "-3"]),
])
def test_compare_bad_candidate_parameter_is_rejected_before_training(candidate, needles, capsys, no_training):
    err = _one_line_error(capsys, ["compare", candidate, "--task", "lesions", "--steps", "1", "--seeds", "1"])
    for needle in needles:
        assert needle in err, (needle, err)


@pytest.mark.parametrize("option", ["--report", "--json"])
def test_compare_unwritable_output_fails_before_training(option, tmp_path, capsys, no_training):
    (tmp_path / "file").write_text("x")
    err = _one_line_error(capsys, ["compare", "sigmoid_ce", "--task", "lesions", "--steps", "1", "--seeds", "1",
                                   option, str(tmp_path / "file" / "sub" / "x.json")])
    assert option in err and "file" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # nothing created on the way


def test_compare_output_path_of_the_wrong_kind(tmp_path, capsys, no_training):
    (tmp_path / "file").write_text("x")
    err = _one_line_error(capsys, ["compare", "mse", "--task", "outliers", "--json", str(tmp_path)])
    assert "--json" in err and "folder" in err
    err = _one_line_error(capsys, ["compare", "mse", "--task", "outliers", "--report", str(tmp_path / "file")])
    assert "--report" in err and "not a folder" in err


@pytest.mark.skipif(not __import__("os").path.isdir("/proc/self"), reason="needs Linux /proc")
def test_compare_report_under_proc_fails_before_training(capsys, no_training):
    err = _one_line_error(capsys, ["compare", "sigmoid_ce", "--task", "lesions", "--steps", "1", "--seeds", "1",
                                   "--report", "/proc/nope"])
    assert "--report" in err and "/proc/nope" in err


def test_demo_unwritable_out_fails_before_training(tmp_path, capsys, no_training):
    (tmp_path / "file").write_text("x")
    err = _one_line_error(capsys, ["demo", "--out", str(tmp_path / "file" / "rep"), "--steps", "1", "--seeds", "1"])
    assert "--out" in err and "file" in err


def test_auto_weights_pass_the_candidate_check():
    """``pos_weight=auto`` / ``class_weight=auto`` are resolved from the training data after the up-front
    check: the check must not reject them (it once did, breaking the documented commands)."""
    from losslab.cli import _check_candidates

    _check_candidates("compare", ["sigmoid_ce:pos_weight=auto", "softmax_ce:class_weight=auto",
                                  "sigmoid_dice_ce+sigmoid_ce:pos_weight=auto"])


def _documented_commands(verb: str) -> list[list[str]]:
    """Every ``losslab <verb> ...`` command of README.md and docs/*.md (backslash continuations joined)."""
    import shlex
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    commands = []
    for doc in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        text = doc.read_text().replace("\\\n", " ")
        for line in text.splitlines():
            line = line.strip().strip("`(")
            if line.startswith(f"losslab {verb} "):
                argv = shlex.split(line.split("#")[0].rstrip("`);"))[1:]
                commands.append(argv)
    return commands


@pytest.mark.parametrize("argv", _documented_commands("compare"), ids=lambda a: " ".join(a)[:60])
def test_documented_compare_commands_pass_the_argument_checks(argv, monkeypatch, tmp_path):
    """Each compare command the docs show gets through every argument check to the training (stubbed)."""
    import losslab.compare

    class Reached(BaseException):  # not an Exception: the CLI's error handling lets it through
        pass

    def reached(*args, **kwargs):
        raise Reached

    monkeypatch.setattr(losslab.compare, "compare", reached)
    monkeypatch.chdir(tmp_path)
    if "--data" in argv:  # the user's own file: give it one
        rows = "".join(f"{i},{i % 2}\n" for i in range(40))
        (tmp_path / argv[argv.index("--data") + 1]).write_text("x,label\n" + rows)
    with pytest.raises(Reached):
        main(argv)


def test_compare_data_prints_the_inferred_kind_and_class_map(tmp_path, capsys):
    """Sweep bug 1: −1/+1 labels ran as a regression with no word; the kind and the label map are now printed."""
    rng = np.random.default_rng(0)
    rows = "".join(f"{v:.3f},{1 if v > 0 else -1}\n" for v in rng.normal(size=40))
    (tmp_path / "pm1.csv").write_text("x,label\n" + rows)
    assert main(["compare", "--data", str(tmp_path / "pm1.csv"), "--target", "label", "sigmoid_ce", "--seeds", "1",
                 "--steps", "1", "--json", "-", "--no-progress"]) == 0
    captured = capsys.readouterr()
    d = json.loads(captured.out)
    assert d["task"]["kind"] == "binary" and d["task"]["classes"] == [-1, 1]
    assert "losslab: user data pm1 (binary; 2 classes from values -1→0, 1→1)" in captured.err


def test_compare_empty_npy_mask_is_one_line_exit_2(tmp_path, capsys, no_training):
    """Sweep bug 9: a 0-byte .npy mask raised EOFError, which click turned into 'losslab: aborted', exit 130."""
    from PIL import Image

    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    for i in range(8):
        Image.fromarray(np.full((8, 8), 10 * i, np.uint8)).save(tmp_path / "images" / f"{i}.png")
        np.save(tmp_path / "masks" / f"{i}.npy", np.eye(8, dtype=np.uint8))
    (tmp_path / "masks" / "3.npy").write_bytes(b"")
    err = _one_line_error(capsys, ["compare", "--data", str(tmp_path), "sigmoid_ce"])
    assert "load_data: expected readable images and masks" in err and "3.npy: No data left in file" in err


def test_compare_size_below_the_unet_minimum(tmp_path, capsys, no_training):
    """Sweep bug 11: --size 2 (or 3) ended in a traceback from max_pool2d, exit 1."""
    err = _one_line_error(capsys, ["compare", "--data", str(tmp_path), "--size", "3", "sigmoid_ce"])
    assert "--size at least 4" in err and "got 3" in err
