"""All-reduce of set-level statistics across ``torch.distributed`` ranks, with gradient flow.

Set-level losses (Dice, Jaccard, Tversky with ``aggregate="batch"``) are functions of sums over the batch.
Under data parallelism each rank holds a slice of the batch; summing the per-rank statistics with
:func:`all_reduce_sum` before the loss makes every rank compute the loss of the whole (concatenated) batch.

Gradient convention: the backward of a sum all-reduce is a sum all-reduce (its exact adjoint). Every rank
computes the same global loss ``L``; rank ``r``'s logits receive ``Σ_q ∂L_q/∂x_r = W · ∂L/∂x_r`` (``W`` =
world size), and ``DistributedDataParallel``'s gradient *averaging* divides by ``W``, so the parameter
gradients equal those of the single-process loss on the concatenated batch.

Without an initialised process group (or with a world of one) every function here is the identity.
"""

from __future__ import annotations

import torch
import torch.distributed as dist

__all__ = ["is_distributed", "world_size", "all_reduce_sum"]


def is_distributed(group=None) -> bool:
    """``True`` when ``torch.distributed`` is initialised with more than one rank in ``group``.

    Example:
        >>> from losslab.distributed import is_distributed
        >>> is_distributed()  # no process group in a plain Python session
        False
    """
    return dist.is_available() and dist.is_initialized() and dist.get_world_size(group) > 1


def world_size(group=None) -> int:
    """Number of ranks in ``group`` (1 without an initialised process group).

    Example:
        >>> from losslab.distributed import world_size
        >>> world_size()
        1
    """
    return dist.get_world_size(group) if dist.is_available() and dist.is_initialized() else 1


class _AllReduceSum(torch.autograd.Function):
    @staticmethod
    def forward(ctx, group, tensor):  # noqa: D102
        ctx.group = group
        out = tensor.clone(memory_format=torch.contiguous_format)
        dist.all_reduce(out, op=dist.ReduceOp.SUM, group=group)
        return out

    @staticmethod
    def backward(ctx, grad):  # noqa: D102
        out = grad.clone(memory_format=torch.contiguous_format)
        dist.all_reduce(out, op=dist.ReduceOp.SUM, group=ctx.group)
        return None, out


def all_reduce_sum(*tensors: torch.Tensor, group=None) -> tuple[torch.Tensor, ...]:
    """Sum each tensor over the ranks of ``group`` in one collective, differentiably.

    Args:
        *tensors: tensors of the same dtype and device (any shapes); identical shapes on every rank.
        group: process group; default the world.

    Returns:
        The summed tensors, in order (the inputs themselves when not distributed).

    Example:
        >>> import torch
        >>> from losslab.distributed import all_reduce_sum
        >>> all_reduce_sum(torch.tensor([1.0, 2.0]))  # one process: the identity
        (tensor([1., 2.]),)
    """
    if not tensors or not is_distributed(group):
        return tensors
    flat = torch.cat([t.reshape(-1) for t in tensors])
    summed = _AllReduceSum.apply(group, flat)
    out, start = [], 0
    for t in tensors:
        out.append(summed[start:start + t.numel()].view(t.shape))
        start += t.numel()
    return tuple(out)
