"""Random (input, target) pairs matching a registry entry's ``input_kind``.

Used by the generic test battery, the advisor's ``.build()`` checks and the benchmarks, so that every
consumer agrees on what each kind of loss takes.
"""

from __future__ import annotations

import torch

from .registry import INPUT_KINDS, LossSpec, get


def example_inputs(spec: LossSpec | str, *, batch: int = 4, classes: int = 3, spatial: tuple[int, ...] = (6, 5),
                   dtype: torch.dtype = torch.float32, seed: int = 0, requires_grad: bool = False,
                   scale: float = 2.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Random ``(input, target)`` for ``spec``; the raw input has standard deviation ``scale``.

    Shapes by ``input_kind``: regression/log_rate/binary_* → ``(batch, classes)``; class_logits →
    ``(batch, classes)`` logits with ``(batch,)`` indices; *_seg → ``(batch, classes, *spatial)``.
    """
    kind = (get(spec) if isinstance(spec, str) else spec).input_kind
    g = torch.Generator().manual_seed(seed)
    if kind not in INPUT_KINDS:
        raise ValueError(f"example_inputs: expected an input kind in {tuple(INPUT_KINDS)}, got {kind!r}")

    def randn(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=g, dtype=torch.float64) * scale

    if kind == "regression":
        x, y = randn(batch, classes), randn(batch, classes)
    elif kind == "log_rate":
        x = randn(batch, classes) / scale
        y = torch.poisson(x.exp().clamp(max=50), generator=g)
    elif kind == "binary_logits":
        x, y = randn(batch, classes), (torch.rand(batch, classes, generator=g) < 0.4).double()
    elif kind == "binary_probs":
        x = torch.rand(batch, classes, generator=g, dtype=torch.float64).clamp(0.02, 0.98)
        y = (torch.rand(batch, classes, generator=g) < 0.4).double()
    elif kind == "class_logits":
        x, y = randn(batch, classes), torch.randint(0, classes, (batch,), generator=g)
    elif kind == "class_probs":
        x, y = randn(batch, classes), torch.softmax(randn(batch, classes), dim=1)
    elif kind == "sigmoid_seg":
        x = randn(batch, classes, *spatial)
        y = (torch.rand(batch, classes, *spatial, generator=g) < 0.3).double()
    else:  # softmax_seg
        x, y = randn(batch, classes, *spatial), torch.randint(0, classes, (batch, *spatial), generator=g)
    x = x.to(dtype).requires_grad_(requires_grad)
    if y.is_floating_point():
        y = y.to(dtype)
    return x, y
