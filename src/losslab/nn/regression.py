"""``nn.Module`` shells over ``losslab.functional.regression``.

Each module validates its hyper-parameters against the registry in ``__init__`` and calls its functional
in ``forward(input, target, *, weight=None)``; see the functional's docstring for the full formula.
"""

from __future__ import annotations

from typing import Literal

from ..functional import regression as F
from ._base import LossModule

Reduction = Literal["mean", "sum", "none"]

__all__ = ["MSELoss", "MAELoss", "HuberLoss", "SmoothL1Loss", "LogCoshLoss", "PinballLoss", "PoissonNLLLoss"]


class MSELoss(LossModule):
    """Mean squared error, ``ℓ = (input − target)²`` (see ``losslab.functional.mse_loss``).

    Args:
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check ``target``/``weight`` for NaN and negative weights. Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, *)``; optional ``weight`` broadcastable to ``(N, *)``; output: scalar,
        or ``(N, *)`` with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w``; an empty batch gives 0 (``torch.nn.MSELoss`` gives NaN); otherwise
        equal to ``torch.nn.MSELoss``. Half precision is computed in float32.

    References:
        Gauss, Theoria motus corporum coelestium, 1809.

    Example:
        >>> import torch
        >>> from losslab.nn import MSELoss
        >>> round(float(MSELoss()(torch.tensor([0.0, 1.0, 3.0]), torch.tensor([0.5, 1.0, 1.0]))), 4)
        1.4167
    """

    key = "mse"
    function = staticmethod(F.mse_loss)

    def __init__(self, *, reduction: Reduction = "mean", validate: bool = True) -> None:
        super().__init__(reduction=reduction, validate=validate)


class MAELoss(LossModule):
    """Mean absolute error, ``ℓ = |input − target|`` (see ``losslab.functional.mae_loss``).

    Args:
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check ``target``/``weight`` for NaN and negative weights. Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, *)``; optional ``weight`` broadcastable to ``(N, *)``; output: scalar,
        or ``(N, *)`` with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w``; an empty batch gives 0 (``torch.nn.L1Loss`` gives NaN); otherwise
        equal to ``torch.nn.L1Loss``. Half precision is computed in float32.

    References:
        Laplace, Mémoire sur la probabilité des causes par les événements, 1774 (least absolute deviations).

    Example:
        >>> import torch
        >>> from losslab.nn import MAELoss
        >>> round(float(MAELoss()(torch.tensor([0.0, 1.0, 3.0]), torch.tensor([0.5, 1.0, 1.0]))), 4)
        0.8333
    """

    key = "mae"
    function = staticmethod(F.mae_loss)

    def __init__(self, *, reduction: Reduction = "mean", validate: bool = True) -> None:
        super().__init__(reduction=reduction, validate=validate)


class HuberLoss(LossModule):
    """Huber loss: ``½ r²`` for ``|r| < delta``, ``delta (|r| − ½ delta)`` outside (``r = input − target``).

    Args:
        delta: the residual at which the loss turns linear, finite and ``> 0``. Default ``1.0``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check ``target``/``weight`` for NaN and negative weights. Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, *)``; optional ``weight`` broadcastable to ``(N, *)``; output: scalar,
        or ``(N, *)`` with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w``; an empty batch gives 0 (``torch.nn.HuberLoss`` gives NaN); otherwise
        equal to ``torch.nn.HuberLoss``. Half precision is computed in float32.

    References:
        Huber, Robust Estimation of a Location Parameter, 1964.

    Example:
        >>> import torch
        >>> from losslab.nn import HuberLoss
        >>> loss = HuberLoss(delta=1.0)
        >>> round(float(loss(torch.tensor([0.0, 1.0, 3.0]), torch.tensor([0.5, 1.0, 1.0]))), 4)
        0.5417
    """

    key = "huber"
    function = staticmethod(F.huber_loss)

    def __init__(self, *, delta: float = 1.0, reduction: Reduction = "mean", validate: bool = True) -> None:
        super().__init__(delta=delta, reduction=reduction, validate=validate)


class SmoothL1Loss(LossModule):
    """Smooth L1: ``½ r²/beta`` for ``|r| < beta``, ``|r| − ½ beta`` outside; ``beta = 0`` is the MAE.

    Args:
        beta: the residual at which the loss turns linear, finite and ``>= 0``. Default ``1.0``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check ``target``/``weight`` for NaN and negative weights. Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, *)``; optional ``weight`` broadcastable to ``(N, *)``; output: scalar,
        or ``(N, *)`` with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w``; an empty batch gives 0 (``torch.nn.SmoothL1Loss`` gives NaN);
        otherwise equal to ``torch.nn.SmoothL1Loss``. Half precision is computed in float32.

    References:
        Girshick, Fast R-CNN, 2015.

    Example:
        >>> import torch
        >>> from losslab.nn import SmoothL1Loss
        >>> loss = SmoothL1Loss(beta=2.0)
        >>> round(float(loss(torch.tensor([0.0, 1.0, 3.0]), torch.tensor([0.5, 1.0, 1.0]))), 4)
        0.3542
    """

    key = "smooth_l1"
    function = staticmethod(F.smooth_l1_loss)

    def __init__(self, *, beta: float = 1.0, reduction: Reduction = "mean", validate: bool = True) -> None:
        super().__init__(beta=beta, reduction=reduction, validate=validate)


class LogCoshLoss(LossModule):
    """Log-cosh loss ``ℓ = log cosh(input − target)``, stable at any residual.

    Args:
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check ``target``/``weight`` for NaN and negative weights. Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, *)``; optional ``weight`` broadcastable to ``(N, *)``; output: scalar,
        or ``(N, *)`` with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w``; an empty batch gives 0. ``torch.nn`` has no equivalent. Half
        precision is computed in float32.

    References:
        Chen et al., Log Hyperbolic Cosine Loss Improves Variational Auto-Encoder, 2019.

    Example:
        >>> import torch
        >>> from losslab.nn import LogCoshLoss
        >>> round(float(LogCoshLoss()(torch.tensor([0.0, 1.0, 3.0]), torch.tensor([0.5, 1.0, 1.0]))), 4)
        0.4817
    """

    key = "log_cosh"
    function = staticmethod(F.log_cosh_loss)

    def __init__(self, *, reduction: Reduction = "mean", validate: bool = True) -> None:
        super().__init__(reduction=reduction, validate=validate)


class PinballLoss(LossModule):
    """Pinball (quantile) loss ``ℓ = max(q·r, (q − 1)·r)`` with ``r = target − input``.

    Args:
        quantile: the quantile ``q`` in ``(0, 1)``. Default ``0.5`` (half the MAE).
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check ``target``/``weight`` for NaN and negative weights. Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, *)``; optional ``weight`` broadcastable to ``(N, *)``; output: scalar,
        or ``(N, *)`` with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w``; an empty batch gives 0. ``torch.nn`` has no equivalent. Half
        precision is computed in float32.

    References:
        Koenker & Bassett, Regression Quantiles, 1978.

    Example:
        >>> import torch
        >>> from losslab.nn import PinballLoss
        >>> loss = PinballLoss(quantile=0.9)
        >>> round(float(loss(torch.tensor([0.0, 1.0, 3.0]), torch.tensor([0.5, 1.0, 1.0]))), 4)
        0.2167
    """

    key = "pinball"
    function = staticmethod(F.pinball_loss)

    def __init__(self, *, quantile: float = 0.5, reduction: Reduction = "mean", validate: bool = True) -> None:
        super().__init__(quantile=quantile, reduction=reduction, validate=validate)


class PoissonNLLLoss(LossModule):
    """Poisson negative log-likelihood ``ℓ = exp(s) − y·s`` of a log-rate ``s`` (``input``) and counts ``y``.

    Args:
        full: add the Stirling term ``y log y − y + ½ log(2πy)`` for ``y > 1``. Default ``False``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check ``target >= 0`` and ``target``/``weight`` for NaN. Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, *)``; optional ``weight`` broadcastable to ``(N, *)``; output: scalar,
        or ``(N, *)`` with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w``; an empty batch gives 0 (``torch.nn`` gives NaN); for log-rates up to
        70 equal to ``torch.nn.PoissonNLLLoss(log_input=True, full=full)`` (beyond, ``exp`` is continued
        linearly so the loss stays finite). Half precision is computed in float32.

    References:
        McCullagh & Nelder, Generalized Linear Models, 1989.

    Example:
        >>> import torch
        >>> from losslab.nn import PoissonNLLLoss
        >>> s, y = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 3.0, 0.0])
        >>> round(float(PoissonNLLLoss()(s, y)), 4)
        2.7024
    """

    key = "poisson_nll"
    function = staticmethod(F.poisson_nll_loss)

    def __init__(self, *, full: bool = False, reduction: Reduction = "mean", validate: bool = True) -> None:
        super().__init__(full=full, reduction=reduction, validate=validate)
