"""Helpers shared by the published-value tests: peers' inputs as float64 tensors, probabilities as logits."""

from __future__ import annotations

import torch

F64 = torch.float64


def tensor(data, dtype=F64) -> torch.Tensor:
    return torch.tensor(data, dtype=dtype)


def sigmoid_logits(p) -> torch.Tensor:
    """Logits whose sigmoid is ``p``: ``logit(p)`` inside ``(0, 1)``, ±40 at 1 and 0.

    ``σ(40) = 1 − 4e−18`` rounds to exactly 1.0 in float64; ``σ(−40) = 4e−18`` is 0 to every tolerance here.
    """
    return torch.logit(tensor(p)).clamp(-40.0, 40.0)


def softmax_logits(p) -> torch.Tensor:
    """Logits whose softmax over dim 1 is ``p`` (rows summing to 1): ``log p``, exact to rounding.

    ``p = 0`` maps to −1e4, whose softmax weight ``exp(−1e4)`` underflows to exactly 0 (float64).
    """
    return torch.log(tensor(p)).clamp_min(-1e4)


def check(actual, expected, *, rtol, atol) -> None:
    """``actual`` against the published ``expected`` (a number or nested list), reshaped to ``actual``."""
    expected = torch.as_tensor(expected, dtype=actual.dtype)
    torch.testing.assert_close(actual, expected.reshape(actual.shape), rtol=rtol, atol=atol)
