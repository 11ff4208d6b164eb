"""The house message and the checks of plain Python values (options, numbers, indices, flags), torch-free.

The NumPy reference, the class weights, the registry and the boosting integrations import without torch;
they share these with :mod:`losslab._validation`, which re-exports them beside the tensor checks.
Every message follows one template: ``"{function}: expected {what} {expected}, got {actual}"``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any, NoReturn

import numpy as np


def fail(fn: str, what: str, expected: Any, actual: Any, exc: type[Exception] = ValueError) -> NoReturn:
    """Raise ``exc`` with the house message template."""
    raise exc(f"{fn}: expected {what} {expected}, got {actual}")


def check_option(fn: str, name: str, value: Any, choices: Iterable[Any]) -> Any:
    """``value`` one of ``choices`` (returned)."""
    choices = tuple(choices)
    try:
        known = value in choices
    except (TypeError, ValueError):  # e.g. an array, whose comparison is elementwise
        known = False
    if not known:
        fail(fn, f"`{name}` one of", choices, repr(value))
    return value


def check_number(fn: str, name: str, value: Any, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False) -> float:
    """A finite real hyper-parameter in the interval given by ``low``/``high`` (NumPy scalars and one-element
    tensors included, ``bool`` not)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if not (hasattr(value, "numel") and value.numel() == 1):  # a torch scalar tensor passes
            fail(fn, f"`{name}` to be", "a real number", repr(value), TypeError)
    value = float(value)
    if not math.isfinite(value):
        fail(fn, f"`{name}` to be", "finite", value)
    if low is not None and (value < low or (low_open and value == low)):
        fail(fn, f"`{name}`", f"{'>' if low_open else '>='} {low}", value)
    if high is not None and (value > high or (high_open and value == high)):
        fail(fn, f"`{name}`", f"{'<' if high_open else '<='} {high}", value)
    return value


def check_index(fn: str, name: str, value: Any, *, allow_none: bool = False, int64: bool = False,
                low: int | None = None) -> int | None:
    """An integer option such as ``ignore_index`` (NumPy integers included, ``bool`` not), as an ``int``;
    ``int64=True``: within int64, as torch's own losses need it; ``low``: at least that."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        fail(fn, f"`{name}` to be", "an int or None" if allow_none else "an int", repr(value), TypeError)
    if int64 and not -(2**63) <= value < 2**63:
        fail(fn, f"`{name}` to be", "an int64, in [-2**63, 2**63 - 1]", int(value))
    if low is not None and value < low:
        fail(fn, f"`{name}`", f">= {low}", int(value))
    return int(value)


def check_bool(fn: str, name: str, value: Any) -> bool:
    """A flag such as ``validate``: a ``bool`` (NumPy's included), not a truthy stand-in."""
    if not isinstance(value, (bool, np.bool_)):
        fail(fn, f"`{name}` to be", "a bool", repr(value), TypeError)
    return bool(value)
