"""Native overlap kernels (``losslab._native``): the build, agreement with the torch path, the fallback."""

from __future__ import annotations

import os
import shutil
import time
import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import losslab.functional as LF
from losslab import _native
from losslab.functional import overlap as O

F64 = torch.float64
LOSSES = [("softmax_dice_loss", {}), ("softmax_dice_loss", {"squared": True, "aggregate": "batch"}),
          ("softmax_jaccard_loss", {"include_background": False}), ("softmax_generalized_dice_loss", {}),
          ("softmax_tversky_loss", {"alpha": 0.2, "beta": 0.8}), ("softmax_focal_tversky_loss", {"gamma": 1.5}),
          ("softmax_dice_ce_loss", {"ce_weight": 0.5}), ("softmax_tversky_ce_loss", {"aggregate": "batch"})]
needs_cc = pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler: the torch path is the only one")


@pytest.fixture(autouse=True)
def kernels_at_every_size(monkeypatch):
    """The losses use the kernels from ``_native.MIN_PIXELS`` pixels per image; here at every size, so that
    small inputs test them (see ``test_small_images_take_the_torch_path`` for the threshold itself)."""
    monkeypatch.setattr(_native, "MIN_PIXELS", 1)


def case(dtype, seed=0, shape=(3, 4, 7, 5)):
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(*shape, generator=g, dtype=F64) * 3).to(dtype)
    x[-1, :2, 0, 0] = torch.tensor([1e4, -1e4]).to(dtype)  # p_t underflows for t = 1
    y = torch.randint(0, shape[1], (shape[0], *shape[2:]), generator=g)
    y[-1, 0, 0] = 1
    y[0, :2] = -100
    y[1, 3:] = -100
    return x, y


def value_and_grad(name, x, y, **kw):
    leaf = x.detach().clone().requires_grad_(True)
    value = getattr(LF, name)(leaf, y, **kw)
    value.backward()
    return value.detach(), leaf.grad


def native_and_torch(monkeypatch, name, x, y, **kw):
    """``value_and_grad`` on the native path, then on the torch path (``LOSSLAB_NATIVE`` 1, then 0)."""
    results = []
    for flag in ("1", "0"):
        monkeypatch.setenv("LOSSLAB_NATIVE", flag)
        results.append(value_and_grad(name, x, y, **kw))
    return results


def assert_agree(native, torch_path, *, rtol, value_atol, grad_atol):
    torch.testing.assert_close(native[0], torch_path[0], rtol=rtol, atol=value_atol)
    torch.testing.assert_close(native[1], torch_path[1], rtol=rtol, atol=grad_atol)


@needs_cc
def test_kernels_build_and_are_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("LOSSLAB_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_native, "_state", {})
    assert _native.kernels("softmax", torch.float32) is not None
    assert _native.kernels("softmax", torch.float64) is not None
    assert _native.kernels("softmax_focal", torch.float32) is not None
    assert _native.kernels("softmax", torch.float16) is None
    built = sorted(tmp_path.glob("overlap-*.so"))
    assert len(built) == 1
    monkeypatch.setattr(_native, "_state", {})
    monkeypatch.setattr(_native.subprocess, "run", lambda *a, **k: pytest.fail("rebuilt a cached library"))
    assert _native.kernels("softmax", torch.float32) is not None


@needs_cc
def test_builds_unused_for_30_days_are_pruned_and_used_ones_kept(tmp_path, monkeypatch):
    """A new build deletes cached builds whose last use is older than 30 days; loading a cached build counts
    as a use."""
    monkeypatch.setenv("LOSSLAB_CACHE_DIR", str(tmp_path))
    month_ago = time.time() - 31 * 24 * 3600
    stale, fresh, other = (tmp_path / f"overlap-{name}.so" for name in ("stale", "fresh", "other"))
    for path in (stale, fresh, other):
        path.write_bytes(b"not a library")
    os.utime(stale, (month_ago, month_ago))
    os.utime(other, (month_ago, month_ago))
    other.with_suffix(".txt").write_text("not a build")
    _native._load([[]])  # builds: prunes
    names = {p.name for p in tmp_path.iterdir()}
    assert "overlap-stale.so" not in names and "overlap-other.so" not in names
    assert {"overlap-fresh.so", "overlap-other.txt"} <= names
    built = next(p for p in tmp_path.glob("overlap-*.so") if p != fresh)
    os.utime(built, (month_ago, month_ago))
    _native._load([[]])  # cached: no build, but the use refreshes the mtime
    assert built.exists() and built.stat().st_mtime > month_ago + 24 * 3600


def assert_paths_agree_without_monkeypatch(name, x, y, **kw):
    """Finite values that agree between the native and the torch path (float64 tolerances), switching
    ``LOSSLAB_NATIVE`` by hand: hypothesis runs many examples in one test, which monkeypatch does not allow."""
    results, before = [], os.environ.get("LOSSLAB_NATIVE")
    try:
        for flag in ("1", "0"):
            os.environ["LOSSLAB_NATIVE"] = flag
            results.append(value_and_grad(name, x, y, **kw))
    finally:
        if before is None:
            os.environ.pop("LOSSLAB_NATIVE", None)
        else:
            os.environ["LOSSLAB_NATIVE"] = before
    assert torch.isfinite(results[0][0]) and torch.isfinite(results[0][1]).all()
    assert_agree(*results, rtol=1e-9, value_atol=1e-12, grad_atol=1e-12)


@needs_cc
@pytest.mark.parametrize("flags", _native._candidates(_native._cpu_flags()), ids=lambda f: " ".join(f[:1]) or "plain")
def test_every_build_variant_agrees_with_the_torch_path(monkeypatch, tmp_path, flags):
    """Each flag set the loader may fall back to (AVX-512 / AVX2 vector math, OpenMP only, serial) builds
    and gives the torch path's values and gradients, softmax and sigmoid."""
    monkeypatch.setenv("LOSSLAB_CACHE_DIR", str(tmp_path))
    lib, used = _native._load([flags])
    assert used == flags
    monkeypatch.setattr(_native, "_state", {"lib": lib, "flags": used})
    assert _native.build_flags() == flags
    x, y = case(torch.float32, seed=7, shape=(2, 3, 40, 30))
    masks = torch.nn.functional.one_hot(y.clamp_min(0), 3).movedim(-1, 1).float().contiguous()
    for name, target in (("softmax_dice_ce_loss", y), ("sigmoid_dice_ce_loss", masks), ("softmax_focal_loss", y)):
        assert_agree(*native_and_torch(monkeypatch, name, x, target), rtol=2e-6, value_atol=0, grad_atol=2e-8)


@needs_cc
@pytest.mark.parametrize("dtype", [torch.float32, F64])
@pytest.mark.parametrize("name, kw", LOSSES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(LOSSES)])
def test_native_path_equals_torch_path(monkeypatch, name, kw, dtype):
    """Value and gradient of every softmax overlap loss with class indices (ignored pixels, an image that
    is mostly ignored, class weights where the loss has them, logits of ±1e4) agree with the torch path."""
    x, y = case(dtype)
    if "ce" in name or "focal" not in name:
        kw = {**kw, "class_weight": torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=dtype)}
    monkeypatch.setenv("LOSSLAB_NATIVE", "1")
    assert _native.kernels("softmax", dtype) is not None
    native = value_and_grad(name, x, y, **kw)
    monkeypatch.setenv("LOSSLAB_NATIVE", "0")
    assert _native.kernels("softmax", dtype) is None
    torch_path = value_and_grad(name, x, y, **kw)
    rtol, atol = (1e-12, 1e-14) if dtype == F64 else (2e-6, 2e-8)
    assert torch.isfinite(native[0]) and torch.isfinite(native[1]).all()
    assert_agree(native, torch_path, rtol=rtol, value_atol=atol, grad_atol=atol)


@needs_cc
@pytest.mark.parametrize("classes", [1, 2, 3, 4, 5, 9])
@pytest.mark.parametrize("name, kw", [("softmax_dice_ce_loss", {}), ("softmax_dice_loss", {"squared": True}),
                                      ("softmax_tversky_loss", {"aggregate": "batch"}),
                                      ("softmax_focal_loss", {}), ("softmax_focal_loss", {"gamma": 0.7})])
def test_every_class_count_agrees_with_the_torch_path(monkeypatch, classes, name, kw):
    """float32 blocks specialised for 2-4 classes and the general blocks (1, 5, 9 classes) give the torch
    path's value and gradient, with ignored pixels, ±1e4 logits and a block boundary inside an image."""
    g = torch.Generator().manual_seed(classes)
    x = torch.randn(2, classes, 37, 41, generator=g) * 3
    x[0, 0, 0, :2] = torch.tensor([1e4, -1e4])
    y = torch.randint(0, classes, (2, 37, 41), generator=g)
    y[1, :5] = -100
    native, torch_path = native_and_torch(monkeypatch, name, x, y, **kw)
    assert torch.isfinite(native[1]).all()
    assert_agree(native, torch_path, rtol=2e-6, value_atol=1e-7, grad_atol=2e-8)


@needs_cc
@pytest.mark.parametrize("dtype", [torch.float32, F64])
@pytest.mark.parametrize("gamma", [0.5, 1.0, 2.0, 2.5, 3.0, 4.0, 4.5])
@pytest.mark.parametrize("use_alpha", [False, True])
def test_native_focal_equals_torch_path(monkeypatch, dtype, gamma, use_alpha):
    """Softmax focal loss with class indices (ignored pixels, an image mostly ignored, logits of ±1e4, the
    reductions and a per-pixel weight): value and gradient of the native kernels (γ up to 4 a product, other γ
    through exp and log) agree with the torch path."""
    x, y = case(dtype, seed=int(gamma * 10))
    alpha = torch.tensor([0.25, 1.0, 2.0, 0.5], dtype=dtype) if use_alpha else None
    weight = torch.rand(y.shape, generator=torch.Generator().manual_seed(1), dtype=dtype)
    # float32: the torch path's 1 − p_t = −expm1(log p_t) carries log p_t's rounding error (a few 1e-6 here)
    rtol, atol = (1e-12, 1e-14) if dtype == F64 else (1e-5, 1e-7)
    for reduction, w in (("mean", None), ("sum", None), ("mean", weight), ("sum", weight)):
        kw = dict(gamma=gamma, alpha=alpha, weight=w, reduction=reduction)
        native, torch_path = native_and_torch(monkeypatch, "softmax_focal_loss", x, y, **kw)
        assert torch.isfinite(native[0]).all() and torch.isfinite(native[1]).all()
        assert_agree(native, torch_path, rtol=rtol, value_atol=atol, grad_atol=atol)


@needs_cc
@pytest.mark.parametrize("gamma", [0.0, 2.0, 1.5])
def test_native_focal_gradcheck_and_double_backward_with_ignored_pixels(gamma):
    """float64 gradcheck and gradgradcheck of the native path, with ignored pixels and ``reduction="none"``
    (whose upstream gradient is not 0 at ignored pixels) and a differentiable α (the torch path)."""
    x, y = case(F64, seed=5, shape=(2, 4, 3, 3))
    x = x.clamp(-5, 5).requires_grad_(True)
    alpha = torch.tensor([0.25, 1.0, 2.0, 0.5], dtype=F64)
    for reduction in ("mean", "none"):
        def f(z, reduction=reduction):
            return LF.softmax_focal_loss(z, y, gamma=gamma, alpha=alpha, reduction=reduction)
        assert torch.autograd.gradcheck(f, (x,))
        assert torch.autograd.gradgradcheck(f, (x,))
    a = alpha.clone().requires_grad_(True)
    assert torch.autograd.gradcheck(lambda z, a: LF.softmax_focal_loss(z, y, gamma=gamma, alpha=a), (x, a))


@needs_cc
@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 3), c=st.integers(1, 7), s=st.integers(1, 40), gamma=st.floats(0, 5),
       use_alpha=st.booleans(), scale=st.sampled_from([0.1, 3.0, 30.0, 1e4]), seed=st.integers(0, 2**16))
def test_native_focal_agrees_with_the_torch_path_on_random_inputs(n, c, s, gamma, use_alpha, scale, seed):
    """Law: the two paths compute the same loss. Random shapes, class counts (the 2-4-class blocks and the
    general ones), γ (whole or not), α, logit scales up to ±1e4 and ignored pixels."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, c, s, generator=g, dtype=F64) * scale
    y = torch.randint(0, c, (n, s), generator=g).masked_fill(torch.rand(n, s, generator=g) < 0.2, -100)
    alpha = torch.rand(c, generator=g, dtype=F64) + 0.1 if use_alpha else None
    assert_paths_agree_without_monkeypatch("softmax_focal_loss", x, y, gamma=gamma, alpha=alpha)


def _binary_case(dtype, seed, soft):
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(3, 2, 9, 11, generator=g, dtype=F64) * 4).to(dtype)
    x[0, 0, 0, :4] = torch.tensor([1e4, -1e4, 40.0, -40.0]).to(dtype)
    y = (torch.rand(x.shape, generator=g) < 0.3).to(dtype)
    y[0, 0, 0, :4] = torch.tensor([1.0, 1.0, 0.0, 1.0]).to(dtype)  # saturated right, wrong, wrong, right
    if soft:
        y[1] = torch.rand(y[1].shape, generator=g).to(dtype)
    return x, y


@needs_cc
@pytest.mark.parametrize("dtype", [torch.float32, F64])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 2.5, 3.0, 4.0, 4.5])
@pytest.mark.parametrize("soft", [False, True])
def test_native_sigmoid_focal_equals_torch_path(monkeypatch, dtype, gamma, soft):
    """The elementwise sigmoid focal kernel (loss and derivative in one pass) against the log-space torch path:
    hard and soft targets, saturated logits, with and without α, ignored elements, weights, reductions."""
    x, y = _binary_case(dtype, int(gamma * 10) + soft, soft)
    weight = torch.rand(x.shape, generator=torch.Generator().manual_seed(3), dtype=dtype)
    rtol, atol = (1e-12, 1e-14) if dtype == F64 else (1e-5, 1e-8)
    ignored = y.clone()
    ignored[2, :, :3] = -1.0
    for alpha, reduction, w, target, ignore in ((None, "mean", None, y, None), (0.25, "sum", None, y, None),
                                                (0.25, "mean", weight, y, None), (0.7, "mean", None, ignored, -1)):
        kw = dict(gamma=gamma, alpha=alpha, weight=w, reduction=reduction, ignore_index=ignore)
        native, torch_path = native_and_torch(monkeypatch, "sigmoid_focal_loss", x, target, **kw)
        assert torch.isfinite(native[0]) and torch.isfinite(native[1]).all()
        assert_agree(native, torch_path, rtol=rtol, value_atol=atol, grad_atol=atol)


@needs_cc
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 2.5])
def test_native_sigmoid_focal_gradcheck_and_double_backward(gamma):
    x, y = _binary_case(F64, 4, soft=True)
    x = x.clamp(-6, 6)[:2, :, :3].contiguous().requires_grad_(True)
    y = y[:2, :, :3].contiguous()
    for reduction in ("mean", "none"):
        def f(z, reduction=reduction):
            return LF.sigmoid_focal_loss(z, y, gamma=gamma, alpha=0.25, reduction=reduction)
        assert torch.autograd.gradcheck(f, (x,))
        assert torch.autograd.gradgradcheck(f, (x,))


@needs_cc
def test_native_sigmoid_focal_without_gradient_gives_the_same_values():
    """Under ``no_grad`` (or for logits that need no gradient) the kernel skips the derivative buffer; the
    values are those of a training step, bit for bit."""
    x, y = _binary_case(torch.float32, 6, soft=True)
    leaf = x.clone().requires_grad_(True)
    train = LF.sigmoid_focal_loss(leaf, y, reduction="none")
    with torch.no_grad():
        assert torch.equal(LF.sigmoid_focal_loss(leaf, y, reduction="none"), train.detach())
    assert torch.equal(LF.sigmoid_focal_loss(x, y, reduction="none"), train.detach())


@needs_cc
@settings(max_examples=30, deadline=None)
@given(shape=st.lists(st.integers(1, 9), min_size=1, max_size=3), gamma=st.floats(0, 5),
       alpha=st.one_of(st.none(), st.floats(0, 1)), soft=st.booleans(), scale=st.sampled_from([0.1, 3.0, 50.0, 1e4]),
       seed=st.integers(0, 2**16))
def test_native_sigmoid_focal_agrees_with_the_torch_path_on_random_inputs(shape, gamma, alpha, soft, scale, seed):
    """Law: the two paths compute the same loss and gradient, for any shape, γ, α, logit scale and targets."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(*shape, generator=g, dtype=F64) * scale
    y = torch.rand(*shape, generator=g, dtype=F64) if soft else (torch.rand(*shape, generator=g) < 0.4).to(F64)
    assert_paths_agree_without_monkeypatch("sigmoid_focal_loss", x, y, gamma=gamma, alpha=alpha)


SIGMOID = [("sigmoid_dice_loss", {}), ("sigmoid_dice_loss", {"squared": True, "aggregate": "batch"}),
           ("sigmoid_jaccard_loss", {"include_background": False}), ("sigmoid_tversky_loss", {}),
           ("sigmoid_generalized_dice_loss", {}),
           ("sigmoid_dice_ce_loss", {"pos_weight": "channel"}), ("sigmoid_dice_ce_loss", {"pos_weight": "scalar"}),
           ("sigmoid_dice_ce_loss", {"pos_weight": "last_dim"}), ("sigmoid_tversky_ce_loss", {})]


@needs_cc
@pytest.mark.parametrize("target", ["float", "bool", "ignored"])
@pytest.mark.parametrize("dtype", [torch.float32, F64])
@pytest.mark.parametrize("name, kw", SIGMOID, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SIGMOID)])
def test_native_sigmoid_path_equals_torch_path(monkeypatch, name, kw, dtype, target):
    """Sigmoid losses on float, bool and partly ignored masks (every ``pos_weight`` broadcast: per
    channel and scalar run natively, one varying along the pixels takes the torch path), logits of ±1e4."""
    g = torch.Generator().manual_seed(6)
    x = (torch.randn(3, 3, 7, 5, generator=g, dtype=F64) * 3).to(dtype)
    x[2, :, 0, 0] = torch.tensor([1e4, -1e4, 30.0]).to(dtype)
    y = torch.rand(3, 3, 7, 5, generator=g) < 0.3
    y[2, :, 0, 0] = torch.tensor([False, True, True])
    y = y if target == "bool" else y.to(dtype)
    if target == "ignored":
        y[0, 1, :3] = -100
        y[1, 2] = -100
    kw = dict(kw)
    if "pos_weight" in kw:
        kw["pos_weight"] = {"channel": torch.tensor([0.5, 2.0, 4.0], dtype=dtype).view(3, 1, 1),
                            "scalar": torch.tensor(2.5, dtype=dtype),
                            "last_dim": torch.rand(5, generator=g).to(dtype) * 3}[kw["pos_weight"]]
    native, torch_path = native_and_torch(monkeypatch, name, x, y, **kw)
    rtol, atol = (1e-12, 1e-13) if dtype == F64 else (2e-6, 2e-8)
    assert torch.isfinite(native[0]) and torch.isfinite(native[1]).all()
    assert_agree(native, torch_path, rtol=rtol, value_atol=atol, grad_atol=atol)


@needs_cc
@pytest.mark.parametrize("shape", [(40, 3), (6, 1000), (5, 4, 3)])  # one pixel per image; blocks of S < 64
def test_images_of_few_pixels_agree_with_the_torch_path(monkeypatch, shape):
    """Blocks are never longer than an image (the per-thread buffers hold C + 4 rows of a block)."""
    g = torch.Generator().manual_seed(len(shape))
    x = torch.randn(*shape, generator=g) * 3
    y = torch.randint(0, shape[1], (shape[0], *shape[2:]), generator=g)
    y[0] = -100
    for name in ("softmax_dice_ce_loss", "softmax_focal_loss"):
        assert_agree(*native_and_torch(monkeypatch, name, x, y), rtol=2e-6, value_atol=1e-7, grad_atol=2e-8)


def _bad_targets():
    y = torch.randint(0, 3, (2, 5, 6))
    m = (torch.rand(2, 3, 5, 6) < 0.4).float()
    return [("softmax_dice_loss", y.masked_fill(y == 2, 3), {}), ("softmax_dice_loss", y.masked_fill(y == 2, -1), {}),
            ("softmax_dice_ce_loss", y.masked_fill(y == 2, -7), {"ignore_index": -7}),  # valid: ignored
            ("sigmoid_dice_loss", m.masked_fill(m == 1, 2.0), {}),
            ("sigmoid_dice_loss", m.masked_fill(m == 1, float("nan")), {}),
            ("sigmoid_dice_ce_loss", m.masked_fill(m == 1, -3.0), {"ignore_index": -3}),  # valid: ignored
            ("sigmoid_dice_loss", m.masked_fill(m == 1, -3.0), {"ignore_index": -100}),
            ("sigmoid_dice_loss", m.to(torch.uint8).masked_fill(m == 1, 255), {"ignore_index": 255}),  # valid
            ("sigmoid_dice_loss", m.to(torch.uint8).masked_fill(m == 1, 7), {}),
            ("sigmoid_dice_loss", m.masked_fill(m == 1, 2.0), {"validate": False}),  # no check: a value
            ("softmax_dice_loss", y, {"ignore_index": 2**70}),  # beyond int64: ignores nothing
            ("sigmoid_dice_ce_loss", m, {"ignore_index": -(10**400)}),  # beyond the doubles: ignores nothing
            ("softmax_dice_loss", y.masked_fill(y == 2, 2**63 - 1), {"ignore_index": 2**70}),
            ("softmax_dice_loss", y.masked_fill(y == 2, -(2**63)), {"ignore_index": -(2**70)}),
            ("softmax_focal_loss", y.masked_fill(y == 2, 3), {}), ("softmax_focal_loss", y.masked_fill(y == 2, -1), {}),
            ("softmax_focal_loss", y.masked_fill(y == 2, -7), {"ignore_index": -7}),  # valid: ignored
            ("softmax_focal_loss", y.masked_fill(y == 2, 2**63 - 1), {"ignore_index": -(2**63)}),
            ("softmax_focal_loss", y.masked_fill(y == 0, 5), {"ignore_index": 5, "reduction": "sum"})]


@needs_cc
@pytest.mark.parametrize("case_index", range(len(_bad_targets())))
def test_native_and_torch_path_check_targets_alike(monkeypatch, case_index):
    """The native kernels report the range of the counted target values and the loss checks it: the same
    errors (message included), the same ignored values and the same results as the torch path."""
    name, target, kw = _bad_targets()[case_index]
    x = torch.randn(2, 3, 5, 6)
    results = []
    for flag in ("1", "0"):
        monkeypatch.setenv("LOSSLAB_NATIVE", flag)
        try:
            results.append(value_and_grad(name, x, target, **kw))
        except ValueError as exc:
            results.append(str(exc))
    if isinstance(results[0], str):
        assert results[0] == results[1] and "expected" in results[0]
    else:
        assert not isinstance(results[1], str), results[1]
        assert_agree(*results, rtol=2e-6, value_atol=1e-7, grad_atol=2e-8)


@needs_cc
@pytest.mark.parametrize("name, kw", [("softmax_dice_ce_loss", {}), ("softmax_dice_loss", {"squared": True}),
                                      ("sigmoid_dice_ce_loss", {"pos_weight": torch.tensor(2.0, dtype=F64)}),
                                      ("sigmoid_dice_loss", {"squared": True})])
def test_native_gradcheck_and_second_backward(name, kw):
    x, y = case(F64, seed=1, shape=(2, 3, 4, 3))
    y = y.clamp_max(2)
    if name.startswith("sigmoid"):
        y = torch.nn.functional.one_hot(y.clamp_min(0), 3).movedim(-1, 1).to(F64).contiguous()
    x = x.clamp(-5, 5).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda z: getattr(O, name)(z, y, **kw), (x,))
    value = getattr(O, name)(x, y, **kw)
    (first,) = torch.autograd.grad(value, x, retain_graph=True)
    (second,) = torch.autograd.grad(value, x)  # the first backward consumed p: recomputed
    torch.testing.assert_close(first, second, rtol=0, atol=0)


@needs_cc
@pytest.mark.parametrize("classes", [4, 5])  # the specialised and the general float32 blocks
@pytest.mark.parametrize("name", ["softmax_dice_ce_loss", "softmax_focal_loss"])
def test_native_sums_do_not_depend_on_the_thread_count(classes, name):
    x, y = case(torch.float32, seed=2, shape=(2, classes, 96, 96))
    assert x.numel() >= _native.GRAIN  # else one thread either way
    before = torch.get_num_threads()
    try:
        runs = []
        for threads in (1, 2):
            torch.set_num_threads(threads)
            runs.append(value_and_grad(name, x, y))
    finally:
        torch.set_num_threads(before)
    torch.testing.assert_close(runs[0][0], runs[1][0], rtol=1e-6, atol=0)
    torch.testing.assert_close(runs[0][1], runs[1][1], rtol=0, atol=0)  # per pixel: the same arithmetic


def test_small_calls_run_on_one_thread():
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        assert _native.threads(_native.GRAIN - 1) == 1
        assert _native.threads(_native.GRAIN) == 2
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("name", ["softmax_dice_loss", "sigmoid_dice_loss", "softmax_focal_loss"])
def test_small_images_take_the_torch_path(monkeypatch, name):
    """Below ``MIN_PIXELS`` pixels per image (``(N, C)`` logits above all) torch's kernels are faster: the
    losses do not call the native ones; from it on they do."""
    monkeypatch.setattr(_native, "MIN_PIXELS", 64)
    calls = []
    real = _native.kernels
    monkeypatch.setattr(_native, "kernels", lambda *a, **k: calls.append(a) or real(*a, **k))
    for shape, used in (((6, 3), False), ((2, 3, 7, 9), False), ((2, 3, 8, 8), True)):
        x = torch.randn(*shape)
        y = torch.randint(0, 3, (shape[0], *shape[2:]))
        if name.startswith("sigmoid"):
            y = torch.nn.functional.one_hot(y, 3).movedim(-1, 1).float().contiguous()
        calls.clear()
        value_and_grad(name, x, y)
        assert bool(calls) == used, (shape, calls)


def test_out_of_range_class_index_is_an_error_even_without_validation():
    x, y = case(torch.float32)
    y[0, 0, 0] = 4
    with pytest.raises(ValueError, match=r"softmax_dice_loss: expected `target` class indices in \[0, 3\].*class 4"):
        O.softmax_dice_loss(x, y, validate=False)


def test_non_contiguous_and_half_logits_take_the_torch_path():
    x, y = case(torch.float32, seed=3)
    channels_last = x.detach().to(memory_format=torch.channels_last)
    torch.testing.assert_close(value_and_grad("softmax_dice_ce_loss", channels_last, y)[0],
                               value_and_grad("softmax_dice_ce_loss", x, y)[0])
    value, grad = value_and_grad("softmax_dice_loss", x.half(), y)
    assert value.dtype == torch.float32 and grad.dtype == torch.float16 and torch.isfinite(grad).all()


def test_failed_build_warns_once_and_falls_back(monkeypatch, tmp_path):
    x, y = case(torch.float32, seed=4)
    monkeypatch.setenv("LOSSLAB_NATIVE", "0")
    expected = value_and_grad("softmax_dice_loss", x, y)
    monkeypatch.setenv("LOSSLAB_NATIVE", "1")
    monkeypatch.setenv("CC", "no-such-compiler-losslab")
    monkeypatch.setenv("LOSSLAB_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_native, "_state", {})
    with pytest.warns(RuntimeWarning, match="native overlap kernels unavailable .*no-such-compiler-losslab"):
        got = value_and_grad("softmax_dice_loss", x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value_and_grad("softmax_dice_loss", x, y)  # warned once
    torch.testing.assert_close(got[0], expected[0], rtol=0, atol=0)
    torch.testing.assert_close(got[1], expected[1], rtol=0, atol=0)


@needs_cc
@pytest.mark.parametrize("classes", [4, 5])  # the specialised and the general float32 blocks
def test_native_results_repeat_exactly(classes):
    """Per-thread partial sums are added in thread order: the same inputs and thread count give the same
    bits every time (so a training run repeats)."""
    x, y = case(torch.float32, seed=8, shape=(2, classes, 96, 64))
    masks = torch.nn.functional.one_hot(y.clamp_min(0), classes).movedim(-1, 1).float().contiguous()
    for name, target in (("softmax_dice_ce_loss", y), ("sigmoid_dice_ce_loss", masks)):
        first = value_and_grad(name, x, target)
        for _ in range(4):
            again = value_and_grad(name, x, target)
            assert torch.equal(again[0], first[0]) and torch.equal(again[1], first[1])


@needs_cc
def test_a_failing_flag_set_falls_through_to_the_next_and_leaves_no_files(tmp_path, monkeypatch):
    monkeypatch.setenv("LOSSLAB_CACHE_DIR", str(tmp_path))
    lib, used = _native._load([["-fno-such-flag-losslab"], []])
    assert used == [] and lib.softmax_index_forward_f32 is not None
    assert [p.suffix for p in tmp_path.iterdir()] == [".so"]  # the built library only
    with pytest.raises(RuntimeError, match="could not build overlap.c: .*no-such-flag-losslab"):
        _native._load([["-fno-such-flag-losslab"]])
    assert len(list(tmp_path.iterdir())) == 1
