"""Published values: the expected numbers of Keras 3's, tf.keras 2's and TensorFlow Addons' unit tests.

The companion of ``test_published_values.py`` (MONAI, kornia) and ``test_published_values_smp_optax.py``: numbers
computed and checked in by other people, transcribed here as data (inputs, options, expected value) with the source
file cited per block; no peer library is imported and no expected value comes from running losslab. Where the peer's
test computes its expected value with a short NumPy formula instead of a literal, that formula is transcribed (in
float64 torch, never through losslab) and marked so. A case is ported only where the peer's semantics equal ours,
through this option mapping:

Reduction (Keras 3 ``keras.losses.Loss.__call__``, tf.keras ``compute_weighted_loss``, the same rule)
    The loss *function* first gives one value per sample: the elementwise losses (MSE, MAE, Huber, LogCosh,
    Poisson, binary cross-entropy, binary focal, TFA pinball) are averaged over the last axis, the categorical ones
    are per row. ``sample_weight`` then multiplies those per-sample values, and the reduction is
    ``"sum_over_batch_size"`` (default) = ``Σ w ℓ / (number of per-sample values)`` (weights are *not* in the
    denominator; a masked value, e.g. ``ignore_class``, leaves the count), ``"sum"`` = ``Σ w ℓ``,
    ``None`` = ``w ℓ`` per sample, ``"mean_with_sample_weight"`` = ``Σ w ℓ / Σ w``. Ours is
    ``Σ wℓ / Σ w`` over elements, so :func:`keras_reduce` compares: ``ours(weight=w, reduction="sum") / n``
    (``n`` = counted elements of our unreduced loss; for a mean over the last axis of size ``C`` every sample
    contributes ``C`` of them, which is exactly Keras' ``1/C`` inside the sample), ``ours(... "sum") / C`` for
    ``"sum"``, ``ours(... "none")`` (``.mean(-1)`` for the elementwise losses) for ``None``, and our own
    ``"mean"`` for ``"mean_with_sample_weight"``. A ``sample_weight`` is written in the shape that broadcasts
    over our unreduced loss (Keras' ``(N, 1)`` for a per-sample loss of shape ``(N,)`` is our ``(N,)``).
    tf.keras ragged rows ``[[a, b, c], [d]]`` of an elementwise loss are each averaged, then summed over rows
    and divided by the number of rows: our element weight ``w_row / len(row)`` with ``"sum" / rows``
    (:func:`ragged_reduce`); a ragged batch of class vectors is a flat batch of samples.
Probabilities in, logits in
    ``from_logits=False`` feeds probabilities; they become logits exactly (:func:`sigmoid_logits`,
    :func:`softmax_logits`; ``softmax(log p) = p / Σp`` is Keras' own normalisation ``output / sum(output)`` of
    the categorical losses). Keras then clips probabilities to ``[ε, 1 − ε]`` (``ε = 1e-7``) in the
    cross-entropies; in every ported softmax/focal case the clip does not act beyond 1e-6 (no target
    class has ``p < 1e-6``). The binary cross-entropy on probabilities 0 and 1 is where it acts: Keras 3 charges
    ``−log(1 − fl32(1 − 1e-7)) = −log 2⁻²³`` for ``p = 1, y = 0`` (float32: ``1 − 1e-7`` rounds to ``1 − 2⁻²³``),
    tf.keras ``−log(1 − fl32(1 − 1e-7) + 1e-7) = −log(2⁻²³ + 1e-7)`` (it also adds ε inside the log).
    :func:`binary_cross_entropy_probs` charges ``−log eps`` there, so ``eps`` is set to exactly that number
    (``KERAS3_BCE_EPS``, ``TF_KERAS_BCE_EPS``); its ``p = 0`` side acts only with ``y = 0`` in these cases,
    where every version costs < 3e-7.
Binary (sigmoid) losses
    ``BinaryCrossentropy(label_smoothing=ε)`` smooths ``y(1 − ε) + ε/2``, our ``label_smoothing=ε``.
    ``BinaryFocalCrossentropy(gamma)`` ↔ ``sigmoid_focal_loss(gamma, alpha=None)``;
    ``apply_class_balancing=True, alpha=a`` ↔ ``alpha=a`` (same ``α_t = a·y + (1 − a)(1 − y)``). TFA
    ``sigmoid_focal_crossentropy(alpha=None, gamma)`` likewise.
Categorical losses (channels last; the ported inputs are ``(N, C)``, ours dim 1 is the same axis; a
segmentation map ``(N, H, W, C)`` is moved to ``(N, C, H, W)``)
    ``CategoricalCrossentropy`` (one-hot ``y_true``) ↔ ``softmax_cross_entropy`` with that one-hot as a
    probability target, ``SparseCategoricalCrossentropy`` ↔ index targets, ``ignore_class=k`` ↔
    ``ignore_index=k``; ``label_smoothing=ε`` (``y(1 − ε) + ε/C``) ↔ ``label_smoothing=ε``.
    ``CategoricalFocalCrossentropy(alpha=a, gamma)`` (``Σ_k a (1 − p_k)^γ (−y_k log p_k)``) ↔
    ``softmax_focal_loss(alpha=[a]*C, gamma)`` with a probability target, which is the same sum; its
    ``label_smoothing=ε`` is our target ``y(1 − ε) + ε/C`` passed explicitly (ours has no smoothing option).
Regression
    ``Huber(delta)`` ↔ ``huber_loss(delta)`` (Keras' ``|e| <= δ`` vs torch's ``< δ``: the branches agree at
    ``|e| = δ``); ``LogCosh`` ↔ ``log_cosh_loss``; ``Poisson`` (rates ``ŷ``: ``ŷ − y log(ŷ + 1e-7)``) ↔
    ``poisson_nll_loss(log ŷ, y)`` (``exp(log ŷ) − y log ŷ``; every ``ŷ >= 1`` here, where Keras' ``1e-7`` moves
    the value by < 2e-6, and the test's own formula has no ε); TFA ``PinballLoss(tau)`` ↔
    ``pinball_loss(quantile=tau)`` (same ``max(τ r, (τ − 1) r)``, ``r = y − ŷ``). ``KLDivergence``
    ``Σ_k t_k log(t_k / p_k)`` with ``t, p`` clipped to ``[1e-7, 1]`` (no clip acts in the ported cases) reads
    un-normalised rows; ours reads logits ``log p`` through a softmax, so ours ``= keras + Σ_k t_k log Σ_k p_k``
    per row, exactly, which is subtracted. The test's rows do not sum to 1, so our row-sum check is turned off
    (``validate=False``); the formula does not depend on it.
Overlap (Keras 3 ``Dice``, ``Tversky``)
    ``axis=None`` sums over every element of the batch ↔ ``aggregate="batch"``; ``axis=(1, 2, 3)`` on a one-channel
    ``(N, H, W, 1)`` map ↔ ``aggregate="per_image"`` on ``(N, 1, H, W)``. Keras adds ``ε = 1e-7`` to the
    denominator only ↔ ``smooth=0`` (relative effect < 3e-8 here). ``Tversky(alpha, beta)``: Keras'
    ``alpha`` multiplies ``Σ (1 − p) t`` (the false *negatives*, although its docstring says false positives) and
    ``beta`` multiplies ``Σ p (1 − t)`` (false positives), so Keras ``alpha=a, beta=b`` ↔ our ``alpha=b``
    (FP) and ``beta=a`` (FN); the published ``(0.2, 0.8)`` values confirm it. Every ported target is non-empty.

Tolerances are the peers' own: Keras' ``assertAlmostEqual(x, y, decimal)`` (default ``decimal=3``) and NumPy's
``assert_almost_equal`` are ``|x − y| < 1.5·10^−decimal``; Keras 3 ``assertAllClose`` defaults to
``atol = rtol = 1e-6``; tf's ``assertArrayNear(a, b, err)`` is ``|a − b| <= err``; tf's ``assertAllClose(a, b,
r)`` takes ``r`` as ``rtol`` (``atol = 1e-6``). Where a tf.keras / TFA test passes ``3`` or ``1e-3`` into that
position by mistake (``rtol = 3``, or ``decimal = 1e-3``, tolerances of 3·|x| and 1.5), 3 decimals are used
instead: tighter, never looser. Not ported (and why) is listed next to each block.
"""

from __future__ import annotations

import pytest
import torch

from losslab.functional import (
    binary_cross_entropy_probs,
    huber_loss,
    log_cosh_loss,
    mae_loss,
    mse_loss,
    pinball_loss,
    poisson_nll_loss,
    sigmoid_cross_entropy,
    sigmoid_dice_loss,
    sigmoid_focal_loss,
    sigmoid_tversky_loss,
    softmax_cross_entropy,
    softmax_focal_loss,
    softmax_kl_div,
)

from ._published import F64, check, sigmoid_logits, softmax_logits, tensor

# Keras 3: BinaryCrossentropy on probabilities charges −log(1 − fl32(1 − 1e-7)) = −log 2^-23 at p = 1, y = 0;
# tf.keras: −log(1 − fl32(1 − 1e-7) + 1e-7) (see the module docstring).
KERAS3_BCE_EPS = 2.0**-23
TF_KERAS_BCE_EPS = 2.0**-23 + 1e-7


def decimal(d: int) -> dict:
    """``assertAlmostEqual(..., decimal=d)``: ``|actual − expected| < 1.5·10^−d``."""
    return {"rtol": 0.0, "atol": 1.5 * 10.0**-d}


D3, D4, D5 = decimal(3), decimal(4), decimal(5)
ALLCLOSE = {"rtol": 1e-6, "atol": 1e-6}  # Keras 3 assertAllClose defaults


def keras_reduce(fn, x, t, *, reduction="sum_over_batch_size", sample_weight=None, mean_last=False, **kwargs):
    """Keras' reduction of a Keras loss whose function is our ``fn`` (see the module docstring).

    ``mean_last``: the Keras loss function averages our elementwise loss over the last axis (the elementwise
    losses); otherwise our unreduced loss already has one value per Keras sample.
    """
    w = None if sample_weight is None else torch.as_tensor(sample_weight, dtype=F64)
    if reduction is None:
        out = fn(x, t, weight=w, reduction="none", **kwargs)
        return out.mean(-1) if mean_last else out
    if reduction == "mean_with_sample_weight":
        return fn(x, t, weight=w, reduction="mean", **kwargs)
    total = fn(x, t, weight=w, reduction="sum", **kwargs)
    if reduction == "sum":
        return total / (x.shape[-1] if mean_last else 1)
    counted = fn(x, t, reduction="none", **kwargs).numel()
    if "ignore_index" in kwargs:  # Keras' mask takes the ignored values out of the count
        counted -= int((t == kwargs["ignore_index"]).sum())
    return total / counted


def ragged_reduce(fn, x_rows, t_rows, sample_weight, **kwargs):
    """tf.keras on ragged rows of an elementwise loss: each row averaged, weighted, summed, divided by the rows."""
    w = torch.cat([torch.full((len(r),), sw / len(r), dtype=F64) for r, sw in zip(x_rows, sample_weight)])
    x, t = torch.cat(x_rows), torch.cat(t_rows)
    return fn(x, t, weight=w, reduction="sum", **kwargs) / len(x_rows)


def case(case_id, fn, x, t, expected, tol, **kwargs):
    return pytest.param(fn, x, t, kwargs, expected, tol, id=case_id)


def run(fn, x, t, kwargs, expected, tol):
    check(keras_reduce(fn, x, t, **kwargs), expected, **tol)


# ============================================================================================ Keras 3: regression
# keras-team/keras keras/src/losses/losses_test.py (read at commit 04bf53803f04), implementation
# keras/src/losses/losses.py and loss.py (read at 04bf53803f04 and 01a4a576bcf7), the probability clipping in
# keras/src/backend/{numpy,jax}/nn.py, the tolerances in keras/src/testing/test_case.py (read at 00e2311c9f24).
# MeanSquaredErrorTest and
# MeanAbsoluteErrorTest: assertAlmostEqual (3 decimals). The same cases, with the same numbers, are in tf.keras
# (MeanSquaredErrorTest / MeanAbsoluteErrorTest of tf_keras/losses_test.py, below): not repeated.
# Not ported: test_dtype_arg (a dtype, no value); MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
# CosineSimilarity, Hinge, SquaredHinge, CategoricalHinge, CTC, Circle, CategoricalGeneralizedCrossEntropy
# (no losslab counterpart); keras/src/losses/loss_test.py (Keras' reducer and masks on a test-local squared-error
# ExampleLoss, expected values from NumPy formulas; the same reductions are exercised here through real losses);
# the docstring examples of losses.py (not run as tests).
Y_TRUE = tensor([[1, 9, 2], [-5, -2, 6]])
Y_PRED = tensor([[4, 8, 12], [8, 1, 3]])
Y_ALL = tensor([[4, 8, 12], [8, 1, 3]])  # test_all_correct_unweighted: y_true == y_pred
TIMESTEP_W = [[[3], [6], [5]], [[0], [4], [2]]]  # Keras' sample_weight (2, 3) for (2, 3, 1) inputs
EL = {"mean_last": True}
KERAS3_MSE_MAE = [
    case("mse-all-correct", mse_loss, Y_ALL, Y_ALL, 0.0, D3, **EL),
    case("mse-unweighted", mse_loss, Y_PRED, Y_TRUE, 49.5, D3, **EL),
    case("mse-scalar-weighted", mse_loss, Y_PRED, Y_TRUE, 113.85, D3, sample_weight=2.3, **EL),
    case("mse-sample-weighted", mse_loss, Y_PRED, Y_TRUE, 767.8 / 6, D3, sample_weight=[[1.2], [3.4]], **EL),
    case("mse-timestep-weighted", mse_loss, Y_PRED.view(2, 3, 1), Y_TRUE.view(2, 3, 1), 97.833336, D3,
         sample_weight=TIMESTEP_W, **EL),
    case("mse-zero-weighted", mse_loss, Y_PRED, Y_TRUE, 0.0, D3, sample_weight=0.0, **EL),
    case("mse-no-reduction", mse_loss, Y_PRED, Y_TRUE, [84.3333, 143.3666], D3, sample_weight=2.3,
         reduction=None, **EL),
    case("mse-sum", mse_loss, Y_PRED, Y_TRUE, 227.69998, D3, sample_weight=2.3, reduction="sum", **EL),
    case("mse-mean-with-sample-weight", mse_loss, Y_PRED, Y_TRUE, (110 / 3 * 1.2 + 187 / 3 * 3.4) / (1.2 + 3.4),
         D3, sample_weight=[[1.2], [3.4]], reduction="mean_with_sample_weight", **EL),
    case("mae-all-correct", mae_loss, Y_ALL, Y_ALL, 0.0, D3, **EL),
    case("mae-unweighted", mae_loss, Y_PRED, Y_TRUE, 5.5, D3, **EL),
    case("mae-scalar-weighted", mae_loss, Y_PRED, Y_TRUE, 12.65, D3, sample_weight=2.3, **EL),
    case("mae-sample-weighted", mae_loss, Y_PRED, Y_TRUE, 81.4 / 6, D3, sample_weight=[[1.2], [3.4]], **EL),
    case("mae-timestep-weighted", mae_loss, Y_PRED.view(2, 3, 1), Y_TRUE.view(2, 3, 1), 13.833333, D3,
         sample_weight=TIMESTEP_W, **EL),
    case("mae-zero-weighted", mae_loss, Y_PRED, Y_TRUE, 0.0, D3, sample_weight=0.0, **EL),
    case("mae-no-reduction", mae_loss, Y_PRED, Y_TRUE, [10.7333, 14.5666], D3, sample_weight=2.3,
         reduction=None, **EL),
    case("mae-sum", mae_loss, Y_PRED, Y_TRUE, 25.29999, D3, sample_weight=2.3, reduction="sum", **EL),
    case("mae-mean-with-sample-weight", mae_loss, Y_PRED, Y_TRUE, (14 / 3 * 1.2 + 19 / 3 * 3.4) / (1.2 + 3.4),
         D3, sample_weight=[[1.2], [3.4]], reduction="mean_with_sample_weight", **EL),
]


@pytest.mark.parametrize("fn,x,t,kwargs,expected,tol", KERAS3_MSE_MAE)
def test_keras3_mse_mae(fn, x, t, kwargs, expected, tol):
    run(fn, x, t, kwargs, expected, tol)


# HuberLossTest, LogCoshTest, PoissonTest, KLDivergenceTest: the expected values are computed in the test by the
# NumPy formulas transcribed here (assertAlmostEqual, 3 decimals). tf.keras has the same four tests (LogCosh with
# y_true and y_pred swapped: the same values, log-cosh is even): not repeated.
def keras_huber_formula(y_true, y_pred, delta=1.0):
    """HuberLossTest.huber_loss: 0.5·q² + δ·(|e| − q) with q = min(|e|, δ), e = y_pred − y_true."""
    abs_error = (y_pred - y_true).abs()
    quadratic = abs_error.clamp_max(delta)
    return 0.5 * quadratic * quadratic + delta * (abs_error - quadratic)


def keras_log_cosh_formula(y_true, y_pred):
    """LogCoshTest.setup: log((exp(e) + exp(−e)) / 2)."""
    error = y_pred - y_true
    return torch.log((torch.exp(error) + torch.exp(-error)) / 2)


def keras_poisson_formula(y_true, y_pred):
    """PoissonTest.setup: y_pred − y_true · log(y_pred)."""
    return y_pred - y_true * torch.log(y_pred)


def keras_kld_formula(y_true, y_pred):
    """KLDivergenceTest.setup: y_true · log(y_true / y_pred), elementwise."""
    return y_true * torch.log(y_true / y_pred)


HUBER_PRED, HUBER_TRUE = tensor([[0.9, 0.2, 0.2], [0.8, 0.4, 0.6]]), tensor([[1.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
SW_ROWS = tensor([[1.2], [3.4]])  # the tests' [1.2, 1.2, 1.2, 3.4, 3.4, 3.4] per element
TIMESTEP = tensor(TIMESTEP_W)


def formula_cases(name, fn, formula, pred, true, our_pred=None, **kwargs):
    """The five weighting cases shared by HuberLossTest / LogCoshTest / PoissonTest: (id, ours, expected)."""
    our_pred = pred if our_pred is None else our_pred
    losses = formula(true, pred)
    time_losses = formula(true.view(2, 3, 1), pred.view(2, 3, 1))
    our_time_pred = our_pred.view(2, 3, 1)
    return [
        (f"{name}-unweighted", (fn, our_pred, true, {**EL, **kwargs}), losses.sum() / 6),
        (f"{name}-scalar-weighted", (fn, our_pred, true, {"sample_weight": 2.3, **EL, **kwargs}),
         2.3 * losses.sum() / 6),
        (f"{name}-sample-weighted", (fn, our_pred, true, {"sample_weight": SW_ROWS, **EL, **kwargs}),
         (losses * SW_ROWS).sum() / 6),
        (f"{name}-timestep-weighted",
         (fn, our_time_pred, true.view(2, 3, 1), {"sample_weight": TIMESTEP, **EL, **kwargs}),
         (time_losses * TIMESTEP).sum() / 6),
        (f"{name}-zero-weighted", (fn, our_pred, true, {"sample_weight": 0.0, **EL, **kwargs}), 0.0),
    ]


POISSON_PRED, POISSON_TRUE = tensor([[1, 9, 2], [5, 2, 6]]), tensor([[4, 8, 12], [8, 1, 3]])
KERAS3_FORMULA = [
    *formula_cases("huber", huber_loss, keras_huber_formula, HUBER_PRED, HUBER_TRUE),
    ("huber-all-correct", (huber_loss, HUBER_TRUE, HUBER_TRUE, EL), 0.0),
    ("huber-delta0.8", (huber_loss, HUBER_PRED, HUBER_TRUE, {"sample_weight": 2.3, "delta": 0.8, **EL}),
     2.3 * keras_huber_formula(HUBER_TRUE, HUBER_PRED, delta=0.8).sum() / 6),
    *formula_cases("log_cosh", log_cosh_loss, keras_log_cosh_formula, Y_PRED, Y_TRUE),
    # Poisson: our input is the log-rate log(y_pred)
    *formula_cases("poisson", poisson_nll_loss, keras_poisson_formula, POISSON_PRED, POISSON_TRUE,
                   our_pred=POISSON_PRED.log()),
]


@pytest.mark.parametrize("ours,expected", [pytest.param(c[1], c[2], id=c[0]) for c in KERAS3_FORMULA])
def test_keras3_formula_regression(ours, expected):
    fn, x, t, kwargs = ours
    check(keras_reduce(fn, x, t, **kwargs), expected, **D3)


# KLDivergenceTest (assertAlmostEqual, 3 decimals): unweighted, scalar- and sample-weighted, zero-weighted. Keras'
# per-row value is ours − Σ_k t_k log Σ_k p_k (module docstring).
# Not ported: test_timestep_weighted (a class axis of size 1: our softmax over one class is 1, so the whole
# Keras value would be the correction term and nothing of ours would be compared).
KLD_PRED = tensor([[0.4, 0.9, 0.12], [0.36, 0.3, 0.4]])
KLD_TRUE = tensor([[0.5, 0.8, 0.12], [0.7, 0.43, 0.8]])


@pytest.mark.parametrize("sample_weight", [None, 2.3, [1.2, 3.4], 0.0],
                         ids=["unweighted", "scalar-weighted", "sample-weighted", "zero-weighted"])
def test_keras3_kl_divergence(sample_weight):
    w = torch.ones(2, dtype=F64) if sample_weight is None else tensor(sample_weight).expand(2)
    ours = softmax_kl_div(KLD_PRED.log(), KLD_TRUE, weight=w, reduction="sum", validate=False)
    correction = (w * KLD_TRUE.sum(1) * KLD_PRED.sum(1).log()).sum()
    expected = (keras_kld_formula(KLD_TRUE, KLD_PRED) * w[:, None]).sum() / 2  # batch_size = 2
    check((ours - correction) / 2, expected, **D3)


# ====================================================================================== Keras 3: classification
# Same file. BinaryCrossentropyTest: probabilities (eps = KERAS3_BCE_EPS) and logits.
# Not ported: test_shape_mismatch (an error), test_dtype_arg.
BCE_P3_TRUE, BCE_P3_PRED = tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), [[0.9, 0.1, 0.2], [0.3, 0.8, 0.1],
                                                                        [0.1, 0.2, 0.7]]
BCE_P_TRUE, BCE_P_PRED = tensor([[1, 0], [1, 0]]), tensor([[1, 1], [1, 0]])  # probabilities 0 and 1
BCE_L10_TRUE, BCE_L10 = tensor([[1, 0, 1], [0, 1, 1]]), tensor([[10.0, -10.0, 10.0], [10.0, 10.0, -10.0]])
EYE_LOGITS10 = tensor([[10.0, -10.0, -10.0], [-10.0, 10.0, -10.0], [-10.0, -10.0, 10.0]])
K3_EPS = {"eps": KERAS3_BCE_EPS, **EL}
KERAS3_BCE = [
    case("probs-all-correct", binary_cross_entropy_probs, BCE_P3_TRUE, BCE_P3_TRUE, 0.0, D3, **K3_EPS),
    case("logits-all-correct", sigmoid_cross_entropy, EYE_LOGITS10, BCE_P3_TRUE, 0.0, D3, **EL),
    case("probs-unweighted", binary_cross_entropy_probs, tensor(BCE_P3_PRED), BCE_P3_TRUE, 0.20046903, ALLCLOSE,
         **K3_EPS),
    case("probs-0-1-unweighted", binary_cross_entropy_probs, BCE_P_PRED, BCE_P_TRUE, 3.98559, D3, **K3_EPS),
    case("logits-unweighted", sigmoid_cross_entropy, BCE_L10, BCE_L10_TRUE, 3.3333, D3, **EL),
    case("probs-0-1-scalar-weighted", binary_cross_entropy_probs, BCE_P_PRED, BCE_P_TRUE, 9.1668, D3,
         sample_weight=2.3, **K3_EPS),
    case("logits-scalar-weighted", sigmoid_cross_entropy, BCE_L10, BCE_L10_TRUE, 7.666, D3, sample_weight=2.3,
         **EL),
    case("probs-0-1-sample-weighted", binary_cross_entropy_probs, BCE_P_PRED, BCE_P_TRUE, 4.7827, D3,
         sample_weight=[[1.2], [3.4]], **K3_EPS),
    case("logits-sample-weighted", sigmoid_cross_entropy, BCE_L10, BCE_L10_TRUE, 10.0, D3,
         sample_weight=[[4.0], [3.0]], **EL),
    # assertAllClose(loss, [0.0, 6.666], atol=1e-3) (rtol stays 1e-6)
    case("logits-no-reduction", sigmoid_cross_entropy, BCE_L10, BCE_L10_TRUE, [0.0, 6.666],
         {"rtol": 1e-6, "atol": 1e-3}, reduction=None, **EL),
    case("logits-label-smoothing", sigmoid_cross_entropy, tensor([[10.0, -10.0, -10.0]]), tensor([[1, 0, 1]]),
         (10.0 + 5.0 * 0.1) / 3.0, D3, label_smoothing=0.1, **EL),
]


@pytest.mark.parametrize("fn,x,t,kwargs,expected,tol", KERAS3_BCE)
def test_keras3_binary_crossentropy(fn, x, t, kwargs, expected, tol):
    if fn is binary_cross_entropy_probs:
        x = x.to(F64)
    run(fn, x, t, kwargs, expected, tol)


# BinaryFocalCrossentropyTest (apply_class_balancing=False ↔ alpha=None): probabilities (γ = 2) as logits, and
# logits (γ = 3). Not ported: test_dtype_arg.
BFCE_TRUE, BFCE_PROBS = tensor([[1, 0], [1, 0]]), [[0.9, 0.8], [0.7, 0.2]]
BFCE_L_TRUE, BFCE_LOGITS = tensor([[1, 1, 0], [0, 1, 0]]), tensor([[1.5, -2.7, 2.9], [-3.8, 1.2, -4.5]])
EYE100 = tensor([[100.0, -100.0, -100.0], [-100.0, 100.0, -100.0], [-100.0, -100.0, 100.0]])
P2 = {"gamma": 2.0, "alpha": None, **EL}
L3 = {"gamma": 3.0, "alpha": None, **EL}
KERAS3_BFCE = [
    case("probs-all-correct", sigmoid_focal_loss, sigmoid_logits(BCE_P3_TRUE.tolist()), BCE_P3_TRUE, 0.0, D3,
         gamma=1.5, alpha=None, **EL),
    case("logits-all-correct", sigmoid_focal_loss, EYE100, BCE_P3_TRUE, 0.0, D3, **P2),
    case("probs-unweighted", sigmoid_focal_loss, sigmoid_logits(BFCE_PROBS), BFCE_TRUE, 0.268, D3, **P2),
    case("logits-unweighted", sigmoid_focal_loss, BFCE_LOGITS, BFCE_L_TRUE, 0.799, D3, **L3),
    case("probs-scalar-weighted", sigmoid_focal_loss, sigmoid_logits(BFCE_PROBS), BFCE_TRUE, 0.3296, D3,
         sample_weight=1.23, **P2),
    case("logits-scalar-weighted", sigmoid_focal_loss, BFCE_LOGITS, BFCE_L_TRUE, 2.565, D3, sample_weight=3.21,
         **L3),
    case("probs-sample-weighted", sigmoid_focal_loss, sigmoid_logits(BFCE_PROBS), BFCE_TRUE, 0.34415, D3,
         sample_weight=[[1.2], [3.4]], **P2),
    case("logits-sample-weighted", sigmoid_focal_loss, BFCE_LOGITS, BFCE_L_TRUE, 0.95977, D3,
         sample_weight=[[1.2], [3.4]], **L3),
    case("probs-no-reduction", sigmoid_focal_loss, sigmoid_logits(BFCE_PROBS), BFCE_TRUE, [0.515547, 0.020513],
         ALLCLOSE, reduction=None, **P2),
]


@pytest.mark.parametrize("fn,x,t,kwargs,expected,tol", KERAS3_BFCE)
def test_keras3_binary_focal_crossentropy(fn, x, t, kwargs, expected, tol):
    run(fn, x, t, kwargs, expected, tol)


# CategoricalCrossentropyTest (one-hot probability targets) and SparseCategoricalCrossentropyTest (the same inputs
# and numbers with index targets; 3 decimals in both, allclose defaults for no_reduction and ignore_class).
# Not ported: test_shape_mismatch, test_dtype_arg.
EYE3 = tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
LABELS3 = torch.tensor([0, 1, 2])
CCE_PROBS = softmax_logits([[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]])  # row 2 sums to 1.99
CCE_LOGITS = tensor([[8.0, 1.0, 1.0], [0.0, 9.0, 1.0], [2.0, 3.0, 5.0]])
EYE_LOGITS = tensor([[10.0, 0.0, 0.0], [0.0, 10.0, 0.0], [0.0, 0.0, 10.0]])
CCE_SW = [1.2, 3.4, 5.6]  # Keras' (3, 1)
KERAS3_CCE = [
    case(f"{kind}-{cid}", softmax_cross_entropy, x, target, expected, tol, **kw)
    for kind, target in (("one-hot", EYE3), ("sparse", LABELS3))
    for cid, x, expected, tol, kw in (
        ("probs-all-correct", softmax_logits(EYE3.tolist()), 0.0, D3, {}),
        ("logits-all-correct", EYE_LOGITS, 0.0, D3, {}),
        ("probs-unweighted", CCE_PROBS, 0.3239, D3, {}),
        ("logits-unweighted", CCE_LOGITS, 0.0573, D3, {}),
        ("probs-scalar-weighted", CCE_PROBS, 0.7449, D3, {"sample_weight": 2.3}),
        ("logits-scalar-weighted", CCE_LOGITS, 0.1317, D3, {"sample_weight": 2.3}),
        ("probs-sample-weighted", CCE_PROBS, 1.0696, D3, {"sample_weight": CCE_SW}),
        ("logits-sample-weighted", CCE_LOGITS, 0.31829, D3, {"sample_weight": CCE_SW}),
        ("logits-no-reduction", CCE_LOGITS, [0.001822, 0.000459, 0.169846], ALLCLOSE, {"reduction": None}),
    )
] + [
    case("one-hot-label-smoothing", softmax_cross_entropy, tensor([[100.0, -100.0, -100.0]]), tensor([[1, 0, 0]]),
         400.0 * 0.1 / 3.0, D3, label_smoothing=0.1),
    # test_ignore_class: logits (1, 2, 3) channels last → (1, 3, 2); y_true [[-1, 2]] (and [[[-1], [2]]], the
    # same after Keras' squeeze), reduction=None
    case("sparse-ignore-class", softmax_cross_entropy,
         tensor([[[0.854, 0.698, 0.598], [0.088, 0.86, 0.018]]]).movedim(-1, 1), torch.tensor([[-1, 2]]),
         [[0.0, 1.480129]], ALLCLOSE, ignore_index=-1, reduction=None),
]


@pytest.mark.parametrize("fn,x,t,kwargs,expected,tol", KERAS3_CCE)
def test_keras3_categorical_crossentropy(fn, x, t, kwargs, expected, tol):
    run(fn, x, t, kwargs, expected, tol)


# CategoricalFocalCrossentropyTest: alpha=0.25, gamma=2 (Keras' defaults) ↔ alpha=[0.25]*3 on one-hot
# probability targets; label smoothing as an explicitly smoothed target. Not ported: test_dtype_arg.
CFCE = {"alpha": tensor([0.25, 0.25, 0.25]), "gamma": 2.0}
SMOOTHED = tensor([[1.0, 0.0, 0.0]]) * (1 - 0.1) + 0.1 / 3  # label_smoothing=0.1, 3 classes
KERAS3_CFCE = [
    case("probs-all-correct", softmax_focal_loss, softmax_logits(EYE3.tolist()), EYE3, 0.0, D3, **CFCE),
    case("logits-all-correct", softmax_focal_loss, EYE_LOGITS, EYE3, 0.0, D3, **CFCE),
    case("probs-unweighted", softmax_focal_loss, CCE_PROBS, EYE3, 0.02059, D3, **CFCE),
    case("logits-unweighted", softmax_focal_loss, CCE_LOGITS, EYE3, 0.000345, D3, **CFCE),
    case("probs-scalar-weighted", softmax_focal_loss, CCE_PROBS, EYE3, 0.047368, D3, sample_weight=2.3, **CFCE),
    case("logits-scalar-weighted", softmax_focal_loss, CCE_LOGITS, EYE3, 0.000794, D4, sample_weight=2.3,
         **CFCE),
    case("probs-sample-weighted", softmax_focal_loss, CCE_PROBS, EYE3, 0.06987, D3, sample_weight=CCE_SW, **CFCE),
    case("logits-sample-weighted", softmax_focal_loss, CCE_LOGITS, EYE3, 0.001933, D3, sample_weight=CCE_SW,
         **CFCE),
    case("logits-no-reduction", softmax_focal_loss, CCE_LOGITS, EYE3, [1.5096224e-09, 2.4136547e-11, 1.0360638e-03],
         ALLCLOSE, reduction=None, **CFCE),
    case("logits-label-smoothing", softmax_focal_loss, tensor([[4.9, -0.5, 2.05]]), SMOOTHED, 0.06685, D3, **CFCE),
]


@pytest.mark.parametrize("fn,x,t,kwargs,expected,tol", KERAS3_CFCE)
def test_keras3_categorical_focal_crossentropy(fn, x, t, kwargs, expected, tol):
    run(fn, x, t, kwargs, expected, tol)


# ============================================================================================= Keras 3: overlap
# Same file, DiceTest and TverskyTest (assertAllClose defaults). Probabilities 0/1 (and 0.4, 0.9) as logits.
# Not ported: test_correctness of both (y_true [[1, 2], [1, 2]] and y_pred [[4, 1], [6, 1]]: a target of 2 and
# "probabilities" 4 and 6 are outside our domain; Keras' value −0.5556 is not a Dice loss); test_dtype_arg.
SEG_TRUE = [[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1]]
SEG_PRED = [[0, 1, 0, 1], [1, 0, 1, 1], [0, 1, 0, 1], [1, 0, 1, 1]]
AXIS_TRUE = [[[[1.0], [1.0]], [[0.0], [0.0]]], [[[1.0], [1.0]], [[0.0], [0.0]]]]  # (2, 2, 2, 1) channels last
AXIS_PRED = [[[[0.0], [1.0]], [[0.0], [1.0]]], [[[0.4], [0.0]], [[0.0], [0.9]]]]


def keras_overlap(fn, pred, true, *, axis, **kwargs):
    """Keras' Dice/Tversky: ``axis=None`` on a (rows, features) array ↔ ``aggregate="batch"`` on (rows, 1, features);
    ``axis=(1, 2, 3)`` on (N, H, W, 1) ↔ ``aggregate="per_image"`` on (N, 1, H, W), one loss per image."""
    if axis is None:
        x, t = sigmoid_logits(pred).unsqueeze(1), tensor(true).unsqueeze(1)
        return fn(x, t, smooth=0.0, aggregate="batch", **kwargs)
    x, t = sigmoid_logits(pred).movedim(-1, 1), tensor(true).movedim(-1, 1)
    return fn(x, t, smooth=0.0, aggregate="per_image", reduction="none", **kwargs).reshape(-1)


KERAS_TVERSKY_DEFAULT = {"alpha": 0.5, "beta": 0.5}
KERAS_TVERSKY_02_08 = {"alpha": 0.8, "beta": 0.2}  # Keras alpha=0.2 (on FN), beta=0.8 (on FP): swapped names
KERAS3_OVERLAP = [
    pytest.param(sigmoid_dice_loss, {}, SEG_PRED, SEG_TRUE, None, 0.77777773, id="dice-binary-segmentation"),
    pytest.param(sigmoid_dice_loss, {}, AXIS_PRED, AXIS_TRUE, (1, 2, 3), [0.5, 0.75757575],
                 id="dice-binary-segmentation-with-axis"),
    pytest.param(sigmoid_tversky_loss, KERAS_TVERSKY_DEFAULT, SEG_PRED, SEG_TRUE, None, 0.77777773,
                 id="tversky-binary-segmentation"),
    pytest.param(sigmoid_tversky_loss, KERAS_TVERSKY_DEFAULT, AXIS_PRED, AXIS_TRUE, (1, 2, 3), [0.5, 0.75757575],
                 id="tversky-binary-segmentation-with-axis"),
    pytest.param(sigmoid_tversky_loss, KERAS_TVERSKY_02_08, SEG_PRED, SEG_TRUE, None, 0.7916667,
                 id="tversky-binary-segmentation-custom-coefficients"),
    pytest.param(sigmoid_tversky_loss, KERAS_TVERSKY_02_08, AXIS_PRED, AXIS_TRUE, (1, 2, 3), [0.5, 0.7222222],
                 id="tversky-binary-segmentation-custom-coefficients-with-axis"),
]


@pytest.mark.parametrize("fn,kwargs,pred,true,axis,expected", KERAS3_OVERLAP)
def test_keras3_overlap(fn, kwargs, pred, true, axis, expected):
    check(keras_overlap(fn, pred, true, axis=axis, **kwargs), expected, **ALLCLOSE)


# ====================================================================================================== tf.keras
# keras-team/tf-keras tf_keras/losses_test.py (read at commit 6add81a967a8; the TF-era keras/losses_test.py
# holds the same cases). Only the cases that add to Keras 3 above are ported: tf.keras' BinaryCrossentropy keeps
# ε inside the log (TF_KERAS_BCE_EPS) and uses ±100 logits; BinaryWeightedFocalCrossentropyTest covers
# apply_class_balancing; ragged inputs, ignore_class with a reduction, per-sample values of the "unknown rank"
# tests. Tolerances: assertAlmostEqual(x, y, 3) and (x, y, 5); assertArrayNear(a, b, 1e-3); assertAllClose(a, b,
# 1e-2) is rtol=1e-2, atol=1e-6; assertAllClose(a, b, 3) (rtol=3, a slip) is checked to 3 decimals instead.
# Not ported: the MSE/MAE/Huber/LogCosh/Poisson/KLD/focal/CCE cases equal to Keras 3's (same inputs, same
# numbers); tests comparing Keras with itself on random inputs (from_logits vs probabilities, axis); the
# "uses cached logits" tests (a TF graph feature); the hinge, MAPE, MSLE, cosine and categorical-hinge tests (no
# losslab counterpart); test_invalid_sample_weight and test_shape_mismatch (errors).
TK_EPS = {"eps": TF_KERAS_BCE_EPS, **EL}
BCE_L100 = tensor([[100.0, -100.0, 100.0], [100.0, 100.0, -100.0]])
TF_KERAS_BCE = [
    case("probs-0-1-unweighted", binary_cross_entropy_probs, BCE_P_PRED, BCE_P_TRUE, 3.833, D3, **TK_EPS),
    case("probs-0-1-scalar-weighted", binary_cross_entropy_probs, BCE_P_PRED, BCE_P_TRUE, 8.817, D3,
         sample_weight=2.3, **TK_EPS),
    case("probs-0-1-sample-weighted", binary_cross_entropy_probs, BCE_P_PRED, BCE_P_TRUE, 4.6, D3,
         sample_weight=[[1.2], [3.4]], **TK_EPS),
    case("logits-all-correct", sigmoid_cross_entropy, EYE100, BCE_P3_TRUE, 0.0, D3, **EL),
    case("logits-unweighted", sigmoid_cross_entropy, BCE_L100, BCE_L10_TRUE, 33.333, D3, **EL),
    case("logits-scalar-weighted", sigmoid_cross_entropy, BCE_L100, BCE_L10_TRUE, 76.667, D3, sample_weight=2.3,
         **EL),
    case("logits-sample-weighted", sigmoid_cross_entropy, BCE_L100, BCE_L10_TRUE, 100.0, D3,
         sample_weight=[[4.0], [3.0]], **EL),
    case("logits-no-reduction", sigmoid_cross_entropy, BCE_L100, BCE_L10_TRUE, [0.0, 66.6666], D3, reduction=None,
         **EL),
    case("logits-label-smoothing", sigmoid_cross_entropy, tensor([[100.0, -100.0, -100.0]]), tensor([[1, 0, 1]]),
         (100.0 + 50.0 * 0.1) / 3.0, D3, label_smoothing=0.1, **EL),
]


@pytest.mark.parametrize("fn,x,t,kwargs,expected,tol", TF_KERAS_BCE)
def test_tf_keras_binary_crossentropy(fn, x, t, kwargs, expected, tol):
    if fn is binary_cross_entropy_probs:
        x = x.to(F64)
    run(fn, x, t, kwargs, expected, tol)


# BinaryWeightedFocalCrossentropyTest: apply_class_balancing=True, alpha=a ↔ alpha=a.
def balanced(alpha, gamma):
    return {"alpha": alpha, "gamma": gamma, **EL}


TF_KERAS_BALANCED_FOCAL = [
    case("probs-all-correct", sigmoid_focal_loss, sigmoid_logits(BCE_P3_TRUE.tolist()), BCE_P3_TRUE, 0.0, D3,
         **balanced(0.25, 1.5)),
    case("logits-all-correct", sigmoid_focal_loss, EYE100, BCE_P3_TRUE, 0.0, D3, **balanced(0.3, 2.0)),
    case("probs-unweighted", sigmoid_focal_loss, sigmoid_logits(BFCE_PROBS), BFCE_TRUE, 0.15915, D3,
         **balanced(0.4, 2.0)),
    case("logits-unweighted", sigmoid_focal_loss, BFCE_LOGITS, BFCE_L_TRUE, 0.40724, D3, **balanced(0.3, 3.0)),
    case("probs-scalar-weighted", sigmoid_focal_loss, sigmoid_logits(BFCE_PROBS), BFCE_TRUE, 0.13388, D3,
         sample_weight=1.23, **balanced(0.6, 2.0)),
    case("logits-scalar-weighted", sigmoid_focal_loss, BFCE_LOGITS, BFCE_L_TRUE, 1.32, D3, sample_weight=3.21,
         **balanced(0.2, 3.0)),
    case("probs-sample-weighted", sigmoid_focal_loss, sigmoid_logits(BFCE_PROBS), BFCE_TRUE, 0.2877, D3,
         sample_weight=[[1.2], [3.4]], **balanced(0.1, 2.0)),
    case("logits-sample-weighted", sigmoid_focal_loss, BFCE_LOGITS, BFCE_L_TRUE, 0.49366, D3,
         sample_weight=[[1.2], [3.4]], **balanced(0.2, 3.0)),
    case("probs-no-reduction", sigmoid_focal_loss, sigmoid_logits(BFCE_PROBS), BFCE_TRUE, [0.2063, 0.0114], D3,
         reduction=None, **balanced(0.6, 2.0)),
]


@pytest.mark.parametrize("fn,x,t,kwargs,expected,tol", TF_KERAS_BALANCED_FOCAL)
def test_tf_keras_balanced_binary_focal_crossentropy(fn, x, t, kwargs, expected, tol):
    run(fn, x, t, kwargs, expected, tol)


# Ragged rows of the elementwise losses (assertAllClose(…, 1e-2) → rtol 1e-2 for MSE; MAE 5 decimals; the
# others 3 decimals), and test_loss_wrapper (MSE on [[1, 9], [2, 5]] vs [[4, 8], [12, 3]], sample_weight
# [1.2, 0.5], assertAllClose(…, 16, 1e-2)).
def rows(*data):
    return [tensor(r) for r in data]


TF_KERAS_RAGGED = [
    pytest.param(mse_loss, rows([4, 1, 8], [12, 3]), rows([1, 1, 9], [2, 5]), [1.2, 0.5], {}, 15.0,
                 {"rtol": 1e-2, "atol": 1e-6}, id="mse-ragged"),
    pytest.param(mse_loss, rows([4, 8], [12, 3]), rows([1, 9], [2, 5]), [1.2, 0.5], {}, 16.0,
                 {"rtol": 1e-2, "atol": 1e-6}, id="mse-loss-wrapper"),
    pytest.param(mae_loss, rows([4, 8, 12], [8, 1]), rows([1, 9, 2], [-5, -2]), [1.2, 1.0], {}, 6.8, D5,
                 id="mae-ragged"),
    pytest.param(binary_cross_entropy_probs, rows([1, 1, 1], [0]), rows([1, 0, 1], [0]), [1.2, 3.4],
                 {"eps": TF_KERAS_BCE_EPS}, 3.0666, D3, id="bce-probs-ragged"),
    pytest.param(sigmoid_cross_entropy, rows([100.0, -100.0, 100.0], [100.0, 100.0]), rows([1, 0, 1], [0, 1]),
                 [4.0, 3.0], {}, 75.0, D3, id="bce-logits-ragged"),
    pytest.param(sigmoid_focal_loss, [sigmoid_logits([0.9, 0.8, 0.7]), sigmoid_logits([0.2])],
                 rows([1, 0, 1], [0]), [1.0, 1.0], {"gamma": 2.0, "alpha": None}, 0.18166, D3, id="focal-ragged"),
    pytest.param(sigmoid_focal_loss, [sigmoid_logits([0.9, 0.8, 0.7]), sigmoid_logits([0.2])],
                 rows([1, 0, 1], [0]), [1.0, 1.0], {"gamma": 2.0, "alpha": 0.1}, 0.1591, D3,
                 id="balanced-focal-ragged"),
]


@pytest.mark.parametrize("fn,x_rows,t_rows,sample_weight,kwargs,expected,tol", TF_KERAS_RAGGED)
def test_tf_keras_ragged_elementwise(fn, x_rows, t_rows, sample_weight, kwargs, expected, tol):
    check(ragged_reduce(fn, x_rows, t_rows, sample_weight, **kwargs), expected, **tol)


# Categorical: the "unknown rank" per-sample values (assertArrayNear 1e-3) of categorical_crossentropy and
# sparse_categorical_crossentropy; SparseCategoricalCrossentropy with ignore_class=-1 (3 decimals); ragged
# batches of class vectors (a flat batch of samples; per-sample weights repeated along the row); the float16 test
# (2050 classes, one-hot float16 probabilities, atol=1e-3).
PROBS_B = softmax_logits([[0.9, 0.05, 0.05], [0.05, 0.89, 0.06], [0.05, 0.01, 0.94]])
PROBS_IGN = softmax_logits([[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94], [0.85, 0.14, 0.01]])
LOGITS_IGN = tensor([[8.0, 1.0, 1.0], [0.0, 9.0, 1.0], [2.0, 3.0, 5.0], [7.8, 2.0, 1.0]])
LABELS_IGN = torch.tensor([0, 1, 2, -1])
SW_IGN = [1.2, 3.4, 5.6, 10.4]  # Keras' (4, 1)
SEG_LABELS = torch.tensor([[[0, 2], [-1, -1]], [[0, 2], [-1, -1]], [[0, 0], [0, 0]]])
SEG_PROBS = softmax_logits([
    [[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], [[0.2, 0.5, 0.3], [0.0, 1.0, 0.0]]],
    [[[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]], [[0.2, 0.5, 0.3], [0.0, 1.0, 0.0]]],
    [[[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]], [[0.1, 0.9, 0.0], [0.2, 0.8, 0.0]]],
]).movedim(-1, 1)  # (3, 2, 2, 3) channels last → (3, 3, 2, 2)
RAGGED_PROBS = softmax_logits([[0.9, 0.05, 0.05], [0.5, 0.89, 0.6], [0.05, 0.01, 0.94]])  # rows [[s0, s1], [s2]]
IGN = {"ignore_index": -1}
TF_KERAS_CATEGORICAL = [
    case("cce-probs-per-sample", softmax_cross_entropy, PROBS_B, EYE3, [0.105, 0.116, 0.062],
         {"rtol": 0.0, "atol": 1e-3}, reduction=None),
    case("cce-logits-per-sample", softmax_cross_entropy, CCE_LOGITS, EYE3, [0.002, 0.0, 0.17],
         {"rtol": 0.0, "atol": 1e-3}, reduction=None),
    case("scce-probs-per-sample", softmax_cross_entropy, PROBS_B, LABELS3, [0.105, 0.116, 0.062],
         {"rtol": 0.0, "atol": 1e-3}, reduction=None),
    case("scce-logits-per-sample", softmax_cross_entropy, CCE_LOGITS, LABELS3, [0.002, 0.0, 0.17],
         {"rtol": 0.0, "atol": 1e-3}, reduction=None),
    case("scce-probs-ignore-class", softmax_cross_entropy, PROBS_IGN, LABELS_IGN, 0.3239, D3, **IGN),
    case("scce-logits-ignore-class", softmax_cross_entropy, LOGITS_IGN, LABELS_IGN, 0.0573, D3, **IGN),
    case("scce-probs-ignore-class-segmentation", softmax_cross_entropy, SEG_PROBS, SEG_LABELS, 0.575646375, D3,
         **IGN),
    case("scce-probs-sample-weighted-ignore-class", softmax_cross_entropy, PROBS_IGN, LABELS_IGN, 1.0696, D3,
         sample_weight=SW_IGN, **IGN),
    case("scce-logits-sample-weighted-ignore-class", softmax_cross_entropy, LOGITS_IGN, LABELS_IGN, 0.31829, D3,
         sample_weight=SW_IGN, **IGN),
    # ragged: rows [[s0, s1], [s2]] with sample_weight (2, 1) [1.2, 3.4] → per sample [1.2, 1.2, 3.4]
    case("cce-probs-ragged", softmax_cross_entropy, RAGGED_PROBS, EYE3, 0.4341, D3, sample_weight=[1.2, 1.2, 3.4]),
    case("cce-logits-ragged", softmax_cross_entropy, CCE_LOGITS, EYE3, 0.1934, D3, sample_weight=[1.2, 1.2, 3.4]),
    case("scce-probs-ragged", softmax_cross_entropy, RAGGED_PROBS, LABELS3, 0.4341, D3,
         sample_weight=[1.2, 1.2, 3.4]),
    case("scce-logits-ragged", softmax_cross_entropy, CCE_LOGITS, LABELS3, 0.1934, D3,
         sample_weight=[1.2, 1.2, 3.4]),
    # ragged sample weights [[1.2, 3.4], [5.6]] (one per sample), PROBS_B rows
    case("cce-probs-ragged-sample-weights", softmax_cross_entropy, PROBS_B, EYE3, 0.2897, D3,
         sample_weight=[1.2, 3.4, 5.6]),
    case("cce-logits-ragged-sample-weights", softmax_cross_entropy, CCE_LOGITS, EYE3, 0.3181, D3,
         sample_weight=[1.2, 3.4, 5.6]),
    # test_ragged_tensors_3d: labels [[[1, 1]], [[0]]] with probabilities [0.1, 0.9], [0.1, 0.9], [0.9, 0.1]
    case("scce-probs-ragged-3d", softmax_cross_entropy, softmax_logits([[0.1, 0.9], [0.1, 0.9], [0.9, 0.1]]),
         torch.tensor([1, 1, 0]), 0.1054, D3),
    case("cfce-probs-ragged", softmax_focal_loss, RAGGED_PROBS, EYE3, 0.024754, D3, sample_weight=[1.2, 1.2, 3.4],
         **CFCE),
    case("cfce-logits-ragged", softmax_focal_loss, CCE_LOGITS, EYE3, 0.00117, D3, sample_weight=[1.2, 1.2, 3.4],
         **CFCE),
    case("cfce-probs-ragged-sample-weights", softmax_focal_loss, PROBS_B, EYE3, 0.0006088, D4,
         sample_weight=[1.2, 3.4, 5.6], **CFCE),
    case("cfce-logits-ragged-sample-weights", softmax_focal_loss, CCE_LOGITS, EYE3, 0.001933, D3,
         sample_weight=[1.2, 3.4, 5.6], **CFCE),
]


@pytest.mark.parametrize("fn,x,t,kwargs,expected,tol", TF_KERAS_CATEGORICAL)
def test_tf_keras_categorical(fn, x, t, kwargs, expected, tol):
    run(fn, x, t, kwargs, expected, tol)


def test_tf_keras_sparse_categorical_crossentropy_float16():
    # test_sparse_categorical_crossentropy_with_float16: labels [0, 2049], one-hot float16 probabilities over
    # 2050 classes (as logits: log 1 = 0, log 0 → −1e4, representable in float16); loss ≈ 0 (atol=1e-3)
    p = torch.zeros(2, 2050, dtype=F64)
    p[0, 0] = p[1, 2049] = 1.0
    loss = softmax_cross_entropy(softmax_logits(p.tolist()).half(), torch.tensor([0, 2049]))
    check(loss, 0.0, rtol=1e-6, atol=1e-3)


# =========================================================================================== TensorFlow Addons
# tensorflow/addons tensorflow_addons/losses/tests/quantiles_test.py (read at commit 30a85af23bc1),
# implementation tensorflow_addons/losses/quantiles.py (read at c6c82fc9d333: mean over the last axis, tf.keras
# reduction). np.testing.assert_almost_equal(…, 3).
# Not ported: tau=0.0 (4.8333) and tau=1.0 (0.6666): our quantile lies in the open interval (0, 1);
# test_invalid_sample_weight (an error). test_no_reduction passes 1e-3 as `decimal` (tolerance 1.5): 3 decimals.
TFA_PINBALL = [
    case("all-correct", pinball_loss, Y_ALL, Y_ALL, 0.0, D3, **EL),
    case("unweighted", pinball_loss, Y_PRED, Y_TRUE, 2.75, D3, **EL),
    case("scalar-weighted", pinball_loss, Y_PRED, Y_TRUE, 6.325, D3, sample_weight=2.3, **EL),
    case("sample-weighted", pinball_loss, Y_PRED, Y_TRUE, 40.7 / 6, D3, sample_weight=[[1.2], [3.4]], **EL),
    case("timestep-weighted", pinball_loss, Y_PRED.view(2, 3, 1), Y_TRUE.view(2, 3, 1), 41.5 / 6, D3,
         sample_weight=TIMESTEP_W, **EL),
    case("zero-weighted", pinball_loss, Y_PRED, Y_TRUE, 0.0, D3, sample_weight=0.0, **EL),
    case("quantile-10pc", pinball_loss, Y_PRED, Y_TRUE, 4.4166, D3, quantile=0.1, **EL),
    case("quantile-90pc", pinball_loss, Y_PRED, Y_TRUE, 1.0833, D3, quantile=0.9, **EL),
    case("no-reduction", pinball_loss, Y_PRED, Y_TRUE, [5.3666, 7.28333], D3, sample_weight=2.3, reduction=None,
         **EL),
    case("sum", pinball_loss, Y_PRED, Y_TRUE, 12.65, D3, sample_weight=2.3, reduction="sum", **EL),
]


@pytest.mark.parametrize("fn,x,t,kwargs,expected,tol", TFA_PINBALL)
def test_tfa_pinball(fn, x, t, kwargs, expected, tol):
    run(fn, x, t, kwargs, expected, tol)


# tensorflow/addons tensorflow_addons/losses/tests/focal_loss_test.py (read at commit 043eb7f7fff1; the same check
# is in the older tensorflow_addons/losses/focal_loss_test.py at 04d62a380b86): sigmoid_focal_crossentropy with
# alpha=None and gamma=2 against binary cross-entropy, from probabilities and from logits (the same logits here):
# the order of magnitude 10^floor(log10(bce / fl)) is published, assert_allclose with its defaults (rtol=1e-7).
# Not ported: alpha=None, gamma=None ≡ BCE (a consistency check, no number).
def test_tfa_focal_order_of_ratio():
    p = tensor([0.97, 0.91, 0.73, 0.27, 0.09, 0.03]).view(6, 1)
    x, t = sigmoid_logits(p.tolist()), tensor([1, 1, 1, 0, 0, 0]).view(6, 1)
    fl = sigmoid_focal_loss(x, t, gamma=2.0, alpha=None, reduction="none")
    bce = sigmoid_cross_entropy(x, t, reduction="none")
    order = 10.0 ** torch.floor(torch.log10(bce / fl))
    check(order, [[1000.0], [100.0], [10.0], [10.0], [100.0], [1000.0]], rtol=1e-7, atol=0.0)


# ================================================================================================== torchvision
# pytorch/vision test/test_ops.py, TestFocalLoss (read in the stored copy): nothing ported. test_correct_ratio,
# test_equal_ce_loss and test_jit draw random inputs and compare sigmoid_focal_loss with
# binary_cross_entropy_with_logits or with its scripted self; no literal value is published.
