"""The one implementation of ``reduction`` / ``weight`` / ignore-mask semantics.

Rule (stated in every loss's ``Convention:`` block):

* ``"none"``: the unreduced loss times its weight; ignored elements are exactly 0.
* ``"sum"``:  ``Σ_i w_i ℓ_i`` over the elements that are not ignored.
* ``"mean"``: ``Σ_i w_i ℓ_i / Σ_i w_i`` over the elements that are not ignored (``w_i = 1`` when no
  weight is given, so this is the plain mean over the counted elements).
* An empty or all-ignored batch (or all weights zero) reduces to ``0`` with the autograd graph
  connected (``torch.nn`` returns NaN for the mean of nothing).
"""

from __future__ import annotations

import torch

from ._validation import check_reduction


def reduce_loss(loss: torch.Tensor, reduction: str, *, weight: torch.Tensor | None = None,
                mask: torch.Tensor | None = None, fn: str = "reduce_loss") -> torch.Tensor:
    """Reduce an elementwise loss by the losslab rule.

    Args:
        loss: unreduced loss, any shape ``S``.
        reduction: ``"mean"`` | ``"sum"`` | ``"none"``.
        weight: optional non-negative weights broadcastable to ``S``.
        mask: optional boolean tensor broadcastable to ``S``; ``True`` marks counted elements.
            Values of ``loss`` at masked-out positions are never used, even if they are NaN.
        fn: the public function name, for the error message.
    """
    check_reduction(fn, reduction)
    if mask is not None:
        loss = torch.where(mask, loss, loss.new_zeros(()))
    if weight is not None:
        weight = weight.to(loss.dtype)
        loss = loss * weight
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    if weight is None and mask is None:
        return total / loss.numel() if loss.numel() else total
    if weight is None:
        count = mask.expand(loss.shape).sum(dtype=loss.dtype)
    elif mask is None:
        count = weight.expand(loss.shape).sum(dtype=loss.dtype)
    else:
        count = torch.where(mask, weight, weight.new_zeros(())).expand(loss.shape).sum(dtype=loss.dtype)
    return total / torch.where(count > 0, count, count.new_ones(()))
