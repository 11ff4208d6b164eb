"""Overlap losses: hand-computed values, a one-hot reference, MONAI parity, laws, empty masks, precision.

The reference below materialises one-hot targets and lets autograd differentiate; the library computes the
same statistics without a one-hot and with an analytic backward, so agreement of value and gradient checks
both. MONAI is an oracle only in the configurations named in ``MONAI_*`` where its semantics equal ours
(every (image, class) term has a non-empty target, no class weight: MONAI scales by ``class_weight`` and
takes a plain mean, and uses the smoothed Dice ``P/(P + s)`` for empty targets).
"""

from __future__ import annotations

import inspect
import math
import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from losslab import registry
from losslab.functional import overlap as O
from losslab.functional import (
    sigmoid_dice_loss,
    sigmoid_focal_tversky_loss,
    sigmoid_generalized_dice_loss,
    sigmoid_jaccard_loss,
    sigmoid_tversky_loss,
    softmax_dice_loss,
    softmax_focal_tversky_loss,
    softmax_generalized_dice_loss,
    softmax_jaccard_loss,
    softmax_tversky_loss,
)

HYP = settings(max_examples=25, deadline=None)
F64 = torch.float64
SIGMOID = {"dice": sigmoid_dice_loss, "generalized_dice": sigmoid_generalized_dice_loss,
           "jaccard": sigmoid_jaccard_loss, "tversky": sigmoid_tversky_loss,
           "focal_tversky": sigmoid_focal_tversky_loss}
SOFTMAX = {"dice": softmax_dice_loss, "generalized_dice": softmax_generalized_dice_loss,
           "jaccard": softmax_jaccard_loss, "tversky": softmax_tversky_loss,
           "focal_tversky": softmax_focal_tversky_loss}
ALL = [*SIGMOID.values(), *SOFTMAX.values()]


def logit(p):
    p = torch.as_tensor(p, dtype=F64)
    return torch.log(p) - torch.log1p(-p)


def seg(activation, n=3, c=3, spatial=(5, 4), seed=0, dtype=F64, p_fg=0.35, all_present=False):
    """Random logits and a target; ``all_present`` makes every (image, class) target non-empty."""
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(n, c, *spatial, generator=g, dtype=F64) * 2).to(dtype)
    if activation == "softmax":
        t = torch.randint(0, c, (n, *spatial), generator=g)
        if all_present:
            flat = t.view(n, -1)
            flat[:, :c] = torch.arange(c)
    else:
        t = (torch.rand(n, c, *spatial, generator=g) < p_fg).to(dtype)
        if all_present:
            t.view(n, c, -1)[:, :, 0] = 1
    return x, t


# ------------------------------------------------------------------------------------------ reference
def reference_stats(x, t, activation, squared=False, ignore_index=-100):
    """(I, P, T, n) per (image, class) from a materialised one-hot target, plain autograd."""
    dims = tuple(range(2, x.dim()))
    if activation == "softmax":
        p = torch.softmax(x.to(F64), 1)
        if t.dim() == x.dim() - 1:
            valid = (t != ignore_index).unsqueeze(1).to(F64)
            onehot = torch.nn.functional.one_hot(torch.where(t == ignore_index, 0, t), x.shape[1])
            y = onehot.movedim(-1, 1).to(F64) * valid
        else:
            valid, y = torch.ones_like(p[:, :1]), t.to(F64)
        valid = valid.expand_as(p)
    else:
        p = torch.sigmoid(x.to(F64))
        valid = (t != ignore_index).to(F64)
        y = torch.where(t == ignore_index, 0, t).to(F64)
    p = p * valid
    inter = (p * y).sum(dims)
    mass = (p * p if squared else p).sum(dims)
    size = (y * y if squared else y).sum(dims)
    return inter, mass, size, valid.sum(dims)


def reference_terms(kind, x, t, activation, *, smooth=1e-5, squared=False, transform="none", alpha=0.3,
                    beta=0.7, gamma=0.75, aggregate="per_image", ignore_index=-100):
    i, p, s, n = reference_stats(x, t, activation, squared, ignore_index)
    if aggregate == "batch":
        i, p, s, n = (v.sum(0) for v in (i, p, s, n))
    empty, fpf = s == 0, p / n.clamp_min(1)
    if kind == "dice":
        score = (2 * i + smooth) / (p + s + smooth)
    elif kind == "jaccard":
        score = (i + smooth) / (p + s - i + smooth)
    else:
        score = (i + smooth) / (i + alpha * (p - i) + beta * (s - i) + smooth)
    score = torch.where(empty, 1 - fpf, score)
    loss = 1 - score
    if transform == "log_cosh":
        loss = torch.log(torch.cosh(loss))
    elif transform == "neg_log":
        loss = -torch.log(score)
    if kind == "focal_tversky":
        loss = loss ** gamma
    return loss, n > 0


# ------------------------------------------------------------------------------------------ hand values
P4 = [0.8, 0.3, 0.6, 0.1]  # probabilities of a 2x2 image, target [[1, 0], [1, 0]]


def hand_input():
    return logit(P4).view(1, 1, 2, 2), torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]], dtype=F64)


def test_hand_computed_sigmoid_values():
    x, t = hand_input()
    # I = 0.8 + 0.6 = 1.4, P = 1.8, T = 2, FP = 0.4, FN = 0.6, Σp² = 1.1
    close = dict(rel=1e-12)
    assert float(sigmoid_dice_loss(x, t, smooth=0)) == pytest.approx(1 - 2.8 / 3.8, **close)
    assert float(sigmoid_dice_loss(x, t, smooth=1)) == pytest.approx(1 - 3.8 / 4.8, **close)
    assert float(sigmoid_dice_loss(x, t, smooth=0, squared=True)) == pytest.approx(1 - 2.8 / 3.1, **close)
    assert float(sigmoid_dice_loss(x, t, smooth=0, transform="log_cosh")) == pytest.approx(
        math.log(math.cosh(1 / 3.8)), **close)
    assert float(sigmoid_dice_loss(x, t, smooth=0, transform="neg_log")) == pytest.approx(
        -math.log(2.8 / 3.8), **close)
    assert float(sigmoid_jaccard_loss(x, t, smooth=0)) == pytest.approx(1 - 1.4 / 2.4, **close)
    tv = 1 - 1.4 / (1.4 + 0.3 * 0.4 + 0.7 * 0.6)
    assert float(sigmoid_tversky_loss(x, t, smooth=0)) == pytest.approx(tv, **close)
    assert float(sigmoid_focal_tversky_loss(x, t, smooth=0, gamma=0.75)) == pytest.approx(tv ** 0.75, **close)
    assert float(sigmoid_focal_tversky_loss(x, t, smooth=0, gamma=2.0)) == pytest.approx(tv ** 2, **close)


def test_hand_computed_softmax_and_generalized_values():
    # 3 pixels, 2 classes: p(class 1) = 0.2, 0.7, 0.9; target 0, 1, 1
    q = torch.tensor([0.2, 0.7, 0.9], dtype=F64)
    x = torch.stack([torch.zeros(3, dtype=F64), logit(q)]).view(1, 2, 1, 3)
    t = torch.tensor([[[0, 1, 1]]])
    i0, p0, t0 = 0.8, 0.8 + 0.3 + 0.1, 1.0
    i1, p1, t1 = 1.6, 1.8, 2.0
    d0, d1 = 2 * i0 / (p0 + t0), 2 * i1 / (p1 + t1)
    assert float(softmax_dice_loss(x, t, smooth=0)) == pytest.approx(1 - (d0 + d1) / 2, rel=1e-12)
    none = softmax_dice_loss(x, t, smooth=0, reduction="none")
    torch.testing.assert_close(none, torch.tensor([[1 - d0, 1 - d1]], dtype=F64))
    assert float(softmax_dice_loss(x, t, smooth=0, include_background=False)) == pytest.approx(1 - d1, rel=1e-12)
    cw = torch.tensor([1.0, 3.0])
    assert float(softmax_dice_loss(x, t, smooth=0, class_weight=cw)) == pytest.approx(
        (1 * (1 - d0) + 3 * (1 - d1)) / 4, rel=1e-12)
    for weighting, w in (("square", (1 / t0**2, 1 / t1**2)), ("simple", (1 / t0, 1 / t1)), ("uniform", (1, 1))):
        gdl = 1 - 2 * (w[0] * i0 + w[1] * i1) / (w[0] * (p0 + t0) + w[1] * (p1 + t1))
        assert float(softmax_generalized_dice_loss(x, t, smooth=0, weighting=weighting)) == pytest.approx(
            gdl, rel=1e-12)


def test_generalized_dice_absent_class_gets_the_largest_weight():
    # class 2 is absent: its weight is the largest present weight, so its predicted mass enlarges the denominator
    x, t = seg("softmax", n=1, c=3, spatial=(4, 4), seed=4)
    t = t.clamp(max=1)
    i, p, s, _ = reference_stats(x, t, "softmax")
    w = 1 / s[0, :2] ** 2
    w = torch.cat([w, w.max().view(1)])
    expected = 1 - 2 * (w * i[0]).sum() / (w * (p[0] + s[0])).sum()
    torch.testing.assert_close(softmax_generalized_dice_loss(x, t, smooth=0), expected)


# ------------------------------------------------------------------------------------------ reference parity
CONFIGS = [
    ("dice", {}), ("dice", {"squared": True}), ("dice", {"transform": "log_cosh"}), ("dice", {"transform": "neg_log"}),
    ("dice", {"smooth": 0.0}), ("dice", {"smooth": 1.0, "aggregate": "batch"}), ("jaccard", {}),
    ("jaccard", {"aggregate": "batch"}), ("tversky", {"alpha": 0.2, "beta": 0.9}),
    ("focal_tversky", {"gamma": 0.75}), ("focal_tversky", {"gamma": 2.0, "aggregate": "batch"}),
]


@pytest.mark.parametrize("activation", ["sigmoid", "softmax"])
@pytest.mark.parametrize("kind,kw", CONFIGS, ids=[f"{k}-{'-'.join(map(str, v.values()))}" for k, v in CONFIGS])
def test_value_and_gradient_equal_the_one_hot_reference(activation, kind, kw):
    x, t = seg(activation, seed=1)
    if activation == "softmax":
        t[0, 0] = -100  # an ignored row
        t[1][t[1] == 2] = 0  # class 2 absent from image 1
    else:
        t[0, 1, 0] = -100
        t[2, 0] = 0  # an empty mask
    fn = (SIGMOID if activation == "sigmoid" else SOFTMAX)[kind]
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    ours = fn(x1, t, reduction="none", **kw)
    ref, counted = reference_terms(kind, x2, t, activation, **kw)
    torch.testing.assert_close(ours, torch.where(counted, ref, 0))
    g = torch.rand(ours.shape, generator=torch.Generator().manual_seed(2), dtype=F64)
    (ours * g).sum().backward()
    (torch.where(counted, ref, 0) * g).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad)


@pytest.mark.parametrize("squared", [False, True])
def test_one_hot_and_soft_targets_use_the_dense_path_correctly(squared):
    x, t = seg("softmax", seed=2)
    onehot = torch.nn.functional.one_hot(t, 3).movedim(-1, 1).to(F64)
    torch.testing.assert_close(softmax_dice_loss(x, onehot, squared=squared),
                               softmax_dice_loss(x, t, squared=squared))
    soft = torch.softmax(torch.randn(x.shape, generator=torch.Generator().manual_seed(3), dtype=F64), 1)
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    ours = softmax_dice_loss(x1, soft, squared=squared, reduction="none")
    ref, _ = reference_terms("dice", x2, soft, "softmax", squared=squared)
    torch.testing.assert_close(ours, ref)
    ours.sum().backward()
    ref.sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad)


def test_index_target_gradient_equals_one_hot_gradient():
    x, t = seg("softmax", seed=5, spatial=(3, 4, 2))
    onehot = torch.nn.functional.one_hot(t, 3).movedim(-1, 1).to(F64)
    for kw in ({}, {"squared": True}, {"aggregate": "batch"}):
        x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
        softmax_dice_loss(x1, t, **kw).backward()
        softmax_dice_loss(x2, onehot, **kw).backward()
        torch.testing.assert_close(x1.grad, x2.grad)


@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
@pytest.mark.parametrize("aggregate", ["per_image", "batch"])
def test_gradcheck_float64_with_ignored_and_empty_terms(fn, aggregate):
    activation = "sigmoid" if fn.__name__.startswith("sigmoid") else "softmax"
    x, t = seg(activation, n=2, c=3, spatial=(3, 2), seed=6)
    if activation == "softmax":
        t[0, 0, 0] = -100
        t[1][t[1] == 1] = 2
    else:
        t[0, 0, 0, 0] = -100
        t[1, 2] = 0
    x.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda z: fn(z, t, aggregate=aggregate), (x,), eps=1e-6, atol=1e-6)


@pytest.mark.parametrize("activation", ["sigmoid", "softmax"])
def test_second_backward_through_a_retained_graph_is_identical(activation):
    x, t = seg(activation, seed=7)
    x.requires_grad_(True)
    fn = SIGMOID["dice"] if activation == "sigmoid" else SOFTMAX["dice"]
    loss = fn(x, t, squared=True)
    (g1,) = torch.autograd.grad(loss, x, retain_graph=True)
    (g2,) = torch.autograd.grad(loss, x)
    assert torch.equal(g1, g2)


def test_double_backward_raises_instead_of_returning_zeros():
    x, t = seg("softmax", seed=8)
    x.requires_grad_(True)
    (g,) = torch.autograd.grad(softmax_dice_loss(x, t), x, create_graph=True)
    with pytest.raises(RuntimeError, match="differentiate twice"):
        g.sum().backward()


def test_no_probabilities_kept_without_grad():
    x, t = seg("softmax", seed=8)
    with torch.no_grad():
        value = softmax_dice_loss(x.clone().requires_grad_(True), t)
    assert value.grad_fn is None
    assert torch.isfinite(value)


# ------------------------------------------------------------------------------------------ MONAI parity
monai_losses = pytest.importorskip("monai.losses")

# (our function, MONAI class, MONAI kwargs, our kwargs). Semantics equal when every term has a non-empty
# target and no class weight is given: smooth_nr = smooth_dr = smooth, batch=True ↔ aggregate="batch".
MONAI_SOFTMAX = [
    (softmax_dice_loss, "DiceLoss", {}, {}),
    (softmax_dice_loss, "DiceLoss", {"batch": True, "smooth_nr": 1.0, "smooth_dr": 1.0},
     {"aggregate": "batch", "smooth": 1.0}),
    (softmax_dice_loss, "DiceLoss", {"squared_pred": True, "include_background": False},
     {"squared": True, "include_background": False}),
    # MONAI's Jaccard is (2I + s)/(2(P + T − I) + s): our smooth s/2
    (softmax_jaccard_loss, "DiceLoss", {"jaccard": True}, {"smooth": 0.5e-5}),
    (softmax_generalized_dice_loss, "GeneralizedDiceLoss", {"w_type": "square"}, {"weighting": "square"}),
    (softmax_generalized_dice_loss, "GeneralizedDiceLoss", {"w_type": "simple", "batch": True},
     {"weighting": "simple", "aggregate": "batch"}),
    (softmax_generalized_dice_loss, "GeneralizedDiceLoss", {"w_type": "uniform"}, {"weighting": "uniform"}),
    (softmax_tversky_loss, "TverskyLoss", {"alpha": 0.3, "beta": 0.7}, {"alpha": 0.3, "beta": 0.7}),
    (softmax_tversky_loss, "TverskyLoss", {"alpha": 0.8, "beta": 0.2, "batch": True},
     {"alpha": 0.8, "beta": 0.2, "aggregate": "batch"}),
]
MONAI_SIGMOID = [
    (sigmoid_dice_loss, "DiceLoss", {}, {}),
    (sigmoid_dice_loss, "DiceLoss", {"batch": True, "squared_pred": True}, {"aggregate": "batch", "squared": True}),
    (sigmoid_jaccard_loss, "DiceLoss", {"jaccard": True}, {"smooth": 0.5e-5}),
    (sigmoid_generalized_dice_loss, "GeneralizedDiceLoss", {"w_type": "square"}, {}),
    (sigmoid_tversky_loss, "TverskyLoss", {"alpha": 0.3, "beta": 0.7}, {}),
]


def _monai(name, **kw):
    kw.setdefault("smooth_nr", 1e-5)
    kw.setdefault("smooth_dr", 1e-5)
    return getattr(monai_losses, name)(**kw)


@pytest.mark.parametrize("ours,name,mkw,okw", MONAI_SOFTMAX, ids=lambda v: str(v) if isinstance(v, str) else None)
@pytest.mark.parametrize("spatial", [(6, 5), (3, 4, 5)], ids=["2d", "3d"])
def test_softmax_equals_monai(ours, name, mkw, okw, spatial):
    x, t = seg("softmax", n=3, c=4, spatial=spatial, seed=9, all_present=True)
    ref = _monai(name, softmax=True, to_onehot_y=True, **mkw)(x, t.unsqueeze(1))
    torch.testing.assert_close(ours(x, t, **{"smooth": 1e-5, **okw}), ref)


@pytest.mark.parametrize("ours,name,mkw,okw", MONAI_SIGMOID, ids=lambda v: str(v) if isinstance(v, str) else None)
@pytest.mark.parametrize("spatial", [(6, 5), (3, 4, 5)], ids=["2d", "3d"])
def test_sigmoid_equals_monai(ours, name, mkw, okw, spatial):
    x, t = seg("sigmoid", n=3, c=2, spatial=spatial, seed=10, all_present=True)
    ref = _monai(name, sigmoid=True, **mkw)(x, t)
    torch.testing.assert_close(ours(x, t, **okw), ref)


def test_monai_differs_only_on_empty_targets_by_the_documented_rule():
    # MONAI: an empty term costs P/(P + s) (gradient s/(P + s)² vanishes as P grows); ours: P/n
    x, t = seg("sigmoid", n=2, c=2, seed=11, all_present=True)
    t[1, 1] = 0
    ours = sigmoid_dice_loss(x, t, reduction="none")
    theirs = _monai("DiceLoss", sigmoid=True, reduction="none")(x, t).view(2, 2)
    torch.testing.assert_close(ours[0], theirs[0])
    torch.testing.assert_close(ours[1, 0], theirs[1, 0])
    p = torch.sigmoid(x[1, 1]).sum()
    torch.testing.assert_close(theirs[1, 1], p / (p + 1e-5))
    torch.testing.assert_close(ours[1, 1], p / x[1, 1].numel())


# ------------------------------------------------------------------------------------------ laws
@HYP
@given(seed=st.integers(0, 10_000), activation=st.sampled_from(["sigmoid", "softmax"]),
       aggregate=st.sampled_from(["per_image", "batch"]), smooth=st.sampled_from([0.0, 1e-3, 1.0]))
def test_tversky_half_half_is_dice(seed, activation, aggregate, smooth):
    x, t = seg(activation, seed=seed)
    fns = SIGMOID if activation == "sigmoid" else SOFTMAX
    dice = fns["dice"](x, t, smooth=smooth, aggregate=aggregate, reduction="none")
    # one smooth constant in numerator and denominator: Tversky(½, ½, s/2) = Dice(s), and s = 0 is the law
    tv = fns["tversky"](x, t, alpha=0.5, beta=0.5, smooth=smooth / 2, aggregate=aggregate, reduction="none")
    torch.testing.assert_close(tv, dice)
    ft = fns["focal_tversky"](x, t, alpha=0.5, beta=0.5, gamma=1.0, smooth=smooth / 2, aggregate=aggregate,
                              reduction="none")
    torch.testing.assert_close(ft, dice)


@HYP
@given(seed=st.integers(0, 10_000), activation=st.sampled_from(["sigmoid", "softmax"]),
       aggregate=st.sampled_from(["per_image", "batch"]))
def test_jaccard_is_dice_over_two_minus_dice_on_hard_masks(seed, activation, aggregate):
    x, t = seg(activation, seed=seed)
    hard = 80.0 * (2 * (x > 0).to(F64) - 1)  # p is exactly 0 or 1 in float64
    fns = SIGMOID if activation == "sigmoid" else SOFTMAX
    d = 1 - fns["dice"](hard, t, smooth=0, aggregate=aggregate, reduction="none")
    j = 1 - fns["jaccard"](hard, t, smooth=0, aggregate=aggregate, reduction="none")
    _, _, size, _ = reference_stats(hard, t, activation)
    present = (size.sum(0) if aggregate == "batch" else size) > 0
    torch.testing.assert_close(j[present], (d / (2 - d))[present])


@HYP
@given(seed=st.integers(0, 10_000), activation=st.sampled_from(["sigmoid", "softmax"]),
       aggregate=st.sampled_from(["per_image", "batch"]), kind=st.sampled_from(sorted(SIGMOID)))
def test_ignored_pixels_equal_cropping_them_out(seed, activation, aggregate, kind):
    x, t = seg(activation, spatial=(5, 6), seed=seed)
    fn = (SIGMOID if activation == "sigmoid" else SOFTMAX)[kind]
    t_ign = t.clone()
    t_ign[..., 4:] = -100
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    ignored = fn(x1, t_ign, aggregate=aggregate)
    cropped = fn(x2[..., :4], t[..., :4], aggregate=aggregate)
    torch.testing.assert_close(ignored, cropped)
    ignored.backward()
    cropped.backward()
    torch.testing.assert_close(x1.grad[..., :4], x2.grad[..., :4])
    assert torch.equal(x1.grad[..., 4:], torch.zeros_like(x1.grad[..., 4:]))


@HYP
@given(seed=st.integers(0, 10_000), activation=st.sampled_from(["sigmoid", "softmax"]),
       kind=st.sampled_from(sorted(SIGMOID)))
def test_per_image_with_batch_size_one_equals_batch(seed, activation, kind):
    x, t = seg(activation, n=1, seed=seed)
    fn = (SIGMOID if activation == "sigmoid" else SOFTMAX)[kind]
    torch.testing.assert_close(fn(x, t, aggregate="per_image"), fn(x, t, aggregate="batch"))


@HYP
@given(seed=st.integers(0, 10_000), activation=st.sampled_from(["sigmoid", "softmax"]),
       kind=st.sampled_from(sorted(SIGMOID)))
def test_only_the_set_of_pixels_matters(seed, activation, kind):
    """Permuting pixels, or reshaping 3-D volumes to 2-D or 1-D, leaves every loss unchanged."""
    x, t = seg(activation, spatial=(2, 3, 4), seed=seed)
    fn = (SIGMOID if activation == "sigmoid" else SOFTMAX)[kind]
    base = fn(x, t, reduction="none")
    perm = torch.randperm(24, generator=torch.Generator().manual_seed(seed))
    n, c = x.shape[:2]
    xp = x.reshape(n, c, 24)[..., perm]
    tp = t.reshape(*t.shape[:-3], 24)[..., perm]
    torch.testing.assert_close(fn(xp, tp, reduction="none"), base)
    torch.testing.assert_close(fn(x.reshape(n, c, 6, 4), t.reshape(*t.shape[:-3], 6, 4), reduction="none"), base)


# ------------------------------------------------------------------------------------------ empty masks
@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
@pytest.mark.parametrize("smooth", [0.0, 1e-5, 1.0])
def test_empty_target_and_empty_prediction_give_zero(fn, smooth):
    if fn.__name__.startswith("sigmoid"):
        x, t = torch.full((2, 2, 4, 4), -1e4), torch.zeros(2, 2, 4, 4)
    else:  # everything is background and predicted so; classes 1, 2 are absent everywhere
        x = torch.full((2, 3, 4, 4), -1e4)
        x[:, 0] = 1e4
        t = torch.zeros(2, 4, 4, dtype=torch.long)
    x.requires_grad_(True)
    value = fn(x, t, smooth=smooth)
    value.backward()
    assert float(value.detach()) == 0.0 and torch.isfinite(x.grad).all()


@pytest.mark.parametrize("kind", ["dice", "jaccard", "tversky", "focal_tversky"])
@pytest.mark.parametrize("smooth", [0.0, 1e-5, 1.0])
def test_empty_target_costs_the_soft_false_positive_fraction(kind, smooth):
    x = torch.randn(1, 1, 8, 8, dtype=F64, generator=torch.Generator().manual_seed(0)).requires_grad_(True)
    t = torch.zeros(1, 1, 8, 8, dtype=F64)
    value = SIGMOID[kind](x, t, smooth=smooth, gamma=1.0) if kind == "focal_tversky" else \
        SIGMOID[kind](x, t, smooth=smooth)
    p = torch.sigmoid(x.detach())
    torch.testing.assert_close(value, p.mean())
    value.backward()
    # dℓ/dp = 1/n for every pixel, whatever is predicted: the gradient w.r.t. the logit is p(1 − p)/n
    torch.testing.assert_close(x.grad, p * (1 - p) / 64)


def test_empty_target_gradient_does_not_vanish_as_prediction_grows():
    """The smoothed Dice of an empty target, P/(P + s), flattens (gradient s/(P + s)²); the FP fraction does not."""
    t = torch.zeros(1, 1, 16, 16, dtype=F64)
    grads = []
    for level in (0.1, 0.5, 0.9):
        x = torch.full((1, 1, 16, 16), float(logit(level)), dtype=F64, requires_grad=True)
        sigmoid_dice_loss(x, t, smooth=1.0).backward()
        grads.append(float((x.grad / (level * (1 - level))).mean()))  # dℓ/dp per pixel
    assert grads == pytest.approx([1 / 256] * 3, rel=1e-12)
    smoothed = [1.0 / (256 * level + 1.0) ** 2 for level in (0.1, 0.5, 0.9)]
    assert smoothed[-1] < smoothed[0] / 20  # what MONAI's P/(P + s) would give: 20x smaller


@pytest.mark.parametrize("activation", ["sigmoid", "softmax"])
def test_gradient_descent_on_an_empty_target_removes_false_positives(activation):
    if activation == "sigmoid":
        x, t = torch.full((1, 1, 8, 8), 3.0), torch.zeros(1, 1, 8, 8)
        fn = sigmoid_dice_loss
    else:
        x, t = torch.zeros(1, 2, 8, 8), torch.zeros(1, 8, 8, dtype=torch.long)
        x[:, 1] = 3.0  # class 1 predicted everywhere, absent from the target
        fn = softmax_dice_loss
    x.requires_grad_(True)
    opt = torch.optim.SGD([x], lr=50.0)
    first = float(fn(x, t).detach())
    for _ in range(60):
        opt.zero_grad()
        fn(x, t).backward()
        opt.step()
    assert float(fn(x, t).detach()) < 0.1 * first


def test_absent_class_in_softmax_costs_its_fp_fraction():
    x, t = seg("softmax", n=1, c=3, spatial=(4, 5), seed=12)
    t[t == 2] = 1
    terms = softmax_dice_loss(x, t, reduction="none")
    torch.testing.assert_close(terms[0, 2], torch.softmax(x, 1)[0, 2].mean())


@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
@pytest.mark.parametrize("aggregate", ["per_image", "batch"])
def test_all_ignored_batch_gives_zero_with_graph(fn, aggregate):
    activation = "sigmoid" if fn.__name__.startswith("sigmoid") else "softmax"
    x, t = seg(activation, seed=13)
    t = torch.full_like(t, 255)
    x.requires_grad_(True)
    value = fn(x, t, ignore_index=255, aggregate=aggregate)
    assert value.grad_fn is not None and float(value.detach()) == 0.0
    value.backward()
    assert torch.equal(x.grad, torch.zeros_like(x))


def test_generalized_dice_with_every_class_empty_is_the_mean_fp_fraction():
    x, t = seg("sigmoid", n=2, c=2, seed=14)
    t[0] = 0
    terms = sigmoid_generalized_dice_loss(x, t, reduction="none")
    torch.testing.assert_close(terms[0], torch.sigmoid(x[0]).mean())
    assert float(terms[1]) > 0


# ------------------------------------------------------------------------------------------ reductions
@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
def test_reductions_weights_and_class_weights(fn):
    activation = "sigmoid" if fn.__name__.startswith("sigmoid") else "softmax"
    x, t = seg(activation, seed=15)
    none = fn(x, t, reduction="none")
    gdl = "generalized" in fn.__name__
    assert none.shape == ((3,) if gdl else (3, 3))
    torch.testing.assert_close(fn(x, t), none.mean())
    torch.testing.assert_close(fn(x, t, reduction="sum"), none.sum())
    w = torch.rand(none.shape, generator=torch.Generator().manual_seed(1), dtype=F64) + 0.1
    torch.testing.assert_close(fn(x, t, weight=w, reduction="none"), none * w)
    torch.testing.assert_close(fn(x, t, weight=w), (none * w).sum() / w.sum())
    assert fn(x, t, aggregate="batch", reduction="none").shape == (() if gdl else (3,))
    if not gdl:
        cw = torch.tensor([0.5, 2.0, 1.0])
        torch.testing.assert_close(fn(x, t, class_weight=cw), (none * cw).sum() / (cw.sum() * 3))
        no_bg = fn(x, t, include_background=False, reduction="none")
        torch.testing.assert_close(no_bg, none[:, 1:])


def test_all_ignored_image_is_not_counted_in_the_mean():
    x, t = seg("softmax", seed=16)
    t[1] = -100
    none = softmax_dice_loss(x, t, reduction="none")
    assert torch.equal(none[1], torch.zeros(3, dtype=F64))
    torch.testing.assert_close(softmax_dice_loss(x, t), none[[0, 2]].mean())


# ------------------------------------------------------------------------------------------ precision
def test_float16_all_foreground_512x512_is_finite_and_correct():
    x = torch.full((1, 1, 512, 512), 2.0, dtype=torch.float16).requires_grad_(True)
    t = torch.ones(1, 1, 512, 512, dtype=torch.float16)
    value = sigmoid_dice_loss(x, t)
    assert value.dtype == torch.float32
    p = 1 / (1 + math.exp(-2.0))
    n = 512 * 512
    expected = 1 - (2 * p * n + 1e-5) / (p * n + n + 1e-5)  # Σp = 2.3e5 overflows a float16 accumulator
    assert float(value.detach()) == pytest.approx(expected, rel=1e-5)
    value.backward()
    assert x.grad.dtype == torch.float16 and torch.isfinite(x.grad).all()
    ref = x.detach().double().requires_grad_(True)
    sigmoid_dice_loss(ref, t.double()).backward()
    # the gradient (≈ 2e-7 per pixel) is returned in float16, whose subnormal spacing is 6e-8
    torch.testing.assert_close(x.grad.double(), ref.grad, rtol=1e-3, atol=6e-8)
    # softmax, two classes, every pixel foreground
    xs = torch.stack([torch.zeros(512, 512), torch.full((512, 512), 2.0)]).unsqueeze(0).half().requires_grad_(True)
    ts = torch.ones(1, 512, 512, dtype=torch.long)
    value = softmax_dice_loss(xs, ts, include_background=False)
    assert float(value.detach()) == pytest.approx(expected, rel=1e-5)
    value.backward()
    assert torch.isfinite(xs.grad).all()


def test_float32_accumulation_is_accurate_on_a_large_volume():
    x, t = seg("softmax", n=1, c=3, spatial=(64, 64, 64), seed=17, dtype=torch.float32)
    ours = softmax_dice_loss(x, t, reduction="none", aggregate="batch")
    ref, _ = reference_terms("dice", x.double(), t, "softmax", aggregate="batch")
    torch.testing.assert_close(ours.double(), ref, rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
def test_extreme_logits_and_smooth_zero_are_finite(fn):
    activation = "sigmoid" if fn.__name__.startswith("sigmoid") else "softmax"
    x, t = seg(activation, seed=18, dtype=torch.float32)
    x = (x.sign() * 1e4).requires_grad_(True)
    kw = {"transform": "neg_log"} if fn is sigmoid_dice_loss or fn is softmax_dice_loss else {}
    value = fn(x, t, smooth=0.0, **kw)
    value.backward()
    assert torch.isfinite(value) and torch.isfinite(x.grad).all()


# ------------------------------------------------------------------------------------------ validation
def test_bad_inputs_raise_with_the_house_message():
    x, t = seg("softmax", seed=19)
    with pytest.raises(ValueError, match=r"softmax_dice_loss: expected `target` class indices in \[0, 2\].*got class 3"):
        softmax_dice_loss(x, torch.where(t == 1, 3, t))
    softmax_dice_loss(x, torch.where(t == 1, -100, t))  # ignore_index is allowed
    with pytest.raises(TypeError, match="class-index `target` dtype"):
        softmax_dice_loss(x, t.double())
    with pytest.raises(ValueError, match=r"expected class-index `target` shape \(N, \*spatial\) = \(3, 5, 4\), got"):
        softmax_dice_loss(x, t[:, :2])
    with pytest.raises(ValueError, match=r"expected `target` shape .*one-hot.*class indices.*got"):
        softmax_dice_loss(x, x[:, :2])
    with pytest.raises(ValueError, match="aggregate"):
        softmax_dice_loss(x, t, aggregate="global")
    with pytest.raises(ValueError, match="transform"):
        softmax_dice_loss(x, t, transform="log")
    with pytest.raises(ValueError, match="weighting"):
        softmax_generalized_dice_loss(x, t, weighting="cube")
    with pytest.raises(ValueError, match="smooth"):
        softmax_dice_loss(x, t, smooth=-1.0)
    with pytest.raises(ValueError, match=r"`alpha \+ beta`"):
        softmax_tversky_loss(x, t, alpha=0.0, beta=0.0)
    with pytest.raises(ValueError, match="gamma"):
        softmax_focal_tversky_loss(x, t, gamma=0.0)
    with pytest.raises(ValueError, match=r"class_weight` shape"):
        softmax_dice_loss(x, t, class_weight=torch.ones(2))
    with pytest.raises(ValueError, match="include_background"):
        sigmoid_dice_loss(x[:, :1], (x[:, :1] > 0).double(), include_background=False)
    xs, ts = seg("sigmoid", seed=19)
    with pytest.raises(ValueError, match=r"sigmoid_dice_loss: expected `target` values in \[0, 1\]"):
        sigmoid_dice_loss(xs, ts * 2)
    sigmoid_dice_loss(xs, ts * 2, validate=False)  # the value check is what validate=False switches off
    with pytest.raises(ValueError, match="NaN"):
        sigmoid_dice_loss(xs, torch.where(ts > 0, float("nan"), ts))
    with pytest.raises(TypeError, match="expected `logits` dtype to be floating"):
        sigmoid_dice_loss(ts.long(), ts)


def test_registry_entries_are_complete():
    keys = {"sigmoid_dice", "softmax_dice", "sigmoid_generalized_dice", "softmax_generalized_dice",
            "sigmoid_jaccard", "softmax_jaccard", "sigmoid_tversky", "softmax_tversky",
            "sigmoid_focal_tversky", "softmax_focal_tversky"}
    for key in keys:
        spec = registry.get(key)
        assert spec.family == "overlap" and spec.input_kind == f"{key.split('_')[0]}_seg"
        assert "false-positive fraction" in spec.empty_target
        fn = spec.load_functional()
        assert fn.__name__ == f"{key}_loss" and fn.__name__ in O.__all__
        defaults = spec.defaults()
        sig = inspect.signature(fn)
        for name, value in defaults.items():
            assert sig.parameters[name].default == value or (value is None and sig.parameters[name].default is None)


def test_no_one_hot_is_materialised_for_index_targets():
    """The largest tensors alive during forward+backward are the probabilities/gradient: no (N, C, *) one-hot."""
    from torch.profiler import ProfilerActivity, profile

    x, t = seg("softmax", n=2, c=8, spatial=(64, 64), seed=20, dtype=torch.float32)
    x.requires_grad_(True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
            softmax_dice_loss(x, t, validate=False).backward()
    events = sorted((e.start_ns(), e.nbytes()) for e in prof.profiler.kineto_results.events()
                    if e.name() == "[memory]")
    current = peak = 0
    for _, nbytes in events:
        current += nbytes
        peak = max(peak, current)
    logits_bytes = x.numel() * 4
    # probabilities (= the gradient buffer) + two per-pixel buffers (1/C of it each) + small change
    assert peak <= logits_bytes * (1 + 2 / 8) + 64 * 1024


# ---------------------------------------------------------------- Dice/Tversky + CE from one softmax
@pytest.mark.parametrize("name, overlap", [("softmax_dice_ce_loss", "softmax_dice_loss"),
                                           ("softmax_tversky_ce_loss", "softmax_tversky_loss")])
@pytest.mark.parametrize("options", [{}, {"include_background": False, "aggregate": "batch"}, {"weighted": True}])
def test_overlap_ce_from_one_softmax_equals_the_sum_of_its_terms(name, overlap, options):
    """Class-index targets share the overlap term's softmax: same value and gradient as the two terms apart,
    with ignored pixels, an all-ignored image, class weights, and logits of ±1e4 where p_t underflows."""
    options = dict(options)
    g = torch.Generator().manual_seed(3)
    x = torch.randn(3, 4, 6, 5, generator=g, dtype=torch.float64) * 3
    x[2, :, 0, 0] = torch.tensor([1e4, -1e4, 0.0, 5.0], dtype=torch.float64)  # p_t = 0 in float64 for t != 0
    y = torch.randint(0, 4, (3, 6, 5), generator=g)
    y[0, :2] = -100
    y[1] = -100
    y[2, 0, 0] = 1
    cw = torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=torch.float64) if options.pop("weighted", False) else None
    fused = getattr(O, name)(x.requires_grad_(), y, class_weight=cw, **options)
    (g_fused,) = torch.autograd.grad(fused, x)
    apart = (getattr(O, overlap)(x, y, class_weight=cw, **options)
             + torch.nn.functional.cross_entropy(x, y, weight=cw, ignore_index=-100))
    (g_apart,) = torch.autograd.grad(apart, x)
    assert torch.isfinite(fused) and torch.allclose(fused, apart, rtol=1e-12, atol=1e-12)
    assert torch.allclose(g_fused, g_apart, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- Dice/Tversky + BCE from one sigmoid
def _bce_apart(x, y, pos_weight, ignore_index=-100):
    """torch's BCE-with-logits, mean over the elements whose target is not ``ignore_index``."""
    valid = y != ignore_index
    loss = torch.nn.functional.binary_cross_entropy_with_logits(x, torch.where(valid, y, 0).to(x.dtype),
                                                                pos_weight=pos_weight, reduction="none")
    return (loss * valid).sum() / valid.sum()


@pytest.mark.parametrize("name, overlap", [("sigmoid_dice_ce_loss", "sigmoid_dice_loss"),
                                           ("sigmoid_tversky_ce_loss", "sigmoid_tversky_loss")])
@pytest.mark.parametrize("pos_weight", [None, "channel", "scalar", "last_dim"])
@pytest.mark.parametrize("options", [{}, {"include_background": False, "aggregate": "batch"}])
def test_overlap_bce_from_one_sigmoid_equals_the_sum_of_its_terms(name, overlap, pos_weight, options):
    """Masks share the overlap term's sigmoid: same value and gradient as the overlap loss + torch's BCE
    (mean over the elements not ignored), for every ``pos_weight`` broadcast torch allows, with ignored
    elements, an all-ignored image and logits of ±1e4."""
    g = torch.Generator().manual_seed(4)
    x = torch.randn(3, 3, 6, 5, generator=g, dtype=F64) * 3
    x[2, :, 0, 0] = torch.tensor([1e4, -1e4, 30.0], dtype=F64)
    y = (torch.rand(3, 3, 6, 5, generator=g) < 0.3).to(F64)
    y[2, :, 0, 0] = torch.tensor([0.0, 1.0, 1.0], dtype=F64)  # the two confidently wrong ones cost 1e4 each
    y[0, 1, :2] = -100
    y[1] = -100
    pw = {None: None, "scalar": torch.tensor(2.5, dtype=F64),
          "channel": torch.tensor([0.5, 2.0, 4.0], dtype=F64).view(3, 1, 1),
          "last_dim": torch.rand(5, generator=g, dtype=F64) * 3}[pos_weight]
    fused = getattr(O, name)(x.requires_grad_(), y, pos_weight=pw, **options)
    (g_fused,) = torch.autograd.grad(fused, x)
    apart = getattr(O, overlap)(x, y, **options) + _bce_apart(x, y, pw)
    (g_apart,) = torch.autograd.grad(apart, x)
    assert torch.isfinite(fused) and torch.allclose(fused, apart, rtol=1e-12, atol=1e-12)
    assert torch.allclose(g_fused, g_apart, rtol=1e-10, atol=1e-14)
    assert torch.autograd.gradcheck(lambda z: getattr(O, name)(z, y[:2], pos_weight=pw, **options),
                                    (x.detach()[:2].clone().requires_grad_(),))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_sigmoid_dice_ce_in_low_precision_matches_float64(dtype):
    """float32 statistics and BCE sums for every input precision, exact at logits of ±1e4 (a confidently
    right element costs 0, a wrong one 1e4); (1, 1, 512, 512) all-foreground float16 stays finite."""
    g = torch.Generator().manual_seed(5)
    x = (torch.randn(2, 2, 32, 32, generator=g) * 4).to(dtype)
    y = (torch.rand(2, 2, 32, 32, generator=g) < 0.2).float()
    x[0, 0, 0, :2] = torch.tensor([1e4, -1e4]).to(dtype)
    y[0, 0, 0, :2] = torch.tensor([1.0, 1.0])
    x64 = x.to(F64).requires_grad_()
    expected = O.sigmoid_dice_loss(x64, y) + _bce_apart(x64, y.to(F64), None)
    (g_expected,) = torch.autograd.grad(expected, x64)
    xl = x.clone().requires_grad_()
    value = O.sigmoid_dice_ce_loss(xl, y)
    value.backward()
    assert value.dtype == torch.float32 and xl.grad.dtype == dtype
    assert abs(float(value.detach()) - float(expected.detach())) <= 1e-5 * float(expected.detach())
    torch.testing.assert_close(xl.grad.to(F64), g_expected, rtol=0, atol=2e-7 if dtype == torch.float32 else 1e-5)
    big = torch.full((1, 1, 512, 512), 8.0, dtype=torch.float16, requires_grad=True)
    value = O.sigmoid_dice_ce_loss(big, torch.ones(1, 1, 512, 512))
    value.backward()
    assert torch.isfinite(value) and 0 < float(value.detach()) < 1e-3 and torch.isfinite(big.grad).all()


def test_sigmoid_dice_ce_rejects_bad_pos_weight_and_targets():
    x = torch.zeros(2, 3, 4, 4)
    y = torch.zeros(2, 3, 4, 4)
    with pytest.raises(ValueError, match="sigmoid_dice_ce_loss: .*pos_weight"):
        O.sigmoid_dice_ce_loss(x, y, pos_weight=torch.ones(2))
    with pytest.raises(ValueError, match="sigmoid_tversky_ce_loss: .*pos_weight.*finite and >= 0"):
        O.sigmoid_tversky_ce_loss(x, y, pos_weight=torch.tensor(-1.0))
    with pytest.raises(ValueError, match=r"sigmoid_dice_ce_loss: .*\[0, 1\] \(or ignore_index=-1\)"):
        O.sigmoid_dice_ce_loss(x, y - 2, ignore_index=-1)
