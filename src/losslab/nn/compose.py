"""Factories for the common compositions: an overlap loss plus a pixelwise loss, as a ``WeightedSum``.

Dice + CE, Dice + focal and Tversky + CE are not new loss classes: each factory validates its parameters
against the registry entry of the same name and returns a ``CompositeLoss``, the ``WeightedSum([(w₁, overlap
module), (w₂, pixelwise module)])`` whose forward is one call of the functional of the same name
(``losslab.functional.<name>_loss``: one activation and one gradient buffer for both terms where it fuses
them). Both terms are mean-reduced by their own rule and receive the same ``(input, target)``.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import torch
from torch import nn

from .. import registry
from ..functional.overlap import Aggregate
from ._base import LossModule, WeightedSum
from .classification import (
    SigmoidCrossEntropyLoss,
    SigmoidFocalLoss,
    SoftmaxCrossEntropyLoss,
    SoftmaxFocalLoss,
)
from .overlap import SigmoidDiceLoss, SigmoidTverskyLoss, SoftmaxDiceLoss, SoftmaxTverskyLoss

__all__ = [
    "CompositeLoss",
    "sigmoid_dice_ce",
    "sigmoid_dice_focal",
    "sigmoid_tversky_ce",
    "softmax_dice_ce",
    "softmax_dice_focal",
    "softmax_tversky_ce",
]


def _check(key: str, params: dict[str, Any]) -> None:
    registry.check_params(key, params, fn=key)


@functools.cache
def _defaults(key: str) -> dict[str, Any]:
    """The registry defaults of ``key`` (read on every forward of a ``CompositeLoss``; do not modify)."""
    return registry.get(key).defaults()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.shape == b.shape
                and bool(torch.equal(a, b.to(a.device))))
    return type(a) is type(b) and a == b


class CompositeLoss(WeightedSum):
    """The ``WeightedSum`` of a registry composite (``key``) whose forward is one call of its functional.

    ``terms`` are ``(weight, module)`` pairs and ``weight_names`` the functional's names for the weights.
    The forward calls ``registry.get(key)``'s functional with the weights and the terms' current options
    as long as they map onto its parameters; after a change that does not (an option the functional lacks
    set away from its default, an option both terms share set differently, a per-call keyword, an added
    term) it is the plain sum of the terms. Composing further (``+``, scalar ``*``) gives a ``WeightedSum``.

    Example:
        >>> import torch
        >>> from losslab.nn.compose import softmax_dice_ce
        >>> loss = softmax_dice_ce(ce_weight=0.5)
        >>> loss.key, loss.weights
        ('softmax_dice_ce', [1.0, 0.5])
        >>> x, t = torch.tensor([[[[2.0, -1.0]], [[0.0, 1.0]]]]), torch.tensor([[[0, 1]]])
        >>> bool(torch.isclose(loss(x, t), sum(w * m(x, t) for w, m in zip(loss.weights, loss.terms))))
        True
    """

    def __init__(self, key: str, weight_names: tuple[str, ...], terms: list[tuple[float, nn.Module]]) -> None:
        super().__init__(terms)
        self.key = key
        self.weight_names = tuple(weight_names)
        self._function = registry.get(key).load_functional()
        self._accepted = frozenset(inspect.signature(self._function).parameters)

    def fused_kwargs(self) -> dict[str, Any] | None:
        """The keyword arguments of the one functional call, or ``None`` when the terms do not map onto it."""
        accepted = self._accepted
        if len(self.weights) != len(self.weight_names) or len(self.terms) != len(self.weight_names):
            return None
        call: dict[str, Any] = dict(zip(self.weight_names, self.weights))
        for term in self.terms:
            if not isinstance(term, LossModule) or isinstance(term, WeightedSum):
                return None
            defaults = _defaults(term.key)
            for name, value in term.config.items():
                if name in accepted and name not in self.weight_names:
                    if name in call and not _same(call[name], value):
                        return None
                    call[name] = value
                elif name not in defaults or not _same(value, defaults[name]):
                    return None
        return call

    def extra_repr(self) -> str:
        return f"key={self.key!r}, " + super().extra_repr()

    def forward(self, input: torch.Tensor, target: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        call = None if kwargs else self.fused_kwargs()
        if call is None:
            return super().forward(input, target, **kwargs)
        return self._function(input, target, **call)


def sigmoid_dice_ce(*, dice_weight: float = 1.0, ce_weight: float = 1.0, smooth: float = 1e-5,
                    aggregate: Aggregate = "per_image", include_background: bool = True, ignore_index: int = -100,
                    pos_weight: torch.Tensor | None = None, distributed: bool = False,
                    validate: bool = True) -> CompositeLoss:
    """Soft Dice + binary cross-entropy: ``dice_weight · SigmoidDiceLoss + ce_weight · SigmoidCrossEntropyLoss``.

    Args:
        dice_weight: weight of the Dice term, ``>= 0``. Default ``1.0``.
        ce_weight: weight of the cross-entropy term, ``>= 0``. Default ``1.0``.
        smooth, aggregate, include_background, distributed: of the Dice term (``SigmoidDiceLoss``).
        ignore_index: target value of the elements left out of both terms. Default ``-100``.
        pos_weight: of the cross-entropy term (shape ``(C, 1, 1)`` for ``(N, C, H, W)`` logits).
        validate: value checks in both terms. Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, C, *spatial)`` logits and masks; output: scalar.

    Convention:
        Equals ``losslab.functional.sigmoid_dice_ce_loss`` (one sigmoid and one gradient buffer for both
        terms); both terms mean-reduced by their own rule; elements equal to ``ignore_index`` leave both.

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
                                   ignore_index=ignore_index, pos_weight=pos_weight, distributed=distributed))
    dice = SigmoidDiceLoss(smooth=smooth, aggregate=aggregate, include_background=include_background,
                           ignore_index=ignore_index, distributed=distributed, validate=validate)
    return CompositeLoss("sigmoid_dice_ce", ("dice_weight", "ce_weight"), [
        (dice_weight, dice),
        (ce_weight, SigmoidCrossEntropyLoss(pos_weight=pos_weight, ignore_index=ignore_index, validate=validate))])


def sigmoid_dice_focal(*, dice_weight: float = 1.0, focal_weight: float = 1.0, smooth: float = 1e-5,
                       aggregate: Aggregate = "per_image", include_background: bool = True, ignore_index: int = -100,
                       gamma: float = 2.0, alpha: float | None = 0.25, distributed: bool = False,
                       validate: bool = True) -> CompositeLoss:
    """Soft Dice + sigmoid focal loss: ``dice_weight · SigmoidDiceLoss + focal_weight · SigmoidFocalLoss``.

    Args:
        dice_weight: weight of the Dice term, ``>= 0``. Default ``1.0``.
        focal_weight: weight of the focal term, ``>= 0``. Default ``1.0``.
        smooth, aggregate, include_background, distributed: of the Dice term.
        ignore_index: target value of the elements left out of both terms. Default ``-100``.
        gamma: focusing parameter of the focal term. Default ``2.0``.
        alpha: positive weight of the focal term (``None``: none). Default ``0.25``.
        validate: value checks in both terms. Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, C, *spatial)`` logits and masks; output: scalar.

    Convention:
        Equals ``losslab.functional.sigmoid_dice_focal_loss``; both terms mean-reduced by their own rule;
        elements equal to ``ignore_index`` leave both.

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
                                      aggregate=aggregate, include_background=include_background,
                                      ignore_index=ignore_index, gamma=gamma, alpha=alpha, distributed=distributed))
    dice = SigmoidDiceLoss(smooth=smooth, aggregate=aggregate, include_background=include_background,
                           ignore_index=ignore_index, distributed=distributed, validate=validate)
    focal = SigmoidFocalLoss(gamma=gamma, alpha=alpha, ignore_index=ignore_index, validate=validate)
    return CompositeLoss("sigmoid_dice_focal", ("dice_weight", "focal_weight"), [(dice_weight, dice),
                                                                                 (focal_weight, focal)])


def sigmoid_tversky_ce(*, tversky_weight: float = 1.0, ce_weight: float = 1.0, alpha: float = 0.3,
                       beta: float = 0.7, smooth: float = 1e-5, aggregate: Aggregate = "per_image",
                       include_background: bool = True, ignore_index: int = -100,
                       pos_weight: torch.Tensor | None = None, distributed: bool = False,
                       validate: bool = True) -> CompositeLoss:
    """Tversky + binary cross-entropy: ``tversky_weight · SigmoidTverskyLoss + ce_weight · SigmoidCrossEntropyLoss``.

    Args:
        tversky_weight: weight of the Tversky term, ``>= 0``. Default ``1.0``.
        ce_weight: weight of the cross-entropy term, ``>= 0``. Default ``1.0``.
        alpha: Tversky weight of the false positives. Default ``0.3``.
        beta: Tversky weight of the false negatives. Default ``0.7``.
        smooth, aggregate, include_background, distributed: of the Tversky term.
        ignore_index: target value of the elements left out of both terms. Default ``-100``.
        pos_weight: of the cross-entropy term (shape ``(C, 1, 1)`` for ``(N, C, H, W)`` logits).
        validate: value checks in both terms. Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, C, *spatial)`` logits and masks; output: scalar.

    Convention:
        Equals ``losslab.functional.sigmoid_tversky_ce_loss`` (one sigmoid and one gradient buffer for both
        terms); both terms mean-reduced by their own rule; elements equal to ``ignore_index`` leave both.

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
                                      ignore_index=ignore_index, pos_weight=pos_weight, distributed=distributed))
    tversky = SigmoidTverskyLoss(alpha=alpha, beta=beta, smooth=smooth, aggregate=aggregate,
                                 include_background=include_background, ignore_index=ignore_index,
                                 distributed=distributed, validate=validate)
    return CompositeLoss("sigmoid_tversky_ce", ("tversky_weight", "ce_weight"), [
        (tversky_weight, tversky),
        (ce_weight, SigmoidCrossEntropyLoss(pos_weight=pos_weight, ignore_index=ignore_index, validate=validate))])


def softmax_dice_ce(*, dice_weight: float = 1.0, ce_weight: float = 1.0, smooth: float = 1e-5,
                    aggregate: Aggregate = "per_image", include_background: bool = True, ignore_index: int = -100,
                    class_weight: torch.Tensor | None = None, label_smoothing: float = 0.0,
                    distributed: bool = False, validate: bool = True) -> CompositeLoss:
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
    return CompositeLoss("softmax_dice_ce", ("dice_weight", "ce_weight"), [(dice_weight, dice), (ce_weight, ce)])


def softmax_dice_focal(*, dice_weight: float = 1.0, focal_weight: float = 1.0, smooth: float = 1e-5,
                       aggregate: Aggregate = "per_image", include_background: bool = True, ignore_index: int = -100,
                       gamma: float = 2.0, alpha: torch.Tensor | None = None, distributed: bool = False,
                       validate: bool = True) -> CompositeLoss:
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
    return CompositeLoss("softmax_dice_focal", ("dice_weight", "focal_weight"),
                         [(dice_weight, dice), (focal_weight, focal)])


def softmax_tversky_ce(*, tversky_weight: float = 1.0, ce_weight: float = 1.0, alpha: float = 0.3,
                       beta: float = 0.7, smooth: float = 1e-5, aggregate: Aggregate = "per_image",
                       include_background: bool = True, ignore_index: int = -100,
                       class_weight: torch.Tensor | None = None, distributed: bool = False,
                       validate: bool = True) -> CompositeLoss:
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
    return CompositeLoss("softmax_tversky_ce", ("tversky_weight", "ce_weight"),
                         [(tversky_weight, tversky), (ce_weight, ce)])
