"""``LossModule``: the thin ``nn.Module`` shell every losslab loss shares, and ``WeightedSum``.

A module's ``__init__`` validates its hyper-parameters against the registry entry and stores them
(tensors as buffers, so ``.to(device)`` moves them); ``forward`` is one call to the functional.
Modules compose: ``SoftmaxDiceLoss() + 0.5 * SoftmaxCrossEntropyLoss()`` is a ``WeightedSum``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import torch
from torch import nn

from .. import registry
from .._validation import check_number, fail


class LossModule(nn.Module):
    """Base class: subclasses set ``key`` (registry key) and ``function`` (the functional).

    ``__init__`` validates the hyper-parameters against the registry entry and stores them (tensors as
    buffers); ``forward(input, target, **kwargs)`` is one call to the functional.

    Example:
        >>> import torch
        >>> from losslab.nn import HuberLoss, LossModule
        >>> loss = HuberLoss(delta=2.0)
        >>> isinstance(loss, LossModule), loss.config
        (True, {'delta': 2.0, 'reduction': 'mean', 'validate': True})
        >>> round(float(loss(torch.tensor([3.0]), torch.tensor([0.0]))), 4)
        4.0
    """

    key: ClassVar[str]
    function: ClassVar[Callable[..., torch.Tensor]]

    def __init__(self, **config: Any) -> None:
        if not getattr(type(self), "key", None):
            fail(type(self).__name__, "a subclass that sets", "`key` and `function` (LossModule is a base class)",
                 "none", TypeError)
        super().__init__()
        registry.check_params(self.key, config, fn=type(self).__name__)
        self._config_names = tuple(config)
        for name, value in config.items():
            if isinstance(value, torch.Tensor):
                self.register_buffer(name, value.detach().clone())
            else:
                setattr(self, name, value)

    @property
    def config(self) -> dict[str, Any]:
        """The hyper-parameters, as passed to the functional."""
        return {k: getattr(self, k) for k in self._config_names}

    def forward(self, input: torch.Tensor, target: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        return type(self).function(input, target, **self.config, **kwargs)

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={_short(v)}" for k, v in self.config.items())

    # composition -----------------------------------------------------------------------------
    def __add__(self, other: nn.Module) -> WeightedSum:
        return WeightedSum([*_terms(self), *_terms(other)])

    def __mul__(self, factor: float) -> WeightedSum:
        factor = check_number("LossModule.__mul__", "factor", factor)
        return WeightedSum([(w * factor, m) for w, m in _terms(self)])

    __rmul__ = __mul__


class WeightedSum(LossModule):
    """``Σ_k w_k · loss_k(input, target)``: a composition of losses on the same (input, target).

    Args:
        terms: ``(weight, module)`` pairs, or modules (weight 1). Weights are finite and ``>= 0``.

    Every term must reduce to a scalar (or all to the same shape with ``reduction="none"``).

    Example:
        >>> import torch
        >>> from losslab.nn import SigmoidCrossEntropyLoss, SigmoidFocalLoss
        >>> loss = SigmoidCrossEntropyLoss() + 0.5 * SigmoidFocalLoss(gamma=2.0)
        >>> round(float(loss(torch.zeros(2, 3), torch.ones(2, 3))), 4)
        0.7148
    """

    key = ""

    def __init__(self, terms: Iterable[nn.Module | tuple[float, nn.Module]]) -> None:
        nn.Module.__init__(self)
        self._config_names = ()
        if isinstance(terms, (nn.Module, str)) or not isinstance(terms, Iterable):
            fail("WeightedSum", "`terms` to be", "a list of modules or (weight, module) pairs", type(terms).__name__,
                 TypeError)
        pairs = [t if isinstance(t, tuple) else (1.0, t) for t in terms]
        if not pairs:
            fail("WeightedSum", "`terms` to be", "a non-empty list of (weight, module)", "an empty list")
        for pair in pairs:
            if len(pair) != 2:
                fail("WeightedSum", "each tuple in `terms` to be", "a (weight, module) pair", f"{len(pair)} item(s)")
        for w, m in pairs:
            if not isinstance(m, nn.Module):
                fail("WeightedSum", "each term to be", "an nn.Module", type(m).__name__, TypeError)
            check_number("WeightedSum", "weight", w, low=0)
        self.weights = [float(w) for w, _ in pairs]
        self.terms = nn.ModuleList([m for _, m in pairs])

    def forward(self, input: torch.Tensor, target: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        values = [m(input, target, **kwargs) * w for w, m in zip(self.weights, self.terms)]
        shapes = [tuple(v.shape) for v in values]
        if len(set(shapes)) > 1:  # no silent broadcasting of a per-image loss against a per-pixel one
            fail("WeightedSum", "every term's loss of one shape (set the same `reduction` on all), shapes",
                 "all equal", shapes)
        total = values[0]
        for value in values[1:]:
            total = total + value
        return total

    def extra_repr(self) -> str:
        return "weights=" + repr(self.weights)


def _terms(m: nn.Module) -> list[tuple[float, nn.Module]]:
    if isinstance(m, WeightedSum):
        return list(zip(m.weights, m.terms))
    if isinstance(m, nn.Module):
        return [(1.0, m)]
    fail("LossModule.__add__", "operand to be", "an nn.Module", type(m).__name__, TypeError)


def _short(v: Any) -> str:
    if isinstance(v, torch.Tensor):
        return f"tensor(shape={tuple(v.shape)})" if v.numel() > 6 else repr(v.tolist())
    return repr(v)
