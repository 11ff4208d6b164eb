"""``nn.Module`` shells over ``losslab.functional.classification``.

Each module validates its hyper-parameters against the registry in ``__init__`` (tensors such as
``pos_weight``, ``class_weight`` and ``alpha`` are stored as buffers, so ``.to(device)`` moves them)
and its ``forward(input, target, weight=None)`` is one call to the functional. The formulas, shapes
and conventions are those of the functional each class names.
"""

from __future__ import annotations

import torch

from ..functional import classification as F
from ._base import LossModule

__all__ = [
    "SigmoidCrossEntropyLoss",
    "BinaryCrossEntropyProbsLoss",
    "SigmoidFocalLoss",
    "AsymmetricLoss",
    "SoftmaxCrossEntropyLoss",
    "SoftmaxFocalLoss",
    "Poly1CrossEntropyLoss",
    "SoftmaxKLDivLoss",
]


class SigmoidCrossEntropyLoss(LossModule):
    """Binary cross-entropy on logits (module of :func:`~losslab.functional.sigmoid_cross_entropy`).

    Unreduced loss: ``ℓ = −[p_w·y·log σ(x) + (1 − y)·log σ(−x)]``, ``y ← y(1 − ε) + ε/2``.

    Args:
        pos_weight: optional positive-term weight, broadcast against the logits like torch's.
        label_smoothing: ε in ``[0, 1]`` (default 0).
        ignore_index: target value of the elements to leave out (default ``None``: every element counts).
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check targets lie in ``[0, 1]`` (costs a pass over the data).

    Shape:
        input ``(N, *)`` logits, target ``(N, *)`` in ``[0, 1]``; ``forward`` also takes ``weight=``.

    Convention:
        Weighted mean ``Σ w ℓ / Σ w``; empty → 0. Matches ``torch.nn.BCEWithLogitsLoss`` except that
        torch's weighted mean divides by the element count.

    References:
        Cox, The Regression Analysis of Binary Sequences, 1958.

    Example:
        >>> import torch
        >>> loss = SigmoidCrossEntropyLoss()
        >>> round(float(loss(torch.tensor([2.0, -1.0]), torch.tensor([1.0, 0.0]))), 4)
        0.2201
    """

    key = "sigmoid_ce"
    function = staticmethod(F.sigmoid_cross_entropy)

    def __init__(self, *, pos_weight: torch.Tensor | None = None, label_smoothing: float = 0.0,
                 ignore_index: int | None = None, reduction: str = "mean", validate: bool = True) -> None:
        super().__init__(pos_weight=pos_weight, label_smoothing=label_smoothing, ignore_index=ignore_index,
                         reduction=reduction, validate=validate)


class BinaryCrossEntropyProbsLoss(LossModule):
    """Binary cross-entropy on probabilities (module of :func:`~losslab.functional.binary_cross_entropy_probs`).

    Unreduced loss: ``ℓ = −[y·log max(p, eps) + (1 − y)·log max(1 − p, eps)]``.

    Args:
        eps: guard ``> 0`` inside the logs (default 1e-12).
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check probs and targets lie in ``[0, 1]``.

    Shape:
        input ``(N, *)`` probabilities, target ``(N, *)``; ``forward`` also takes ``weight=``.

    Convention:
        Weighted mean ``Σ w ℓ / Σ w``; finite value and gradient at p = 0 and 1 (torch clamps the
        log at −100 instead; equal to ``torch.nn.BCELoss`` for p in ``[eps, 1 − eps]``).

    References:
        Cox, The Regression Analysis of Binary Sequences, 1958.

    Example:
        >>> import torch
        >>> loss = BinaryCrossEntropyProbsLoss()
        >>> round(float(loss(torch.tensor([0.9, 0.2]), torch.tensor([1.0, 0.0]))), 4)
        0.1643
    """

    key = "binary_ce_probs"
    function = staticmethod(F.binary_cross_entropy_probs)

    def __init__(self, *, eps: float = 1e-12, reduction: str = "mean", validate: bool = True) -> None:
        super().__init__(eps=eps, reduction=reduction, validate=validate)


class SigmoidFocalLoss(LossModule):
    """Sigmoid focal loss (module of :func:`~losslab.functional.sigmoid_focal_loss`).

    Unreduced loss: ``ℓ = α_t (1 − p_t)^γ BCE(x, y)`` (``= −α_t (1 − p_t)^γ log p_t`` for hard y).

    Args:
        gamma: focusing parameter γ ``>= 0`` (default 2).
        alpha: weight of positives in ``[0, 1]`` (negatives ``1 − α``), default 0.25; ``None``: off.
        ignore_index: target value of the elements to leave out (default ``None``: every element counts).
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check targets lie in ``[0, 1]``.

    Shape:
        input ``(N, *)`` logits, target ``(N, *)`` in ``[0, 1]``; ``forward`` also takes ``weight=``.

    Convention:
        Weighted mean ``Σ w ℓ / Σ w``; α is part of ℓ. Same formula as torchvision's
        ``sigmoid_focal_loss`` (which disables α with ``alpha < 0``; ours with ``None``).

    References:
        Lin et al., Focal Loss for Dense Object Detection, 2017.

    Example:
        >>> import torch
        >>> loss = SigmoidFocalLoss(gamma=2.0, alpha=0.25)
        >>> round(float(loss(torch.tensor([2.0, -1.0]), torch.tensor([1.0, 0.0]))), 4)
        0.0087
    """

    key = "sigmoid_focal"
    function = staticmethod(F.sigmoid_focal_loss)

    def __init__(self, *, gamma: float = 2.0, alpha: float | None = 0.25, ignore_index: int | None = None,
                 reduction: str = "mean", validate: bool = True) -> None:
        super().__init__(gamma=gamma, alpha=alpha, ignore_index=ignore_index, reduction=reduction,
                         validate=validate)


class AsymmetricLoss(LossModule):
    """Asymmetric loss, ASL (module of :func:`~losslab.functional.asymmetric_loss`).

    Unreduced loss: ``ℓ = −[y (1 − p)^γ₊ log p + (1 − y) p_m^γ₋ log(1 − p_m)]``, ``p_m = max(p − m, 0)``.

    Args:
        gamma_pos: γ₊ ``>= 0`` (default 0).
        gamma_neg: γ₋ ``>= 0`` (default 4).
        clip: probability margin m in ``[0, 1)`` (default 0.05).
        ignore_index: target value of the elements to leave out (default ``None``: every element counts).
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check targets lie in ``[0, 1]``.

    Shape:
        input ``(N, *)`` logits, target ``(N, *)`` in ``[0, 1]``; ``forward`` also takes ``weight=``.

    Convention:
        Weighted mean ``Σ w ℓ / Σ w`` (the official implementation returns the negated sum:
        use ``reduction="sum"`` to reproduce it).

    References:
        Ridnik et al., Asymmetric Loss For Multi-Label Classification, 2021.

    Example:
        >>> import torch
        >>> loss = AsymmetricLoss()
        >>> round(float(loss(torch.tensor([2.0, -1.0]), torch.tensor([1.0, 0.0]))), 4)
        0.0637
    """

    key = "asymmetric"
    function = staticmethod(F.asymmetric_loss)

    def __init__(self, *, gamma_pos: float = 0.0, gamma_neg: float = 4.0, clip: float = 0.05,
                 ignore_index: int | None = None, reduction: str = "mean", validate: bool = True) -> None:
        super().__init__(gamma_pos=gamma_pos, gamma_neg=gamma_neg, clip=clip, ignore_index=ignore_index,
                         reduction=reduction, validate=validate)


class SoftmaxCrossEntropyLoss(LossModule):
    """Softmax cross-entropy (module of :func:`~losslab.functional.softmax_cross_entropy`).

    Unreduced loss: ``ℓ = −Σ_k c_k ỹ_k log softmax(z)_k``, ``ỹ = (1 − ε) y + ε/C``.

    Args:
        class_weight: optional per-class weight ``(C,)``.
        ignore_index: index targets equal to it are left out (default −100).
        label_smoothing: ε in ``[0, 1]`` (default 0).
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check class indices / probability rows.

    Shape:
        input ``(N, C, *)`` logits; target ``(N, *)`` int or ``(N, C, *)`` probabilities.

    Convention:
        ``Σ w ℓ / Σ w c_y`` over non-ignored elements: ``torch.nn.CrossEntropyLoss`` for index targets;
        all-ignored → 0 (torch: NaN).

    References:
        Bridle, Probabilistic Interpretation of Feedforward Classification Network Outputs, 1990.

    Example:
        >>> import torch
        >>> loss = SoftmaxCrossEntropyLoss(label_smoothing=0.1)
        >>> round(float(loss(torch.tensor([[2.0, 0.5, -1.0]]), torch.tensor([0]))), 4)
        0.3913
    """

    key = "softmax_ce"
    function = staticmethod(F.softmax_cross_entropy)

    def __init__(self, *, class_weight: torch.Tensor | None = None, ignore_index: int = -100,
                 label_smoothing: float = 0.0, reduction: str = "mean", validate: bool = True) -> None:
        super().__init__(class_weight=class_weight, ignore_index=ignore_index, label_smoothing=label_smoothing,
                         reduction=reduction, validate=validate)


class SoftmaxFocalLoss(LossModule):
    """Multi-class focal loss (module of :func:`~losslab.functional.softmax_focal_loss`).

    Unreduced loss: ``ℓ = −α_y (1 − p_y)^γ log p_y`` (index target).

    Args:
        gamma: focusing parameter γ ``>= 0`` (default 2).
        alpha: optional per-class weight ``(C,)`` (a scalar is rejected).
        ignore_index: index targets equal to it are left out (default −100).
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check class indices / probability rows.

    Shape:
        input ``(N, C, *)`` logits; target ``(N, *)`` int or ``(N, C, *)`` probabilities.

    Convention:
        Weighted mean ``Σ w ℓ / Σ w`` over non-ignored elements; α is part of ℓ; all-ignored → 0.

    References:
        Lin et al., Focal Loss for Dense Object Detection, 2017.

    Example:
        >>> import torch
        >>> loss = SoftmaxFocalLoss(gamma=2.0)
        >>> round(float(loss(torch.tensor([[2.0, 0.5, -1.0]]), torch.tensor([0]))), 4)
        0.0111
    """

    key = "softmax_focal"
    function = staticmethod(F.softmax_focal_loss)

    def __init__(self, *, gamma: float = 2.0, alpha: torch.Tensor | None = None, ignore_index: int = -100,
                 reduction: str = "mean", validate: bool = True) -> None:
        super().__init__(gamma=gamma, alpha=alpha, ignore_index=ignore_index, reduction=reduction,
                         validate=validate)


class Poly1CrossEntropyLoss(LossModule):
    """Poly-1 cross-entropy (module of :func:`~losslab.functional.poly1_cross_entropy`).

    Unreduced loss: ``ℓ = CE + ε · c_i · (1 − p_t)``, ``p_t = Σ_k ỹ_k p_k``.

    Args:
        epsilon: coefficient ε ``>= −1`` (default 1).
        class_weight: optional per-class weight ``(C,)``.
        ignore_index: index targets equal to it are left out (default −100).
        label_smoothing: in ``[0, 1]`` (default 0).
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        validate: check class indices / probability rows.

    Shape:
        input ``(N, C, *)`` logits; target ``(N, *)`` int or ``(N, C, *)`` probabilities.

    Convention:
        Same reduction as :class:`SoftmaxCrossEntropyLoss`; all-ignored → 0.

    References:
        Leng et al., PolyLoss: A Polynomial Expansion Perspective of Classification Loss Functions, 2022.

    Example:
        >>> import torch
        >>> loss = Poly1CrossEntropyLoss(epsilon=1.0)
        >>> round(float(loss(torch.tensor([[2.0, 0.5, -1.0]]), torch.tensor([0]))), 4)
        0.4557
    """

    key = "poly1"
    function = staticmethod(F.poly1_cross_entropy)

    def __init__(self, *, epsilon: float = 1.0, class_weight: torch.Tensor | None = None, ignore_index: int = -100,
                 label_smoothing: float = 0.0, reduction: str = "mean", validate: bool = True) -> None:
        super().__init__(epsilon=epsilon, class_weight=class_weight, ignore_index=ignore_index,
                         label_smoothing=label_smoothing, reduction=reduction, validate=validate)


class SoftmaxKLDivLoss(LossModule):
    """KL(target ‖ softmax(logits)) per sample (module of :func:`~losslab.functional.softmax_kl_div`).

    Unreduced loss: ``ℓ = Σ_k t_k (log t_k − log_softmax(z)_k)`` with ``0 log 0 = 0``.

    Args:
        log_target: the target holds log-probabilities (default False).
        reduction: ``"mean"`` (default, mean over samples = torch's ``"batchmean"`` for 2-D) | ``"sum"`` |
            ``"none"``.
        validate: check probability rows / class indices.

    Shape:
        input ``(N, C, *)`` logits; target ``(N, C, *)`` probabilities (or ``(N, *)`` int indices).

    Convention:
        Weighted mean over samples ``Σ w ℓ / Σ w``; torch's ``"mean"`` divides by ``N·C`` (not KL).

    References:
        Kullback & Leibler, On Information and Sufficiency, 1951.

    Example:
        >>> import torch
        >>> loss = SoftmaxKLDivLoss()
        >>> round(float(loss(torch.tensor([[2.0, 0.5, -1.0]]), torch.tensor([[0.7, 0.2, 0.1]]))), 4)
        0.0395
    """

    key = "kl_div"
    function = staticmethod(F.softmax_kl_div)

    def __init__(self, *, log_target: bool = False, reduction: str = "mean", validate: bool = True) -> None:
        super().__init__(log_target=log_target, reduction=reduction, validate=validate)
