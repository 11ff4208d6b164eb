"""Module shells over ``losslab.functional.lovasz``: the Lovász hinge and Lovász-softmax losses."""

from __future__ import annotations

from typing import Literal

import torch

from ..functional import lovasz as F
from ._base import LossModule

__all__ = ["LovaszHingeLoss", "LovaszSoftmaxLoss"]


class LovaszHingeLoss(LossModule):
    """Lovász hinge loss: the Lovász extension of the Jaccard loss on the hinge errors of binary logits.

    Per set (one channel of one image, or of the batch) with ``e_i = max(0, 1 − (2y_i − 1)·x_i)`` sorted
    decreasingly: ``ℓ = Σ_k e_(k) (Δ_J(first k) − Δ_J(first k − 1))``, averaged over the channels
    (weighted by ``class_weight``). See :func:`losslab.functional.lovasz_hinge_loss`.

    Args:
        aggregate: ``"per_image"`` (default, as the reference) or ``"batch"``.
        class_weight: optional ``(C,)`` weights of the channel average.
        ignore_index: target value whose pixels are left out (default ``-100``).
        reduction: ``"mean"`` | ``"sum"`` | ``"none"`` over images.
        validate: check that the target is binary (a pass over the data).

    Shape:
        input and target ``(N, C, *spatial)``; output ``()`` or ``(N,)`` (``"none"``, per image).

    Convention:
        As :func:`losslab.functional.lovasz_hinge_loss`: weighted mean over the counted images, an image
        with every pixel ignored leaves the mean, an all-ignored batch gives 0 with the graph connected,
        ignored pixels equal cropped pixels, an empty target still penalises positive logits.

    References:
        Berman, Rannen Triki & Blaschko, The Lovász-Softmax loss: A tractable surrogate for the optimization
        of the intersection-over-union measure in neural networks, CVPR 2018.

    Example:
        >>> import torch
        >>> loss = LovaszHingeLoss()
        >>> logits = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]])
        >>> round(float(loss(logits, torch.tensor([[[[1.0, 1.0], [0.0, 0.0]]]]))), 4)
        1.25
    """

    key = "lovasz_hinge"
    function = staticmethod(F.lovasz_hinge_loss)

    def __init__(self, *, aggregate: Literal["per_image", "batch"] = "per_image",
                 class_weight: torch.Tensor | None = None, ignore_index: int = -100,
                 reduction: Literal["mean", "sum", "none"] = "mean", validate: bool = True) -> None:
        super().__init__(aggregate=aggregate, class_weight=class_weight, ignore_index=ignore_index,
                         reduction=reduction, validate=validate)


class LovaszSoftmaxLoss(LossModule):
    """Lovász-softmax loss: the Lovász extension of the Jaccard loss of each class, on softmax errors.

    Per set (one class of the batch, or of one image) with ``e_i = |[y_i = c] − softmax(x)_ci|`` sorted
    decreasingly: ``ℓ = Σ_k e_(k) (Δ_J(first k) − Δ_J(first k − 1))``, averaged over the present (or all)
    classes, weighted by ``class_weight``. See :func:`losslab.functional.lovasz_softmax_loss`.

    Args:
        aggregate: ``"batch"`` (default, as the reference) or ``"per_image"``.
        classes: ``"present"`` (default) or ``"all"``.
        class_weight: optional ``(C,)`` weights of the class average.
        ignore_index: class index whose pixels are left out (default ``-100``).
        reduction: ``"mean"`` | ``"sum"`` | ``"none"`` over images.
        validate: check the class-index range (a pass over the data).

    Shape:
        input ``(N, C, *spatial)``; target ``(N, *spatial)`` indices or ``(N, C, *spatial)`` one-hot;
        output ``()`` or ``(N,)`` (``"none"``, per image).

    Convention:
        As :func:`losslab.functional.lovasz_softmax_loss`: weighted mean over the counted images, an image
        with every pixel ignored leaves the mean, an all-ignored batch gives 0 with the graph connected,
        ignored pixels equal cropped pixels, absent classes are skipped with ``classes="present"``.

    References:
        Berman, Rannen Triki & Blaschko, The Lovász-Softmax loss: A tractable surrogate for the optimization
        of the intersection-over-union measure in neural networks, CVPR 2018.

    Example:
        >>> import torch
        >>> loss = LovaszSoftmaxLoss()
        >>> logits = torch.tensor([[[2.0, -1.0, 0.5, 1.0], [-1.0, 2.0, 0.5, -1.0]]])
        >>> round(float(loss(logits, torch.tensor([[0, 1, 1, 0]]))), 4)
        0.2539
    """

    key = "lovasz_softmax"
    function = staticmethod(F.lovasz_softmax_loss)

    def __init__(self, *, aggregate: Literal["per_image", "batch"] = "batch",
                 classes: Literal["present", "all"] = "present", class_weight: torch.Tensor | None = None,
                 ignore_index: int = -100, reduction: Literal["mean", "sum", "none"] = "mean",
                 validate: bool = True) -> None:
        super().__init__(aggregate=aggregate, classes=classes, class_weight=class_weight,
                         ignore_index=ignore_index, reduction=reduction, validate=validate)
