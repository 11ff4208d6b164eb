"""Lovász losses: tractable surrogates of the Jaccard loss 1 − IoU (Berman, Rannen Triki & Blaschko, 2018).

For one *set* of pixels (one image and class, or one class over the whole batch) with errors ``e`` and
foreground ``fg``, the Lovász extension of the Jaccard loss ``Δ_J`` is ::

    L(e) = Σ_k e_(k) · g_k,    g_k = Δ_J({(1), …, (k)}) − Δ_J({(1), …, (k−1)})

with the errors sorted in decreasing order ``e_(1) >= e_(2) >= …`` (Berman et al. 2018, Alg. 1). The
hinge variant uses ``e = max(0, 1 − s·x)`` (``s = ±1`` for foreground/background) on logits ``x``; the
softmax variant uses ``e_c = |fg_c − softmax(x)_c|`` for each class ``c``.

How it is computed here (vectorised over images and classes: the one Python loop runs over blocks of at
least 2¹⁷ sorted keys, never over small sets; a set larger than a block, such as one class of a 3-D volume,
is a block of its own):

* **One sort for many sets.** The bit pattern of a non-negative float32 orders exactly like the float, so
  each error becomes an integer key ``set·2³² + 2³¹ + 2·((bits(+inf) − 2³⁰) − bits(e)) + fg`` (set index,
  decreasing error, foreground bit; built in int32 first, all same-dtype integer arithmetic). One 1-D
  integer ``torch.sort`` (a parallel radix sort on CPU, in place) then orders every set of a block at once,
  exactly, and hands back the foreground bits in sorted order without a gather. A block holds as many whole
  sets as fit in ``_SORT_BLOCK = 2¹⁷`` keys; a set of ``_SORT_ALONE = 2¹⁵`` keys or more is sorted alone, by
  its int32 keys (the same order; torch's radix sort takes int32 about 1.7x faster than int64). So the
  loop runs at most about ``keys / 2¹⁵`` times whatever the number of images and classes; blocks that fit in
  cache also sort
  faster than one large sort. For the softmax the keys are built straight from the probabilities and the
  class indices: no one-hot tensor and no error tensor. float64 errors (gradient checks, high-precision
  use) are sorted row by row with ``torch.sort`` instead.
* **Closed-form, cancellation-free g.** With ``k`` pixels seen, ``I_k`` foreground pixels not yet seen and
  ``U_k = k + I_k`` (the union), ``g_k = 1/U_k`` at a foreground pixel and ``I_k / (U_k (U_k − 1))`` at a
  background pixel: integer counts, one rounding. The reference computes ``1 − I/U`` and then differences
  of consecutive values, which in float32 loses every digit for sets of ~10⁶ pixels (batch aggregation).
* **Value and gradient in one pass.** The loss is linear in ``e`` with coefficients ``g`` (scattered back
  to pixel order), so ``∂loss/∂logits`` is formed while the value is computed; backward is a single
  multiplication by the incoming gradient and only that one logits-sized tensor is kept for it. (It is
  once-differentiable: a double backward raises.)
* **Ignored pixels** get a key above every real error, so they sort after the counted pixels of their set
  and provably receive ``g = 0``: the result equals cropping them out, value and gradient.
* **Memory.** The int32 keys take one logits-sized buffer, which the coefficients then overwrite block by
  block; a block's sort adds 8 bytes of key per error plus torch's radix-sort scratch (8-byte indices and
  two scratch buffers: 24 bytes per key), bounded by the block. The probabilities are dropped before the
  sort and recomputed after it. Backward keeps one logits-sized tensor.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

from .._numerics import upcast
from .._reduction import reduce_loss
from .._validation import (
    check_binary,
    check_class_indices,
    check_class_vector,
    check_floating,
    check_index,
    check_integer,
    check_min_dim,
    check_option,
    check_probability_rows,
    check_reduction,
    check_same_shape,
    check_tensor,
    check_weight,
    fail,
)

__all__ = ["lovasz_hinge_loss", "lovasz_softmax_loss"]

_AGGREGATES = ("per_image", "batch")
# Packed sort keys. A non-negative float32's bit pattern b orders like the float. With
# h = (bits(+inf) − 2³⁰) − b ∈ [1 − 2³⁰, 0x3F800000], the int32 2h + fg orders by decreasing error, then
# background before foreground, and fits int32 exactly; ignored pixels get _IGNORED32 above all of them.
# The int64 key adds set·2³² + 2³¹ (non-negative, low bit untouched), so one sort orders every set.
_BITS_OFFSET = 0x7F800000 - 2**30
_IGNORED32 = 2 * (_BITS_OFFSET + 1) + 2
_SORT_BLOCK = 1 << 17  # keys sorted at once (whole sets; a larger set is sorted alone)
_SORT_ALONE = 1 << 15  # sets from this size are sorted alone, by int32 keys (torch's radix-sort threshold)


# -- the Lovász machinery ---------------------------------------------------------------------------
def _mark_keys(key32: Tensor, fg: Tensor, ignored: Tensor | None) -> Tensor:
    """In place: the int32 sort keys ``2h + fg`` of float32 errors (see the module notes); returns ``key32``.

    ``key32``: ``(N, C, P)`` int32 ``h = (bits(+inf) − 2³⁰) − bits(e)`` of the non-negative errors ``e``.
    ``fg``: ``(N, C, P)`` bool foreground, or ``(N, 1, P)`` int64 class indices (foreground of class ``c`` =
    index ``== c``: no one-hot tensor is formed). ``ignored``: ``None`` or bool broadcastable to
    ``(N, C, P)``: those pixels get a key above every counted pixel of their set and no foreground bit.
    Same-dtype integer arithmetic throughout: bool masks and mixed-dtype in-place ops are an order of
    magnitude slower on CPU.
    """
    key32.mul_(2)
    if fg.dtype == torch.bool:
        key32.add_(fg.to(torch.int32))  # the free low bit: foreground
    else:
        key32.scatter_add_(1, fg, torch.ones(fg.shape, dtype=torch.int32, device=fg.device))
    if ignored is not None:
        valid = (~ignored).to(torch.int32)
        key32.mul_(valid).add_(valid.sub_(1).mul_(-_IGNORED32))
    return key32


def _coefficients_by_sort(key32: Tensor, per_image: bool) -> Tensor:
    """The Lovász coefficients ``g`` ``(N, C, P)`` float32 in pixel order, written over the int32 keys.

    ``key32``: the ``(N, C, P)`` keys of :func:`_mark_keys` (consumed: ``g`` takes its memory). Whole sets
    (rows ``n·C + c`` per image, columns ``c`` over the batch) are sorted in blocks of about
    ``_SORT_BLOCK`` keys, each block with one 1-D int64 sort (a radix sort on CPU) of the keys plus
    ``set·2³² + 2³¹``: the sort's scratch (32 bytes per key) is bounded by the block, not by the input.
    """
    N, C, P = key32.shape
    g = key32.view(torch.float32)  # block b's coefficients overwrite block b's keys, after they are read
    if per_image:
        keys, coefs = key32.view(N * C, P), g.view(N * C, P)
    else:  # set c is column c: (C, N, P) views
        keys, coefs = key32.transpose(0, 1), g.transpose(0, 1)
    n_sets, set_size = (N * C, P) if per_image else (C, N * P)
    step = 1 if set_size >= _SORT_ALONE else max(1, _SORT_BLOCK // max(1, set_size))
    for lo in range(0, n_sets, step):
        hi = min(n_sets, lo + step)
        if hi - lo == 1:  # one set: its int32 keys as they are (torch sorts int32 1.7x faster than int64)
            flat = keys[lo].reshape(-1).clone()
        else:
            key = keys[lo:hi].reshape(hi - lo, set_size).to(torch.int64, memory_format=torch.contiguous_format)
            key += ((torch.arange(hi - lo, device=key.device, dtype=torch.int64) << 32) + 2**31).view(-1, 1)
            flat = key.view(-1)
        perm = torch.empty_like(flat, dtype=torch.int64)
        torch.sort(flat, out=(flat, perm))  # in place: saves a key-sized buffer
        fg_sorted = flat.bitwise_and_(1).to(torch.uint8).view(hi - lo, set_size)
        del flat
        coef = _lovasz_gradient(fg_sorted, torch.float32).view(-1)
        block = torch.empty_like(coef).scatter_(0, perm, coef)
        coefs[lo:hi].copy_(block.view(coefs[lo:hi].shape))
    return g


def _coefficients_by_rows(err: Tensor, fg: Tensor, ignored: Tensor | None, per_image: bool) -> Tensor:
    """:func:`_coefficients_by_sort` for float64 errors ``err`` ``(N, C, P)`` (``fg`` and ``ignored`` as
    :func:`_mark_keys`): a stable ``torch.sort`` of each set's row, gradient in ``err``'s dtype."""
    N, C, P = err.shape
    sets, size = (N * C, P) if per_image else (C, N * P)
    if fg.dtype != torch.bool:
        fg = torch.zeros(err.shape, dtype=torch.bool, device=err.device).scatter_(1, fg, True)
    if ignored is not None:
        err = err.masked_fill(ignored, -1.0)
        fg = fg & ~ignored
    if per_image:
        rows, fg_rows = err.view(sets, size), fg.view(sets, size)
    else:
        rows, fg_rows = err.transpose(0, 1).reshape(sets, size), fg.transpose(0, 1).reshape(sets, size)
    _, perm = torch.sort(rows, dim=-1, descending=True, stable=True)
    fg_sorted = fg_rows.gather(-1, perm)
    coef = torch.empty_like(rows).scatter_(-1, perm, _lovasz_gradient(fg_sorted.view(torch.uint8), err.dtype))
    return coef.view(N, C, P) if per_image else coef.view(C, N, P).transpose(0, 1)


def _lovasz_gradient(fg_sorted: Tensor, dtype: torch.dtype) -> Tensor:
    """``g_k = Δ_J(first k) − Δ_J(first k − 1)`` for each sorted set, from integer counts (no cancellation).

    ``fg_sorted``: ``(sets, size)`` uint8 0/1. With ``I_k`` the foreground pixels not among the first
    ``k`` and ``U_k = k + I_k`` (the union), ``Δ_J(first k) = k / U_k`` and
    ``g_k = 1/U_k`` (foreground) or ``I_k / (U_k (U_k − 1))`` (background; ``1/U_1`` at ``k = 1``).
    """
    size = fg_sorted.shape[-1]
    seen = fg_sorted.cumsum(-1, dtype=torch.int32)
    unseen = torch.sub(seen[:, -1:], seen).to(dtype)  # I_k (exact counts; float32 exact below 2**24)
    del seen
    union_m1 = unseen + torch.arange(size, device=fg_sorted.device, dtype=dtype)  # U_k − 1
    g = unseen.div_(union_m1)  # I/(U − 1); 0/0 can only occur at k = 1, set just below
    g[:, :1] = 1.0
    g.lerp_(torch.ones((), dtype=dtype, device=g.device), fg_sorted.to(dtype))  # foreground: 1
    return g.div_(union_m1.add_(1.0))


def _set_coefficients(counted: Tensor, class_weight: Tensor | None, dtype: torch.dtype) -> tuple[Tensor, Tensor]:
    """Per set weight ``w_c / Σ_{counted c'} w_c'`` (0 for sets not counted) and the per-row counted flag."""
    w = counted.to(dtype) if class_weight is None else counted * class_weight.to(dtype)
    den = w.sum(-1, keepdim=True)
    return w / torch.where(den > 0, den, torch.ones_like(den)), (den > 0).squeeze(-1)


def _total(x: Tensor, per_image: bool) -> Tensor:
    return x.sum(dim=tuple(range(1, x.dim()))) if per_image else x.sum()


def _float_mask(mask: Tensor, dtype: torch.dtype) -> Tensor:
    return mask.view(torch.uint8).to(dtype)  # bool → float through uint8: the direct cast is much slower


def _float_bits_key(err: Tensor) -> Tensor:
    return torch.rsub(err.view(torch.int32), _BITS_OFFSET)  # int32 (bits(+inf) − 2³⁰) − bits(e)


def _softmax_probs(x: Tensor, ignored: Tensor | None) -> Tensor:
    p = torch.softmax(x, dim=1)
    return p if ignored is None else p.mul_(_float_mask(~ignored, x.dtype))  # ignored pixels: p = 0


def _softmax_kernel(x: Tensor, index: Tensor, ignored: Tensor | None, coef: Tensor, per_image: bool,
                    need_grad: bool) -> tuple[Tensor, Tensor | None]:
    """Per-image (or batch) Lovász-softmax value and its gradient w.r.t. the logits ``x`` ``(N, C, P)``."""
    p = _softmax_probs(x, ignored)
    p_t = p.gather(1, index)  # (N, 1, P)
    e_t = 1.0 - p_t  # error of the true class; every other class's error is its probability
    if x.dtype == torch.float32:
        key32 = _float_bits_key(p).scatter_(1, index, _float_bits_key(e_t))
        del p  # recomputed below: one softmax is cheaper than holding p through the sort
        g = _coefficients_by_sort(_mark_keys(key32, index, ignored), per_image)
        del key32
        p = _softmax_probs(x, ignored)
    else:
        g = _coefficients_by_rows(p.clone().scatter_(1, index, e_t), index, ignored, per_image).contiguous()
    g.mul_(coef.unsqueeze(-1))
    g_t = g.gather(1, index)
    g.scatter_(1, index, 0.0).mul_(p)  # g·p of the background classes
    bg = g.sum(1, keepdim=True)
    value = _total(bg + g_t * e_t, per_image)  # Σ g·e without cancellation: every term >= 0
    if not need_grad:
        return value, None
    gp_t = g_t * p_t
    g.scatter_(1, index, -gp_t)  # v·p with v = ∂value/∂p = ±g
    return value, g.addcmul_(p, bg - gp_t, value=-1.0)  # softmax backward: p ⊙ (v − Σ_c p v)


def _minus_signs(fg: Tensor, dtype: torch.dtype) -> Tensor:
    return _float_mask(fg, dtype).mul_(-2.0).add_(1.0)  # −s = 1 − 2·fg


def _hinge_errors(x: Tensor, fg: Tensor, ignored: Tensor | None) -> Tensor:
    err = (x * _minus_signs(fg, x.dtype)).add_(1.0).clamp_min_(0.0)  # max(0, 1 − s·x), never −0.0
    return err if ignored is None else err.mul_(_float_mask(~ignored, x.dtype))


def _hinge_kernel(x: Tensor, fg: Tensor, ignored: Tensor | None, coef: Tensor, per_image: bool,
                  need_grad: bool) -> tuple[Tensor, Tensor | None]:
    """Per-image (or batch) Lovász-hinge value and its gradient w.r.t. the logits ``x`` ``(N, C, P)``."""
    if x.dtype == torch.float32:
        key32 = _mark_keys(_float_bits_key(_hinge_errors(x, fg, ignored)), fg, ignored)
        g = _coefficients_by_sort(key32, per_image)
        del key32
    else:
        g = _coefficients_by_rows(_hinge_errors(x, fg, ignored), fg, ignored, per_image).contiguous()
    g.mul_(coef.unsqueeze(-1))
    err = _hinge_errors(x, fg, ignored)  # recomputed: cheaper than holding it through the sort
    if per_image:
        value = torch.linalg.vecdot(g.view(x.shape[0], -1), err.view(x.shape[0], -1))  # bmm: 30x slower here
    else:
        value = torch.dot(g.view(-1), err.view(-1))
    if not need_grad:
        return value, None
    return value, g.mul_(err.sign_()).mul_(_minus_signs(fg, x.dtype))  # −s·g where e > 0, 0 where e = 0


class _Lovasz(torch.autograd.Function):
    """Runs a kernel returning ``(value, ∂value/∂x summed against ones per image)``; backward scales it."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, kernel: Callable[..., Any], args: tuple[Any, ...]) -> Tensor:
        value, grad = kernel(x, *args, need_grad=ctx.needs_input_grad[0])
        if grad is not None:
            ctx.save_for_backward(grad)
        return value

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor | None, None, None]:
        (grad,) = ctx.saved_tensors
        return grad * grad_output.reshape(grad_output.shape + (1,) * (grad.dim() - grad_output.dim())), None, None


def _run(fn: str, kernel: Callable[..., Any], x: Tensor, args: tuple[Any, ...], counted: Tensor,
         class_weight: Tensor | None, per_image: bool, weight: Tensor | None, reduction: str) -> Tensor:
    coef, counted_rows = _set_coefficients(counted, class_weight, x.dtype)
    if x.numel() == 0:
        value = x.sum(dim=(1, 2)) if per_image else x.sum()
    else:
        value = _Lovasz.apply(x, kernel, (*args, coef, per_image))
    mask = counted_rows if per_image else counted_rows.reshape(())
    return reduce_loss(value, reduction, weight=weight, mask=mask, fn=fn)


def _flat(input: Tensor, N: int, C: int, P: int) -> Tensor:
    """The logits as a contiguous ``(N, C, P)`` float32/float64 tensor (channels-last or sliced inputs are
    copied: the kernels take views of it)."""
    x = upcast(input).reshape(N, C, P)
    return (x if x.dtype in (torch.float32, torch.float64) else x.float()).contiguous()


def _check_common(fn: str, input: Tensor, aggregate: str, ignore_index: int | None, reduction: str) -> int | None:
    """Check the common arguments; returns ``ignore_index`` as an ``int`` (or ``None``)."""
    check_floating(fn, "input", input)
    check_min_dim(fn, "input", input, 2, "(N, C, *spatial)")
    check_option(fn, "aggregate", aggregate, _AGGREGATES)
    check_reduction(fn, reduction)
    return check_index(fn, "ignore_index", ignore_index, allow_none=True, int64=True)


# -- public functions ------------------------------------------------------------------------------
def lovasz_softmax_loss(input: Tensor, target: Tensor, *, aggregate: Literal["per_image", "batch"] = "batch",
                        classes: Literal["present", "all"] = "present", class_weight: Tensor | None = None,
                        ignore_index: int | None = -100, weight: Tensor | None = None,
                        reduction: Literal["mean", "sum", "none"] = "mean", validate: bool = True) -> Tensor:
    """Lovász-softmax loss: the Lovász extension of the Jaccard loss of each class, on softmax errors.

    For each set ``S`` (one class of one image with ``aggregate="per_image"``, one class over the whole
    batch with ``"batch"``), with ``p = softmax(input, dim=1)``, ``e_i = |[target_i = c] − p_ci|`` over the
    counted pixels of ``S``, sorted decreasingly::

        ℓ_S = Σ_k e_(k) · (Δ_J(first k) − Δ_J(first k − 1)),   Δ_J(A) = 1 − |F \\ A| / |F ∪ A|

        loss_image (or loss_batch) = Σ_c w_c ℓ_{S_c} / Σ_c w_c     over the counted classes c

    where ``F`` is the set's foreground. At a hard prediction (``e ∈ {0, 1}``) ``ℓ_S = 1 − IoU`` of that
    class; in general it is the tightest convex extension of ``1 − IoU`` in ``e``.

    Args:
        input: logits ``(N, C, *spatial)``, any number (>= 0) of spatial dimensions; float16/bfloat16 are
            computed in float32.
        target: class indices ``(N, *spatial)`` (integer dtype), or a one-hot ``(N, C, *spatial)`` tensor.
        aggregate: ``"batch"`` (default, as the reference's ``per_image=False``): one set per class over the
            whole batch, the result is one value; ``"per_image"``: one set per class and image, one value
            per image.
        classes: ``"present"`` (default, as the reference): average over the classes present in the
            set's (non-ignored) target; ``"all"``: over every class — an absent class then costs its
            largest probability ``max_i p_ci``.
        class_weight: optional ``(C,)`` non-negative weights of the class average (a weighted mean).
        ignore_index: index-target value whose pixels are left out (default ``-100``, as
            ``softmax_cross_entropy``); ``None`` leaves nothing out. Not used with one-hot targets.
        weight: optional per-image weight broadcastable to ``(N,)`` (``"per_image"``) or a 0-d tensor
            (``"batch"``), applied by the reduction.
        reduction: ``"mean"`` | ``"sum"`` | ``"none"``, over images (``"per_image"``); with ``"batch"``
            there is a single value and all three return it (0-d).
        validate: check the class-index range (or the one-hot rows) of ``target`` (a pass over the data).

    Shape:
        input ``(N, C, *spatial)``; target ``(N, *spatial)`` or ``(N, C, *spatial)``; output ``()``,
        or ``(N,)`` with ``reduction="none"`` and ``aggregate="per_image"``.

    Convention:
        ``"mean"`` is ``Σ w_n ℓ_n / Σ w_n`` over the counted images; an image with no counted class (all
        its pixels ignored) leaves numerator and denominator — exactly as if it were cropped out of the
        batch (the reference averages a 0 for it) — and an all-ignored batch gives 0 with the graph
        connected. Ignored pixels leave every statistic: the value and gradient equal those with the
        pixels removed (their logits must still be finite). Classes absent from a set are skipped with ``classes="present"``. The loss takes
        logits (the reference takes probabilities) and is float32 (float64 for float64 input). Ties
        between equal errors do not change the value; at a tie the gradient is one valid subgradient.
        kornia's ``lovasz_softmax_loss`` equals ``aggregate="per_image", classes="all"`` without
        ignored pixels. Differentiable once (no double backward).

    References:
        Berman, Rannen Triki & Blaschko, The Lovász-Softmax loss: A tractable surrogate for the optimization
        of the intersection-over-union measure in neural networks, CVPR 2018.

    Example:
        >>> import torch
        >>> logits = torch.tensor([[[2.0, -1.0, 0.5, 1.0], [-1.0, 2.0, 0.5, -1.0]]])  # (1, 2, 4)
        >>> target = torch.tensor([[0, 1, 1, 0]])
        >>> round(float(lovasz_softmax_loss(logits, target)), 4)
        0.2539
    """
    fn = "lovasz_softmax_loss"
    ignore_index = _check_common(fn, input, aggregate, ignore_index, reduction)
    check_option(fn, "classes", classes, ("present", "all"))
    N, C, spatial = input.shape[0], input.shape[1], tuple(input.shape[2:])
    P = math.prod(spatial)
    class_weight = check_class_vector(fn, "class_weight", class_weight, C)
    if isinstance(target, Tensor) and target.dim() == input.dim():
        check_same_shape(fn, input, target)
        if validate:
            check_binary(fn, "target", target)
            check_probability_rows(fn, "target", target, dim=1)
        hot = target.view(torch.uint8) if target.dtype == torch.bool else target
        index, ignored = hot.argmax(1).reshape(N, 1, P).contiguous(), None
    else:
        check_integer(fn, "target", target)
        if tuple(target.shape) != (N, *spatial):
            fail(fn, "`target` shape", f"{(N, *spatial)} (class indices) or {tuple(input.shape)} (one-hot)",
                 tuple(target.shape))
        index = target.reshape(N, 1, P).long().contiguous()  # the kernels take views of it
        ignored = None if ignore_index is None else index == ignore_index
        if ignored is not None and bool(ignored.any()):
            index = index.masked_fill(ignored, 0)
        else:
            ignored = None
        if validate and index.numel():
            lo, hi = torch.aminmax(index)  # one pass; the precise message comes from the shared check
            if int(lo) < 0 or int(hi) >= C:
                check_class_indices(fn, "target", target.long(), C, ignore_index)
    per_image = aggregate == "per_image"
    check_weight(fn, weight, (N,) if per_image else (), validate)
    x = _flat(input, N, C, P)
    valid = None if ignored is None else _float_mask(~ignored, x.dtype).view(N, P)
    if classes == "present":
        counts = torch.zeros(N, C, dtype=x.dtype, device=x.device)
        counts.scatter_add_(1, index.view(N, P), torch.ones_like(index.view(N, P), dtype=x.dtype)
                            if valid is None else valid)
        counted = counts > 0 if per_image else counts.sum(0, keepdim=True) > 0
    else:
        n_valid = torch.full((N,), x.shape[-1], dtype=x.dtype, device=x.device) if valid is None else valid.sum(-1)
        counted = (n_valid > 0 if per_image else (n_valid.sum() > 0).view(1)).unsqueeze(-1).expand(-1, C)
    return _run(fn, _softmax_kernel, x, (index, ignored), counted, class_weight, per_image, weight, reduction)


def lovasz_hinge_loss(input: Tensor, target: Tensor, *, aggregate: Literal["per_image", "batch"] = "per_image",
                      class_weight: Tensor | None = None, ignore_index: int | None = -100,
                      weight: Tensor | None = None, reduction: Literal["mean", "sum", "none"] = "mean",
                      validate: bool = True) -> Tensor:
    """Lovász hinge loss: the Lovász extension of the Jaccard loss on the hinge errors of binary logits.

    For each set ``S`` (one channel of one image with ``aggregate="per_image"``, one channel over the
    batch with ``"batch"``), with ``s_i = 2·target_i − 1`` and hinge errors ``e_i = max(0, 1 − s_i x_i)``
    over the counted pixels, sorted decreasingly::

        ℓ_S = Σ_k e_(k) · (Δ_J(first k) − Δ_J(first k − 1)),   Δ_J(A) = 1 − |F \\ A| / |F ∪ A|

        loss_image (or loss_batch) = Σ_c w_c ℓ_{S_c} / Σ_c w_c     over the counted channels c

    Each channel is its own binary problem (multi-label segmentation); with one channel this is the
    reference's ``lovasz_hinge``. Logits of the right sign with margin >= 1 give 0.

    Args:
        input: logits ``(N, C, *spatial)``, any number (>= 0) of spatial dimensions; float16/bfloat16 are
            computed in float32.
        target: binary masks of the same shape (float, integer or bool), values 0/1 or ``ignore_index``.
        aggregate: ``"per_image"`` (default, as the reference's ``per_image=True``): one set per image and
            channel, one value per image; ``"batch"``: one set per channel over the whole batch.
        class_weight: optional ``(C,)`` non-negative weights of the channel average (a weighted mean).
        ignore_index: target value whose pixels are left out (default ``-100``; must not be 0 or 1);
            ``None`` leaves nothing out.
        weight: optional per-image weight broadcastable to ``(N,)`` (``"per_image"``) or a 0-d tensor
            (``"batch"``), applied by the reduction.
        reduction: ``"mean"`` | ``"sum"`` | ``"none"``, over images (``"per_image"``); with ``"batch"``
            there is a single value and all three return it (0-d).
        validate: check that the target is binary apart from ``ignore_index`` (a pass over the data).

    Shape:
        input and target ``(N, C, *spatial)``; output ``()``, or ``(N,)`` with ``reduction="none"`` and
        ``aggregate="per_image"``.

    Convention:
        ``"mean"`` is ``Σ w_n ℓ_n / Σ w_n`` over the counted images; an image whose pixels are all ignored
        leaves numerator and denominator (as if cropped; the reference averages a 0 for it), and an
        all-ignored batch gives 0 with the graph connected. Ignored pixels leave every statistic (value and
        gradient equal those with the pixels removed; their logits must still be finite). An empty target (no foreground) still costs
        ``max(0, 1 + max_i x_i)``: a false positive on an empty image is penalised and gets the gradient.
        Convex in the logits (the Jaccard loss is submodular and non-decreasing, so its Lovász extension is
        convex and non-decreasing in ``e >= 0``, and each hinge error is convex). Ties between equal
        errors do not change the value; the gradient is then one valid subgradient. kornia's
        ``lovasz_hinge_loss`` equals one channel with ``aggregate="per_image"`` and no ignored pixels.
        Differentiable once (no double backward).

    References:
        Berman, Rannen Triki & Blaschko, The Lovász-Softmax loss: A tractable surrogate for the optimization
        of the intersection-over-union measure in neural networks, CVPR 2018.
        Yu & Blaschko, Learning Submodular Losses with the Lovász Hinge, ICML 2015.

    Example:
        >>> import torch
        >>> logits = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]])  # (1, 1, 2, 2)
        >>> target = torch.tensor([[[[1.0, 1.0], [0.0, 0.0]]]])
        >>> round(float(lovasz_hinge_loss(logits, target)), 4)
        1.25
    """
    fn = "lovasz_hinge_loss"
    ignore_index = _check_common(fn, input, aggregate, ignore_index, reduction)
    check_tensor(fn, "target", target)
    if target.is_complex():
        fail(fn, "`target` dtype to be", "real (floating, integer or bool)", target.dtype, TypeError)
    check_same_shape(fn, input, target)
    if ignore_index in (0, 1):
        fail(fn, "`ignore_index` other than", "0 and 1 (the mask values)", ignore_index)
    N, C = input.shape[0], input.shape[1]
    class_weight = check_class_vector(fn, "class_weight", class_weight, C)
    per_image = aggregate == "per_image"
    check_weight(fn, weight, (N,) if per_image else (), validate)
    if validate:
        check_binary(fn, "target", target, ignore_index)
    P = math.prod(input.shape[2:])
    t = target.reshape(N, C, P).contiguous()  # the masks below, and the kernels' views of them, follow its layout
    ignored = None if ignore_index is None else t == ignore_index
    if ignored is not None and not bool(ignored.any()):
        ignored = None
    fg = t > 0.5 if ignored is None else (t > 0.5) & ~ignored
    x = _flat(input, N, C, P)
    n_valid = (torch.full((N, C), x.shape[-1], device=x.device) if ignored is None
               else (~ignored).sum(-1))
    counted = n_valid > 0 if per_image else n_valid.sum(0, keepdim=True) > 0
    return _run(fn, _hinge_kernel, x, (fg, ignored), counted, class_weight, per_image, weight, reduction)
