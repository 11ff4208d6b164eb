"""Published values: the expected numbers hard-coded in MONAI's and kornia's own unit tests, re-derived here.

These are independent oracles: numbers computed and checked in by other people, transcribed here as data
(inputs, options, expected value) with the source file cited per block; no peer library is imported. A case
is ported only where the peer's semantics equal ours, through this option mapping:

MONAI (``monai.losses``)
    ``smooth_nr = smooth_dr = s`` ↔ ``smooth=s`` (cases with ``smooth_nr != smooth_dr`` are not ported);
    ``batch=True`` ↔ ``aggregate="batch"``; ``squared_pred`` ↔ ``squared``; ``jaccard=True`` ↔ our Jaccard
    with ``smooth=s/2`` (MONAI's is ``(2I + s)/(2(P + T − I) + s)``); ``sigmoid=True`` ↔ ``sigmoid_*``,
    ``softmax=True`` ↔ ``softmax_*``; ``to_onehot_y=True`` ↔ class-index targets (softmax) or one-hot masks
    (sigmoid).
    MONAI's ``reduction="none"`` keeps singleton spatial axes: compared after reshaping to ours.
    Probabilities fed without an activation are turned into logits exactly (see :func:`softmax_logits`,
    :func:`sigmoid_logits`). Every (image, class) term of a ported overlap case has a non-empty target: for an
    empty target MONAI gives ``P/(P + s)`` and we give ``P/n`` (documented difference).
kornia (``kornia.losses``)
    Its macro average (Dice ``average="macro"``, Tversky) is, per sample, the mean over the classes present in
    the sample's non-ignored target, then the mean over samples; ours counts every class (an absent one costs
    ``P/n``). :func:`presence_weight` expresses kornia's average as our per-term ``weight``. kornia's ``eps``
    (denominator only) is 1e-8 in every ported case and is matched by ``smooth=0``. kornia's Lovász-softmax
    equals ``aggregate="per_image", classes="all"``; its class ``weight`` multiplies the class losses and
    takes the plain mean over the C classes, ours is the weighted mean ``Σwℓ/Σw``, so ``ours · Σw / C`` is
    compared.

Not ported (and why) is listed next to each block.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as TF

from losslab.functional import (
    lovasz_hinge_loss,
    lovasz_softmax_loss,
    sigmoid_dice_ce_loss,
    sigmoid_dice_loss,
    sigmoid_focal_loss,
    sigmoid_generalized_dice_loss,
    sigmoid_jaccard_loss,
    sigmoid_tversky_loss,
    softmax_dice_loss,
    softmax_focal_loss,
    softmax_generalized_dice_loss,
    softmax_tversky_loss,
)

from ._published import F64, check, sigmoid_logits, softmax_logits, tensor


# ------------------------------------------------------------------------------------------------ helpers
def labels(data) -> torch.Tensor:
    """A ``(N, 1, *spatial)`` label map (MONAI's layout) as our class-index target ``(N, *spatial)``."""
    return torch.tensor(data).squeeze(1).long()


def masks(data, num_classes: int) -> torch.Tensor:
    """MONAI's ``to_onehot_y`` for a sigmoid loss: ``(N, 1, *spatial)`` labels → ``(N, C, *spatial)``."""
    return TF.one_hot(labels(data), num_classes).movedim(-1, 1).to(F64)


def presence_weight(target: torch.Tensor, num_classes: int, ignore_index: int = -100) -> torch.Tensor:
    """kornia's macro average as our per-term weight ``(N, C)``: ``[c present in n] / #present(n)``.

    With ``"mean"`` = ``Σwℓ/Σw`` this is the per-sample mean over present classes, then the mean over samples
    (every sample here has a present class).
    """
    valid = target != ignore_index
    present = torch.stack([((target == c) & valid).flatten(1).any(1) for c in range(num_classes)], 1).to(F64)
    return present / present.sum(1, keepdim=True)


def case(fn, x, t, expected, case_id, **kwargs):
    return pytest.param(fn, x, t, kwargs, expected, id=case_id)


# ===================================================================================================== MONAI
# Inputs shared by MONAI's test_dice_loss.py, test_generalized_dice_loss.py and test_tversky_loss.py.
X_1IMG = tensor([[[[1.0, -1.0], [-1.0, 1.0]]]])  # (1, 1, 2, 2) logits
T_1IMG = tensor([[[[1.0, 0.0], [1.0, 1.0]]]])
X_2IMG = tensor([[[[1.0, -1.0], [-1.0, 1.0]]], [[[1.0, -1.0], [-1.0, 1.0]]]])  # (2, 1, 2, 2) logits
T_2IMG = tensor([[[[1.0, 1.0], [1.0, 1.0]]], [[[1.0, 0.0], [1.0, 0.0]]]])
P_SOFT = [[[[0.3, 0.4], [0.7, 0.9]]], [[[1.0, 0.1], [0.5, 0.3]]]]  # probabilities, no activation in MONAI
X_SOFT, T_SOFT = sigmoid_logits(P_SOFT), tensor(P_SOFT)  # soft_label=False: plain I = Σ p t on soft masks
X_2C = tensor([[[-1.0, 0.0, 1.0], [1.0, 0.0, -1.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]])  # (2, 2, 3) logits
Y_2C = [[[1.0, 0.0, 0.0]], [[1.0, 1.0, 0.0]]]  # (2, 1, 3) labels: both classes present in both images
P_HARD = [[[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]], [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]]  # one-hot probabilities
Y_HARD = [[[0.0, 0.0, 1.0]], [[0.0, 1.0, 0.0]]]  # equals argmax of P_HARD; class 1 present in both images

# MONAI tests/losses/test_dice_loss.py (read at commit 01c9ad1ad0e8), DiceLoss(...), rtol=1e-5 there.
# Not ported: soft_label=True (MONAI's soft intersection (|x| + |y| − |x − y|)/2, not ours; and p = 1 inputs);
# other_act=torch.tanh (4 cases) and other_act=log_softmax (2 cases): activations we do not have.
MONAI_DICE = [
    case(sigmoid_dice_loss, X_1IMG, T_1IMG, 0.307576, "sigmoid-1img", smooth=1e-6),
    case(sigmoid_dice_loss, X_2IMG, T_2IMG, 0.416657, "sigmoid-2img", smooth=1e-4),
    case(sigmoid_dice_loss, X_SOFT, T_SOFT, 0.307773, "probs-soft_label=False", smooth=1e-4),
    case(softmax_dice_loss, softmax_logits(P_HARD), labels(Y_HARD), 0.0, "probs-no-background",
         smooth=0.0, include_background=False),
    case(sigmoid_dice_loss, X_2C, masks(Y_2C, 2), 0.435050, "sigmoid-onehot_y", smooth=1e-4),
    case(sigmoid_dice_loss, X_2C, masks(Y_2C, 2), [[0.296529, 0.415136], [0.599976, 0.428559]],
         "sigmoid-onehot_y-none", smooth=1e-4, reduction="none"),
    case(softmax_dice_loss, X_2C, labels(Y_2C), 0.383713, "softmax", smooth=1e-4),
    case(softmax_dice_loss, X_2C, labels(Y_2C), 1.534853, "softmax-sum", smooth=1e-4, reduction="sum"),
    case(sigmoid_dice_loss, X_1IMG, T_1IMG, 0.178337, "sigmoid-squared_pred", smooth=1e-5, squared=True),
    case(sigmoid_jaccard_loss, X_1IMG, T_1IMG, 0.470451, "sigmoid-jaccard", smooth=0.5e-5),
]

# MONAI tests/losses/test_generalized_dice_loss.py (read at commit 070fb8808e6c), GeneralizedDiceLoss(...),
# w_type="square" unless stated, rtol=1e-5 there.
# Not ported: soft_label=True (as above); the all-empty target with include_background=False (expected 0.0:
# MONAI's smoothed 0/0 → (0 + s)/(0 + s) for a predicted mass of 1 per image, ours the soft FP fraction
# ΣP/Σn = 1/3: the documented empty-target difference); other_act=tanh and other_act=log_softmax.
MONAI_GENERALIZED_DICE = [
    case(sigmoid_generalized_dice_loss, X_1IMG, T_1IMG, 0.307576, "sigmoid-1img", smooth=1e-6),
    case(sigmoid_generalized_dice_loss, X_2IMG, T_2IMG, 0.416597, "sigmoid-2img", smooth=1e-4),
    case(sigmoid_generalized_dice_loss, X_SOFT, T_SOFT, 0.307748, "probs-soft_label=False", smooth=1e-4),
    case(softmax_generalized_dice_loss, softmax_logits(P_HARD), labels(Y_HARD), 0.0, "probs-no-background",
         smooth=0.0, include_background=False),
    case(sigmoid_generalized_dice_loss, X_2C, masks(Y_2C, 2), 0.469964, "sigmoid-onehot_y", smooth=1e-4),
    case(softmax_generalized_dice_loss, X_2C, labels(Y_2C), 0.414507, "softmax", smooth=1e-4),
    case(softmax_generalized_dice_loss, X_2C, labels(Y_2C), 0.829015, "softmax-sum", smooth=1e-4,
         reduction="sum"),
    case(softmax_generalized_dice_loss, X_2C, labels(Y_2C), [0.273476, 0.555539], "softmax-none",
         smooth=1e-4, reduction="none"),
    case(softmax_generalized_dice_loss, tensor([[[0.0, 10.0, 10.0, 10.0], [10.0, 0.0, 0.0, 0.0]]]),
         labels([[[1, 1, 0, 0]]]), 0.250023, "softmax-simple", smooth=0.0, weighting="simple"),
]

# MONAI tests/losses/test_tversky_loss.py (read at commit 021094ff2b36), TverskyLoss(...) with MONAI's default
# alpha = beta = 0.5 unless stated (alpha weighs FP, beta FN, as ours), rtol=1e-4 there.
# Not ported: soft_label=True; smooth_nr=0 with smooth_dr=1e-3 (expected 0.000999: our one `smooth` enters
# numerator and denominator); other_act=tanh (2 cases) and other_act=log_softmax.
HALF = {"alpha": 0.5, "beta": 0.5}
MONAI_TVERSKY = [
    case(sigmoid_tversky_loss, X_1IMG, T_1IMG, 0.307576, "sigmoid-1img", smooth=1e-6, **HALF),
    case(sigmoid_tversky_loss, X_2IMG, T_2IMG, 0.416657, "sigmoid-2img", smooth=1e-4, **HALF),
    case(sigmoid_tversky_loss, X_SOFT, T_SOFT, 0.307773, "probs-soft_label=False", smooth=1e-4, **HALF),
    case(softmax_tversky_loss, softmax_logits(P_HARD), labels(Y_HARD), 0.0, "probs-no-background",
         smooth=0.0, include_background=False, **HALF),
    case(sigmoid_tversky_loss, X_2C, masks(Y_2C, 2), 0.435050, "sigmoid-onehot_y", smooth=1e-4, **HALF),
    case(sigmoid_tversky_loss, X_2C, masks(Y_2C, 2), 0.422979, "sigmoid-onehot_y-batch", smooth=1e-5,
         aggregate="batch", **HALF),
    case(sigmoid_tversky_loss, X_2C, masks(Y_2C, 2), 1.74013, "sigmoid-onehot_y-sum", smooth=1e-4,
         reduction="sum", **HALF),
    case(softmax_tversky_loss, X_2C, labels(Y_2C), 0.383713, "softmax", smooth=1e-4, **HALF),
    case(softmax_tversky_loss, X_2C, labels(Y_2C), [[0.210961, 0.295339], [0.599952, 0.428547]],
         "softmax-none", smooth=1e-4, reduction="none", **HALF),
    case(sigmoid_tversky_loss, X_1IMG, T_1IMG, 0.3589, "sigmoid-alpha0.3", smooth=1e-6,
         alpha=0.3, beta=0.7),
    case(sigmoid_tversky_loss, X_1IMG, T_1IMG, 0.247366, "sigmoid-alpha0.7", smooth=1e-6,
         alpha=0.7, beta=0.3),
]


@pytest.mark.parametrize("fn,x,t,kwargs,expected", MONAI_DICE)
def test_monai_dice(fn, x, t, kwargs, expected):
    check(fn(x, t, **kwargs), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn,x,t,kwargs,expected", MONAI_GENERALIZED_DICE)
def test_monai_generalized_dice(fn, x, t, kwargs, expected):
    check(fn(x, t, **kwargs), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn,x,t,kwargs,expected", MONAI_TVERSKY)
def test_monai_tversky(fn, x, t, kwargs, expected):
    check(fn(x, t, **kwargs), expected, rtol=1e-4, atol=1e-6)


# MONAI tests/losses/test_focal_loss.py (read at commit 1f37d0dfbb9e), FocalLoss(...) with MONAI's defaults
# gamma=2, alpha=None, use_softmax=False (sigmoid on every channel of a one-hot target); atol = rtol = 1e-4.
# * include_background=False drops channel 0 before an elementwise loss: our loss on channels 1: .
# * A per-class `weight` with reduction="none" multiplies channel c: our per-element `weight` (C, 1, 1).
# * use_softmax=True: MONAI's mean runs over N·C·H·W elements, C − 1 of every pixel's C terms being 0 for a
#   one-hot target; ours over the N·H·W pixels, so ours / C is compared. MONAI's scalar alpha there is
#   (1 − α) for class 0 and α for the others: our `alpha` tensor.
# Not ported: the gamma=0 ≡ BCE consistency checks and the alpha-sequence test (random inputs, no value).
X_FOCAL = tensor([[[[1.0, 1.0], [0.5, 0.0]]] * 3])  # (1, 3, 2, 2): the same logits in every channel
Y_FOCAL = [[[[0, 1], [2, 0]]]]  # (1, 1, 2, 2) labels
FOCAL_NONE = [
    [[0.02266, 0.70187], [0.37741, 0.17329]],
    [[0.70187, 0.02266], [0.37741, 0.17329]],
    [[0.70187, 0.70187], [0.06757, 0.17329]],
]
FOCAL_WEIGHTED_NONE = [
    [[0.01133, 0.35093], [0.18871, 0.08664]],
    [[0.07019, 0.00227], [0.03774, 0.01733]],
    [[0.14037, 0.14037], [0.01352, 0.03466]],
]
MONAI_FOCAL = [
    # (id, activation, channels kept, our kwargs, divide ours by, expected)
    ("sigmoid", "sigmoid", slice(None), {}, 1, 0.34959),
    ("sigmoid-no-background", "sigmoid", slice(1, None), {}, 1, 0.36498),
    ("sigmoid-alpha0.8", "sigmoid", slice(None), {"alpha": 0.8}, 1, 0.08423),
    ("sigmoid-none", "sigmoid", slice(None), {"reduction": "none"}, 1, [FOCAL_NONE]),
    ("sigmoid-weight-none", "sigmoid", slice(None),
     {"reduction": "none", "weight": tensor([0.5, 0.1, 0.2]).view(3, 1, 1)}, 1, [FOCAL_WEIGHTED_NONE]),
    ("softmax", "softmax", slice(None), {}, 3, 0.16276),
    ("softmax-alpha0.8", "softmax", slice(None), {"alpha": tensor([0.2, 0.8, 0.8])}, 3, 0.08138),
]


def focal(activation, x, y, channels, **kwargs):
    """MONAI's FocalLoss on a (N, 1, *) label map, ours on one-hot masks (sigmoid) or indices (softmax)."""
    if activation == "softmax":
        return softmax_focal_loss(x, labels(y), **{"alpha": None, **kwargs})
    return sigmoid_focal_loss(x[:, channels], masks(y, x.shape[1])[:, channels], **{"alpha": None, **kwargs})


@pytest.mark.parametrize("activation,channels,kwargs,divisor,expected",
                         [pytest.param(*c[1:], id=c[0]) for c in MONAI_FOCAL])
def test_monai_focal(activation, channels, kwargs, divisor, expected):
    check(focal(activation, X_FOCAL, Y_FOCAL, channels, **kwargs) / divisor, expected, rtol=1e-4, atol=1e-4)


def test_monai_focal_one_hot_target():
    # same file: to_onehot_y=False with the int64 one-hot target F.one_hot(...).permute(0, 3, 1, 2) → 0.34959
    target = TF.one_hot(labels(Y_FOCAL), 3).permute(0, 3, 1, 2)
    check(sigmoid_focal_loss(X_FOCAL, target, alpha=None), 0.34959, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("channels,expected", [(slice(None), 0.1116), (slice(1, None), 0.1733)],
                         ids=["with-background", "no-background"])
def test_monai_focal_foreground(channels, expected):
    # same file, test_foreground: logits = target-shaped (1, 2, 5, 5) "background ones, foreground zeros",
    # one-hot target with the foreground at (2, 2); assertAlmostEqual(places=3) there
    x = torch.cat([torch.ones(1, 1, 5, 5, dtype=F64), torch.zeros(1, 1, 5, 5, dtype=F64)], 1)
    t = x.clone()
    t[:, 0, 2, 2], t[:, 1, 2, 2] = 0.0, 1.0
    check(sigmoid_focal_loss(x[:, channels], t[:, channels], alpha=None), expected, rtol=0, atol=5e-4)


# same file, test_bin_seg_2d / test_empty_class_2d / test_multi_class_seg_2d / test_bin_seg_3d: logits
# scale · one_hot(target) − scale/2 give a focal loss of 0 to 3 places, sigmoid and softmax, alpha None or 0.5
# (softmax with index and one-hot targets; MONAI's softmax α = 0.5 is 0.5 for every class)
_RING = [[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]]
NEAR_PERFECT = {
    "bin_seg_2d": ([_RING], 2, 100.0),
    "empty_class_2d": ([[[0] * 4] * 4], 2, 1000.0),
    "multi_class_seg_2d": ([[[0, 0, 0, 0], [0, 1, 2, 0], [0, 3, 4, 0], [0, 0, 0, 0]]], 6, 1000.0),
    "bin_seg_3d": ([[_RING, _RING, _RING]], 2, 1000.0),
}


@pytest.mark.parametrize("alpha", [None, 0.5])
@pytest.mark.parametrize("activation", ["sigmoid", "softmax"])
@pytest.mark.parametrize("name", list(NEAR_PERFECT))
def test_monai_focal_near_perfect(name, activation, alpha):
    target, c, scale = NEAR_PERFECT[name]
    one_hot = TF.one_hot(torch.tensor(target), c).movedim(-1, 1).to(F64)
    x = scale * one_hot - scale / 2
    if activation == "sigmoid":
        check(sigmoid_focal_loss(x, one_hot, alpha=alpha), 0.0, rtol=0, atol=5e-4)
        return
    class_alpha = None if alpha is None else torch.full((c,), alpha, dtype=F64)
    for t in (torch.tensor(target), one_hot):  # MONAI's to_onehot_y=True and False
        check(softmax_focal_loss(x, t, alpha=class_alpha), 0.0, rtol=0, atol=5e-4)


# MONAI tests/losses/test_dice_ce_loss.py (read at commit dd3ca76e2cf2), DiceCELoss(...), atol = rtol = 1e-4.
# With one channel MONAI adds BCEWithLogitsLoss(pos_weight=weight) to DiceLoss(weight=weight), and DiceLoss
# applies its class weight only when there is more than one channel: weight = [0.5] ↔ pos_weight=0.5 (the
# Dice term unweighted). Default smooth_nr = smooth_dr = 1e-5.
# Not ported: the six softmax cases: DiceCELoss there has no activation for its Dice term, which reads the
# raw input as probabilities (0/1 values, or 100), while its cross-entropy reads the same tensor as logits;
# our composite applies one softmax to both terms.
def test_monai_dice_ce_sigmoid():
    x = tensor([[[0.8, 0.6, 0.0]], [[0.0, 0.0, 0.9]]])  # (2, 1, 3) logits
    t = tensor([[[0.0, 0.0, 1.0]], [[0.0, 1.0, 0.0]]])
    loss = sigmoid_dice_ce_loss(x, t, pos_weight=tensor(0.5), smooth=1e-5)
    check(loss, 1.445239, rtol=1e-4, atol=1e-4)


# MONAI tests/losses/test_dice_focal_loss.py (commit 3c3537b5039e) and test_ignore_index_losses.py (commit
# 1a85bb07fb0d): nothing ported: every check compares MONAI with itself (DiceFocal = Dice + λ·Focal, losses
# invariant to ignored pixels) on random inputs, with no published number. The ignore_index tests at the end
# of test_dice_loss.py likewise compare with a cropped input (no number).


# ==================================================================================================== kornia
# kornia tests/losses/test_tversky.py (read at commit 198ac4b461aa), tversky_loss(logits, labels, alpha, beta)
# with eps=1e-8 in the denominator only ↔ smooth=0, macro average ↔ presence_weight.
# Not ported: eps=0.25 (kornia adds eps to the denominator only, our smooth enters both); (alpha, beta) =
# (1, 0) of test_present_class_without_correct_predictions (class 1 has TP = FP = e^-200 and no FN weight, so
# the value is 0/(0 + eps) there and hinges on kornia's eps: ours with smooth=0 gives 1/2 for that class in
# float64); test_ignored_samples (a fully ignored sample counts as loss 1 in kornia, is left out by us); the
# macro-Dice correspondence and small-ratio tests (expected values computed at run time, not published).
@pytest.mark.parametrize("alpha,beta,expected",
                         [(0.3, 0.7, 0.6015094950), (0.7, 0.3, 0.5990951811), (0.5, 0.5, 0.6037325821)])
def test_kornia_tversky_issue_5543(alpha, beta, expected):
    # the issue's CPU-seeded fixture, float64 draws rounded to float32 as there; every class in every sample
    generator = torch.Generator().manual_seed(1206)
    x = (torch.randn(2, 3, 4, 6, dtype=F64, generator=generator) * 2).float()
    t = torch.randint(0, 3, (2, 4, 6), generator=generator)
    t[1, :, :2] = 2
    loss = softmax_tversky_loss(x.double(), t, alpha=alpha, beta=beta, smooth=0.0,
                                weight=presence_weight(t, 3))
    check(loss, expected, rtol=0, atol=1e-7)


# test_target_presence_per_sample: softmax probabilities (logits = log p, as there), published soft counts
# (TP, FP, FN) of the present classes: sample 0 classes 0 and 1, sample 1 class 2 only
P_PRESENCE = [
    [[[0.5, 0.25, 0.125, 0.5]], [[0.25, 0.5, 0.125, 0.25]], [[0.25, 0.25, 0.75, 0.25]]],
    [[[0.5, 0.25, 0.5, 0.25]], [[0.25, 0.5, 0.25, 0.5]], [[0.25, 0.25, 0.25, 0.25]]],
]
Y_PRESENCE = torch.tensor([[[0, 1, 1, 0]], [[2, 2, 2, 2]]])
COUNTS_PRESENCE = [[(1.0, 0.375, 1.0), (0.625, 0.5, 1.375)], [(1.0, 0.0, 3.0)]]


@pytest.mark.parametrize("alpha,beta", [(0.3, 0.7), (0.7, 0.3), (0.5, 0.5), (1.0, 1.0)])
def test_kornia_tversky_target_presence(alpha, beta):
    def score(tp, fp, fn):
        return tp / (tp + alpha * fp + beta * fn)

    expected = 1 - sum(sum(score(*c) for c in s) / len(s) for s in COUNTS_PRESENCE) / len(COUNTS_PRESENCE)
    loss = softmax_tversky_loss(softmax_logits(P_PRESENCE), Y_PRESENCE, alpha=alpha, beta=beta, smooth=0.0,
                                weight=presence_weight(Y_PRESENCE, 3))
    check(loss, expected, rtol=0, atol=1e-9)  # exact in float64 (kornia checks float32 to its defaults)


@pytest.mark.parametrize("alpha,beta", [(0.3, 0.7), (0.0, 1.0)])
def test_kornia_tversky_present_class_without_correct_predictions(alpha, beta):
    # class 0: TP=1, FP=1, FN=0; class 1: TP=FP=0, FN=1 (loss 1); class 2 absent
    x = tensor([[[[100.0, 100.0]], [[-100.0, -100.0]], [[-100.0, -100.0]]]])
    t = torch.tensor([[[0, 1]]])
    loss = softmax_tversky_loss(x, t, alpha=alpha, beta=beta, smooth=0.0, weight=presence_weight(t, 3))
    check(loss, 1 - (1 / (1 + alpha)) / 2, rtol=0, atol=1e-9)


def test_kornia_tversky_exact_target_rare_class():
    t = torch.zeros(1, 128, 192, dtype=torch.long)
    t[0, 0, 0] = 1
    x = torch.full((1, 3, 128, 192), -40.0, dtype=F64).scatter(1, t[:, None], 40.0)
    loss = softmax_tversky_loss(x, t, alpha=0.3, beta=0.7, smooth=0.0, weight=presence_weight(t, 3))
    check(loss, 0.0, rtol=0, atol=1e-7)


def test_kornia_tversky_all_zeros():
    # test_all_zeros (ignore_index -100 or None: no pixel is ignored either way), tolerance 1e-3 there
    x = torch.zeros(2, 3, 1, 2, dtype=F64)
    x[:, 0], x[:, 1], x[:, 2] = 10.0, 1.0, 1.0
    t = torch.zeros(2, 1, 2, dtype=torch.long)
    loss = softmax_tversky_loss(x, t, alpha=0.5, beta=0.5, smooth=0.0, weight=presence_weight(t, 3))
    check(loss, 0.0, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("ignore_index", [-100, 255])
def test_kornia_tversky_ignore_index(ignore_index):
    # class 0 is the only present class: TP=1, FP=0, FN=1 after masking → 1/3 (tolerance 1e-3 there)
    x = torch.zeros(2, 2, 1, 4, dtype=F64)
    x[:, 0, :, 0] = 100.0
    x[:, 1, :, 1:] = 100.0
    t = torch.zeros(2, 1, 4, dtype=torch.long)
    t[..., 2:] = ignore_index
    loss = softmax_tversky_loss(x, t, alpha=0.5, beta=0.5, smooth=0.0, ignore_index=ignore_index,
                                weight=presence_weight(t, 2, ignore_index))
    check(loss, 1 / 3, rtol=1e-3, atol=1e-3)


# kornia tests/losses/test_dice.py (the version with test_macro_absent_channels_5539), dice_loss(...,
# average="macro") with eps=1e-8 ↔ smooth=0, macro ↔ presence_weight; a class `weight` there is the weighted
# mean over the present classes of each sample, our `class_weight` when every sample has the same classes.
# Not ported: average="micro" (test_all_zeros, test_averaging_micro, test_ignore_index, micro test_weight:
# one set pooled over all classes, not a per-class Dice); test_macro_ignored_samples (a fully ignored sample
# costs 1 in kornia, is left out by us); tests whose expected value is computed at run time or is kornia.
def test_kornia_dice_perfect_prediction_of_a_rare_class():
    t = torch.zeros(1, 128, 192, dtype=torch.long)
    t[0, 10, 10] = 1
    x = torch.full((1, 2, 128, 192), -30.0, dtype=F64).scatter(1, t[:, None], 30.0)
    check(softmax_dice_loss(x, t, smooth=0.0), 0.0, rtol=1.3e-6, atol=1e-5)


@pytest.mark.parametrize("class_weight,expected", [
    ([1.0, 0.0, 0.0], 0.0),  # class 0 is all correct
    ([0.0, 1.0, 0.0], 1.0),  # class 1 is all incorrect
    ([0.0, 0.0, 1.0], 0.2),  # class 2 is partially correct
    ([0.3, 0.7, 0.0], 0.7),  # non-binary weights
])
def test_kornia_dice_macro_weight(class_weight, expected):
    x = torch.zeros(4, 3, 1, 4, dtype=F64)
    x[:, 0, :, 0] = 100.0
    x[:, 2, :, 1:] = 100.0
    t = torch.tensor([0, 1, 2, 2]).expand(4, 1, -1)
    loss = softmax_dice_loss(x, t, smooth=0.0, class_weight=tensor(class_weight))
    check(loss, expected, rtol=1e-3, atol=1e-3)


def test_kornia_dice_averaging_macro():
    # class 1 is absent from the target: only class 0 enters kornia's macro mean (tolerance 1e-3 there)
    x = torch.zeros(1, 2, 1, 4, dtype=F64)
    x[:, 0, :, :3], x[:, 0, :, 3:] = 10.0, 1.0
    x[:, 1, :, :3], x[:, 1, :, 3:] = 1.0, 10.0
    t = torch.zeros(1, 1, 4, dtype=torch.long)
    e1, e10 = torch.exp(tensor(1.0)), torch.exp(tensor(10.0))
    intersection = (3 * e10 + e1) / (e1 + e10)
    expected = 1 - 2 * intersection / (4 + intersection + 1e-8)
    check(softmax_dice_loss(x, t, smooth=0.0, weight=presence_weight(t, 2)), expected, rtol=1e-3, atol=1e-3)


# kornia tests/losses/test_focal_loss.py (read at commit 05ba4f723d74), test_numeric_stability:
# binary_focal_loss_with_logits(logits, labels, alpha=0.25, gamma=2.0) with its default reduction "none".
# Not ported: every other check compares kornia with torch or with itself on random inputs.
def test_kornia_binary_focal_numeric_stability():
    x, t = torch.tensor([[100.0, -100.0]]), torch.tensor([[1.0, 0.0]])
    loss = sigmoid_focal_loss(x, t, alpha=0.25, gamma=2.0, reduction="none")
    check(loss, [[0.0, 0.0]], rtol=1.3e-6, atol=1e-5)


# kornia tests/losses/test_lovaz_hinge.py (read at commit 417556ee3750), test_perfect_prediction.
# Not ported: the float64 reference comparison (random inputs, expected computed at run time).
def test_kornia_lovasz_hinge_perfect_prediction():
    x, t = torch.ones(2, 1, 1, 2, dtype=F64), torch.ones(2, 1, 1, 2, dtype=F64)
    check(lovasz_hinge_loss(x, t), 0.0, rtol=1e-3, atol=1e-3)


# kornia tests/losses/test_lovaz_softmax.py (read at commit 06dd649e702d): ↔ aggregate="per_image",
# classes="all"; weighted results compared as ours · Σw / C (see the module docstring).
# Not ported: the class-permutation invariance and dynamo checks (no number; the dynamo value 1.03/3 is the
# unweighted multiclass case below).
LOVASZ = {"aggregate": "per_image", "classes": "all"}
P_LOVASZ = [[[[0.6, 0.21, 0.12]], [[0.29, 0.68, 0.19]], [[0.11, 0.11, 0.69]]]]  # (1, 3, 1, 3) probabilities
# Berman's reference, classes="all", per_image=True: (pixels kept, labels, published per-class losses)
LOVASZ_REFERENCE = {
    "multiclass": (3, [[[0, 1, 2]]], [0.4, 0.32, 0.31]),
    "absent_classes": (3, [[[0, 0, 0]]], [0.69, 0.68, 0.69]),
    "single_pixel": (1, [[[0]]], [0.4, 0.29, 0.11]),
}


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", list(LOVASZ_REFERENCE))
def test_kornia_lovasz_softmax_foreground_reference(name, weighted):
    pixels, target, per_class = LOVASZ_REFERENCE[name]
    x = softmax_logits(P_LOVASZ)[..., :pixels]
    w = tensor([1.0, 2.0, 3.0]) if weighted else torch.ones(3, dtype=F64)
    loss = lovasz_softmax_loss(x, torch.tensor(target), class_weight=w if weighted else None, **LOVASZ)
    check(loss * w.sum() / 3, (tensor(per_class) * w).mean(), rtol=0, atol=1e-9)


def test_kornia_lovasz_softmax_foreground_gradient_reference():
    x = softmax_logits(P_LOVASZ).requires_grad_()
    (grad,) = torch.autograd.grad(lovasz_softmax_loss(x, torch.tensor([[[0, 1, 2]]]), **LOVASZ), x)
    expected = [[[[-0.08, 0.0476, 0.0276]], [[0.058, -0.0725333333, 0.0437]],
                 [[0.022, 0.0249333333, -0.0713]]]]
    check(grad, expected, rtol=0, atol=1e-9)  # printed to 10 decimals


def test_kornia_lovasz_softmax_all_ones():
    # perfect prediction of class 1 everywhere (class 0 absent costs max p_0 = e^-100), tolerance 1e-3 there
    x = torch.zeros(2, 2, 1, 2, dtype=F64)
    x[:, 1] = 100.0
    check(lovasz_softmax_loss(x, torch.ones(2, 1, 2, dtype=torch.long), **LOVASZ), 0.0, rtol=1e-3, atol=1e-3)


def test_kornia_lovasz_softmax_weight():
    # everything predicted as class 0, labels all 1, weight [1, 0]: kornia mean(w · ℓ) = 0.5 (tolerance 1e-3)
    x = torch.zeros(2, 2, 1, 2, dtype=F64)
    x[:, 0] = 100.0
    w = tensor([1.0, 0.0])
    loss = lovasz_softmax_loss(x, torch.ones(2, 1, 2, dtype=torch.long), class_weight=w, **LOVASZ)
    check(loss * w.sum() / 2, 0.5, rtol=1e-3, atol=1e-3)
