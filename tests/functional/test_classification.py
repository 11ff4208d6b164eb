"""Classification losses: parity with torch.nn / torchvision's formula / MONAI / official ASL, laws, edges, errors."""

from __future__ import annotations

import itertools
import math

import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st

from losslab import _native
from losslab import nn as lnn
from losslab.functional import (
    asymmetric_loss,
    binary_cross_entropy_probs,
    poly1_cross_entropy,
    sigmoid_cross_entropy,
    sigmoid_focal_loss,
    softmax_cross_entropy,
    softmax_focal_loss,
    softmax_kl_div,
)

REDUCTIONS = ("mean", "sum", "none")
HYP = settings(max_examples=30, deadline=None)
D = torch.float64


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def binary_data(seed=0, shape=(4, 3, 5), soft=False, scale=3.0, dtype=D):
    g = gen(seed)
    x = torch.randn(shape, generator=g, dtype=dtype) * scale
    y = torch.rand(shape, generator=g, dtype=dtype) if soft else (torch.rand(shape, generator=g) < 0.4).to(dtype)
    return x, y


def class_data(seed=0, n=6, c=4, spatial=(), scale=2.0, dtype=D, ignore_frac=0.0):
    g = gen(seed)
    x = torch.randn((n, c, *spatial), generator=g, dtype=dtype) * scale
    t = torch.randint(0, c, (n, *spatial), generator=g)
    if ignore_frac:
        t = torch.where(torch.rand(t.shape, generator=g) < ignore_frac, torch.full_like(t, -100), t)
    return x, t


def soft_targets(seed=0, n=6, c=4, spatial=(), dtype=D, with_zeros=True):
    g = gen(seed + 1000)
    p = torch.softmax(torch.randn((n, c, *spatial), generator=g, dtype=dtype) * 2, 1)
    if with_zeros:  # exact zeros exercise 0·log 0
        p = torch.where(p < 0.1, torch.zeros_like(p), p)
        p = p / p.sum(1, keepdim=True)
    return p


def grad_of(fn, x, *args, **kw):
    xg = x.clone().requires_grad_(True)
    out = fn(xg, *args, **kw)
    (out.sum() if out.dim() else out).backward()
    return out.detach(), xg.grad


def close(a, b, rtol=1e-10, atol=1e-12):
    torch.testing.assert_close(a, b, rtol=rtol, atol=atol)


# ================================================================================ sigmoid cross-entropy
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight", [None, "last", "channel"])
@pytest.mark.parametrize("soft", [False, True])
def test_sigmoid_ce_matches_torch(reduction, pos_weight, soft):
    x, y = binary_data(1, soft=soft)
    pw = {None: None, "last": torch.rand(5, dtype=D) * 3, "channel": torch.rand(3, 1, dtype=D) * 3}[pos_weight]
    ours, g1 = grad_of(sigmoid_cross_entropy, x, y, pos_weight=pw, reduction=reduction)
    ref, g2 = grad_of(TF.binary_cross_entropy_with_logits, x, y, pos_weight=pw, reduction=reduction)
    close(ours, ref)
    close(g1, g2)


def test_sigmoid_ce_weight_rule_and_torch_difference():
    x, y = binary_data(2)
    w = torch.rand(x.shape, generator=gen(3), dtype=D) + 0.2
    none = TF.binary_cross_entropy_with_logits(x, y, reduction="none")
    close(sigmoid_cross_entropy(x, y, weight=w, reduction="none"), TF.binary_cross_entropy_with_logits(
        x, y, weight=w, reduction="none"))
    close(sigmoid_cross_entropy(x, y, weight=w, reduction="sum"), (none * w).sum())
    close(sigmoid_cross_entropy(x, y, weight=w), (none * w).sum() / w.sum())
    # torch's weighted "mean" divides by the element count instead (documented difference)
    close(TF.binary_cross_entropy_with_logits(x, y, weight=w), (none * w).sum() / x.numel())
    # a weight broadcast over the last dimension
    wl = torch.rand(5, dtype=D)
    close(sigmoid_cross_entropy(x, y, weight=wl), (none * wl).sum() / wl.expand(x.shape).sum())


def test_sigmoid_ce_label_smoothing():
    x, y = binary_data(4)
    ls = 0.2
    close(sigmoid_cross_entropy(x, y, label_smoothing=ls, reduction="none"),
          TF.binary_cross_entropy_with_logits(x, y * (1 - ls) + ls / 2, reduction="none"))


@HYP
@given(seed=st.integers(0, 2**31 - 1), shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
       scale=st.sampled_from([1e-3, 1.0, 50.0]), reduction=st.sampled_from(REDUCTIONS), soft=st.booleans())
def test_sigmoid_ce_randomized_parity(seed, shape, scale, reduction, soft):
    x, y = binary_data(seed, shape=shape, scale=scale, soft=soft)
    close(sigmoid_cross_entropy(x, y, reduction=reduction),
          TF.binary_cross_entropy_with_logits(x, y, reduction=reduction))


def test_sigmoid_ce_accepts_bool_and_integer_masks():
    x, y = binary_data(5)
    close(sigmoid_cross_entropy(x, y.bool()), sigmoid_cross_entropy(x, y))
    close(sigmoid_cross_entropy(x, y.to(torch.uint8)), sigmoid_cross_entropy(x, y))


@pytest.mark.parametrize("fn, kw", [(sigmoid_cross_entropy, {"pos_weight": torch.tensor([1.0, 2.0, 0.5, 3.0, 1.0], dtype=D)}),
                                    (sigmoid_focal_loss, {"gamma": 1.5}), (asymmetric_loss, {})],
                         ids=["sigmoid_ce", "sigmoid_focal", "asymmetric"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_sigmoid_ignore_index_leaves_numerator_and_denominator(fn, kw, reduction):
    """Elements equal to ``ignore_index`` are out: the mean is over the others (torch's BCE on them, with
    a per-element weight too), ``"none"`` is 0 there with a zero gradient, and the default ``None`` keeps
    every element (a target of -100 is then out of range)."""
    x, y = binary_data(31, soft=True)
    w = torch.rand(x.shape, generator=gen(32), dtype=D)
    ignored = torch.rand(x.shape, generator=gen(33)) < 0.3
    y_ign = y.masked_fill(ignored, -100)
    xa = x.clone().requires_grad_(True)
    ours = fn(xa, y_ign, ignore_index=-100, weight=w, reduction=reduction, **kw)
    full = fn(x, y.masked_fill(ignored, 0), weight=w * ~ignored, reduction=reduction, **kw)
    close(ours, full)
    ours.sum().backward()
    assert torch.equal(xa.grad[ignored], torch.zeros_like(xa.grad[ignored]))
    if fn is sigmoid_cross_entropy and reduction != "none":
        keep = ~ignored
        pw = kw["pos_weight"].expand(x.shape)[keep]
        ref = TF.binary_cross_entropy_with_logits(x[keep], y[keep], weight=w[keep], pos_weight=pw, reduction="sum")
        close(ours, ref / w[keep].sum() if reduction == "mean" else ref)
    with pytest.raises(ValueError, match=r"expected `target` values in \[0, 1\]"):
        fn(x, y_ign, **kw)
    with pytest.raises(TypeError, match="`ignore_index` to be an int"):
        fn(x, y, ignore_index=0.5, **kw)


# ================================================================================ BCE on probabilities
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_probs_matches_torch_inside_guard(reduction):
    g = gen(6)
    p = torch.rand(5, 7, generator=g, dtype=D).clamp(1e-6, 1 - 1e-6)
    y = torch.rand(5, 7, generator=g, dtype=D)
    ours, g1 = grad_of(binary_cross_entropy_probs, p, y, reduction=reduction)
    ref, g2 = grad_of(TF.binary_cross_entropy, p, y, reduction=reduction)
    close(ours, ref)
    close(g1, g2, rtol=1e-8, atol=1e-10)


def test_bce_probs_finite_at_exact_zero_and_one():
    p = torch.tensor([0.0, 1.0, 0.0, 1.0], dtype=D)
    y = torch.tensor([1.0, 0.0, 0.0, 1.0], dtype=D)
    value, grad = grad_of(binary_cross_entropy_probs, p, y, reduction="none")
    eps = 1e-12
    close(value, torch.tensor([-math.log(eps), -math.log(eps), 0.0, 0.0], dtype=D))
    # the gradient is −y/max(p, eps) + (1 − y)/max(1 − p, eps): finite and pushing the wrong 0/1 back
    close(grad, torch.tensor([-1 / eps, 1 / eps, 1.0, -1.0], dtype=D))
    # torch: log clamped at −100 and the gradient (p − y)/max(p(1 − p), 1e-12)
    tv, tg = grad_of(TF.binary_cross_entropy, p, y, reduction="none")
    close(tv, torch.tensor([100.0, 100.0, 0.0, 0.0], dtype=D))
    assert torch.equal(torch.sign(tg[:2]), torch.sign(grad[:2]))
    p32 = p.float().requires_grad_(True)
    binary_cross_entropy_probs(p32, y.float()).backward()
    assert torch.isfinite(p32.grad).all()
    for half in (torch.float16, torch.bfloat16):  # the gradient fits the input's dtype
        ph = p.to(half).requires_grad_(True)
        binary_cross_entropy_probs(ph, y.to(half), reduction="sum").backward()
        assert torch.isfinite(ph.grad).all(), (half, ph.grad)
    ph = p.half().requires_grad_(True)
    value = binary_cross_entropy_probs(ph, y.half(), reduction="none")
    close(value[:2].double(), torch.full((2,), math.log(65504.0), dtype=D), rtol=1e-6, atol=0)  # eps = 1/65504


# ================================================================================ sigmoid focal
def torchvision_sigmoid_focal(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """torchvision.ops.sigmoid_focal_loss's published formula, rewritten (torchvision is not installed)."""
    p = torch.sigmoid(inputs)
    ce_loss = TF.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    if reduction == "mean":
        loss = loss.mean()
    elif reduction == "sum":
        loss = loss.sum()
    return loss


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 3.7])
@pytest.mark.parametrize("alpha", [0.25, 0.9, None])
@pytest.mark.parametrize("soft", [False, True])
def test_sigmoid_focal_equals_torchvision_formula(reduction, gamma, alpha, soft, focal_path):
    x, y = binary_data(7, soft=soft)
    ours, g1 = grad_of(sigmoid_focal_loss, x, y, gamma=gamma, alpha=alpha, reduction=reduction)
    ref, g2 = grad_of(torchvision_sigmoid_focal, x, y, alpha=-1 if alpha is None else alpha, gamma=gamma,
                      reduction=reduction)
    close(ours, ref)
    close(g1, g2, rtol=1e-8, atol=1e-12)


def test_sigmoid_focal_hard_targets_equal_log_space_form(focal_path):
    x, y = binary_data(8, scale=6.0)
    gamma, alpha = 1.5, 0.3
    log_pt = TF.logsigmoid(x * (2 * y - 1))
    log_1m_pt = TF.logsigmoid(-x * (2 * y - 1))
    at = alpha * y + (1 - alpha) * (1 - y)
    close(sigmoid_focal_loss(x, y, gamma=gamma, alpha=alpha, reduction="none"),
          -at * torch.exp(gamma * log_1m_pt) * log_pt, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("soft", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_sigmoid_focal_gamma_zero_is_cross_entropy(soft, reduction, focal_path):
    x, y = binary_data(9, soft=soft)
    close(sigmoid_focal_loss(x, y, gamma=0.0, alpha=None, reduction=reduction),
          sigmoid_cross_entropy(x, y, reduction=reduction))
    # α is a factor of ℓ: γ = 0 with α gives α_t·BCE
    at = 0.25 * y + 0.75 * (1 - y)
    close(sigmoid_focal_loss(x, y, gamma=0.0, alpha=0.25, reduction="none"),
          at * sigmoid_cross_entropy(x, y, reduction="none"))


@pytest.mark.parametrize("alpha", [None, 0.25, 0.8])
@pytest.mark.parametrize("gamma", [0.0, 2.0, 0.5])
@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_sigmoid_focal_agrees_with_monai(alpha, gamma, reduction, focal_path):
    """MONAI FocalLoss(use_softmax=False, include_background=True, to_onehot_y=False) on hard targets.

    (MONAI's "sum" first averages the spatial dimensions, so it is not compared.)
    """
    from monai.losses import FocalLoss

    x, y = binary_data(10, shape=(2, 3, 4, 5))
    ours = sigmoid_focal_loss(x, y, gamma=gamma, alpha=alpha, reduction=reduction)
    monai = FocalLoss(use_softmax=False, include_background=True, to_onehot_y=False, gamma=gamma, alpha=alpha,
                      reduction=reduction)(x.float(), y.float())
    close(ours.float(), monai, rtol=1e-5, atol=1e-6)


def test_sigmoid_focal_gradient_wrt_soft_target_is_finite(focal_path):
    x, y = binary_data(11, soft=True)
    y = y.clone()
    y[0, 0, :2] = torch.tensor([0.0, 1.0], dtype=D)
    yg = y.clone().requires_grad_(True)
    sigmoid_focal_loss(x, yg, gamma=0.5).backward()
    assert torch.isfinite(yg.grad).all()


# ================================================================================ asymmetric loss
def official_asl(x, y, gamma_neg=4, gamma_pos=1, clip=0.05, eps=1e-8):
    """The official AsymmetricLoss.forward (Alibaba-MIIL/ASL, disable_torch_grad_focal_loss=False), rewritten."""
    x_sigmoid = torch.sigmoid(x)
    xs_pos = x_sigmoid
    xs_neg = 1 - x_sigmoid
    if clip is not None and clip > 0:
        xs_neg = (xs_neg + clip).clamp(max=1)
    los_pos = y * torch.log(xs_pos.clamp(min=eps))
    los_neg = (1 - y) * torch.log(xs_neg.clamp(min=eps))
    loss = los_pos + los_neg
    if gamma_neg > 0 or gamma_pos > 0:
        pt0 = xs_pos * y
        pt1 = xs_neg * (1 - y)
        pt = pt0 + pt1
        one_sided_gamma = gamma_pos * y + gamma_neg * (1 - y)
        one_sided_w = torch.pow(1 - pt, one_sided_gamma)
        loss = loss * one_sided_w
    return -loss.sum()


@pytest.mark.parametrize("gamma_pos,gamma_neg,clip", [(0, 4, 0.05), (1, 4, 0.05), (0.5, 2.5, 0.1), (2, 2, 0.0),
                                                      (0, 0, 0.0), (1, 3, 0.3)])
def test_asymmetric_equals_official_formula(gamma_pos, gamma_neg, clip):
    x, y = binary_data(12, scale=2.0)  # moderate logits: the official 1e-8 clamp is inactive
    ours, g1 = grad_of(asymmetric_loss, x, y, gamma_pos=gamma_pos, gamma_neg=gamma_neg, clip=clip, reduction="sum")
    ref, g2 = grad_of(official_asl, x, y, gamma_neg=gamma_neg, gamma_pos=gamma_pos, clip=clip)
    close(ours, ref)
    close(g1, g2, rtol=1e-8, atol=1e-12)
    close(asymmetric_loss(x, y, gamma_pos=gamma_pos, gamma_neg=gamma_neg, clip=clip), ref / x.numel())


def test_asymmetric_special_cases():
    x, y = binary_data(13, scale=4.0)
    close(asymmetric_loss(x, y, gamma_pos=0, gamma_neg=0, clip=0, reduction="none"),
          sigmoid_cross_entropy(x, y, reduction="none"))
    close(asymmetric_loss(x, y, gamma_pos=2, gamma_neg=2, clip=0, reduction="none"),
          sigmoid_focal_loss(x, y, gamma=2, alpha=None, reduction="none"))
    # negatives with p <= clip cost exactly 0
    xn = torch.tensor([-5.0, -3.0], dtype=D)
    assert torch.equal(asymmetric_loss(xn, torch.zeros(2, dtype=D), clip=0.05, reduction="none"),
                       torch.zeros(2, dtype=D))


def test_asymmetric_soft_targets_are_per_term():
    x, y = binary_data(14, soft=True)
    pos = asymmetric_loss(x, torch.ones_like(y), reduction="none", gamma_pos=1.0)
    neg = asymmetric_loss(x, torch.zeros_like(y), reduction="none", gamma_pos=1.0)
    close(asymmetric_loss(x, y, reduction="none", gamma_pos=1.0), y * pos + (1 - y) * neg)


# ================================================================================ softmax cross-entropy
CE_CONFIGS = list(itertools.product(REDUCTIONS, [False, True], [-100, 2], [0.0, 0.15], [(), (3, 2)]))


@pytest.mark.parametrize("reduction,use_cw,ignore_index,ls,spatial", CE_CONFIGS)
def test_softmax_ce_index_matches_torch(reduction, use_cw, ignore_index, ls, spatial):
    x, t = class_data(15, spatial=spatial, ignore_frac=0.25 if ignore_index == -100 else 0.0)
    cw = torch.rand(4, generator=gen(16), dtype=D) + 0.1 if use_cw else None
    kw = dict(weight=cw, ignore_index=ignore_index, label_smoothing=ls, reduction=reduction)
    ref, g2 = grad_of(TF.cross_entropy, x, t, **kw)
    ours, g1 = grad_of(softmax_cross_entropy, x, t, class_weight=cw, ignore_index=ignore_index, label_smoothing=ls,
                       reduction=reduction)
    close(ours, ref)
    close(g1, g2)


@pytest.mark.parametrize("reduction,use_cw,ls,spatial",
                         list(itertools.product(REDUCTIONS, [False, True], [0.0, 0.15], [(), (3,)])))
def test_softmax_ce_probability_targets(reduction, use_cw, ls, spatial):
    x, _ = class_data(17, spatial=spatial)
    p = soft_targets(17, spatial=spatial)
    cw = torch.rand(4, generator=gen(18), dtype=D) + 0.1 if use_cw else None
    ours = softmax_cross_entropy(x, p, class_weight=cw, label_smoothing=ls, reduction=reduction)
    ref = TF.cross_entropy(x, p, weight=cw, label_smoothing=ls, reduction=reduction)
    if reduction == "mean" and use_cw:
        # ours: Σℓ / Σ_i Σ_k c_k y_ik (torch divides by N): the formula we claim
        none = TF.cross_entropy(x, p, weight=cw, label_smoothing=ls, reduction="none")
        close(ours, none.sum() / (p * cw.view(1, -1, *([1] * len(spatial)))).sum())
        assert not torch.allclose(ours, ref)
    else:
        close(ours, ref)


@pytest.mark.parametrize("reduction,use_cw,ls", list(itertools.product(REDUCTIONS, [False, True], [0.0, 0.2])))
def test_softmax_ce_one_hot_equals_index(reduction, use_cw, ls):
    x, t = class_data(19, spatial=(2,))
    onehot = TF.one_hot(t, 4).movedim(-1, 1).to(D)
    cw = torch.rand(4, generator=gen(20), dtype=D) + 0.1 if use_cw else None
    w = torch.rand(t.shape, generator=gen(21), dtype=D)
    for kw in ({}, {"weight": w}):
        close(softmax_cross_entropy(x, onehot, class_weight=cw, label_smoothing=ls, reduction=reduction, **kw),
              softmax_cross_entropy(x, t, class_weight=cw, label_smoothing=ls, reduction=reduction, **kw))


def test_softmax_ce_element_weight_rule():
    x, t = class_data(22, ignore_frac=0.3)
    cw = torch.rand(4, generator=gen(23), dtype=D) + 0.1
    w = torch.rand(t.shape, generator=gen(24), dtype=D) + 0.1
    none = TF.cross_entropy(x, t, weight=cw, reduction="none", label_smoothing=0.1)
    keep = t != -100
    den = (w * cw[t.clamp_min(0)] * keep).sum()
    close(softmax_cross_entropy(x, t, class_weight=cw, weight=w, label_smoothing=0.1), (w * none).sum() / den)
    close(softmax_cross_entropy(x, t, weight=w), (w * TF.cross_entropy(x, t, reduction="none")).sum()
          / (w * keep).sum())


@pytest.mark.parametrize("fn", [softmax_cross_entropy, softmax_focal_loss, poly1_cross_entropy])
def test_all_ignored_is_zero_with_zero_grad(fn):
    x, t = class_data(25, spatial=(2,))
    t = torch.full_like(t, -100)
    for reduction in ("mean", "sum"):
        value, grad = grad_of(fn, x, t, reduction=reduction)
        assert float(value) == 0.0 and torch.equal(grad, torch.zeros_like(x))
    assert TF.cross_entropy(x, t).isnan()  # torch's mean of nothing


def test_softmax_ce_ignore_index_inside_class_range_equals_cropping():
    x, t = class_data(26, n=10)
    keep = t != 1
    close(softmax_cross_entropy(x, t, ignore_index=1), softmax_cross_entropy(x[keep], t[keep]))


def test_two_class_softmax_equals_sigmoid_of_difference():
    x, t = class_data(27, n=9, c=2, spatial=(3,))
    d = x[:, 1] - x[:, 0]
    for reduction in REDUCTIONS:
        close(softmax_cross_entropy(x, t, reduction=reduction), sigmoid_cross_entropy(d, t.to(D), reduction=reduction))
    close(softmax_focal_loss(x, t, gamma=1.5, reduction="none"),
          sigmoid_focal_loss(d, t.to(D), gamma=1.5, alpha=None, reduction="none"))


@HYP
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 5), c=st.integers(2, 5), spatial=st.sampled_from([(), (2,), (2, 3)]),
       ls=st.sampled_from([0.0, 0.3]), reduction=st.sampled_from(REDUCTIONS), cw=st.booleans(), scale=st.sampled_from([0.1, 3.0, 40.0]))
def test_softmax_ce_randomized_parity(seed, n, c, spatial, ls, reduction, cw, scale):
    x, t = class_data(seed, n=n, c=c, spatial=spatial, scale=scale)
    w = torch.rand(c, generator=gen(seed), dtype=D) + 0.05 if cw else None
    close(softmax_cross_entropy(x, t, class_weight=w, label_smoothing=ls, reduction=reduction),
          TF.cross_entropy(x, t, weight=w, label_smoothing=ls, reduction=reduction))


def test_softmax_ce_accepts_int32_targets():
    x, t = class_data(28)
    close(softmax_cross_entropy(x, t.int()), TF.cross_entropy(x, t))


# ================================================================================ softmax focal
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("spatial", [(), (3, 2)])
def test_softmax_focal_gamma_zero_is_cross_entropy_exactly(reduction, spatial):
    x, t = class_data(29, spatial=spatial, ignore_frac=0.2)
    assert torch.equal(softmax_focal_loss(x, t, gamma=0.0, reduction=reduction),
                       softmax_cross_entropy(x, t, reduction=reduction))
    p = soft_targets(29, spatial=spatial)
    assert torch.equal(softmax_focal_loss(x, p, gamma=0.0, reduction=reduction),
                       softmax_cross_entropy(x, p, reduction=reduction))


@pytest.mark.parametrize("reduction", ["none", "sum"])
def test_softmax_focal_gamma_zero_alpha_is_class_weighted_ce(reduction):
    x, t = class_data(30, spatial=(2,))
    a = torch.rand(4, generator=gen(31), dtype=D) + 0.1
    close(softmax_focal_loss(x, t, gamma=0.0, alpha=a, reduction=reduction),
          softmax_cross_entropy(x, t, class_weight=a, reduction=reduction))
    # … but α is not in the denominator of the mean (class_weight is)
    none = softmax_focal_loss(x, t, gamma=0.0, alpha=a, reduction="none")
    close(softmax_focal_loss(x, t, gamma=0.0, alpha=a), none.mean())


@pytest.mark.parametrize("gamma", [0.5, 2.0, 3.3])
@pytest.mark.parametrize("use_alpha", [False, True])
def test_softmax_focal_formula(gamma, use_alpha):
    x, t = class_data(32, spatial=(3,), ignore_frac=0.2)
    a = torch.rand(4, generator=gen(33), dtype=D) + 0.1 if use_alpha else None
    p = torch.softmax(x, 1)
    keep = t != -100
    ts = t.clamp_min(0)
    py = p.gather(1, ts.unsqueeze(1)).squeeze(1)
    ref = -(1 - py) ** gamma * torch.log(py) * (a[ts] if use_alpha else 1)
    ref = torch.where(keep, ref, torch.zeros_like(ref))
    close(softmax_focal_loss(x, t, gamma=gamma, alpha=a, reduction="none"), ref)
    close(softmax_focal_loss(x, t, gamma=gamma, alpha=a), ref.sum() / keep.sum())
    q = soft_targets(32, spatial=(3,))
    ref_soft = -((a.view(1, -1, 1) if use_alpha else 1) * q * (1 - p) ** gamma * torch.log(p)).sum(1)
    close(softmax_focal_loss(x, q, gamma=gamma, alpha=a, reduction="none"), ref_soft)


@pytest.mark.parametrize("gamma", [0.0, 2.0, 0.5])
@pytest.mark.parametrize("alpha", [None, (0.2, 0.5, 0.9, 0.4)])
def test_softmax_focal_agrees_with_monai(gamma, alpha):
    """MONAI FocalLoss(use_softmax=True, to_onehot_y=True, include_background=True, reduction="none")
    returns the per-class terms; their sum over the class dimension is ours."""
    from monai.losses import FocalLoss

    x, t = class_data(34, n=3, spatial=(4, 5))
    a = None if alpha is None else torch.tensor(alpha, dtype=D)
    ours = softmax_focal_loss(x, t, gamma=gamma, alpha=a, reduction="none")
    monai = FocalLoss(use_softmax=True, to_onehot_y=True, include_background=True, gamma=gamma,
                      alpha=None if alpha is None else list(alpha), reduction="none")(x.float(), t.unsqueeze(1))
    close(ours.float(), monai.sum(1), rtol=1e-5, atol=1e-6)


# ---- softmax focal, class-index targets: the analytic-backward autograd.Function
def _focal_index_oracle(x, t, gamma=2.0, alpha=None, weight=None, ignore_index=-100, reduction="mean"):
    """The previous plain-autograd formulation of the index-target path (log_softmax → gather → focal)."""
    from losslab._numerics import focal_factor, log_softmax_complement
    from losslab._reduction import reduce_loss

    x = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    mask = t != ignore_index
    safe = torch.where(mask, t, torch.zeros_like(t))
    lp = TF.log_softmax(x, 1).gather(1, safe.unsqueeze(1)).squeeze(1)
    loss = -lp if gamma == 0 else -(focal_factor(log_softmax_complement(lp), gamma) * lp)
    if alpha is not None:
        loss = loss * alpha[safe]
    return reduce_loss(loss, reduction, weight=weight, mask=mask)


@pytest.fixture(params=["native", "torch"])
def focal_path(request, monkeypatch):
    """Run a test on the native focal kernels (softmax and sigmoid) and on the torch path; returns the check of
    a value against the autograd oracle: bit-equal on the torch path (the same sequence of operations), equal to rounding on the
    native one (which computes log p_t and 1 − p_t more accurately near p_t = 1, so only to a tolerance)."""
    monkeypatch.setenv("LOSSLAB_NATIVE", "1" if request.param == "native" else "0")
    monkeypatch.setattr(_native, "MIN_PIXELS", 1)  # the kernels also for these few-pixel inputs

    def same(ours, ref):
        if request.param == "torch":
            assert torch.equal(ours, ref)
        else:
            close(ours, ref, rtol=1e-12 if ours.dtype == torch.float64 else 1e-5, atol=1e-30)
    same.native = request.param == "native"
    return same


FOCAL_INDEX_CASES = list(itertools.product([0.0, 0.5, 2.0], [False, True], [0.0, 0.3], [(), (3,), (2, 3, 2)]))


@pytest.mark.parametrize("gamma,use_alpha,ignore_frac,spatial", FOCAL_INDEX_CASES)
def test_softmax_focal_index_gradcheck(gamma, use_alpha, ignore_frac, spatial):
    x, t = class_data(40, n=2, spatial=spatial, ignore_frac=ignore_frac)
    a = torch.rand(4, generator=gen(41), dtype=D) + 0.1 if use_alpha else None
    w = torch.rand(t.shape, generator=gen(42), dtype=D)
    for reduction, weight in [("mean", None), ("sum", None), ("none", None), ("mean", w), ("none", w)]:
        def f(z, reduction=reduction, weight=weight):
            return softmax_focal_loss(z, t, gamma=gamma, alpha=a, weight=weight, reduction=reduction)
        assert torch.autograd.gradcheck(f, (x.clone().requires_grad_(True),))
    assert torch.autograd.gradgradcheck(lambda z: softmax_focal_loss(z, t, gamma=gamma, alpha=a, weight=w),
                                        (x.clone().requires_grad_(True),))


@pytest.mark.parametrize("gamma,use_alpha,ignore_frac,spatial", FOCAL_INDEX_CASES)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_softmax_focal_index_equals_autograd_oracle(gamma, use_alpha, ignore_frac, spatial, dtype, focal_path):
    x, t = class_data(43, n=3, spatial=spatial, ignore_frac=ignore_frac, scale=4.0, dtype=dtype)
    a = torch.rand(4, generator=gen(44), dtype=dtype) + 0.1 if use_alpha else None
    w = torch.rand(t.shape, generator=gen(45), dtype=dtype)
    tol = {} if dtype == torch.float64 else {"rtol": 1e-5, "atol": 1e-7}
    for reduction, weight in itertools.product(REDUCTIONS, [None, w]):
        kw = dict(gamma=gamma, alpha=a, weight=weight, reduction=reduction)
        ours, g_ours = grad_of(softmax_focal_loss, x, t, **kw)
        if focal_path.native and (gamma, a) != (0.0, None):  # γ = 0 without α is torch's cross-entropy
            # the kernels are more accurate than the float32 oracle near p_t = 1: compare with float64
            kw = {k: v.double() if isinstance(v, torch.Tensor) else v for k, v in kw.items()}
            ref, g_ref = (v.to(dtype) for v in grad_of(_focal_index_oracle, x.double(), t, **kw))
        elif gamma == 0 and a is None and weight is None and reduction != "none":  # torch's reduction, bit for bit
            ref, g_ref = grad_of(TF.cross_entropy, x, t, reduction=reduction)
        else:
            ref, g_ref = grad_of(_focal_index_oracle, x, t, **kw)
        focal_path(ours, ref)
        close(g_ours, g_ref, **tol)


def _focal_exact(x: torch.Tensor, t: torch.Tensor, gamma: float, alpha: torch.Tensor):
    """Unreduced softmax focal loss and its gradient in 40-digit decimal arithmetic (as float64)."""
    import decimal

    ctx = decimal.Context(prec=40, Emin=-10**6)
    loss, grad = [], []
    for row, k in zip(x.double().tolist(), t.tolist()):
        z = [ctx.create_decimal_from_float(v) for v in row]
        e = [ctx.exp(ctx.subtract(v, max(z))) for v in z]
        total = sum(e, decimal.Decimal(0))
        p = [ctx.divide(v, total) for v in e]
        q, lp = ctx.subtract(1, p[k]), ctx.ln(p[k])
        f = ctx.power(q, ctx.create_decimal_from_float(gamma)) if q else decimal.Decimal(0)
        a = ctx.create_decimal_from_float(float(alpha[k]))
        # k = α f (1 − γ p_t L / q), in the limit q → 0 (where p_t L / q → −1) α f (1 + γ)
        kk = a * f * (1 - ctx.create_decimal_from_float(gamma) * p[k] * lp / q) if q else decimal.Decimal(0)
        loss.append(float(-a * f * lp))
        grad.append([float(kk * (pc - (1 if c == k else 0))) for c, pc in enumerate(p)])
    return torch.tensor(loss, dtype=torch.float64), torch.tensor(grad, dtype=torch.float64)


@pytest.mark.parametrize("gamma", [0.25, 0.5, 1.0, 2.0, 2.5, 4.0, 4.5])  # γ·p_t/q overflowed the native k at 4
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_softmax_focal_index_saturated_logits_finite_and_match_oracle(gamma, dtype, focal_path):
    x = torch.tensor([[1e4, -1e4, 0.0, 3.0], [-1e4, 1e4, 1e4, -1e4], [0.0, 0.0, 0.0, 1e4],
                      [30.0, -30.0, 0.0, 1.0]], dtype=dtype)
    t = torch.tensor([0, 0, 3, 0])  # saturated-right, saturated-wrong, exact 1 − p = 0 (clamped), p_t ≈ 1
    a = torch.tensor([0.2, 0.5, 0.9, 0.4], dtype=dtype)
    for reduction in REDUCTIONS:
        ours, g_ours = grad_of(softmax_focal_loss, x, t, gamma=gamma, alpha=a, reduction=reduction)
        ref, g_ref = grad_of(_focal_index_oracle, x, t, gamma=gamma, alpha=a, reduction=reduction)
        assert torch.isfinite(ours).all() and torch.isfinite(g_ours).all()
        if not focal_path.native:
            focal_path(ours, ref)
            close(g_ours, g_ref, rtol=1e-6, atol=1e-30)
    if focal_path.native:
        # the native values are accurate to rounding also where p_t rounds to 1 (the torch path's log p_t there
        # has a relative error of 3e-4 in float64, and is 0 in float32, below 1e-15 in absolute terms); the
        # gradient's p_t − 1 has an absolute error of order k·eps, as torch's softmax − one-hot
        exact, g_exact = _focal_exact(x, t, gamma, a)
        ours, g_ours = grad_of(softmax_focal_loss, x, t, gamma=gamma, alpha=a, reduction="sum")
        none = softmax_focal_loss(x, t, gamma=gamma, alpha=a, reduction="none")
        f64 = dtype == torch.float64
        close(none.double(), exact, rtol=1e-13 if f64 else 1e-5, atol=1e-300 if f64 else 1e-44)
        close(g_ours.double(), g_exact, rtol=1e-13 if f64 else 1e-5, atol=1e-15 if f64 else 1e-7)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_softmax_focal_index_half_computed_in_float32(dtype, focal_path):
    x, t = class_data(46, n=2, spatial=(5, 3), ignore_frac=0.2, dtype=torch.float32)
    xh = x.to(dtype)
    ours, g_ours = grad_of(softmax_focal_loss, xh, t, gamma=0.5)
    ref, g_ref = grad_of(_focal_index_oracle, xh, t, gamma=0.5)
    assert ours.dtype == torch.float32 and g_ours.dtype == dtype
    focal_path(ours, ref)
    focal_path(g_ours.float(), g_ref.float())


def test_softmax_focal_index_double_backward_matches_oracle():
    x, t = class_data(47, n=2, spatial=(3, 2), ignore_frac=0.2)
    a = torch.rand(4, generator=gen(48), dtype=D) + 0.1
    v = torch.randn(x.shape, generator=gen(49), dtype=D)
    out = []
    for f in (softmax_focal_loss, _focal_index_oracle):
        xg = x.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(f(xg, t, gamma=1.5, alpha=a), xg, create_graph=True)
        (hv,) = torch.autograd.grad((g * v).sum(), xg)
        out.append((g.detach(), hv))
    close(out[0][0], out[1][0])
    close(out[0][1], out[1][1])


def test_softmax_focal_index_alpha_gradient_and_retained_graph():
    x, t = class_data(50, n=2, spatial=(4,), ignore_frac=0.2)
    grads = []
    for f in (softmax_focal_loss, _focal_index_oracle):
        xg = x.clone().requires_grad_(True)
        a = (torch.rand(4, generator=gen(51), dtype=D) + 0.1).requires_grad_(True)
        loss = f(xg, t, gamma=2.0, alpha=a, reduction="sum")
        loss.backward(retain_graph=True)
        first = xg.grad.clone()
        loss.backward()  # a second backward through the retained graph adds the same gradient again
        close(xg.grad, 2 * first)
        grads.append((first, a.grad / 2))
    close(grads[0][0], grads[1][0])
    close(grads[0][1], grads[1][1])


def test_softmax_focal_index_ignore_index_inside_class_range_and_all_ignored(focal_path):
    x, t = class_data(52, n=4, spatial=(3,))
    for ignore_index in (1, 0):
        ours, g_ours = grad_of(softmax_focal_loss, x, t, gamma=0.5, ignore_index=ignore_index)
        ref, g_ref = grad_of(_focal_index_oracle, x, t, gamma=0.5, ignore_index=ignore_index)
        focal_path(ours, ref)
        close(g_ours, g_ref)
    empty_x, empty_t = x[:0], t[:0]
    value, grad = grad_of(softmax_focal_loss, empty_x, empty_t, gamma=2.0)
    assert float(value) == 0.0 and grad.shape == empty_x.shape


@pytest.mark.parametrize("name", ["softmax_cross_entropy", "softmax_focal_loss", "poly1_cross_entropy",
                                  "sigmoid_cross_entropy"])
def test_ignore_index_beyond_int64_is_a_clear_error(name):
    """torch's losses take an int64 ``ignore_index``: beyond it, a ValueError naming the argument (was a raw
    OverflowError or torch's "Overflow when unpacking long long")."""
    import losslab.functional as LF

    x, t = class_data(53, spatial=(2,))
    if name.startswith("sigmoid"):
        x, t = binary_data(53)
    for value in (2**63, -(2**63) - 1, 2**70):
        with pytest.raises(ValueError, match=rf"{name}: expected `ignore_index` to be an int64.*got {value}"):
            getattr(LF, name)(x, t, ignore_index=value)


# ================================================================================ poly-1
@pytest.mark.parametrize("reduction,use_cw,ls", list(itertools.product(REDUCTIONS, [False, True], [0.0, 0.2])))
def test_poly1_epsilon_zero_is_cross_entropy(reduction, use_cw, ls):
    x, t = class_data(35, spatial=(2,), ignore_frac=0.2)
    cw = torch.rand(4, generator=gen(36), dtype=D) + 0.1 if use_cw else None
    kw = dict(class_weight=cw, label_smoothing=ls, reduction=reduction)
    close(poly1_cross_entropy(x, t, epsilon=0.0, **kw), softmax_cross_entropy(x, t, **kw))
    q = soft_targets(35, spatial=(2,))
    close(poly1_cross_entropy(x, q, epsilon=0.0, **kw), softmax_cross_entropy(x, q, **kw))


@pytest.mark.parametrize("epsilon", [1.0, -0.7, 3.0])
@pytest.mark.parametrize("ls", [0.0, 0.1])
@pytest.mark.parametrize("use_cw", [False, True])
def test_poly1_formula(epsilon, ls, use_cw):
    x, t = class_data(37, ignore_frac=0.2)
    cw = torch.rand(4, generator=gen(38), dtype=D) + 0.1 if use_cw else None
    keep = t != -100
    ts = t.clamp_min(0)
    p = torch.softmax(x, 1)
    onehot = TF.one_hot(ts, 4).to(D)
    yt = onehot * (1 - ls) + ls / 4
    pt = (yt * p).sum(1)  # the paper's code: p_t = Σ_c y_c p_c with the smoothed labels
    ce = TF.cross_entropy(x, t, weight=cw, label_smoothing=ls, reduction="none")
    cy = cw[ts] if use_cw else torch.ones_like(pt)
    ref = torch.where(keep, ce + epsilon * cy * (1 - pt), torch.zeros_like(ce))
    close(poly1_cross_entropy(x, t, epsilon=epsilon, class_weight=cw, label_smoothing=ls, reduction="none"), ref)
    close(poly1_cross_entropy(x, t, epsilon=epsilon, class_weight=cw, label_smoothing=ls),
          ref.sum() / (cy * keep).sum())
    # probability targets: one-hot rows give the index result
    close(poly1_cross_entropy(x[keep], onehot[keep], epsilon=epsilon, class_weight=cw, label_smoothing=ls),
          poly1_cross_entropy(x, t, epsilon=epsilon, class_weight=cw, label_smoothing=ls))


def test_poly1_soft_target_formula():
    x, _ = class_data(39)
    q = soft_targets(39)
    p = torch.softmax(x, 1)
    ref = -(q * torch.log_softmax(x, 1)).sum(1) + 2.0 * (1 - (q * p).sum(1))
    close(poly1_cross_entropy(x, q, epsilon=2.0, reduction="none"), ref)


# ================================================================================ KL divergence
def test_kl_div_log_target_of_zero_probability_is_zero_times_log_zero():
    # a log-target of −inf is probability 0: the same loss and gradient as the probability target (torch: NaN)
    x, _ = class_data(41, n=6, c=4)
    t = soft_targets(41, n=6, c=4, with_zeros=True)
    assert bool((t == 0).any())
    ours, g1 = grad_of(softmax_kl_div, x, torch.log(t), log_target=True)
    ref, g2 = grad_of(softmax_kl_div, x, t)
    close(ours, ref)
    close(g1, g2)
    assert torch.isfinite(g1).all()


@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch_batchmean(log_target):
    x, _ = class_data(40, n=7, c=5)
    t = soft_targets(40, n=7, c=5, with_zeros=not log_target)
    tt = torch.log(t) if log_target else t
    lp = torch.log_softmax(x, 1)
    ours, g1 = grad_of(softmax_kl_div, x, tt, log_target=log_target)
    ref, g2 = grad_of(lambda z, tgt: TF.kl_div(torch.log_softmax(z, 1), tgt, reduction="batchmean",
                                               log_target=log_target), x, tt)
    close(ours, ref)
    close(g1, g2)
    close(softmax_kl_div(x, tt, log_target=log_target, reduction="none"),
          TF.kl_div(lp, tt, reduction="none", log_target=log_target).sum(1))
    close(softmax_kl_div(x, tt, log_target=log_target, reduction="sum"),
          TF.kl_div(lp, tt, reduction="sum", log_target=log_target))
    # the trap: torch's "mean" divides by N·C
    with pytest.warns(UserWarning, match="batchmean"):
        torch_mean = TF.kl_div(lp, tt, reduction="mean", log_target=log_target)
    close(torch_mean * 5, ours)


def test_kl_div_zero_probabilities_and_index_targets():
    x, t = class_data(41)
    onehot = TF.one_hot(t, 4).to(D)
    close(softmax_kl_div(x, onehot, reduction="none"), TF.cross_entropy(x, t, reduction="none"))
    close(softmax_kl_div(x, t, reduction="none"), TF.cross_entropy(x, t, reduction="none"))
    # KL is zero where the target equals the prediction
    close(softmax_kl_div(x, torch.softmax(x, 1), reduction="none"), torch.zeros(6, dtype=D), atol=1e-14, rtol=0)


def test_kl_div_spatial_mean_is_over_positions():
    x, _ = class_data(42, spatial=(3,))
    t = soft_targets(42, spatial=(3,))
    none = softmax_kl_div(x, t, reduction="none")
    assert none.shape == (6, 3)
    close(softmax_kl_div(x, t), none.mean())


# ================================================================================ every function: edges
BINARY_FNS = [
    (sigmoid_cross_entropy, {}),
    (sigmoid_focal_loss, {"gamma": 2.0}),
    (sigmoid_focal_loss, {"gamma": 0.5, "alpha": None}),
    (asymmetric_loss, {}),
    (asymmetric_loss, {"gamma_pos": 0.5, "gamma_neg": 0.5, "clip": 0.0}),
    (asymmetric_loss, {"gamma_pos": 0.5, "gamma_neg": 0.5, "clip": 0.05}),
]
CLASS_FNS = [
    (softmax_cross_entropy, {}),
    (softmax_cross_entropy, {"label_smoothing": 0.1, "class_weight": torch.tensor([1.0, 2.0, 0.5, 1.0])}),
    (softmax_focal_loss, {"gamma": 2.0}),
    (softmax_focal_loss, {"gamma": 0.5}),
    (poly1_cross_entropy, {}),
    (softmax_kl_div, {}),
]
FN_ID = lambda case: f"{case[0].__name__}-{case[1]}"  # noqa: E731


@pytest.mark.parametrize("case", BINARY_FNS, ids=FN_ID)
@pytest.mark.parametrize("soft", [False, True])
def test_binary_extreme_logits_finite(case, soft):
    fn, kw = case
    x, y = binary_data(43, soft=soft, dtype=torch.float32)
    x = torch.cat([x.sign() * 1e4, torch.full_like(x, 1e4), torch.full_like(x, -1e4)])
    y = torch.cat([y, y, y])
    value, grad = grad_of(fn, x, y, **kw)
    assert torch.isfinite(value).all() and torch.isfinite(grad).all()
    assert float(value) >= 0


@pytest.mark.parametrize("case", CLASS_FNS, ids=FN_ID)
@pytest.mark.parametrize("soft", [False, True])
def test_class_extreme_logits_finite(case, soft):
    fn, kw = case
    x, t = class_data(44, spatial=(3,), dtype=torch.float32)
    x = x.sign() * 1e4
    x[0] = 1e4  # ties at saturation
    target = soft_targets(44, spatial=(3,), dtype=torch.float32) if soft else t
    value, grad = grad_of(fn, x, target, **kw)
    assert torch.isfinite(value).all() and torch.isfinite(grad).all()
    # a confident right answer costs (almost) nothing and a confident wrong one about the margin
    good = TF.one_hot(t, 4).movedim(-1, 1).float() * 2e4 - 1e4
    assert float(fn(good, t, **kw)) < 1e-3 or fn is poly1_cross_entropy or kw.get("label_smoothing")


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("case", BINARY_FNS + CLASS_FNS, ids=FN_ID)
def test_half_precision_is_computed_in_float32(case, dtype):
    fn, kw = case
    if fn in (softmax_cross_entropy, softmax_focal_loss, poly1_cross_entropy, softmax_kl_div):
        x, y = class_data(45, spatial=(2,), dtype=torch.float32)
    else:
        x, y = binary_data(45, dtype=torch.float32)
    xh = x.to(dtype).requires_grad_(True)
    yh = y.to(dtype) if y.is_floating_point() else y
    value = fn(xh, yh, **kw)
    assert value.dtype == torch.float32
    value.backward()
    assert xh.grad.dtype == dtype and torch.isfinite(xh.grad.float()).all()
    close(value, fn(xh.detach().float(), yh.float() if yh.is_floating_point() else yh, **kw), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", BINARY_FNS + CLASS_FNS + [(binary_cross_entropy_probs, {})], ids=FN_ID)
def test_inputs_are_not_modified(case):
    fn, kw = case
    if fn in (softmax_cross_entropy, softmax_focal_loss, poly1_cross_entropy, softmax_kl_div):
        x, _ = class_data(46)
        y = soft_targets(46)
    else:
        x, y = binary_data(46, soft=True)
        if fn is binary_cross_entropy_probs:
            x = torch.sigmoid(x)
    w = torch.rand(x.shape if y.shape == x.shape and fn not in (softmax_cross_entropy, softmax_focal_loss,
                                                                poly1_cross_entropy, softmax_kl_div)
                   else x.shape[:1], dtype=D)
    copies = [t.clone() for t in (x, y, w)]
    fn(x.requires_grad_(True), y, weight=w, **kw).backward()
    for a, b in zip((x.detach(), y, w), copies):
        assert torch.equal(a, b)


# ================================================================================ modules
MODULES = [
    (lnn.SigmoidCrossEntropyLoss, sigmoid_cross_entropy, {"pos_weight": torch.tensor([1.0, 2.0, 3.0, 1.0, 0.5]),
                                                         "label_smoothing": 0.1}, "binary"),
    (lnn.BinaryCrossEntropyProbsLoss, binary_cross_entropy_probs, {"eps": 1e-7}, "probs"),
    (lnn.SigmoidFocalLoss, sigmoid_focal_loss, {"gamma": 1.5, "alpha": None}, "binary"),
    (lnn.AsymmetricLoss, asymmetric_loss, {"gamma_pos": 1.0, "gamma_neg": 3.0, "clip": 0.1}, "binary"),
    (lnn.SoftmaxCrossEntropyLoss, softmax_cross_entropy, {"class_weight": torch.tensor([1.0, 2.0, 1.0, 0.5]),
                                                         "label_smoothing": 0.1, "ignore_index": 3}, "class"),
    (lnn.SoftmaxFocalLoss, softmax_focal_loss, {"gamma": 1.0, "alpha": torch.tensor([0.2, 0.3, 0.4, 0.1])}, "class"),
    (lnn.Poly1CrossEntropyLoss, poly1_cross_entropy, {"epsilon": 2.0, "label_smoothing": 0.05}, "class"),
    (lnn.SoftmaxKLDivLoss, softmax_kl_div, {"log_target": True}, "kl"),
]


@pytest.mark.parametrize("module,fn,config,kind", MODULES, ids=lambda v: getattr(v, "__name__", ""))
def test_module_is_the_functional(module, fn, config, kind):
    m = module(**config, reduction="sum")
    if kind in ("binary", "probs"):
        x, y = binary_data(47)
        if kind == "probs":
            x = torch.sigmoid(x)
    elif kind == "class":
        x, y = class_data(47)
    else:
        x, _ = class_data(47)
        y = torch.log(soft_targets(47, with_zeros=False))
    cfg = {k: (v.to(D) if isinstance(v, torch.Tensor) else v) for k, v in config.items()}
    m = m.double()
    assert torch.equal(m(x, y), fn(x, y, reduction="sum", **cfg))
    w = torch.rand(x.shape if kind in ("binary", "probs") else x.shape[:1] + x.shape[2:], dtype=D)
    assert torch.equal(m(x, y, weight=w), fn(x, y, reduction="sum", weight=w, **cfg))
    for v in config.values():
        if isinstance(v, torch.Tensor):
            assert any(b.shape == v.shape for b in m.buffers())
    assert module.key and module.__doc__


@pytest.mark.parametrize("module,kwargs,name", [
    (lnn.SigmoidFocalLoss, {"gamma": -1.0}, "gamma"),
    (lnn.SigmoidFocalLoss, {"alpha": 1.5}, "alpha"),
    (lnn.AsymmetricLoss, {"clip": 1.0}, "clip"),
    (lnn.SoftmaxCrossEntropyLoss, {"label_smoothing": 2.0}, "label_smoothing"),
    (lnn.SoftmaxCrossEntropyLoss, {"reduction": "avg"}, "reduction"),
    (lnn.Poly1CrossEntropyLoss, {"epsilon": -2.0}, "epsilon"),
    (lnn.BinaryCrossEntropyProbsLoss, {"eps": 0.0}, "eps"),
    (lnn.SoftmaxFocalLoss, {"ignore_index": 1.5}, "ignore_index"),
    (lnn.SoftmaxKLDivLoss, {"log_target": 1}, "log_target"),
])
def test_module_hyper_parameters_are_checked(module, kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        module(**kwargs)


# ================================================================================ errors
def _raises(exc, fn, *args, must=(), **kw):
    with pytest.raises(exc) as info:
        fn(*args, **kw)
    msg = str(info.value)
    assert msg.startswith(fn.__name__ + ": expected "), msg
    for part in must:
        assert part in msg, (part, msg)
    return msg


def test_error_messages_binary():
    x, y = binary_data(48)
    _raises(TypeError, sigmoid_cross_entropy, x.long(), y, must=("`logits`", "floating point", "torch.int64"))
    _raises(ValueError, sigmoid_cross_entropy, x, y[:, :2], must=("`target` shape", "(4, 3, 5)", "(4, 2, 5)"))
    _raises(ValueError, sigmoid_cross_entropy, x, y * 2, must=("`target` values in", "[0, 1]", "[0, 2]"))
    ynan = y.clone()
    ynan[0, 0, 0] = float("nan")
    _raises(ValueError, sigmoid_focal_loss, x, ynan, must=("`target`", "NaN", "1 NaN"))
    _raises(ValueError, sigmoid_focal_loss, x, y, gamma=-0.5, must=("`gamma`", ">= 0", "-0.5"))
    _raises(ValueError, sigmoid_focal_loss, x, y, alpha=1.5, must=("`alpha`", "<= 1", "1.5"))
    _raises(ValueError, sigmoid_focal_loss, x, y, alpha=-1.0, must=("`alpha`", ">= 0", "-1.0"))
    _raises(ValueError, sigmoid_cross_entropy, x, y, label_smoothing=1.2, must=("`label_smoothing`", "<= 1"))
    _raises(ValueError, sigmoid_cross_entropy, x, y, reduction="avg", must=("`reduction`", "'mean'", "'avg'"))
    _raises(ValueError, sigmoid_cross_entropy, x, y, weight=torch.ones(4), must=("`weight` broadcastable",
                                                                                  "(4, 3, 5)", "(4,)"))
    _raises(ValueError, sigmoid_cross_entropy, x, y, pos_weight=torch.ones(3), must=("`pos_weight` broadcastable",
                                                                                      "(3,)"))
    _raises(ValueError, asymmetric_loss, x, y, clip=1.0, must=("`clip`", "< 1"))
    _raises(ValueError, asymmetric_loss, x, y, gamma_neg=-1, must=("`gamma_neg`", ">= 0"))
    _raises(ValueError, binary_cross_entropy_probs, torch.sigmoid(x) * 2, y, must=("`probs` values in", "[0, 1]"))
    _raises(ValueError, binary_cross_entropy_probs, torch.sigmoid(x), y, eps=0.0, must=("`eps`", "> 0"))
    _raises(TypeError, binary_cross_entropy_probs, (x > 0).long(), y, must=("`probs`", "floating point"))
    # validate=False skips the value checks but not the cheap ones
    sigmoid_cross_entropy(x, y * 2, validate=False)
    _raises(ValueError, sigmoid_cross_entropy, x, y[:, :2], validate=False, must=("shape",))


def test_error_messages_softmax():
    x, t = class_data(49, spatial=(5,))
    _raises(TypeError, softmax_cross_entropy, x.long(), t, must=("`logits`", "floating point", "torch.int64"))
    _raises(ValueError, softmax_cross_entropy, x, t[:, :3], must=("`target` shape", "(6, 5)", "(6, 4, 5)", "(6, 3)"))
    _raises(TypeError, softmax_cross_entropy, x, t.to(D), must=("`target` dtype", "integer", "(6, 5)", "torch.float64"))
    bad = t.clone()
    bad[0, 0] = 7
    _raises(ValueError, softmax_cross_entropy, x, bad, must=("class indices", "[0, 3]", "4 classes", "class 7"))
    bad[0, 0] = -3
    _raises(ValueError, softmax_focal_loss, x, bad, must=("class -3", "ignore_index=-100"))
    _raises(ValueError, poly1_cross_entropy, x, t, label_smoothing=-0.1, must=("`label_smoothing`", ">= 0"))
    _raises(ValueError, softmax_cross_entropy, x, t, class_weight=torch.ones(3), must=("`class_weight` shape", "(4,)",
                                                                                        "(3,)"))
    _raises(ValueError, softmax_cross_entropy, x, t, class_weight=torch.tensor([1.0, -1.0, 1.0, 1.0]),
            must=("`class_weight` values", ">= 0"))
    _raises(TypeError, softmax_focal_loss, x, t, alpha=0.25, must=("`alpha`", "(4,)", "scalar 0.25"))
    _raises(ValueError, softmax_focal_loss, x, t, gamma=-1.0, must=("`gamma`", ">= 0"))
    _raises(TypeError, softmax_cross_entropy, x, t, ignore_index=1.5, must=("`ignore_index`", "an int"))
    _raises(ValueError, softmax_cross_entropy, x, t, weight=torch.ones(6, 4, 5), must=("`weight` broadcastable",
                                                                                         "(6, 5)"))
    _raises(ValueError, softmax_cross_entropy, x[0, 0], t, must=("`logits`", "(N, C, *)"))
    q = soft_targets(49, spatial=(5,)) * 1.5
    _raises(ValueError, softmax_kl_div, x, q, must=("`target`", "[0, 1]"))
    _raises(ValueError, softmax_cross_entropy, x, q / 1.5 * 0.8, must=("rows summing to 1", "dim 1"))
    _raises(ValueError, softmax_kl_div, x, torch.log(q / 1.5 * 0.8), log_target=True, must=("exp(target)",))
    _raises(TypeError, softmax_kl_div, x, q, log_target="yes", must=("`log_target`", "a bool"))
    _raises(ValueError, poly1_cross_entropy, x, t, reduction="batchmean", must=("`reduction`", "'batchmean'"))
    # validate=False skips the label-range pass
    softmax_cross_entropy(x, q / 1.5 * 0.8, validate=False)


# ================================================================= classes masked with a −∞ logit
MASKED = [  # (loss, keyword arguments whose per-class tensors are cropped with the masked class)
    (softmax_cross_entropy, {}),
    (softmax_cross_entropy, {"class_weight": torch.tensor([0.5, 2.0, 1.0, 3.0], dtype=D)}),
    (softmax_focal_loss, {"gamma": 2.0}),
    (softmax_focal_loss, {"gamma": 0.5, "alpha": torch.tensor([0.2, 0.5, 0.9, 0.4], dtype=D)}),
    (poly1_cross_entropy, {"epsilon": 1.0}),
    (poly1_cross_entropy, {"epsilon": 2.0, "class_weight": torch.tensor([0.5, 2.0, 1.0, 3.0], dtype=D)}),
    (softmax_kl_div, {}),
    (softmax_kl_div, {"log_target": True}),
]
MASKED_IDS = [f.__name__ + "".join(f"-{k}" for k in kw) for f, kw in MASKED]


@pytest.mark.parametrize("spatial", [(), (3, 2)])
@pytest.mark.parametrize(("fn", "kw"), MASKED, ids=MASKED_IDS)
def test_class_masked_by_minus_inf_logit_equals_cropping_it(fn, kw, spatial):
    """A class masked with logit −∞ and target probability 0 (action masks, constrained vocabularies) costs
    exactly what cropping it out costs, with a zero gradient there; torch's soft-target cross-entropy gives
    NaN (0 · log 0)."""
    masked = 2
    x, _ = class_data(7, n=5, c=4, spatial=spatial)
    t = soft_targets(7, n=5, c=4, spatial=spatial, with_zeros=False)
    t[:, masked] = 0
    t = t / t.sum(1, keepdim=True)
    x[:, masked] = -math.inf
    keep = [k for k in range(4) if k != masked]
    cropped_kw = {k: v[keep] if isinstance(v, torch.Tensor) else v for k, v in kw.items()}
    tt = torch.log(t) if kw.get("log_target") else t
    for reduction in REDUCTIONS:
        ours, g = grad_of(fn, x, tt, reduction=reduction, **kw)
        ref, g_ref = grad_of(fn, x[:, keep], tt[:, keep], reduction=reduction, **cropped_kw)
        close(ours, ref)
        close(g[:, keep], g_ref)
        assert bool((g[:, masked] == 0).all())


@pytest.mark.parametrize(("fn", "kw"), MASKED, ids=MASKED_IDS)
def test_masked_class_with_target_mass_is_infinite_and_nan_still_propagates(fn, kw):
    x, _ = class_data(8, n=3, c=4)
    t = soft_targets(8, n=3, c=4, with_zeros=False)
    x[0, 1] = -math.inf  # target probability > 0 on a class the logits rule out: the loss is +∞, not NaN
    tt = torch.log(t) if kw.get("log_target") else t
    assert fn(x, tt, reduction="none", **kw)[0] == math.inf
    x[0, 1] = math.nan
    assert torch.isnan(fn(x, tt, reduction="none", **kw)[0])
