"""Factories for the common compositions: an overlap loss plus a pixelwise loss, as a ``WeightedSum``.

Dice + CE, Dice + focal and Tversky + CE are not new loss classes: each factory validates its parameters
against the registry entry of the same name and returns ``WeightedSum([(w₁, overlap module), (w₂, pixelwise
module)])``, which equals the functional of the same name (``losslab.functional.<name>_loss``). Both terms
are mean-reduced by their own rule and receive the same ``(input, target)``.
"""

from __future__ import annotations

from typing import Any

import torch

from .. import registry
from ..functional.overlap import Aggregate
from ._base import WeightedSum
from .classification import (
    SigmoidCrossEntropyLoss,
    SigmoidFocalLoss,
    SoftmaxCrossEntropyLoss,
    SoftmaxFocalLoss,
)
from .overlap import SigmoidDiceLoss, SigmoidTverskyLoss, SoftmaxDiceLoss, SoftmaxTverskyLoss

__all__ = [
    "sigmoid_dice_ce",
    "sigmoid_dice_focal",
    "sigmoid_tversky_ce",
    "softmax_dice_ce",
    "softmax_dice_focal",
    "softmax_tversky_ce",
]


def _check(key: str, params: dict[str, Any]) -> None:
    registry.check_params(key, params, fn=key)


def sigmoid_dice_ce(*, dice_weight: float = 1.0, ce_weight: float = 1.0, smooth: float = 1e-5,
                    aggregate: Aggregate = "per_image", include_background: bool = True,
                    pos_weight: torch.Tensor | None = None, distributed: bool = False,
                    validate: bool = True) -> WeightedSum:
    """Soft Dice + binary cross-entropy: ``dice_weight · SigmoidDiceLoss + ce_weight · SigmoidCrossEntropyLoss``.

    Args:
        dice_weight: weight of the Dice term, ``>= 0``. Default ``1.0``.
        ce_weight: weight of the cross-entropy term, ``>= 0``. Default ``1.0``.
        smooth, aggregate, include_background, distributed: of the Dice term (``SigmoidDiceLoss``).
        pos_weight: of the cross-entropy term (shape ``(C, 1, 1)`` for ``(N, C, H, W)`` logits).
        validate: value checks in both terms. Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, C, *spatial)`` logits and masks; output: scalar.

    Convention:
        Equals ``losslab.functional.sigmoid_dice_ce_loss``; both terms mean-reduced by their own rule.

    References:
        Isensee et al., nnU-Net: a self-configuring method for deep learning-based biomedical image
        segmentation, 2021.

    Example:
        >>> import torch
        >>> from losslab.nn.compose import sigmoid_dice_ce
        >>> loss = sigmoid_dice_ce(ce_weight=0.5)
        >>> round(float(loss(torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]]),
        ...                  torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]]))), 4)
        0.3332
    """
    _check("sigmoid_dice_ce", dict(dice_weight=dice_weight, ce_weight=ce_weight, smooth=smooth,
                                   aggregate=aggregate, include_background=include_background,
                                   pos_weight=pos_weight, distributed=distributed))
    dice = SigmoidDiceLoss(smooth=smooth, aggregate=aggregate, include_background=include_background,
                           distributed=distributed, validate=validate)
    return WeightedSum([(dice_weight, dice),
                        (ce_weight, SigmoidCrossEntropyLoss(pos_weight=pos_weight, validate=validate))])


def sigmoid_dice_focal(*, dice_weight: float = 1.0, focal_weight: float = 1.0, smooth: float = 1e-5,
                       aggregate: Aggregate = "per_image", include_background: bool = True, gamma: float = 2.0,
                       alpha: float | None = 0.25, distributed: bool = False, validate: bool = True) -> WeightedSum:
    """Soft Dice + sigmoid focal loss: ``dice_weight · SigmoidDiceLoss + focal_weight · SigmoidFocalLoss``.

    Args:
        dice_weight: weight of the Dice term, ``>= 0``. Default ``1.0``.
        focal_weight: weight of the focal term, ``>= 0``. Default ``1.0``.
        smooth, aggregate, include_background, distributed: of the Dice term.
        gamma: focusing parameter of the focal term. Default ``2.0``.
        alpha: positive weight of the focal term (``None``: none). Default ``0.25``.
        validate: value checks in both terms. Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, C, *spatial)`` logits and masks; output: scalar.

    Convention:
        Equals ``losslab.functional.sigmoid_dice_focal_loss``; both terms mean-reduced by their own rule.

    References:
        Zhu et al., AnatomyNet: Deep learning for fast and fully automated whole-volume segmentation of head
        and neck anatomy, 2019.

    Example:
        >>> import torch
        >>> from losslab.nn.compose import sigmoid_dice_focal
        >>> loss = sigmoid_dice_focal(gamma=2.0)
        >>> round(float(loss(torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]]),
        ...                  torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]]))), 4)
        0.2215
    """
    _check("sigmoid_dice_focal", dict(dice_weight=dice_weight, focal_weight=focal_weight, smooth=smooth,
                                      aggregate=aggregate, include_background=include_background, gamma=gamma,
                                      alpha=alpha, distributed=distributed))
    dice = SigmoidDiceLoss(smooth=smooth, aggregate=aggregate, include_background=include_background,
                           distributed=distributed, validate=validate)
    return WeightedSum([(dice_weight, dice),
                        (focal_weight, SigmoidFocalLoss(gamma=gamma, alpha=alpha, validate=validate))])


def sigmoid_tversky_ce(*, tversky_weight: float = 1.0, ce_weight: float = 1.0, alpha: float = 0.3,
                       beta: float = 0.7, smooth: float = 1e-5, aggregate: Aggregate = "per_image",
                       include_background: bool = True, pos_weight: torch.Tensor | None = None,
                       distributed: bool = False, validate: bool = True) -> WeightedSum:
    """Tversky + binary cross-entropy: ``tversky_weight · SigmoidTverskyLoss + ce_weight · SigmoidCrossEntropyLoss``.

    Args:
        tversky_weight: weight of the Tversky term, ``>= 0``. Default ``1.0``.
        ce_weight: weight of the cross-entropy term, ``>= 0``. Default ``1.0``.
        alpha: Tversky weight of the false positives. Default ``0.3``.
        beta: Tversky weight of the false negatives. Default ``0.7``.
        smooth, aggregate, include_background, distributed: of the Tversky term.
        pos_weight: of the cross-entropy term (shape ``(C, 1, 1)`` for ``(N, C, H, W)`` logits).
        validate: value checks in both terms. Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, C, *spatial)`` logits and masks; output: scalar.

    Convention:
        Equals ``losslab.functional.sigmoid_tversky_ce_loss``; both terms mean-reduced by their own rule.

    References:
        Salehi, Erdogmus & Gholipour, Tversky loss function for image segmentation using 3D fully
        convolutional deep networks, 2017.

    Example:
        >>> import torch
        >>> from losslab.nn.compose import sigmoid_tversky_ce
        >>> loss = sigmoid_tversky_ce(alpha=0.3, beta=0.7)
        >>> round(float(loss(torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]]),
        ...                  torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]]))), 4)
        0.4682
    """
    _check("sigmoid_tversky_ce", dict(tversky_weight=tversky_weight, ce_weight=ce_weight, alpha=alpha, beta=beta,
                                      smooth=smooth, aggregate=aggregate, include_background=include_background,
                                      pos_weight=pos_weight, distributed=distributed))
    tversky = SigmoidTverskyLoss(alpha=alpha, beta=beta, smooth=smooth, aggregate=aggregate,
                                 include_background=include_background, distributed=distributed, validate=validate)
    return WeightedSum([(tversky_weight, tversky),
                        (ce_weight, SigmoidCrossEntropyLoss(pos_weight=pos_weight, validate=validate))])


def softmax_dice_ce(*, dice_weight: float = 1.0, ce_weight: float = 1.0, smooth: float = 1e-5,
                    aggregate: Aggregate = "per_image", include_background: bool = True, ignore_index: int = -100,
                    class_weight: torch.Tensor | None = None, label_smoothing: float = 0.0,
                    distributed: bool = False, validate: bool = True) -> WeightedSum:
    """Soft Dice + softmax cross-entropy (nnU-Net): ``dice_weight · SoftmaxDiceLoss + ce_weight · SoftmaxCrossEntropyLoss``.

    Args:
        dice_weight: weight of the Dice term, ``>= 0``. Default ``1.0``.
        ce_weight: weight of the cross-entropy term, ``>= 0``. Default ``1.0``.
        smooth, aggregate, include_background, distributed: of the Dice term.
        ignore_index: class index of ignored pixels, both terms. Default ``-100``.
        class_weight: per-class weight ``(C,)``, both terms. Default ``None``.
        label_smoothing: of the cross-entropy term. Default ``0.0``.
        validate: value checks in both terms. Default ``True``.

    Shape:
        ``input``: ``(N, C, *spatial)`` logits; ``target``: ``(N, *spatial)`` indices or one-hot; output: scalar.

    Convention:
        Equals ``losslab.functional.softmax_dice_ce_loss``; both terms mean-reduced by their own rule;
        ignored pixels leave both; an all-ignored batch gives 0 with the graph connected.

    References:
        Isensee et al., nnU-Net: a self-configuring method for deep learning-based biomedical image
        segmentation, 2021.

    Example:
        >>> import torch
        >>> from losslab.nn.compose import softmax_dice_ce
        >>> loss = softmax_dice_ce(dice_weight=1.0, ce_weight=1.0)
        >>> round(float(loss(torch.tensor([[[[2.0, -1.0]], [[0.0, 1.0]]]]), torch.tensor([[[0, 1]]]))), 4)
        0.2461
    """
    _check("softmax_dice_ce", dict(dice_weight=dice_weight, ce_weight=ce_weight, smooth=smooth,
                                   aggregate=aggregate, include_background=include_background,
                                   ignore_index=ignore_index, class_weight=class_weight,
                                   label_smoothing=label_smoothing, distributed=distributed))
    dice = SoftmaxDiceLoss(smooth=smooth, aggregate=aggregate, include_background=include_background,
                           ignore_index=ignore_index, class_weight=class_weight, distributed=distributed,
                           validate=validate)
    ce = SoftmaxCrossEntropyLoss(class_weight=class_weight, ignore_index=ignore_index,
                                 label_smoothing=label_smoothing, validate=validate)
    return WeightedSum([(dice_weight, dice), (ce_weight, ce)])


def softmax_dice_focal(*, dice_weight: float = 1.0, focal_weight: float = 1.0, smooth: float = 1e-5,
                       aggregate: Aggregate = "per_image", include_background: bool = True, ignore_index: int = -100,
                       gamma: float = 2.0, alpha: torch.Tensor | None = None, distributed: bool = False,
                       validate: bool = True) -> WeightedSum:
    """Soft Dice + multi-class focal loss: ``dice_weight · SoftmaxDiceLoss + focal_weight · SoftmaxFocalLoss``.

    Args:
        dice_weight: weight of the Dice term, ``>= 0``. Default ``1.0``.
        focal_weight: weight of the focal term, ``>= 0``. Default ``1.0``.
        smooth, aggregate, include_background, distributed: of the Dice term.
        ignore_index: class index of ignored pixels, both terms. Default ``-100``.
        gamma: focusing parameter of the focal term. Default ``2.0``.
        alpha: per-class weight ``(C,)`` of the focal term. Default ``None``.
        validate: value checks in both terms. Default ``True``.

    Shape:
        ``input``: ``(N, C, *spatial)`` logits; ``target``: ``(N, *spatial)`` indices or one-hot; output: scalar.

    Convention:
        Equals ``losslab.functional.softmax_dice_focal_loss``; both terms mean-reduced by their own rule;
        ignored pixels leave both; an all-ignored batch gives 0 with the graph connected.

    References:
        Zhu et al., AnatomyNet: Deep learning for fast and fully automated whole-volume segmentation of head
        and neck anatomy, 2019.

    Example:
        >>> import torch
        >>> from losslab.nn.compose import softmax_dice_focal
        >>> loss = softmax_dice_focal(gamma=2.0)
        >>> round(float(loss(torch.tensor([[[[2.0, -1.0]], [[0.0, 1.0]]]]), torch.tensor([[[0, 1]]]))), 4)
        0.121
    """
    _check("softmax_dice_focal", dict(dice_weight=dice_weight, focal_weight=focal_weight, smooth=smooth,
                                      aggregate=aggregate, include_background=include_background,
                                      ignore_index=ignore_index, gamma=gamma, alpha=alpha, distributed=distributed))
    dice = SoftmaxDiceLoss(smooth=smooth, aggregate=aggregate, include_background=include_background,
                           ignore_index=ignore_index, distributed=distributed, validate=validate)
    focal = SoftmaxFocalLoss(gamma=gamma, alpha=alpha, ignore_index=ignore_index, validate=validate)
    return WeightedSum([(dice_weight, dice), (focal_weight, focal)])


def softmax_tversky_ce(*, tversky_weight: float = 1.0, ce_weight: float = 1.0, alpha: float = 0.3,
                       beta: float = 0.7, smooth: float = 1e-5, aggregate: Aggregate = "per_image",
                       include_background: bool = True, ignore_index: int = -100,
                       class_weight: torch.Tensor | None = None, distributed: bool = False,
                       validate: bool = True) -> WeightedSum:
    """Tversky + softmax cross-entropy: ``tversky_weight · SoftmaxTverskyLoss + ce_weight · SoftmaxCrossEntropyLoss``.

    Args:
        tversky_weight: weight of the Tversky term, ``>= 0``. Default ``1.0``.
        ce_weight: weight of the cross-entropy term, ``>= 0``. Default ``1.0``.
        alpha: Tversky weight of the false positives. Default ``0.3``.
        beta: Tversky weight of the false negatives. Default ``0.7``.
        smooth, aggregate, include_background, distributed: of the Tversky term.
        ignore_index: class index of ignored pixels, both terms. Default ``-100``.
        class_weight: per-class weight ``(C,)``, both terms. Default ``None``.
        validate: value checks in both terms. Default ``True``.

    Shape:
        ``input``: ``(N, C, *spatial)`` logits; ``target``: ``(N, *spatial)`` indices or one-hot; output: scalar.

    Convention:
        Equals ``losslab.functional.softmax_tversky_ce_loss``; both terms mean-reduced by their own rule;
        ignored pixels leave both; an all-ignored batch gives 0 with the graph connected.

    References:
        Salehi, Erdogmus & Gholipour, Tversky loss function for image segmentation using 3D fully
        convolutional deep networks, 2017.

    Example:
        >>> import torch
        >>> from losslab.nn.compose import softmax_tversky_ce
        >>> loss = softmax_tversky_ce(alpha=0.3, beta=0.7)
        >>> round(float(loss(torch.tensor([[[[2.0, -1.0]], [[0.0, 1.0]]]]), torch.tensor([[[0, 1]]]))), 4)
        0.2461
    """
    _check("softmax_tversky_ce", dict(tversky_weight=tversky_weight, ce_weight=ce_weight, alpha=alpha, beta=beta,
                                      smooth=smooth, aggregate=aggregate, include_background=include_background,
                                      ignore_index=ignore_index, class_weight=class_weight, distributed=distributed))
    tversky = SoftmaxTverskyLoss(alpha=alpha, beta=beta, smooth=smooth, aggregate=aggregate,
                                 include_background=include_background, ignore_index=ignore_index,
                                 class_weight=class_weight, distributed=distributed, validate=validate)
    ce = SoftmaxCrossEntropyLoss(class_weight=class_weight, ignore_index=ignore_index, validate=validate)
    return WeightedSum([(tversky_weight, tversky), (ce_weight, ce)])
