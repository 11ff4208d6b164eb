"""Classification losses on logits: sigmoid (binary / multi-label) and softmax (multi-class).

Every function takes raw scores (logits) and works in log space, so the loss and its gradient are
finite for logits of any finite magnitude (±1e4 in float32 included), also for fractional focusing
parameters γ at saturated logits. float16/bfloat16 inputs are computed in float32.

Reduction rule (all functions): ``"none"`` returns the weighted unreduced loss, ``"sum"`` the sum
over counted elements, ``"mean"`` the weighted mean ``Σ w ℓ / Σ w`` over the elements that are not
ignored; an empty or all-ignored batch reduces to 0 with the autograd graph connected.
"""

from __future__ import annotations

import ctypes
import math
from typing import Literal

import torch
import torch.nn.functional as F

from .. import _native
from .._numerics import compute_dtype, focal_factor, log_sigmoid_pair, log_softmax_complement
from .._reduction import reduce_loss
from .._validation import (
    check_bool,
    check_broadcastable,
    check_class_indices,
    check_class_range,
    check_class_vector,
    check_floating,
    check_index,
    check_integer,
    check_min_dim,
    check_no_nan,
    check_number,
    check_probability_rows,
    check_reduction,
    check_same_shape,
    check_tensor,
    check_unit_interval,
    check_weight,
    fail,
)

__all__ = [
    "sigmoid_cross_entropy",
    "binary_cross_entropy_probs",
    "sigmoid_focal_loss",
    "asymmetric_loss",
    "softmax_cross_entropy",
    "softmax_focal_loss",
    "poly1_cross_entropy",
    "softmax_kl_div",
]

Reduction = Literal["mean", "sum", "none"]


# ------------------------------------------------------------------------------------------------
# shared preparation
# ------------------------------------------------------------------------------------------------
def _binary_inputs(fn: str, input: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None,
                   validate: bool, input_name: str = "logits", ignore_index: int | None = None,
                   ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """Checks shared by the sigmoid losses; returns ``(x, y, weight)`` in the compute dtype.

    Elements whose target equals ``ignore_index`` get target 0 and weight 0 (they leave the numerator and
    the denominator of the mean, and are 0 in ``"none"``); ``weight`` is returned unchanged otherwise.
    """
    check_floating(fn, input_name, input)
    check_tensor(fn, "target", target)
    if target.is_complex():
        fail(fn, "`target` dtype to be", "real (floating, integer or bool)", target.dtype, TypeError)
    check_same_shape(fn, input, target, names=(input_name, "target"))
    check_weight(fn, weight, input.shape, validate)
    dtype = compute_dtype(input, target if target.is_floating_point() else None)
    if ignore_index is not None:
        ignore_index = check_index(fn, "ignore_index", ignore_index, int64=True)
        ignored = target.detach() == ignore_index
        if bool(ignored.any()):
            target = target.masked_fill(ignored, 0)
            keep = (~ignored).to(dtype)
            weight = keep if weight is None else weight.to(dtype) * keep
    if validate:
        check_unit_interval(fn, "target", target.detach())
    return input.to(dtype), target.to(dtype), weight


def check_pos_weight(fn: str, pos_weight, shape: tuple[int, ...], dtype: torch.dtype, device: torch.device,
                     validate: bool) -> torch.Tensor | None:
    """``pos_weight`` checked broadcastable to ``shape`` (finite and ``>= 0`` when ``validate``), as ``dtype``."""
    if pos_weight is None:
        return None
    if not isinstance(pos_weight, torch.Tensor) or not pos_weight.is_floating_point():
        pos_weight = torch.as_tensor(pos_weight, dtype=dtype)
    check_broadcastable(fn, "pos_weight", pos_weight, shape)
    if validate and (bool((pos_weight < 0).any()) or not bool(torch.isfinite(pos_weight).all())):
        fail(fn, "`pos_weight` values to be", "finite and >= 0", pos_weight.tolist())
    return pos_weight.to(dtype=dtype, device=device)


def _class_inputs(fn: str, logits: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None,
                  validate: bool, ignore_index: int | None, log_target: bool = False, check_range: bool = True,
                  ) -> tuple[torch.Tensor, torch.Tensor, bool]:
    """Checks shared by the softmax losses.

    Returns ``(x, t, soft)``: logits in the compute dtype; ``t`` int64 class indices ``(N, *)`` or
    probabilities ``(N, C, *)`` in the compute dtype; ``soft`` tells which. ``check_range=False`` leaves the
    range of class indices to the caller (a native kernel that reports it).
    """
    check_floating(fn, "logits", logits)
    check_tensor(fn, "target", target)
    check_min_dim(fn, "logits", logits, 2, "(N, C, *)")
    num_classes = logits.shape[1]
    index_shape = (logits.shape[0], *logits.shape[2:])
    soft = target.is_floating_point()
    if soft:
        if target.shape != logits.shape:
            if tuple(target.shape) == index_shape:
                fail(fn, "`target` dtype to be", f"an integer type for class indices of shape {index_shape}",
                     target.dtype, TypeError)
            _fail_class_shape(fn, logits, target, index_shape)
        if validate:
            if log_target:
                check_no_nan(fn, "target", target)
                check_probability_rows(fn, "exp(target)", target.detach().exp(), dim=1, atol=_row_atol(target))
            else:
                check_probability_rows(fn, "target", target.detach(), dim=1, atol=_row_atol(target))
    else:
        check_integer(fn, "target", target)
        if tuple(target.shape) != index_shape:
            _fail_class_shape(fn, logits, target, index_shape)
        target = target.long()
        if validate and check_range and not _indices_in_range(target, num_classes):
            check_class_indices(fn, "target", target, num_classes, ignore_index)
    check_weight(fn, weight, index_shape, validate)
    dtype = compute_dtype(logits, target if soft else None)
    return logits.to(dtype), (target.to(dtype) if soft else target), soft


def _indices_in_range(t: torch.Tensor, num_classes: int) -> bool:
    """True when every index is in ``[0, num_classes)``: one ``aminmax`` pass, no copy of ``t``."""
    if t.numel() == 0:
        return True
    lo, hi = torch.aminmax(t)
    return int(lo) >= 0 and int(hi) < num_classes


def _row_atol(target: torch.Tensor) -> float:
    return 1e-2 if target.dtype in (torch.float16, torch.bfloat16) else 1e-3


def _fail_class_shape(fn: str, logits: torch.Tensor, target: torch.Tensor, index_shape: tuple[int, ...]) -> None:
    fail(fn, "`target` shape", f"{index_shape} (class indices) or {tuple(logits.shape)} (probabilities) for "
         f"`logits` shape {tuple(logits.shape)}", tuple(target.shape))


def _class_vector(fn: str, name: str, value, x: torch.Tensor) -> torch.Tensor | None:
    if value is None:
        return None
    if isinstance(value, (bool, int, float)):
        fail(fn, f"`{name}` to be", f"a tensor of shape ({x.shape[1]},) or None", f"the scalar {value!r}", TypeError)
    return check_class_vector(fn, name, value, x.shape[1]).to(dtype=x.dtype, device=x.device)


def _class_view(v: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """A ``(C,)`` vector shaped to broadcast over ``(N, C, *)``."""
    return v.view(1, -1, *([1] * (x.dim() - 2)))


def _class_weighted_reduce(fn: str, loss: torch.Tensor, reduction: str, weight: torch.Tensor | None,
                           mask: torch.Tensor | None, elem_weight: torch.Tensor | None) -> torch.Tensor:
    """The reduction rule when the loss already carries a per-element class weight ``elem_weight``.

    ``"none"``/``"sum"`` as ``reduce_loss``; ``"mean"`` divides the weighted sum by
    ``Σ weight·elem_weight`` over counted elements (0 when that is 0, graph connected).
    """
    if reduction != "mean" or elem_weight is None:
        return reduce_loss(loss, reduction, weight=weight, mask=mask, fn=fn)
    total = reduce_loss(loss, "sum", weight=weight, mask=mask, fn=fn)
    den = elem_weight if weight is None else elem_weight * weight.to(elem_weight.dtype)
    if mask is not None:
        den = torch.where(mask, den, den.new_zeros(()))
    den = den.sum()
    ok = den > 0
    return torch.where(ok, total / torch.where(ok, den, torch.ones_like(den)), total * 0)


def _target_log_prob_sum(y: torch.Tensor, logp: torch.Tensor, factor: torch.Tensor | None = None) -> torch.Tensor:
    """``Σ_k y_k · log p_k (· f_k)`` over the class axis, with ``0 · log 0 = 0``.

    A class masked with a −∞ logit then costs nothing where its target is 0 (torch's soft-target
    ``cross_entropy`` gives NaN there) and ``+∞`` where it is not. The plain products are summed first; only
    a NaN sum (a masked class, or a NaN input, which stays NaN) recomputes it with the zero-target terms set
    to 0, so the common case pays one sum of the ``(N, *)`` result.
    """
    def weighted_sum(terms: torch.Tensor) -> torch.Tensor:
        return (terms if factor is None else terms * factor).sum(1)

    total = weighted_sum(y * logp)
    if bool(total.sum().isnan()):  # every term is <= 0, so the sum is NaN only if some term is
        total = weighted_sum(torch.where(y == 0, 0.0, y * logp))  # masked before `factor` meets its NaN
    return total


def _gather_target(logp: torch.Tensor, t: torch.Tensor, ignore_index: int) -> tuple[torch.Tensor, torch.Tensor,
                                                                                      torch.Tensor]:
    """``(log p_y, mask, safe_t)``: the target class log-probability (0 index where ignored)."""
    mask = t != ignore_index
    safe = torch.where(mask, t, torch.zeros_like(t))
    return logp.gather(1, safe.unsqueeze(1)).squeeze(1), mask, safe


# ------------------------------------------------------------------------------------------------
# sigmoid family
# ------------------------------------------------------------------------------------------------
def sigmoid_cross_entropy(logits: torch.Tensor, target: torch.Tensor, *, weight: torch.Tensor | None = None,
                          pos_weight: torch.Tensor | None = None, label_smoothing: float = 0.0,
                          ignore_index: int | None = None, reduction: Reduction = "mean",
                          validate: bool = True) -> torch.Tensor:
    """Binary cross-entropy (log loss) on logits, for binary and multi-label targets.

    Unreduced loss, with ``x`` the logit, ``y`` the target and ``p_w`` the positive weight::

        ℓ = −[p_w · y · log σ(x) + (1 − y) · log σ(−x)],   y ← y(1 − ε) + ε/2 with label smoothing ε

    Args:
        logits: raw scores, any shape ``(N, *)``, floating point.
        target: same shape, values in ``[0, 1]`` (soft targets allowed; bool/integer masks accepted).
        weight: optional per-element weight broadcastable to the loss shape.
        pos_weight: optional weight of the positive term, broadcast against ``logits`` like torch does
            (a ``(C,)`` tensor broadcasts over the *last* dimension; use ``(C, 1, 1)`` for ``(N, C, H, W)``).
        label_smoothing: ε in ``[0, 1]``; default 0.
        ignore_index: target value of the elements to leave out (e.g. ``-100`` for unlabelled pixels);
            default ``None``: every element counts (torch's BCE has no ignore index).
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check targets lie in ``[0, 1]`` and are free of NaN (costs a pass over the data).

    Shape:
        logits ``(N, *)``, target ``(N, *)``; output ``(N, *)`` for ``"none"``, else a scalar.

    Convention:
        Weighted mean ``Σ w ℓ / Σ w`` over the elements not ignored (``w = 1`` without ``weight``); an
        empty or all-ignored batch gives 0 with the graph connected (torch: NaN). Equals ``torch.nn.BCEWithLogitsLoss`` (same
        formula, same ``pos_weight`` broadcasting) for every reduction, except that torch's ``"mean"``
        with ``weight`` divides by the number of elements, ours by ``Σ w``. Label smoothing is not in
        torch's BCE; it follows Keras (``y(1 − ε) + ε/2``).

    References:
        Cox, The Regression Analysis of Binary Sequences, 1958.

    Example:
        >>> import torch
        >>> x = torch.tensor([2.0, -1.0, 0.5]); y = torch.tensor([1.0, 0.0, 1.0])
        >>> round(float(sigmoid_cross_entropy(x, y)), 4)
        0.3048
    """
    fn = "sigmoid_cross_entropy"
    check_reduction(fn, reduction)
    ls = check_number(fn, "label_smoothing", label_smoothing, low=0, high=1)
    x, y, weight = _binary_inputs(fn, logits, target, weight, validate, ignore_index=ignore_index)
    pos_weight = check_pos_weight(fn, pos_weight, x.shape, x.dtype, x.device, validate)
    if ls:
        y = y * (1 - ls) + ls / 2
    if weight is None and x.numel() > 0:
        # torch's fused kernel is the fastest correct path; its mean is our mean without weights.
        return F.binary_cross_entropy_with_logits(x, y, pos_weight=pos_weight, reduction=reduction)
    loss = F.binary_cross_entropy_with_logits(x, y, pos_weight=pos_weight, reduction="none")
    return reduce_loss(loss, reduction, weight=weight, fn=fn)


def binary_cross_entropy_probs(probs: torch.Tensor, target: torch.Tensor, *, weight: torch.Tensor | None = None,
                               eps: float = 1e-12, reduction: Reduction = "mean",
                               validate: bool = True) -> torch.Tensor:
    """Binary cross-entropy on probabilities, finite (value and gradient) at exactly 0 and 1.

    Unreduced loss, with ``⌊a⌋ = max(a, eps)`` applied inside the logs only::

        ℓ = −[y · log⌊p⌋ + (1 − y) · log⌊1 − p⌋]

    Prefer :func:`sigmoid_cross_entropy` on logits when you have them: it is exact for any logit.

    Args:
        probs: probabilities in ``[0, 1]``, any shape ``(N, *)``, floating point.
        target: same shape, values in ``[0, 1]``.
        weight: optional per-element weight broadcastable to the loss shape.
        eps: guard ``> 0`` (default 1e-12); probabilities are clamped to ``>= eps`` inside each log.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check probs and target lie in ``[0, 1]`` and are free of NaN.

    Shape:
        probs ``(N, *)``, target ``(N, *)``; output ``(N, *)`` for ``"none"``, else a scalar.

    Convention:
        Weighted mean ``Σ w ℓ / Σ w``; an empty batch gives 0 (torch: NaN). Equals
        ``torch.nn.BCELoss`` for ``p`` in ``[eps, 1 − eps]``. At the edges torch clamps each log at
        −100 (a confidently wrong 0/1 costs 100), ours clamps ``p`` at ``eps`` (it costs
        ``−log eps ≈ 27.63``). The gradient is ``−y/⌊p⌋ + (1 − y)/⌊1 − p⌋`` everywhere (the clamp is
        passed straight through), so it stays finite and keeps pushing a wrong 0/1 back (−1e12 at
        ``p = 0, y = 1``, like torch's ``(p − y)/max(p(1 − p), 1e-12)``), instead of vanishing. For float16
        probabilities ``eps`` is at least ``1/65504`` (float16's largest value, so the gradient fits float16:
        a wrong 0/1 then costs ``11.09``).

    References:
        Cox, The Regression Analysis of Binary Sequences, 1958.

    Example:
        >>> import torch
        >>> p = torch.tensor([0.9, 0.2, 1.0]); y = torch.tensor([1.0, 0.0, 1.0])
        >>> round(float(binary_cross_entropy_probs(p, y)), 4)
        0.1095
    """
    fn = "binary_cross_entropy_probs"
    check_reduction(fn, reduction)
    eps = check_number(fn, "eps", eps, low=0, high=0.5, low_open=True)
    p, y, weight = _binary_inputs(fn, probs, target, weight, validate, input_name="probs")
    if validate:
        check_unit_interval(fn, "probs", probs.detach())
    if probs.is_floating_point():  # the gradient, up to 1/eps, must fit the probabilities' dtype (float16)
        eps = max(eps, 1.0 / torch.finfo(probs.dtype).max)
    q = 1 - p
    # value max(a, eps), gradient 1 (straight through): finite and non-vanishing at 0 and 1.
    log_p = torch.log(p + (p.clamp_min(eps) - p).detach())
    log_q = torch.log(q + (q.clamp_min(eps) - q).detach())
    loss = -(y * log_p + (1 - y) * log_q)
    return reduce_loss(loss, reduction, weight=weight, fn=fn)


def _log_one_minus_pt(x: torch.Tensor, log_p: torch.Tensor, log_q: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``log(1 − p_t)`` with ``1 − p_t = y·(1 − p) + (1 − y)·p``, in log space, twice differentiable.

    Hard targets (y in {0, 1}): ``log σ(x(1 − 2y))`` (MONAI's form). Soft targets in (0, 1):
    ``logaddexp(log y + log(1 − p), log(1 − y) + log p)``, whose arguments are then finite. The soft
    branch is only evaluated when some target is soft, and with a dummy value at the hard ones so
    that neither branch sends NaN into backward.
    """
    hard = F.logsigmoid(x * (1 - 2 * y))
    soft = (y > 0) & (y < 1)
    if not bool(soft.any()):
        return hard
    ys = torch.where(soft, y, torch.full_like(y, 0.5))
    mixed = torch.logaddexp(torch.log(ys) + log_q, torch.log1p(-ys) + log_p)
    return torch.where(soft, mixed, hard)


def sigmoid_focal_loss(logits: torch.Tensor, target: torch.Tensor, *, gamma: float = 2.0,
                       alpha: float | None = 0.25, weight: torch.Tensor | None = None,
                       ignore_index: int | None = None, reduction: Reduction = "mean",
                       validate: bool = True) -> torch.Tensor:
    """Sigmoid focal loss: cross-entropy down-weighted by ``(1 − p_t)^γ`` on easy examples.

    Unreduced loss, ``p = σ(x)``, ``p_t = p·y + (1 − p)(1 − y)``, ``α_t = α·y + (1 − α)(1 − y)``::

        ℓ = α_t · (1 − p_t)^γ · BCE(x, y)          (= −α_t (1 − p_t)^γ log p_t for y in {0, 1})

    ``log p``, ``log(1 − p)`` and ``log(1 − p_t)`` all come from ``logsigmoid``, so loss and gradient
    are finite at any logit, for fractional γ too. On CPU, contiguous float32/float64 logits of at least 64
    elements with a target of the same dtype (that needs no gradient) run a native kernel instead: one
    elementwise pass writes the loss and its derivative, which the backward turns into the gradient in place
    (the torch path agrees to rounding; double backward goes through the torch formula).

    Args:
        logits: raw scores, any shape ``(N, *)``.
        target: same shape, values in ``[0, 1]`` (soft targets use the formula above, as torchvision).
        gamma: focusing parameter γ ``>= 0`` (default 2; 0 gives α-weighted cross-entropy).
        alpha: weight of positives α in ``[0, 1]`` (negatives get ``1 − α``); default 0.25;
            ``None`` disables the weighting.
        weight: optional per-element weight broadcastable to the loss shape.
        ignore_index: target value of the elements to leave out; default ``None`` (every element counts).
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check targets lie in ``[0, 1]`` and are free of NaN.

    Shape:
        logits ``(N, *)``, target ``(N, *)``; output ``(N, *)`` for ``"none"``, else a scalar.

    Convention:
        Weighted mean ``Σ w ℓ / Σ w`` over the elements not ignored; α is part of ℓ, not of the denominator
        (as in the paper, which normalises by the number of anchors). Empty batch → 0, graph connected.
        Peers: ``torchvision.ops.sigmoid_focal_loss`` has the same formula and default α = 0.25 but
        disables α with ``alpha < 0`` (ours: ``None``; negative α is an error). MONAI ``FocalLoss``
        (``use_softmax=False``) defaults to ``alpha=None``, uses the same α_t for a scalar α, and for
        soft targets a different modulating factor ``σ(−x(2y − 1))^γ`` (equal for hard targets).
        Keras ``BinaryFocalCrossentropy`` applies α only with ``apply_class_balancing=True``
        (default off), with the same α_t.

    References:
        Lin, Goyal, Girshick, He, Dollár, Focal Loss for Dense Object Detection, 2017.

    Example:
        >>> import torch
        >>> x = torch.tensor([2.0, -1.0, 0.5]); y = torch.tensor([1.0, 0.0, 1.0])
        >>> round(float(sigmoid_focal_loss(x, y)), 4)
        0.0114
    """
    fn = "sigmoid_focal_loss"
    check_reduction(fn, reduction)
    gamma = check_number(fn, "gamma", gamma, low=0)
    if alpha is not None:
        alpha = check_number(fn, "alpha", alpha, low=0, high=1)
    x, y, weight = _binary_inputs(fn, logits, target, weight, validate, ignore_index=ignore_index)
    kernels = _sigmoid_focal_kernels(x, y)
    if kernels is not None:
        loss = _SigmoidFocal.apply(x, y, gamma, alpha, kernels[0], torch.is_grad_enabled() and x.requires_grad)
    else:
        loss = _sigmoid_focal_terms(x, y, gamma, alpha)
    return reduce_loss(loss, reduction, weight=weight, fn=fn)


def _sigmoid_focal_terms(x: torch.Tensor, y: torch.Tensor, gamma: float, alpha: float | None) -> torch.Tensor:
    """The unreduced sigmoid focal loss from differentiable torch ops (log space, twice differentiable)."""
    log_p, log_q = log_sigmoid_pair(x)
    loss = -(y * log_p + (1 - y) * log_q)
    if gamma != 0:
        loss = loss * focal_factor(_log_one_minus_pt(x, log_p, log_q, y), gamma)
    if alpha is not None:
        loss = loss * (alpha * y + (1 - alpha) * (1 - y))
    return loss


def _sigmoid_focal_kernels(x: torch.Tensor, y: torch.Tensor):
    """The native sigmoid focal kernel when it applies (CPU, contiguous float32/float64 logits with at least
    ``_native.MIN_PIXELS`` elements, a target of the same dtype that needs no gradient), else ``None``."""
    if not _native.worthwhile(x, elementwise=True) or y.requires_grad or y.dtype != x.dtype or y.shape != x.shape:
        return None
    return _native.kernels("sigmoid_focal", x.dtype)


class _SigmoidFocal(torch.autograd.Function):
    """The unreduced sigmoid focal loss from one native pass that also writes its derivative ``∂ℓ/∂x``
    (see ``sigmoid_focal`` in ``overlap.c``; not written when ``need_grad`` is false, as under ``no_grad``);
    backward scales that buffer by the upstream gradient in place, so it becomes the gradient (a second
    backward through the same graph recomputes it). Double backward
    (``create_graph=True``) differentiates :func:`_sigmoid_focal_terms` instead."""

    @staticmethod
    def forward(ctx, x, y, gamma, alpha, kernel, need_grad):  # noqa: D102
        loss, ctx.deriv = _sigmoid_focal_native(kernel, x, y, gamma, alpha, need_grad)
        ctx.save_for_backward(x, y)
        ctx.config = (gamma, alpha, kernel)
        return loss

    @staticmethod
    def backward(ctx, g):  # noqa: D102
        x, y = ctx.saved_tensors
        gamma, alpha, kernel = ctx.config
        if torch.is_grad_enabled():  # create_graph=True: the same gradient from differentiable ops
            (grad,) = torch.autograd.grad(_sigmoid_focal_terms(x, y, gamma, alpha), x, g, create_graph=True)
            return grad, *(None,) * 5
        deriv, ctx.deriv = ctx.deriv, None
        if deriv is None:  # a second backward: recompute
            deriv = _sigmoid_focal_native(kernel, x, y, gamma, alpha, True)[1]
        return deriv.mul_(g), *(None,) * 5


def _sigmoid_focal_native(kernel, x: torch.Tensor, y: torch.Tensor, gamma: float, alpha: float | None,
                          need_deriv: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``(loss, ∂loss/∂x)`` elementwise from the native kernel (``None`` for the derivative when not needed)."""
    yc = y.contiguous()
    loss, deriv = torch.empty_like(x), torch.empty_like(x) if need_deriv else None
    kernel(x.data_ptr(), yc.data_ptr(), x.numel(), float(gamma), math.nan if alpha is None else float(alpha),
           loss.data_ptr(), _native.address(deriv), _native.threads(x.numel()))
    return loss, deriv


def asymmetric_loss(logits: torch.Tensor, target: torch.Tensor, *, gamma_pos: float = 0.0, gamma_neg: float = 4.0,
                    clip: float = 0.05, weight: torch.Tensor | None = None, ignore_index: int | None = None,
                    reduction: Reduction = "mean", validate: bool = True) -> torch.Tensor:
    """Asymmetric loss (ASL) for multi-label classification: separate focusing, shifted negatives.

    Unreduced loss, ``p = σ(x)``, probability margin ``m`` (``clip``), ``p_m = max(p − m, 0)``::

        ℓ = −[y · (1 − p)^γ₊ · log p + (1 − y) · p_m^γ₋ · log(1 − p_m)]

    Args:
        logits: raw scores, any shape ``(N, *)``.
        target: same shape, values in ``[0, 1]``.
        gamma_pos: focusing parameter γ₊ ``>= 0`` of the positive term (default 0).
        gamma_neg: focusing parameter γ₋ ``>= 0`` of the negative term (default 4).
        clip: probability margin m in ``[0, 1)`` (default 0.05); negatives with ``p <= m`` cost 0.
        weight: optional per-element weight broadcastable to the loss shape.
        ignore_index: target value of the elements to leave out (unlabelled entries of a multi-label
            target); default ``None`` (every element counts).
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check targets lie in ``[0, 1]`` and are free of NaN.

    Shape:
        logits ``(N, *)``, target ``(N, *)``; output ``(N, *)`` for ``"none"``, else a scalar.

    Convention:
        Weighted mean ``Σ w ℓ / Σ w`` over the elements not ignored; empty batch → 0, graph connected.
        The official implementation returns ``−Σ`` over everything (our ``reduction="sum"``), clamps
        probabilities at 1e-8 inside the logs (ours is exact: ``log p`` from ``logsigmoid``), can
        detach the focusing weight (``disable_torch_grad_focal_loss``; ours always differentiates
        through it), and for soft targets mixes one weight ``(1 − p_t)^{γ(y)}`` over both terms;
        ours weights each term with its own factor (identical for hard targets).

    References:
        Ridnik, Ben-Baruch, Zamir, Noy, Friedman, Protter, Zelnik-Manor, Asymmetric Loss For
        Multi-Label Classification, 2021.

    Example:
        >>> import torch
        >>> x = torch.tensor([2.0, -1.0, 0.5]); y = torch.tensor([1.0, 0.0, 1.0])
        >>> round(float(asymmetric_loss(x, y)), 4)
        0.2005
    """
    fn = "asymmetric_loss"
    check_reduction(fn, reduction)
    gamma_pos = check_number(fn, "gamma_pos", gamma_pos, low=0)
    gamma_neg = check_number(fn, "gamma_neg", gamma_neg, low=0)
    clip = check_number(fn, "clip", clip, low=0, high=1, high_open=True)
    x, y, weight = _binary_inputs(fn, logits, target, weight, validate, ignore_index=ignore_index)
    log_p, log_q = log_sigmoid_pair(x)
    pos = log_p if gamma_pos == 0 else focal_factor(log_q, gamma_pos) * log_p
    if clip > 0:
        # 1 − p_m = min(σ(−x) + m, 1) >= m: its log is finite; p_m^γ from a clamped log keeps the
        # gradient finite where p_m = 0 (there log(1 − p_m) = 0, so the term is exactly 0).
        log_qm = torch.log((torch.exp(log_q) + clip).clamp(max=1))
        if gamma_neg == 0:
            neg = log_qm
        else:
            p_m = (torch.exp(log_p) - clip).clamp_min(0)
            tiny = torch.finfo(x.dtype).tiny
            neg = torch.exp(gamma_neg * torch.log(p_m.clamp_min(tiny))) * log_qm
    else:
        neg = log_q if gamma_neg == 0 else focal_factor(log_p, gamma_neg) * log_q
    loss = -(y * pos + (1 - y) * neg)
    return reduce_loss(loss, reduction, weight=weight, fn=fn)


# ------------------------------------------------------------------------------------------------
# softmax family
# ------------------------------------------------------------------------------------------------
def softmax_cross_entropy(logits: torch.Tensor, target: torch.Tensor, *, class_weight: torch.Tensor | None = None,
                          weight: torch.Tensor | None = None, ignore_index: int = -100,
                          label_smoothing: float = 0.0, reduction: Reduction = "mean",
                          validate: bool = True) -> torch.Tensor:
    """Softmax cross-entropy on logits, with class-index or probability targets.

    Unreduced loss, ``log p = log_softmax(z)`` over classes, class weights ``c`` (1 if not given),
    smoothed target ``ỹ = (1 − ε)·y + ε/C`` (``y`` one-hot for index targets)::

        ℓ = −Σ_k c_k · ỹ_k · log p_k          (= −c_y log p_y for an index target without smoothing)

    Args:
        logits: raw scores ``(N, C, *)``.
        target: int class indices ``(N, *)``, or float probabilities ``(N, C, *)`` (rows sum to 1).
        class_weight: optional per-class weight ``(C,)``, finite and ``>= 0``.
        weight: optional per-element weight broadcastable to ``(N, *)``.
        ignore_index: index targets equal to it are left out (default −100); unused for probabilities.
        label_smoothing: ε in ``[0, 1]`` (default 0).
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check class indices are in range / probability rows (costs a pass over the target).

    Shape:
        logits ``(N, C, *)``; target ``(N, *)`` or ``(N, C, *)``; output ``(N, *)`` for ``"none"``.

    Convention:
        ``"mean"`` is ``Σ_i w_i ℓ_i / Σ_i w_i c_{y_i}`` over non-ignored elements (``w`` = ``weight``),
        i.e. the rule ``Σ w ℓ / Σ w`` with element weight ``w_i c_{y_i}``: identical to
        ``torch.nn.CrossEntropyLoss`` for index targets in every configuration, with class weights and
        label smoothing too (torch's numerator carries ``ε/C Σ_k c_k (−log p_k)``, its denominator only
        ``Σ c_{y_i}``; so does ours). For probability targets the element weight is ``Σ_k c_k y_k``
        (the unsmoothed target), so a one-hot target gives exactly the index result; torch instead
        divides by N when class weights are given (a documented difference; without class weights
        both divide by N). All-ignored or empty → 0 with the graph connected (torch: NaN).
        ``ignore_index`` does not apply to probability targets (torch neither). A class masked with a
        −∞ logit costs 0 where its target probability is 0 (``0 · log 0 = 0``; torch: NaN), as do the
        other softmax losses with probability targets.

    References:
        Bridle, Probabilistic Interpretation of Feedforward Classification Network Outputs, 1990;
        Szegedy et al., Rethinking the Inception Architecture for Computer Vision, 2016 (label smoothing).

    Example:
        >>> import torch
        >>> z = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]]); y = torch.tensor([0, 2])
        >>> round(float(softmax_cross_entropy(z, y)), 4)
        0.6216
    """
    fn = "softmax_cross_entropy"
    check_reduction(fn, reduction)
    ls = check_number(fn, "label_smoothing", label_smoothing, low=0, high=1)
    ignore_index = check_index(fn, "ignore_index", ignore_index, int64=True)
    x, t, soft = _class_inputs(fn, logits, target, weight, validate, ignore_index)
    cw = _class_vector(fn, "class_weight", class_weight, x)
    return _cross_entropy(fn, x, t, soft, cw, ls, weight, ignore_index, reduction)


def _cross_entropy(fn: str, x: torch.Tensor, t: torch.Tensor, soft: bool, cw: torch.Tensor | None, ls: float,
                   weight: torch.Tensor | None, ignore_index: int, reduction: str) -> torch.Tensor:
    """:func:`softmax_cross_entropy` on checked inputs (those of :func:`_class_inputs`)."""
    if soft:
        yt = t if ls == 0 else t * (1 - ls) + ls / x.shape[1]
        loss = -_target_log_prob_sum(yt if cw is None else yt * _class_view(cw, x), F.log_softmax(x, 1))
        elem = None if cw is None or reduction != "mean" else (t * _class_view(cw, x)).sum(1)
        return _class_weighted_reduce(fn, loss, reduction, weight, None, elem)
    if weight is None and cw is None and reduction != "none":
        # torch's own reduction: ours (see the Convention) with half the calls, except that its mean of nothing
        # is NaN: then (or for a NaN logit, which stays NaN) the general path below decides. Not with class
        # weights: there torch rounds the gradient differently, which would change documented training runs
        out = F.cross_entropy(x, t, ignore_index=ignore_index, reduction=reduction, label_smoothing=ls)
        if reduction == "sum" or not bool(out.isnan()):
            return out
    # index targets: torch's fused kernel gives the unreduced loss (ignored elements are 0).
    loss = F.cross_entropy(x, t, weight=cw, ignore_index=ignore_index, reduction="none", label_smoothing=ls)
    if reduction == "none" and weight is None:
        return loss
    mask = t != ignore_index
    elem = None
    if cw is not None and reduction == "mean":
        elem = cw[torch.where(mask, t, torch.zeros_like(t))]
    return _class_weighted_reduce(fn, loss, reduction, weight, mask, elem)


def softmax_focal_loss(logits: torch.Tensor, target: torch.Tensor, *, gamma: float = 2.0,
                       alpha: torch.Tensor | None = None, weight: torch.Tensor | None = None,
                       ignore_index: int = -100, reduction: Reduction = "mean", validate: bool = True) -> torch.Tensor:
    """Multi-class focal loss on logits: softmax cross-entropy down-weighted by ``(1 − p_y)^γ``.

    Unreduced loss, ``log p = log_softmax(z)``, per-class weight ``α`` (1 if not given)::

        ℓ = −α_y (1 − p_y)^γ log p_y                     (class-index target y)
        ℓ = −Σ_k α_k y_k (1 − p_k)^γ log p_k             (probability target y)

    ``(1 − p)^γ`` is ``exp(γ log(1 − p))`` with ``log(1 − p)`` from ``log p`` (finite, finite gradient),
    so fractional γ is safe at saturated logits. On CPU, class-index targets with at least 64 pixels per
    image (``losslab._native.MIN_PIXELS``) run native kernels, one pass over the logits each way; they take
    ``1 − p_t = Σ_{c≠t} p_c`` and ``log p_t = −log1p(Σ_{c≠t} e^{z_c − z_t})`` near ``p_t = 1``, accurate where
    ``log_softmax`` rounds ``log p_t`` (the torch path, used otherwise, agrees to that rounding).

    Args:
        logits: raw scores ``(N, C, *)``.
        target: int class indices ``(N, *)``, or float probabilities ``(N, C, *)``.
        gamma: focusing parameter γ ``>= 0`` (default 2; 0 gives cross-entropy).
        alpha: optional per-class weight ``(C,)``, finite and ``>= 0``. A scalar α is rejected: the
            binary "α for positives, 1 − α for negatives" has no multi-class meaning (MONAI reads it
            as ``1 − α`` for class 0 and α for the others; pass that tensor explicitly if you want it).
        weight: optional per-element weight broadcastable to ``(N, *)``.
        ignore_index: index targets equal to it are left out (default −100).
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check class indices / probability rows.

    Shape:
        logits ``(N, C, *)``; target ``(N, *)`` or ``(N, C, *)``; output ``(N, *)`` for ``"none"``.

    Convention:
        Weighted mean ``Σ w ℓ / Σ w`` over non-ignored elements; α is part of ℓ, not of the
        denominator (unlike ``class_weight`` of :func:`softmax_cross_entropy`, so with ``γ = 0`` and
        ``alpha = c`` the ``"none"``/``"sum"`` results equal cross-entropy with ``class_weight=c``,
        the ``"mean"`` ones do not). With ``γ = 0, alpha=None`` the result equals
        :func:`softmax_cross_entropy` exactly. All-ignored → 0 with the graph connected.

    References:
        Lin, Goyal, Girshick, He, Dollár, Focal Loss for Dense Object Detection, 2017.

    Example:
        >>> import torch
        >>> z = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]]); y = torch.tensor([0, 2])
        >>> round(float(softmax_focal_loss(z, y)), 4)
        0.2062
    """
    fn = "softmax_focal_loss"
    check_reduction(fn, reduction)
    gamma = check_number(fn, "gamma", gamma, low=0)
    ignore_index = check_index(fn, "ignore_index", ignore_index, int64=True)
    x, t, soft = _class_inputs(fn, logits, target, weight, validate, ignore_index, check_range=False)
    if alpha is not None and isinstance(alpha, (bool, int, float)):
        fail(fn, "`alpha` to be", f"a per-class tensor of shape ({x.shape[1]},) or None (a scalar alpha is the "
             "binary convention: use sigmoid_focal_loss, or pass the per-class tensor)", f"the scalar {alpha!r}",
             TypeError)
    a = _class_vector(fn, "alpha", alpha, x)
    if soft:
        logp = F.log_softmax(x, 1)
        factor = None if gamma == 0 else focal_factor(log_softmax_complement(logp), gamma)
        if a is not None:
            factor = _class_view(a, x) if factor is None else factor * _class_view(a, x)
        return reduce_loss(-_target_log_prob_sum(t, logp, factor), reduction, weight=weight, fn=fn)
    differentiable_alpha = a is not None and a.requires_grad and torch.is_grad_enabled()
    kernels = None if differentiable_alpha or (gamma == 0 and a is None) else _focal_kernels(x)
    if kernels is not None:
        loss, k, counted = _native_focal_forward(fn, kernels, x, t, gamma, a, ignore_index)
        mask = None if counted == t.numel() else t != ignore_index
        loss = _SoftmaxFocalIndex.apply(x, t, gamma, a, (loss, k, kernels, ignore_index))
        return reduce_loss(loss, reduction, weight=weight, mask=mask, fn=fn)
    in_range = _indices_in_range(t, x.shape[1])  # one pass, for the check and for the ignore shortcut below
    if validate and not in_range:
        check_class_indices(fn, "target", t, x.shape[1], ignore_index)
    if gamma == 0 and a is None:  # cross-entropy, to the last bit
        return _cross_entropy(fn, x, t, False, None, 0.0, weight, ignore_index, reduction)
    if not 0 <= ignore_index < x.shape[1] and in_range:
        safe, mask = t, None  # nothing ignored: index with t itself and reduce without a mask (same values)
    else:
        mask = t != ignore_index
        safe = torch.where(mask, t, torch.zeros_like(t))
    if differentiable_alpha:  # keep α differentiable
        loss = _SoftmaxFocalIndex.apply(x, safe, gamma, None) * a[safe]
    else:
        loss = _SoftmaxFocalIndex.apply(x, safe, gamma, a)
    return reduce_loss(loss, reduction, weight=weight, mask=mask, fn=fn)


class _SoftmaxFocalIndex(torch.autograd.Function):
    """Unreduced softmax focal loss for class-index targets with an analytic backward.

    ``L = log p_t``, ``q = 1 − p_t`` (clamped at the dtype's smallest normal ``tiny``, as
    ``log_softmax_complement``), ``f = q^γ = exp(γ log q)`` (as ``focal_factor``): ``ℓ = −α_t f L``, and
    ``∂ℓ/∂z_c = k·(p_c − δ_ct)`` with ``k = −∂ℓ/∂L = α_t f (1 − γ p_t L / q) >= 0``. Where the clamp is
    active (``p_t`` within ``tiny`` of 1) ``−L/q`` is in ``[0, 1]``, so ``k`` stays finite and the gradient
    entries ``k·(p_c − δ_ct)`` are below ``tiny`` in magnitude, as autograd's through the clamp.
    Forward saves ``k`` (one value per element); backward recomputes ``softmax(z)`` into the gradient buffer
    and scales it in place, so nothing logits-sized is kept between the passes.

    Torch path (``native=None``): ``t`` holds valid class indices (ignored positions arrive with a zero
    upstream gradient from the masked reduction). Native path: ``native = (loss, k, kernels, ignore_index)``
    from :func:`_native_focal_forward` on the raw targets ``t``; the backward kernel recomputes the softmax
    from the logits (``k`` is 0 at ignored pixels). Double backward (``create_graph=True``) recomputes the
    same gradient from differentiable ops on either path.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, t: torch.Tensor, gamma: float, a: torch.Tensor | None,
                native: tuple | None = None) -> torch.Tensor:
        ctx.gamma, ctx.a, ctx.native = gamma, a, None if native is None else native[2:]
        if native is not None:
            loss, k = native[:2]
            ctx.save_for_backward(x, t, k)
            return loss
        idx = t.unsqueeze(1)
        lp = F.log_softmax(x, 1).gather(1, idx).squeeze(1)
        k = None
        if gamma != 0:
            # log_softmax_complement and focal_factor, computed in place (each buffer is reused)
            q = torch.expm1(lp).neg_().clamp_min_(torch.finfo(lp.dtype).tiny)
            f = torch.log(q).mul_(gamma).exp_()
            k = q.reciprocal_().sub_(1).mul_(lp).mul_(-gamma).add_(1).mul_(f)  # p/q = 1/q − 1
            lp.mul_(f)
            del q, f
        loss = lp.neg_()  # lp's buffer now holds −f·L, the same values as −(f·L)
        if a is not None:
            at = a[t]
            loss.mul_(at)
            k = at if k is None else k.mul_(at)
        ctx.save_for_backward(x, t, k)
        return loss

    @staticmethod
    def backward(ctx, g: torch.Tensor):
        x, t, k = ctx.saved_tensors
        none = (None,) * 4
        if torch.is_grad_enabled():  # create_graph=True: the same gradient from differentiable ops
            if ctx.native is not None:  # raw targets: ignored pixels get no gradient (k is 0 there)
                valid = t != ctx.native[1]
                t, g = torch.where(valid, t, torch.zeros_like(t)), torch.where(valid, g, torch.zeros_like(g))
            idx = t.unsqueeze(1)
            p = torch.softmax(x, 1)
            at = None if ctx.a is None else ctx.a[t]
            kd = _focal_index_k(F.log_softmax(x, 1).gather(1, idx).squeeze(1), ctx.gamma, at)
            return (p - torch.zeros_like(p).scatter_(1, idx, 1.0)) * (kd * g).unsqueeze(1), *none
        if ctx.native is not None:
            kernels, ignore = ctx.native
            n, c = x.shape[:2]
            grad = torch.empty_like(x)
            # a gradient constant over the pixels (the mean's or the sum's, an expanded scalar) goes in as a
            # number: no (N, *) copy
            constant = g.numel() > 0 and all(step == 0 for step in g.stride())
            gc = None if constant else g.contiguous()
            g0 = float(g.reshape(-1)[0]) if constant else 0.0
            _native.check_allocated(kernels[1](x.data_ptr(), t.data_ptr(), ignore, n, c, x[0, 0].numel(),
                                               k.data_ptr(), _native.address(gc), g0, grad.data_ptr(),
                                               _native.threads(x.numel())))
            return grad, *none
        idx = t.unsqueeze(1)
        grad = torch.softmax(x, 1)
        grad.scatter_add_(1, idx, grad.new_full((), -1.0).expand(idx.shape))  # p_c − δ_ct
        if k is not None:
            grad.mul_(k.unsqueeze(1))
        grad.mul_(g.unsqueeze(1))
        return grad, *none


def _focal_kernels(x: torch.Tensor):
    """The native focal kernels when they apply (CPU, contiguous float32/float64 logits with at least
    ``_native.MIN_PIXELS`` pixels per image), else ``None``."""
    return _native.kernels("softmax_focal", x.dtype) if _native.worthwhile(x) else None


def _native_focal_forward(fn: str, kernels, x: torch.Tensor, t: torch.Tensor, gamma: float,
                          a: torch.Tensor | None, ignore_index: int) -> tuple[torch.Tensor, torch.Tensor, int]:
    """``(loss, k, counted)`` of :class:`_SoftmaxFocalIndex` from one native pass over the raw targets ``t``
    (0 at pixels equal to ``ignore_index``, an int64), after checking the range of the counted class
    indices, which the kernel reports (always: it never indexes with a target value)."""
    n, c = x.shape[:2]
    tc, ac = t.contiguous(), None if a is None else a.detach().contiguous()
    loss, k = x.new_empty((n, *x.shape[2:])), x.new_empty((n, *x.shape[2:]))
    span, counted = (ctypes.c_int64 * 2)(), ctypes.c_int64()
    _native.check_allocated(kernels[0](x.data_ptr(), tc.data_ptr(), ignore_index, n, c, loss[0].numel(),
                                       float(gamma), _native.address(ac), loss.data_ptr(), k.data_ptr(),
                                       ctypes.addressof(span), ctypes.addressof(counted),
                                       _native.threads(x.numel())))
    if counted.value:
        check_class_range(fn, "target", span[0], span[1], c, ignore_index)
    return loss, k, counted.value


def _focal_index_k(lp: torch.Tensor, gamma: float, at: torch.Tensor | None) -> torch.Tensor:
    """``k = α_t q^γ (1 − γ p_t L / q)`` of :class:`_SoftmaxFocalIndex` from differentiable ops (double backward)."""
    k = None
    if gamma != 0:
        q_raw = -torch.expm1(lp)
        tiny = torch.finfo(lp.dtype).tiny
        q = q_raw.clamp_min(tiny)
        k = focal_factor(torch.log(q), gamma) * (1 - gamma * (1 - q) * lp / q)
    if at is not None:
        k = at if k is None else k * at
    return k if k is not None else torch.ones_like(lp)


def poly1_cross_entropy(logits: torch.Tensor, target: torch.Tensor, *, epsilon: float = 1.0,
                        class_weight: torch.Tensor | None = None, weight: torch.Tensor | None = None,
                        ignore_index: int = -100, label_smoothing: float = 0.0, reduction: Reduction = "mean",
                        validate: bool = True) -> torch.Tensor:
    """Poly-1 loss: softmax cross-entropy plus ε times the first polynomial term ``(1 − p_t)``.

    Unreduced loss, with ``CE`` exactly :func:`softmax_cross_entropy`'s unreduced loss (class weights
    and label smoothing included), ``ỹ`` the smoothed target and ``c_i`` the element's class weight
    (``c_y`` for an index target, ``Σ_k c_k y_k`` for a probability target, 1 without class weights)::

        ℓ = CE + ε · c_i · (1 − p_t),     p_t = Σ_k ỹ_k p_k

    Args:
        logits: raw scores ``(N, C, *)``.
        target: int class indices ``(N, *)``, or float probabilities ``(N, C, *)``.
        epsilon: coefficient ε ``>= −1`` of the polynomial term (default 1; 0 gives cross-entropy).
        class_weight: optional per-class weight ``(C,)``.
        weight: optional per-element weight broadcastable to ``(N, *)``.
        ignore_index: index targets equal to it are left out (default −100).
        label_smoothing: ε_ls in ``[0, 1]`` (default 0); ``p_t`` then uses the smoothed target, as the
            paper's code does (``p_t = (1 − ε_ls) p_y + ε_ls / C`` for index targets).
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check class indices / probability rows.

    Shape:
        logits ``(N, C, *)``; target ``(N, *)`` or ``(N, C, *)``; output ``(N, *)`` for ``"none"``.

    Convention:
        Same reduction as :func:`softmax_cross_entropy`: ``Σ w ℓ / Σ w c_i`` over non-ignored
        elements; all-ignored → 0 with the graph connected. The paper has no class weights; ours
        scale the polynomial term by the element's class weight so that ``ℓ/c_i`` is Poly-1.

    References:
        Leng, Xu, Wang, Liu, Dong, Li, Tan, Anguelov, PolyLoss: A Polynomial Expansion Perspective of
        Classification Loss Functions, 2022.

    Example:
        >>> import torch
        >>> z = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]]); y = torch.tensor([0, 2])
        >>> round(float(poly1_cross_entropy(z, y)), 4)
        1.0452
    """
    fn = "poly1_cross_entropy"
    check_reduction(fn, reduction)
    epsilon = check_number(fn, "epsilon", epsilon, low=-1)
    ls = check_number(fn, "label_smoothing", label_smoothing, low=0, high=1)
    ignore_index = check_index(fn, "ignore_index", ignore_index, int64=True)
    x, t, soft = _class_inputs(fn, logits, target, weight, validate, ignore_index)
    cw = _class_vector(fn, "class_weight", class_weight, x)
    num_classes = x.shape[1]
    logp = F.log_softmax(x, 1)
    if soft:
        yt = t if ls == 0 else t * (1 - ls) + ls / num_classes
        ywt = yt if cw is None else yt * _class_view(cw, x)
        ce = -_target_log_prob_sum(ywt, logp)
        pt = (yt * logp.exp()).sum(1)
        elem = None if cw is None else (t * _class_view(cw, x)).sum(1)
        loss = ce + epsilon * (1 - pt) * (1 if elem is None else elem)
        return _class_weighted_reduce(fn, loss, reduction, weight, None, elem)
    lp, mask, safe = _gather_target(logp, t, ignore_index)
    elem = None if cw is None else cw[safe]
    ce = -lp if elem is None else -lp * elem
    pt = lp.exp()
    if ls:
        smooth = -(logp.sum(1) if cw is None else (logp * _class_view(cw, x)).sum(1))
        ce = (1 - ls) * ce + (ls / num_classes) * smooth
        pt = (1 - ls) * pt + ls / num_classes
    loss = ce + epsilon * (1 - pt) * (1 if elem is None else elem)
    return _class_weighted_reduce(fn, loss, reduction, weight, mask, elem)


def softmax_kl_div(logits: torch.Tensor, target: torch.Tensor, *, log_target: bool = False,
                   weight: torch.Tensor | None = None, reduction: Reduction = "mean",
                   validate: bool = True) -> torch.Tensor:
    """KL divergence ``KL(target ‖ softmax(logits))`` per sample (distillation, soft labels).

    Unreduced loss per sample (and position), with ``0 · log 0 = 0``::

        ℓ = Σ_k t_k (log t_k − log_softmax(z)_k)

    Args:
        logits: raw scores ``(N, C, *)``.
        target: probabilities ``(N, C, *)`` (rows sum to 1), or log-probabilities with
            ``log_target=True``; int class indices ``(N, *)`` are read as one-hot rows (then ℓ is the
            cross-entropy ``−log p_y``; ``log_target`` does not apply to them).
        log_target: the target is given as log-probabilities (default False).
        weight: optional per-sample weight broadcastable to ``(N, *)``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check probability rows / class indices.

    Shape:
        logits ``(N, C, *)``; target ``(N, C, *)`` or ``(N, *)``; output ``(N, *)`` for ``"none"``.

    Convention:
        ``"mean"`` is the weighted mean over samples (and positions): for 2-D input it equals
        ``F.kl_div(log_softmax(z), t, reduction="batchmean")``. Beware torch's ``reduction="mean"``:
        it divides by ``N·C`` (every class entry), which is not the KL divergence — a known trap. For
        ``(N, C, *)`` inputs torch's ``"batchmean"`` divides the total by N only; ours by the number of
        positions ``N·Π*``. Empty batch → 0 with the graph connected.

    References:
        Kullback & Leibler, On Information and Sufficiency, 1951;
        Hinton, Vinyals, Dean, Distilling the Knowledge in a Neural Network, 2015.

    Example:
        >>> import torch
        >>> z = torch.tensor([[2.0, 0.5, -1.0]]); t = torch.tensor([[0.7, 0.2, 0.1]])
        >>> round(float(softmax_kl_div(z, t)), 4)
        0.0395
    """
    fn = "softmax_kl_div"
    check_reduction(fn, reduction)
    check_bool(fn, "log_target", log_target)
    x, t, soft = _class_inputs(fn, logits, target, weight, validate, None, log_target=log_target)
    if not soft:
        loss = F.cross_entropy(x, t, reduction="none")
    else:
        logp = F.log_softmax(x, 1)
        if log_target:  # probability 0 (t = −inf, or exp(t) underflowing) has term 0, not 0 · ∞ = NaN
            pt = t.exp()
            loss = torch.where(pt == 0, 0.0, pt * (t - logp)).sum(1)
        else:
            loss = torch.xlogy(t, t).sum(1) - _target_log_prob_sum(t, logp)
    return reduce_loss(loss, reduction, weight=weight, fn=fn)
