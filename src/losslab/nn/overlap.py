"""``nn.Module`` shells over ``losslab.functional.overlap``.

Each module validates its hyper-parameters against the registry in ``__init__`` and calls its functional in
``forward(input, target, *, weight=None)``; the functional's docstring has the full formula and convention.
Compose them with ``+`` and scalar ``*`` (``SoftmaxDiceLoss() + SoftmaxCrossEntropyLoss()``) or use the
factories of ``losslab.nn.compose``.
"""

from __future__ import annotations

import torch

from ..functional import overlap as F
from ..functional.overlap import Aggregate, DiceTransform, Reduction, Weighting
from ._base import LossModule

__all__ = [
    "SigmoidDiceLoss",
    "SoftmaxDiceLoss",
    "SigmoidGeneralizedDiceLoss",
    "SoftmaxGeneralizedDiceLoss",
    "SigmoidJaccardLoss",
    "SoftmaxJaccardLoss",
    "SigmoidTverskyLoss",
    "SoftmaxTverskyLoss",
    "SigmoidFocalTverskyLoss",
    "SoftmaxFocalTverskyLoss",
]


class SigmoidDiceLoss(LossModule):
    """Soft Dice loss on sigmoid probabilities (binary / multi-label segmentation).

    Unreduced loss: ℓ = 1 − (2I + s)/(P + T + s) per (image, class) (or its log-cosh / −log form); ``P/n`` for
    an empty target (see ``losslab.functional.sigmoid_dice_loss``).

    Args:
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"`` (statistics summed over the batch).
        squared: squared denominator ``Σ p² + Σ t²`` (Milletari et al.). Default ``False``.
        transform: ``"none"`` (default), ``"log_cosh"`` or ``"neg_log"``.
        include_background: keep channel 0 in the loss. Default ``True``.
        ignore_index: target value of ignored pixels. Default ``-100``.
        class_weight: per-class weight, shape ``(C,)``. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: value checks of the target (costs a pass). Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, C, *spatial)`` (masks in ``[0, 1]``); optional ``weight=`` in ``forward``
        broadcastable to the unreduced loss; output: scalar, or ``(N, C')`` per (image, class) (``(C',)``
        batch) with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` over counted terms; ignored pixels leave every statistic; an all-ignored
        batch gives 0 with the graph connected; an empty target costs its soft false-positive fraction ``P/n``.

    References:
        Milletari, Navab & Ahmadi, V-Net: Fully Convolutional Neural Networks for Volumetric Medical Image
        Segmentation, 2016. Jadon, A survey of loss functions for semantic segmentation, 2020.

    Example:
        >>> import torch
        >>> from losslab.nn import SigmoidDiceLoss
        >>> loss = SigmoidDiceLoss()
        >>> x = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]])
        >>> t = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]])
        >>> round(float(loss(x, t)), 4)
        0.2129
    """

    key = "sigmoid_dice"
    function = staticmethod(F.sigmoid_dice_loss)

    def __init__(self, *, smooth: float = 1e-5,
                 aggregate: Aggregate = "per_image",
                 squared: bool = False,
                 transform: DiceTransform = "none",
                 include_background: bool = True,
                 ignore_index: int = -100,
                 class_weight: torch.Tensor | None = None,
                 reduction: Reduction = "mean",
                 distributed: bool = False,
                 validate: bool = True) -> None:
        super().__init__(smooth=smooth, aggregate=aggregate, squared=squared,
                         transform=transform, include_background=include_background,
                         ignore_index=ignore_index, class_weight=class_weight,
                         reduction=reduction, distributed=distributed, validate=validate)


class SoftmaxDiceLoss(LossModule):
    """Soft Dice loss on softmax probabilities (multi-class segmentation).

    Unreduced loss: ℓ = 1 − (2I + s)/(P + T + s) per (image, class) (or its log-cosh / −log form); ``P/n`` for
    an absent class (see ``losslab.functional.softmax_dice_loss``).

    Args:
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"`` (statistics summed over the batch).
        squared: squared denominator ``Σ p² + Σ t²`` (Milletari et al.). Default ``False``.
        transform: ``"none"`` (default), ``"log_cosh"`` or ``"neg_log"``.
        include_background: keep channel 0 in the loss. Default ``True``.
        ignore_index: target value of ignored pixels. Default ``-100``.
        class_weight: per-class weight, shape ``(C,)``. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: value checks of the target (costs a pass). Default ``True``.

    Shape:
        ``input``: ``(N, C, *spatial)``; ``target``: class indices ``(N, *spatial)`` or one-hot ``(N, C,
        *spatial)``; optional ``weight=`` in ``forward`` broadcastable to the unreduced loss; output: scalar,
        or ``(N, C')`` per (image, class) (``(C',)`` batch) with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` over counted terms; ignored pixels leave every statistic; an all-ignored
        batch gives 0 with the graph connected; an empty target costs its soft false-positive fraction ``P/n``.

    References:
        Milletari, Navab & Ahmadi, V-Net: Fully Convolutional Neural Networks for Volumetric Medical Image
        Segmentation, 2016. Jadon, A survey of loss functions for semantic segmentation, 2020.

    Example:
        >>> import torch
        >>> from losslab.nn import SoftmaxDiceLoss
        >>> loss = SoftmaxDiceLoss()
        >>> x = torch.tensor([[[[2.0, -1.0]], [[0.0, 1.0]]]])
        >>> t = torch.tensor([[[0, 1]]])
        >>> round(float(loss(x, t)), 4)
        0.1192
    """

    key = "softmax_dice"
    function = staticmethod(F.softmax_dice_loss)

    def __init__(self, *, smooth: float = 1e-5,
                 aggregate: Aggregate = "per_image",
                 squared: bool = False,
                 transform: DiceTransform = "none",
                 include_background: bool = True,
                 ignore_index: int = -100,
                 class_weight: torch.Tensor | None = None,
                 reduction: Reduction = "mean",
                 distributed: bool = False,
                 validate: bool = True) -> None:
        super().__init__(smooth=smooth, aggregate=aggregate, squared=squared,
                         transform=transform, include_background=include_background,
                         ignore_index=ignore_index, class_weight=class_weight,
                         reduction=reduction, distributed=distributed, validate=validate)


class SigmoidGeneralizedDiceLoss(LossModule):
    """Generalized Dice loss (Sudre et al.) on sigmoid probabilities.

    Unreduced loss: ℓ = 1 − (2 Σ_c w_c I_c + s)/(Σ_c w_c (P_c + T_c) + s) per image, ``w_c = 1/T_c²``
    (square), ``1/T_c`` or 1 (see ``losslab.functional.sigmoid_generalized_dice_loss``).

    Args:
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"`` (statistics summed over the batch).
        weighting: ``"square"`` (default), ``"simple"`` or ``"uniform"`` class weights ``w_c``.
        include_background: keep channel 0 in the loss. Default ``True``.
        ignore_index: target value of ignored pixels. Default ``-100``.
        class_weight: per-class weight, shape ``(C,)``. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: value checks of the target (costs a pass). Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, C, *spatial)`` (masks in ``[0, 1]``); optional ``weight=`` in ``forward``
        broadcastable to the unreduced loss; output: scalar, or ``(N,)`` per image (``()`` batch) with
        ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` over counted terms; ignored pixels leave every statistic; an all-ignored
        batch gives 0 with the graph connected; an empty target costs its soft false-positive fraction ``P/n``.

    References:
        Sudre et al., Generalised Dice overlap as a deep learning loss function for highly unbalanced
        segmentations, 2017.

    Example:
        >>> import torch
        >>> from losslab.nn import SigmoidGeneralizedDiceLoss
        >>> loss = SigmoidGeneralizedDiceLoss()
        >>> x = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]])
        >>> t = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]])
        >>> round(float(loss(x, t)), 4)
        0.2129
    """

    key = "sigmoid_generalized_dice"
    function = staticmethod(F.sigmoid_generalized_dice_loss)

    def __init__(self, *, smooth: float = 1e-5,
                 aggregate: Aggregate = "per_image",
                 weighting: Weighting = "square",
                 include_background: bool = True,
                 ignore_index: int = -100,
                 class_weight: torch.Tensor | None = None,
                 reduction: Reduction = "mean",
                 distributed: bool = False,
                 validate: bool = True) -> None:
        super().__init__(smooth=smooth, aggregate=aggregate, weighting=weighting,
                         include_background=include_background, ignore_index=ignore_index,
                         class_weight=class_weight, reduction=reduction,
                         distributed=distributed, validate=validate)


class SoftmaxGeneralizedDiceLoss(LossModule):
    """Generalized Dice loss (Sudre et al.) on softmax probabilities.

    Unreduced loss: ℓ = 1 − (2 Σ_c w_c I_c + s)/(Σ_c w_c (P_c + T_c) + s) per image, ``w_c = 1/T_c²``
    (square), ``1/T_c`` or 1 (see ``losslab.functional.softmax_generalized_dice_loss``).

    Args:
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"`` (statistics summed over the batch).
        weighting: ``"square"`` (default), ``"simple"`` or ``"uniform"`` class weights ``w_c``.
        include_background: keep channel 0 in the loss. Default ``True``.
        ignore_index: target value of ignored pixels. Default ``-100``.
        class_weight: per-class weight, shape ``(C,)``. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: value checks of the target (costs a pass). Default ``True``.

    Shape:
        ``input``: ``(N, C, *spatial)``; ``target``: class indices ``(N, *spatial)`` or one-hot ``(N, C,
        *spatial)``; optional ``weight=`` in ``forward`` broadcastable to the unreduced loss; output: scalar,
        or ``(N,)`` per image (``()`` batch) with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` over counted terms; ignored pixels leave every statistic; an all-ignored
        batch gives 0 with the graph connected; an empty target costs its soft false-positive fraction ``P/n``.

    References:
        Sudre et al., Generalised Dice overlap as a deep learning loss function for highly unbalanced
        segmentations, 2017.

    Example:
        >>> import torch
        >>> from losslab.nn import SoftmaxGeneralizedDiceLoss
        >>> loss = SoftmaxGeneralizedDiceLoss()
        >>> x = torch.tensor([[[[2.0, -1.0]], [[0.0, 1.0]]]])
        >>> t = torch.tensor([[[0, 1]]])
        >>> round(float(loss(x, t)), 4)
        0.1192
    """

    key = "softmax_generalized_dice"
    function = staticmethod(F.softmax_generalized_dice_loss)

    def __init__(self, *, smooth: float = 1e-5,
                 aggregate: Aggregate = "per_image",
                 weighting: Weighting = "square",
                 include_background: bool = True,
                 ignore_index: int = -100,
                 class_weight: torch.Tensor | None = None,
                 reduction: Reduction = "mean",
                 distributed: bool = False,
                 validate: bool = True) -> None:
        super().__init__(smooth=smooth, aggregate=aggregate, weighting=weighting,
                         include_background=include_background, ignore_index=ignore_index,
                         class_weight=class_weight, reduction=reduction,
                         distributed=distributed, validate=validate)


class SigmoidJaccardLoss(LossModule):
    """Jaccard (soft IoU) loss on sigmoid probabilities.

    Unreduced loss: ℓ = 1 − (I + s)/(P + T − I + s) per (image, class); ``P/n`` for an empty target (see
    ``losslab.functional.sigmoid_jaccard_loss``).

    Args:
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"`` (statistics summed over the batch).
        include_background: keep channel 0 in the loss. Default ``True``.
        ignore_index: target value of ignored pixels. Default ``-100``.
        class_weight: per-class weight, shape ``(C,)``. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: value checks of the target (costs a pass). Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, C, *spatial)`` (masks in ``[0, 1]``); optional ``weight=`` in ``forward``
        broadcastable to the unreduced loss; output: scalar, or ``(N, C')`` per (image, class) (``(C',)``
        batch) with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` over counted terms; ignored pixels leave every statistic; an all-ignored
        batch gives 0 with the graph connected; an empty target costs its soft false-positive fraction ``P/n``.

    References:
        Rahman & Wang, Optimizing Intersection-Over-Union in Deep Neural Networks for Image Segmentation, 2016.

    Example:
        >>> import torch
        >>> from losslab.nn import SigmoidJaccardLoss
        >>> loss = SigmoidJaccardLoss()
        >>> x = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]])
        >>> t = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]])
        >>> round(float(loss(x, t)), 4)
        0.351
    """

    key = "sigmoid_jaccard"
    function = staticmethod(F.sigmoid_jaccard_loss)

    def __init__(self, *, smooth: float = 1e-5,
                 aggregate: Aggregate = "per_image",
                 include_background: bool = True,
                 ignore_index: int = -100,
                 class_weight: torch.Tensor | None = None,
                 reduction: Reduction = "mean",
                 distributed: bool = False,
                 validate: bool = True) -> None:
        super().__init__(smooth=smooth, aggregate=aggregate,
                         include_background=include_background, ignore_index=ignore_index,
                         class_weight=class_weight, reduction=reduction,
                         distributed=distributed, validate=validate)


class SoftmaxJaccardLoss(LossModule):
    """Jaccard (soft IoU) loss on softmax probabilities.

    Unreduced loss: ℓ = 1 − (I + s)/(P + T − I + s) per (image, class); ``P/n`` for an absent class (see
    ``losslab.functional.softmax_jaccard_loss``).

    Args:
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"`` (statistics summed over the batch).
        include_background: keep channel 0 in the loss. Default ``True``.
        ignore_index: target value of ignored pixels. Default ``-100``.
        class_weight: per-class weight, shape ``(C,)``. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: value checks of the target (costs a pass). Default ``True``.

    Shape:
        ``input``: ``(N, C, *spatial)``; ``target``: class indices ``(N, *spatial)`` or one-hot ``(N, C,
        *spatial)``; optional ``weight=`` in ``forward`` broadcastable to the unreduced loss; output: scalar,
        or ``(N, C')`` per (image, class) (``(C',)`` batch) with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` over counted terms; ignored pixels leave every statistic; an all-ignored
        batch gives 0 with the graph connected; an empty target costs its soft false-positive fraction ``P/n``.

    References:
        Rahman & Wang, Optimizing Intersection-Over-Union in Deep Neural Networks for Image Segmentation, 2016.

    Example:
        >>> import torch
        >>> from losslab.nn import SoftmaxJaccardLoss
        >>> loss = SoftmaxJaccardLoss()
        >>> x = torch.tensor([[[[2.0, -1.0]], [[0.0, 1.0]]]])
        >>> t = torch.tensor([[[0, 1]]])
        >>> round(float(loss(x, t)), 4)
        0.213
    """

    key = "softmax_jaccard"
    function = staticmethod(F.softmax_jaccard_loss)

    def __init__(self, *, smooth: float = 1e-5,
                 aggregate: Aggregate = "per_image",
                 include_background: bool = True,
                 ignore_index: int = -100,
                 class_weight: torch.Tensor | None = None,
                 reduction: Reduction = "mean",
                 distributed: bool = False,
                 validate: bool = True) -> None:
        super().__init__(smooth=smooth, aggregate=aggregate,
                         include_background=include_background, ignore_index=ignore_index,
                         class_weight=class_weight, reduction=reduction,
                         distributed=distributed, validate=validate)


class SigmoidTverskyLoss(LossModule):
    """Tversky loss on sigmoid probabilities (alpha weighs false positives, beta false negatives).

    Unreduced loss: ℓ = 1 − (TP + s)/(TP + α·FP + β·FN + s) per (image, class); ``P/n`` for an empty target
    (see ``losslab.functional.sigmoid_tversky_loss``).

    Args:
        alpha: weight of the false positives, ``>= 0``. Default ``0.3``.
        beta: weight of the false negatives, ``>= 0``. Default ``0.7``.
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"`` (statistics summed over the batch).
        include_background: keep channel 0 in the loss. Default ``True``.
        ignore_index: target value of ignored pixels. Default ``-100``.
        class_weight: per-class weight, shape ``(C,)``. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: value checks of the target (costs a pass). Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, C, *spatial)`` (masks in ``[0, 1]``); optional ``weight=`` in ``forward``
        broadcastable to the unreduced loss; output: scalar, or ``(N, C')`` per (image, class) (``(C',)``
        batch) with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` over counted terms; ignored pixels leave every statistic; an all-ignored
        batch gives 0 with the graph connected; an empty target costs its soft false-positive fraction ``P/n``.

    References:
        Salehi, Erdogmus & Gholipour, Tversky loss function for image segmentation using 3D fully
        convolutional deep networks, 2017.

    Example:
        >>> import torch
        >>> from losslab.nn import SigmoidTverskyLoss
        >>> loss = SigmoidTverskyLoss()
        >>> x = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]])
        >>> t = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]])
        >>> round(float(loss(x, t)), 4)
        0.2275
    """

    key = "sigmoid_tversky"
    function = staticmethod(F.sigmoid_tversky_loss)

    def __init__(self, *, alpha: float = 0.3,
                 beta: float = 0.7,
                 smooth: float = 1e-5,
                 aggregate: Aggregate = "per_image",
                 include_background: bool = True,
                 ignore_index: int = -100,
                 class_weight: torch.Tensor | None = None,
                 reduction: Reduction = "mean",
                 distributed: bool = False,
                 validate: bool = True) -> None:
        super().__init__(alpha=alpha, beta=beta, smooth=smooth, aggregate=aggregate,
                         include_background=include_background, ignore_index=ignore_index,
                         class_weight=class_weight, reduction=reduction,
                         distributed=distributed, validate=validate)


class SoftmaxTverskyLoss(LossModule):
    """Tversky loss on softmax probabilities (alpha weighs false positives, beta false negatives).

    Unreduced loss: ℓ = 1 − (TP + s)/(TP + α·FP + β·FN + s) per (image, class); ``P/n`` for an absent class
    (see ``losslab.functional.softmax_tversky_loss``).

    Args:
        alpha: weight of the false positives, ``>= 0``. Default ``0.3``.
        beta: weight of the false negatives, ``>= 0``. Default ``0.7``.
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"`` (statistics summed over the batch).
        include_background: keep channel 0 in the loss. Default ``True``.
        ignore_index: target value of ignored pixels. Default ``-100``.
        class_weight: per-class weight, shape ``(C,)``. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: value checks of the target (costs a pass). Default ``True``.

    Shape:
        ``input``: ``(N, C, *spatial)``; ``target``: class indices ``(N, *spatial)`` or one-hot ``(N, C,
        *spatial)``; optional ``weight=`` in ``forward`` broadcastable to the unreduced loss; output: scalar,
        or ``(N, C')`` per (image, class) (``(C',)`` batch) with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` over counted terms; ignored pixels leave every statistic; an all-ignored
        batch gives 0 with the graph connected; an empty target costs its soft false-positive fraction ``P/n``.

    References:
        Salehi, Erdogmus & Gholipour, Tversky loss function for image segmentation using 3D fully
        convolutional deep networks, 2017.

    Example:
        >>> import torch
        >>> from losslab.nn import SoftmaxTverskyLoss
        >>> loss = SoftmaxTverskyLoss()
        >>> x = torch.tensor([[[[2.0, -1.0]], [[0.0, 1.0]]]])
        >>> t = torch.tensor([[[0, 1]]])
        >>> round(float(loss(x, t)), 4)
        0.1192
    """

    key = "softmax_tversky"
    function = staticmethod(F.softmax_tversky_loss)

    def __init__(self, *, alpha: float = 0.3,
                 beta: float = 0.7,
                 smooth: float = 1e-5,
                 aggregate: Aggregate = "per_image",
                 include_background: bool = True,
                 ignore_index: int = -100,
                 class_weight: torch.Tensor | None = None,
                 reduction: Reduction = "mean",
                 distributed: bool = False,
                 validate: bool = True) -> None:
        super().__init__(alpha=alpha, beta=beta, smooth=smooth, aggregate=aggregate,
                         include_background=include_background, ignore_index=ignore_index,
                         class_weight=class_weight, reduction=reduction,
                         distributed=distributed, validate=validate)


class SigmoidFocalTverskyLoss(LossModule):
    """Focal Tversky loss on sigmoid probabilities: the Tversky loss to the power gamma.

    Unreduced loss: ℓ = ℓ_Tversky^γ per (image, class) (see
    ``losslab.functional.sigmoid_focal_tversky_loss``).

    Args:
        alpha: weight of the false positives, ``>= 0``. Default ``0.3``.
        beta: weight of the false negatives, ``>= 0``. Default ``0.7``.
        gamma: exponent ``> 0``. Default ``0.75`` (Abraham & Khan's 1/γ with γ = 4/3).
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"`` (statistics summed over the batch).
        include_background: keep channel 0 in the loss. Default ``True``.
        ignore_index: target value of ignored pixels. Default ``-100``.
        class_weight: per-class weight, shape ``(C,)``. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: value checks of the target (costs a pass). Default ``True``.

    Shape:
        ``input``, ``target``: ``(N, C, *spatial)`` (masks in ``[0, 1]``); optional ``weight=`` in ``forward``
        broadcastable to the unreduced loss; output: scalar, or ``(N, C')`` per (image, class) (``(C',)``
        batch) with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` over counted terms; ignored pixels leave every statistic; an all-ignored
        batch gives 0 with the graph connected; an empty target costs its soft false-positive fraction ``P/n``.

    References:
        Abraham & Khan, A Novel Focal Tversky loss function with improved Attention U-Net for lesion
        segmentation, 2019.

    Example:
        >>> import torch
        >>> from losslab.nn import SigmoidFocalTverskyLoss
        >>> loss = SigmoidFocalTverskyLoss()
        >>> x = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]])
        >>> t = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]])
        >>> round(float(loss(x, t)), 4)
        0.3294
    """

    key = "sigmoid_focal_tversky"
    function = staticmethod(F.sigmoid_focal_tversky_loss)

    def __init__(self, *, alpha: float = 0.3,
                 beta: float = 0.7,
                 gamma: float = 0.75,
                 smooth: float = 1e-5,
                 aggregate: Aggregate = "per_image",
                 include_background: bool = True,
                 ignore_index: int = -100,
                 class_weight: torch.Tensor | None = None,
                 reduction: Reduction = "mean",
                 distributed: bool = False,
                 validate: bool = True) -> None:
        super().__init__(alpha=alpha, beta=beta, gamma=gamma, smooth=smooth,
                         aggregate=aggregate, include_background=include_background,
                         ignore_index=ignore_index, class_weight=class_weight,
                         reduction=reduction, distributed=distributed, validate=validate)


class SoftmaxFocalTverskyLoss(LossModule):
    """Focal Tversky loss on softmax probabilities: the Tversky loss to the power gamma.

    Unreduced loss: ℓ = ℓ_Tversky^γ per (image, class) (see
    ``losslab.functional.softmax_focal_tversky_loss``).

    Args:
        alpha: weight of the false positives, ``>= 0``. Default ``0.3``.
        beta: weight of the false negatives, ``>= 0``. Default ``0.7``.
        gamma: exponent ``> 0``. Default ``0.75`` (Abraham & Khan's 1/γ with γ = 4/3).
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"`` (statistics summed over the batch).
        include_background: keep channel 0 in the loss. Default ``True``.
        ignore_index: target value of ignored pixels. Default ``-100``.
        class_weight: per-class weight, shape ``(C,)``. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: value checks of the target (costs a pass). Default ``True``.

    Shape:
        ``input``: ``(N, C, *spatial)``; ``target``: class indices ``(N, *spatial)`` or one-hot ``(N, C,
        *spatial)``; optional ``weight=`` in ``forward`` broadcastable to the unreduced loss; output: scalar,
        or ``(N, C')`` per (image, class) (``(C',)`` batch) with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` over counted terms; ignored pixels leave every statistic; an all-ignored
        batch gives 0 with the graph connected; an empty target costs its soft false-positive fraction ``P/n``.

    References:
        Abraham & Khan, A Novel Focal Tversky loss function with improved Attention U-Net for lesion
        segmentation, 2019.

    Example:
        >>> import torch
        >>> from losslab.nn import SoftmaxFocalTverskyLoss
        >>> loss = SoftmaxFocalTverskyLoss()
        >>> x = torch.tensor([[[[2.0, -1.0]], [[0.0, 1.0]]]])
        >>> t = torch.tensor([[[0, 1]]])
        >>> round(float(loss(x, t)), 4)
        0.2029
    """

    key = "softmax_focal_tversky"
    function = staticmethod(F.softmax_focal_tversky_loss)

    def __init__(self, *, alpha: float = 0.3,
                 beta: float = 0.7,
                 gamma: float = 0.75,
                 smooth: float = 1e-5,
                 aggregate: Aggregate = "per_image",
                 include_background: bool = True,
                 ignore_index: int = -100,
                 class_weight: torch.Tensor | None = None,
                 reduction: Reduction = "mean",
                 distributed: bool = False,
                 validate: bool = True) -> None:
        super().__init__(alpha=alpha, beta=beta, gamma=gamma, smooth=smooth,
                         aggregate=aggregate, include_background=include_background,
                         ignore_index=ignore_index, class_weight=class_weight,
                         reduction=reduction, distributed=distributed, validate=validate)
