"""Seeded synthetic label sets for the advisor tests: one scenario per rule of the table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def blobs(n: int, shape: tuple[int, int] = (64, 64), *, p_empty: float = 0.0, radius: tuple[int, int] = (4, 9),
          objects: tuple[int, int] = (1, 3), classes: int = 1, seed: int = 0) -> np.ndarray:
    """``n`` uint8 masks with discs of random class in ``1..classes``; a fraction ``p_empty`` stays empty."""
    rng = np.random.default_rng(seed)
    H, W = shape
    yy, xx = np.ogrid[:H, :W]
    out = np.zeros((n, H, W), np.uint8)
    for i in range(n):
        if rng.random() < p_empty:
            continue
        for _ in range(rng.integers(objects[0], objects[1] + 1)):
            cy, cx = rng.integers(0, H), rng.integers(0, W)
            r = rng.integers(radius[0], radius[1] + 1)
            out[i][(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = rng.integers(1, classes + 1)
        if not out[i].any():  # a disc can miss the image only in pathological draws; keep "non-empty" exact
            out[i, H // 2, W // 2] = 1
    return out


@dataclass
class Scenario:
    name: str
    make: Callable[[], Any]
    kwargs: dict[str, Any] = field(default_factory=dict)
    fires: tuple[str, ...] = ()       # rules that must fire
    silent: tuple[str, ...] = ()      # rules that must not fire
    top: str | None = None            # expected recommended key
    num_classes: int = 3              # C for matching example inputs (class weights / per-label weights)


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def _outliers() -> np.ndarray:
    r = _rng(1)
    y = r.normal(10.0, 2.0, 4000)
    idx = r.choice(4000, 200, replace=False)
    y[idx] += r.choice([-1, 1], 200) * r.uniform(30, 60, 200)
    return y


def _voc() -> np.ndarray:
    m = blobs(120, classes=4, radius=(3, 7), seed=5)
    m[:, 0, :] = 255
    return m


def _noncontiguous() -> np.ndarray:
    m = blobs(100, classes=2, radius=(8, 14), seed=6)
    return np.where(m == 2, 7, np.where(m == 1, 2, 0)).astype(np.uint8)


SCENARIOS: list[Scenario] = [
    Scenario("regression_clean", lambda: _rng().normal(3.0, 1.5, 5000), top="mse",
             fires=("regression_baseline",),
             silent=("regression_outliers", "regression_heavy_tails", "regression_skew")),
    Scenario("regression_outliers", _outliers, top="huber", fires=("regression_outliers",
                                                                   "regression_heavy_tails")),
    Scenario("regression_skewed", lambda: _rng(2).lognormal(0.0, 0.8, 5000), fires=("regression_skew",)),
    Scenario("counts", lambda: _rng(3).poisson(40.0, 5000), top="poisson_nll",
             fires=("count_baseline", "count_poisson"), silent=("count_overdispersed", "count_zero_inflated")),
    Scenario("counts_zero_inflated",
             lambda: np.where(_rng(4).random(5000) < 0.5, 0, _rng(5).negative_binomial(2, 0.05, 5000)),
             top="poisson_nll", fires=("count_poisson", "count_overdispersed", "count_zero_inflated")),
    Scenario("counts_forced", lambda: _rng(6).poisson(2.0, 3000), {"task": "count_regression"},
             top="poisson_nll", fires=("count_poisson",)),
    Scenario("binary_balanced", lambda: _rng(7).integers(0, 2, 2000), top="sigmoid_ce",
             fires=("classification_balanced",), silent=("binary_imbalance", "rare_positive_bias_init",
                                                         "decision_threshold")),
    Scenario("binary_imbalanced", lambda: (_rng(8).random(4000) < 0.04).astype(np.int64), top="sigmoid_ce",
             fires=("binary_imbalance", "rare_positive_bias_init", "decision_threshold"),
             silent=("classification_balanced",)),
    Scenario("binary_text", lambda: np.array(["no"] * 900 + ["yes"] * 100, dtype=object), top="sigmoid_ce",
             fires=("binary_imbalance", "labels_not_indices")),
    Scenario("multiclass_balanced", lambda: _rng(9).integers(0, 5, 3000), top="softmax_ce", num_classes=5,
             fires=("classification_balanced",), silent=("multiclass_imbalance", "imbalanced_prior_bias_init",
                                                         "labels_not_indices")),
    Scenario("multiclass_imbalanced",
             lambda: np.array(["cat"] * 1000 + ["dog"] * 200 + ["eel"] * 40, dtype=object), top="softmax_ce",
             fires=("multiclass_imbalance", "imbalanced_prior_bias_init", "multiclass_decision",
                    "labels_not_indices")),
    Scenario("multilabel_balanced", lambda: (_rng(10).random((1500, 4)) < 0.4).astype(np.uint8),
             top="sigmoid_ce", num_classes=4, fires=("multilabel_balanced",),
             silent=("multilabel_many_negatives", "multilabel_label_imbalance")),
    Scenario("multilabel_many_negatives", lambda: (_rng(11).random((2000, 12)) < 0.03).astype(np.uint8),
             top="asymmetric", num_classes=12,
             fires=("multilabel_many_negatives", "rare_positive_bias_init", "decision_threshold")),
    Scenario("multilabel_label_imbalance",
             lambda: (_rng(12).random((3000, 4)) < np.array([0.5, 0.4, 0.3, 0.04])).astype(np.uint8),
             top="sigmoid_ce", num_classes=4, fires=("multilabel_label_imbalance",),
             silent=("multilabel_many_negatives", "multilabel_balanced")),
    Scenario("seg_large_foreground", lambda: blobs(60, radius=(18, 26), objects=(2, 3), seed=13),
             top="sigmoid_ce", num_classes=1, fires=("segmentation_baseline", "segmentation_large_foreground"),
             silent=("small_foreground", "many_empty_masks", "tiny_objects")),
    Scenario("seg_small_foreground", lambda: blobs(120, radius=(5, 8), p_empty=0.05, seed=14),
             top="sigmoid_dice_ce", num_classes=1,
             fires=("small_foreground", "segmentation_class_imbalance", "rare_positive_bias_init",
                    "decision_threshold"), silent=("many_empty_masks", "tiny_objects")),
    Scenario("seg_many_empty", lambda: blobs(150, radius=(5, 8), p_empty=0.5, seed=15),
             top="sigmoid_dice_ce", num_classes=1, fires=("many_empty_masks", "small_foreground")),
    Scenario("seg_tiny_objects", lambda: blobs(150, radius=(1, 2), objects=(1, 4), p_empty=0.1, seed=16),
             top="sigmoid_tversky_ce", num_classes=1, fires=("tiny_objects", "small_foreground")),
    Scenario("seg_tiny_and_empty", lambda: blobs(150, radius=(1, 2), objects=(1, 4), p_empty=0.5, seed=17),
             top="sigmoid_tversky_ce", num_classes=1, fires=("tiny_objects", "many_empty_masks")),
    Scenario("seg_multiclass_voc", _voc, top="softmax_dice_ce", num_classes=5,
             fires=("ignore_label", "small_foreground", "imbalanced_prior_bias_init"),
             silent=("labels_not_indices",)),
    Scenario("seg_multiclass_noncontiguous", _noncontiguous, num_classes=3,
             fires=("labels_not_indices", "segmentation_large_foreground")),
    Scenario("seg_0_255", lambda: blobs(80, radius=(5, 8), seed=18) * np.uint8(255), top="sigmoid_dice_ce",
             num_classes=1, fires=("small_foreground",)),
]

BY_NAME = {s.name: s for s in SCENARIOS}
