"""Regression losses: ``(prediction, target)`` in, elementwise loss reduced by the losslab rule.

Every function here has the signature
``fn(input, target, *, weight=None, reduction="mean", validate=True, <hyper-parameters>)`` and shares one
convention:

* ``input`` and ``target`` are floating tensors of the same shape (``poisson_nll_loss`` also accepts
  integer counts as ``target``); float16/bfloat16 are computed in float32 and the result is float32;
  float64 anywhere makes the computation float64.
* ``weight`` is a non-negative per-element weight broadcastable to the unreduced loss.
* ``reduction="mean"`` is ``Σ wℓ / Σ w`` (the plain mean without ``weight``), ``"sum"`` is ``Σ wℓ``,
  ``"none"`` is ``wℓ``. An empty batch (or all weights 0) reduces to 0 with the graph connected;
  ``torch.nn`` returns NaN for the mean of an empty batch. Without ``weight`` every function equals its
  ``torch.nn.functional`` counterpart for every reduction (``torch.nn`` has no per-element weight).
* ``validate=True`` checks that ``target`` (and ``weight``) hold no NaN, weights are finite and ``>= 0``
  and Poisson targets are ``>= 0``; those checks cost a pass over the data and are skipped with ``validate=False``.
  Shapes, dtypes, ``reduction`` and hyper-parameters are always checked.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F

from .._numerics import compute_dtype
from .._reduction import reduce_loss
from .._validation import (
    check_bool,
    check_floating,
    check_no_nan,
    check_number,
    check_reduction,
    check_same_shape,
    check_tensor,
    check_weight,
    fail,
)

Reduction = Literal["mean", "sum", "none"]

__all__ = [
    "mse_loss",
    "mae_loss",
    "huber_loss",
    "smooth_l1_loss",
    "log_cosh_loss",
    "pinball_loss",
    "poisson_nll_loss",
]

#: Above this log-rate ``exp(s)`` in the Poisson loss is continued linearly (value and slope matched),
#: so loss and gradient stay finite at any finite log-rate (``exp(70) ≈ 2.5e30``: no real count is near).
POISSON_MAX_LOG_RATE = 70.0

_LOG2 = 0.6931471805599453
_HALF_LOG_2PI = 0.9189385332046727  # ½ log(2π)


def _prepare(fn: str, input: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None,
             reduction: str, validate: bool, *, counts: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Check the common arguments; return ``(input, target)`` in the compute dtype."""
    check_floating(fn, "input", input)
    if counts:
        check_tensor(fn, "target", target)
        if target.is_complex() or target.dtype == torch.bool:
            fail(fn, "`target` dtype to be", "floating point or integer counts", target.dtype, TypeError)
    else:
        check_floating(fn, "target", target)
    check_same_shape(fn, input, target)
    check_weight(fn, weight, input.shape, validate)
    check_reduction(fn, reduction)
    if validate:
        check_no_nan(fn, "target", target)
    dtype = compute_dtype(input, target if target.is_floating_point() else None)
    return input.to(dtype), target.to(dtype)


def _torch_reduced(torch_fn, x: torch.Tensor, y: torch.Tensor, weight: torch.Tensor | None, reduction: str,
                   fn: str, **kw) -> torch.Tensor:
    """A torch.nn loss under the losslab rule; without ``weight`` torch's own fused reduction (same value)."""
    if weight is None and (reduction != "mean" or x.numel() > 0):
        return torch_fn(x, y, reduction=reduction, **kw)
    return reduce_loss(torch_fn(x, y, reduction="none", **kw), reduction, weight=weight, fn=fn)


def mse_loss(input: torch.Tensor, target: torch.Tensor, *, weight: torch.Tensor | None = None,
             reduction: Reduction = "mean", validate: bool = True) -> torch.Tensor:
    """Mean squared error.

    Unreduced loss: ``ℓ_i = (input_i − target_i)²``.

    Args:
        input: predictions, shape ``(N, *)``, floating.
        target: targets, same shape as ``input``, floating.
        weight: optional non-negative per-element weight broadcastable to ``(N, *)``. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check ``target``/``weight`` for NaN and ``weight`` for inf and negatives (costs a pass).
            Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, *)``; output: scalar, or ``(N, *)`` with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` (plain mean without ``weight``); ``"sum"`` is ``Σ wℓ``. An empty batch
        gives 0 with the graph connected (``torch.nn.functional.mse_loss`` gives NaN). Without ``weight``
        equal to ``torch.nn.functional.mse_loss`` for every reduction. Half precision is computed in float32.

    References:
        Gauss, Theoria motus corporum coelestium, 1809.

    Example:
        >>> import torch
        >>> from losslab.functional import mse_loss
        >>> round(float(mse_loss(torch.tensor([0.0, 1.0, 3.0]), torch.tensor([0.5, 1.0, 1.0]))), 4)
        1.4167
    """
    fn = "mse_loss"
    x, y = _prepare(fn, input, target, weight, reduction, validate)
    return _torch_reduced(F.mse_loss, x, y, weight, reduction, fn)


def mae_loss(input: torch.Tensor, target: torch.Tensor, *, weight: torch.Tensor | None = None,
             reduction: Reduction = "mean", validate: bool = True) -> torch.Tensor:
    """Mean absolute error (L1 loss).

    Unreduced loss: ``ℓ_i = |input_i − target_i|``; the gradient at a zero residual is 0 (``sign(0)``).

    Args:
        input: predictions, shape ``(N, *)``, floating.
        target: targets, same shape as ``input``, floating.
        weight: optional non-negative per-element weight broadcastable to ``(N, *)``. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check ``target``/``weight`` for NaN and ``weight`` for inf and negatives (costs a pass).
            Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, *)``; output: scalar, or ``(N, *)`` with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` (plain mean without ``weight``); ``"sum"`` is ``Σ wℓ``. An empty batch
        gives 0 with the graph connected (``torch.nn.functional.l1_loss`` gives NaN). Without ``weight``
        equal to ``torch.nn.functional.l1_loss`` for every reduction. Half precision is computed in float32.

    References:
        Laplace, Mémoire sur la probabilité des causes par les événements, 1774 (least absolute deviations).

    Example:
        >>> import torch
        >>> from losslab.functional import mae_loss
        >>> round(float(mae_loss(torch.tensor([0.0, 1.0, 3.0]), torch.tensor([0.5, 1.0, 1.0]))), 4)
        0.8333
    """
    fn = "mae_loss"
    x, y = _prepare(fn, input, target, weight, reduction, validate)
    return _torch_reduced(F.l1_loss, x, y, weight, reduction, fn)


def huber_loss(input: torch.Tensor, target: torch.Tensor, *, weight: torch.Tensor | None = None,
               reduction: Reduction = "mean", validate: bool = True, delta: float = 1.0) -> torch.Tensor:
    """Huber loss: quadratic within ``delta`` of the target, linear outside.

    Unreduced loss, with ``r = input − target``::

        ℓ = ½ r²               if |r| < delta
        ℓ = delta (|r| − ½ delta)  otherwise

    Args:
        input: predictions, shape ``(N, *)``, floating.
        target: targets, same shape as ``input``, floating.
        weight: optional non-negative per-element weight broadcastable to ``(N, *)``. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check ``target``/``weight`` for NaN and ``weight`` for inf and negatives (costs a pass).
            Default ``True``.
        delta: the residual at which the loss turns linear, finite and ``> 0``. Default ``1.0``.

    Shape:
        ``input``, ``target``: ``(N, *)``; output: scalar, or ``(N, *)`` with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` (plain mean without ``weight``); ``"sum"`` is ``Σ wℓ``. An empty batch
        gives 0 with the graph connected (``torch.nn`` gives NaN). Without ``weight`` equal to
        ``torch.nn.functional.huber_loss`` for every reduction; ``huber_loss(delta=b) ==
        b · smooth_l1_loss(beta=b)``. Half precision is computed in float32.

    References:
        Huber, Robust Estimation of a Location Parameter, 1964.

    Example:
        >>> import torch
        >>> from losslab.functional import huber_loss
        >>> round(float(huber_loss(torch.tensor([0.0, 1.0, 3.0]), torch.tensor([0.5, 1.0, 1.0]))), 4)
        0.5417
    """
    fn = "huber_loss"
    delta = check_number(fn, "delta", delta, low=0, low_open=True)
    x, y = _prepare(fn, input, target, weight, reduction, validate)
    return _torch_reduced(F.huber_loss, x, y, weight, reduction, fn, delta=delta)


def smooth_l1_loss(input: torch.Tensor, target: torch.Tensor, *, weight: torch.Tensor | None = None,
                   reduction: Reduction = "mean", validate: bool = True, beta: float = 1.0) -> torch.Tensor:
    """Smooth L1 loss: Huber divided by ``beta``; its linear part has slope 1 whatever ``beta``.

    Unreduced loss, with ``r = input − target``::

        ℓ = ½ r² / beta     if |r| < beta
        ℓ = |r| − ½ beta    otherwise          (beta = 0 gives |r|, the MAE)

    Args:
        input: predictions, shape ``(N, *)``, floating.
        target: targets, same shape as ``input``, floating.
        weight: optional non-negative per-element weight broadcastable to ``(N, *)``. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check ``target``/``weight`` for NaN and ``weight`` for inf and negatives (costs a pass).
            Default ``True``.
        beta: the residual at which the loss turns linear, finite and ``>= 0``. Default ``1.0``.

    Shape:
        ``input``, ``target``: ``(N, *)``; output: scalar, or ``(N, *)`` with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` (plain mean without ``weight``); ``"sum"`` is ``Σ wℓ``. An empty batch
        gives 0 with the graph connected (``torch.nn`` gives NaN). Without ``weight`` equal to
        ``torch.nn.functional.smooth_l1_loss`` for every reduction. Half precision is computed in float32.

    References:
        Girshick, Fast R-CNN, 2015.

    Example:
        >>> import torch
        >>> from losslab.functional import smooth_l1_loss
        >>> x, y = torch.tensor([0.0, 1.0, 3.0]), torch.tensor([0.5, 1.0, 1.0])
        >>> round(float(smooth_l1_loss(x, y, beta=2.0)), 4)
        0.3542
    """
    fn = "smooth_l1_loss"
    beta = check_number(fn, "beta", beta, low=0)
    x, y = _prepare(fn, input, target, weight, reduction, validate)
    return _torch_reduced(F.smooth_l1_loss, x, y, weight, reduction, fn, beta=beta)


def log_cosh_loss(input: torch.Tensor, target: torch.Tensor, *, weight: torch.Tensor | None = None,
                  reduction: Reduction = "mean", validate: bool = True) -> torch.Tensor:
    """Log-cosh loss: ≈ r²/2 near 0, ≈ |r| − log 2 far away, smooth (C∞) everywhere.

    Unreduced loss, with ``r = input − target``: ``ℓ = log(cosh(r))``; gradient ``tanh(r)``, second
    derivative ``1 − tanh²(r)``.

    Computed without forming ``cosh`` (which overflows for ``|r| > 89`` in float32): for ``|r| < 1`` as
    ``log1p(2 sinh²(r/2))`` (accurate to relative precision near 0, where the large-``r`` form cancels),
    otherwise as ``|r| + softplus(−2|r|) − log 2``. Value and gradient are finite at ``|r| = 1e4``.

    Args:
        input: predictions, shape ``(N, *)``, floating.
        target: targets, same shape as ``input``, floating.
        weight: optional non-negative per-element weight broadcastable to ``(N, *)``. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check ``target``/``weight`` for NaN and ``weight`` for inf and negatives (costs a pass).
            Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, *)``; output: scalar, or ``(N, *)`` with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` (plain mean without ``weight``); ``"sum"`` is ``Σ wℓ``. An empty batch
        gives 0 with the graph connected. ``torch.nn`` has no log-cosh loss. Half precision is computed
        in float32.

    References:
        Chen et al., Log Hyperbolic Cosine Loss Improves Variational Auto-Encoder, 2019.

    Example:
        >>> import torch
        >>> from losslab.functional import log_cosh_loss
        >>> round(float(log_cosh_loss(torch.tensor([0.0, 1.0, 3.0]), torch.tensor([0.5, 1.0, 1.0]))), 4)
        0.4817
    """
    fn = "log_cosh_loss"
    x, y = _prepare(fn, input, target, weight, reduction, validate)
    r = x - y
    a = r.abs()
    small = a < 1.0
    h = r.clamp(-1.0, 1.0) * 0.5  # the small-|r| branch only ever sees |r| <= 1: finite in both directions
    near = torch.log1p(2.0 * torch.sinh(h).square())
    far = a + F.softplus(-2.0 * a) - _LOG2
    return reduce_loss(torch.where(small, near, far), reduction, weight=weight, fn=fn)


def pinball_loss(input: torch.Tensor, target: torch.Tensor, *, weight: torch.Tensor | None = None,
                 reduction: Reduction = "mean", validate: bool = True, quantile: float = 0.5) -> torch.Tensor:
    """Pinball (quantile) loss: its minimiser is the ``quantile``-quantile of the target.

    Unreduced loss, with ``r = target − input``: ``ℓ = max(q·r, (q − 1)·r)``, i.e. ``q·r`` when the
    prediction is below the target and ``(1 − q)·|r|`` when above, computed exactly as
    ``q·relu(r) + (1 − q)·relu(−r)``. At ``r = 0`` the gradient is 0 (in the subdifferential
    ``[−q, 1 − q]``; as ``torch.nn.L1Loss``), so ``q = ½`` gives exactly half the MAE, gradient included.

    Args:
        input: predictions, shape ``(N, *)``, floating.
        target: targets, same shape as ``input``, floating.
        weight: optional non-negative per-element weight broadcastable to ``(N, *)``. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check ``target``/``weight`` for NaN and ``weight`` for inf and negatives (costs a pass).
            Default ``True``.
        quantile: the quantile ``q``, in the open interval ``(0, 1)``. Default ``0.5``.

    Shape:
        ``input``, ``target``: ``(N, *)``; output: scalar, or ``(N, *)`` with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` (plain mean without ``weight``); ``"sum"`` is ``Σ wℓ``. An empty batch
        gives 0 with the graph connected. ``torch.nn`` has no pinball loss; ``pinball_loss(quantile=0.5)
        == mae_loss / 2``. Half precision is computed in float32.

    References:
        Koenker & Bassett, Regression Quantiles, 1978.

    Example:
        >>> import torch
        >>> from losslab.functional import pinball_loss
        >>> x, y = torch.tensor([0.0, 1.0, 3.0]), torch.tensor([0.5, 1.0, 1.0])
        >>> round(float(pinball_loss(x, y, quantile=0.9)), 4)
        0.2167
    """
    fn = "pinball_loss"
    q = check_number(fn, "quantile", quantile, low=0, high=1, low_open=True, high_open=True)
    x, y = _prepare(fn, input, target, weight, reduction, validate)
    r = y - x
    # relu keeps the value exact (one term is 0) and its backward stays differentiable (create_graph).
    return reduce_loss(q * torch.relu(r) + (1.0 - q) * torch.relu(-r), reduction, weight=weight, fn=fn)


def poisson_nll_loss(input: torch.Tensor, target: torch.Tensor, *, weight: torch.Tensor | None = None,
                     reduction: Reduction = "mean", validate: bool = True, full: bool = False) -> torch.Tensor:
    """Poisson negative log-likelihood of a log-rate ``s`` (``input``) for counts ``y`` (``target``).

    Unreduced loss: ``ℓ = exp(s) − y·s`` (+ ``y log y − y + ½ log(2πy)`` for ``y > 1`` when ``full``,
    Stirling's approximation of ``log y!`` exactly as ``torch.nn.PoissonNLLLoss(log_input=True, full=True)``).

    Beyond ``s = POISSON_MAX_LOG_RATE`` (70) ``exp(s)`` is continued linearly,
    ``exp(70)·(1 + s − 70)``, with the slope matched, so loss and gradient are finite for any finite
    log-rate (at ``s = 1e4`` the true loss overflows every float type). Below 70 the loss is exact.

    Args:
        input: log-rates ``s``, shape ``(N, *)``, floating.
        target: counts ``y >= 0`` (floating or integer), same shape as ``input``.
        weight: optional non-negative per-element weight broadcastable to ``(N, *)``. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check ``target >= 0`` and ``target``/``weight`` for NaN (costs a pass). Default ``True``.
        full: add the Stirling term (constant in ``s``: changes the value, not the gradient). Default ``False``.

    Shape:
        ``input``, ``target``: ``(N, *)``; output: scalar, or ``(N, *)`` with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` (plain mean without ``weight``); ``"sum"`` is ``Σ wℓ``. An empty batch
        gives 0 with the graph connected (``torch.nn`` gives NaN). Without ``weight`` and for ``s <= 70``
        equal to ``torch.nn.functional.poisson_nll_loss(log_input=True, full=full)`` for every reduction
        (log-rate input only: there is no ``log_input=False``/``eps``). Half precision is computed in float32.

    References:
        McCullagh & Nelder, Generalized Linear Models, 1989.

    Example:
        >>> import torch
        >>> from losslab.functional import poisson_nll_loss
        >>> s, y = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 3.0, 0.0])
        >>> round(float(poisson_nll_loss(s, y)), 4)
        2.7024
    """
    fn = "poisson_nll_loss"
    check_bool(fn, "full", full)
    x, y = _prepare(fn, input, target, weight, reduction, validate, counts=True)
    if validate and y.numel() and bool((y < 0).any()):
        fail(fn, "`target` values", ">= 0 (counts)", f"minimum {float(y.min()):g}")
    xc = x.clamp_max(POISSON_MAX_LOG_RATE)
    loss = torch.exp(xc) * (1.0 + (x - xc)) - y * x
    if full:
        big = y > 1
        yb = torch.where(big, y, torch.full_like(y, 2.0))  # a safe value where the term is unused
        stirling = yb * torch.log(yb) - yb + 0.5 * torch.log(yb) + _HALF_LOG_2PI
        loss = loss + torch.where(big, stirling, torch.zeros_like(stirling))
    return reduce_loss(loss, reduction, weight=weight, fn=fn)
