"""Overlap losses for segmentation: soft Dice (and variants), generalized Dice, Jaccard, Tversky, focal Tversky.

Logits in. The name says the activation: ``sigmoid_*`` (binary and multi-label: one independent mask per
channel) or ``softmax_*`` (multi-class: one class per pixel). Any number of spatial dimensions.

Every loss is a cheap function of three per-(image, class) set statistics, computed in one pass by a
custom autograd function (one softmax/sigmoid, float32 accumulation, analytic backward, no one-hot)::

    I = Σ_i p_i t_i          (soft true positives, TP)
    P = Σ_i p_i              (predicted mass; Σ_i p_i² with ``squared=True``)
    T = Σ_i t_i              (target mass;    Σ_i t_i² with ``squared=True``)
    n = number of pixels that are not ignored

with FP = P − I and FN = T − I. Sums run over the pixels of one image (``aggregate="per_image"``) or of the
whole batch (``aggregate="batch"``, optionally all-reduced over ``torch.distributed`` ranks with
``distributed=True``).

Convention (shared by every function here):

* **Unreduced loss.** ``reduction="none"`` returns one loss per (image, class), shape ``(N, C')``, or per class
  ``(C',)`` with ``aggregate="batch"``; ``C' = C`` or ``C − 1`` without the background channel 0. The
  generalized Dice loss is one number per image: ``(N,)``, or ``()`` with ``aggregate="batch"``.
* **Reduction.** ``"mean"`` is ``Σ wℓ / Σ w`` and ``"sum"`` is ``Σ wℓ`` over the counted terms, where the
  term weight ``w`` is ``class_weight[c] · weight[term]`` (1 when not given); ``"none"`` returns ``wℓ``.
* **Ignored pixels** (``target == ignore_index``) leave every statistic, ``n`` included, so they give the
  same loss as cropping them out. A term whose pixels are all ignored (``n = 0``) is not counted (it is 0
  in ``"none"`` and leaves numerator and denominator of ``"mean"``); an all-ignored batch gives 0 with the
  graph connected and a zero gradient. For softmax losses ``ignore_index`` applies to class-index targets;
  one-hot/probability targets have no ignored pixels. For sigmoid losses an element of the mask equal to
  ``ignore_index`` is ignored (per channel).
* **Empty targets.** A term whose target is empty (``T = 0`` after ignoring) has no overlap to measure; its
  loss is the soft false-positive fraction ``P / n`` (``Σ p / n`` per pixel), which is 0 exactly when
  nothing is predicted and whose gradient ``1/n`` per pixel (before the activation) never vanishes however
  much is predicted. The smoothed Dice of an empty target, ``P / (P + s)``, has gradient ``s / (P + s)²``,
  which vanishes as ``P`` grows and is undefined for ``s = 0``; this library does not use it. So: empty
  target with empty prediction gives loss 0 (never NaN, for every ``smooth`` including 0); any false
  positive costs and is pushed down. ``smooth`` enters only the terms with a non-empty target.
* **Interplay.** ``include_background=False`` drops channel 0 from the loss after the softmax over all
  channels; ``class_weight`` has one entry per channel ``C`` (entry 0 unused without the background);
  ``ignore_index`` acts before everything else; the empty-target rule is applied per (image, class) after
  ignoring, and an empty-target term counts in the mean with its class weight like every other term.
* **Precision.** float16/bfloat16 logits are computed in float32 and the result is float32; float64
  anywhere makes the computation float64. Statistics are accumulated in the compute dtype with blocked
  summation. Loss and gradient are finite at logits of ±1e4.
* **Validation.** Shapes, dtypes, options and the range of class indices are always checked;
  ``validate=True`` (default) also checks ``[0, 1]`` masks and NaN, which costs a pass over the target.
* **Native kernels.** On CPU, sigmoid losses and softmax losses with class-index targets run their
  statistics (and the cross-entropy of the composites) and their backward as one C pass each when
  :mod:`losslab._native` can build (``LOSSLAB_NATIVE=0`` turns this off); the result equals the torch path
  to rounding.
"""

from __future__ import annotations

import ctypes
import math
import numbers
from typing import Literal, NamedTuple

import torch
from torch.autograd.function import once_differentiable

from .. import _native
from .. import distributed as _distributed
from .._numerics import compute_dtype
from .._reduction import reduce_loss
from .._validation import (
    check_bool,
    check_broadcastable,
    check_class_range,
    check_class_vector,
    check_floating,
    check_index,
    check_number,
    check_option,
    check_reduction,
    check_tensor,
    check_unit_range,
    check_weight_values,
    fail,
    named_in_errors,
)
from .classification import (
    check_pos_weight,
    sigmoid_focal_loss,
    softmax_cross_entropy,
    softmax_focal_loss,
)

Reduction = Literal["mean", "sum", "none"]
Aggregate = Literal["per_image", "batch"]
DiceTransform = Literal["none", "log_cosh", "neg_log"]
Weighting = Literal["square", "simple", "uniform"]

__all__ = [
    "sigmoid_dice_loss",
    "softmax_dice_loss",
    "sigmoid_generalized_dice_loss",
    "softmax_generalized_dice_loss",
    "sigmoid_jaccard_loss",
    "softmax_jaccard_loss",
    "sigmoid_tversky_loss",
    "softmax_tversky_loss",
    "sigmoid_focal_tversky_loss",
    "softmax_focal_tversky_loss",
    "sigmoid_dice_ce_loss",
    "sigmoid_dice_focal_loss",
    "sigmoid_tversky_ce_loss",
    "softmax_dice_ce_loss",
    "softmax_dice_focal_loss",
    "softmax_tversky_ce_loss",
]

_AGGREGATES = ("per_image", "batch")
_TRANSFORMS = ("none", "log_cosh", "neg_log")
_WEIGHTINGS = ("square", "simple", "uniform")


# ============================================================================ set statistics (private)
_BLOCK = 16  # pixels summed sequentially by the scatter-add before the pairwise reduction


def _class_sums(index: torch.Tensor, src: torch.Tensor | None, num_classes: int, dtype: torch.dtype) -> torch.Tensor:
    """``out[n, c] = Σ_s src[n, s] · [index[n, s] == c]`` without a one-hot (``src=None``: ones).

    The scatter-add runs in blocks of 16 pixels (a sequential float32 sum of 2.6·10⁵ equal terms is off by
    10⁻⁵ relative); the block sums, ``C/16`` of the logits' size, are then added pairwise in float64.
    """
    n, s = index.shape
    out = torch.zeros(n, num_classes, dtype=torch.float64, device=index.device)
    main = (s // _BLOCK) * _BLOCK
    for lo, hi, d in ((0, main, _BLOCK), (main, s, s - main)):
        if hi == lo or n == 0:
            continue
        k = (hi - lo) // d
        blocks = torch.zeros(n, k, num_classes, dtype=dtype, device=index.device)
        part = (torch.ones((), dtype=dtype, device=index.device).expand(n, k, d) if src is None
                else src[:, lo:hi].view(n, k, d))
        blocks.scatter_add_(2, index[:, lo:hi].view(n, k, d), part)
        out += blocks.sum(1, dtype=torch.float64)
    return out.to(dtype)


def _rowdot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``Σ_s a[n, c, s] · b[n, c, s]`` for ``(N, C, S)`` tensors, accurately, with a bounded temporary.

    Products are formed in chunks of about 2¹⁸ elements and summed pairwise (a BLAS dot accumulates a
    float32 sum of 2.6·10⁵ equal terms with a relative error of 4·10⁻⁵; this is within 10⁻⁷).
    """
    n, c, s = a.shape
    out = torch.zeros(n, c, dtype=torch.float64 if a.dtype == torch.float32 else a.dtype, device=a.device)
    if n * c == 0 or s == 0:
        return out.to(a.dtype)
    step = max(1024, (1 << 18) // (n * c))
    buf = torch.empty(n, c, min(step, s), dtype=a.dtype, device=a.device)
    for start in range(0, s, step):
        stop = min(s, start + step)
        chunk = buf[..., :stop - start]
        torch.mul(a[..., start:stop], b[..., start:stop], out=chunk)
        out += chunk.sum(-1)
    return out.to(a.dtype)


def _probabilities(x: torch.Tensor, activation: str, dtype: torch.dtype, valid: torch.Tensor | None) -> torch.Tensor:
    """A fresh tensor of probabilities in ``dtype``, zero at ignored pixels."""
    if activation == "softmax":
        p = torch.softmax(x, 1, dtype=dtype)
    else:
        p = torch.sigmoid(x) if x.dtype == dtype else x.to(dtype).sigmoid_()
    if valid is not None:
        p.mul_(valid.unsqueeze(1) if valid.dim() == 2 else valid)
    return p


class _SoftOverlap(torch.autograd.Function):
    """``(I, P, T)`` per (image, class) from logits, with an analytic backward (``T`` is a constant).

    ``nll=True`` adds a fourth output, the per-(image, class) sums of the pixelwise cross-entropy from the
    same activation: ``−log p_t`` (softmax, class indices) or the binary cross-entropy with ``pos_weight``
    (sigmoid, a constant ``(N, C, S)`` view or ``None``); its gradient enters the same backward.

    ``target`` is ``(N, S)`` int64 class indices (softmax) or an ``(N, C, S)`` dense target; on the torch path
    ignored class indices are mapped to 0 and ignored mask elements zeroed, and ``valid`` is ``None`` or the
    boolean mask of the pixels that count.

    * **Native** (``kernels`` from :func:`_native_kernels`): forward and backward are one C pass each. For
      softmax neither keeps the probabilities: the forward reads logits and target and writes only the sums;
      the backward recomputes the softmax from the saved logits and writes the gradient, so the extra memory
      is the gradient alone. For sigmoid the forward writes ``p`` and the backward turns it into the
      gradient in place, as the torch path does. The forward runs before this function (``native`` is its
      ``(p, sums)``, see :func:`_native_forward`) so that the caller can check the target's range, which it
      reports. ``target`` is the raw target and ``ignore`` the ``ignore_index``: the kernels skip those
      elements (``valid`` is ``None``).
    * **torch**: forward computes the probabilities once and keeps them (as large as the logits); backward
      turns that buffer into the gradient in place, so the extra memory is one logits-sized tensor plus at
      most two per-pixel ``(N, S)`` buffers.

    A second backward through the same graph recomputes what the first one consumed from the saved logits.
    The backward is not itself differentiable (double backward raises).
    """

    @staticmethod
    def forward(ctx, x, target, valid, activation, squared, dtype, nll=False, pos_weight=None,  # noqa: D102
                kernels=None, ignore=None, native=None):
        ce = pt = p = None
        if native is not None:  # the native pass already ran: (p,) I, P, T and the cross-entropy sums
            p, sums = native
            inter, mass, size, ce = sums[:4]
        else:
            p = _probabilities(x, activation, dtype, valid)
            mass = _rowdot(p, p) if squared else p.sum(-1)
            if target.dim() == 2:  # class indices; p is 0 at ignored pixels, so they add nothing
                pt = p.gather(1, target.unsqueeze(1)).squeeze(1)
                inter = _class_sums(target, pt, p.shape[1], dtype)
                size = _class_sums(target, None if valid is None else valid.to(dtype), p.shape[1], dtype)
            else:
                inter = _rowdot(p, target)
                squares = squared and target.is_floating_point()  # a 0/1 mask is its own square
                size = _rowdot(target, target) if squares else target.sum(-1, dtype=dtype)
        ctx.mark_non_differentiable(size)
        ctx.save_for_backward(x, target, valid)
        ctx.config = (activation, squared, dtype, kernels, ignore)
        keep = ctx.needs_input_grad[0]
        ctx.p, ctx.pt = (p, pt) if keep else (None, None)
        ctx.pos_weight = pos_weight
        if not nll:
            return inter, mass, size
        if kernels is None and activation == "sigmoid":
            ce = _bce_sums(x, target, valid, pos_weight, dtype)
        elif kernels is None:
            ce = _class_sums(target, _neg_log_pt(x, target, valid, pt), p.shape[1], dtype)
        return inter, mass, size, ce

    @staticmethod
    @once_differentiable
    def backward(ctx, g_inter, g_mass, g_size, g_nll=None):  # noqa: D102
        x, target, valid = ctx.saved_tensors
        activation, squared, dtype, kernels, ignore = ctx.config
        g_inter, g_mass = g_inter.to(dtype), g_mass.to(dtype)
        g_nll = None if g_nll is None else g_nll.to(dtype)
        none = (None,) * 10
        if kernels is not None and activation == "softmax":
            return (_native_softmax_backward(kernels, x, target, squared, g_inter, g_mass, g_nll, ignore), *none)
        p, pt, ctx.p, ctx.pt = ctx.p, ctx.pt, None, None
        if kernels is not None:
            if p is None:  # a second backward: recompute
                p = _native_forward(kernels, activation, x, target, squared, False, ctx.pos_weight, ignore)[0]
            _native_sigmoid_backward_(kernels, p, target, squared, g_inter, g_mass, g_nll, ctx.pos_weight, ignore)
            return (p, *none)
        if p is None:  # a second backward: recompute
            p = _probabilities(x, activation, dtype, valid)
            if target.dim() == 2:
                pt = p.gather(1, target.unsqueeze(1)).squeeze(1)
        if activation == "sigmoid":
            _sigmoid_backward_(p, target, g_inter, g_mass, squared, g_nll, ctx.pos_weight)
        elif target.dim() == 2:
            _softmax_index_backward_(p, pt, target, g_inter, g_mass, squared, g_nll, valid)
        else:
            _softmax_dense_backward_(p, target, g_inter, g_mass, squared)
        return (p.to(x.dtype), *none)


def _native_kernels(x: torch.Tensor, target: torch.Tensor, activation: str, dtype: torch.dtype,
                    pos_weight: torch.Tensor | None):
    """The native kernels when they apply, else ``None`` (see :mod:`losslab._native`): CPU, contiguous
    logits in the compute dtype with at least ``_native.MIN_PIXELS`` pixels per image; softmax with class
    indices, or sigmoid with contiguous masks of the logits' dtype or bool/uint8 and a ``pos_weight`` constant
    over the pixels of each (image, class)."""
    if x.dtype != dtype or not _native.worthwhile(x):
        return None
    if activation == "softmax":
        return _native.kernels("softmax", dtype) if target.dim() == 2 else None
    if not target.is_contiguous() or (pos_weight is not None and pos_weight.stride(-1) != 0):
        return None
    return _native.kernels("sigmoid", dtype, target.dtype)


def _contiguous(*tensors: torch.Tensor | None) -> list[torch.Tensor | None]:
    return [None if t is None else t.contiguous() for t in tensors]


def _row_weight(pos_weight: torch.Tensor | None) -> torch.Tensor | None:
    """The ``(N, C)`` positive weights of a ``pos_weight`` constant along the pixels (a stride-0 view)."""
    return None if pos_weight is None else pos_weight[..., 0].contiguous()


def _native_forward(kernels, activation: str, x: torch.Tensor, t: torch.Tensor, squared: bool, nll: bool,
                    pos_weight: torch.Tensor | None, ignore: int) -> tuple[torch.Tensor | None, torch.Tensor, tuple]:
    """``(p, sums, (lo, hi, nan))`` from one native pass over raw targets (elements equal to ``ignore`` skipped).

    ``sums``: ``(5, N, C)`` in ``x``'s dtype, ``(I, P, T, cross-entropy, n)`` (cross-entropy 0 unless ``nll``;
    ``n`` the elements counted). ``p``: for sigmoid the probabilities (0 at ignored elements), ``None`` for
    softmax. ``lo, hi``: the range of the counted target values, ``nan``: whether a target value is NaN; the
    caller checks them (the kernels never index with a target value).
    """
    n, c, s = x.shape
    sums = torch.zeros(5, n, c, dtype=torch.float64)
    out = (*(v.data_ptr() for v in sums[:3]), sums[3].data_ptr() if nll else None)
    p = None
    if activation == "softmax":
        # the kernel keeps 32 bytes of partial sums per (image, class) and thread: at most a quarter of the
        # logits' size when each thread has at least 32 pixels of every image
        threads = min(_native.threads(x.numel()), max(1, s // 32))
        span, index = (ctypes.c_int64 * 2)(), _native.int64_arg(ignore)
        failed = kernels[0](x.data_ptr(), t.data_ptr(), index, n, c, s, int(squared), *out,
                            ctypes.addressof(span), threads)
        sums[4] = sums[2].sum(1, keepdim=True)
        span = (span[0], span[1], False)
        if index != ignore and float(sums[4, :, 0].sum()) < n * s:  # the clamped ignore value occurs
            span = (index, index, False)
    else:
        p = torch.empty_like(x)
        weight = _row_weight(pos_weight)
        span = (ctypes.c_double * 3)()
        failed = kernels[0](x.data_ptr(), t.data_ptr(), _native.double_arg(ignore), _native.address(weight), n, c,
                            s, int(squared), p.data_ptr(), *out, sums[4].data_ptr(), ctypes.addressof(span),
                            _native.threads(x.numel()))
        span = (span[0], span[1], bool(span[2]))
    _native.check_allocated(failed)
    return p, sums.to(x.dtype), span


def _native_softmax_backward(kernels, x, t, squared, g_inter, g_mass, g_nll, ignore) -> torch.Tensor:
    """The gradient with respect to ``x`` (as :func:`_softmax_index_backward_`), recomputed from the logits
    (the arguments of :func:`_native_forward`)."""
    n, c, s = x.shape
    grad = torch.empty_like(x)
    gs = _contiguous(g_inter, g_mass, g_nll)  # kept alive for the call
    _native.check_allocated(kernels[1](x.data_ptr(), t.data_ptr(), _native.int64_arg(ignore), n, c, s, int(squared),
                                *map(_native.address, gs), grad.data_ptr(), _native.threads(x.numel())))
    return grad


def _native_sigmoid_backward_(kernels, p, t, squared, g_inter, g_mass, g_nll, pos_weight, ignore) -> None:
    """In place, as :func:`_sigmoid_backward_` (``p`` from :func:`_native_forward`)."""
    n, c, s = p.shape
    gs, weight = _contiguous(g_inter, g_mass, g_nll), _row_weight(pos_weight)  # kept alive for the call
    kernels[1](p.data_ptr(), t.data_ptr(), _native.double_arg(ignore), _native.address(weight), n, c, s, int(squared),
               *map(_native.address, gs), _native.threads(p.numel()))


def _neg_log_pt(x: torch.Tensor, idx: torch.Tensor, valid: torch.Tensor | None, pt: torch.Tensor) -> torch.Tensor:
    """Per-pixel cross-entropy ``−log p_t`` from the forward's ``p_t`` (0 at ignored pixels).

    ``−log p_t`` is exact to rounding while ``p_t >= √tiny``; the rare pixels below (a logit gap of more
    than about 44 in float32) are recomputed as ``logsumexp(x) − x_t``, so the loss stays finite and exact
    at logits of ±1e4 where ``p_t`` underflows to 0.
    """
    tiny = torch.finfo(pt.dtype).tiny
    out = pt.clamp_min(tiny).log_().neg_()
    small = pt < tiny ** 0.5
    if valid is not None:
        small &= valid
        out.mul_(valid)
    if bool(small.any()):
        n_i, s_i = small.nonzero(as_tuple=True)
        xs = x[n_i, :, s_i].to(pt.dtype)  # (K, C)
        out[n_i, s_i] = torch.logsumexp(xs, 1) - xs.gather(1, idx[n_i, s_i].unsqueeze(1)).squeeze(1)
    return out


def _bce_sums(x: torch.Tensor, t: torch.Tensor, valid: torch.Tensor | None, pos_weight: torch.Tensor | None,
              dtype: torch.dtype) -> torch.Tensor:
    """``Σ_s ℓ[n, c, s]`` of the binary cross-entropy on logits over the counted elements.

    ``ℓ = −[w_p t log σ(x) + (1 − t) log σ(−x)] = (1 + (w_p − 1) t) softplus(x) − w_p t x``, combined per
    element (no cancellation between large sums at logits of ±1e4). Formed in chunks of about 2¹⁸ elements
    (a bounded temporary), each summed by torch's cascade sum, the chunk sums added in float64.
    """
    n, c, s = x.shape
    out = torch.zeros(n, c, dtype=torch.float64, device=x.device)
    step = max(1024, (1 << 18) // max(1, n * c))
    for lo in range(0, s, step):
        part = slice(lo, min(s, lo + step))
        xs, ts = x[..., part].to(dtype), t[..., part].to(dtype)
        loss = torch.nn.functional.softplus(xs)
        if pos_weight is None:
            loss.addcmul_(ts, xs, value=-1.0)
        else:
            ws = pos_weight[..., part]
            loss.mul_(torch.addcmul(torch.ones_like(ts), ws - 1.0, ts)).sub_(ws * ts * xs)
        if valid is not None:
            loss.mul_(valid[..., part])
        out += loss.sum(-1)
    return out.to(dtype)


def _sigmoid_backward_(p, t, g_inter, g_mass, squared, g_nll=None, pos_weight=None) -> None:
    """In place: ``p ← p(1 − p) · h + g_L ((1 + (w_p − 1) t) p − w_p t)`` with ``h = g_P (· 2p) + g_I t``.

    The second term is the binary cross-entropy's gradient (``g_L = 0`` without it; ``w_p = 1`` without
    ``pos_weight``), written ``p ← p ((1 − p) h + g_L (1 + (w_p − 1) t)) − g_L w_p t``. ``p`` and ``t`` are 0
    at ignored elements, so is the result.
    """
    tmp = torch.empty_like(p[:, 0])
    aux = None if g_nll is None else torch.empty_like(tmp)
    for c in range(p.shape[1]):
        pc, tc, gi, gm = p[:, c], t[:, c], g_inter[:, c:c + 1], g_mass[:, c:c + 1]
        torch.mul(tc, gi, out=tmp)
        if squared:
            tmp.addcmul_(pc, gm, value=2.0)
        else:
            tmp.add_(gm)
        if aux is None:
            pc.addcmul_(pc, pc, value=-1.0)
            pc.mul_(tmp)
            continue
        gl = g_nll[:, c:c + 1]
        tmp.addcmul_(tmp, pc, value=-1.0)  # (1 − p) h
        if pos_weight is None:
            pc.mul_(tmp.add_(gl))
            pc.sub_(torch.mul(tc, gl, out=aux))
        else:
            wc = pos_weight[:, c]
            torch.sub(wc, 1.0, out=aux).mul_(tc).add_(1.0)  # 1 + (w_p − 1) t
            pc.mul_(tmp.addcmul_(aux, gl))
            pc.sub_(torch.mul(wc, tc, out=aux).mul_(gl))


def _softmax_index_backward_(p, pt, idx, g_inter, g_mass, squared, g_nll=None, valid=None) -> None:
    """In place: ``p ← p ⊙ (g − Σ_c p_c g_c)`` with ``g_c = g_P,c (· 2p_c) + g_I,c [t = c]``.

    With ``b = p_t g_I,t`` and ``r = Σ_c p_c g_c``: ``grad_c = p_c (g_P,c (· 2p_c) − r) + [t = c] b``.
    The cross-entropy sums (gradient ``g_L,t (p_c − [t = c])`` per pixel) enter as ``b ← b − g_L,t``, which
    also lowers ``r`` by ``g_L,t``. ``pt`` (the forward's ``p_t``) is overwritten with ``b``.
    """
    n, c_, s = p.shape
    buf = torch.gather(g_inter, 1, idx)
    b = pt.mul_(buf)
    if g_nll is not None:
        torch.gather(g_nll, 1, idx, out=buf)
        if valid is not None:
            buf.mul_(valid)
        b.sub_(buf)
    r = buf
    if squared:
        r.copy_(b)
        tmp = torch.empty_like(r)
        for c in range(c_):
            pc = p[:, c]
            torch.mul(pc, 2.0 * g_mass[:, c:c + 1], out=tmp)
            r.addcmul_(tmp, pc)
        for c in range(c_):
            pc = p[:, c]
            torch.mul(pc, 2.0 * g_mass[:, c:c + 1], out=tmp)
            pc.mul_(tmp.sub_(r))
    else:
        torch.baddbmm(b.unsqueeze(1), g_mass.unsqueeze(1), p, out=r.unsqueeze(1))  # r = b + Σ_c p_c g_P,c
        r.neg_()  # r holds g_P,c − r after shifting by g_P,c below: no per-class temporary
        shift = torch.diff(g_mass, dim=1, prepend=torch.zeros_like(g_mass[:, :1]))
        for c in range(c_):
            r.add_(shift[:, c:c + 1])
            p[:, c].mul_(r)
    p.scatter_add_(1, idx.unsqueeze(1), b.unsqueeze(1))


def _softmax_dense_backward_(p, t, g_inter, g_mass, squared) -> None:
    """In place: ``p ← p ⊙ (g − Σ_c p_c g_c)`` with ``g_c = g_P,c (· 2p_c) + g_I,c t_c``."""
    tmp = torch.empty_like(p[:, 0])
    r = torch.zeros_like(tmp)

    def g(c: int) -> torch.Tensor:
        torch.mul(t[:, c], g_inter[:, c:c + 1], out=tmp)
        return tmp.addcmul_(p[:, c], g_mass[:, c:c + 1], value=2.0) if squared else tmp.add_(g_mass[:, c:c + 1])

    for c in range(p.shape[1]):
        r.addcmul_(p[:, c], g(c))
    for c in range(p.shape[1]):
        p[:, c].mul_(g(c).sub_(r))


class _Stats(NamedTuple):
    inter: torch.Tensor  # I = TP
    mass: torch.Tensor  # P
    size: torch.Tensor  # T
    count: torch.Tensor  # n: pixels not ignored
    ce: tuple[torch.Tensor, torch.Tensor] | None = None  # (Σ cross-entropy, its count) per (image, class), all


def _value_range(t: torch.Tensor) -> tuple[int | float, int | float]:
    """``(min, max)`` of a tensor in one pass, exact (ints for integer tensors; NaN if it holds a NaN;
    ``(0, 0)`` when empty)."""
    if t.numel() == 0:
        return 0, 0
    lo, hi = torch.aminmax(t if t.dtype != torch.bool else t.to(torch.uint8))
    return lo.item(), hi.item()


def _statistics(fn: str, logits: torch.Tensor, target: torch.Tensor, *, activation: str, squared: bool,
                ignore_index: int, include_background: bool, aggregate: str, distributed: bool,
                validate: bool, nll: bool = False, pos_weight: torch.Tensor | None = None) -> _Stats:
    """Validate, compute ``(I, P, T, n)`` per (image, class), drop the background, aggregate, all-reduce.

    ``nll=True`` (not squared; softmax with a class-index target, or sigmoid with ``pos_weight``) also fills
    ``ce`` with the per-(image, class) cross-entropy sums from the same activation and their counts.
    """
    check_floating(fn, "logits", logits)
    check_tensor(fn, "target", target)
    check_option(fn, "aggregate", aggregate, _AGGREGATES)
    ignore_index = check_index(fn, "ignore_index", ignore_index)
    for name, flag in (("include_background", include_background), ("distributed", distributed),
                       ("validate", validate)):
        check_bool(fn, name, flag)
    if logits.dim() < 2:
        fail(fn, "`logits` with at least 2 dimensions (N, C, *spatial), shape", "(N, C, ...)",
             tuple(logits.shape))
    n_img, n_cls = logits.shape[:2]
    spatial = tuple(logits.shape[2:])
    if not include_background and n_cls < 2:
        fail(fn, "at least 2 channels with `include_background=False`, `logits` shape", "(N, C >= 2, ...)",
             tuple(logits.shape))
    s = math.prod(spatial)
    x = logits.reshape(n_img, n_cls, s)
    dtype = compute_dtype(logits, target if target.is_floating_point() else None)
    device = logits.device
    valid = None
    if activation == "softmax" and target.dim() == logits.dim() - 1:  # ---- class indices
        if tuple(target.shape) != (n_img, *spatial):
            fail(fn, "class-index `target` shape (N, *spatial) =", (n_img, *spatial), tuple(target.shape))
        if target.is_floating_point() or target.is_complex() or target.dtype == torch.bool:
            fail(fn, "class-index `target` dtype to be", "an integer type (or a one-hot target of the logits' shape)",
                 target.dtype, TypeError)
        t = target.reshape(n_img, s).long()
        kernels = _native_kernels(x, t, activation, dtype, None)
        if kernels is not None:  # the kernel skips ignored pixels; the range it reports is checked below
            t = t.contiguous()
        else:
            lo, hi = _value_range(t)  # one pass: tells whether ignore_index can occur at all
            if lo <= ignore_index <= hi:
                ignored = t == ignore_index
                if bool(ignored.any()):
                    valid = ~ignored
                    t = t.masked_fill(ignored, 0)
                    lo, hi = _value_range(t)
            check_class_range(fn, "target", int(lo), int(hi), n_cls, ignore_index)
            count = (valid.sum(-1, dtype=dtype) if valid is not None
                     else torch.full((n_img,), float(s), dtype=dtype, device=device))
            count = count.unsqueeze(1).expand(n_img, n_cls)
    else:  # ------------------------------------------------------------------------ dense targets
        if tuple(target.shape) != tuple(logits.shape):
            expected = (f"{tuple(logits.shape)} (one-hot) or {(n_img, *spatial)} (class indices)"
                        if activation == "softmax" else tuple(logits.shape))
            fail(fn, "`target` shape", expected, tuple(target.shape))
        if target.is_complex():
            fail(fn, "`target` dtype to be", "floating, integer or bool", target.dtype, TypeError)
        t = target.reshape(n_img, n_cls, s)
        kernels = None  # softmax with a one-hot target has none
        if activation == "sigmoid":
            pos_weight = check_pos_weight(fn, pos_weight, tuple(logits.shape), dtype, device, validate)
            if pos_weight is not None:  # a view for the usual (C, 1, ...) or scalar shapes
                pos_weight = pos_weight.expand(logits.shape).reshape(n_img, n_cls, s)
            kernels = _native_kernels(x, t, activation, dtype, pos_weight)
        if kernels is None:  # the torch path finds ignored elements and the range here
            lo, hi = _value_range(t) if (validate or activation == "sigmoid") else (0.0, 0.0)
            if activation == "sigmoid" and lo <= ignore_index <= hi:
                ignored = t == ignore_index
                if bool(ignored.any()):
                    valid = ~ignored
                    t = torch.where(valid, t, 0).to(dtype)
                    lo, hi = _value_range(t)
            if validate:
                check_unit_range(fn, "target", lo, hi, t, ignore_index if activation == "sigmoid" else None)
            count = (valid.sum(-1, dtype=dtype) if valid is not None
                     else torch.full((n_img, n_cls), float(s), dtype=dtype, device=device))
    fused = nll and not squared and (activation == "sigmoid" or t.dim() == 2)
    native = None
    if kernels is not None:  # one pass over raw targets; the range it reports is checked here
        p, sums, (lo, hi, nan) = _native_forward(kernels, activation, x, t, squared, fused, pos_weight,
                                                 ignore_index)
        if activation == "softmax":
            check_class_range(fn, "target", int(lo), int(hi), n_cls, ignore_index)
        elif validate:
            check_unit_range(fn, "target", math.nan if nan else lo, hi, t, ignore_index)
        native, count = (p, sums), sums[4]
    inter, mass, size, *ce = _SoftOverlap.apply(x, t, valid, activation, squared, dtype, fused, pos_weight,
                                                kernels, ignore_index, native)
    ce = (ce[0], size if activation == "softmax" else count) if fused else None
    stats = _Stats(inter, mass, size, count)
    if not include_background:
        stats = _Stats(*(v[:, 1:] for v in stats[:4]))
    if aggregate == "batch":
        stats = _Stats(*(v.sum(0) for v in stats[:4]))
        if distributed:
            stats = _Stats(*_distributed.all_reduce_sum(*stats[:4]))
    return stats._replace(ce=ce)


def _term_weight(fn: str, class_weight: torch.Tensor | None, weight: torch.Tensor | None, n_cls: int,
                 include_background: bool, shape: tuple[int, ...], like: torch.Tensor) -> torch.Tensor | None:
    """``class_weight[c] · weight`` broadcast to the unreduced loss (``None`` when neither is given)."""
    cw = check_class_vector(fn, "class_weight", class_weight, n_cls)
    check_broadcastable(fn, "weight", weight, shape)
    out = None
    if cw is not None:
        out = cw.to(device=like.device, dtype=like.dtype)
        if not include_background:
            out = out[1:]
    if weight is not None:
        w = weight.to(device=like.device, dtype=like.dtype)
        out = w if out is None else out * w
    return out


def _check_common(fn: str, smooth: float, reduction: str, weight: torch.Tensor | None, validate: bool) -> float:
    check_reduction(fn, reduction)
    smooth = check_number(fn, "smooth", smooth, low=0)
    if weight is not None and validate:
        check_tensor(fn, "weight", weight)
        check_weight_values(fn, "weight", weight)
    return smooth


def _safe_div(num: torch.Tensor, den: torch.Tensor) -> torch.Tensor:
    """``num / den`` with 0 where ``den <= 0`` and no NaN/inf from it in either direction; a NaN in ``num`` or
    ``den`` (from a NaN logit) stays NaN, so that bad input shows in the loss."""
    zero = den <= 0
    return torch.where(zero, torch.zeros_like(num), num / torch.where(zero, torch.ones_like(den), den))


def _empty_and_fp_fraction(st: _Stats) -> tuple[torch.Tensor, torch.Tensor]:
    """``(T == 0, P / n)``: the empty-target mask and the soft false-positive fraction."""
    return st.size == 0, st.mass / st.count.clamp_min(1)


def _reduce(fn, loss, st, class_weight, weight, reduction, include_background, n_cls):
    w = _term_weight(fn, class_weight, weight, n_cls, include_background, tuple(loss.shape), loss)
    return reduce_loss(loss, reduction, weight=w, mask=st.count > 0, fn=fn)


def _overlap_score(st: _Stats, smooth: float, kind: str, alpha: float = 0.5, beta: float = 0.5) -> torch.Tensor:
    """Dice / Jaccard / Tversky index of the non-empty terms (1 − FP fraction for the empty ones)."""
    empty, fp_fraction = _empty_and_fp_fraction(st)
    i, p, t = st.inter, st.mass, st.size
    if kind == "dice":
        num, den = 2 * i + smooth, p + t + smooth
    elif kind == "jaccard":
        num, den = i + smooth, p + t - i + smooth
    else:  # tversky: alpha weighs FP = P − I, beta weighs FN = T − I
        num, den = i + smooth, i + alpha * (p - i) + beta * (t - i) + smooth
    den = torch.where(empty, torch.ones_like(den), den)
    score = _safe_div(num, den)
    return torch.where(empty, 1 - fp_fraction, score)


def _log_cosh(x: torch.Tensor) -> torch.Tensor:
    """``log(cosh(x))`` for any real x without overflow: ``|x| + log1p(exp(−2|x|)) − log 2``."""
    a = x.abs()
    return a + torch.log1p(torch.exp(-2 * a)) - math.log(2.0)


def _neg_log(score: torch.Tensor) -> torch.Tensor:
    return -torch.log(score.clamp_min(torch.finfo(score.dtype).tiny))


def _focal_power(x: torch.Tensor, gamma: float) -> torch.Tensor:
    """``x^γ`` for ``x >= 0`` with value and gradient 0 at ``x = 0`` (no ``0 · ∞`` for ``γ < 1``); NaN stays NaN."""
    if gamma == 1.0:
        return x.clamp_min(0)
    zero = x <= 0  # not `x > 0`: a NaN stays NaN
    base = torch.where(zero, torch.ones_like(x), x)
    return torch.where(zero, torch.zeros_like(x), base.pow(gamma))


# ============================================================================ Dice
def _dice(fn, activation, logits, target, *, smooth, aggregate, squared, transform, include_background,
          ignore_index, class_weight, weight, reduction, distributed, validate, nll=False, pos_weight=None):
    smooth = _check_common(fn, smooth, reduction, weight, validate)
    check_option(fn, "transform", transform, _TRANSFORMS)
    check_bool(fn, "squared", squared)
    st = _statistics(fn, logits, target, activation=activation, squared=squared, ignore_index=ignore_index,
                     include_background=include_background, aggregate=aggregate, distributed=distributed,
                     validate=validate, nll=nll, pos_weight=pos_weight)
    score = _overlap_score(st, smooth, "dice")
    if transform == "neg_log":
        loss = _neg_log(score)
    else:
        loss = 1 - score
        if transform == "log_cosh":
            loss = _log_cosh(loss)
    return _reduce(fn, loss, st, class_weight, weight, reduction, include_background, logits.shape[1]), st


def sigmoid_dice_loss(logits: torch.Tensor, target: torch.Tensor, *, smooth: float = 1e-5,
                      aggregate: Aggregate = "per_image", squared: bool = False, transform: DiceTransform = "none",
                      include_background: bool = True, ignore_index: int = -100,
                      class_weight: torch.Tensor | None = None, weight: torch.Tensor | None = None,
                      reduction: Reduction = "mean", distributed: bool = False, validate: bool = True) -> torch.Tensor:
    """Soft Dice loss on sigmoid probabilities (binary and multi-label segmentation).

    Unreduced loss per (image, class) with ``p = σ(logits)``, ``I = Σ p t``, ``P = Σ p`` (``Σ p²`` if
    ``squared``), ``T = Σ t`` (``Σ t²`` if ``squared``), sums over the pixels that are not ignored::

        D = (2I + smooth) / (P + T + smooth)          if T > 0
        D = 1 − P / n                                  if T = 0  (empty target: soft FP fraction)
        ℓ = 1 − D  |  log(cosh(1 − D))  |  −log D      (transform "none" | "log_cosh" | "neg_log")

    Args:
        logits: raw scores, shape ``(N, C, *spatial)``, floating; one independent channel per mask.
        target: masks of the same shape, values in ``[0, 1]`` (float, bool or integer); elements equal to
            ``ignore_index`` are ignored.
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default): statistics per image; ``"batch"``: summed over the batch.
        squared: squared denominator ``Σ p² + Σ t²`` (Milletari et al.). Default ``False``.
        transform: ``"none"`` (default), ``"log_cosh"`` (Jadon) or ``"neg_log"`` (``−log D``, finite: D is
            clamped at the smallest positive normal number).
        include_background: keep channel 0 in the loss. Default ``True``.
        ignore_index: target value of ignored elements. Default ``-100``.
        class_weight: per-channel weight of the terms, shape ``(C,)``. Default ``None``.
        weight: per-term weight broadcastable to the unreduced loss. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: with ``aggregate="batch"``, sum the statistics over ``torch.distributed`` ranks (with
            gradient flow) so the loss equals the single-process loss on the concatenated batch; no effect
            without an initialised process group or with ``aggregate="per_image"``. Default ``False``.
        validate: check that ``target`` is in ``[0, 1]`` and free of NaN (costs a pass). Default ``True``.

    Shape:
        ``logits``, ``target``: ``(N, C, *spatial)``; output: scalar, or ``(N, C')`` (``(C',)`` with
        ``aggregate="batch"``) with ``reduction="none"``, ``C' = C − 1`` without the background.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` over counted (image, class) terms, ``w = class_weight[c] · weight``.
        Ignored elements leave I, P, T and n; all-ignored terms are not counted; an all-ignored batch gives
        0 with the graph connected. Empty target: ``ℓ = P/n`` (0 iff nothing is predicted, gradient never
        vanishes) instead of the smoothed ``P/(P + s)``. Equals ``monai.losses.DiceLoss(sigmoid=True,
        smooth_nr=s, smooth_dr=s, batch=aggregate == "batch")`` on terms with a non-empty target and no
        class weight (MONAI multiplies by ``class_weight`` and takes the plain mean).

    References:
        Milletari, Navab & Ahmadi, V-Net: Fully Convolutional Neural Networks for Volumetric Medical Image
        Segmentation, 2016. Jadon, A survey of loss functions for semantic segmentation, 2020.

    Example:
        >>> import torch
        >>> from losslab.functional import sigmoid_dice_loss
        >>> logits = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]])
        >>> target = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]])
        >>> round(float(sigmoid_dice_loss(logits, target)), 4)
        0.2129
    """
    return _dice("sigmoid_dice_loss", "sigmoid", logits, target, smooth=smooth, aggregate=aggregate,
                 squared=squared, transform=transform, include_background=include_background,
                 ignore_index=ignore_index, class_weight=class_weight, weight=weight, reduction=reduction,
                 distributed=distributed, validate=validate)[0]


def softmax_dice_loss(logits: torch.Tensor, target: torch.Tensor, *, smooth: float = 1e-5,
                      aggregate: Aggregate = "per_image", squared: bool = False, transform: DiceTransform = "none",
                      include_background: bool = True, ignore_index: int = -100,
                      class_weight: torch.Tensor | None = None, weight: torch.Tensor | None = None,
                      reduction: Reduction = "mean", distributed: bool = False, validate: bool = True) -> torch.Tensor:
    """Soft Dice loss on softmax probabilities (multi-class segmentation), class-index or one-hot targets.

    Unreduced loss per (image, class) with ``p = softmax(logits)`` over the channel dimension,
    ``I = Σ p_c [t = c]``, ``P = Σ p_c`` (``Σ p_c²`` if ``squared``), ``T = Σ [t = c]``, sums over the
    pixels that are not ignored::

        D = (2I + smooth) / (P + T + smooth)          if T > 0
        D = 1 − P / n                                  if T = 0  (class absent: soft FP fraction)
        ℓ = 1 − D  |  log(cosh(1 − D))  |  −log D      (transform "none" | "log_cosh" | "neg_log")

    Args:
        logits: raw scores, shape ``(N, C, *spatial)``, floating.
        target: class indices ``(N, *spatial)`` (integer, ``ignore_index`` allowed) or one-hot/probability
            targets ``(N, C, *spatial)``. Index targets are never expanded to one-hot.
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default): statistics per image; ``"batch"``: summed over the batch.
        squared: squared denominator ``Σ p² + Σ t²`` (Milletari et al.). Default ``False``.
        transform: ``"none"`` (default), ``"log_cosh"`` (Jadon) or ``"neg_log"`` (``−log D``, finite: D is
            clamped at the smallest positive normal number).
        include_background: keep class 0 in the loss (the softmax always covers every class). Default ``True``.
        ignore_index: class index of ignored pixels (index targets). Default ``-100``.
        class_weight: per-class weight of the terms, shape ``(C,)``. Default ``None``.
        weight: per-term weight broadcastable to the unreduced loss. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: with ``aggregate="batch"``, sum the statistics over ``torch.distributed`` ranks (with
            gradient flow) so the loss equals the single-process loss on the concatenated batch; no effect
            without an initialised process group or with ``aggregate="per_image"``. Default ``False``.
        validate: check one-hot targets are in ``[0, 1]`` and free of NaN. Default ``True``. (Class
            indices are always range-checked: the pass that finds ignored pixels gives the range.)

    Shape:
        ``logits``: ``(N, C, *spatial)``; ``target``: ``(N, *spatial)`` or ``(N, C, *spatial)``; output:
        scalar, or ``(N, C')`` (``(C',)`` with ``aggregate="batch"``) with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` over counted (image, class) terms, ``w = class_weight[c] · weight``.
        Ignored pixels leave I, P, T and n (same loss as cropping them out); all-ignored images are not
        counted; an all-ignored batch gives 0 with the graph connected. A class absent from an image costs
        its soft false-positive fraction ``P/n`` (0 iff never predicted; the gradient does not vanish) and
        counts in the mean with its class weight; ``include_background=False`` drops class 0 after the
        softmax over all classes; ignoring acts first (see the module docstring).
        Equals ``monai.losses.DiceLoss(softmax=True, to_onehot_y=True, smooth_nr=s, smooth_dr=s,
        batch=aggregate == "batch")`` when every class is present in every term and no class weight is given.

    References:
        Milletari, Navab & Ahmadi, V-Net: Fully Convolutional Neural Networks for Volumetric Medical Image
        Segmentation, 2016. Jadon, A survey of loss functions for semantic segmentation, 2020.

    Example:
        >>> import torch
        >>> from losslab.functional import softmax_dice_loss
        >>> logits = torch.tensor([[[[2.0, -1.0]], [[0.0, 1.0]]]])  # (N=1, C=2, 1, 2)
        >>> target = torch.tensor([[[0, 1]]])
        >>> round(float(softmax_dice_loss(logits, target)), 4)
        0.1192
    """
    return _dice("softmax_dice_loss", "softmax", logits, target, smooth=smooth, aggregate=aggregate,
                 squared=squared, transform=transform, include_background=include_background,
                 ignore_index=ignore_index, class_weight=class_weight, weight=weight, reduction=reduction,
                 distributed=distributed, validate=validate)[0]


# ============================================================================ generalized Dice
def _generalized_dice(fn, activation, logits, target, *, smooth, aggregate, weighting, include_background,
                      ignore_index, class_weight, weight, reduction, distributed, validate):
    smooth = _check_common(fn, smooth, reduction, weight, validate)
    check_option(fn, "weighting", weighting, _WEIGHTINGS)
    st = _statistics(fn, logits, target, activation=activation, squared=False, ignore_index=ignore_index,
                     include_background=include_background, aggregate=aggregate, distributed=distributed,
                     validate=validate)
    i, p, t = st.inter, st.mass, st.size
    present = t > 0
    if weighting == "uniform":
        w = torch.ones_like(t)
    else:
        safe_t = torch.where(present, t, torch.ones_like(t))
        w = torch.where(present, 1 / (safe_t * safe_t if weighting == "square" else safe_t), torch.zeros_like(t))
        w_max = w.amax(-1, keepdim=True) if w.shape[-1] else w.sum(-1, keepdim=True)
        w = torch.where(present, w, w_max)  # absent classes get the largest weight (as MONAI)
    cw = check_class_vector(fn, "class_weight", class_weight, logits.shape[1])
    if cw is not None:
        cw = cw.to(device=w.device, dtype=w.dtype)
        w = w * (cw if include_background else cw[1:])
    num = 2 * (w * i).sum(-1) + smooth
    den = (w * (p + t)).sum(-1) + smooth
    any_target = present.any(-1)
    n_total = st.count.sum(-1)
    fp_fraction = p.sum(-1) / n_total.clamp_min(1)  # every class absent: mean soft FP fraction
    den = torch.where(any_target, den, torch.ones_like(den))
    loss = torch.where(any_target, 1 - _safe_div(num, den), fp_fraction)
    wt = _term_weight(fn, None, weight, logits.shape[1], include_background, tuple(loss.shape), loss)
    return reduce_loss(loss, reduction, weight=wt, mask=n_total > 0, fn=fn)


def sigmoid_generalized_dice_loss(logits: torch.Tensor, target: torch.Tensor, *, smooth: float = 1e-5,
                                  aggregate: Aggregate = "per_image", weighting: Weighting = "square",
                                  include_background: bool = True, ignore_index: int = -100,
                                  class_weight: torch.Tensor | None = None, weight: torch.Tensor | None = None,
                                  reduction: Reduction = "mean", distributed: bool = False,
                                  validate: bool = True) -> torch.Tensor:
    """Generalized Dice loss (Sudre et al.) on sigmoid probabilities: one class-balanced Dice per image.

    Unreduced loss per image (or for the batch) with the per-channel statistics ``I_c, P_c, T_c`` of
    ``sigmoid_dice_loss`` and weights ``w_c = 1/T_c²`` (``"square"``), ``1/T_c`` (``"simple"``) or 1
    (``"uniform"``), times ``class_weight[c]``::

        ℓ = 1 − (2 Σ_c w_c I_c + smooth) / (Σ_c w_c (P_c + T_c) + smooth)     if some T_c > 0
        ℓ = Σ_c P_c / Σ_c n_c                                                 if every T_c = 0

    A channel with an empty target gets the largest weight of the non-empty channels of the same image
    (as MONAI), so its predicted mass enlarges the denominator and is pushed down.

    Args:
        logits: raw scores, shape ``(N, C, *spatial)``, floating.
        target: masks of the same shape, values in ``[0, 1]``; elements equal to ``ignore_index`` are ignored.
        smooth: added to numerator and denominator, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"`` (statistics summed over the batch).
        weighting: ``"square"`` (default, Sudre et al.), ``"simple"`` or ``"uniform"``.
        include_background: keep channel 0. Default ``True``.
        ignore_index: target value of ignored elements. Default ``-100``.
        class_weight: extra per-channel factor on ``w_c``, shape ``(C,)``. Default ``None``.
        weight: per-image weight broadcastable to the unreduced loss. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the batch statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: check that ``target`` is in ``[0, 1]`` and free of NaN (costs a pass). Default ``True``.

    Shape:
        ``logits``, ``target``: ``(N, C, *spatial)``; output: scalar, or ``(N,)`` (``()`` with
        ``aggregate="batch"``) with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` over images that have a pixel that is not ignored; an all-ignored batch
        gives 0 with the graph connected. Equals ``monai.losses.GeneralizedDiceLoss(sigmoid=True, w_type=...,
        smooth_nr=s, smooth_dr=s, batch=aggregate == "batch")`` when some channel of every image is non-empty.

    References:
        Sudre et al., Generalised Dice overlap as a deep learning loss function for highly unbalanced
        segmentations, 2017.

    Example:
        >>> import torch
        >>> from losslab.functional import sigmoid_generalized_dice_loss
        >>> logits = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]], [[-2.0, 1.0], [-1.0, 0.0]]]])
        >>> target = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]], [[0.0, 1.0], [0.0, 0.0]]]])
        >>> round(float(sigmoid_generalized_dice_loss(logits, target)), 4)
        0.3806
    """
    return _generalized_dice("sigmoid_generalized_dice_loss", "sigmoid", logits, target, smooth=smooth,
                             aggregate=aggregate, weighting=weighting, include_background=include_background,
                             ignore_index=ignore_index, class_weight=class_weight, weight=weight,
                             reduction=reduction, distributed=distributed, validate=validate)


def softmax_generalized_dice_loss(logits: torch.Tensor, target: torch.Tensor, *, smooth: float = 1e-5,
                                  aggregate: Aggregate = "per_image", weighting: Weighting = "square",
                                  include_background: bool = True, ignore_index: int = -100,
                                  class_weight: torch.Tensor | None = None, weight: torch.Tensor | None = None,
                                  reduction: Reduction = "mean", distributed: bool = False,
                                  validate: bool = True) -> torch.Tensor:
    """Generalized Dice loss (Sudre et al.) on softmax probabilities: one class-balanced Dice per image.

    Unreduced loss per image (or for the batch) with the per-class statistics ``I_c, P_c, T_c`` of
    ``softmax_dice_loss`` and weights ``w_c = 1/T_c²`` (``"square"``), ``1/T_c`` (``"simple"``) or 1
    (``"uniform"``), times ``class_weight[c]``::

        ℓ = 1 − (2 Σ_c w_c I_c + smooth) / (Σ_c w_c (P_c + T_c) + smooth)     if some T_c > 0
        ℓ = Σ_c P_c / Σ_c n_c                                                 if every T_c = 0

    A class absent from the image gets the largest weight of the present classes (as MONAI), so its
    predicted mass enlarges the denominator and is pushed down.

    Args:
        logits: raw scores, shape ``(N, C, *spatial)``, floating.
        target: class indices ``(N, *spatial)`` or one-hot/probability targets ``(N, C, *spatial)``.
        smooth: added to numerator and denominator, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"`` (statistics summed over the batch).
        weighting: ``"square"`` (default, Sudre et al.), ``"simple"`` or ``"uniform"``.
        include_background: keep class 0 (the softmax always covers every class). Default ``True``.
        ignore_index: class index of ignored pixels (index targets). Default ``-100``.
        class_weight: extra per-class factor on ``w_c``, shape ``(C,)``. Default ``None``.
        weight: per-image weight broadcastable to the unreduced loss. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the batch statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: check one-hot targets are in ``[0, 1]`` and free of NaN. Default ``True``. (Class
            indices are always range-checked: the pass that finds ignored pixels gives the range.)

    Shape:
        ``logits``: ``(N, C, *spatial)``; ``target``: ``(N, *spatial)`` or ``(N, C, *spatial)``; output:
        scalar, or ``(N,)`` (``()`` with ``aggregate="batch"``) with ``reduction="none"``.

    Convention:
        ``"mean"`` is ``Σ wℓ / Σ w`` over images that have a pixel that is not ignored; an all-ignored batch
        gives 0 with the graph connected. Equals ``monai.losses.GeneralizedDiceLoss(softmax=True,
        to_onehot_y=True, w_type=..., smooth_nr=s, smooth_dr=s, batch=aggregate == "batch")``.

    References:
        Sudre et al., Generalised Dice overlap as a deep learning loss function for highly unbalanced
        segmentations, 2017.

    Example:
        >>> import torch
        >>> from losslab.functional import softmax_generalized_dice_loss
        >>> logits = torch.tensor([[[[2.0, -1.0, 0.0]], [[0.0, 1.0, 0.5]]]])  # (N=1, C=2, 1, 3)
        >>> target = torch.tensor([[[0, 1, 1]]])
        >>> round(float(softmax_generalized_dice_loss(logits, target)), 4)
        0.2345
    """
    return _generalized_dice("softmax_generalized_dice_loss", "softmax", logits, target, smooth=smooth,
                             aggregate=aggregate, weighting=weighting, include_background=include_background,
                             ignore_index=ignore_index, class_weight=class_weight, weight=weight,
                             reduction=reduction, distributed=distributed, validate=validate)


# ============================================================================ Jaccard
def _jaccard(fn, activation, logits, target, *, smooth, aggregate, include_background, ignore_index,
             class_weight, weight, reduction, distributed, validate):
    smooth = _check_common(fn, smooth, reduction, weight, validate)
    st = _statistics(fn, logits, target, activation=activation, squared=False, ignore_index=ignore_index,
                     include_background=include_background, aggregate=aggregate, distributed=distributed,
                     validate=validate)
    loss = 1 - _overlap_score(st, smooth, "jaccard")
    return _reduce(fn, loss, st, class_weight, weight, reduction, include_background, logits.shape[1])


def sigmoid_jaccard_loss(logits: torch.Tensor, target: torch.Tensor, *, smooth: float = 1e-5,
                         aggregate: Aggregate = "per_image", include_background: bool = True,
                         ignore_index: int = -100, class_weight: torch.Tensor | None = None,
                         weight: torch.Tensor | None = None, reduction: Reduction = "mean",
                         distributed: bool = False, validate: bool = True) -> torch.Tensor:
    """Jaccard (soft IoU) loss on sigmoid probabilities.

    Unreduced loss per (image, class) with the statistics of ``sigmoid_dice_loss``::

        ℓ = 1 − (I + smooth) / (P + T − I + smooth)   if T > 0
        ℓ = P / n                                     if T = 0  (empty target: soft FP fraction)

    Args:
        logits: raw scores, shape ``(N, C, *spatial)``, floating.
        target: masks of the same shape, values in ``[0, 1]``; elements equal to ``ignore_index`` are ignored.
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"``.
        include_background: keep channel 0. Default ``True``.
        ignore_index: target value of ignored elements. Default ``-100``.
        class_weight: per-channel weight of the terms, shape ``(C,)``. Default ``None``.
        weight: per-term weight broadcastable to the unreduced loss. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the batch statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: check that ``target`` is in ``[0, 1]`` and free of NaN (costs a pass). Default ``True``.

    Shape:
        ``logits``, ``target``: ``(N, C, *spatial)``; output: scalar, or ``(N, C')`` (``(C',)`` with
        ``aggregate="batch"``) with ``reduction="none"``.

    Convention:
        Reduction, ignored pixels and empty targets as ``sigmoid_dice_loss``. On hard masks with
        ``smooth=0``, Jaccard = Dice / (2 − Dice). Equals ``monai.losses.DiceLoss(sigmoid=True, jaccard=True,
        smooth_nr=2s, smooth_dr=2s)`` on terms with a non-empty target (MONAI's Jaccard is
        ``(2I + s')/(2(P + T − I) + s')``).

    References:
        Jaccard, The distribution of the flora in the alpine zone, 1912. Rahman & Wang, Optimizing
        Intersection-Over-Union in Deep Neural Networks for Image Segmentation, 2016.

    Example:
        >>> import torch
        >>> from losslab.functional import sigmoid_jaccard_loss
        >>> logits = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]])
        >>> target = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]])
        >>> round(float(sigmoid_jaccard_loss(logits, target)), 4)
        0.351
    """
    return _jaccard("sigmoid_jaccard_loss", "sigmoid", logits, target, smooth=smooth, aggregate=aggregate,
                    include_background=include_background, ignore_index=ignore_index, class_weight=class_weight,
                    weight=weight, reduction=reduction, distributed=distributed, validate=validate)


def softmax_jaccard_loss(logits: torch.Tensor, target: torch.Tensor, *, smooth: float = 1e-5,
                         aggregate: Aggregate = "per_image", include_background: bool = True,
                         ignore_index: int = -100, class_weight: torch.Tensor | None = None,
                         weight: torch.Tensor | None = None, reduction: Reduction = "mean",
                         distributed: bool = False, validate: bool = True) -> torch.Tensor:
    """Jaccard (soft IoU) loss on softmax probabilities, class-index or one-hot targets.

    Unreduced loss per (image, class) with the statistics of ``softmax_dice_loss``::

        ℓ = 1 − (I + smooth) / (P + T − I + smooth)   if T > 0
        ℓ = P / n                                     if T = 0  (class absent: soft FP fraction)

    Args:
        logits: raw scores, shape ``(N, C, *spatial)``, floating.
        target: class indices ``(N, *spatial)`` or one-hot/probability targets ``(N, C, *spatial)``.
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"``.
        include_background: keep class 0 (the softmax always covers every class). Default ``True``.
        ignore_index: class index of ignored pixels (index targets). Default ``-100``.
        class_weight: per-class weight of the terms, shape ``(C,)``. Default ``None``.
        weight: per-term weight broadcastable to the unreduced loss. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the batch statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: check one-hot targets are in ``[0, 1]`` and free of NaN. Default ``True``. (Class
            indices are always range-checked: the pass that finds ignored pixels gives the range.)

    Shape:
        ``logits``: ``(N, C, *spatial)``; ``target``: ``(N, *spatial)`` or ``(N, C, *spatial)``; output:
        scalar, or ``(N, C')`` (``(C',)`` with ``aggregate="batch"``) with ``reduction="none"``.

    Convention:
        Reduction, ignored pixels and empty targets as ``softmax_dice_loss``. On hard masks with
        ``smooth=0``, Jaccard = Dice / (2 − Dice). Equals ``monai.losses.DiceLoss(softmax=True,
        to_onehot_y=True, jaccard=True, smooth_nr=2s, smooth_dr=2s)`` when every class is present in every term.

    References:
        Jaccard, The distribution of the flora in the alpine zone, 1912. Rahman & Wang, Optimizing
        Intersection-Over-Union in Deep Neural Networks for Image Segmentation, 2016.

    Example:
        >>> import torch
        >>> from losslab.functional import softmax_jaccard_loss
        >>> logits = torch.tensor([[[[2.0, -1.0]], [[0.0, 1.0]]]])
        >>> target = torch.tensor([[[0, 1]]])
        >>> round(float(softmax_jaccard_loss(logits, target)), 4)
        0.213
    """
    return _jaccard("softmax_jaccard_loss", "softmax", logits, target, smooth=smooth, aggregate=aggregate,
                    include_background=include_background, ignore_index=ignore_index, class_weight=class_weight,
                    weight=weight, reduction=reduction, distributed=distributed, validate=validate)


# ============================================================================ Tversky and focal Tversky
def _tversky(fn, activation, logits, target, *, alpha, beta, gamma, smooth, aggregate, include_background,
             ignore_index, class_weight, weight, reduction, distributed, validate, nll=False, pos_weight=None):
    smooth = _check_common(fn, smooth, reduction, weight, validate)
    alpha = check_number(fn, "alpha", alpha, low=0)
    beta = check_number(fn, "beta", beta, low=0)
    if alpha + beta == 0:
        fail(fn, "`alpha + beta`", "> 0", alpha + beta)
    if gamma is not None:
        gamma = check_number(fn, "gamma", gamma, low=0, low_open=True)
    st = _statistics(fn, logits, target, activation=activation, squared=False, ignore_index=ignore_index,
                     include_background=include_background, aggregate=aggregate, distributed=distributed,
                     validate=validate, nll=nll, pos_weight=pos_weight)
    loss = 1 - _overlap_score(st, smooth, "tversky", alpha, beta)
    if gamma is not None:
        loss = _focal_power(loss, gamma)
    return _reduce(fn, loss, st, class_weight, weight, reduction, include_background, logits.shape[1]), st


def sigmoid_tversky_loss(logits: torch.Tensor, target: torch.Tensor, *, alpha: float = 0.3, beta: float = 0.7,
                         smooth: float = 1e-5, aggregate: Aggregate = "per_image", include_background: bool = True,
                         ignore_index: int = -100, class_weight: torch.Tensor | None = None,
                         weight: torch.Tensor | None = None, reduction: Reduction = "mean",
                         distributed: bool = False, validate: bool = True) -> torch.Tensor:
    """Tversky loss on sigmoid probabilities: Dice with separate weights on false positives and negatives.

    Unreduced loss per (image, class) with ``TP = I``, ``FP = P − I``, ``FN = T − I`` (soft counts)::

        ℓ = 1 − (TP + smooth) / (TP + α·FP + β·FN + smooth)   if T > 0
        ℓ = P / n                                             if T = 0  (empty target: soft FP fraction)

    ``alpha`` weighs the false positives and ``beta`` the false negatives; ``beta > alpha`` favours recall.

    Args:
        logits: raw scores, shape ``(N, C, *spatial)``, floating.
        target: masks of the same shape, values in ``[0, 1]``; elements equal to ``ignore_index`` are ignored.
        alpha: weight of the false positives, ``>= 0``. Default ``0.3``.
        beta: weight of the false negatives, ``>= 0`` (``alpha + beta > 0``). Default ``0.7``.
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"``.
        include_background: keep channel 0. Default ``True``.
        ignore_index: target value of ignored elements. Default ``-100``.
        class_weight: per-channel weight of the terms, shape ``(C,)``. Default ``None``.
        weight: per-term weight broadcastable to the unreduced loss. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the batch statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: check that ``target`` is in ``[0, 1]`` and free of NaN (costs a pass). Default ``True``.

    Shape:
        ``logits``, ``target``: ``(N, C, *spatial)``; output: scalar, or ``(N, C')`` (``(C',)`` with
        ``aggregate="batch"``) with ``reduction="none"``.

    Convention:
        Reduction, ignored pixels and empty targets as ``sigmoid_dice_loss`` (the empty-target term does not
        depend on α). With ``smooth=0``, α = β = ½ gives the Dice loss; with smoothing ``s``, Tversky(½, ½, s/2)
        equals Dice(s). Equals ``monai.losses.TverskyLoss(sigmoid=True, alpha=α, beta=β, smooth_nr=s,
        smooth_dr=s)`` (same α-on-FP convention) on terms with a non-empty target.

    References:
        Salehi, Erdogmus & Gholipour, Tversky loss function for image segmentation using 3D fully
        convolutional deep networks, 2017. Tversky, Features of similarity, 1977.

    Example:
        >>> import torch
        >>> from losslab.functional import sigmoid_tversky_loss
        >>> logits = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]])
        >>> target = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]])
        >>> round(float(sigmoid_tversky_loss(logits, target)), 4)
        0.2275
    """
    return _tversky("sigmoid_tversky_loss", "sigmoid", logits, target, alpha=alpha, beta=beta, gamma=None,
                    smooth=smooth, aggregate=aggregate, include_background=include_background,
                    ignore_index=ignore_index, class_weight=class_weight, weight=weight, reduction=reduction,
                    distributed=distributed, validate=validate)[0]


def softmax_tversky_loss(logits: torch.Tensor, target: torch.Tensor, *, alpha: float = 0.3, beta: float = 0.7,
                         smooth: float = 1e-5, aggregate: Aggregate = "per_image", include_background: bool = True,
                         ignore_index: int = -100, class_weight: torch.Tensor | None = None,
                         weight: torch.Tensor | None = None, reduction: Reduction = "mean",
                         distributed: bool = False, validate: bool = True) -> torch.Tensor:
    """Tversky loss on softmax probabilities: Dice with separate weights on false positives and negatives.

    Unreduced loss per (image, class) with ``TP = I``, ``FP = P − I``, ``FN = T − I`` (soft counts)::

        ℓ = 1 − (TP + smooth) / (TP + α·FP + β·FN + smooth)   if T > 0
        ℓ = P / n                                             if T = 0  (class absent: soft FP fraction)

    ``alpha`` weighs the false positives and ``beta`` the false negatives; ``beta > alpha`` favours recall.

    Args:
        logits: raw scores, shape ``(N, C, *spatial)``, floating.
        target: class indices ``(N, *spatial)`` or one-hot/probability targets ``(N, C, *spatial)``.
        alpha: weight of the false positives, ``>= 0``. Default ``0.3``.
        beta: weight of the false negatives, ``>= 0`` (``alpha + beta > 0``). Default ``0.7``.
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"``.
        include_background: keep class 0 (the softmax always covers every class). Default ``True``.
        ignore_index: class index of ignored pixels (index targets). Default ``-100``.
        class_weight: per-class weight of the terms, shape ``(C,)``. Default ``None``.
        weight: per-term weight broadcastable to the unreduced loss. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the batch statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: check one-hot targets are in ``[0, 1]`` and free of NaN. Default ``True``. (Class
            indices are always range-checked: the pass that finds ignored pixels gives the range.)

    Shape:
        ``logits``: ``(N, C, *spatial)``; ``target``: ``(N, *spatial)`` or ``(N, C, *spatial)``; output:
        scalar, or ``(N, C')`` (``(C',)`` with ``aggregate="batch"``) with ``reduction="none"``.

    Convention:
        Reduction, ignored pixels and empty targets as ``softmax_dice_loss``. With ``smooth=0``, α = β = ½
        gives the Dice loss. Equals ``monai.losses.TverskyLoss(softmax=True, to_onehot_y=True, alpha=α,
        beta=β, smooth_nr=s, smooth_dr=s)`` when every class is present in every term.

    References:
        Salehi, Erdogmus & Gholipour, Tversky loss function for image segmentation using 3D fully
        convolutional deep networks, 2017. Tversky, Features of similarity, 1977.

    Example:
        >>> import torch
        >>> from losslab.functional import softmax_tversky_loss
        >>> logits = torch.tensor([[[[2.0, -1.0]], [[0.0, 1.0]]]])
        >>> target = torch.tensor([[[0, 1]]])
        >>> round(float(softmax_tversky_loss(logits, target)), 4)
        0.1192
    """
    return _tversky("softmax_tversky_loss", "softmax", logits, target, alpha=alpha, beta=beta, gamma=None,
                    smooth=smooth, aggregate=aggregate, include_background=include_background,
                    ignore_index=ignore_index, class_weight=class_weight, weight=weight, reduction=reduction,
                    distributed=distributed, validate=validate)[0]


def sigmoid_focal_tversky_loss(logits: torch.Tensor, target: torch.Tensor, *, alpha: float = 0.3,
                               beta: float = 0.7, gamma: float = 0.75, smooth: float = 1e-5,
                               aggregate: Aggregate = "per_image", include_background: bool = True,
                               ignore_index: int = -100, class_weight: torch.Tensor | None = None,
                               weight: torch.Tensor | None = None, reduction: Reduction = "mean",
                               distributed: bool = False, validate: bool = True) -> torch.Tensor:
    """Focal Tversky loss on sigmoid probabilities: the Tversky loss raised to the power ``gamma``.

    Unreduced loss per (image, class), with ℓ_T the ``sigmoid_tversky_loss`` term (soft FP fraction ``P/n``
    for an empty target)::

        ℓ = ℓ_T ^ γ

    ``alpha`` weighs the false positives and ``beta`` the false negatives. ``gamma < 1`` raises the loss of
    nearly-solved terms (focus on hard, small structures); Abraham & Khan write ``(1 − TI)^(1/γ')`` with
    γ' = 4/3, i.e. ``gamma = 0.75`` here (the default).

    Args:
        logits: raw scores, shape ``(N, C, *spatial)``, floating.
        target: masks of the same shape, values in ``[0, 1]``; elements equal to ``ignore_index`` are ignored.
        alpha: weight of the false positives, ``>= 0``. Default ``0.3``.
        beta: weight of the false negatives, ``>= 0`` (``alpha + beta > 0``). Default ``0.7``.
        gamma: exponent ``> 0`` (1 gives the Tversky loss). Default ``0.75``.
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"``.
        include_background: keep channel 0. Default ``True``.
        ignore_index: target value of ignored elements. Default ``-100``.
        class_weight: per-channel weight of the terms, shape ``(C,)``. Default ``None``.
        weight: per-term weight broadcastable to the unreduced loss. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the batch statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: check that ``target`` is in ``[0, 1]`` and free of NaN (costs a pass). Default ``True``.

    Shape:
        ``logits``, ``target``: ``(N, C, *spatial)``; output: scalar, or ``(N, C')`` (``(C',)`` with
        ``aggregate="batch"``) with ``reduction="none"``.

    Convention:
        Reduction, ignored pixels and empty targets as ``sigmoid_dice_loss``. At ℓ_T = 0 the value and the
        gradient are 0 (no ``0 · ∞`` for ``gamma < 1``).

    References:
        Abraham & Khan, A Novel Focal Tversky loss function with improved Attention U-Net for lesion
        segmentation, 2019.

    Example:
        >>> import torch
        >>> from losslab.functional import sigmoid_focal_tversky_loss
        >>> logits = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]])
        >>> target = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]])
        >>> round(float(sigmoid_focal_tversky_loss(logits, target)), 4)
        0.3294
    """
    return _tversky("sigmoid_focal_tversky_loss", "sigmoid", logits, target, alpha=alpha, beta=beta, gamma=gamma,
                    smooth=smooth, aggregate=aggregate, include_background=include_background,
                    ignore_index=ignore_index, class_weight=class_weight, weight=weight, reduction=reduction,
                    distributed=distributed, validate=validate)[0]


def softmax_focal_tversky_loss(logits: torch.Tensor, target: torch.Tensor, *, alpha: float = 0.3,
                               beta: float = 0.7, gamma: float = 0.75, smooth: float = 1e-5,
                               aggregate: Aggregate = "per_image", include_background: bool = True,
                               ignore_index: int = -100, class_weight: torch.Tensor | None = None,
                               weight: torch.Tensor | None = None, reduction: Reduction = "mean",
                               distributed: bool = False, validate: bool = True) -> torch.Tensor:
    """Focal Tversky loss on softmax probabilities: the Tversky loss raised to the power ``gamma``.

    Unreduced loss per (image, class), with ℓ_T the ``softmax_tversky_loss`` term (soft FP fraction ``P/n``
    for an absent class)::

        ℓ = ℓ_T ^ γ

    ``alpha`` weighs the false positives and ``beta`` the false negatives. Abraham & Khan write
    ``(1 − TI)^(1/γ')`` with γ' = 4/3, i.e. ``gamma = 0.75`` here (the default).

    Args:
        logits: raw scores, shape ``(N, C, *spatial)``, floating.
        target: class indices ``(N, *spatial)`` or one-hot/probability targets ``(N, C, *spatial)``.
        alpha: weight of the false positives, ``>= 0``. Default ``0.3``.
        beta: weight of the false negatives, ``>= 0`` (``alpha + beta > 0``). Default ``0.7``.
        gamma: exponent ``> 0`` (1 gives the Tversky loss). Default ``0.75``.
        smooth: added to numerator and denominator of the non-empty terms, ``>= 0``. Default ``1e-5``.
        aggregate: ``"per_image"`` (default) or ``"batch"``.
        include_background: keep class 0 (the softmax always covers every class). Default ``True``.
        ignore_index: class index of ignored pixels (index targets). Default ``-100``.
        class_weight: per-class weight of the terms, shape ``(C,)``. Default ``None``.
        weight: per-term weight broadcastable to the unreduced loss. Default ``None``.
        reduction: ``"mean"`` (default) | ``"sum"`` | ``"none"``.
        distributed: all-reduce the batch statistics over ``torch.distributed`` ranks (``aggregate="batch"``).
            Default ``False``.
        validate: check one-hot targets are in ``[0, 1]`` and free of NaN. Default ``True``. (Class
            indices are always range-checked: the pass that finds ignored pixels gives the range.)

    Shape:
        ``logits``: ``(N, C, *spatial)``; ``target``: ``(N, *spatial)`` or ``(N, C, *spatial)``; output:
        scalar, or ``(N, C')`` (``(C',)`` with ``aggregate="batch"``) with ``reduction="none"``.

    Convention:
        Reduction, ignored pixels and empty targets as ``softmax_dice_loss``. At ℓ_T = 0 the value and the
        gradient are 0 (no ``0 · ∞`` for ``gamma < 1``).

    References:
        Abraham & Khan, A Novel Focal Tversky loss function with improved Attention U-Net for lesion
        segmentation, 2019.

    Example:
        >>> import torch
        >>> from losslab.functional import softmax_focal_tversky_loss
        >>> logits = torch.tensor([[[[2.0, -1.0]], [[0.0, 1.0]]]])
        >>> target = torch.tensor([[[0, 1]]])
        >>> round(float(softmax_focal_tversky_loss(logits, target)), 4)
        0.2029
    """
    return _tversky("softmax_focal_tversky_loss", "softmax", logits, target, alpha=alpha, beta=beta, gamma=gamma,
                    smooth=smooth, aggregate=aggregate, include_background=include_background,
                    ignore_index=ignore_index, class_weight=class_weight, weight=weight, reduction=reduction,
                    distributed=distributed, validate=validate)[0]


# ============================================================================ compositions
# Each is ``w₁ · overlap + w₂ · pixelwise`` on the same logits, both terms mean-reduced; the modules of
# ``losslab.nn.compose`` build the same sums as ``WeightedSum``s of the two modules.
def _check_term_weights(fn: str, **weights: float) -> None:
    for name, value in weights.items():
        check_number(fn, name, value, low=0)


def _cross_entropy_term(fn: str, logits: torch.Tensor, target: torch.Tensor, st: _Stats,
                        class_weight: torch.Tensor | None, ignore_index: int, validate: bool,
                        label_smoothing: float = 0.0) -> torch.Tensor:
    """Mean cross-entropy over the elements that are not ignored: ``Σ w_t (−log p_t) / Σ w_t`` (softmax).

    From the overlap term's own activation when it computed the per-(image, class) sums (sigmoid masks,
    softmax class indices: one activation and one gradient buffer for both terms), else
    :func:`softmax_cross_entropy` (one-hot targets, label smoothing).
    """
    if st.ce is None:
        return softmax_cross_entropy(logits, target, class_weight=class_weight, ignore_index=ignore_index,
                                     label_smoothing=label_smoothing, validate=validate)
    nll, count = st.ce
    cw = check_class_vector(fn, "class_weight", class_weight, logits.shape[1])
    if cw is not None:
        cw = cw.to(device=nll.device, dtype=nll.dtype)
        nll, count = nll * cw, count * cw
    return _safe_div(nll.sum(), count.sum())


@named_in_errors
def sigmoid_dice_ce_loss(logits: torch.Tensor, target: torch.Tensor, *, dice_weight: float = 1.0,
                         ce_weight: float = 1.0, smooth: float = 1e-5, aggregate: Aggregate = "per_image",
                         include_background: bool = True, ignore_index: int = -100,
                         pos_weight: torch.Tensor | None = None, distributed: bool = False,
                         validate: bool = True) -> torch.Tensor:
    """Soft Dice + binary cross-entropy on sigmoid probabilities.

    ``ℓ = dice_weight · sigmoid_dice_loss + ce_weight · sigmoid_cross_entropy``, each mean-reduced.

    Args:
        logits: raw scores ``(N, C, *spatial)``, floating.
        target: masks of the same shape in ``[0, 1]``; elements equal to ``ignore_index`` are ignored.
        dice_weight: weight of the Dice term, ``>= 0``. Default ``1.0``.
        ce_weight: weight of the cross-entropy term, ``>= 0``. Default ``1.0``.
        smooth, aggregate, include_background, distributed: as ``sigmoid_dice_loss``.
        ignore_index: target value of the elements left out of both terms. Default ``-100``.
        pos_weight: positive weight of the cross-entropy, broadcast like ``torch.nn.BCEWithLogitsLoss``
            (use shape ``(C, 1, 1)`` for ``(N, C, H, W)``); a constant (no gradient). Default ``None``.
        validate: value checks of both terms. Default ``True``.

    Shape:
        ``logits``, ``target``: ``(N, C, *spatial)``; output: scalar.

    Convention:
        Both terms are mean-reduced by their own rule (Dice over (image, class) terms, cross-entropy over
        the elements that are not ignored); ``include_background`` acts on the Dice term only. Both come
        from one sigmoid and one gradient buffer; the value equals the two terms apart. For one channel,
        equals ``monai.losses.DiceCELoss(sigmoid=True, ...)`` up to the empty-target rule of the Dice term
        (with several channels MONAI uses a softmax cross-entropy instead of the binary one).

    References:
        Isensee et al., nnU-Net: a self-configuring method for deep learning-based biomedical image
        segmentation, 2021 (Dice + CE). Milletari et al., V-Net, 2016.

    Example:
        >>> import torch
        >>> from losslab.functional import sigmoid_dice_ce_loss
        >>> logits = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]])
        >>> target = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]])
        >>> round(float(sigmoid_dice_ce_loss(logits, target)), 4)
        0.4536
    """
    fn = "sigmoid_dice_ce_loss"
    _check_term_weights(fn, dice_weight=dice_weight, ce_weight=ce_weight)
    dice, st = _dice(fn, "sigmoid", logits, target, smooth=smooth, aggregate=aggregate, squared=False,
                     transform="none", include_background=include_background, ignore_index=ignore_index,
                     class_weight=None, weight=None, reduction="mean", distributed=distributed,
                     validate=validate, nll=True, pos_weight=pos_weight)
    ce = _cross_entropy_term(fn, logits, target, st, None, ignore_index, validate)
    return dice * float(dice_weight) + ce * float(ce_weight)


@named_in_errors
def sigmoid_dice_focal_loss(logits: torch.Tensor, target: torch.Tensor, *, dice_weight: float = 1.0,
                            focal_weight: float = 1.0, smooth: float = 1e-5, aggregate: Aggregate = "per_image",
                            include_background: bool = True, ignore_index: int = -100, gamma: float = 2.0,
                            alpha: float | None = 0.25, distributed: bool = False,
                            validate: bool = True) -> torch.Tensor:
    """Soft Dice + sigmoid focal loss.

    ``ℓ = dice_weight · sigmoid_dice_loss + focal_weight · sigmoid_focal_loss(γ, α)``, each mean-reduced.

    Args:
        logits: raw scores ``(N, C, *spatial)``, floating.
        target: masks of the same shape in ``[0, 1]``; elements equal to ``ignore_index`` are ignored.
        dice_weight: weight of the Dice term, ``>= 0``. Default ``1.0``.
        focal_weight: weight of the focal term, ``>= 0``. Default ``1.0``.
        smooth, aggregate, include_background, distributed: as ``sigmoid_dice_loss``.
        ignore_index: target value of the elements left out of both terms. Default ``-100``.
        gamma: focusing parameter of the focal term. Default ``2.0``.
        alpha: positive-class weight of the focal term (``None``: none). Default ``0.25``.
        validate: value checks of both terms. Default ``True``.

    Shape:
        ``logits``, ``target``: ``(N, C, *spatial)``; output: scalar.

    Convention:
        Both terms are mean-reduced by their own rule (the focal term over the elements not ignored);
        ``include_background`` acts on the Dice term only.

    References:
        Zhu et al., AnatomyNet: Deep learning for fast and fully automated whole-volume segmentation of head
        and neck anatomy, 2019 (Dice + focal). Lin et al., Focal Loss for Dense Object Detection, 2017.

    Example:
        >>> import torch
        >>> from losslab.functional import sigmoid_dice_focal_loss
        >>> logits = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]])
        >>> target = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]])
        >>> round(float(sigmoid_dice_focal_loss(logits, target)), 4)
        0.2215
    """
    fn = "sigmoid_dice_focal_loss"
    _check_term_weights(fn, dice_weight=dice_weight, focal_weight=focal_weight)
    dice = sigmoid_dice_loss(logits, target, smooth=smooth, aggregate=aggregate,
                             include_background=include_background, ignore_index=ignore_index,
                             distributed=distributed, validate=validate)
    focal = sigmoid_focal_loss(logits, target, gamma=gamma, alpha=alpha, ignore_index=ignore_index,
                               validate=validate)
    return dice * float(dice_weight) + focal * float(focal_weight)


@named_in_errors
def sigmoid_tversky_ce_loss(logits: torch.Tensor, target: torch.Tensor, *, tversky_weight: float = 1.0,
                            ce_weight: float = 1.0, alpha: float = 0.3, beta: float = 0.7, smooth: float = 1e-5,
                            aggregate: Aggregate = "per_image", include_background: bool = True,
                            ignore_index: int = -100, pos_weight: torch.Tensor | None = None,
                            distributed: bool = False, validate: bool = True) -> torch.Tensor:
    """Tversky + binary cross-entropy on sigmoid probabilities.

    ``ℓ = tversky_weight · sigmoid_tversky_loss(α, β) + ce_weight · sigmoid_cross_entropy``, each
    mean-reduced; ``alpha`` weighs false positives, ``beta`` false negatives.

    Args:
        logits: raw scores ``(N, C, *spatial)``, floating.
        target: masks of the same shape in ``[0, 1]``; elements equal to ``ignore_index`` are ignored.
        tversky_weight: weight of the Tversky term, ``>= 0``. Default ``1.0``.
        ce_weight: weight of the cross-entropy term, ``>= 0``. Default ``1.0``.
        alpha: Tversky weight of the false positives. Default ``0.3``.
        beta: Tversky weight of the false negatives. Default ``0.7``.
        smooth, aggregate, include_background, distributed: as ``sigmoid_tversky_loss``.
        ignore_index: target value of the elements left out of both terms. Default ``-100``.
        pos_weight: positive weight of the cross-entropy (shape ``(C, 1, 1)`` for ``(N, C, H, W)``); a
            constant (no gradient). Default ``None``.
        validate: value checks of both terms. Default ``True``.

    Shape:
        ``logits``, ``target``: ``(N, C, *spatial)``; output: scalar.

    Convention:
        Both terms are mean-reduced by their own rule (the cross-entropy over the elements that are not
        ignored); ``include_background`` acts on the Tversky term only. Both come from one sigmoid and one
        gradient buffer; the value equals the two terms apart.

    References:
        Salehi, Erdogmus & Gholipour, Tversky loss function for image segmentation using 3D fully
        convolutional deep networks, 2017.

    Example:
        >>> import torch
        >>> from losslab.functional import sigmoid_tversky_ce_loss
        >>> logits = torch.tensor([[[[2.0, -1.0], [0.5, -3.0]]]])
        >>> target = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]])
        >>> round(float(sigmoid_tversky_ce_loss(logits, target)), 4)
        0.4682
    """
    fn = "sigmoid_tversky_ce_loss"
    _check_term_weights(fn, tversky_weight=tversky_weight, ce_weight=ce_weight)
    tversky, st = _tversky(fn, "sigmoid", logits, target, alpha=alpha, beta=beta, gamma=None, smooth=smooth,
                           aggregate=aggregate, include_background=include_background, ignore_index=ignore_index,
                           class_weight=None, weight=None, reduction="mean", distributed=distributed,
                           validate=validate, nll=True, pos_weight=pos_weight)
    ce = _cross_entropy_term(fn, logits, target, st, None, ignore_index, validate)
    return tversky * float(tversky_weight) + ce * float(ce_weight)


@named_in_errors
def softmax_dice_ce_loss(logits: torch.Tensor, target: torch.Tensor, *, dice_weight: float = 1.0,
                         ce_weight: float = 1.0, smooth: float = 1e-5, aggregate: Aggregate = "per_image",
                         include_background: bool = True, ignore_index: int = -100,
                         class_weight: torch.Tensor | None = None, label_smoothing: float = 0.0,
                         distributed: bool = False, validate: bool = True) -> torch.Tensor:
    """Soft Dice + softmax cross-entropy (the nnU-Net default), class-index or one-hot targets.

    ``ℓ = dice_weight · softmax_dice_loss + ce_weight · softmax_cross_entropy``, each mean-reduced.

    Args:
        logits: raw scores ``(N, C, *spatial)``, floating.
        target: class indices ``(N, *spatial)`` or one-hot/probability targets ``(N, C, *spatial)``.
        dice_weight: weight of the Dice term, ``>= 0``. Default ``1.0``.
        ce_weight: weight of the cross-entropy term, ``>= 0``. Default ``1.0``.
        smooth, aggregate, include_background, distributed: as ``softmax_dice_loss``.
        ignore_index: class index of ignored pixels, for both terms. Default ``-100``.
        class_weight: per-class weight ``(C,)`` for both terms (Dice: weighted mean over classes;
            cross-entropy: per-pixel weight of the target class). Default ``None``.
        label_smoothing: of the cross-entropy term. Default ``0.0``.
        validate: value checks of both terms. Default ``True``.

    Shape:
        ``logits``: ``(N, C, *spatial)``; ``target``: ``(N, *spatial)`` or ``(N, C, *spatial)``; output: scalar.

    Convention:
        Both terms are mean-reduced by their own rule; ignored pixels leave both; an all-ignored batch gives
        0 with the graph connected. ``include_background`` acts on the Dice term only. With class-index
        targets and ``label_smoothing=0`` both terms come from one softmax and one gradient buffer (the
        cross-entropy from the same per-class sums as the Dice term); the value equals the two terms apart.

    References:
        Isensee et al., nnU-Net: a self-configuring method for deep learning-based biomedical image
        segmentation, 2021.

    Example:
        >>> import torch
        >>> from losslab.functional import softmax_dice_ce_loss
        >>> logits = torch.tensor([[[[2.0, -1.0]], [[0.0, 1.0]]]])
        >>> target = torch.tensor([[[0, 1]]])
        >>> round(float(softmax_dice_ce_loss(logits, target)), 4)
        0.2461
    """
    fn = "softmax_dice_ce_loss"
    _check_term_weights(fn, dice_weight=dice_weight, ce_weight=ce_weight)
    dice, st = _dice(fn, "softmax", logits, target, smooth=smooth, aggregate=aggregate, squared=False,
                     transform="none", include_background=include_background, ignore_index=ignore_index,
                     class_weight=class_weight, weight=None, reduction="mean", distributed=distributed,
                     validate=validate, nll=isinstance(label_smoothing, numbers.Real) and label_smoothing == 0)
    ce = _cross_entropy_term(fn, logits, target, st, class_weight, ignore_index, validate, label_smoothing)
    return dice * float(dice_weight) + ce * float(ce_weight)


@named_in_errors
def softmax_dice_focal_loss(logits: torch.Tensor, target: torch.Tensor, *, dice_weight: float = 1.0,
                            focal_weight: float = 1.0, smooth: float = 1e-5, aggregate: Aggregate = "per_image",
                            include_background: bool = True, ignore_index: int = -100, gamma: float = 2.0,
                            alpha: torch.Tensor | None = None, distributed: bool = False,
                            validate: bool = True) -> torch.Tensor:
    """Soft Dice + multi-class focal loss.

    ``ℓ = dice_weight · softmax_dice_loss + focal_weight · softmax_focal_loss(γ, α)``, each mean-reduced.

    Args:
        logits: raw scores ``(N, C, *spatial)``, floating.
        target: class indices ``(N, *spatial)`` or one-hot/probability targets ``(N, C, *spatial)``.
        dice_weight: weight of the Dice term, ``>= 0``. Default ``1.0``.
        focal_weight: weight of the focal term, ``>= 0``. Default ``1.0``.
        smooth, aggregate, include_background, distributed: as ``softmax_dice_loss``.
        ignore_index: class index of ignored pixels, for both terms. Default ``-100``.
        gamma: focusing parameter of the focal term. Default ``2.0``.
        alpha: per-class weight ``(C,)`` of the focal term. Default ``None``.
        validate: value checks of both terms. Default ``True``.

    Shape:
        ``logits``: ``(N, C, *spatial)``; ``target``: ``(N, *spatial)`` or ``(N, C, *spatial)``; output: scalar.

    Convention:
        Both terms are mean-reduced by their own rule; ignored pixels leave both; an all-ignored batch gives
        0 with the graph connected. ``include_background`` acts on the Dice term only.

    References:
        Zhu et al., AnatomyNet: Deep learning for fast and fully automated whole-volume segmentation of head
        and neck anatomy, 2019. Lin et al., Focal Loss for Dense Object Detection, 2017.

    Example:
        >>> import torch
        >>> from losslab.functional import softmax_dice_focal_loss
        >>> logits = torch.tensor([[[[2.0, -1.0]], [[0.0, 1.0]]]])
        >>> target = torch.tensor([[[0, 1]]])
        >>> round(float(softmax_dice_focal_loss(logits, target)), 4)
        0.121
    """
    fn = "softmax_dice_focal_loss"
    _check_term_weights(fn, dice_weight=dice_weight, focal_weight=focal_weight)
    dice = softmax_dice_loss(logits, target, smooth=smooth, aggregate=aggregate,
                             include_background=include_background, ignore_index=ignore_index,
                             distributed=distributed, validate=validate)
    focal = softmax_focal_loss(logits, target, gamma=gamma, alpha=alpha, ignore_index=ignore_index,
                               validate=validate)
    return dice * float(dice_weight) + focal * float(focal_weight)


@named_in_errors
def softmax_tversky_ce_loss(logits: torch.Tensor, target: torch.Tensor, *, tversky_weight: float = 1.0,
                            ce_weight: float = 1.0, alpha: float = 0.3, beta: float = 0.7, smooth: float = 1e-5,
                            aggregate: Aggregate = "per_image", include_background: bool = True,
                            ignore_index: int = -100, class_weight: torch.Tensor | None = None,
                            distributed: bool = False, validate: bool = True) -> torch.Tensor:
    """Tversky + softmax cross-entropy, class-index or one-hot targets.

    ``ℓ = tversky_weight · softmax_tversky_loss(α, β) + ce_weight · softmax_cross_entropy``, each
    mean-reduced; ``alpha`` weighs false positives, ``beta`` false negatives.

    Args:
        logits: raw scores ``(N, C, *spatial)``, floating.
        target: class indices ``(N, *spatial)`` or one-hot/probability targets ``(N, C, *spatial)``.
        tversky_weight: weight of the Tversky term, ``>= 0``. Default ``1.0``.
        ce_weight: weight of the cross-entropy term, ``>= 0``. Default ``1.0``.
        alpha: Tversky weight of the false positives. Default ``0.3``.
        beta: Tversky weight of the false negatives. Default ``0.7``.
        smooth, aggregate, include_background, distributed: as ``softmax_tversky_loss``.
        ignore_index: class index of ignored pixels, for both terms. Default ``-100``.
        class_weight: per-class weight ``(C,)`` for both terms. Default ``None``.
        validate: value checks of both terms. Default ``True``.

    Shape:
        ``logits``: ``(N, C, *spatial)``; ``target``: ``(N, *spatial)`` or ``(N, C, *spatial)``; output: scalar.

    Convention:
        Both terms are mean-reduced by their own rule; ignored pixels leave both; an all-ignored batch gives
        0 with the graph connected. ``include_background`` acts on the Tversky term only. With class-index
        targets both terms come from one softmax and one gradient buffer.

    References:
        Salehi, Erdogmus & Gholipour, Tversky loss function for image segmentation using 3D fully
        convolutional deep networks, 2017.

    Example:
        >>> import torch
        >>> from losslab.functional import softmax_tversky_ce_loss
        >>> logits = torch.tensor([[[[2.0, -1.0]], [[0.0, 1.0]]]])
        >>> target = torch.tensor([[[0, 1]]])
        >>> round(float(softmax_tversky_ce_loss(logits, target)), 4)
        0.2461
    """
    fn = "softmax_tversky_ce_loss"
    _check_term_weights(fn, tversky_weight=tversky_weight, ce_weight=ce_weight)
    tversky, st = _tversky(fn, "softmax", logits, target, alpha=alpha, beta=beta, gamma=None, smooth=smooth,
                           aggregate=aggregate, include_background=include_background, ignore_index=ignore_index,
                           class_weight=class_weight, weight=None, reduction="mean", distributed=distributed,
                           validate=validate, nll=True)
    ce = _cross_entropy_term(fn, logits, target, st, class_weight, ignore_index, validate)
    return tversky * float(tversky_weight) + ce * float(ce_weight)
