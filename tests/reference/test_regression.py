"""NumPy regression objectives: loss == torch functional, gradient/Hessian == autograd == finite differences,
init_score is the best constant, finite at ±800, importable without torch."""

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
from scipy.optimize import minimize_scalar

from losslab import functional as F
from losslab import registry
from losslab.reference import regression as ref

HYP = settings(max_examples=30, deadline=None)

# (objective, functional, functional kwargs, kind); kinks: residuals where the loss is not C²
CASES = [
    (ref.SquaredError(), F.mse_loss, {}, "regression", ()),
    (ref.AbsoluteError(), F.mae_loss, {}, "regression", (0.0,)),
    (ref.Huber(delta=0.8), F.huber_loss, {"delta": 0.8}, "regression", (-0.8, 0.8)),
    (ref.SmoothL1(beta=1.5), F.smooth_l1_loss, {"beta": 1.5}, "regression", (-1.5, 1.5)),
    (ref.SmoothL1(beta=0.0), F.smooth_l1_loss, {"beta": 0.0}, "regression", (0.0,)),
    (ref.LogCosh(), F.log_cosh_loss, {}, "regression", ()),
    (ref.Pinball(quantile=0.2), F.pinball_loss, {"quantile": 0.2}, "regression", (0.0,)),
    (ref.Pinball(quantile=0.5), F.pinball_loss, {"quantile": 0.5}, "regression", (0.0,)),
    (ref.PoissonNLL(), F.poisson_nll_loss, {}, "counts", ()),
    (ref.PoissonNLL(full=True), F.poisson_nll_loss, {"full": True}, "counts", ()),
]
IDS = [repr(c[0]) for c in CASES]


def _data(kind, seed, n=40, kinks=(), gap=1e-3):
    rng = np.random.default_rng(seed)
    if kind == "counts":
        raw = rng.normal(0.0, 1.5, n)
        y = rng.poisson(np.exp(raw + rng.normal(0, 0.5, n))).astype(np.float64)
        return y, raw
    y = rng.normal(0.0, 2.0, n)
    raw = y + rng.normal(0.0, 1.5, n) * rng.choice([0.1, 1.0, 5.0], n)
    for k in kinks:  # keep finite differences and second derivatives away from the kinks
        r = raw - y
        near = np.abs(r - k) < gap
        raw = np.where(near, y + k + np.where(r >= k, 2 * gap, -2 * gap), raw)
    return y, raw


def _autograd(fn, kw, y, raw):
    x = torch.tensor(raw, dtype=torch.float64, requires_grad=True)
    loss = fn(x, torch.tensor(y, dtype=torch.float64), reduction="none", **kw)
    (g,) = torch.autograd.grad(loss.sum(), x, create_graph=True)
    if g.requires_grad:
        (h,) = torch.autograd.grad(g.sum(), x)  # elementwise loss: the Hessian is diagonal
    else:
        h = torch.zeros_like(x)
    return loss.detach().numpy(), g.detach().numpy(force=True), h.numpy(force=True)


@pytest.mark.parametrize(("obj", "fn", "kw", "kind", "kinks"), CASES, ids=IDS)
@HYP
@given(seed=st.integers(0, 2**32 - 1))
def test_loss_gradient_hessian_equal_torch_autograd(obj, fn, kw, kind, kinks, seed):
    y, raw = _data(kind, seed, kinks=kinks)
    loss, g, h = _autograd(fn, kw, y, raw)
    np.testing.assert_allclose(obj.loss(y, raw), loss, rtol=1e-13, atol=1e-13)
    og, oh = obj.gradient_hessian(y, raw)
    np.testing.assert_allclose(og, g, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(oh, h, rtol=1e-10, atol=1e-14)
    np.testing.assert_array_equal(obj.gradient(y, raw), og)


@pytest.mark.parametrize(("obj", "fn", "kw", "kind", "kinks"), CASES, ids=IDS)
def test_gradient_and_hessian_equal_central_finite_differences(obj, fn, kw, kind, kinks):
    y, raw = _data(kind, 11, n=200, kinks=kinks, gap=1e-3)
    step = 1e-6
    fd_g = (obj.loss(y, raw + step) - obj.loss(y, raw - step)) / (2 * step)
    g, h = obj.gradient_hessian(y, raw)
    np.testing.assert_allclose(g, fd_g, rtol=1e-6, atol=1e-6)
    fd_h = (obj.gradient(y, raw + step) - obj.gradient(y, raw - step)) / (2 * step)
    np.testing.assert_allclose(h, fd_h, rtol=1e-5, atol=1e-6)


def test_gradients_at_exact_ties_match_autograd():
    y = np.array([0.0, 1.0, -2.0])
    raw = y.copy()
    for obj, fn, kw in [(ref.AbsoluteError(), F.mae_loss, {}), (ref.Pinball(quantile=0.3), F.pinball_loss,
                                                                 {"quantile": 0.3}),
                        (ref.SmoothL1(beta=0.0), F.smooth_l1_loss, {"beta": 0.0})]:
        _, g, _ = _autograd(fn, kw, y, raw)
        np.testing.assert_array_equal(obj.gradient(y, raw), g)
        np.testing.assert_array_equal(g, 0.0)
    huber = ref.Huber(delta=1.0)
    _, g, h = _autograd(F.huber_loss, {"delta": 1.0}, np.zeros(2), np.array([1.0, -1.0]))
    np.testing.assert_array_equal(huber.gradient_hessian(np.zeros(2), np.array([1.0, -1.0]))[0], g)
    np.testing.assert_array_equal(huber.gradient_hessian(np.zeros(2), np.array([1.0, -1.0]))[1], h)


def test_hessians_are_exact_including_zeros():
    y, raw = np.zeros(4), np.array([-3.0, -0.5, 0.5, 3.0])
    assert ref.AbsoluteError().gradient_hessian(y, raw)[1].tolist() == [0.0] * 4
    assert ref.Pinball(quantile=0.9).gradient_hessian(y, raw)[1].tolist() == [0.0] * 4
    assert ref.Huber(delta=1.0).gradient_hessian(y, raw)[1].tolist() == [0.0, 1.0, 1.0, 0.0]
    assert ref.SmoothL1(beta=2.0).gradient_hessian(y, raw)[1].tolist() == [0.0, 0.5, 0.5, 0.0]
    assert ref.SquaredError().gradient_hessian(y, raw)[1].tolist() == [2.0] * 4


# --------------------------------------------------------------------------------- init_score
INIT = [(ref.SquaredError(), "regression"), (ref.AbsoluteError(), "regression"), (ref.Huber(delta=0.5), "regression"),
        (ref.Huber(delta=3.0), "regression"), (ref.SmoothL1(beta=0.7), "regression"),
        (ref.SmoothL1(beta=0.0), "regression"), (ref.LogCosh(), "regression"),
        (ref.Pinball(quantile=0.1), "regression"), (ref.Pinball(quantile=0.75), "regression"),
        (ref.PoissonNLL(), "counts"), (ref.PoissonNLL(full=True), "counts")]


def _targets(kind, seed, n):
    rng = np.random.default_rng(seed)
    if kind == "counts":
        return rng.poisson(rng.gamma(2.0, 2.0, n)).astype(np.float64)
    y = rng.standard_t(2, n) * 3.0 + 1.0  # heavy tails: robust losses differ from the mean
    return y


@pytest.mark.parametrize(("obj", "kind"), INIT, ids=[repr(o) for o, _ in INIT])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n", [1, 2, 7, 300])
def test_init_score_minimises_the_mean_loss(obj, kind, weighted, n):
    y = _targets(kind, n, n)
    if kind == "counts" and y.sum() == 0:  # all zeros: the best constant is −∞ (closed-form test below)
        y[0] = 1.0
    w = np.random.default_rng(n + 1).uniform(0.0, 3.0, n) if weighted else None
    ww = np.ones(n) if w is None else w

    def mean_loss(c):
        return float(np.dot(ww, obj.loss(y, np.full(n, c))) / ww.sum())

    c0 = obj.init_score(y, sample_weight=w)
    assert isinstance(c0, float) and math.isfinite(c0)
    if kind == "counts":
        lo, hi = math.log(max(y.min(), 1e-3)) - 1, math.log(y.max() + 1.0) + 1
    else:
        lo, hi = y.min() - 1.0, y.max() + 1.0
    best = minimize_scalar(mean_loss, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
    f0, fb = mean_loss(c0), float(best.fun)
    assert f0 <= fb + 1e-12 * max(1.0, abs(fb))
    for d in (1e-6, 1e-3, 0.1):  # no better constant nearby either (covers flat minima of MAE/pinball)
        assert f0 <= mean_loss(c0 + d) + 1e-12 and f0 <= mean_loss(c0 - d) + 1e-12
    if isinstance(obj, (ref.SquaredError, ref.LogCosh, ref.PoissonNLL)):  # strictly convex: unique argmin
        assert abs(c0 - best.x) < 1e-5 * max(1.0, abs(c0))


def test_init_score_closed_forms():
    y = np.array([1.0, 2.0, 4.0, 10.0])
    w = np.array([1.0, 0.0, 2.0, 1.0])
    assert ref.SquaredError().init_score(y) == 4.25
    assert ref.SquaredError().init_score(y, w) == 4.75
    assert ref.AbsoluteError().init_score(y) == 3.0  # NumPy's median
    assert ref.AbsoluteError().init_score(y, w) == 4.0
    assert ref.Pinball(quantile=0.25).init_score(y) == np.quantile(y, 0.25, method="inverted_cdf")
    assert ref.PoissonNLL().init_score(y) == math.log(4.25)
    assert ref.PoissonNLL().init_score(np.zeros(3)) == math.log(1e-12)
    assert ref.Huber(delta=100.0).init_score(y) == pytest.approx(4.25, abs=1e-12)  # all quadratic: the mean
    assert ref.SmoothL1(beta=0.0).init_score(y) == 3.0


@HYP
@given(y=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=30),
       reps=st.lists(st.integers(0, 3), min_size=30, max_size=30), q=st.floats(0.01, 0.99))
def test_weighted_quantile_is_the_quantile_of_repeated_samples(y, reps, q):
    y = np.asarray(y)
    w = np.asarray(reps[: y.size], dtype=np.float64)
    if w.sum() == 0:
        w[0] = 1.0
    expanded = np.repeat(y, w.astype(int))
    assert ref.weighted_quantile(y, w, q) == np.quantile(expanded, q, method="inverted_cdf")


def test_init_score_rejects_bad_input():
    with pytest.raises(ValueError, match=r"^SquaredError.init_score: expected `y` to be non-empty, got an empty"):
        ref.SquaredError().init_score(np.array([]))
    with pytest.raises(ValueError, match=r"^Huber.init_score: expected `sample_weight` shape \(3,\), got \(2,\)$"):
        ref.Huber().init_score(np.zeros(3), np.ones(2))
    with pytest.raises(ValueError, match=r"^Pinball.init_score: expected `sample_weight` values to be finite and >= 0"):
        ref.Pinball().init_score(np.zeros(2), np.array([1.0, -1.0]))
    with pytest.raises(ValueError, match=r"^LogCosh.init_score: expected `sample_weight` sum > 0, got 0.0$"):
        ref.LogCosh().init_score(np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match=r"^PoissonNLL.init_score: expected `y` values >= 0 \(counts\), got minimum -1$"):
        ref.PoissonNLL().init_score(np.array([1.0, -1.0]))


def test_hyper_parameters_are_validated():
    with pytest.raises(ValueError, match=r"^Huber: expected `delta` > 0, got 0.0$"):
        ref.Huber(delta=0)
    with pytest.raises(ValueError, match=r"^SmoothL1: expected `beta` >= 0, got -0.5$"):
        ref.SmoothL1(beta=-0.5)
    with pytest.raises(ValueError, match=r"^Pinball: expected `quantile` < 1, got 1.0$"):
        ref.Pinball(quantile=1)
    with pytest.raises(ValueError, match=r"^Pinball: expected `quantile` to be finite, got nan$"):
        ref.Pinball(quantile=math.nan)
    with pytest.raises(TypeError, match=r"^PoissonNLL: expected `full` to be a bool, got 'no'$"):
        ref.PoissonNLL(full="no")


# --------------------------------------------------------------------------------- edges
@pytest.mark.parametrize(("obj", "fn", "kw", "kind", "kinks"), CASES, ids=IDS)
def test_finite_at_raw_800_without_floating_point_errors(obj, fn, kw, kind, kinks):
    raw = np.array([-800.0, 800.0, -800.0, 800.0, 0.0])
    y = np.array([0.0, 0.0, 3.0, 3.0, 1.0])
    with np.errstate(all="raise"):
        loss = obj.loss(y, raw)
        g, h = obj.gradient_hessian(y, raw)
        link = obj.link(raw)
    for v in (loss, g, h, link):
        assert np.isfinite(v).all()
    assert np.isfinite(obj.init_score(y))


def test_poisson_continuation_and_hessian_beyond_max_log_rate():
    T = ref.POISSON_MAX_LOG_RATE
    obj = ref.PoissonNLL()
    y, raw = np.array([2.0, 2.0]), np.array([T, T + 10.0])
    np.testing.assert_allclose(obj.loss(y, raw), [math.exp(T) - 2 * T, math.exp(T) * 11 - 2 * (T + 10)])
    g, h = obj.gradient_hessian(y, raw)
    np.testing.assert_allclose(g, [math.exp(T) - 2.0] * 2)
    np.testing.assert_allclose(h, [math.exp(T)] * 2)  # documented: not the 0 of the linear continuation
    np.testing.assert_allclose(obj.link(np.array([0.0, 1.0, T + 50])), [1.0, math.e, math.exp(T)])
    # the torch functional continues identically (float64)
    x = torch.tensor(raw, requires_grad=True)
    t = F.poisson_nll_loss(x, torch.tensor(y), reduction="none")
    np.testing.assert_allclose(t.detach().numpy(), obj.loss(y, raw), rtol=1e-14)


def test_log_cosh_hessian_has_no_cancellation():
    r = np.array([0.0, 1e-8, 5.0, 20.0, 300.0])
    _, h = ref.LogCosh().gradient_hessian(np.zeros(5), r)
    np.testing.assert_allclose(h, 1.0 / np.cosh(r) ** 2, rtol=1e-14)  # 1 − tanh² would give 0 at r = 20


def test_links_and_registry_wiring():
    for key, cls in [("mse", ref.SquaredError), ("mae", ref.AbsoluteError), ("huber", ref.Huber),
                     ("smooth_l1", ref.SmoothL1), ("log_cosh", ref.LogCosh), ("pinball", ref.Pinball),
                     ("poisson_nll", ref.PoissonNLL)]:
        spec = registry.get(key)
        obj = spec.make_objective()
        assert type(obj) is cls and obj.key == key
        if key != "poisson_nll":
            np.testing.assert_array_equal(obj.link(np.array([-2.0, 3.5])), [-2.0, 3.5])
    assert registry.get("huber").make_objective(delta=2.0).delta == 2.0
    assert set(ref.__all__) == {"SquaredError", "AbsoluteError", "Huber", "SmoothL1", "LogCosh", "Pinball",
                                "PoissonNLL"}


def test_module_imports_and_works_without_torch():
    """The file is loaded with ``torch`` blocked; package ``__init__`` files are bypassed on purpose
    (``losslab/__init__`` imports torch; the package-level check is ``tests/test_import_light.py``)."""
    src = Path(ref.__file__).resolve().parents[2]
    code = f"""
import sys, types, importlib
sys.modules['torch'] = None
for name, sub in [('losslab', 'losslab'), ('losslab.reference', 'losslab/reference')]:
    pkg = types.ModuleType(name)
    pkg.__path__ = [{str(src)!r} + '/' + sub]
    sys.modules[name] = pkg
mod = importlib.import_module('losslab.reference.regression')
import numpy as np
assert [m for m in sys.modules if m.split('.')[0] == 'torch' and sys.modules[m] is not None] == []
for name in mod.__all__:
    obj = getattr(mod, name)()
    y, raw = np.array([0.0, 2.0, 5.0]), np.array([-800.0, 0.5, 800.0])
    g, h = obj.gradient_hessian(y, raw)
    assert np.isfinite(obj.loss(y, raw)).all() and np.isfinite(g).all() and np.isfinite(h).all()
    assert np.isfinite(obj.init_score(y))
print('ok')
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
