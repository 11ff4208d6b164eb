"""The compare harness end to end on tiny budgets: records, JSON, determinism, advised, user data."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from losslab.compare import compare, make_task
from losslab.compare.harness import default_candidates
from losslab.compare.results import CompareResult
from losslab.compare.tasks import make_lesions


@pytest.fixture(scope="module")
def tiny_lesions():
    return make_lesions(0, n_train=24, n_test=12, size=32, lesion_rate=0.6)


@pytest.fixture(scope="module")
def digits_result():
    return compare(["sigmoid_ce", "sigmoid_focal:gamma=2", "mse:on=probability"], "digits-imbalanced", seeds=2,
                   steps=6, batch_size=32, eval_points=2)


def test_records_are_complete_and_typed(digits_result):
    r = digits_result
    assert r.candidate_names == ["sigmoid_ce", "sigmoid_focal:gamma=2", "mse:on=probability"]
    assert len(r.records) == 3 * 2 * len(r.metrics)
    for rec in r.records:
        assert set(rec) == {"candidate", "seed", "metric", "value", "higher_is_better"}
        assert isinstance(rec["value"], float) and isinstance(rec["higher_is_better"], bool)
    assert {rec["seed"] for rec in r.records} == {0, 1}
    assert all(len(t) == 2 and all(s > 0 for s in t) for t in r.timings.values())
    assert r.settings["steps"] == 6 and r.environment["threads"] == torch.get_num_threads()


def test_json_round_trip(digits_result, tmp_path):
    path = tmp_path / "out" / "r.json"
    digits_result.to_json(path)
    d = json.loads(path.read_text())
    assert d["task"]["name"] == "digits-imbalanced"
    assert [c["name"] for c in d["candidates"]] == digits_result.candidate_names
    assert len(d["records"]) == len(digits_result.records)
    assert {m["name"] for m in d["metrics"]} == {"accuracy", "macro_f1", "minority_recall", "auroc", "ece"}
    back = CompareResult.from_json(path)
    assert back.summary() == digits_result.summary()


def test_same_seed_same_numbers(digits_result):
    again = compare(["sigmoid_ce", "sigmoid_focal:gamma=2", "mse:on=probability"], "digits-imbalanced", seeds=2,
                    steps=6, batch_size=32, eval_points=2)
    assert [r["value"] for r in again.records] == [r["value"] for r in digits_result.records]
    assert again.curves == digits_result.curves


def test_seeds_differ(digits_result):
    a = digits_result.curves["sigmoid_ce"]["0"]["loss"]
    b = digits_result.curves["sigmoid_ce"]["1"]["loss"]
    assert a != b


def test_segmentation_end_to_end(tiny_lesions):
    r = compare(["sigmoid_ce", "sigmoid_ce:bias=prior", "sigmoid_dice", "0.5*sigmoid_dice+sigmoid_ce"],
                tiny_lesions, seeds=1, steps=3, batch_size=8, width=4, examples=3)
    assert {m["name"] for m in r.metrics} >= {"dice", "iou", "ap", "best_dice", "empty_pred", "missed", "false_alarm"}
    empty = next(m for m in r.metrics if m["name"] == "empty_pred")
    assert empty["higher_is_better"] is None and empty["reference"] == pytest.approx(r.task["empty_fraction_test"])
    assert r.best("empty_pred") == [] and r.header("empty_pred").startswith("empty_pred (truth ")
    s = r.summary()
    for c in r.candidate_names:
        assert 0 <= s[c]["empty_pred"]["mean"] <= 1
    ex = r.examples
    assert ex["images"].shape == (3, 32, 32) and set(ex["predictions"]) == set(r.candidate_names)
    assert r.candidates[1]["bias"] == "prior"
    assert r.table().row_count == 4


def test_prior_bias_changes_the_start(tiny_lesions):
    r = compare(["sigmoid_ce", "sigmoid_ce:bias=prior"], tiny_lesions, seeds=1, steps=1, batch_size=8, width=4,
                examples=0, eval_points=1)
    first = {c: r.curves[c]["0"]["loss"][0] for c in r.candidate_names}
    assert first["sigmoid_ce:bias=prior"] < 0.1 < first["sigmoid_ce"]  # log 2 vs about the prior entropy


def test_advised_candidate():
    r = compare(["advised"], "digits-imbalanced", seeds=1, steps=2, eval_points=1)
    (name,) = r.candidate_names
    assert name.startswith("advised (") and r.advice is not None
    assert r.candidates[0]["advised"] and r.candidates[0]["terms"][0]["key"] == r.advice["loss"]["key"]


def test_regression_and_module_candidates():
    from losslab.nn import HuberLoss

    r = compare(["mse", ("huber δ=0.5", HuberLoss(delta=0.5))], "outliers", seeds=1, steps=20)
    assert r.candidate_names == ["mse", "huber δ=0.5"]
    assert all(np.isfinite(v) for v in (rec["value"] for rec in r.records))


def test_user_arrays():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 4))
    y = (x[:, 0] + 0.3 * rng.normal(size=80) > 0).astype(int)
    r = compare(["sigmoid_ce"], (x, y), seeds=1, steps=5)
    assert r.task["kind"] == "binary" and r.task["n_train"] == 60


def test_default_candidates_exist():
    from losslab import registry

    keys = {s.key for s in registry.list_losses()}
    for kind in ("binary_segmentation", "multiclass", "regression"):
        cands = default_candidates(kind)
        assert "advised" in cands and len(cands) >= 3
        for c in cands:
            if c != "advised":
                assert all(p.split(":")[0].split("*")[-1] in keys for p in c.split("+"))


@pytest.mark.parametrize("kwargs, match", [
    ({"candidates": ["sigmoid_ce"], "task_or_data": "digits"}, "a loss suited to a multiclass task"),
    ({"candidates": ["mse"], "task_or_data": "digits"}, "`on=probability` for the regression loss"),
    ({"candidates": ["sigmoid_ce", "sigmoid_ce"], "task_or_data": "digits-imbalanced"}, "distinct"),
    ({"candidates": ["mse:bias=prior"], "task_or_data": "outliers"}, "`bias=prior` only on classification"),
    ({"candidates": ["sigmoid_ce"], "task_or_data": "nowhere"}, "a built-in task"),
    ({"candidates": ["sigmoid_ce"], "task_or_data": "digits-imbalanced", "steps": 0}, "steps >= 1"),
    ({"candidates": ["sigmoid_ce"], "task_or_data": "digits-imbalanced", "seeds": []}, "at least one seed"),
])
def test_bad_requests_fail_before_training(kwargs, match):
    with pytest.raises(ValueError, match=match):
        compare(**kwargs)


def test_multiclass_segmentation_tiny():
    t = make_task("lesions-multiclass", 0, n_train=16, n_test=8, size=32, lesion_rate=0.8)
    r = compare(["softmax_ce", "mse:on=probability", "softmax_ce:class_weight=auto"], t, seeds=1, steps=2,
                batch_size=8, width=4, examples=2)
    assert r.task["kind"] == "multiclass_segmentation"
    assert r.examples["predictions"]["softmax_ce"].shape == (2, 32, 32)


def test_segmentation_same_seed_same_numbers(tiny_lesions):
    kw = dict(seeds=[3], steps=3, batch_size=8, width=4, examples=0, eval_points=1)
    a = compare(["sigmoid_dice_ce", "sigmoid_focal"], tiny_lesions, **kw)
    b = compare(["sigmoid_dice_ce", "sigmoid_focal"], tiny_lesions, **kw)
    assert [r["value"] for r in a.records] == [r["value"] for r in b.records]
    assert a.curves == b.curves and a.settings["seeds"] == [3]


def test_metrics_run_outside_deterministic_mode_training_inside(monkeypatch):
    """Sweep bug 6: metrics ran under torch's deterministic mode, where torchmetrics counts with an
    O(pixels × classes²) fallback (200–370 s for a 20-step run on 200-class masks)."""
    from losslab.compare import harness

    seen = {"train": set(), "eval": set()}
    evaluate, build = harness.M.evaluate, harness.build_loss

    def spy_evaluate(*args, **kwargs):
        seen["eval"].add(torch.are_deterministic_algorithms_enabled())
        return evaluate(*args, **kwargs)

    def spy_loss(*args, **kwargs):
        loss = build(*args, **kwargs)
        return lambda out, y: seen["train"].add(torch.are_deterministic_algorithms_enabled()) or loss(out, y)

    monkeypatch.setattr(harness.M, "evaluate", spy_evaluate)
    monkeypatch.setattr(harness, "build_loss", spy_loss)
    before = torch.are_deterministic_algorithms_enabled()
    compare(["sigmoid_ce"], "digits-imbalanced", seeds=1, steps=2, eval_points=1)
    assert seen == {"train": {True}, "eval": {False}}
    assert torch.are_deterministic_algorithms_enabled() == before


def test_images_below_the_unet_minimum_are_one_line_errors():
    """Sweep bug 11: 3×3 images (or --size 2) ended in an 88-line traceback from max_pool2d."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(12, 3, 3)), (rng.random((12, 3, 3)) > 0.5).astype(int)
    with pytest.raises(ValueError, match=r"^compare: expected images of at least 4x4 for the U-Net .*got 3x3$"):
        compare(["sigmoid_ce"], (x, y), seeds=1, steps=1)


@pytest.mark.parametrize("data, options, match", [
    ("pair", {"target": "y", "size": 32, "masks": "m"},
     r"compare: expected no target=, size=, masks= for an \(X, y\) pair .*, got target='y', size=32, masks='m'"),
    ("task", {"kind": "binary"}, "compare: expected no kind= for a Task, got kind='binary'"),
    ("pair", {"test_fraction": 1.5}, r"^compare: expected `test_fraction` < 1, got 1.5"),
    ("pair", {"data_seed": 2**40}, r"^compare: expected `data_seed` <= 2\*\*32 - 1"),
    ("csv", {}, "load_data: expected the label column .target=, --target on the command line. for a table"),
])
def test_python_api_options_are_checked_and_named(data, options, match, tmp_path):
    """Sweep 15: the (X, y) path dropped target=/size=/masks= silently; other errors named make_task, --target or
    gave scikit-learn's text."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 2))
    source = {"pair": (x, (x[:, 0] > 0).astype(int)), "task": make_task("digits-imbalanced"),
              "csv": tmp_path / "t.csv"}[data]
    (tmp_path / "t.csv").write_text("a,label\n" + "".join(f"{i},{i % 2}\n" for i in range(20)))
    with pytest.raises(ValueError, match=match):
        compare(["sigmoid_ce"], source, seeds=1, steps=1, **options)
