"""Class weights from counts: hand computations, the papers' formulas, scikit-learn's 'balanced'."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from losslab import weights as W

HYP = settings(max_examples=50, deadline=None)
counts_st = st.lists(st.integers(1, 10_000), min_size=1, max_size=12)


def test_from_labels_counts_any_input_type():
    labels = [0, 2, 2, 1, 2, 4]
    expected = [1, 1, 3, 0, 1]
    for x in (labels, np.array(labels, dtype=np.int32), torch.tensor(labels), torch.tensor(labels).reshape(2, 3),
              np.array(labels, dtype=np.float64)):
        out = W.from_labels(x)
        assert out.dtype == np.int64 and out.tolist() == expected
    assert W.from_labels(labels, num_classes=7).tolist() == [*expected, 0, 0]
    assert W.from_labels([], num_classes=2).tolist() == [0, 0]


def test_from_labels_errors():
    with pytest.raises(ValueError, match=r"^from_labels: expected `labels` class indices >= 0, got class -1$"):
        W.from_labels([0, -1])
    with pytest.raises(ValueError, match=r"^from_labels: expected `labels` class indices in \[0, 2\] for 3 classes, "
                                         r"got class 3$"):
        W.from_labels([0, 3], num_classes=3)
    with pytest.raises(ValueError, match=r"^from_labels: expected `labels` to be integer class indices"):
        W.from_labels([0.5, 1.0])
    with pytest.raises(TypeError, match=r"^from_labels: expected `labels` dtype to be integer class indices"):
        W.from_labels(np.array([True, False]))
    with pytest.raises(ValueError, match=r"^from_labels: expected `num_classes` to be an int >= 1, got 0$"):
        W.from_labels([0], num_classes=0)
    with pytest.raises(ValueError, match=r"non-empty"):
        W.from_labels([])


# --------------------------------------------------------------------------------- inverse frequency
def test_inverse_frequency_by_hand():
    c = [10, 30, 60]
    np.testing.assert_allclose(W.inverse_frequency(c, normalize=False), [0.1, 1 / 30, 1 / 60])
    np.testing.assert_allclose(W.inverse_frequency(c), [100 / 30, 100 / 90, 100 / 180])
    np.testing.assert_allclose(W.inverse_frequency([5, 5, 5, 5]), [1.0] * 4)


@HYP
@given(counts=counts_st)
def test_inverse_frequency_equals_sklearn_balanced(counts):
    """``normalize=True`` is exactly ``compute_class_weight("balanced")``: N / (C · n_c)."""
    from sklearn.utils.class_weight import compute_class_weight

    y = np.repeat(np.arange(len(counts)), counts)
    classes = np.arange(len(counts))
    sk = compute_class_weight("balanced", classes=classes, y=y)
    ours = W.inverse_frequency(W.from_labels(y))
    np.testing.assert_allclose(ours, sk, rtol=1e-12)
    # normalize=False is the same up to the constant N / C
    np.testing.assert_allclose(W.inverse_frequency(counts, normalize=False) * y.size / len(counts), sk, rtol=1e-12)
    # equal weighted class totals
    np.testing.assert_allclose(ours * np.asarray(counts), y.size / len(counts), rtol=1e-12)


# --------------------------------------------------------------------------------- median frequency
def test_median_frequency_by_hand():
    # frequencies 0.1, 0.3, 0.6 → median 0.3
    np.testing.assert_allclose(W.median_frequency([10, 30, 60]), [3.0, 1.0, 0.5])
    # even number of classes: NumPy's median (mean of the middle two) of 0.1, 0.2, 0.3, 0.4 = 0.25
    np.testing.assert_allclose(W.median_frequency([1, 2, 3, 4]), [2.5, 1.25, 2.5 / 3, 0.625])


def test_median_frequency_with_per_class_totals_as_eigen_and_fergus():
    # class c occurs in images totalling T_c pixels: f_c = n_c / T_c
    counts, totals = np.array([50, 10, 300]), np.array([100, 400, 1000])
    f = counts / totals  # 0.5, 0.025, 0.3 → median 0.3
    np.testing.assert_allclose(W.median_frequency(counts, totals=totals), 0.3 / f)
    with pytest.raises(ValueError, match=r"^median_frequency: expected `totals` shape \(3,\), got \(2,\)$"):
        W.median_frequency(counts, totals=[1, 2])
    with pytest.raises(ValueError, match=r"^median_frequency: expected `totals` values to be finite, > 0 and >= "):
        W.median_frequency(counts, totals=[10, 400, 1000])


# --------------------------------------------------------------------------------- effective number
@HYP
@given(counts=counts_st, beta=st.sampled_from([0.0, 0.9, 0.99, 0.999, 0.9999]))
def test_effective_number_is_cui_et_al(counts, beta):
    n = np.asarray(counts, dtype=np.float64)
    effective = (1 - beta ** n) / (1 - beta) if beta > 0 else np.ones_like(n)
    expected = (1 / effective) / (1 / effective).sum() * n.size  # Σ w_c = C, as in the paper's code
    ours = W.effective_number(counts, beta=beta)
    np.testing.assert_allclose(ours, expected, rtol=1e-9)
    assert math.isclose(ours.sum(), n.size, rel_tol=1e-12)


def test_effective_number_limits():
    c = [3, 30, 300]
    np.testing.assert_allclose(W.effective_number(c, beta=0.0), [1.0, 1.0, 1.0])
    inv = W.inverse_frequency(c, normalize=False)
    np.testing.assert_allclose(W.effective_number(c, beta=1 - 1e-9), inv / inv.sum() * 3, rtol=1e-6)
    # β close to 1: E_1 = 1, E_2 = 1 + β, with 1 − β^n computed without cancellation
    beta = 1 - 1e-12
    np.testing.assert_allclose(W.effective_number([1, 2], beta=beta), np.array([1.0, 1 / (1 + beta)]) * 2 /
                               (1 + 1 / (1 + beta)), rtol=1e-12)
    for bad in (1.0, -0.1, math.nan):
        with pytest.raises((ValueError, TypeError), match=r"^effective_number: expected `beta`"):
            W.effective_number(c, beta=bad)


# --------------------------------------------------------------------------------- zero / bad counts
@pytest.mark.parametrize("fn", [W.inverse_frequency, W.median_frequency, W.effective_number])
def test_zero_count_class_gets_the_largest_weight(fn):
    with np.errstate(all="raise"):
        w = fn([0, 10, 40, 0])
        present = fn([10, 40])
    assert np.isfinite(w).all()
    assert w[0] == w[3] == w[1:3].max()
    if fn is not W.effective_number:  # normalization of effective numbers depends on C
        if fn is W.inverse_frequency:
            np.testing.assert_allclose(w[1:3], present * 2 / 4)  # N/(C n_c) with C = 4 instead of 2
        else:
            np.testing.assert_allclose(w[1:3], present)


@pytest.mark.parametrize("fn", [W.inverse_frequency, W.median_frequency, W.effective_number])
def test_bad_counts_raise_with_the_house_message(fn):
    name = fn.__name__
    with pytest.raises(ValueError, match=rf"^{name}: expected `counts` values to be finite and >= 0, got -3$"):
        fn([5, -3, 2])
    with pytest.raises(ValueError, match=rf"^{name}: expected `counts` with at least one class with a positive"):
        fn([0, 0])
    with pytest.raises(ValueError, match=rf"^{name}: expected `counts` shape \(C,\) with C >= 1, got \(2, 2\)$"):
        fn([[1, 2], [3, 4]])
    with pytest.raises(TypeError, match=rf"^{name}: expected `counts` to be numeric"):
        fn(["a", "b"])


def test_accepts_tensors_and_returns_float64_numpy():
    c = torch.tensor([10, 30, 60])
    for fn in (W.inverse_frequency, W.median_frequency, W.effective_number):
        out = fn(c)
        assert isinstance(out, np.ndarray) and out.dtype == np.float64
        np.testing.assert_array_equal(out, fn([10, 30, 60]))
        t = torch.as_tensor(out, dtype=torch.float32)  # the documented hand-over to a loss
        assert t.shape == (3,)


# --------------------------------------------------------------------------------- pos_weight
def test_pos_weight_dampings_by_hand():
    np.testing.assert_allclose(W.pos_weight(10, 990, damping="none"), 99.0)
    np.testing.assert_allclose(W.pos_weight(10, 990), math.sqrt(99.0))
    np.testing.assert_allclose(W.pos_weight(10, 990, damping="log"), 1 + math.log(99.0))
    np.testing.assert_allclose(W.pos_weight(990, 10, damping="log"), 1 / (1 + math.log(99.0)))
    for d in ("none", "sqrt", "log"):
        assert float(W.pos_weight(7, 7, damping=d)) == 1.0
    assert W.pos_weight(3, 5).shape == ()
    np.testing.assert_allclose(W.pos_weight(torch.tensor([10, 50]), np.array([990, 50])), [math.sqrt(99), 1.0])


@HYP
@given(p=st.integers(1, 10_000), n=st.integers(1, 10_000))
def test_pos_weight_damping_shrinks_the_log_odds_shift(p, n):
    """The minimising logit shifts by log(pos_weight): none = full prior log-odds, sqrt = half, log less."""
    shift = {d: math.log(float(W.pos_weight(p, n, damping=d))) for d in ("none", "sqrt", "log")}
    assert math.isclose(shift["none"], math.log(n / p), rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(shift["sqrt"], shift["none"] / 2, rel_tol=1e-12, abs_tol=1e-12)
    assert abs(shift["log"]) <= abs(shift["none"]) + 1e-12
    # symmetric: swapping positives and negatives inverts the weight
    for d in ("none", "sqrt", "log"):
        assert math.isclose(float(W.pos_weight(p, n, damping=d)) * float(W.pos_weight(n, p, damping=d)), 1.0,
                            rel_tol=1e-12)


def test_pos_weight_zero_counts_and_errors():
    with np.errstate(all="raise"):
        w = W.pos_weight([0, 10, 20], [100, 90, 980])
    np.testing.assert_allclose(w, [7.0, 3.0, 7.0])  # no positives: the largest weight of the other labels
    for d in ("none", "sqrt", "log"):
        assert float(W.pos_weight(5, 0, damping=d)) == 0.0  # no negatives: the formula's 0
    with pytest.raises(ValueError, match=r"^pos_weight: expected `num_pos` with at least one positive count"):
        W.pos_weight(0, 10)
    with pytest.raises(ValueError, match=r"^pos_weight: expected `num_neg` values to be finite and >= 0, got"):
        W.pos_weight(3, -1)
    with pytest.raises(ValueError, match=r"^pos_weight: expected `damping` one of \('sqrt', 'none', 'log'\), "
                                         r"got 'cube'$"):
        W.pos_weight(3, 4, damping="cube")
    with pytest.raises(ValueError, match=r"^pos_weight: expected `num_neg` shape equal to `num_pos` shape"):
        W.pos_weight([1, 2], [3])


def test_weights_module_imports_without_torch():
    path = Path(W.__file__).resolve()
    code = f"""
import sys, importlib.util
sys.modules['torch'] = None
spec = importlib.util.spec_from_file_location('lw', {str(path)!r})
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
assert list(mod.inverse_frequency([1, 3])) == [2.0, 2 / 3]
print('ok')
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


@pytest.mark.parametrize("call, message", [
    (lambda: W.pos_weight("a", 5), "pos_weight: expected `num_pos` to be numeric"),
    (lambda: W.pos_weight([1, 2], [3, 4j]), "pos_weight: expected `num_neg` to be numeric"),
    (lambda: W.inverse_frequency(["a", "b"]), "inverse_frequency: expected `counts` to be numeric"),
    (lambda: W.inverse_frequency([5, 5], normalize="yes"), "inverse_frequency: expected `normalize` to be a bool"),
])
def test_non_numeric_inputs_are_type_errors_naming_the_argument(call, message):
    with pytest.raises(TypeError, match=message):
        call()
