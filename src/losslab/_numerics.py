"""Numerically stable primitives shared by every loss family.

Everything here is finite for finite inputs of any magnitude (logits of ±1e4 in float32 included),
and half-precision inputs are computed in float32 (``upcast``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

HALF = (torch.float16, torch.bfloat16)


def upcast(t: torch.Tensor) -> torch.Tensor:
    """float16/bfloat16 → float32 (a differentiable cast); other dtypes unchanged."""
    return t.float() if t.dtype in HALF else t


def compute_dtype(*tensors: torch.Tensor | None) -> torch.dtype:
    """The dtype a loss is computed in: float64 if any input is float64, else float32."""
    return torch.float64 if any(t is not None and t.dtype == torch.float64 for t in tensors) else torch.float32


def log_sigmoid_pair(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(log σ(x), log σ(−x)) = (−softplus(−x), −softplus(x))``, both finite for any finite x."""
    return F.logsigmoid(x), F.logsigmoid(-x)


def bce_with_logits(x: torch.Tensor, y: torch.Tensor, pos_weight: torch.Tensor | None = None) -> torch.Tensor:
    """Elementwise ``−[p_w·y·log σ(x) + (1 − y)·log σ(−x)]`` without forming σ(x)."""
    log_p, log_q = log_sigmoid_pair(x)
    pos = y * log_p
    if pos_weight is not None:
        pos = pos * pos_weight
    return -(pos + (1 - y) * log_q)


def log1mexp(a: torch.Tensor) -> torch.Tensor:
    """``log(1 − exp(a))`` for ``a <= 0`` (Mächler 2012), ``-inf`` at ``a = 0``."""
    return torch.where(a > -0.6931471805599453, torch.log(-torch.expm1(a)), torch.log1p(-torch.exp(a)))


def focal_factor(log_one_minus_p: torch.Tensor, gamma: float) -> torch.Tensor:
    """``(1 − p)^γ = exp(γ·log(1 − p))`` from the log-complement; exactly 1 for ``γ = 0``.

    Working from ``log(1 − p)`` keeps fractional ``γ`` finite (value and gradient) at saturated logits,
    where ``(1 − p)`` underflows to 0 and ``pow``'s derivative ``γ(1 − p)^(γ−1)`` would be infinite.
    """
    if gamma == 0:
        return torch.ones_like(log_one_minus_p)
    return torch.exp(gamma * log_one_minus_p)


def log_softmax_complement(log_p: torch.Tensor) -> torch.Tensor:
    """``log(1 − p)`` from ``log p`` for softmax probabilities, finite with a finite gradient.

    Where ``p`` rounds to 1 the complement is clamped at the smallest normal number of the dtype, so
    the value is finite (``(1 − p)^γ`` is then ≈ 0, its true value) and no ``0 · ∞`` appears in backward.
    """
    tiny = torch.finfo(log_p.dtype).tiny
    return torch.log((-torch.expm1(log_p)).clamp_min(tiny))


def safe_ratio(num: torch.Tensor, den: torch.Tensor, empty_value: float = 1.0) -> torch.Tensor:
    """``num / den`` with ``empty_value`` where ``den == 0`` and no NaN in either direction."""
    ok = den != 0
    return torch.where(ok, num / torch.where(ok, den, torch.ones_like(den)), torch.full_like(num, empty_value))
