"""Metrics: degenerate predictions, agreement with scikit-learn, directions."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from losslab.compare.metrics import PRIMARY, evaluate, metrics_for


def _masks():
    y = torch.zeros(4, 1, 8, 8)
    y[0, 0, 2:4, 2:4] = 1
    y[1, 0, 5, 5] = 1
    return y  # images 2 and 3 empty


def test_perfect_segmentation():
    y = _masks()
    logits = (y * 2 - 1) * 10
    m = evaluate("binary_segmentation", logits, y, n_classes=1)
    assert m["dice"] == pytest.approx(1) and m["iou"] == pytest.approx(1) and m["ap"] == pytest.approx(1)
    assert m["best_dice"] == pytest.approx(1) and m["recall"] == pytest.approx(1)
    assert m["empty_pred"] == pytest.approx(0.5) and m["missed"] == 0.0 and m["false_alarm"] == 0.0


def test_empty_prediction_but_good_ranking():
    y = _masks()
    logits = y * 2 - 5  # every pixel below 0.5, positives ranked first
    m = evaluate("binary_segmentation", logits, y, n_classes=1)
    assert m["dice"] == 0 and m["recall"] == 0 and m["empty_pred"] == 1 and m["missed"] == 1
    assert m["false_alarm"] == 0
    assert m["ap"] == pytest.approx(1) and m["best_dice"] == pytest.approx(1)  # only the threshold failed


def test_missed_counts_lesion_images_without_a_true_positive():
    y = _masks()
    logits = torch.full_like(y, -10)
    logits[0, 0, 2, 2] = 10  # finds image 0, misses image 1
    logits[2, 0, 0, 0] = 10  # false positive on an empty image
    m = evaluate("binary_segmentation", logits, y, n_classes=1)
    assert m["missed"] == pytest.approx(0.5) and m["empty_pred"] == pytest.approx(0.5)
    assert m["false_alarm"] == pytest.approx(0.5)  # one of the two empty images
    assert m["precision"] == pytest.approx(0.5) and m["recall"] == pytest.approx(1 / 5)


def test_multiclass_segmentation():
    y = torch.zeros(3, 8, 8, dtype=torch.long)
    y[0, 1:3, 1:3] = 1
    y[1, 4:6, 4:6] = 2
    logits = torch.nn.functional.one_hot(y, 3).movedim(-1, 1).float() * 10
    m = evaluate("multiclass_segmentation", logits, y, n_classes=3)
    assert m["dice"] == pytest.approx(1) and m["ap"] == pytest.approx(1) and m["missed"] == 0
    assert m["empty_pred"] == pytest.approx(1 / 3)
    wrong = torch.nn.functional.one_hot(torch.where(y > 0, 3 - y, y), 3).movedim(-1, 1).float() * 10
    w = evaluate("multiclass_segmentation", wrong, y, n_classes=3)
    assert w["dice"] == 0 and w["missed"] == 1 and w["empty_pred"] == pytest.approx(1 / 3)


def test_binary_classification_matches_sklearn():
    from sklearn.metrics import accuracy_score, f1_score, recall_score, roc_auc_score

    rng = np.random.default_rng(0)
    y = (rng.random(200) < 0.2).astype(np.float32)
    z = rng.normal(size=200) + 2 * y
    m = evaluate("binary", torch.tensor(z, dtype=torch.float32)[:, None], torch.tensor(y)[:, None], n_classes=1,
                 prior=np.array([0.2]))
    pred = (z > 0).astype(int)
    assert m["accuracy"] == pytest.approx(accuracy_score(y, pred))
    assert m["macro_f1"] == pytest.approx(f1_score(y, pred, average="macro"), abs=1e-6)
    assert m["minority_recall"] == pytest.approx(recall_score(y, pred))
    assert m["auroc"] == pytest.approx(roc_auc_score(y, z), abs=1e-6)
    assert 0 <= m["ece"] <= 1


def test_multiclass_classification_matches_sklearn():
    from sklearn.metrics import accuracy_score, f1_score, recall_score

    rng = np.random.default_rng(1)
    y = rng.integers(0, 4, 300)
    z = rng.normal(size=(300, 4))
    z[np.arange(300), y] += 1.5
    prior = np.array([0.3, 0.3, 0.1, 0.3])
    m = evaluate("multiclass", torch.tensor(z, dtype=torch.float32), torch.tensor(y), n_classes=4, prior=prior)
    pred = z.argmax(1)
    assert m["accuracy"] == pytest.approx(accuracy_score(y, pred))
    assert m["macro_f1"] == pytest.approx(f1_score(y, pred, average="macro"), abs=1e-6)
    assert m["minority_recall"] == pytest.approx(recall_score(y, pred, average=None)[2])


def test_regression_in_original_units():
    pred = torch.tensor([[0.0], [1.0], [2.0]])
    target = torch.tensor([[0.0], [0.0], [0.0]])
    m = evaluate("regression", pred, target, n_classes=1, y_scale=(100.0, 10.0))
    assert m["mae"] == pytest.approx(10.0) and m["rmse"] == pytest.approx(10 * np.sqrt(5 / 3))


def test_directions_and_primary():
    for kind, primary in PRIMARY.items():
        names = {m.name: m.higher_is_better for m in metrics_for(kind)}
        assert primary in names
    seg = {m.name: m.higher_is_better for m in metrics_for("binary_segmentation")}
    assert seg["dice"] and seg["empty_pred"] is None and seg["missed"] is False and seg["false_alarm"] is False
    assert not {m.name: m.higher_is_better for m in metrics_for("regression")}["rmse"]


def _no_warnings(fn, *args, **kwargs):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torchmetrics' "No positive samples in targets" once leaked to stderr
        return fn(*args, **kwargs)


def test_binary_class_absent_from_the_test_split_is_na():
    """Sweep bug 7: with no positive test sample, minority_recall was 0.000 (marked best for every candidate)."""
    y = torch.zeros(20, 1)
    z = torch.linspace(-3, 1, 20)[:, None]  # 5 false positives
    m = _no_warnings(evaluate, "binary", z, y, n_classes=1, prior=np.array([0.1]))
    assert np.isnan(m["minority_recall"]) and np.isnan(m["auroc"])
    assert m["macro_f1"] == pytest.approx(2 * 15 / (2 * 15 + 5))  # F1 of the present class only
    assert m["accuracy"] == pytest.approx(0.75)


def test_multiclass_class_absent_from_the_test_split():
    """Sweep bug 7: torchmetrics' macro AUROC counted an absent class as 0 (0.71 for a near-perfect model)."""
    y = torch.arange(30) % 3  # class 3 absent
    z = torch.nn.functional.one_hot(y, 4).float() * 5
    m = _no_warnings(evaluate, "multiclass", z, y, n_classes=4, prior=np.array([0.3, 0.3, 0.3, 0.1]))
    assert m["auroc"] == pytest.approx(1.0) and m["macro_f1"] == pytest.approx(1.0)
    assert np.isnan(m["minority_recall"])


def test_segmentation_without_test_foreground_is_na():
    """Sweep bug 8: pixel scores of a test split without foreground were 0.000, marked best for every candidate."""
    y = torch.zeros(3, 1, 8, 8)
    m = _no_warnings(evaluate, "binary_segmentation", torch.full_like(y, -3.0), y, n_classes=1)
    assert all(np.isnan(m[k]) for k in ("dice", "iou", "precision", "recall", "ap", "best_dice"))
    assert m["empty_pred"] == 1 and m["false_alarm"] == 0


def test_macro_average_equals_torchmetrics_when_every_class_is_present():
    """The present-class average uses torchmetrics' own macro formula: the built-in tasks' numbers are unchanged."""
    from torchmetrics.functional.classification import multiclass_auroc, multiclass_f1_score

    rng = np.random.default_rng(3)
    y = torch.tensor(rng.integers(0, 10, 500))
    z = torch.tensor(rng.normal(size=(500, 10)), dtype=torch.float32) + torch.nn.functional.one_hot(y, 10)
    m = evaluate("multiclass", z, y, n_classes=10)
    p = torch.softmax(z, dim=1)
    assert m["macro_f1"] == float(multiclass_f1_score(p, y, num_classes=10, average="macro"))
    assert m["auroc"] == float(multiclass_auroc(p, y, num_classes=10, average="macro"))
