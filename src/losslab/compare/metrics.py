"""Held-out metrics per task kind, computed with torchmetrics (each knows whether higher is better).

Segmentation metrics pool the pixels of the whole test set (micro averaging), so empty images count:
a prediction on an empty image is a false positive. Multi-class segmentation averages the foreground
classes (macro). Two image-level rates are counts, not pixel scores: ``empty_pred`` is the fraction of test
images with no predicted foreground pixel, ``missed`` the fraction of lesion-bearing test images with no
correctly predicted foreground pixel, ``false_alarm`` the fraction of empty test images with a predicted
foreground pixel. ``empty_pred`` has no better direction (``higher_is_better`` is ``None``): compare it
with the true empty fraction (its ``reference``); 1.0 means the model predicts nothing. ``ap`` (pixel-level average precision) and ``best_dice`` (the Dice at
the best threshold on the precision–recall curve) do not depend on the 0.5 threshold: when ``dice`` is low
but ``ap``/``best_dice`` are high, the loss ranked the pixels well and only the threshold is off.

A class absent from the test targets has no score: a metric of that class alone (``minority_recall``, the
pixel scores of a test split without foreground) is NaN (n/a), and macro averages (``macro_f1``, ``auroc``,
the segmentation foreground mean) run over the classes present in the test targets.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class Metric:
    """A metric's name, direction (``None``: descriptive, compare with a reference) and one line of meaning.

    Example:
        >>> from losslab.compare import metrics_for
        >>> [(m.name, m.higher_is_better) for m in metrics_for("regression")]
        [('mae', False), ('rmse', False)]
    """

    name: str
    higher_is_better: bool | None
    doc: str


SEGMENTATION_METRICS = (
    Metric("dice", True, "Dice (F1) of the pixels at threshold 0.5 (argmax for multi-class)"),
    Metric("iou", True, "intersection over union (Jaccard) of the pixels"),
    Metric("precision", True, "pixel precision"),
    Metric("recall", True, "pixel recall"),
    Metric("ap", True, "pixel-level average precision (threshold-free ranking quality)"),
    Metric("best_dice", True, "Dice at the best threshold of the precision-recall curve"),
    Metric("empty_pred", None, "fraction of test images predicted empty (compare with the true empty fraction; "
                               "1.0 = predicts nothing)"),
    Metric("missed", False, "fraction of lesion-bearing test images with no correctly found lesion pixel"),
    Metric("false_alarm", False, "fraction of empty test images with a predicted foreground pixel"),
)
CLASSIFICATION_METRICS = (
    Metric("accuracy", True, "accuracy at threshold 0.5 (argmax for multi-class)"),
    Metric("macro_f1", True, "F1 averaged over the classes"),
    Metric("minority_recall", True, "recall of the class rarest in the training labels"),
    Metric("auroc", True, "area under the ROC curve (macro one-vs-rest for multi-class)"),
    Metric("ece", False, "expected calibration error (15 bins, L1)"),
)
REGRESSION_METRICS = (
    Metric("mae", False, "mean absolute error (original units)"),
    Metric("rmse", False, "root mean squared error (original units)"),
)

PRIMARY = {"binary_segmentation": "dice", "multiclass_segmentation": "dice", "binary": "macro_f1",
           "multiclass": "accuracy", "regression": "mae"}


def metrics_for(kind: str) -> tuple[Metric, ...]:
    """The metrics reported for a task kind.

    Example:
        >>> from losslab.compare import metrics_for
        >>> [m.name for m in metrics_for("binary_segmentation")]
        ['dice', 'iou', 'precision', 'recall', 'ap', 'best_dice', 'empty_pred', 'missed', 'false_alarm']
    """
    if kind.endswith("segmentation"):
        return SEGMENTATION_METRICS
    if kind in ("binary", "multiclass"):
        return CLASSIFICATION_METRICS
    return REGRESSION_METRICS


def evaluate(kind: str, output: torch.Tensor, target: torch.Tensor, *, n_classes: int,
             prior: np.ndarray | None = None, y_scale: tuple[float, float] = (0.0, 1.0),
             only: tuple[str, ...] | None = None) -> dict[str, float]:
    """Metric values for the model's raw ``output`` (logits or predictions) against ``target``.

    ``only`` restricts to some metrics (used for the cheap learning-curve evaluations).
    """
    output = output.detach().float()
    with warnings.catch_warnings():  # an absent class is n/a below; torchmetrics' warning about it is noise
        warnings.filterwarnings("ignore", "No (positive|negative) samples", UserWarning)
        if kind == "binary_segmentation":
            return _binary_segmentation(output, target, only)
        if kind == "multiclass_segmentation":
            return _multiclass_segmentation(output, target, n_classes, only)
        if kind == "binary":
            return _binary(output, target, prior, only)
        if kind == "multiclass":
            return _multiclass(output, target, n_classes, prior, only)
        return _regression(output, target, y_scale, only)


def _want(name: str, only: tuple[str, ...] | None) -> bool:
    return only is None or name in only


def _best_f1(probs: torch.Tensor, target: torch.Tensor) -> float:
    from torchmetrics.functional.classification import binary_precision_recall_curve

    if int(target.sum()) == 0:
        return float("nan")
    precision, recall, _ = binary_precision_recall_curve(probs, target)
    f1 = 2 * precision * recall / (precision + recall).clamp_min(1e-12)
    return float(f1.max())


def _ap(probs: torch.Tensor, target: torch.Tensor) -> float:
    from torchmetrics.functional.classification import binary_average_precision

    if int(target.sum()) == 0:
        return float("nan")
    return float(binary_average_precision(probs, target))


def _image_rates(pred_fg: torch.Tensor, hit: torch.Tensor, true_fg: torch.Tensor) -> dict[str, float]:
    """``pred_fg``/``hit``/``true_fg``: (N, pixels) booleans → empty-prediction and missed-image rates."""
    bearing = true_fg.any(dim=1)
    predicted = pred_fg.any(dim=1)
    empty = float((~predicted).float().mean())
    missed = float((~hit.any(dim=1))[bearing].float().mean()) if bool(bearing.any()) else float("nan")
    alarm = float(predicted[~bearing].float().mean()) if bool((~bearing).any()) else float("nan")
    return {"empty_pred": empty, "missed": missed, "false_alarm": alarm}


def _binary_segmentation(logits: torch.Tensor, target: torch.Tensor, only) -> dict[str, float]:
    from torchmetrics.functional.classification import (
        binary_f1_score,
        binary_jaccard_index,
        binary_precision,
        binary_recall,
    )

    probs = torch.sigmoid(logits).reshape(-1)
    t = (target.reshape(-1) > 0.5).long()
    out: dict[str, float] = {}
    for name, f in (("dice", binary_f1_score), ("iou", binary_jaccard_index), ("precision", binary_precision),
                    ("recall", binary_recall)):
        if _want(name, only):  # no foreground in the test targets: n/a
            out[name] = float(f(probs, t)) if bool(t.any()) else float("nan")
    if _want("ap", only):
        out["ap"] = _ap(probs, t)
    if _want("best_dice", only):
        out["best_dice"] = _best_f1(probs, t)
    if any(_want(k, only) for k in ("empty_pred", "missed", "false_alarm")):
        n = logits.shape[0]
        pred = (logits > 0).reshape(n, -1)
        true = (target > 0.5).reshape(n, -1)
        rates = _image_rates(pred, pred & true, true)
        out.update({k: v for k, v in rates.items() if _want(k, only)})
    return out


def _multiclass_segmentation(logits: torch.Tensor, target: torch.Tensor, n_classes: int, only) -> dict[str, float]:
    from torchmetrics.functional.classification import (
        multiclass_f1_score,
        multiclass_jaccard_index,
        multiclass_precision,
        multiclass_recall,
    )

    pred = logits.argmax(dim=1)
    p, t = pred.reshape(-1), target.reshape(-1)
    fg = slice(1, n_classes)
    present = _present(t, n_classes)[fg]

    def fg_mean(values: torch.Tensor) -> float:
        v = values[fg][present]
        return float(v.mean()) if v.numel() else float("nan")

    out: dict[str, float] = {}
    for name, f in (("dice", multiclass_f1_score), ("iou", multiclass_jaccard_index),
                    ("precision", multiclass_precision), ("recall", multiclass_recall)):
        if _want(name, only):
            out[name] = fg_mean(f(p, t, num_classes=n_classes, average="none"))
    if _want("ap", only) or _want("best_dice", only):
        probs = torch.softmax(logits, dim=1).movedim(1, -1).reshape(-1, n_classes)
        aps, bests = [], []
        for c in range(1, n_classes):
            tc = (t == c).long()
            if int(tc.sum()) == 0:
                continue
            if _want("ap", only):
                aps.append(_ap(probs[:, c], tc))
            if _want("best_dice", only):
                bests.append(_best_f1(probs[:, c], tc))
        if _want("ap", only):
            out["ap"] = float(np.mean(aps)) if aps else float("nan")
        if _want("best_dice", only):
            out["best_dice"] = float(np.mean(bests)) if bests else float("nan")
    if any(_want(k, only) for k in ("empty_pred", "missed", "false_alarm")):
        n = logits.shape[0]
        pf = (pred > 0).reshape(n, -1)
        tf = (target > 0).reshape(n, -1)
        hit = pf & (pred == target).reshape(n, -1)
        rates = _image_rates(pf, hit, tf)
        out.update({k: v for k, v in rates.items() if _want(k, only)})
    return out


def _present(target: torch.Tensor, n_classes: int) -> torch.Tensor:
    """Which classes occur in the (index) targets."""
    return torch.bincount(target, minlength=n_classes) > 0


def _macro(per_class: torch.Tensor, present: torch.Tensor) -> float:
    """The mean over the present classes, by torchmetrics' own macro formula (same value when all are present)."""
    w = present.float()
    return float((w * per_class / w.sum()).sum())


def _minority_recall(recall: torch.Tensor, present: torch.Tensor, prior, n_classes: int) -> float:
    """Recall of the class rarest in training; n/a when the test targets do not hold it."""
    c = _minority(prior, n_classes)
    return float(recall[c]) if bool(present[c]) else float("nan")


def _minority(prior: np.ndarray | None, n_classes: int) -> int:
    if prior is None:
        return 1 if n_classes == 2 else 0
    prior = np.asarray(prior, dtype=np.float64)
    if prior.size == 1:  # binary: prior of the positive class
        return 1 if prior[0] <= 0.5 else 0
    return int(np.argmin(prior))


def _binary(logits: torch.Tensor, target: torch.Tensor, prior, only) -> dict[str, float]:
    from torchmetrics.functional.classification import (
        binary_accuracy,
        binary_auroc,
        binary_calibration_error,
        multiclass_f1_score,
        multiclass_recall,
    )

    probs = torch.sigmoid(logits).reshape(-1)
    t = (target.reshape(-1) > 0.5).long()
    pred = (probs > 0.5).long()
    present = _present(t, 2)
    out: dict[str, float] = {}
    if _want("accuracy", only):
        out["accuracy"] = float(binary_accuracy(probs, t))
    if _want("macro_f1", only):
        out["macro_f1"] = _macro(multiclass_f1_score(pred, t, num_classes=2, average="none"), present)
    if _want("minority_recall", only):
        rec = multiclass_recall(pred, t, num_classes=2, average="none")
        out["minority_recall"] = _minority_recall(rec, present, prior, 2)
    if _want("auroc", only):
        out["auroc"] = float(binary_auroc(probs, t)) if 0 < int(t.sum()) < t.numel() else float("nan")
    if _want("ece", only):
        out["ece"] = float(binary_calibration_error(probs, t, n_bins=15, norm="l1"))
    return out


def _multiclass(logits: torch.Tensor, target: torch.Tensor, n_classes: int, prior, only) -> dict[str, float]:
    from torchmetrics.functional.classification import (
        multiclass_accuracy,
        multiclass_auroc,
        multiclass_calibration_error,
        multiclass_f1_score,
        multiclass_recall,
    )

    probs = torch.softmax(logits, dim=1)
    t = target.reshape(-1)
    present = _present(t, n_classes)
    out: dict[str, float] = {}
    if _want("accuracy", only):
        out["accuracy"] = float(multiclass_accuracy(probs, t, num_classes=n_classes, average="micro"))
    if _want("macro_f1", only):
        out["macro_f1"] = _macro(multiclass_f1_score(probs, t, num_classes=n_classes, average="none"), present)
    if _want("minority_recall", only):
        rec = multiclass_recall(probs, t, num_classes=n_classes, average="none")
        out["minority_recall"] = _minority_recall(rec, present, prior, n_classes)
    if _want("auroc", only):  # torchmetrics' macro AUROC counts an absent class as 0
        out["auroc"] = float(multiclass_auroc(probs, t, num_classes=n_classes, average="none")[present].mean())
    if _want("ece", only):
        out["ece"] = float(multiclass_calibration_error(probs, t, num_classes=n_classes, n_bins=15, norm="l1"))
    return out


def _regression(pred: torch.Tensor, target: torch.Tensor, y_scale, only) -> dict[str, float]:
    from torchmetrics.functional import mean_absolute_error, mean_squared_error

    mu, sd = y_scale
    p = pred.reshape(-1).double() * sd + mu
    t = target.reshape(-1).double() * sd + mu
    out: dict[str, float] = {}
    if _want("mae", only):
        out["mae"] = float(mean_absolute_error(p, t))
    if _want("rmse", only):
        out["rmse"] = float(mean_squared_error(p, t, squared=False))
    return out
