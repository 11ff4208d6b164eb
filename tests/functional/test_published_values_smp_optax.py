"""Published values: the expected numbers hard-coded in segmentation_models.pytorch's and optax's unit tests.

The companion of ``test_published_values.py`` (MONAI, kornia): numbers computed and checked in by other people,
transcribed here as data (inputs, options, expected value) with the source file cited per block; no peer library
is imported and no expected value comes from running losslab. A case is ported only where the peer's semantics
equal ours, through this option mapping:

segmentation_models.pytorch (smp, ``segmentation_models_pytorch.losses``)
    ``DiceLoss`` / ``JaccardLoss`` / ``TverskyLoss``: statistics over ``dims=(0, 2)`` (batch and pixels) ↔
    ``aggregate="batch"``; ``smooth=0`` (their default, added to numerator and denominator) ↔ ``smooth=0``; their
    ``eps`` (1e-7) only clamps the denominator from below and never acts in the ported cases (every denominator
    is >= 1); ``mode="binary"`` / ``"multilabel"`` ↔ ``sigmoid_*`` on masks, ``mode="multiclass"`` ↔ ``softmax_*``
    on class indices; TverskyLoss ``alpha`` weighs FP and ``beta`` FN, as ours (``gamma=1``: no power).
    ``from_logits=False`` (every ported overlap case) feeds probabilities: they become logits exactly, see
    :func:`sigmoid_logits` and :func:`softmax_logits`. smp zeroes the loss of a class whose target is empty
    (``mask = y_true.sum(dims) > 0``) and still counts it in the mean; ours charges it the soft false-positive
    fraction ``P/n``. The two agree when nothing is predicted there (``P = 0``); the cases with an empty target
    and a non-empty prediction are not ported. The functional scores ``soft_dice_score`` /
    ``soft_jaccard_score`` / ``soft_tversky_score`` are ``1 − loss`` of one set (``dims=None``) or of one set
    per row (``dims=[1]``, then ``.mean()`` ↔ ``aggregate="per_image"`` and our mean).
    ``SoftBCEWithLogitsLoss(smooth_factor=ε)`` smooths ``y → y(1 − 2ε) + ε``, our ``label_smoothing=2ε``
    (``y(1 − ε') + ε'/2``); ``SoftCrossEntropyLoss(smooth_factor=ε)`` is torch's label smoothing, our
    ``label_smoothing=ε``. Both zero the ignored elements and then divide by *all* elements, ignored ones
    included: ``ours(reduction="sum") / numel`` is compared.
optax (``optax.losses``)
    Unreduced per-example values ↔ ``reduction="none"``; optax's class axis is the last one, ours dim 1 (the
    ported inputs are ``(N, C)``; a single example ``(C,)`` is our ``(1, C)``). ``squared_error`` ↔ ``mse_loss``,
    ``l2_loss`` = ½ · squared error ↔ ``mse_loss / 2``, ``huber_loss(delta)`` ↔ ``huber_loss(delta=delta)``,
    ``log_cosh`` ↔ ``log_cosh_loss`` (``targets=None`` is a zero target), ``sigmoid_binary_cross_entropy`` ↔
    ``sigmoid_cross_entropy``, ``softmax_cross_entropy`` (probability labels) and
    ``softmax_cross_entropy_with_integer_labels`` ↔ ``softmax_cross_entropy``, ``poly_loss_cross_entropy(epsilon)``
    ↔ ``poly1_cross_entropy(epsilon=...)`` (optax's ``Σ y(1 − p)`` is our ``1 − p_t``: the labels sum to 1).
    ``kl_divergence(log_predictions, targets)`` reads its first argument as log-probabilities as given, ours as
    logits (``log_softmax`` first): with ``λ = logsumexp(log_predictions)`` per row (``|λ| < 3e-5`` for the
    test's rounded log-probabilities) ours equals optax ``+ λ · Σ_k t_k``, so ``ours − λ Σ t`` is compared;
    likewise ``kl_divergence_with_log_targets`` ↔ ``log_target=True`` with ``Σ_k exp(t_k)``. ``dice_loss``
    (channels last; sigmoid for one channel, softmax otherwise; per image and class,
    ``(2I + s)/(P + T + s)``, mean over classes) ↔ ``sigmoid_dice_loss`` / ``softmax_dice_loss`` with
    ``smooth=s`` and ``aggregate="per_image"`` on channels-first tensors, every target non-empty.

Tolerances are the peers' own (``pytest.approx`` there: ``abs=`` alone is absolute only, a bare second argument
is relative with a 1e-12 absolute floor; ``np.testing.assert_allclose``: ``atol + rtol·|expected|`` with its
default ``rtol=1e-7``). Not ported (and why) is listed next to each block.
"""

from __future__ import annotations

import pytest
import torch

from losslab.functional import (
    huber_loss,
    log_cosh_loss,
    mse_loss,
    poly1_cross_entropy,
    sigmoid_cross_entropy,
    sigmoid_dice_loss,
    sigmoid_jaccard_loss,
    sigmoid_tversky_loss,
    softmax_cross_entropy,
    softmax_dice_loss,
    softmax_jaccard_loss,
    softmax_kl_div,
)

from ._published import F64, check, sigmoid_logits, softmax_logits, tensor

# ======================================================================================================= smp
# segmentation_models.pytorch tests/test_losses.py (qubvel-org/segmentation_models.pytorch, read at commit
# 4f567c02be95; the later versions keep these cases and add class-weight checks on random inputs, which
# compare smp with itself). Implementation read in segmentation_models_pytorch/losses/ (dice.py, jaccard.py at
# bc597e9a1c5d, tversky.py at f58fd6d6e56a, _functional.py at 97dce8c10adf, soft_bce.py at 677d1253179c,
# soft_ce.py at 744e3724b167).
#
# test_dice_loss_binary / test_tversky_loss_binary (alpha = beta = 0.5) / test_binary_jaccard_loss:
# mode="binary", from_logits=False, (1, 1, 1, 3) probabilities; pytest.approx(expected, abs=1e-5), or
# approx(1.0, 1e-5) (relative: the same 1e-5 at 1.0) for the last two Jaccard cases.
# Not ported: the "worst case" y_pred = [1, 1, 1], y_true = [0, 0, 0] with expected 0.0 (in all three tests):
# an empty target with a full prediction, which smp's mask sets to 0 and ours charges P/n = 1 (see above;
# through a presence weight nothing of ours would be left to compare).
SMP_BINARY_CASES = [  # (id, y_pred probabilities, y_true, expected loss)
    ("ideal", [1.0, 1.0, 1.0], [1, 1, 1], 0.0),
    ("ideal-with-background", [1.0, 0.0, 1.0], [1, 0, 1], 0.0),
    ("empty-target-empty-prediction", [0.0, 0.0, 0.0], [0, 0, 0], 0.0),
    ("worst-disjoint", [1.0, 0.0, 1.0], [0, 1, 0], 1.0),
    ("worst-nothing-predicted", [0.0, 0.0, 0.0], [1, 1, 1], 1.0),
]
SMP_BINARY_CRITERIA = {  # smp criterion ↔ our function and options (from_logits=False, smooth=0, eps=1e-7)
    "DiceLoss": (sigmoid_dice_loss, {}),
    "TverskyLoss": (sigmoid_tversky_loss, {"alpha": 0.5, "beta": 0.5}),
    "JaccardLoss": (sigmoid_jaccard_loss, {}),
}
SMP_BINARY = [
    pytest.param(*SMP_BINARY_CRITERIA[name], pred, true, expected, id=f"{name}-{case_id}")
    for name in SMP_BINARY_CRITERIA
    for case_id, pred, true, expected in (
        # test_binary_jaccard_loss's first ideal case is a single pixel
        [("ideal", [1.0], [1], 0.0), *SMP_BINARY_CASES[1:]] if name == "JaccardLoss" else SMP_BINARY_CASES
    )
]


@pytest.mark.parametrize("fn,kwargs,pred,true,expected", SMP_BINARY)
def test_smp_binary(fn, kwargs, pred, true, expected):
    x, t = sigmoid_logits(pred).view(1, 1, 1, -1), torch.tensor(true).view(1, 1, 1, -1)
    loss = fn(x, t, smooth=0.0, aggregate="batch", **kwargs)
    check(loss, expected, rtol=0, atol=1e-5)


# test_multiclass_jaccard_loss: JaccardLoss(mode="multiclass", from_logits=False), (1, 2, 4) probabilities
# (one-hot columns) and (1, 4) labels, both classes present in every case; approx(expected, abs=1e-5).
SMP_MULTICLASS_JACCARD = [
    pytest.param([[[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]]], [[0, 0, 1, 1]], 0.0, id="ideal"),
    pytest.param([[[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]]], [[1, 1, 0, 0]], 1.0, id="worst"),
    pytest.param([[[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0]]], [[1, 1, 0, 0]], 1.0 - 1.0 / 3.0,
                 id="one-third"),
]


@pytest.mark.parametrize("pred,true,expected", SMP_MULTICLASS_JACCARD)
def test_smp_multiclass_jaccard(pred, true, expected):
    loss = softmax_jaccard_loss(softmax_logits(pred), torch.tensor(true), smooth=0.0, aggregate="batch")
    check(loss, expected, rtol=0, atol=1e-5)


# test_multilabel_jaccard_loss: JaccardLoss(mode="multilabel", from_logits=False), (1, 2, 4) probabilities and
# masks, every channel non-empty; approx(expected, abs=1e-5).
_ML_PRED = [[[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]]]
SMP_MULTILABEL_JACCARD = [
    pytest.param(_ML_PRED, _ML_PRED, 0.0, id="ideal"),
    pytest.param(_ML_PRED, (1 - tensor(_ML_PRED)).tolist(), 1.0, id="worst"),  # y_true = 1 - y_pred
    pytest.param([[[0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0]]], [[[1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0]]],
                 1.0 - 1.0 / 3.0, id="one-third"),
]


@pytest.mark.parametrize("pred,true,expected", SMP_MULTILABEL_JACCARD)
def test_smp_multilabel_jaccard(pred, true, expected):
    loss = sigmoid_jaccard_loss(sigmoid_logits(pred), tensor(true), smooth=0.0, aggregate="batch")
    check(loss, expected, rtol=0, atol=1e-5)


# test_soft_jaccard_score / test_soft_dice_score / test_soft_tversky_score (alpha = beta = 0.5): the score of
# one set (dims=None) with smooth=0, eps=1e-5 (a denominator clamp that never acts here);
# test_soft_jaccard_score_2: dims=[1], one set per row, then .mean(). pytest.approx(expected, 1e-5) there:
# relative, with pytest's 1e-12 absolute floor (the 0.0 case).
SMP_SCORES = [  # (id, our function, kwargs, y_true, y_pred, expected score)
    ("jaccard-all", sigmoid_jaccard_loss, {}, [1, 1, 1, 1], [1, 1, 1, 1], 1.0),
    ("jaccard-equal", sigmoid_jaccard_loss, {}, [0, 1, 1, 0], [0, 1, 1, 0], 1.0),
    ("jaccard-half", sigmoid_jaccard_loss, {}, [1, 1, 1, 1], [1, 1, 0, 0], 0.5),
    ("jaccard-rows-equal", sigmoid_jaccard_loss, {}, [[1, 1, 0, 0], [0, 0, 1, 1]], [[1, 1, 0, 0], [0, 0, 1, 1]],
     1.0),
    ("jaccard-rows-disjoint", sigmoid_jaccard_loss, {}, [[1, 1, 0, 0], [0, 0, 1, 1]],
     [[0, 0, 1, 0], [0, 1, 0, 0]], 0.0),
    ("jaccard-rows-half", sigmoid_jaccard_loss, {}, [[1, 1, 0, 0], [0, 0, 0, 1]], [[1, 1, 0, 0], [0, 0, 0, 0]],
     0.5),
    ("dice-all", sigmoid_dice_loss, {}, [1, 1, 1, 1], [1, 1, 1, 1], 1.0),
    ("dice-equal", sigmoid_dice_loss, {}, [0, 1, 1, 0], [0, 1, 1, 0], 1.0),
    ("dice-half-predicted", sigmoid_dice_loss, {}, [1, 1, 1, 1], [1, 1, 0, 0], 2.0 / 3.0),
    ("tversky-all", sigmoid_tversky_loss, {"alpha": 0.5, "beta": 0.5}, [1, 1, 1, 1], [1, 1, 1, 1], 1.0),
    ("tversky-equal", sigmoid_tversky_loss, {"alpha": 0.5, "beta": 0.5}, [0, 1, 1, 0], [0, 1, 1, 0], 1.0),
    ("tversky-half-predicted", sigmoid_tversky_loss, {"alpha": 0.5, "beta": 0.5}, [1, 1, 1, 1], [1, 1, 0, 0],
     2.0 / 3.0),
]


@pytest.mark.parametrize("fn,kwargs,true,pred,expected", [pytest.param(*c[1:], id=c[0]) for c in SMP_SCORES])
def test_smp_soft_scores(fn, kwargs, true, pred, expected):
    t = tensor(true).view(-1, 1, 4)  # one row (dims=None) or one set per row (dims=[1])
    score = 1 - fn(sigmoid_logits(pred).view(-1, 1, 4), t, smooth=0.0, aggregate="per_image", **kwargs)
    check(score, expected, rtol=1e-5, atol=1e-12)


def test_smp_soft_ce_loss():
    # test_soft_ce_loss: SoftCrossEntropyLoss(smooth_factor=0.1, ignore_index=-100), approx(1.0125, abs=1e-4);
    # smp's mean divides by all 4 rows, the ignored one included
    x = tensor([[+9, -9, -9, -9], [-9, +9, -9, -9], [-9, -9, +9, -9], [-9, -9, -9, +9]])
    t = torch.tensor([0, 1, -100, 3])
    loss = softmax_cross_entropy(x, t, label_smoothing=0.1, ignore_index=-100, reduction="sum") / t.numel()
    check(loss, 1.0125, rtol=0, atol=1e-4)


def test_smp_soft_bce_loss():
    # test_soft_bce_loss: SoftBCEWithLogitsLoss(smooth_factor=0.1, ignore_index=-100), approx(0.7201, abs=1e-4);
    # smooth_factor 0.1 ↔ label_smoothing 0.2; smp's mean divides by all 5 elements, the ignored one included
    x, t = tensor([-9, 9, 1, 9, -9]), torch.tensor([0, 1, -100, 1, 0])
    loss = sigmoid_cross_entropy(x, t, label_smoothing=0.2, ignore_index=-100, reduction="sum") / t.numel()
    check(loss, 0.7201, rtol=0, atol=1e-4)


# Not ported from smp's tests/test_losses.py: test_focal_loss_with_logits and
# test_softmax_focal_loss_with_logits (only loss_good < loss_bad, no value); test_binary_mcc_loss (6 cases:
# losslab has no Matthews-correlation loss); the class_weights tests of later versions (random inputs, smp
# compared with itself). smp's tests have no published value for FocalLoss, LovaszLoss or the functional
# focal losses.


# ===================================================================================================== optax
# optax optax/losses/_regression_test.py (google-deepmind/optax, read at commit f3c6e48206a4; the same cases
# are in the older optax/_src/loss_test.py, read at 04a081dab315). Implementation optax/losses/_regression.py
# (read at 2929360287c2). np.testing.assert_allclose: rtol=1e-7 unless stated, atol as stated.
REG_YS, REG_TS = [-2.0, -1.0, 0.5, 1.0], [-1.5, 0.0, -1, 1.0]  # SquaredErrorTest and L2LossTest
HUBER_YS = [-2.0, 0.5, 0.0, 0.5, 2.0, 4.0, 132.0]
HUBER_TS = [0.0, -0.5, 0.0, 1.0, 1.0, 2.0, 0.3]
HUBER_EXP = [1.5, 0.5, 0.0, 0.125, 0.5, 1.5, 131.2]  # "computed expected outputs manually", delta=1.0
LOG_COSH_YS, LOG_COSH_TS = [500, -2.0, -1.0, 0.5, 1.0], [-200, -1.5, 0.0, -1, 1.0]
LOG_COSH_EXP = [699.3068, 0.12011445, 0.4337809, 0.85544014, 0.0]  # tensorflow.keras log_cosh v2.4.1
LOG_COSH_EXP_YS_ONLY = [499.30685, 1.3250027, 0.4337809, 0.12011451, 0.43378082]  # targets=None


def test_optax_squared_error():
    # SquaredErrorTest: self.exp = (self.ts - self.ys) ** 2, written as that expression (exact for these inputs)
    ys, ts = tensor(REG_YS), tensor(REG_TS)
    check(mse_loss(ys, ts, reduction="none"), (ts - ys) ** 2, rtol=1e-7, atol=0)


def test_optax_l2_loss():
    # L2LossTest: self.exp = 0.5 * (self.ts - self.ys) ** 2 (optax's l2_loss is half the squared error)
    ys, ts = tensor(REG_YS), tensor(REG_TS)
    check(mse_loss(ys, ts, reduction="none") / 2, 0.5 * (ts - ys) ** 2, rtol=1e-7, atol=0)


def test_optax_huber_loss():
    # HuberLossTest (test_scalar is element 0 of test_batched)
    check(huber_loss(tensor(HUBER_YS), tensor(HUBER_TS), delta=1.0, reduction="none"), HUBER_EXP, rtol=1e-7, atol=0)


@pytest.mark.parametrize("targets,expected", [(LOG_COSH_TS, LOG_COSH_EXP), (None, LOG_COSH_EXP_YS_ONLY)],
                         ids=["with-targets", "predictions-only"])
def test_optax_log_cosh(targets, expected):
    # LogCoshTest (atol=1e-5): large residuals test overflow; targets=None is a zero target
    ys = tensor(LOG_COSH_YS)
    ts = torch.zeros_like(ys) if targets is None else tensor(targets)
    check(log_cosh_loss(ys, ts, reduction="none"), expected, rtol=1e-7, atol=1e-5)


# Not ported from the regression tests: CosineDistanceTest (no cosine loss in losslab); the mask and axis
# tests (random inputs, optax compared with itself); test_shape_mismatch (an error, not a value).


# optax optax/losses/_classification_test.py (read at commit 682d3123a3c6; the same numbers are in the older
# optax/_src/loss_test.py at 04a081dab315). Implementation optax/losses/_classification.py (read at
# 1f9a88f30be5).
CE_YS = [[10.0, 1.0, -2.0], [1.0, 4.0, 0.2]]
CE_TS = [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
CE_EXP = [9.00013, 3.0696733]  # "taken expected outputs from rlax"; atol=1e-4


def test_optax_softmax_cross_entropy():
    # SoftmaxCrossEntropyTest.test_batched (test_scalar is row 0)
    check(softmax_cross_entropy(tensor(CE_YS), tensor(CE_TS), reduction="none"), CE_EXP, rtol=1e-7, atol=1e-4)


def test_optax_softmax_cross_entropy_integer_labels():
    # SoftmaxCrossEntropyWithIntegerLabelsTest: labels [1, 0] must equal softmax_cross_entropy with
    # one_hot([1, 0]) (rtol=1e-6), which is CE_TS, whose published value is CE_EXP (atol=1e-4)
    check(softmax_cross_entropy(tensor(CE_YS), torch.tensor([1, 0]), reduction="none"), CE_EXP, rtol=1e-7,
          atol=1e-4)


# SigmoidCrossEntropyTest: jnp.mean(sigmoid_binary_cross_entropy(preds, labels)), rtol=1e-6, atol=1e-6
SIGMOID_CE = [
    ([-1e09, -1e-09], [1.0, 0.0], 5e08),
    ([-1e09, -1e-09], [0.0, 1.0], 0.3465736),
    ([1e09, 1e-09], [1.0, 0.0], 0.3465736),
    ([1e09, 1e-09], [0.0, 1.0], 5e08),
    ([-1e09, 1e-09], [1.0, 0.0], 5e08),
    ([-1e09, 1e-09], [0.0, 1.0], 0.3465736),
    ([1e09, -1e-09], [1.0, 0.0], 0.3465736),
    ([1e09, -1e-09], [0.0, 1.0], 5e08),
    ([0.0, 0.0], [1.0, 0.0], 0.6931472),
    ([0.0, 0.0], [0.0, 1.0], 0.6931472),
]


@pytest.mark.parametrize("preds,labels,expected", SIGMOID_CE)
def test_optax_sigmoid_binary_cross_entropy(preds, labels, expected):
    check(sigmoid_cross_entropy(tensor(preds), tensor(labels)), expected, rtol=1e-6, atol=1e-6)


# PolyLossTest (expected "computed using tf version of poly1_cross_entropy"), atol=1e-4: one example with soft
# labels (our (1, 5)), and a batch of two
POLY_LOGITS, POLY_LABELS = [[0.14, 1.456, 2.356, -0.124, -2.47]], [[0.1, 0.15, 0.2, 0.25, 0.3]]
POLY_BATCH_LOGITS, POLY_BATCH_LABELS = [[4.0, 2.0, 1.0], [0.0, 5.0, 1.0]], [[1.0, 0.0, 0.0], [0.0, 0.8, 0.2]]
POLY = [
    *(pytest.param(POLY_LOGITS, POLY_LABELS, eps, [expected], id=f"scalar-eps{eps}") for eps, expected in [
        (2, 4.5317), (1, 3.7153), (-1, 2.0827), (0, 2.8990), (-0.5, 2.4908), (1.15, 3.8378), (1.214, 3.8900),
        (5.45, 7.3480),
    ]),
    *(pytest.param(POLY_BATCH_LOGITS, POLY_BATCH_LABELS, eps, expected, id=f"batched-eps{eps}")
      for eps, expected in [
        (2, [0.4823, 1.2567]), (1, [0.3261, 1.0407]), (0, [0.1698, 0.8247]), (-0.5, [0.0917, 0.7168]),
        (1.15, [0.3495, 1.0731]), (1.214, [0.3595, 1.0870]), (5.45, [1.0211, 2.0018]),
    ]),
]


@pytest.mark.parametrize("logits,labels,eps,expected", POLY)
def test_optax_poly_loss_cross_entropy(logits, labels, eps, expected):
    loss = poly1_cross_entropy(tensor(logits), tensor(labels), epsilon=eps, reduction="none")
    check(loss, expected, rtol=1e-7, atol=1e-4)


# KLDivergenceTest / KLDivergenceWithLogTargetsTest, atol=1e-4. The log-predictions are log-probabilities
# rounded to 4 decimals; ours normalises them (see the module docstring): ours − λ·mass is compared.
KL_LOG_PS = [
    [-2.9957, -3.5066, -3.9120, -1.2040, -0.6931, -2.3026],
    [-1.6094, -1.6094, -1.6094, -2.3026, -1.8971, -1.8971],
]
KL_QS = [[0.2, 0.2, 0.2, 0.1, 0.15, 0.15], [0.05, 0.03, 0.02, 0.3, 0.5, 0.0]]
KL_EXP = [0.8875577, 0.7592807]
KL_LOG_QS = [KL_LOG_PS[1], KL_LOG_PS[0]]
KL_LOG_EXP = [0.8875625, 0.7187435584901326]


def kl(log_ps, targets, *, log_target=False, validate=True) -> torch.Tensor:
    """optax's ``kl_divergence`` (or ``_with_log_targets``) from ours: ``ours − logsumexp(log_ps) · Σ_k t_k``."""
    log_ps, targets = tensor(log_ps), tensor(targets)
    loss = softmax_kl_div(log_ps, targets, log_target=log_target, reduction="none", validate=validate)
    mass = (targets.exp() if log_target else targets).sum(1)
    return loss - torch.logsumexp(log_ps, 1) * mass


def test_optax_kl_divergence():
    # row 0; row 1 below
    check(kl(KL_LOG_PS[:1], KL_QS[:1]), KL_EXP[:1], rtol=1e-7, atol=1e-4)


def test_optax_kl_divergence_unnormalised_target():
    # row 1: the target row sums to 0.9 and holds a 0 (0 · log 0 = 0 in both); our validation would reject
    # the row sum, validate=False evaluates the same formula Σ t (log t − log p)
    check(kl(KL_LOG_PS[1:], KL_QS[1:], validate=False), KL_EXP[1:], rtol=1e-7, atol=1e-4)


def test_optax_kl_divergence_with_log_targets():
    check(kl(KL_LOG_PS, KL_LOG_QS, log_target=True), KL_LOG_EXP, rtol=1e-7, atol=1e-4)


# Not ported from the classification tests: SafeSoftmaxCrossEntropyTest's rows with −inf logits (0.693147, inf,
# 0.0: masked classes, outside our finite-logit contract; its finite rows are CE_YS/CE_EXP above);
# SigmoidFocalLossTest (every check relates the focal loss to the cross-entropy or to a formula at run time:
# no published value); HingeTest, PerceptronTest, SparsemaxTest (no such loss in losslab; expected values come
# from a reference implementation at run time) and the older loss_test.py's HingeLossTest (no hinge loss);
# GeneralizedKLDivergenceTest / ConvexKLDivergenceTest (the generalized KL Σ t log(t/p) − t + p is not ours);
# CTCTest; the mask, axis and gradient tests (random inputs, optax compared with itself);
# test_equals_to_cross_entropy_when_eps0 (optax compared with itself).
# optax/losses/_smoothing_test.py (read at f3c6e48206a4): smooth_labels is a target transform, not a loss
# (ours is inside label_smoothing, same (1 − α)y + α/C): no value of a loss to compare.


# optax optax/losses/_segmentation_test.py (read at commit 3f8e604dd1c9), dice_loss(..., smooth=1.0) with its
# default reduction "mean" over classes, one value per image; implementation optax/losses/_segmentation.py
# (read at 682d3123a3c6). These tests publish bounds, not values: ported as the bounds they assert.
# Not ported: the shape, bounds-on-random-inputs, class-weight, reduction, gradient, jit/vmap, softmax-flag,
# ignore-background, edge-case and generalized-Dice tests (random inputs, optax compared with itself, or
# finiteness only).
DICE_BINARY_TARGET = [[[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0]]]  # (1, 3, 3); optax's (1, 3, 3, 1)
DICE_LABELS = [[[0, 1, 2], [1, 0, 2], [2, 2, 1]]]  # (1, 3, 3) labels; optax one-hots them to (1, 3, 3, 3)


def test_optax_dice_perfect_overlap_binary():
    t = tensor(DICE_BINARY_TARGET).unsqueeze(1)  # channels first: (1, 1, 3, 3)
    x = torch.where(t > 0, 10.0, -10.0).to(F64)
    assert float(sigmoid_dice_loss(x, t, smooth=1.0)) < 0.01


def test_optax_dice_no_overlap_binary():
    t = tensor(DICE_BINARY_TARGET).unsqueeze(1)
    x = torch.where(t > 0, -10.0, 10.0).to(F64)
    assert float(sigmoid_dice_loss(x, t, smooth=1.0)) > 0.7


def test_optax_dice_perfect_overlap_multiclass():
    labels = torch.tensor(DICE_LABELS)  # every class present in the image
    one_hot = torch.nn.functional.one_hot(labels, 3).movedim(-1, 1)
    x = torch.where(one_hot > 0, 10.0, -10.0).to(F64)
    assert float(softmax_dice_loss(x, labels, smooth=1.0)) < 0.01
