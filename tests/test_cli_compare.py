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
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 3))
    np.savez(tmp_path / "d.npz", X=x, y=x[:, 0] * 2 + rng.normal(size=60))
    code = main(["compare", "--data", str(tmp_path / "d.npz"), "mse", "huber", "--seeds", "1", "--steps", "5",
                 "--report", str(tmp_path / "rep"), "--no-progress"])
    assert code == 0
    assert (tmp_path / "rep" / "report.html").exists()
    assert "report:" in capsys.readouterr().out


@pytest.mark.parametrize("argv, match", [
    (["compare", "sigmoid_ce"], "exactly one of --task NAME or --data PATH"),
    (["compare", "--task", "digits", "sigmoid_ce"], "a loss suited to a multiclass task"),
    (["compare", "--task", "lesions", "--target", "y"], "--target/--masks/--kind/--size only with --data"),
    (["compare", "--data", "/no/such/file.csv", "--target", "y"], "load_data: expected an existing file"),
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
    out = tmp_path / "p.png"
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
