"""The generic battery: every registry entry, automatically.

Adding a loss to the registry puts it under every test here: it resolves and is documented; the module
equals the functional; float64 gradcheck; finite at ±1e4 logits; float16/bfloat16 computed in float32;
perfect prediction is the minimum; the reduction/weight/ignore rules; inputs untouched; bad input raises
with the house message; and, where a NumPy objective exists, torch value == NumPy reference with the
analytic gradient and Hessian equal to autograd and to finite differences.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

from losslab import registry
from losslab._examples import example_inputs

SPECS = registry.list_losses()
IDS = [s.key for s in SPECS]
POINTWISE = [s for s in SPECS if s.family in ("regression", "classification")]
OBJECTIVES = [s for s in SPECS if s.objective]
IGNORING = [s for s in SPECS if any(p.name == "ignore_index" for p in s.params)]


def small(spec, **kw):
    kw.setdefault("batch", 3)
    kw.setdefault("spatial", (4, 3))
    return example_inputs(spec, **kw)


def perfect_input(spec, target):
    """A prediction that matches ``target`` (hard targets → margins of 30)."""
    kind = spec.input_kind
    if kind == "regression":
        return target.clone()
    if kind == "log_rate":
        return torch.log(target.clamp_min(1e-3))
    if kind == "binary_probs":
        return target.clone()
    if kind in ("binary_logits", "sigmoid_seg"):
        return 30.0 * (2 * target - 1)
    if kind == "class_probs":
        return torch.log(target)
    onehot = torch.nn.functional.one_hot(target, 3).movedim(-1, 1).to(torch.float64)
    return 30.0 * (2 * onehot - 1)


def reduced(spec, x, y, **kw):
    return spec.build(**kw)(x, y)


# --------------------------------------------------------------------------------- the entry
@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_entry_resolves_and_is_documented(spec):
    module = spec.load_module()
    fn = spec.load_functional()
    assert callable(fn) and callable(module)
    docs = [inspect.getdoc(fn) or "", inspect.getdoc(module) or ""]
    if spec.family != "composite":
        assert module.key == spec.key
        for section in ("Convention", "References", ">>>", "Args"):
            assert section in docs[0], f"{spec.functional} docstring lacks {section!r}"
    assert ">>>" in docs[1], f"{spec.module} docstring lacks an example"
    if spec.objective:
        assert spec.make_objective() is not None
    for p in spec.params:
        assert p.doc, f"{spec.key}.{p.name} is undocumented"


@pytest.mark.parametrize("spec", [s for s in SPECS if s.family != "composite"], ids=lambda s: s.key)
def test_module_equals_functional(spec):
    x, y = small(spec)
    fn = spec.load_functional()
    torch.testing.assert_close(spec.build()(x, y), fn(x, y), rtol=0, atol=0)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_gradcheck_float64(spec):
    x, y = small(spec, dtype=torch.float64, requires_grad=True, batch=2, spatial=(3, 2))
    loss = spec.build()
    assert torch.autograd.gradcheck(lambda inp: loss(inp, y), (x,), eps=1e-6, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
@pytest.mark.parametrize("spec", [s for s in SPECS if s.input_kind not in ("log_rate", "binary_probs")],
                         ids=lambda s: s.key)
def test_extreme_inputs_finite(spec, dtype):
    x, y = small(spec)
    x = (x.sign() * 1e4).to(dtype).requires_grad_(True)
    y = y.to(dtype) if y.is_floating_point() else y
    loss = spec.build()(x, y)
    loss.backward()
    assert torch.isfinite(loss).all() and torch.isfinite(x.grad).all()


def strided(t: torch.Tensor) -> torch.Tensor:
    """The same values in a non-contiguous view (every other element of a buffer twice the size)."""
    buf = torch.zeros(*t.shape, 2, dtype=t.dtype)
    buf[..., 0] = t
    return buf[..., 0]


def reversed_layout(t: torch.Tensor) -> torch.Tensor:
    """The same values with the dimensions stored in reverse order."""
    dims = tuple(range(t.dim()))[::-1]
    return t.permute(dims).contiguous().permute(dims)


def channels_last(t: torch.Tensor) -> torch.Tensor:
    """The same values with dimension 1 stored last (``torch.channels_last`` for 4-D)."""
    return t.movedim(1, -1).contiguous().movedim(-1, 1) if t.dim() > 2 else reversed_layout(t)


@pytest.mark.parametrize("spatial", [(8, 8), (1, 1)])
@pytest.mark.parametrize("layout", [strided, reversed_layout, channels_last], ids=lambda f: f.__name__)
@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_memory_layout_does_not_change_the_loss(spec, layout, spatial):
    """Non-contiguous, channels-last and sliced inputs give the contiguous result (the Lovász losses once
    raised torch's view error on channels-last logits and on one-pixel slices)."""
    x, y = small(spec, spatial=spatial)
    loss = spec.build()
    x1 = x.clone().requires_grad_(True)
    x2 = layout(x).requires_grad_(True)
    y2 = layout(y) if isinstance(y, torch.Tensor) and y.dim() else y
    expected, value = loss(x1, y), loss(x2, y2)
    torch.testing.assert_close(value, expected)
    expected.backward()
    value.backward()
    torch.testing.assert_close(x2.grad, x1.grad)


COMPILED = [(s, "aot_eager") for s in SPECS] + [(registry.get(k), "inductor")
                                                for k in ("softmax_dice_ce", "sigmoid_focal", "huber")]


@pytest.mark.parametrize(("spec", "backend"), COMPILED, ids=[f"{s.key}-{b}" for s, b in COMPILED])
def test_torch_compile_gives_the_eager_result(spec, backend):
    """``torch.compile`` of the module (graph breaks allowed: the native kernels and the data-dependent
    checks run eagerly) gives the eager value and gradient. ``aot_eager`` traces every entry with fake
    tensors through autograd; three entries also go through inductor's code generation."""
    from torch._dynamo.testing import CompileCounterWithBackend

    torch._dynamo.reset()  # a fresh cache: modules sharing `forward` would otherwise hit the recompile limit
    x, y = small(spec, spatial=(8, 8))
    loss = spec.build()
    x1, x2 = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
    expected = loss(x1, y)
    expected.backward()
    counter = CompileCounterWithBackend(backend)
    value = torch.compile(loss, backend=counter)(x2, y)
    value.backward()
    assert counter.frame_count >= 1  # something was compiled, not skipped
    torch.testing.assert_close(value, expected, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(x2.grad, x1.grad, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("spatial", [(4, 3), (8, 8)], ids=["small", "native-size"])
@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_nan_prediction_is_never_hidden(spec, spatial):
    """One NaN in the prediction makes the reduced loss NaN (or the call raises ``ValueError``): the overlap
    losses' safe divisions once mapped it to a finite loss of 1 with a NaN gradient."""
    x, y = small(spec, spatial=spatial)
    x = x.clone()
    x.view(-1)[0] = float("nan")
    try:
        value = spec.build()(x, y)
    except ValueError:
        return
    assert torch.isnan(value)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_half_precision_computed_in_float32(spec, dtype):
    x, y = small(spec)
    xh = x.to(dtype).requires_grad_(True)
    yh = y.to(dtype) if y.is_floating_point() else y
    loss = spec.build()
    value = loss(xh, yh)
    assert value.dtype == torch.float32
    value.backward()
    assert torch.isfinite(value) and torch.isfinite(xh.grad).all()
    expected = loss(xh.detach().float(), yh.float() if yh.is_floating_point() else yh)
    torch.testing.assert_close(value, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_perfect_prediction_is_the_minimum(spec):
    x, y = small(spec, dtype=torch.float64)
    loss = spec.build()
    best = loss(perfect_input(spec, y), y)
    assert float(best) <= float(loss(x, y)) + 1e-9
    if spec.input_kind != "log_rate":  # Poisson's minimum y − y log y is not 0
        assert abs(float(best)) < 1e-3


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_inputs_not_modified(spec):
    x, y = small(spec)
    x0, y0 = x.clone(), y.clone()
    spec.build()(x.requires_grad_(True), y).backward()
    assert torch.equal(x.detach(), x0) and torch.equal(y, y0)


# --------------------------------------------------------------------------------- reduction rule
@pytest.mark.parametrize("spec", POINTWISE, ids=lambda s: s.key)
def test_reductions_and_weights(spec):
    x, y = small(spec, dtype=torch.float64)
    fn = spec.load_functional()
    none = fn(x, y, reduction="none")
    torch.testing.assert_close(fn(x, y, reduction="sum"), none.sum())
    torch.testing.assert_close(fn(x, y, reduction="mean"), none.mean())
    w = torch.rand(none.shape, generator=torch.Generator().manual_seed(1), dtype=torch.float64) + 0.1
    wl = fn(x, y, reduction="none", weight=w)
    torch.testing.assert_close(wl, none * w)
    torch.testing.assert_close(fn(x, y, reduction="sum", weight=w), (none * w).sum())
    torch.testing.assert_close(fn(x, y, reduction="mean", weight=w), (none * w).sum() / w.sum())


WEIGHTED = [s for s in SPECS if s.family != "composite"
            and "weight" in inspect.signature(s.load_functional()).parameters]


@pytest.mark.parametrize("spec", WEIGHTED, ids=lambda s: s.key)
def test_bad_weight_values_raise_unless_validation_is_off(spec):
    """A negative, NaN or infinite per-element weight is a ``ValueError`` naming ``weight`` (``validate=False``
    skips that pass); the caller's weight is not modified."""
    x, y = small(spec, dtype=torch.float64)
    fn = spec.load_functional()
    shape = tuple(fn(x, y, reduction="none").shape)
    for bad, message in ((-1.0, "`weight` values >= 0"), (float("nan"), "`weight`"),
                         (float("inf"), "`weight` values to be finite")):
        w = torch.ones(shape, dtype=torch.float64)
        w.view(-1)[0] = bad
        before = w.clone()
        with pytest.raises(ValueError, match=message):
            fn(x, y, weight=w)
        torch.testing.assert_close(w, before, equal_nan=True)
        fn(x, y, weight=w, validate=False)


@pytest.mark.parametrize("spec", [s for s in SPECS if s.family != "composite"], ids=lambda s: s.key)
def test_validate_flag_must_be_a_bool(spec):
    """``validate=None`` once skipped the checks silently in the pointwise losses (a falsy stand-in)."""
    x, y = small(spec)
    fn = spec.load_functional()
    for bad in (None, "yes", 1):
        with pytest.raises(TypeError, match="`validate` to be a bool"):
            fn(x, y, validate=bad)


@pytest.mark.parametrize("spec", POINTWISE, ids=lambda s: s.key)
def test_empty_batch_gives_zero_with_graph(spec):
    x, y = small(spec, batch=0, requires_grad=True)
    value = spec.load_functional()(x, y)
    assert float(value.detach()) == 0.0
    value.backward()
    assert x.grad is not None and x.grad.shape == x.shape


@pytest.mark.parametrize("spec", IGNORING, ids=lambda s: s.key)
def test_ignored_elements_leave_every_statistic(spec):
    x, y = small(spec, dtype=torch.float64, batch=6)
    fn = spec.load_functional()
    keep = torch.tensor([True, False, True, True, False, True])
    y_ign = y.clone()
    y_ign[~keep] = -100
    torch.testing.assert_close(fn(x, y_ign, ignore_index=-100), fn(x[keep], y[keep]))
    xa = x.clone().requires_grad_(True)
    value = fn(xa, torch.full_like(y, -100), ignore_index=-100)
    value.backward()
    assert float(value.detach()) == 0.0 and torch.equal(xa.grad, torch.zeros_like(xa))


# --------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_bad_input_raises_with_house_message(spec):
    x, y = small(spec)
    loss = spec.build() if spec.family == "composite" else spec.load_functional()
    with pytest.raises(TypeError, match="expected .*float"):
        loss(x.round().long(), y)
    bad_y = y[:-1]
    with pytest.raises(ValueError, match=r"expected .*got"):
        loss(x, bad_y)
    if spec.family != "composite":
        with pytest.raises(ValueError, match="reduction"):
            loss(x, y, reduction="avg")


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_hyper_parameters_are_range_checked(spec):
    for p in spec.params:
        if p.kind == "float" and p.low is not None:
            with pytest.raises(ValueError, match=p.name):
                spec.build(**{p.name: p.low - 1.0})
        if p.kind == "choice":
            with pytest.raises(ValueError, match=p.name):
                spec.build(**{p.name: "no-such-option"})


# --------------------------------------------------------------------------------- NumPy reference
def _raw_and_y(spec, n=7, scale=2.0, seed=3):
    x, y = example_inputs(spec, batch=n, classes=4, dtype=torch.float64, seed=seed, scale=scale)
    if spec.input_kind not in ("class_logits", "class_probs"):
        x, y = x[:, 0].contiguous(), y[:, 0].contiguous()
    return x, y


@pytest.mark.parametrize("spec", OBJECTIVES, ids=lambda s: s.key)
def test_reference_equals_torch_with_exact_calculus(spec):
    x, y = _raw_and_y(spec)
    obj = spec.make_objective()
    fn = spec.load_functional()
    raw, yn = x.numpy(), y.numpy()
    np.testing.assert_allclose(obj.loss(yn, raw), fn(x, y, reduction="none").numpy(), rtol=1e-10, atol=1e-12)

    xg = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(fn(xg, y, reduction="sum"), xg, create_graph=True)
    g, h = obj.gradient_hessian(yn, raw)
    np.testing.assert_allclose(g, grad.detach().numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(obj.gradient(yn, raw), g, rtol=0, atol=0)
    diag = torch.zeros_like(x)
    cols = [slice(None)] if x.dim() == 1 else [(slice(None), k) for k in range(x.shape[1])]
    for c in cols:
        (second,) = torch.autograd.grad(grad[c].sum(), xg, retain_graph=True)
        diag[c] = second[c]
    np.testing.assert_allclose(h, diag.numpy(), rtol=1e-8, atol=1e-10)
    step = 1e-5
    for c in cols:
        up, down = raw.copy(), raw.copy()
        up[c] += step
        down[c] -= step
        fd = (obj.gradient(yn, up)[c] - obj.gradient(yn, down)[c]) / (2 * step)
        np.testing.assert_allclose(h[c], fd, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("spec", OBJECTIVES, ids=lambda s: s.key)
def test_reference_finite_at_extreme_raw_scores(spec):
    x, y = _raw_and_y(spec)
    raw = np.sign(x.numpy()) * 800.0
    obj = spec.make_objective()
    with np.errstate(all="raise"):
        g, h = obj.gradient_hessian(y.numpy(), raw)
    assert np.isfinite(g).all() and np.isfinite(h).all()
    init = np.asarray(obj.init_score(y.numpy()))
    assert np.isfinite(init).all()
