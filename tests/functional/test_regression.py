"""Regression losses: parity with torch.nn, metamorphic laws, reductions, edges and error messages."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

from losslab import nn as lnn
from losslab import registry
from losslab.functional import (
    huber_loss,
    log_cosh_loss,
    mae_loss,
    mse_loss,
    pinball_loss,
    poisson_nll_loss,
    smooth_l1_loss,
)
from losslab.functional import regression as R

REDUCTIONS = ("mean", "sum", "none")
HYP = settings(max_examples=40, deadline=None)

# (ours, torch's, kwargs of ours, kwargs of torch's)
PARITY = [
    (mse_loss, TF.mse_loss, {}, {}),
    (mae_loss, TF.l1_loss, {}, {}),
    (huber_loss, TF.huber_loss, {"delta": 0.7}, {"delta": 0.7}),
    (smooth_l1_loss, TF.smooth_l1_loss, {"beta": 1.3}, {"beta": 1.3}),
    (smooth_l1_loss, TF.smooth_l1_loss, {"beta": 0.0}, {"beta": 0.0}),
]
ALL = [mse_loss, mae_loss, huber_loss, smooth_l1_loss, log_cosh_loss, pinball_loss, poisson_nll_loss]


def _pair(seed: int, shape=(5, 4), dtype=torch.float64, scale=2.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g, dtype=dtype) * scale,
            torch.randn(shape, generator=g, dtype=dtype) * scale)


def _counts(seed: int, shape=(5, 4), dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    s = torch.randn(shape, generator=g, dtype=dtype)
    return s, torch.poisson(torch.exp(s + 0.5), generator=g)


shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)


# --------------------------------------------------------------------------------- parity with torch.nn
@HYP
@given(seed=st.integers(0, 2**31 - 1), shape=shapes, scale=st.sampled_from([1e-3, 1.0, 30.0]),
       case=st.integers(0, len(PARITY) - 1), reduction=st.sampled_from(REDUCTIONS),
       dtype=st.sampled_from([torch.float32, torch.float64]))
def test_parity_with_torch_value_and_gradient(seed, shape, scale, case, reduction, dtype):
    ours, theirs, kw, tkw = PARITY[case]
    x, y = _pair(seed, shape, dtype, scale)
    if seed % 3 == 0:  # exact ties: residual 0 where the subgradients are chosen
        y = torch.where(torch.rand(shape, generator=torch.Generator().manual_seed(seed)) < 0.3, x, y)
    xa, xb = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
    a, b = ours(xa, y, reduction=reduction, **kw), theirs(xb, y, reduction=reduction, **tkw)
    assert a.dtype == b.dtype == dtype
    torch.testing.assert_close(a, b)
    a.sum().backward()
    b.sum().backward()
    torch.testing.assert_close(xa.grad, xb.grad)


@HYP
@given(seed=st.integers(0, 2**31 - 1), shape=shapes, reduction=st.sampled_from(REDUCTIONS),
       full=st.booleans(), integer_target=st.booleans())
def test_poisson_parity_with_torch(seed, shape, reduction, full, integer_target):
    s, y = _counts(seed, shape)
    if integer_target:
        y = y.long()
    sa, sb = s.clone().requires_grad_(True), s.clone().requires_grad_(True)
    a = poisson_nll_loss(sa, y, reduction=reduction, full=full)
    b = TF.poisson_nll_loss(sb, y.double(), log_input=True, full=full, reduction=reduction)
    torch.testing.assert_close(a, b)
    a.sum().backward()
    b.sum().backward()
    torch.testing.assert_close(sa.grad, sb.grad)


def test_poisson_full_stirling_term_at_the_boundary():
    s = torch.zeros(6, dtype=torch.float64)
    y = torch.tensor([0.0, 0.5, 1.0, 1.0 + 1e-9, 2.0, 50.0], dtype=torch.float64)
    diff = poisson_nll_loss(s, y, full=True, reduction="none") - poisson_nll_loss(s, y, reduction="none")
    expected = [0.0, 0.0, 0.0] + [v * math.log(v) - v + 0.5 * math.log(2 * math.pi * v) for v in y[3:].tolist()]
    torch.testing.assert_close(diff, torch.tensor(expected, dtype=torch.float64))
    # log(y!) ≈ Stirling for large y: full loss ≈ exact negative log-likelihood
    exact = 1.0 - 50.0 * 0.0 + math.lgamma(51.0)
    assert abs(float(poisson_nll_loss(s[-1:], y[-1:], full=True)) - exact) < 2e-3


def test_poisson_linear_continuation_beyond_max_log_rate():
    T = R.POISSON_MAX_LOG_RATE
    y = torch.tensor([3.0, 3.0, 3.0, 3.0], dtype=torch.float64)
    s = torch.tensor([T - 1.0, T, T + 5.0, 1e4], dtype=torch.float64, requires_grad=True)
    loss = poisson_nll_loss(s, y, reduction="none")
    loss.sum().backward()
    e = math.exp(T)
    torch.testing.assert_close(loss[:2], torch.exp(s[:2].detach()) - y[:2] * s[:2].detach())
    torch.testing.assert_close(loss[2], torch.tensor(e * 6.0 - 3.0 * (T + 5.0), dtype=torch.float64))
    torch.testing.assert_close(s.grad, torch.tensor([math.exp(T - 1), e, e, e], dtype=torch.float64) - 3.0)
    # float32 at ±1e4: finite value and gradient (true exp(1e4) overflows every float type)
    s32 = torch.tensor([-1e4, 1e4], requires_grad=True)
    v = poisson_nll_loss(s32, torch.tensor([2.0, 2.0]))
    v.backward()
    assert torch.isfinite(v) and torch.isfinite(s32.grad).all()
    torch.testing.assert_close(s32.grad, torch.tensor([-1.0, (math.exp(T) - 2.0) / 2]), rtol=1e-6, atol=0)


def test_poisson_constant_matches_reference():
    from losslab.reference import regression as ref

    assert R.POISSON_MAX_LOG_RATE == ref.POISSON_MAX_LOG_RATE


# --------------------------------------------------------------------------------- metamorphic laws
@HYP
@given(seed=st.integers(0, 2**31 - 1), beta=st.floats(1e-3, 50.0), reduction=st.sampled_from(REDUCTIONS))
def test_smooth_l1_times_beta_is_huber(seed, beta, reduction):
    x, y = _pair(seed, scale=5.0)
    torch.testing.assert_close(smooth_l1_loss(x, y, beta=beta, reduction=reduction) * beta,
                               huber_loss(x, y, delta=beta, reduction=reduction))


@HYP
@given(seed=st.integers(0, 2**31 - 1), reduction=st.sampled_from(REDUCTIONS))
def test_smooth_l1_beta_zero_is_mae_and_pinball_half_is_half_mae(seed, reduction):
    x, y = _pair(seed)
    y[0] = x[0]  # include zero residuals: the subgradients agree too
    xs = [x.clone().requires_grad_(True) for _ in range(3)]
    a = smooth_l1_loss(xs[0], y, beta=0.0, reduction=reduction)
    b = mae_loss(xs[1], y, reduction=reduction)
    c = pinball_loss(xs[2], y, quantile=0.5, reduction=reduction)
    torch.testing.assert_close(a, b)
    torch.testing.assert_close(c, b / 2)
    for t in (a, b, c):
        t.sum().backward()
    torch.testing.assert_close(xs[0].grad, xs[1].grad)
    torch.testing.assert_close(xs[2].grad, xs[1].grad / 2)


@HYP
@given(seed=st.integers(0, 2**31 - 1), q=st.floats(1e-3, 1 - 1e-3))
def test_pinball_matches_its_definition_and_the_subgradient_choice(seed, q):
    x, y = _pair(seed)
    y[0, :2] = x[0, :2]
    r = (y - x).numpy()
    expected = np.where(r >= 0, q * r, (q - 1) * r)
    xa = x.clone().requires_grad_(True)
    loss = pinball_loss(xa, y, quantile=q, reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), expected, rtol=1e-12, atol=0)
    loss.sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), np.where(r > 0, -q, np.where(r < 0, 1 - q, 0.0)))


def test_pinball_value_is_exact_for_extreme_quantiles_in_float32():
    x, y = torch.zeros(2), torch.tensor([1e4, -1e4])
    q = 1e-6
    out = pinball_loss(x, y, quantile=q, reduction="none")
    torch.testing.assert_close(out, torch.tensor([q * 1e4, (1 - q) * 1e4]), rtol=1e-6, atol=0)


def test_log_cosh_small_and_large_residuals():
    mpmath = pytest.importorskip("mpmath")  # installed with torch (via sympy)
    mpmath.mp.dps = 100
    r = torch.tensor([1e-30, 1e-8, 1e-4, 1e-2, 0.3, 0.999, 1.0, 1.001, 5.0, 30.0, 700.0], dtype=torch.float64)
    exact = torch.tensor([float(mpmath.log(mpmath.cosh(mpmath.mpf(v)))) for v in r.tolist()], dtype=torch.float64)
    for sign in (1.0, -1.0):
        got = log_cosh_loss(sign * r, torch.zeros_like(r), reduction="none")
        torch.testing.assert_close(got, exact, rtol=4e-16, atol=0)
    # float32: relative accuracy near 0 (≈ r²/2), where the large-|r| form would cancel to noise
    small = torch.tensor([1e-15, 1e-6, 1e-3, 0.1, 0.9])
    ref = torch.tensor([float(mpmath.log(mpmath.cosh(mpmath.mpf(v)))) for v in small.tolist()], dtype=torch.float64)
    torch.testing.assert_close(log_cosh_loss(small, torch.zeros(5), reduction="none").double(), ref,
                               rtol=1e-6, atol=0)
    torch.testing.assert_close(ref[:2], small[:2].double() ** 2 / 2)
    big = torch.tensor([20.0, 1e3, 1e4])
    torch.testing.assert_close(log_cosh_loss(big, torch.zeros(3), reduction="none"), big - math.log(2.0))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_log_cosh_gradient_and_hessian_are_tanh_and_sech2(dtype):
    r = torch.tensor([-1e4, -40.0, -1.0, -0.5, 0.0, 1e-5, 0.99, 1.0, 1.01, 3.0, 1e4], dtype=dtype,
                     requires_grad=True)
    (g,) = torch.autograd.grad(log_cosh_loss(r, torch.zeros_like(r), reduction="sum"), r, create_graph=True)
    torch.testing.assert_close(g, torch.tanh(r.detach()))
    h = torch.stack([torch.autograd.grad(g[i], r, retain_graph=True)[0][i] for i in range(r.numel())])
    torch.testing.assert_close(h, 1 / torch.cosh(r.detach().double()).square().to(dtype), atol=1e-6, rtol=1e-5)
    assert torch.isfinite(g).all() and torch.isfinite(h).all()


# --------------------------------------------------------------------------------- reductions, weights
@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
def test_weighted_reductions_follow_the_rule(fn):
    x, y = _counts(4) if fn is poisson_nll_loss else _pair(4)
    none = fn(x, y, reduction="none")
    w = torch.rand(x.shape, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    w[0] = 0.0
    torch.testing.assert_close(fn(x, y, weight=w, reduction="none"), none * w)
    torch.testing.assert_close(fn(x, y, weight=w, reduction="sum"), (none * w).sum())
    torch.testing.assert_close(fn(x, y, weight=w, reduction="mean"), (none * w).sum() / w.sum())
    # a broadcast (per-row) weight equals the expanded one; integer weights = repeating rows
    wr = torch.tensor([[0.0], [1.0], [2.0], [1.0], [3.0]], dtype=torch.float64)
    torch.testing.assert_close(fn(x, y, weight=wr), fn(x, y, weight=wr.expand_as(x)))
    rep = torch.tensor([1, 2, 2, 3, 4, 4, 4])
    torch.testing.assert_close(fn(x, y, weight=wr.long()), fn(x[rep], y[rep]))
    # all-zero weights: 0 with the graph connected
    xa = x.clone().requires_grad_(True)
    v = fn(xa, y, weight=torch.zeros_like(x))
    v.backward()
    assert float(v.detach()) == 0.0 and torch.equal(xa.grad, torch.zeros_like(x))


@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_empty_batch(fn, reduction):
    x = torch.zeros(0, 3, requires_grad=True)
    v = fn(x, torch.zeros(0, 3), reduction=reduction)
    assert v.shape == ((0, 3) if reduction == "none" else ())
    v.sum().backward()
    assert x.grad is not None and x.grad.shape == (0, 3)
    if reduction == "mean":
        assert float(v.detach()) == 0.0  # torch.nn gives NaN here


@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_is_computed_in_float32(fn, dtype):
    x, y = _counts(7, dtype=torch.float32) if fn is poisson_nll_loss else _pair(7, dtype=torch.float32)
    xh, yh = x.to(dtype).requires_grad_(True), y.to(dtype)
    v = fn(xh, yh, reduction="none")
    assert v.dtype == torch.float32
    v.sum().backward()
    assert xh.grad.dtype == dtype
    torch.testing.assert_close(v, fn(xh.detach().float(), yh.float(), reduction="none"), rtol=0, atol=0)


def test_float64_anywhere_computes_in_float64():
    x, y = _pair(1, dtype=torch.float32)
    assert mse_loss(x, y.double()).dtype == torch.float64
    assert mse_loss(x.half(), y.double()).dtype == torch.float64


@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
def test_extreme_residuals_are_finite(fn):
    x = torch.tensor([-1e4, 1e4, -1e4, 1e4, 0.0], requires_grad=True)
    y = torch.tensor([1e4, -1e4, 0.0, 0.0, 0.0]) if fn is not poisson_nll_loss else torch.tensor([0, 3, 0, 5, 1.0])
    v = fn(x, y)
    v.backward()
    assert torch.isfinite(v) and torch.isfinite(x.grad).all()


@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
def test_gradgradcheck_away_from_kinks(fn):
    if fn is poisson_nll_loss:
        x, y = _counts(9, shape=(3, 2))
    else:
        x = torch.tensor([[-2.3, -0.4], [0.2, 0.6], [1.7, 3.1]], dtype=torch.float64)
        y = torch.zeros_like(x)
    x.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: fn(t, y, reduction="sum"), (x,))
    assert torch.autograd.gradgradcheck(lambda t: fn(t, y, reduction="sum"), (x,))


def test_gradient_flows_to_target_too():
    x, y = _pair(3)
    y.requires_grad_(True)
    for fn in (mse_loss, huber_loss, log_cosh_loss, pinball_loss):
        (gy,) = torch.autograd.grad(fn(x, y), y)
        assert torch.isfinite(gy).all()


# --------------------------------------------------------------------------------- validation
def test_errors_name_argument_expected_and_actual():
    x, y = _pair(0, dtype=torch.float32)
    with pytest.raises(TypeError, match=r"^mse_loss: expected `input` dtype to be floating point .*got torch.int64$"):
        mse_loss(x.long(), y)
    with pytest.raises(TypeError, match=r"^mae_loss: expected `target` dtype to be floating point .*got torch.int64"):
        mae_loss(x, y.long())
    with pytest.raises(ValueError, match=r"^huber_loss: expected `target` shape equal to `input` shape \(5, 4\), "
                                         r"got \(5, 3\)$"):
        huber_loss(x, y[:, :3])
    with pytest.raises(ValueError, match=r"^log_cosh_loss: expected `reduction` one of .*got 'avg'$"):
        log_cosh_loss(x, y, reduction="avg")
    with pytest.raises(ValueError, match=r"^huber_loss: expected `delta` > 0, got 0.0$"):
        huber_loss(x, y, delta=0.0)
    with pytest.raises(ValueError, match=r"^huber_loss: expected `delta` to be finite, got inf$"):
        huber_loss(x, y, delta=math.inf)
    with pytest.raises(ValueError, match=r"^smooth_l1_loss: expected `beta` >= 0, got -1.0$"):
        smooth_l1_loss(x, y, beta=-1.0)
    for q in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match=r"^pinball_loss: expected `quantile` (>|<) (0|1), got "):
            pinball_loss(x, y, quantile=q)
    with pytest.raises(TypeError, match=r"^pinball_loss: expected `quantile` to be a real number, got 'a'$"):
        pinball_loss(x, y, quantile="a")
    with pytest.raises(TypeError, match=r"^poisson_nll_loss: expected `full` to be a bool, got 1$"):
        poisson_nll_loss(x, y.abs(), full=1)
    with pytest.raises(TypeError, match=r"^poisson_nll_loss: expected `target` dtype to be floating point or "
                                        r"integer counts, got torch.bool$"):
        poisson_nll_loss(x, y > 0)
    with pytest.raises(ValueError, match=r"^mse_loss: expected `weight` broadcastable to \(5, 4\), got \(3,\)$"):
        mse_loss(x, y, weight=torch.ones(3))


def test_value_checks_run_only_when_validate():
    x, y = _pair(0, dtype=torch.float32)
    y_nan = y.clone()
    y_nan[0, 0] = math.nan
    with pytest.raises(ValueError, match=r"^mse_loss: expected `target` to be free of NaN, got 1 NaN value\(s\)$"):
        mse_loss(x, y_nan)
    assert torch.isnan(mse_loss(x, y_nan, validate=False))
    w = torch.ones_like(x)
    w[1, 1] = -2.0
    with pytest.raises(ValueError, match=r"^huber_loss: expected `weight` values >= 0, got minimum -2$"):
        huber_loss(x, y, weight=w)
    huber_loss(x, y, weight=w, validate=False)
    with pytest.raises(ValueError, match=r"^poisson_nll_loss: expected `target` values >= 0 \(counts\), "
                                         r"got minimum -3$"):
        poisson_nll_loss(x, torch.full_like(x, -3.0))
    poisson_nll_loss(x, torch.full_like(x, -3.0), validate=False)


def test_inputs_are_not_modified():
    x, y = _pair(5)
    x0, y0 = x.clone(), y.clone()
    for fn in ALL:
        yy = y.abs() if fn is poisson_nll_loss else y
        fn(x, yy, weight=torch.ones_like(x), reduction="none")
    assert torch.equal(x, x0) and torch.equal(y, y0)


# --------------------------------------------------------------------------------- modules
MODULES = [(lnn.MSELoss, mse_loss, {}), (lnn.MAELoss, mae_loss, {}), (lnn.HuberLoss, huber_loss, {"delta": 0.3}),
           (lnn.SmoothL1Loss, smooth_l1_loss, {"beta": 0.0}), (lnn.LogCoshLoss, log_cosh_loss, {}),
           (lnn.PinballLoss, pinball_loss, {"quantile": 0.9}), (lnn.PoissonNLLLoss, poisson_nll_loss, {"full": True})]


@pytest.mark.parametrize(("cls", "fn", "kw"), MODULES, ids=lambda v: getattr(v, "__name__", ""))
def test_module_is_the_functional(cls, fn, kw):
    x, y = _counts(2) if fn is poisson_nll_loss else _pair(2)
    w = torch.rand(x.shape, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    m = cls(**kw, reduction="sum")
    assert m.config == {**kw, "reduction": "sum", "validate": True}
    torch.testing.assert_close(m(x, y, weight=w), fn(x, y, weight=w, reduction="sum", **kw), rtol=0, atol=0)
    assert registry.get(cls.key).load_module() is cls and registry.get(cls.key).load_functional() is fn


def test_module_rejects_bad_hyper_parameters_at_construction():
    with pytest.raises(ValueError, match=r"^HuberLoss: expected `delta` > 0, got -1.0$"):
        lnn.HuberLoss(delta=-1.0)
    with pytest.raises(ValueError, match=r"^PinballLoss: expected `quantile` < 1, got 1.0$"):
        lnn.PinballLoss(quantile=1.0)
    with pytest.raises(TypeError, match=r"^PoissonNLLLoss: expected `full` to be a bool"):
        lnn.PoissonNLLLoss(full="yes")
    with pytest.raises(TypeError):
        lnn.HuberLoss(1.0)  # hyper-parameters are keyword-only
