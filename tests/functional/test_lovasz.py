"""Lovász hinge / Lovász-softmax: oracle (the reference implementation), peers, golden values, edge cases."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from losslab import registry
from losslab.functional import lovasz_hinge_loss, lovasz_softmax_loss
from losslab.nn import LovaszHingeLoss, LovaszSoftmaxLoss


# -- oracle: the official implementation (bermanmaxim/LovaszSoftmax, pytorch/lovasz_losses.py, MIT), -----
# -- ported to current torch: Python loops over images and classes, one torch.sort per set --------------
def ref_lovasz_grad(gt_sorted):
    p = len(gt_sorted)
    gts = gt_sorted.sum()
    intersection = gts - gt_sorted.cumsum(0)
    union = gts + (1 - gt_sorted).cumsum(0)
    jaccard = 1.0 - intersection / union
    if p > 1:
        jaccard[1:p] = jaccard[1:p] - jaccard[0:-1]
    return jaccard


def ref_mean(values, empty=0):
    values = list(values)
    return sum(values) / len(values) if values else empty


def ref_lovasz_hinge_flat(logits, labels):
    if len(labels) == 0:
        return logits.sum() * 0.0
    signs = 2.0 * labels.to(logits.dtype) - 1.0
    errors = 1.0 - logits * signs
    errors_sorted, perm = torch.sort(errors, dim=0, descending=True)
    grad = ref_lovasz_grad(labels[perm].to(logits.dtype))
    return torch.dot(F.relu(errors_sorted), grad)


def ref_flatten_binary_scores(scores, labels, ignore=None):
    scores, labels = scores.reshape(-1), labels.reshape(-1)
    if ignore is None:
        return scores, labels
    valid = labels != ignore
    return scores[valid], labels[valid]


def ref_lovasz_hinge(logits, labels, per_image=True, ignore=None):
    """logits, labels: [B, *spatial]."""
    if per_image:
        return ref_mean(ref_lovasz_hinge_flat(*ref_flatten_binary_scores(lo[None], la[None], ignore))
                        for lo, la in zip(logits, labels))
    return ref_lovasz_hinge_flat(*ref_flatten_binary_scores(logits, labels, ignore))


def ref_lovasz_softmax_flat(probas, labels, classes="present"):
    if probas.numel() == 0:
        return probas.sum() * 0.0
    losses = []
    for c in range(probas.size(1)):
        fg = (labels == c).to(probas.dtype)
        if classes == "present" and fg.sum() == 0:
            continue
        errors = (fg - probas[:, c]).abs()
        errors_sorted, perm = torch.sort(errors, 0, descending=True)
        losses.append(torch.dot(errors_sorted, ref_lovasz_grad(fg[perm])))
    return ref_mean(losses)


def ref_flatten_probas(probas, labels, ignore=None):
    C = probas.size(1)
    probas = probas.movedim(1, -1).reshape(-1, C)
    labels = labels.reshape(-1)
    if ignore is None:
        return probas, labels
    valid = labels != ignore
    return probas[valid], labels[valid]


def ref_lovasz_softmax(probas, labels, classes="present", per_image=False, ignore=None):
    """probas: [B, C, *spatial] probabilities; labels: [B, *spatial]."""
    if per_image:
        return ref_mean(ref_lovasz_softmax_flat(*ref_flatten_probas(p[None], la[None], ignore), classes=classes)
                        for p, la in zip(probas, labels))
    return ref_lovasz_softmax_flat(*ref_flatten_probas(probas, labels, ignore), classes=classes)


# -- helpers ---------------------------------------------------------------------------------------
def grad_of(loss_fn, x):
    x = x.detach().clone().requires_grad_(True)
    value = loss_fn(x)
    (g,) = torch.autograd.grad(value.sum(), x)
    return value.detach(), g


def softmax_case(seed, shape=(3, 4, 5, 6), used_classes=3, dtype=torch.float64, ignore=None, frac=0.2):
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(*shape, generator=g, dtype=torch.float64) * 2).to(dtype)
    y = torch.randint(0, used_classes, (shape[0], *shape[2:]), generator=g)
    if ignore is not None:
        y[torch.rand(y.shape, generator=g) < frac] = ignore
    return x, y


def hinge_case(seed, shape=(3, 1, 5, 6), dtype=torch.float64, ignore=None, frac=0.2):
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(*shape, generator=g, dtype=torch.float64) * 2).to(dtype)
    y = (torch.rand(*shape, generator=g) < 0.35).to(dtype)
    if ignore is not None:
        y[torch.rand(shape, generator=g) < frac] = ignore
    return x, y


TOL = {torch.float64: dict(rtol=1e-10, atol=1e-12), torch.float32: dict(rtol=1e-5, atol=1e-6)}


# -- oracle comparisons ----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("aggregate", ["per_image", "batch"])
@pytest.mark.parametrize("classes", ["present", "all"])
@pytest.mark.parametrize("ignore", [None, 255])
def test_softmax_matches_reference(dtype, aggregate, classes, ignore):
    x, y = softmax_case(1, dtype=dtype, ignore=ignore)  # class 3 never occurs: "present" differs from "all"
    ours, g_ours = grad_of(lambda z: lovasz_softmax_loss(z, y, aggregate=aggregate, classes=classes,
                                                         ignore_index=ignore), x)
    ref, g_ref = grad_of(lambda z: ref_lovasz_softmax(z.softmax(1), y, classes, aggregate == "per_image", ignore), x)
    assert ours.dtype == dtype
    torch.testing.assert_close(ours, ref, **TOL[dtype])
    torch.testing.assert_close(g_ours, g_ref, **TOL[dtype])


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("aggregate", ["per_image", "batch"])
@pytest.mark.parametrize("ignore", [None, 255])
def test_hinge_matches_reference(dtype, aggregate, ignore):
    x, y = hinge_case(2, dtype=dtype, ignore=ignore)
    ours, g_ours = grad_of(lambda z: lovasz_hinge_loss(z, y, aggregate=aggregate, ignore_index=ignore), x)
    ref, g_ref = grad_of(lambda z: ref_lovasz_hinge(z[:, 0], y[:, 0], aggregate == "per_image", ignore), x)
    torch.testing.assert_close(ours, ref, **TOL[dtype])
    torch.testing.assert_close(g_ours, g_ref, **TOL[dtype])


@pytest.mark.parametrize("aggregate", ["per_image", "batch"])
def test_hinge_channels_are_separate_sets(aggregate):
    x, y = hinge_case(3, shape=(2, 3, 4, 5), ignore=-1)
    per_image = aggregate == "per_image"
    ours, g_ours = grad_of(lambda z: lovasz_hinge_loss(z, y, aggregate=aggregate, ignore_index=-1), x)
    ref, g_ref = grad_of(lambda z: sum(ref_lovasz_hinge(z[:, c], y[:, c], per_image, -1) for c in range(3)) / 3, x)
    torch.testing.assert_close(ours, ref)
    torch.testing.assert_close(g_ours, g_ref)


@pytest.mark.parametrize("aggregate", ["per_image", "batch"])
def test_class_weight_is_a_weighted_mean_over_counted_classes(aggregate):
    x, y = softmax_case(4, shape=(2, 4, 5, 5), used_classes=3)
    w = torch.tensor([0.5, 2.0, 1.0, 7.0])  # class 3 is absent: its weight must not enter the mean
    per_class = torch.stack([lovasz_softmax_loss(x, y, aggregate=aggregate, reduction="none",
                                                 class_weight=torch.eye(4)[c]) for c in range(3)])
    got = lovasz_softmax_loss(x, y, aggregate=aggregate, class_weight=w, reduction="none")
    torch.testing.assert_close(got, (w[:3, None] * per_class.reshape(3, -1)).sum(0).reshape(got.shape) / 3.5)
    xh, yh = hinge_case(5, shape=(2, 3, 4, 4))
    wh = torch.tensor([1.0, 0.0, 3.0])
    chans = [lovasz_hinge_loss(xh[:, c:c + 1], yh[:, c:c + 1], aggregate=aggregate, reduction="none") for c in range(3)]
    got = lovasz_hinge_loss(xh, yh, aggregate=aggregate, class_weight=wh, reduction="none")
    torch.testing.assert_close(got, (chans[0] + 3 * chans[2]) / 4)


# -- peers: kornia (per image, all classes, no ignore index) -----------------------------------------
def test_kornia_lovasz_softmax_equals_per_image_all_classes():
    kornia = pytest.importorskip("kornia")
    x, y = softmax_case(6, shape=(3, 4, 7, 6), used_classes=4, dtype=torch.float32)
    y[0][y[0] == 2] = 1  # an absent class in image 0: kornia charges it, like classes="all"
    ours, g_ours = grad_of(lambda z: lovasz_softmax_loss(z, y, aggregate="per_image", classes="all"), x)
    peer, g_peer = grad_of(lambda z: kornia.losses.lovasz_softmax_loss(z, y), x)
    torch.testing.assert_close(ours, peer)
    torch.testing.assert_close(g_ours, g_peer)


def test_kornia_lovasz_hinge_equals_one_channel_per_image():
    kornia = pytest.importorskip("kornia")
    x, y = hinge_case(7, shape=(3, 1, 7, 6), dtype=torch.float32)
    ours, g_ours = grad_of(lambda z: lovasz_hinge_loss(z, y), x)
    peer, g_peer = grad_of(lambda z: kornia.losses.lovasz_hinge_loss(z, y[:, 0]), x)
    torch.testing.assert_close(ours, peer)
    torch.testing.assert_close(g_ours, g_peer)


# -- golden values ---------------------------------------------------------------------------------
def test_hand_computed_hinge():
    # s = (+, +, −, −); e = 1 − s·x = (−1, 2, 1.5, −2). Sorted: 2 (fg), 1.5 (bg), −1 (fg), −2 (bg); gts = 2.
    # Δ_J of the first k: 1 − 1/2, 1 − 1/3, 1, 1  →  g = (1/2, 1/6, 1/3, 0); loss = 2/2 + 1.5/6 = 1.25
    x = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]], requires_grad=True)
    y = torch.tensor([[[[1.0, 1.0], [0.0, 0.0]]]])
    loss = lovasz_hinge_loss(x, y)
    assert float(loss.detach()) == pytest.approx(1.25, abs=1e-7)
    loss.backward()  # ∂/∂x = −s·g where e > 0: pixel 1 (fg) −1/2, pixel 2 (bg) +1/6
    torch.testing.assert_close(x.grad, torch.tensor([[[[0.0, -0.5], [1 / 6, 0.0]]]]))


def test_hand_computed_softmax():
    # p(class 0) = σ(3), σ(−3), 1/2, σ(2) for the four pixels; target (0, 1, 1, 0).
    # class 0: errors (σ(−3), σ(−3), 1/2, σ(−2)); sorted 1/2 (bg), σ(−2) (fg), σ(−3), σ(−3): g = 1/3, 1/3, 1/3, 0
    # class 1: same errors, fg = pixels 1, 2; sorted 1/2 (fg), σ(−2) (bg), then the tie: g = 1/2, 1/6, 1/3, 0
    logits = torch.tensor([[[2.0, -1.0, 0.5, 1.0], [-1.0, 2.0, 0.5, -1.0]]])
    s2, s3 = 1 / (1 + math.exp(2)), 1 / (1 + math.exp(3))
    expected = ((0.5 + s2 + s3) / 3 + (0.25 + s2 / 6 + s3 / 3)) / 2
    got = lovasz_softmax_loss(logits, torch.tensor([[0, 1, 1, 0]]))
    assert float(got) == pytest.approx(expected, abs=1e-7)
    assert float(lovasz_softmax_loss(logits.double(), torch.tensor([[0, 1, 1, 0]]))) == pytest.approx(expected,
                                                                                                    abs=1e-15)


def _iou(pred, target):
    inter, union = (pred & target).sum(), (pred | target).sum()
    return 1.0 if union == 0 else float(inter) / float(union)


@pytest.mark.parametrize("aggregate", ["per_image", "batch"])
def test_hard_predictions_give_one_minus_iou(aggregate):
    # saturated softmax: e ∈ {0, 1} and the Lovász extension equals the Jaccard loss itself
    x, y = softmax_case(8, shape=(2, 3, 6, 5), used_classes=3, dtype=torch.float32)
    pred = x.argmax(1)
    hard = F.one_hot(pred, 3).movedim(-1, 1).float() * 2e4 - 1e4
    got = lovasz_softmax_loss(hard, y, aggregate=aggregate, reduction="none")
    groups = [(pred[n], y[n]) for n in range(2)] if aggregate == "per_image" else [(pred, y)]
    expected = [sum(1 - _iou(p == c, t == c) for c in range(3) if (t == c).any()) / len({*t.flatten().tolist()})
                for p, t in groups]
    torch.testing.assert_close(got, torch.tensor(expected).reshape(got.shape))
    # hinge at logits ±1: e ∈ {0, 2}, so the loss is 2·(1 − IoU) of the predicted mask (per image)
    xh, yh = hinge_case(9, shape=(3, 1, 5, 5), dtype=torch.float32)
    sign = torch.where(xh > 0, 1.0, -1.0)
    got = lovasz_hinge_loss(sign, yh, reduction="none")
    torch.testing.assert_close(got, torch.tensor([2 * (1 - _iou(xh[n] > 0, yh[n] > 0.5)) for n in range(3)]))


def test_perfect_prediction_is_zero_with_zero_gradient():
    _, y = softmax_case(10, shape=(2, 3, 4, 4), used_classes=3)
    x = (F.one_hot(y, 3).movedim(-1, 1).float() * 2e4 - 1e4).requires_grad_(True)
    for aggregate in ("per_image", "batch"):
        for classes in ("present", "all"):
            loss = lovasz_softmax_loss(x, y, aggregate=aggregate, classes=classes)
            (g,) = torch.autograd.grad(loss, x)
            assert float(loss.detach()) == 0.0 and float(g.abs().max()) == 0.0
    _, yh = hinge_case(11, shape=(2, 2, 4, 4), dtype=torch.float32)
    xh = ((2 * yh - 1) * 1.5).requires_grad_(True)  # right sign, margin > 1
    loss = lovasz_hinge_loss(xh, yh)
    (g,) = torch.autograd.grad(loss, xh)
    assert float(loss.detach()) == 0.0 and float(g.abs().max()) == 0.0


# -- ignored pixels, empty sets --------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("aggregate", ["per_image", "batch"])
def test_ignored_pixels_equal_cropping(dtype, aggregate):
    # value and gradient with ignored pixels == those of the counted pixels alone (flattened into one image)
    x, y = softmax_case(12, shape=(3, 4, 6, 7), used_classes=4, dtype=dtype, ignore=-100, frac=0.3)
    full, g_full = grad_of(lambda z: lovasz_softmax_loss(z, y, aggregate=aggregate, reduction="none"), x)
    assert float(g_full.movedim(1, -1)[y == -100].abs().max()) == 0.0
    groups = [[n] for n in range(3)] if aggregate == "per_image" else [[0, 1, 2]]
    for i, imgs in enumerate(groups):  # a "group" is what one value is computed from
        keep = y[imgs] != -100
        crop = x[imgs].movedim(1, -1)[keep].T[None]  # (1, C, kept pixels)
        v, g = grad_of(lambda z, keep=keep, imgs=imgs: lovasz_softmax_loss(z, y[imgs][keep][None]), crop)
        torch.testing.assert_close(full.reshape(-1)[i], v, **TOL[dtype])
        torch.testing.assert_close(g_full[imgs].movedim(1, -1)[keep], g[0].T, **TOL[dtype])

    xh, yh = hinge_case(13, shape=(3, 2, 6, 7), dtype=dtype, ignore=-100, frac=0.3)
    full, g_full = grad_of(lambda z: lovasz_hinge_loss(z, yh, aggregate=aggregate, reduction="none"), xh)
    assert float(g_full[yh == -100].abs().max()) == 0.0
    for i, imgs in enumerate(groups):
        values = []
        for c in range(2):  # each channel is its own set; the value is the mean over the channels
            keep = yh[imgs, c] != -100
            v, g = grad_of(lambda z, keep=keep, imgs=imgs, c=c: lovasz_hinge_loss(z, yh[imgs, c][keep][None, None]),
                           xh[imgs, c][keep][None, None])
            values.append(v)
            torch.testing.assert_close(g_full[imgs, c][keep], g[0, 0] / 2, **TOL[dtype])
        torch.testing.assert_close(full.reshape(-1)[i], sum(values) / 2, **TOL[dtype])


def test_ignored_rectangle_equals_cropped_input():
    x, y = softmax_case(14, shape=(2, 3, 8, 6), used_classes=3)
    y_ign = y.clone()
    y_ign[:, 5:] = 7
    for aggregate in ("per_image", "batch"):
        a = lovasz_softmax_loss(x, y_ign, aggregate=aggregate, ignore_index=7)
        b = lovasz_softmax_loss(x[:, :, :5], y[:, :5], aggregate=aggregate)
        torch.testing.assert_close(a, b)
    xh, yh = hinge_case(15, shape=(2, 1, 4, 4, 6))  # 3-D
    yh_ign = yh.clone()
    yh_ign[..., 4:] = 255
    torch.testing.assert_close(lovasz_hinge_loss(xh, yh_ign, ignore_index=255), lovasz_hinge_loss(xh[..., :4], yh[..., :4]))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("aggregate", ["per_image", "batch"])
def test_all_ignored_batch_is_zero_with_graph(reduction, aggregate):
    x = torch.randn(2, 3, 4, 4, requires_grad=True)
    for loss in (lovasz_softmax_loss(x, torch.full((2, 4, 4), -100), aggregate=aggregate, reduction=reduction),
                 lovasz_hinge_loss(x, torch.full((2, 3, 4, 4), -100.0), aggregate=aggregate, reduction=reduction)):
        assert loss.requires_grad and not torch.isnan(loss).any() and float(loss.detach().abs().sum()) == 0.0
        (g,) = torch.autograd.grad(loss.sum(), x)
        assert float(g.abs().max()) == 0.0


def test_fully_ignored_image_leaves_the_mean():
    # deliberate difference to the reference (which averages a 0 for such an image): it is as if cropped
    x, y = softmax_case(16, shape=(3, 3, 4, 5), used_classes=3)
    y[1] = -100
    for aggregate in ("per_image",):
        got = lovasz_softmax_loss(x, y, aggregate=aggregate)
        torch.testing.assert_close(got, lovasz_softmax_loss(x[[0, 2]], y[[0, 2]], aggregate=aggregate))
        assert float(lovasz_softmax_loss(x, y, aggregate=aggregate, reduction="none")[1]) == 0.0
    xh, yh = hinge_case(17, shape=(3, 1, 4, 5))
    yh[2] = -100
    torch.testing.assert_close(lovasz_hinge_loss(xh, yh), lovasz_hinge_loss(xh[:2], yh[:2]))


def test_hinge_empty_target_penalises_false_positives():
    x = torch.tensor([[[[-3.0, 0.5], [-0.2, -2.0]]], [[[-4.0, -5.0], [-6.0, -1.5]]]], requires_grad=True)
    y = torch.zeros_like(x)  # two empty images; the second is predicted empty with margin > 1
    loss = lovasz_hinge_loss(x, y, reduction="none")
    torch.testing.assert_close(loss, torch.tensor([1.5, 0.0]))  # max(0, 1 + max logit)
    loss.sum().backward()
    expected = torch.zeros_like(x)
    expected[0, 0, 0, 1] = 1.0  # the gradient pushes the largest false positive down
    torch.testing.assert_close(x.grad, expected)
    ref = ref_lovasz_hinge(x.detach()[:, 0], y[:, 0])  # the reference agrees
    assert float(ref) == pytest.approx(0.75)


def test_softmax_absent_class_skipped_or_charged():
    x, y = softmax_case(18, shape=(2, 4, 5, 5), used_classes=3)
    present = lovasz_softmax_loss(x, y, classes="present")
    all_ = lovasz_softmax_loss(x, y, classes="all")
    p3 = x.softmax(1)[:, 3].max()  # "all" charges the absent class its largest probability
    torch.testing.assert_close(all_, (3 * present + p3) / 4)


# -- dtypes, extremes, shapes ----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_computes_in_float32(dtype):
    x, y = softmax_case(19, dtype=dtype)
    xh, yh = hinge_case(20, dtype=dtype)
    for fn, a, b in ((lovasz_softmax_loss, x, y), (lovasz_hinge_loss, xh, yh)):
        a = a.requires_grad_(True)
        loss = fn(a, b)
        assert loss.dtype == torch.float32
        torch.testing.assert_close(loss, fn(a.detach().float(), b.float() if b.is_floating_point() else b))
        loss.backward()
        assert a.grad.dtype == dtype and torch.isfinite(a.grad.float()).all()


@pytest.mark.parametrize("aggregate", ["per_image", "batch"])
def test_extreme_logits_are_finite(aggregate):
    g = torch.Generator().manual_seed(21)
    x = (torch.randint(0, 2, (2, 3, 5, 5), generator=g).float() * 2 - 1) * 1e4
    x.requires_grad_(True)
    y = torch.randint(0, 3, (2, 5, 5), generator=g)
    yh = (torch.rand(2, 3, 5, 5, generator=g) < 0.5).float()
    for loss in (lovasz_softmax_loss(x, y, aggregate=aggregate), lovasz_hinge_loss(x, yh, aggregate=aggregate)):
        (grad,) = torch.autograd.grad(loss, x)
        assert torch.isfinite(loss) and torch.isfinite(grad).all()
    assert float(lovasz_hinge_loss(x.detach(), yh, aggregate=aggregate)) > 1e3  # wrong signs at 1e4 cost ~1e4


@pytest.mark.parametrize("spatial", [(), (7,), (4, 5), (3, 4, 5)])
def test_any_number_of_spatial_dims(spatial):
    g = torch.Generator().manual_seed(22)
    x = torch.randn(2, 3, *spatial, generator=g, dtype=torch.float64)
    y = torch.randint(0, 3, (2, *spatial), generator=g)
    yh = (torch.rand(2, 3, *spatial, generator=g) < 0.4).double()
    for aggregate in ("per_image", "batch"):
        per_image = aggregate == "per_image"
        torch.testing.assert_close(lovasz_softmax_loss(x, y, aggregate=aggregate),
                                   ref_lovasz_softmax(x.softmax(1), y, "present", per_image))
        torch.testing.assert_close(lovasz_hinge_loss(x, yh, aggregate=aggregate),
                                   sum(ref_lovasz_hinge(x[:, c], yh[:, c], per_image) for c in range(3)) / 3)


def test_one_hot_target_equals_index_target():
    x, y = softmax_case(23, used_classes=4)
    one_hot = F.one_hot(y, 4).movedim(-1, 1)
    for target in (one_hot, one_hot.double(), one_hot.bool()):
        for aggregate in ("per_image", "batch"):
            torch.testing.assert_close(lovasz_softmax_loss(x, target, aggregate=aggregate),
                                       lovasz_softmax_loss(x, y, aggregate=aggregate))
    with pytest.raises(ValueError, match="rows summing to 1"):
        lovasz_softmax_loss(x, one_hot * 0)


@pytest.mark.parametrize("aggregate", ["per_image", "batch"])
def test_radix_path_matches_reference_on_large_inputs(aggregate):
    # >= 32768 float32 keys take torch's parallel radix sort (small inputs take another code path).
    # Logits on a grid (k + 1/4)·2⁻⁸ − 64, shuffled: every hinge error 1 ∓ x is distinct and exact in
    # float32, so the order (and hence the gradient) is the same as the oracle's float64 order.
    g = torch.Generator().manual_seed(32)
    n = 2 * 1 * 144 * 160
    x = ((torch.randperm(n, generator=g).double() + 0.25) / 256 - 64).reshape(2, 1, 144, 160)
    y = (torch.rand(2, 1, 144, 160, generator=g) < 0.3).double()
    y[torch.rand(y.shape, generator=g) < 0.1] = 255
    ours, g_ours = grad_of(lambda z: lovasz_hinge_loss(z, y.float(), aggregate=aggregate, ignore_index=255),
                           x.float())
    ref, g_ref = grad_of(lambda z: ref_lovasz_hinge(z[:, 0], y[:, 0], aggregate == "per_image", 255), x)
    torch.testing.assert_close(ours.double(), ref, rtol=1e-5, atol=0)
    torch.testing.assert_close(g_ours.double(), g_ref, rtol=1e-5, atol=1e-12)
    xs, ys = softmax_case(33, shape=(2, 3, 128, 96), used_classes=3, ignore=255, frac=0.1)
    value = lovasz_softmax_loss(xs.float(), ys, aggregate=aggregate, ignore_index=255)
    ref = ref_lovasz_softmax(xs.softmax(1), ys, "present", aggregate == "per_image", 255)
    assert float(value) == pytest.approx(float(ref), rel=1e-5)  # the value does not depend on tie order


@pytest.mark.parametrize("block", [1, 40, 100])
@pytest.mark.parametrize("aggregate", ["per_image", "batch"])
def test_sorting_in_blocks_of_sets_changes_nothing(monkeypatch, block, aggregate):
    """The float32 path sorts whole sets in blocks of ``_SORT_BLOCK`` keys (bounded scratch), and sets of
    ``_SORT_ALONE`` keys or more alone by their int32 keys; one set per block, a few sets per block, sets
    larger than a block and sets sorted alone all give the one-block value and gradient."""
    import losslab.functional.lovasz as L

    xs, ys = softmax_case(34, shape=(3, 4, 5, 6), used_classes=4, dtype=torch.float32, ignore=255)
    xh, yh = hinge_case(35, shape=(3, 2, 5, 6), dtype=torch.float32, ignore=255)
    runs = {}
    for size, alone in ((1 << 20, 1 << 30), (block, 1 << 30), (1 << 20, 1)):
        monkeypatch.setattr(L, "_SORT_BLOCK", size)
        monkeypatch.setattr(L, "_SORT_ALONE", alone)
        runs[size, alone] = (
            grad_of(lambda z: lovasz_softmax_loss(z, ys, aggregate=aggregate, ignore_index=255), xs),
            grad_of(lambda z: lovasz_hinge_loss(z, yh, aggregate=aggregate, ignore_index=255), xh))
    first, *others = runs.values()
    for other in others:
        for (v1, g1), (v2, g2) in zip(first, other):
            torch.testing.assert_close(v2, v1, rtol=1e-6, atol=0)
            torch.testing.assert_close(g2, g1, rtol=1e-6, atol=1e-9)


def test_empty_inputs_give_zero_with_graph():
    for shape in ((0, 3, 4, 4), (2, 3, 0, 4)):
        x = torch.randn(*shape, requires_grad=True)
        y = torch.zeros((shape[0], *shape[2:]), dtype=torch.long)
        for loss in (lovasz_softmax_loss(x, y), lovasz_softmax_loss(x, y, aggregate="per_image"),
                     lovasz_hinge_loss(x, torch.zeros(shape)), lovasz_hinge_loss(x, torch.zeros(shape), aggregate="batch")):
            assert float(loss.detach()) == 0.0
            loss.backward()
        assert x.grad.shape == x.shape


def test_large_set_keeps_float32_precision():
    # one set of 2**19 pixels: the closed-form g keeps float32 within ~1e-6 of float64; the reference's
    # "1 − I/U, then difference" loses the digits of g (relative errors far above 1 at this size)
    g = torch.Generator().manual_seed(24)
    x = torch.randn(2, 2, 2**18, generator=g, dtype=torch.float64)
    y = torch.randint(0, 2, (2, 2**18), generator=g)
    v64, g64 = grad_of(lambda z: lovasz_softmax_loss(z, y), x)
    v32, g32 = grad_of(lambda z: lovasz_softmax_loss(z, y), x.float())
    assert float(v32) == pytest.approx(float(v64), rel=1e-5)
    torch.testing.assert_close(g32.double(), g64, rtol=1e-3, atol=1e-11)


def test_ties_do_not_change_the_value():
    x = torch.zeros(2, 3, 4, 4)  # every error ties
    y = torch.randint(0, 3, (2, 4, 4), generator=torch.Generator().manual_seed(25))
    for aggregate in ("per_image", "batch"):
        torch.testing.assert_close(lovasz_softmax_loss(x, y, aggregate=aggregate).double(),
                                   lovasz_softmax_loss(x.double(), y, aggregate=aggregate), rtol=1e-6, atol=1e-7)
    yh = (torch.rand(2, 3, 4, 4, generator=torch.Generator().manual_seed(26)) < 0.5).float()
    torch.testing.assert_close(lovasz_hinge_loss(x, yh).double(), lovasz_hinge_loss(x.double(), yh.double()),
                               rtol=1e-6, atol=1e-7)


# -- reduction, weight, gradients ------------------------------------------------------------------
def test_reductions_and_per_image_weight():
    x, y = softmax_case(26)
    none = lovasz_softmax_loss(x, y, aggregate="per_image", reduction="none")
    assert none.shape == (3,)
    torch.testing.assert_close(lovasz_softmax_loss(x, y, aggregate="per_image"), none.mean())
    torch.testing.assert_close(lovasz_softmax_loss(x, y, aggregate="per_image", reduction="sum"), none.sum())
    w = torch.tensor([1.0, 0.0, 3.0], dtype=torch.float64)
    torch.testing.assert_close(lovasz_softmax_loss(x, y, aggregate="per_image", weight=w),
                               (w * none).sum() / w.sum())
    batch = [lovasz_softmax_loss(x, y, reduction=r) for r in ("none", "sum", "mean")]
    assert all(b.shape == () for b in batch)
    torch.testing.assert_close(batch[0], batch[1])
    torch.testing.assert_close(batch[0], batch[2])
    torch.testing.assert_close(lovasz_softmax_loss(x, y, weight=torch.tensor(2.0, dtype=torch.float64)),
                               batch[0])  # the weighted mean of one value is the value


@pytest.mark.parametrize("aggregate", ["per_image", "batch"])
def test_gradcheck_float64(aggregate):
    x, y = softmax_case(27, shape=(2, 3, 3, 4), ignore=-100)
    xh, yh = hinge_case(28, shape=(2, 2, 3, 4), ignore=-100)
    x.requires_grad_(True)
    xh.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda z: lovasz_softmax_loss(z, y, aggregate=aggregate, reduction="none"), (x,))
    assert torch.autograd.gradcheck(lambda z: lovasz_hinge_loss(z, yh, aggregate=aggregate, reduction="none"), (xh,))


def test_no_grad_input_and_double_backward():
    x, y = softmax_case(29)
    assert not lovasz_softmax_loss(x, y).requires_grad
    x.requires_grad_(True)
    (g,) = torch.autograd.grad(lovasz_softmax_loss(x, y), x, create_graph=True)
    with pytest.raises(RuntimeError):  # once differentiable, on purpose: the backward is a stored tensor
        g.sum().backward()


# -- laws --------------------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 3), c=st.integers(2, 4), p=st.integers(1, 12))
def test_laws_bounds_and_pixel_permutation(seed, n, c, p):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, c, p, generator=g, dtype=torch.float64) * 3
    y = torch.randint(0, c, (n, p), generator=g)
    yh = (torch.rand(n, c, p, generator=g) < 0.4).double()
    perm = torch.randperm(p, generator=g)
    for aggregate in ("per_image", "batch"):
        soft = lovasz_softmax_loss(x, y, aggregate=aggregate, classes="all")
        assert 0.0 <= float(soft) <= 1.0 + 1e-12  # Lovász extension of a [0, 1] loss on errors in [0, 1]
        torch.testing.assert_close(soft, lovasz_softmax_loss(x[..., perm], y[..., perm], aggregate=aggregate,
                                                             classes="all"))
        hinge = lovasz_hinge_loss(x, yh, aggregate=aggregate)
        assert float(hinge) >= 0.0
        torch.testing.assert_close(hinge, lovasz_hinge_loss(x[..., perm], yh[..., perm], aggregate=aggregate))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), t=st.floats(0.0, 1.0))
def test_hinge_is_convex_in_the_logits(seed, t):
    # the registry says convex=True: L(t·a + (1 − t)·b) <= t·L(a) + (1 − t)·L(b)
    g = torch.Generator().manual_seed(seed)
    a, b = (torch.randn(2, 2, 9, generator=g, dtype=torch.float64) * 2 for _ in range(2))
    y = (torch.rand(2, 2, 9, generator=g) < 0.4).double()
    for aggregate in ("per_image", "batch"):
        mix = lovasz_hinge_loss(t * a + (1 - t) * b, y, aggregate=aggregate)
        assert float(mix) <= t * float(lovasz_hinge_loss(a, y, aggregate=aggregate)) + (1 - t) * float(
            lovasz_hinge_loss(b, y, aggregate=aggregate)) + 1e-12


# -- module, registry, validation ------------------------------------------------------------------
def test_modules_registry_and_functional_agree():
    x, y = softmax_case(30)
    xh, yh = hinge_case(31)
    for key, module, fn, a, b in (("lovasz_softmax", LovaszSoftmaxLoss, lovasz_softmax_loss, x, y),
                                  ("lovasz_hinge", LovaszHingeLoss, lovasz_hinge_loss, xh, yh)):
        spec = registry.get(key)
        assert spec.load_functional() is fn and spec.load_module() is module
        assert spec.family == "overlap" and spec.differentiable is False
        kw = dict(aggregate="batch", class_weight=torch.ones(a.shape[1]), reduction="sum")
        torch.testing.assert_close(module(**kw)(a, b), fn(a, b, **kw))
        torch.testing.assert_close(spec.build()(a, b), fn(a, b))
    assert registry.get("lovasz_softmax").defaults()["aggregate"] == "batch"
    assert registry.get("lovasz_hinge").defaults()["aggregate"] == "per_image"
    assert registry.get("lovasz_hinge").convex is True and registry.get("lovasz_softmax").convex is False
    with pytest.raises(ValueError, match="aggregate"):
        LovaszHingeLoss(aggregate="image")


def test_validation_messages():
    x = torch.randn(2, 3, 4, 4)
    y = torch.randint(0, 3, (2, 4, 4))
    with pytest.raises(TypeError, match="lovasz_softmax_loss: expected `target` dtype"):
        lovasz_softmax_loss(x, y.float())
    with pytest.raises(ValueError, match="`target` shape"):
        lovasz_softmax_loss(x, y[:, :3])
    bad = y.clone()
    bad[0, 0, 0] = 3
    with pytest.raises(ValueError, match=r"class indices in \[0, 2\].*got class 3"):
        lovasz_softmax_loss(x, bad)
    lovasz_softmax_loss(x, y.masked_fill(y == 0, -100))  # the ignore index is not out of range
    with pytest.raises(ValueError, match="classes"):
        lovasz_softmax_loss(x, y, classes="some")
    with pytest.raises(ValueError, match="weight"):
        lovasz_softmax_loss(x, y, weight=torch.ones(2))  # batch aggregate: one value, a 0-d weight
    with pytest.raises(ValueError, match="class_weight"):
        lovasz_softmax_loss(x, y, class_weight=torch.ones(4))
    with pytest.raises(TypeError, match="ignore_index"):
        lovasz_softmax_loss(x, y, ignore_index=1.5)
    with pytest.raises(TypeError, match="`input` dtype"):
        lovasz_hinge_loss(y, y)
    yh = (torch.rand(2, 3, 4, 4) < 0.5).float()
    with pytest.raises(ValueError, match="shape"):
        lovasz_hinge_loss(x, yh[:, :2])
    with pytest.raises(ValueError, match=r"values in \{0, 1\}"):
        lovasz_hinge_loss(x, yh * 0.5 + 0.25)
    with pytest.raises(ValueError, match="ignore_index"):
        lovasz_hinge_loss(x, yh, ignore_index=1)
    lovasz_hinge_loss(x, yh * 0.5 + 0.25, validate=False)  # value checks can be switched off
