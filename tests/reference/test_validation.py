"""Input validation of every NumPy reference objective (driven by the registry: a new objective is covered).

The contract: bad input raises ``ValueError`` (shapes, values) or ``TypeError`` (dtypes, types) with the house
message ``"{function}: expected {what} {expected}, got {actual}"`` naming the argument; nothing passed in is
modified; valid labels of any real dtype (float32 from XGBoost/LightGBM, integers, bools) still work.
"""

from __future__ import annotations

import inspect
import re
import warnings

import numpy as np
import pytest

from losslab import reference as R
from losslab import registry

SPECS = [s for s in registry.list_losses() if s.objective]
OBJECTIVES = [s.make_objective() for s in SPECS]
BINARY = [o for o, s in zip(OBJECTIVES, SPECS) if s.input_kind == "binary_logits"]
REGRESSION = [o for o, s in zip(OBJECTIVES, SPECS) if s.input_kind in ("regression", "log_rate")]
MULTI = [o for o in OBJECTIVES if o.multiclass]
ELEMENTWISE = BINARY + REGRESSION  # y and raw of one shape (n,)
WITH_IGNORE = [type(o) for o in MULTI if hasattr(o, "ignore_index")]
ID = repr


def name(obj) -> str:
    return type(obj).__name__


def valid(obj, n=4, seed=0):
    """Valid ``(y, raw)`` for ``obj``."""
    rng = np.random.default_rng(seed)
    if obj.multiclass:
        return rng.integers(0, 3, n), rng.normal(size=(n, 3))
    if isinstance(obj, R.PoissonNLL):
        return rng.poisson(2.0, n).astype(np.float64), rng.normal(size=n)
    if obj in BINARY:
        return rng.random(n), rng.normal(size=n)
    return rng.normal(size=n), rng.normal(size=n)


def raises(exc, obj, where, what):
    """``pytest.raises`` for ``{Class}.{where}: expected {what}...`` (``what`` a regex fragment)."""
    prefix = name(obj) if where is None else f"{name(obj)}.{where}"
    return pytest.raises(exc, match=rf"^{re.escape(prefix)}: expected {what}")


@pytest.fixture(autouse=True)
def _warnings_are_errors():
    """A ComplexWarning or a cast RuntimeWarning must not stand in for an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ================================================================================ 1. shapes
@pytest.mark.parametrize("obj", ELEMENTWISE, ids=ID)
@pytest.mark.parametrize(("y_shape", "raw_shape"), [((5,), (5, 1)), ((5, 1), (5,)), ((3,), (5,)), ((5, 1), (5, 1)),
                                                    ((), ())])
@pytest.mark.parametrize("where", ["loss", "gradient_hessian"])
def test_y_and_raw_of_one_shape_n_without_broadcasting(obj, y_shape, raw_shape, where):
    y, raw = np.zeros(y_shape), np.zeros(raw_shape)
    msg = (rf"`y` and `raw` of equal shape \(n,\), got `y` {re.escape(str(y_shape))} and "
           rf"`raw` {re.escape(str(raw_shape))}$")
    with raises(ValueError, obj, where, msg):
        getattr(obj, where)(y, raw)


@pytest.mark.parametrize("obj", MULTI, ids=ID)
def test_multiclass_y_rows_must_match_raw(obj):
    with raises(ValueError, obj, "loss", r"class-index `y` shape \(4,\) for `raw` shape \(4, 3\), got \(3,\)$"):
        obj.loss(np.zeros(3, int), np.zeros((4, 3)))
    with raises(ValueError, obj, "gradient_hessian", r"`raw` shape \(n, K\), got \(4,\)$"):
        obj.gradient_hessian(np.zeros(4, int), np.zeros(4))


@pytest.mark.parametrize("where", ["loss", "gradient_hessian", "init_score"])
def test_pos_weight_per_row_must_match_the_rows(where):
    obj = R.SigmoidCrossEntropy(pos_weight=[1.0, 2.0])
    y, raw = np.array([0.0, 1.0, 1.0]), np.zeros(3)
    args = (y,) if where == "init_score" else (y, raw)
    with raises(ValueError, obj, where, r"`pos_weight` shape \(\), \(1,\) or \(3,\) for `y`.* of shape \(3,\), "
                                        r"got \(2,\)$"):
        getattr(obj, where)(*args)
    ok = R.SigmoidCrossEntropy(pos_weight=[1.0, 2.0, 3.0])  # one per row, and scalars, still work
    assert np.all(np.isfinite(ok.loss(y, raw))) and np.isfinite(R.SigmoidCrossEntropy(pos_weight=[2.0]).init_score(y))
    with pytest.raises(ValueError, match=r"^SigmoidCrossEntropy: expected `pos_weight` to be a scalar or a per-row "
                                         r"vector \(n,\), got shape \(3, 1\)$"):
        R.SigmoidCrossEntropy(pos_weight=np.ones((3, 1)))


# ================================================================================ 2. target values
@pytest.mark.parametrize("obj", BINARY, ids=ID)
@pytest.mark.parametrize("bad", [2.0, -1.0, 1.0 + 1e-9])
@pytest.mark.parametrize("where", ["loss", "gradient_hessian", "init_score"])
def test_binary_targets_outside_unit_interval_raise(obj, bad, where):
    y = np.array([0.0, 0.5, bad])  # soft labels in [0, 1] are fine, as in the torch functionals
    args = (y,) if where == "init_score" else (y, np.zeros(3))
    with raises(ValueError, obj, where, r"`y` values in \[0, 1\], got values in \["):
        getattr(obj, where)(*args)


@pytest.mark.parametrize("obj", ELEMENTWISE, ids=ID)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["loss", "gradient_hessian", "init_score"])
def test_non_finite_targets_raise(obj, bad, where):
    y = np.array([0.0, 1.0, bad])
    args = (y,) if where == "init_score" else (y, np.zeros(3))
    what = r"`y` to be free of NaN, got 1 NaN value\(s\)$" if np.isnan(bad) else r"`y` (to be finite|values)"
    with raises(ValueError, obj, where, what):
        getattr(obj, where)(*args)


@pytest.mark.parametrize("where", ["loss", "gradient_hessian", "init_score"])
@pytest.mark.parametrize("full", [False, True])
def test_poisson_rejects_negative_counts_like_the_torch_functional(where, full):
    obj = R.PoissonNLL(full=full)
    y = np.array([-5.0, 2.0])
    args = (y,) if where == "init_score" else (y, np.ones(2))
    with raises(ValueError, obj, where, r"`y` values >= 0 \(counts\), got minimum -5$"):
        getattr(obj, where)(*args)


@pytest.mark.parametrize("obj", MULTI, ids=ID)
@pytest.mark.parametrize(("bad", "shown"), [(np.nan, "nan"), (np.inf, "inf"), (1.5, "1.5")])
@pytest.mark.parametrize("where", ["loss", "gradient_hessian", "init_score"])
def test_class_labels_must_be_integers(obj, bad, shown, where):
    y = np.array([0.0, 1.0, bad])
    args = (y,) if where == "init_score" else (y, np.zeros((3, 3)))
    with raises(ValueError, obj, where, rf"`y` to hold integer class indices, got 1 other value\(s\), e.g. {shown}$"):
        getattr(obj, where)(*args)


@pytest.mark.parametrize("log_target", [False, True])
def test_kl_probability_rows_are_checked_like_the_torch_functional(log_target):
    obj = R.SoftmaxKLDiv(log_target=log_target)
    raw = np.zeros((2, 2))
    off = np.array([[0.5, 0.7], [0.5, 0.5]])  # a row summing to 1.2
    y = np.log(off) if log_target else off
    name_ = r"exp\(y\)" if log_target else "`y`"
    for call in (lambda: obj.loss(y, raw), lambda: obj.gradient_hessian(y, raw), lambda: obj.init_score(y)):
        with pytest.raises(ValueError, match=rf"expected `?{name_}`? rows summing to 1 along dim 1, max deviation "
                                             r"<= 0.001, got 0.2$"):
            call()
    nan = np.array([[np.nan, 0.0], [0.5, 0.5]])
    with pytest.raises(ValueError, match=r"^SoftmaxKLDiv.loss: expected `y` to be free of NaN"):
        obj.loss(nan, raw)
    if not log_target:
        with pytest.raises(ValueError, match=r"^SoftmaxKLDiv.loss: expected `y` values in \[0, 1\], got values in "
                                             r"\[-0.5, 1.5\]$"):
            obj.loss(np.array([[-0.5, 1.5], [0.5, 0.5]]), raw)


# ================================================================================ 3. dtypes
@pytest.mark.parametrize("obj", OBJECTIVES, ids=ID)
def test_complex_raw_is_a_type_error_not_a_complex_warning(obj):
    y, raw = valid(obj)
    craw = raw.astype(np.complex128)
    for where, call in [("loss", lambda: obj.loss(y, craw)), ("gradient_hessian", lambda: obj.gradient_hessian(y, craw)),
                        ("link", lambda: obj.link(craw))]:
        with raises(TypeError, obj, where, r"`raw` dtype to be real \(floating or integer\), got complex128$"):
            call()


@pytest.mark.parametrize("obj", OBJECTIVES, ids=ID)
@pytest.mark.parametrize("bad", [np.zeros(4, np.complex128), np.array(["a", "b", "c", "d"]), np.array([None] * 4)])
def test_labels_of_non_real_dtype_are_type_errors(obj, bad):
    _, raw = valid(obj)
    with raises(TypeError, obj, "loss", r"`y` dtype to be real \(floating, integer or bool\), got "):
        obj.loss(bad, raw)
    with raises(TypeError, obj, "init_score", r"`y` dtype to be real \(floating, integer or bool\), got "):
        obj.init_score(bad)


@pytest.mark.parametrize("obj", OBJECTIVES, ids=ID)
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.uint8])
def test_labels_of_any_real_dtype_give_the_float64_result(obj, dtype):
    # what the boosting libraries pass (XGBoost/LightGBM labels are float32): same values as float64 labels
    y, raw = valid(obj, n=6, seed=1)
    if not obj.multiclass:
        y = np.abs(np.round(y))  # representable exactly in every dtype of the list
    yd = y.astype(dtype)
    np.testing.assert_array_equal(obj.loss(yd, raw), obj.loss(y, raw))
    for a, b in zip(obj.gradient_hessian(yd, raw), obj.gradient_hessian(y, raw)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(obj.init_score(yd), obj.init_score(y))
    np.testing.assert_array_equal(obj.init_score(yd.reshape(-1, 1)), obj.init_score(y))  # a label column


@pytest.mark.parametrize("obj", OBJECTIVES, ids=ID)
def test_inputs_are_not_modified(obj):
    y, raw = valid(obj, n=8, seed=2)
    w = np.linspace(0.5, 2.0, 8)
    if obj.multiclass and hasattr(obj, "ignore_index"):
        y[0] = obj.ignore_index
    keep = (y.copy(), raw.copy(), w.copy())
    for arr in (y, raw, w):
        arr.setflags(write=False)  # an in-place write raises
    obj.loss(y, raw)
    obj.gradient_hessian(y, raw)
    obj.link(raw)
    obj.init_score(y, w)
    for a, b in zip((y, raw, w), keep):
        np.testing.assert_array_equal(a, b)


# ================================================================================ 4. hyper-parameter types
@pytest.mark.parametrize("cls", WITH_IGNORE, ids=lambda c: c.__name__)
@pytest.mark.parametrize("bad", [1.5, 1.0, True, "1", None])
def test_ignore_index_must_be_an_int(cls, bad):
    with pytest.raises(TypeError, match=rf"^{cls.__name__}: expected `ignore_index` to be an int, got {re.escape(repr(bad))}$"):
        cls(ignore_index=bad)


@pytest.mark.parametrize("cls", WITH_IGNORE, ids=lambda c: c.__name__)
def test_numpy_integer_ignore_index_is_accepted(cls):
    obj = cls(ignore_index=np.int64(1))
    assert obj.ignore_index == 1 and type(obj.ignore_index) is int
    y, raw = np.array([0, 1, 2]), np.zeros((3, 3))
    assert obj.loss(y, raw)[1] == 0.0  # class 1 is ignored, and only class 1


def test_float_ignore_index_no_longer_truncates_to_a_real_class():
    with pytest.raises(TypeError, match=r"^SoftmaxCrossEntropy: expected `ignore_index` to be an int, got 1.5$"):
        R.SoftmaxCrossEntropy(ignore_index=1.5)


@pytest.mark.parametrize(("cls", "flag"), [(R.SoftmaxKLDiv, "log_target"), (R.PoissonNLL, "full")])
@pytest.mark.parametrize("bad", ["yes", 1, 0.0, None])
def test_flags_must_be_bools(cls, flag, bad):
    with pytest.raises(TypeError, match=rf"^{cls.__name__}: expected `{flag}` to be a bool, got {re.escape(repr(bad))}$"):
        cls(**{flag: bad})
    assert getattr(cls(**{flag: np.True_}), flag) is True


REAL_PARAMS = [(R.SigmoidCrossEntropy, "label_smoothing"), (R.SigmoidFocal, "gamma"), (R.SigmoidFocal, "alpha"),
               (R.Asymmetric, "gamma_pos"), (R.Asymmetric, "gamma_neg"), (R.Asymmetric, "clip"),
               (R.SoftmaxCrossEntropy, "label_smoothing"), (R.SoftmaxFocal, "gamma"), (R.Poly1, "epsilon"),
               (R.Poly1, "label_smoothing")]


@pytest.mark.parametrize(("cls", "param", "bad"),
                         [(c, p, b) for c, p in REAL_PARAMS for b in ("0.5", True, None, [0.5])
                          if not (p == "alpha" and b is None)])  # alpha=None is valid (no class balancing)
def test_real_hyper_parameters_must_be_numbers(cls, param, bad):
    with pytest.raises(TypeError, match=rf"^{cls.__name__}: expected `{param}` to be a real number, got "):
        cls(**{param: bad})


@pytest.mark.parametrize("obj", [o for o in OBJECTIVES if "reduction" in inspect.signature(type(o)).parameters], ids=ID)
def test_reduction_option_is_checked(obj):
    with pytest.raises(ValueError, match=rf"^{name(obj)}: expected `reduction` one of \('mean', 'sum', 'none'\), "
                                         r"got 'avg'$"):
        type(obj)(reduction="avg")


def test_poly1_names_itself_in_messages():
    with pytest.raises(TypeError, match=r"^Poly1: expected `ignore_index` to be an int"):
        R.Poly1(ignore_index=2.0)
    with pytest.raises(ValueError, match=r"^Poly1.loss: expected `y` class indices in \[0, 2\]"):
        R.Poly1().loss(np.array([0, 7]), np.zeros((2, 3)))


# ================================================================================ 5. init_score
@pytest.mark.parametrize("obj", OBJECTIVES, ids=ID)
def test_init_score_rejects_an_empty_y_naming_the_objective(obj):
    with raises(ValueError, obj, "init_score", "`y` to be non-empty, got an empty array$"):
        obj.init_score(np.array([]))


def test_smooth_l1_init_score_names_smooth_l1():
    for beta in (0.0, 1.0):
        with pytest.raises(ValueError, match=r"^SmoothL1.init_score: expected `y` to be non-empty"):
            R.SmoothL1(beta=beta).init_score(np.array([]))
        with pytest.raises(ValueError, match=r"^SmoothL1.init_score: expected `sample_weight` shape \(2,\)"):
            R.SmoothL1(beta=beta).init_score(np.zeros(2), np.ones(3))


@pytest.mark.parametrize("obj", OBJECTIVES, ids=ID)
@pytest.mark.parametrize(("w", "what"), [
    (np.array([1.0, -1.0, 1.0]), r"`sample_weight` values to be finite and >= 0, got values in \[-1, 1\]$"),
    (np.array([1.0, np.nan, 1.0]), r"`sample_weight` values to be finite and >= 0"),
    (np.array([1.0, np.inf, 1.0]), r"`sample_weight` values to be finite and >= 0"),
    (np.ones(4), r"`sample_weight` shape \(3,\), got \(4,\)$"),
    (np.ones((3, 1)), r"`sample_weight` shape \(3,\), got \(3, 1\)$"),
    (np.zeros(3), r"`sample_weight` sum > 0, got 0.0$"),
])
def test_init_score_rejects_bad_sample_weight(obj, w, what):
    y = np.array([0, 1, 2]) if obj.multiclass else np.array([0.0, 1.0, 1.0])
    with raises(ValueError, obj, "init_score", what):
        obj.init_score(y, sample_weight=w)


@pytest.mark.parametrize("obj", OBJECTIVES, ids=ID)
def test_init_score_rejects_labels_that_are_not_one_per_row(obj):
    if isinstance(obj, R.SoftmaxKLDiv):  # (n, K) is a probability target there
        y = np.zeros((2, 2, 2))
        what = r"`y` "
    else:
        y = np.zeros((2, 2), int)
        what = r"`y` shape \(n,\) \(or a column \(n, 1\)\), got \(2, 2\)$"
    with raises(ValueError, obj, "init_score", what):
        obj.init_score(y)


@pytest.mark.parametrize("obj", MULTI, ids=ID)
def test_multiclass_init_score_never_truncates_labels(obj):
    # labels beyond n_classes (or the class vector's length) were cut off by bincount(...)[:k]
    with raises(ValueError, obj, "init_score", r"`y` class indices in \[0, 1\] for 2 classes.*, got values in \[0, 2\]$"):
        obj.init_score(np.array([0, 1, 2]), n_classes=2)
    with raises(ValueError, obj, "init_score", r"`y` class indices in \[0, 2\] for 3 classes.*, got values in \[-3, 1\]$"):
        obj.init_score(np.array([0, 1, -3]), n_classes=3)
    with raises(TypeError, obj, "init_score", r"`n_classes` to be an int, got 2.0$"):
        obj.init_score(np.array([0, 1]), n_classes=2.0)


@pytest.mark.parametrize("cls", [R.SoftmaxCrossEntropy, R.Poly1], ids=lambda c: c.__name__)
def test_class_weight_length_is_checked_in_init_score(cls):
    obj = cls(class_weight=[1.0, 2.0])
    with raises(ValueError, obj, "init_score", r"`y` class indices in \[0, 1\] for 2 classes"):
        obj.init_score(np.array([0, 1, 2]))
    with raises(ValueError, obj, "init_score", r"`class_weight` shape \(3,\) for n_classes=3, got \(2,\)$"):
        obj.init_score(np.array([0, 1, 2]), n_classes=3)


def test_multiclass_init_score_keeps_ignored_rows_out():
    obj = R.SoftmaxCrossEntropy(ignore_index=-1)
    np.testing.assert_array_equal(obj.init_score(np.array([0, -1, 1, -1]), n_classes=2),
                                  obj.init_score(np.array([0, 1]), n_classes=2))


# ================================================================================ 6. class vectors
@pytest.mark.parametrize(("cls", "param"), [(R.SoftmaxCrossEntropy, "class_weight"), (R.Poly1, "class_weight"),
                                            (R.SoftmaxFocal, "alpha"), (R.SigmoidCrossEntropy, "pos_weight")])
@pytest.mark.parametrize("bad", ["abc", ["a", "b"], [1.0, [2.0, 3.0]], [True, False], {"a": 1}])
def test_vector_hyper_parameters_must_be_numeric(cls, param, bad):
    with pytest.raises(TypeError, match=rf"^{cls.__name__}: expected `{param}` (dtype )?to be "):
        cls(**{param: bad})


@pytest.mark.parametrize(("cls", "param"), [(R.SoftmaxCrossEntropy, "class_weight"), (R.SoftmaxFocal, "alpha")])
def test_class_vectors_are_one_dimensional_copies(cls, param):
    with pytest.raises(ValueError, match=rf"^{cls.__name__}: expected `{param}` to be a per-class vector \(K,\) or "
                                         r"None, got shape \(2, 2\)$"):
        cls(**{param: np.ones((2, 2))})
    v = np.array([1.0, 2.0, 3.0])
    obj = cls(**{param: v})
    v[0] = 100.0  # the caller's later edits don't reach the objective
    assert getattr(obj, param)[0] == 1.0
