"""advisor.profile: task detection, exact statistics, streaming invariance, invalid data."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage, stats

import losslab.advisor.profile as prof_mod
from losslab.advisor.profile import MAX_AUTO_CLASSES, OUTLIER_Z, TINY_OBJECT_AREA_FRACTION, Profile, profile

from ._synth import blobs


def chunks_of(a: np.ndarray, size: int):
    return (a[i:i + size] for i in range(0, len(a), size))


# ---------------------------------------------------------------------------------- task detection
@pytest.mark.parametrize("data, task", [
    (np.array([0, 1, 1, 0, 1]), "binary"),
    (np.array([True, False, True]), "binary"),
    (np.array([0.0, 1.0, 1.0]), "binary"),
    (np.array([0, 1, 2, 2, 1]), "multiclass"),
    (["a", "b", "a"], "binary"),
    (["a", "b", "c"], "multiclass"),
    (np.arange(MAX_AUTO_CLASSES + 5), "count_regression"),
    (np.array([0.5, 1.25, -3.0]), "regression"),
    (np.arange(-20, 20), "regression"),
    (np.array([[0, 1, 1], [1, 0, 0], [0, 0, 0]]), "multilabel"),
    (np.eye(3, dtype=np.uint8)[[0, 1, 2, 2]], "multiclass"),
    (np.array([[0.5, 1.0], [2.0, 3.0]]), "regression"),
    (np.array([[0], [1], [1]]), "binary"),
    (blobs(4, (16, 16)), "binary_segmentation"),
    (blobs(4, (16, 16), classes=3, seed=3), "multiclass_segmentation"),
    (blobs(4, (16, 16)).astype(bool), "binary_segmentation"),
    (blobs(4, (16, 16)).astype(np.float32), "binary_segmentation"),
    (blobs(3, (8, 16)).reshape(3, 2, 4, 16), "binary_segmentation"),  # volumes
])
def test_task_detection(data, task):
    p = profile(data)
    assert p.task == task
    assert p.evidence and all(isinstance(e, str) for e in p.evidence)


def test_forced_tasks_change_the_reading():
    assert profile(np.array([0, 1, 2, 3, 1]), task="count_regression").task == "count_regression"
    assert profile(np.array([0, 1, 1]), task="multiclass").task == "multiclass"
    dense = profile(np.random.default_rng(0).random((3, 8, 8)), task="regression")
    assert dense.task == "regression" and dense.regression.count == 3 * 64
    assert profile(blobs(3, (8, 8)), task="multiclass_segmentation").task == "multiclass_segmentation"
    assert profile(np.array([[0, 1], [1, 1]]), task="multilabel").task == "multilabel"


@pytest.mark.parametrize("data, task, match", [
    (np.array([0, 1, 2]), "binary", "expected 2 classes"),
    (np.array([0, 1, 2]), "binary_segmentation", "expected masks"),
    (np.array([0, 1, 2]), "multilabel", "expected an \\(n, k\\) 0/1 table"),
    (np.array([-1, 2, 3]), "count_regression", "non-negative integer counts"),
    (np.array([0.5, 2.0]), "count_regression", "non-negative integer counts"),
    (["a", "b"], "regression", "numeric targets"),
    (np.array([[0.5, 2.0]]), "multilabel", "0/1 values"),
    (blobs(3, (8, 8), classes=3, seed=2), "binary_segmentation", "2 values"),
    (blobs(3, (8, 8)), "binary", "one label per sample"),
    (np.array([[1, 1], [0, 0]]), "multiclass", "one-hot rows"),
    (np.array([0, 1]), "nope", "`task` one of"),
])
def test_forced_task_mismatch_is_a_precise_error(data, task, match):
    with pytest.raises(ValueError, match=match):
        profile(data, task=task)


# ---------------------------------------------------------------------------------- classification
def test_class_counts_and_imbalance_exact():
    y = np.random.default_rng(1).choice([0, 1, 2, 3], size=5000, p=[0.7, 0.2, 0.07, 0.03])
    p = profile(y)
    vals, counts = np.unique(y, return_counts=True)
    assert p.classes.values == vals.tolist() and p.classes.counts == counts.tolist()
    assert math.isclose(sum(p.classes.frequencies), 1.0)
    assert math.isclose(p.classes.imbalance_ratio, counts.max() / counts.min())
    assert p.classes.majority == 0 and p.classes.minority == 3 and p.classes.contiguous


def test_binary_positive_class():
    p = profile(np.array([0] * 90 + [1] * 10))
    assert p.classes.positive == 1 and math.isclose(p.positive_fraction, 0.1)
    p = profile(["yes"] * 10 + ["no"] * 90)  # text: positive = minority class
    assert p.classes.positive == "yes" and math.isclose(p.positive_fraction, 0.1)
    assert not p.classes.contiguous


def test_declared_classes_absent_and_outside():
    p = profile(np.array([0, 1, 1, 0]), classes=[0, 1, 2])
    assert p.task == "multiclass" and p.classes.absent == [2] and p.classes.counts == [2, 2, 0]
    assert any("without any example" in w for w in p.warnings)
    with pytest.raises(ValueError, match=r"declared classes \[0, 1\], got 5 \(1 sample\(s\), first 2\)"):
        profile(np.array([0, 1, 5, 1]), classes=[0, 1])
    with pytest.raises(ValueError, match="declared classes"):
        profile(["a", "b", "zebra"], classes=["a", "b"])
    with pytest.raises(ValueError, match="at least 2 declared"):
        profile(np.array([0, 1]), classes=[0])


def test_multilabel_statistics():
    y = (np.random.default_rng(2).random((1000, 5)) < [0.5, 0.2, 0.1, 0.05, 0.0]).astype(np.uint8)
    p = profile(y)
    m = p.multilabel
    assert m.positives == y.sum(0).tolist() and m.labels_without_positive == [4]
    assert math.isclose(m.positive_fraction, y.mean())
    assert math.isclose(m.negative_positive_ratio, (y.size - y.sum()) / y.sum())
    assert math.isclose(m.samples_without_positive, float((y.sum(1) == 0).mean()))
    pos = y.sum(0)[:4]
    assert math.isclose(m.label_imbalance_ratio, pos.max() / pos.min())
    assert p.warnings  # label 4 has no positive


# ---------------------------------------------------------------------------------- masks
def test_mask_statistics_exact():
    m = blobs(40, (32, 32), p_empty=0.3, radius=(2, 6), seed=3)
    p = profile(m, max_object_images=1000)
    fg = (m != 0).reshape(40, -1).sum(1)
    assert p.masks.num_images == 40 and p.masks.image_shape == (32, 32)
    assert math.isclose(p.masks.foreground_fraction, fg.sum() / m.size)
    assert p.masks.num_empty == int((fg == 0).sum())
    assert math.isclose(p.masks.empty_fraction, float((fg == 0).mean()))
    assert math.isclose(p.masks.foreground_fraction_per_image["median"], float(np.median(fg / 1024)))
    # object sizes: brute force with scipy, full connectivity
    sizes = []
    for im in m:
        lab, n = ndimage.label(im == 1, structure=np.ones((3, 3)))
        sizes += np.bincount(lab.ravel())[1:].tolist()
    o = p.masks.objects
    assert o.images_sampled == 40 and o.num_objects == len(sizes) and o.sampling == "all 40 images"
    assert math.isclose(o.size_pixels["median"], float(np.median(sizes)))
    assert math.isclose(o.tiny_share, float(np.mean(np.array(sizes) / 1024 < TINY_OBJECT_AREA_FRACTION)))
    assert p.classes.image_presence == [1.0, float((fg > 0).mean())]


def test_object_sampling_is_evenly_spaced_and_reported():
    m = blobs(50, (16, 16), seed=4)
    p = profile(m, max_object_images=10)
    assert p.masks.objects.images_sampled == 10
    assert "10 evenly spaced of 50" in p.masks.objects.sampling
    assert any("object sizes from" in n for n in p.notes)
    streamed = profile(chunks_of(m, 7), max_object_images=10)  # unknown total: the first 10
    assert streamed.masks.objects.images_sampled == 10 and "first 10" in streamed.masks.objects.sampling
    assert profile(m, max_object_images=0).masks.objects is None


def test_multiclass_masks_per_class_components_and_presence():
    m = np.zeros((2, 8, 8), np.uint8)
    m[0, :2, :2] = 1
    m[0, :2, 2:4] = 2     # touches class 1: still a separate object (components per class)
    m[1, 5:, 5:] = 2
    p = profile(m)
    assert p.task == "multiclass_segmentation"
    assert p.masks.objects.num_objects == 3
    assert p.classes.counts == [64 * 2 - 4 - 4 - 9, 4, 13]
    assert p.classes.image_presence == [1.0, 0.5, 1.0]


def test_voc_ignore_auto_explicit_and_off():
    m = blobs(10, (16, 16), classes=3, radius=(3, 5), seed=5)
    m[:, 0, :] = 255
    p = profile(m)
    assert p.ignore_index == 255 and 255 not in p.classes.values
    assert math.isclose(p.masks.ignored_fraction, 16 / 256)
    assert any("ignore" in e for e in p.evidence)
    labelled = (m != 255).reshape(10, -1).sum(1)
    fg = ((m != 0) & (m != 255)).reshape(10, -1).sum(1)
    assert math.isclose(p.masks.foreground_fraction, fg.sum() / labelled.sum())
    off = profile(m, ignore_index=None)
    assert off.ignore_index is None and 255 in off.classes.values
    explicit = profile(np.where(m == 255, 9, m).astype(np.uint8), ignore_index=9)
    assert explicit.ignore_index == 9 and math.isclose(explicit.masks.foreground_fraction,
                                                       p.masks.foreground_fraction)


def test_0_255_masks_are_binary_with_a_note():
    p = profile(blobs(5, (16, 16), seed=6) * np.uint8(255))
    assert p.task == "binary_segmentation" and p.classes.positive == 255
    assert any("255" in n for n in p.notes)


def test_colour_and_large_values_use_the_unique_path():
    m = blobs(6, (16, 16), classes=2, seed=7).astype(np.int32) * 70000
    p = profile(m)
    assert p.task == "multiclass_segmentation" and p.classes.values[0] == 0
    assert sum(p.classes.counts) == m.size


@pytest.mark.parametrize("bad, match", [
    (np.full((3, 4, 4), 0.5, np.float32), "integer mask values"),
    (np.zeros((3, 4, 4), np.uint8), "only background"),
    (np.ones((3, 4, 4), np.uint8), "only the value 1"),
    (np.full((2, 4, 4), 3, np.uint8) - np.eye(4, dtype=np.uint8), "background value 0"),
])
def test_invalid_masks(bad, match):
    with pytest.raises(ValueError, match=match):
        profile(bad)


def test_non_integer_mask_message_names_the_mask():
    m = np.zeros((4, 5, 5), np.float32)
    m[2, 1, 1] = 0.25
    with pytest.raises(ValueError, match=r"0.25 in 1 mask\(s\), first mask 2"):
        profile(m)


# ---------------------------------------------------------------------------------- regression
def test_regression_moments_and_robust_statistics():
    rng = np.random.default_rng(8)
    y = np.concatenate([rng.normal(5, 2, 3000), rng.normal(60, 1, 60)])
    r = profile(chunks_of(y, 500)).regression
    assert math.isclose(r.mean, y.mean(), rel_tol=1e-9)
    assert math.isclose(r.std, y.std(ddof=1), rel_tol=1e-9)
    assert math.isclose(r.skew, stats.skew(y), rel_tol=1e-7)
    assert math.isclose(r.excess_kurtosis, stats.kurtosis(y), rel_tol=1e-7)
    med = np.median(y)
    mad = np.median(np.abs(y - med))
    assert math.isclose(r.median, med) and math.isclose(r.mad, mad)
    assert math.isclose(r.outlier_fraction, float(np.mean(np.abs(y - med) > OUTLIER_Z * 1.4826 * mad)))
    assert r.quantiles_from.startswith("all values") and not r.is_count


def test_regression_from_a_uniform_sample_when_large(monkeypatch):
    monkeypatch.setattr(prof_mod, "RESERVOIR_SIZE", 2000)
    y = np.random.default_rng(9).normal(0, 1, 40000)
    r = profile(chunks_of(y, 3000)).regression
    assert "uniform sample of 2,000 of 40,000" in r.quantiles_from
    assert abs(r.median) < 0.1 and abs(r.robust_scale - 1) < 0.1
    assert math.isclose(r.mean, y.mean(), rel_tol=1e-9)  # moments stay exact


def test_count_statistics():
    rng = np.random.default_rng(10)
    y = np.where(rng.random(4000) < 0.4, 0, rng.poisson(50, 4000))
    r = profile(y).regression
    assert r.is_count and r.is_integer
    assert math.isclose(r.zero_fraction, float((y == 0).mean()))
    assert math.isclose(r.poisson_zero_fraction, math.exp(-y.mean()))
    assert math.isclose(r.dispersion, y.var() / y.mean(), rel_tol=1e-9)
    assert r.distinct == len(np.unique(y)) and r.quantiles_from.startswith("all values (exact")
    assert math.isclose(r.median, float(np.median(y)))


def test_constant_regression_warns_and_has_no_shape_statistics():
    p = profile(np.full(10, 2.5))
    assert math.isnan(p.regression.skew) and p.warnings
    assert p.to_dict()["regression"]["skew"] is None


# ---------------------------------------------------------------------------------- invalid data
@pytest.mark.parametrize("bad, exc, match", [
    (np.array([1.0, np.nan, 2.0, np.nan]), ValueError, r"free of NaN.*2 NaN value\(s\) \(first in sample 1\)"),
    (np.array([1.0, np.inf]), ValueError, "infinite"),
    ([1, None, 2], ValueError, "missing"),
    (np.array([], dtype=np.int64), ValueError, "empty dataset"),
    (iter([]), ValueError, "empty dataset"),
    (np.zeros((3, 0)), ValueError, "empty dataset"),
    (np.array([4, 4, 4]), ValueError, "at least 2 classes"),
    (np.array([1 + 2j]), TypeError, "dtype"),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), TypeError, "dtype"),
    ([[1, 2], [3]], ValueError, "mixed shapes"),
    ({"a": 1}, TypeError, "expected targets"),
    (3.5, TypeError, "expected targets"),
    (np.array([[0, 0], [0, 0]]), ValueError, "at least one positive"),
])
def test_invalid_data_is_reported_precisely(bad, exc, match):
    with pytest.raises(exc, match=match):
        profile(bad)


def test_masks_of_varying_size_are_profiled_per_image():
    """Masks of different sizes (same number of dimensions): every fraction uses each image's own size."""
    a = np.zeros((2, 4, 4), np.uint8)
    a[0, :2, :2] = 1  # 4 of 16 pixels
    b = np.zeros((3, 10, 10), np.uint8)
    b[1, :5] = 1  # 50 of 100 pixels
    b[2, 0, 0] = 1  # 1 of 100
    p = profile(iter([a, b]))
    m = p.masks
    assert p.task == "binary_segmentation" and p.num_labels == 2 * 16 + 3 * 100
    assert m.num_images == 5 and m.image_shape == (10, 10) and m.num_empty == 2
    assert m.foreground_fraction == pytest.approx(55 / 332)
    assert m.foreground_fraction_per_image["max"] == pytest.approx(0.5)
    assert m.foreground_fraction_nonempty_median == pytest.approx(0.25)
    assert m.objects.size_fraction["max"] == pytest.approx(0.5) and m.objects.size_fraction["min"] == 0.01
    assert any("differ in size (16 to 100 pixels)" in n for n in p.notes)
    assert "of 2 shapes" in p.evidence[0]
    same = profile(np.concatenate([b, b]))
    assert not any("differ in size" in n for n in same.notes) and "of shape (10, 10)" in same.evidence[0]


def test_mixed_dimensions_in_a_stream_name_the_sample():
    parts = [np.zeros((2, 4, 4), np.uint8), np.ones((3, 4, 4, 2), np.uint8)]
    with pytest.raises(ValueError, match=r"mixed shapes: \(4, 4, 2\) from sample 2"):
        profile(iter(parts))
    with pytest.raises(ValueError, match=r"mixed shapes: \(3,\) from sample 2"):
        profile(iter([np.zeros((2, 2)), np.zeros((2, 3))]))  # table rows: one width


def test_text_and_numbers_mixed():
    with pytest.raises(TypeError, match="one type"):
        profile(iter([np.array(["a", "b"], dtype=object), np.array([1, 2])]))


def test_nan_in_a_later_chunk_names_its_position():
    parts = [np.zeros(5), np.array([1.0, 2.0, np.nan])]
    with pytest.raises(ValueError, match="first in sample 7"):
        profile(iter(parts))


# ---------------------------------------------------------------------------------- streaming
@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=2, max_size=200), st.integers(1, 50))
def test_chunking_does_not_change_class_statistics(labels, size):
    y = np.array(labels)
    if len(np.unique(y)) < 2:
        return
    whole, streamed = profile(y), profile(chunks_of(y, size))
    assert whole.task == streamed.task
    assert whole.classes.counts == streamed.classes.counts


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=3, max_size=200), st.integers(1, 40))
def test_chunking_does_not_change_regression_statistics(values, size):
    y = np.array(values) + 0.5  # not all integers
    if np.ptp(y) == 0:
        return
    a, b = profile(y, task="regression").regression, profile(chunks_of(y, size), task="regression").regression
    assert math.isclose(a.mean, b.mean, rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(a.std, b.std, rel_tol=1e-6, abs_tol=1e-9)
    assert a.median == b.median and a.outlier_fraction == b.outlier_fraction


def test_progress_callback_sees_every_chunk():
    seen = []
    profile(np.arange(10) % 2, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (10, 10)
    seen.clear()
    profile(chunks_of(np.arange(10) % 2, 4), progress=lambda done, total: seen.append((done, total)))
    assert seen == [(4, None), (8, None), (10, None)]


def test_profile_to_dict_is_json_ready():
    import json

    p = profile(blobs(5, (16, 16), seed=11))
    d = p.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["task"] == "binary_segmentation" and d["masks"]["objects"]["num_objects"] > 0
    assert isinstance(p, Profile) and p.stat("masks.objects.num_objects") == d["masks"]["objects"]["num_objects"]
    assert p.stat("regression.skew") is None


def test_profile_readers_and_rules_do_not_import_torch():
    root = Path(prof_mod.__file__).parent
    for name in ("profile.py", "readers.py", "rules.py"):
        tree = ast.parse((root / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert all(not a.name.startswith("torch") for a in node.names), name
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("torch"), name
                assert not (node.level and (node.module or "").split(".")[0] in ("nn", "functional")), name


def test_a_chunk_of_empty_masks_after_foreground_keeps_the_class_counts():
    """A later chunk with fewer distinct values must not broadcast its counts into the running totals."""
    a = np.zeros((3, 8, 8), np.uint8)
    a[0, 0, 0], a[0, 1, 1] = 2, 1
    p = profile(iter([a, np.zeros((2, 8, 8), np.uint8)]))
    assert p.classes.values == [0, 1, 2] and p.classes.counts == [318, 1, 1]
    assert p.masks.num_empty == 4 and p.masks.image_shape == (8, 8)


# ---------------------------------------------------------------------------------- sweep of unfamiliar data
def test_voc_auto_ignore_needs_classes_0_to_k_and_objects_around_255():
    base = blobs(12, (16, 16), classes=2, radius=(3, 5), seed=11)
    grey = np.where(base == 2, 255, np.where(base == 1, 128, 0)).astype(np.uint8)   # 0/128/255: three classes
    mixed = np.concatenate([base[:6] > 0, (base[6:] > 0) * np.uint8(255)]).astype(np.uint8)  # 0/1 and 0/255
    noisy = (base > 0) * np.uint8(255)
    noisy[:, 0, :4] = [1, 2, 253, 254]  # JPEG-like stray values around 0 and 255
    for m in (grey, mixed, noisy):
        p = profile(m)
        assert p.ignore_index is None and 255 in p.classes.values
        assert any("counted as a class" in e and "ignore_index=255" in e for e in p.evidence)
    assert any("without any object" in e for e in profile(mixed).evidence)
    assert any("not the classes 0..K" in e for e in profile(grey).evidence)
    many = np.zeros((2, 16, 16), np.int32)
    many[:, :9] = np.arange(16 * 9).reshape(9, 16) % (prof_mod.VOC_MAX_CLASSES + 1)  # classes 0..128
    many[:, -1] = 255
    assert any("more than VOC_MAX_CLASSES" in e for e in profile(many).evidence)
    voc = base.copy()
    voc[:, 0, :] = 255
    assert profile(voc).ignore_index == 255  # classes 0..2 and borders in masks with objects: VOC


def test_masks_with_more_values_than_labels_have_are_refused():
    photos = np.random.default_rng(12).integers(0, 70000, (2, 40, 40))
    photos[:, 0, 0] = 0
    with pytest.raises(ValueError, match=r"at most MAX_MASK_VALUES = 1024 distinct values, got 3,1\d\d in 2 "
                                         r"mask\(s\) \(photos rather than label masks\? pass task="):
        profile(photos)
    assert profile(photos, task="multiclass_segmentation").classes.num_classes > 1024


def test_compression_artefacts_in_masks_warn():
    m = blobs(20, (32, 32), classes=3, seed=13)
    clean = profile(m)
    assert not any("artefacts" in w for w in clean.warnings)
    jpeg = (m > 0) * np.uint8(255)
    jpeg[:, 0, 0], jpeg[:3, 1, 1], jpeg[:2, 2, 2] = 254, 1, 3  # a few stray pixels next to 0 and 255
    w = [w for w in profile(jpeg).warnings if "artefacts" in w]
    assert w and "[1, 3, 254]" in w[0] and "nearest-neighbour" in w[0]
    tail = np.zeros((10, 40, 40), np.uint8)  # classes 0..5, three of them rare: a long tail, not artefacts
    tail[:, :20] = 1
    tail[:, 20:30] = 2
    tail[0, 39, 0], tail[1, 39, 1], tail[2, 39, 2] = 3, 4, 5
    assert not any("artefacts" in w for w in profile(tail).warnings)


def test_multilabel_label_positive_in_every_row_warns():
    y = np.array([[1, 0], [1, 1], [1, 0], [1, 0]])
    p = profile(y)
    assert "labels positive in every row: columns [0]" in " ".join(p.warnings)


def test_evidence_says_what_happened():
    table = profile(np.array([[0, 2, 1], [3, 0, 1], [1, 1, 4]]))
    assert table.task == "count_regression"
    assert "not all 0/1, so not a multi-label table" in table.evidence[-1] and "MAX_AUTO" not in table.evidence[-1]
    assert profile(np.array([True, False, True])).evidence[0] == "booleans: read as binary classes"
    assert profile(blobs(1, (8, 8))).evidence[0].startswith("1 mask of shape")


def test_text_label_warnings():
    ws = profile(["cat", " cat", "Cat", "dog", "dog ", "bird"] * 5)
    assert any("case or surrounding spaces: [[' cat', 'Cat', 'cat'], ['dog', 'dog ']]" in w for w in ws.warnings)
    stray = profile(["0", "1"] * 20 + ["?"])
    assert any("mix numbers" in w and "['?']" in w for w in stray.warnings)
    ids = profile([f"row{i}" for i in range(25)])
    assert any("every label is different in 25 samples" in w for w in ids.warnings)
    assert not profile(["a", "b"] * 20).warnings
    assert not profile([f"row{i}" for i in range(19)]).warnings  # too few samples to tell


def test_numbers_and_text_mixed_in_a_list_are_an_error():
    for bad in (["a", 1, "b"], ["a", 1.5], np.array(["1", 2], dtype=object)):
        with pytest.raises(TypeError, match=r"labels of one type \(numbers or text\)"):
            profile(bad)
