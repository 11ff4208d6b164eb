"""NumPy classification objectives: value == torch functional, gradient/Hessian == autograd == finite differences,
init_score is the minimiser, finite and warning-free at ±800, agreement with scikit-learn's losses."""

from __future__ import annotations

import ast
import inspect
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from losslab import functional as LF
from losslab import reference
from losslab.reference import classification as RC
from losslab.reference.classification import (
    Asymmetric,
    Poly1,
    SigmoidCrossEntropy,
    SigmoidFocal,
    SoftmaxCrossEntropy,
    SoftmaxFocal,
    SoftmaxKLDiv,
)

CW = [1.0, 2.5, 0.4, 1.3]
ALPHA = [0.3, 0.9, 0.5, 0.2]

# (objective, functional, functional kwargs)
BINARY = [
    (SigmoidCrossEntropy(), LF.sigmoid_cross_entropy, {}),
    (SigmoidCrossEntropy(pos_weight=2.5, label_smoothing=0.1), LF.sigmoid_cross_entropy,
     {"pos_weight": torch.tensor(2.5, dtype=torch.float64), "label_smoothing": 0.1}),
    (SigmoidFocal(gamma=2.0, alpha=0.25), LF.sigmoid_focal_loss, {"gamma": 2.0, "alpha": 0.25}),
    (SigmoidFocal(gamma=0.5, alpha=None), LF.sigmoid_focal_loss, {"gamma": 0.5, "alpha": None}),
    (SigmoidFocal(gamma=3.3, alpha=0.7), LF.sigmoid_focal_loss, {"gamma": 3.3, "alpha": 0.7}),
    (SigmoidFocal(gamma=0.0, alpha=0.4), LF.sigmoid_focal_loss, {"gamma": 0.0, "alpha": 0.4}),
    (Asymmetric(), LF.asymmetric_loss, {}),
    (Asymmetric(gamma_pos=1.0, gamma_neg=0.5, clip=0.0), LF.asymmetric_loss,
     {"gamma_pos": 1.0, "gamma_neg": 0.5, "clip": 0.0}),
    (Asymmetric(gamma_pos=0.5, gamma_neg=2.5, clip=0.1), LF.asymmetric_loss,
     {"gamma_pos": 0.5, "gamma_neg": 2.5, "clip": 0.1}),
    (Asymmetric(gamma_pos=2.0, gamma_neg=0.0, clip=0.2), LF.asymmetric_loss,
     {"gamma_pos": 2.0, "gamma_neg": 0.0, "clip": 0.2}),
]
_T = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
MULTI = [
    (SoftmaxCrossEntropy(), LF.softmax_cross_entropy, {}),
    (SoftmaxCrossEntropy(class_weight=CW, label_smoothing=0.1), LF.softmax_cross_entropy,
     {"class_weight": _T(CW), "label_smoothing": 0.1}),
    (SoftmaxCrossEntropy(label_smoothing=0.3), LF.softmax_cross_entropy, {"label_smoothing": 0.3}),
    (SoftmaxFocal(gamma=2.0), LF.softmax_focal_loss, {"gamma": 2.0}),
    (SoftmaxFocal(gamma=0.5, alpha=ALPHA), LF.softmax_focal_loss, {"gamma": 0.5, "alpha": _T(ALPHA)}),
    (SoftmaxFocal(gamma=0.0), LF.softmax_focal_loss, {"gamma": 0.0}),
    (Poly1(epsilon=1.0), LF.poly1_cross_entropy, {"epsilon": 1.0}),
    (Poly1(epsilon=-0.5, class_weight=CW, label_smoothing=0.2), LF.poly1_cross_entropy,
     {"epsilon": -0.5, "class_weight": _T(CW), "label_smoothing": 0.2}),
    (SoftmaxKLDiv(), LF.softmax_kl_div, {}),
]
ID = lambda case: repr(case[0])  # noqa: E731


def binary_data(seed, n=40, soft=False, scale=3.0):
    rng = np.random.default_rng(seed)
    raw = rng.normal(size=n) * scale
    y = rng.random(n) if soft else (rng.random(n) < 0.4).astype(np.float64)
    return y, raw


def multi_data(seed, n=12, k=4, scale=2.5, ignore=False):
    rng = np.random.default_rng(seed)
    raw = rng.normal(size=(n, k)) * scale
    y = rng.integers(0, k, n)
    if ignore:
        y[::4] = -100
    return y, raw


def torch_calculus(fn, kw, y, raw):
    """Unreduced loss, gradient and exact Hessian diagonal of the torch functional by autograd (float64)."""
    x = torch.tensor(raw, dtype=torch.float64, requires_grad=True)
    yt = torch.tensor(y) if np.issubdtype(np.asarray(y).dtype, np.integer) else torch.tensor(y, dtype=torch.float64)
    none = fn(x, yt, reduction="none", **kw)
    (grad,) = torch.autograd.grad(fn(x, yt, reduction="sum", **kw), x, create_graph=True)
    diag = torch.zeros_like(x)
    cols = [slice(None)] if x.dim() == 1 else [(slice(None), k) for k in range(x.shape[1])]
    for c in cols:
        (second,) = torch.autograd.grad(grad[c].sum(), x, retain_graph=True)
        diag[c] = second[c]
    return none.detach().numpy(), grad.detach().numpy(), diag.detach().numpy()


def finite_differences(obj, y, raw, step=1e-5):
    """Central differences: gradient from ``loss``, Hessian diagonal from ``gradient``."""
    g = np.zeros_like(raw)
    h = np.zeros_like(raw)
    cols = [slice(None)] if raw.ndim == 1 else [(slice(None), k) for k in range(raw.shape[1])]
    for c in cols:
        up, down = raw.copy(), raw.copy()
        up[c] += step
        down[c] -= step
        g[c] = (obj.loss(y, up) - obj.loss(y, down)) / (2 * step)
        h[c] = (obj.gradient(y, up)[c] - obj.gradient(y, down)[c]) / (2 * step)
    return g, h


def check_calculus(obj, fn, kw, y, raw):
    none, grad, diag = torch_calculus(fn, kw, y, raw)
    np.testing.assert_allclose(obj.loss(y, raw), none, rtol=1e-10, atol=1e-13)
    g, h = obj.gradient_hessian(y, raw)
    np.testing.assert_allclose(g, grad, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(h, diag, rtol=1e-8, atol=1e-12)
    fd_g, fd_h = finite_differences(obj, y, raw)
    np.testing.assert_allclose(g, fd_g, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(h, fd_h, rtol=1e-5, atol=1e-7)


# ================================================================================ calculus
@pytest.mark.parametrize("case", BINARY, ids=ID)
@pytest.mark.parametrize("soft", [False, True])
def test_binary_objective_calculus(case, soft):
    obj, fn, kw = case
    y, raw = binary_data(1, soft=soft)
    check_calculus(obj, fn, kw, y, raw)


@pytest.mark.parametrize("case", MULTI, ids=ID)
def test_multiclass_objective_calculus(case):
    obj, fn, kw = case
    y, raw = multi_data(2)
    check_calculus(obj, fn, kw, y, raw)


@pytest.mark.parametrize("case", [c for c in MULTI if "ignore_index" in inspect.signature(type(c[0])).parameters],
                         ids=ID)
def test_ignored_rows_are_zero(case):
    obj, fn, kw = case
    y, raw = multi_data(3, ignore=True)
    check_calculus(obj, fn, kw, y, raw)
    g, h = obj.gradient_hessian(y, raw)
    assert np.all(obj.loss(y, raw)[y == -100] == 0) and np.all(g[y == -100] == 0) and np.all(h[y == -100] == 0)


@pytest.mark.parametrize("log_target", [False, True])
def test_kl_probability_targets(log_target):
    rng = np.random.default_rng(4)
    raw = rng.normal(size=(9, 5)) * 2
    t = np.exp(rng.normal(size=(9, 5)) * 2)
    t /= t.sum(1, keepdims=True)
    t[0, :2] = 0.0  # exact zeros: 0·log 0 = 0 (log-target −inf included)
    t[0] /= t[0].sum()
    with np.errstate(divide="ignore"):
        y = np.log(t) if log_target else t
    obj = SoftmaxKLDiv(log_target=log_target)
    check_calculus(obj, LF.softmax_kl_div, {"log_target": log_target}, y, raw)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), case=st.integers(0, len(BINARY) - 1), scale=st.sampled_from([0.5, 4.0, 15.0]))
def test_binary_calculus_randomized(seed, case, scale):
    obj, fn, kw = BINARY[case]
    y, raw = binary_data(seed, n=16, soft=seed % 2 == 0, scale=scale)
    none, grad, diag = torch_calculus(fn, kw, y, raw)
    np.testing.assert_allclose(obj.loss(y, raw), none, rtol=1e-9, atol=1e-13)
    g, h = obj.gradient_hessian(y, raw)
    np.testing.assert_allclose(g, grad, rtol=1e-8, atol=1e-13)
    np.testing.assert_allclose(h, diag, rtol=1e-7, atol=1e-12)


def test_fortran_ordered_raw_scores():
    y, raw = multi_data(5)
    raw_f = np.asfortranarray(raw)
    for obj, _, _ in MULTI:
        g, h = obj.gradient_hessian(y, raw)
        gf, hf = obj.gradient_hessian(y, raw_f)
        np.testing.assert_array_equal(g, gf)
        np.testing.assert_array_equal(h, hf)


# ================================================================================ scikit-learn's losses
def test_sigmoid_ce_equals_sklearn_half_binomial():
    from sklearn._loss.loss import HalfBinomialLoss

    y, raw = binary_data(6, n=500, scale=20.0)
    sk = HalfBinomialLoss()
    g, h = SigmoidCrossEntropy().gradient_hessian(y, raw)
    gs, hs = sk.gradient_hessian(y, raw)
    np.testing.assert_allclose(g, gs, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(h, hs, rtol=1e-12, atol=0)  # relative accuracy also for tiny p(1 − p)
    # sklearn's loss ``log1p(e^r) − y r`` keeps only absolute accuracy where it is tiny; ours is relative
    np.testing.assert_allclose(SigmoidCrossEntropy().loss(y, raw), sk.loss(y, raw), rtol=1e-12, atol=1e-13)
    tiny = (raw > 20) & (y == 1)
    np.testing.assert_allclose(SigmoidCrossEntropy().loss(y, raw)[tiny], np.log1p(np.exp(-raw[tiny])), rtol=1e-14)
    w = np.random.default_rng(7).random(500)
    np.testing.assert_allclose(SigmoidCrossEntropy().init_score(y, w), sk.fit_intercept_only(y, w), rtol=1e-12)


def test_softmax_ce_equals_sklearn_half_multinomial():
    from sklearn._loss.loss import HalfMultinomialLoss

    y, raw = multi_data(8, n=300, k=5, scale=10.0)
    sk = HalfMultinomialLoss(n_classes=5)
    g, h = SoftmaxCrossEntropy().gradient_hessian(y, raw)
    gs, hs = sk.gradient_hessian(y.astype(np.float64), raw)
    np.testing.assert_allclose(g, gs, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(h, hs, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(SoftmaxCrossEntropy().loss(y, raw), sk.loss(y.astype(np.float64), raw), rtol=1e-12,
                               atol=1e-13)
    w = np.random.default_rng(9).random(300)
    np.testing.assert_allclose(SoftmaxCrossEntropy().init_score(y, w), sk.fit_intercept_only(y.astype(np.float64), w),
                               rtol=1e-10, atol=1e-12)


def test_links():
    y, raw = binary_data(10, scale=30.0)
    np.testing.assert_allclose(SigmoidFocal().link(raw), torch.sigmoid(torch.tensor(raw)).numpy(), rtol=1e-14)
    _, raw2 = multi_data(11, scale=30.0)
    np.testing.assert_allclose(Poly1().link(raw2), torch.softmax(torch.tensor(raw2), 1).numpy(), rtol=1e-12,
                               atol=1e-300)


# ================================================================================ init_score
def _mean_loss(obj, y, w, c):
    raw = np.full(len(y), c) if not obj.multiclass else np.tile(c, (len(y), 1))
    return float(w @ obj.loss(y, raw) / w.sum())


@pytest.mark.parametrize("case", BINARY, ids=ID)
@pytest.mark.parametrize("soft", [False, True])
def test_binary_init_score_is_the_minimiser(case, soft):
    from scipy.optimize import minimize_scalar

    obj = case[0]
    y, _ = binary_data(12, n=60, soft=soft)
    w = np.random.default_rng(13).random(60) + 0.1
    c = obj.init_score(y, w)
    assert isinstance(c, float)
    best = minimize_scalar(lambda v: _mean_loss(obj, y, w, v), bounds=(-30, 30), method="bounded",
                           options={"xatol": 1e-10})
    assert _mean_loss(obj, y, w, c) <= best.fun + 1e-12
    g, _ = obj.gradient_hessian(y, np.full(len(y), c))
    assert abs(w @ g) < 1e-9 * w.sum()


@pytest.mark.parametrize("case", MULTI, ids=ID)
def test_multiclass_init_score_is_the_minimiser(case):
    obj = case[0]
    rng = np.random.default_rng(14)
    y = rng.choice(4, size=80, p=[0.5, 0.3, 0.15, 0.05])
    w = rng.random(80) + 0.1
    c = obj.init_score(y, w)
    assert c.shape == (4,) and abs(c.mean()) < 1e-12
    g, _ = obj.gradient_hessian(y, np.tile(c, (80, 1)))
    np.testing.assert_allclose(w @ g / w.sum(), 0.0, atol=1e-9)
    f0 = _mean_loss(obj, y, w, c)
    for _ in range(20):
        assert f0 <= _mean_loss(obj, y, w, c + rng.normal(size=4) * 1e-3) + 1e-14


@pytest.mark.parametrize("case", [c for c in MULTI if not isinstance(c[0], SoftmaxCrossEntropy)], ids=ID)
@pytest.mark.parametrize("seed", range(12))
def test_multiclass_init_score_converges_below_rounding_of_the_loss(case, seed):
    # near the minimum the mean loss changes by less than its rounding error; the fit must still drive
    # the weighted gradient to ~1e-13 (a value-only line search stalled at ~1e-9 with numpy 2.4)
    rng = np.random.default_rng(seed)
    k = 4  # the cases' class vectors have 4 entries
    y = rng.choice(k, size=int(rng.integers(20, 300)), p=rng.dirichlet(np.ones(k) * 0.7))
    w = rng.random(len(y)) + 0.1
    obj = case[0]
    c = obj.init_score(y, w, n_classes=k)
    g, _ = obj.gradient_hessian(y, np.tile(c, (len(y), 1)))
    present = np.bincount(y, minlength=k) > 0
    assert np.max(np.abs((w @ g / w.sum())[present])) < 1e-11


def test_init_score_edge_cases():
    # one class only: the constant is clipped like scikit-learn's (|logit| <= log((1 − 10ε)/10ε))
    bound = np.log((1 - 10 * np.finfo(float).eps) / (10 * np.finfo(float).eps))
    assert SigmoidCrossEntropy().init_score(np.zeros(5)) == pytest.approx(-bound)
    for obj in (SigmoidFocal(), Asymmetric(clip=0.0)):
        assert np.isfinite(obj.init_score(np.ones(5))) and obj.init_score(np.ones(5)) > 5
    # ASL with a margin: only negatives → the flat region p <= m is optimal (loss 0)
    c = Asymmetric(clip=0.05).init_score(np.zeros(5))
    assert Asymmetric(clip=0.05).loss(np.zeros(5), np.full(5, c)).max() == 0.0
    # classes absent from y get the value of a zero-frequency class; n_classes widens K
    c = SoftmaxCrossEntropy().init_score(np.array([0, 0, 1]), n_classes=4)
    assert c.shape == (4,) and c[2] == c[3] and c[2] < c[1] < c[0]
    c = SoftmaxFocal().init_score(np.array([0, 0, 1]), n_classes=3)
    assert c.shape == (3,) and c[2] < c[1] < c[0]


def test_pos_weight_init_score_closed_form():
    y, _ = binary_data(15, n=50)
    obj = SigmoidCrossEntropy(pos_weight=3.0)
    c = obj.init_score(y)
    g, _ = obj.gradient_hessian(y, np.full(50, c))
    assert abs(g.sum()) < 1e-10


# ================================================================================ extremes, warnings, imports
@pytest.mark.parametrize("case", BINARY + MULTI, ids=ID)
def test_finite_without_warnings_at_800(case):
    obj = case[0]
    if obj.multiclass:
        y, raw = multi_data(16)
        raw = np.sign(raw) * 800.0
        raw[0] = 800.0  # ties at saturation
        raw[1] = [800.0, -800.0, 800.0, -800.0]
    else:
        y, raw = binary_data(16, soft=True)
        raw = np.concatenate([np.full(20, 800.0), np.full(20, -800.0), np.sign(raw) * 800.0])
        y = np.concatenate([y[:20], y[:20], y])
        y[:4] = [0.0, 1.0, 0.0, 1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            values = [obj.loss(y, raw), *obj.gradient_hessian(y, raw), obj.link(raw)]
            init = obj.init_score(y)
    for v in values:
        assert np.all(np.isfinite(v))
    assert np.all(np.isfinite(init))


def test_fractional_gamma_hessian_finite_at_saturation():
    y = np.array([1.0, 0.0, 1.0, 0.0])
    raw = np.array([40.0, -40.0, 700.0, -700.0])
    for obj in (SigmoidFocal(gamma=0.5), Asymmetric(gamma_pos=0.5, gamma_neg=0.5, clip=0.0)):
        g, h = obj.gradient_hessian(y, raw)
        assert np.all(np.isfinite(g)) and np.all(np.isfinite(h))
        assert np.all(np.abs(g) < 1e-8) and np.all(np.abs(h) < 1e-8)
    yk, rk = np.array([0, 1]), np.array([[40.0, 0.0, -3.0], [-5.0, 700.0, 0.0]])
    g, h = SoftmaxFocal(gamma=0.5).gradient_hessian(yk, rk)
    assert np.all(np.isfinite(g)) and np.all(np.isfinite(h)) and np.all(np.abs(g) < 1e-8)


def test_registry_objectives_and_get():
    for key, cls in [("sigmoid_ce", SigmoidCrossEntropy), ("sigmoid_focal", SigmoidFocal), ("asymmetric", Asymmetric),
                     ("softmax_ce", SoftmaxCrossEntropy), ("softmax_focal", SoftmaxFocal), ("poly1", Poly1),
                     ("kl_div", SoftmaxKLDiv)]:
        assert isinstance(reference.get(key), cls)
        from losslab import registry

        spec = registry.get(key)
        assert isinstance(spec.make_objective(**spec.defaults()), cls)
    assert reference.get("sigmoid_focal", gamma=1.0).gamma == 1.0


def test_reference_module_does_not_import_torch():
    tree = ast.parse(inspect.getsource(RC))
    names = {a.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    names |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert "torch" not in names


def test_bad_input_messages():
    with pytest.raises(ValueError, match=r"SigmoidFocal.loss: expected .*\(n,\).*got"):
        SigmoidFocal().loss(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match=r"class-index `y` shape"):
        SoftmaxCrossEntropy().loss(np.zeros(3, int), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"class indices in \[0, 1\]"):
        SoftmaxFocal().gradient_hessian(np.array([0, 5]), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="`alpha` to be"):
        SoftmaxFocal(alpha=0.25)
    with pytest.raises(ValueError, match=r"^Asymmetric: expected `clip` < 1, got 1.0$"):  # the regression template
        Asymmetric(clip=1.0)
