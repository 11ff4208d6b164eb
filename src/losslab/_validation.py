"""Input validation: the only place in losslab that raises on bad user input (with :mod:`losslab._checks`,
its torch-free part for plain values).

Every message follows one template::

    "{function}: expected {what} {expected}, got {actual}"

``ValueError`` is raised for shapes and values, ``TypeError`` for dtypes and types.
Cheap checks (shape, dtype, option strings, hyper-parameters) always run. Checks that cost a
pass over the data (label range, NaN targets) run when ``validate=True`` (the default) and are
skipped with ``validate=False``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import torch

# the torch-free checks, re-exported: every loss imports its checks from here
from ._checks import check_bool, check_index, check_number, check_option, fail  # noqa: F401

REDUCTIONS = ("mean", "sum", "none")


def named_in_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator for a loss built from other losslab losses: an error that a term raises with the house message
    names the function the user called (``softmax_dice_ce_loss: expected …``), not the term's function."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ValueError, TypeError) as error:
            head, sep, rest = str(error).partition(": expected ")
            if sep and head.isidentifier() and head != func.__name__:
                raise type(error)(f"{func.__name__}: expected {rest}") from error
            raise

    return wrapper


def _shape(t: torch.Tensor) -> tuple[int, ...]:
    return tuple(t.shape)


def check_tensor(fn: str, name: str, value: Any) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        fail(fn, f"`{name}` to be", "a torch.Tensor", type(value).__name__, TypeError)
    return value


def check_floating(fn: str, name: str, value: Any) -> torch.Tensor:
    """``value`` must be a floating-point tensor (logits, predictions, probabilities)."""
    check_tensor(fn, name, value)
    if not value.is_floating_point():
        fail(fn, f"`{name}` dtype to be", "floating point (float16/bfloat16/float32/float64)", value.dtype, TypeError)
    return value


def check_integer(fn: str, name: str, value: Any) -> torch.Tensor:
    """``value`` must be an integer tensor (class indices)."""
    check_tensor(fn, name, value)
    if value.is_floating_point() or value.is_complex() or value.dtype == torch.bool:
        fail(fn, f"`{name}` dtype to be", "an integer type (class indices)", value.dtype, TypeError)
    return value


def check_same_shape(fn: str, input: torch.Tensor, target: torch.Tensor,
                     names: tuple[str, str] = ("input", "target")) -> None:
    if input.shape != target.shape:
        fail(fn, f"`{names[1]}` shape equal to `{names[0]}` shape", _shape(input), _shape(target))


def check_min_dim(fn: str, name: str, value: torch.Tensor, ndim: int, layout: str) -> None:
    if value.dim() < ndim:
        fail(fn, f"`{name}` with at least {ndim} dimensions {layout}, shape", "(...)", _shape(value))


def check_broadcastable(fn: str, name: str, value: Any, shape: Sequence[int]) -> torch.Tensor | None:
    """``value`` (a per-element weight) must broadcast to ``shape`` without changing it."""
    if value is None:
        return None
    if not isinstance(value, torch.Tensor):
        fail(fn, f"`{name}` to be", "a torch.Tensor or None", type(value).__name__, TypeError)
    try:
        out = torch.broadcast_shapes(value.shape, tuple(shape))
    except RuntimeError:
        out = None
    if out != tuple(shape):
        fail(fn, f"`{name}` broadcastable to", tuple(shape), _shape(value))
    return value


def check_weight_tensor(fn: str, name: str, value: Any) -> torch.Tensor:
    """Weights given as a tensor or a sequence of numbers (class weights, per-class alpha, ``pos_weight``):
    real, finite and ``>= 0``; returned as a floating tensor (integers become float32)."""
    if not isinstance(value, torch.Tensor):
        try:
            value = torch.as_tensor(value, dtype=torch.float32)
        except (TypeError, ValueError, RuntimeError):
            fail(fn, f"`{name}` to be", "a tensor or a sequence of numbers", repr(value), TypeError)
    if value.is_complex() or value.dtype == torch.bool:
        fail(fn, f"`{name}` dtype to be", "real (floating or integer)", value.dtype, TypeError)
    if not value.is_floating_point():
        value = value.float()
    if bool((value < 0).any()) or not bool(torch.isfinite(value).all()):
        fail(fn, f"`{name}` values to be", "finite and >= 0", value.tolist() if value.numel() <= 16 else
             f"{int((value < 0).sum())} negative and {int((~torch.isfinite(value)).sum())} non-finite value(s)")
    return value


def check_class_vector(fn: str, name: str, value: Any, num_classes: int) -> torch.Tensor | None:
    """``value`` (class weights, per-class alpha) must be a 1-D tensor of length ``num_classes`` (and pass
    :func:`check_weight_tensor`)."""
    if value is None:
        return None
    value = check_weight_tensor(fn, name, value)
    if value.dim() != 1 or value.shape[0] != num_classes:
        fail(fn, f"`{name}` shape", f"({num_classes},)", _shape(value))
    return value


def check_reduction(fn: str, reduction: Any) -> None:
    check_option(fn, "reduction", reduction, REDUCTIONS)


def check_no_nan(fn: str, name: str, value: torch.Tensor) -> None:
    if value.is_floating_point() and bool(torch.isnan(value).any()):
        n = int(torch.isnan(value).sum())
        fail(fn, f"`{name}` to be", "free of NaN", f"{n} NaN value(s)")


def check_weight_values(fn: str, name: str, value: torch.Tensor | None) -> None:
    """Per-element weights finite and ``>= 0`` (a value check: costs a pass over the data)."""
    if value is None:
        return
    check_no_nan(fn, name, value)
    if value.is_floating_point() and not bool(torch.isfinite(value).all()):
        fail(fn, f"`{name}` values to be", "finite", f"{int((~torch.isfinite(value)).sum())} infinite value(s)")
    if value.numel() and bool((value < 0).any()):
        fail(fn, f"`{name}` values", ">= 0", f"minimum {float(value.min()):g}")


def check_weight(fn: str, weight: torch.Tensor | None, shape: tuple[int, ...], validate: bool) -> None:
    """A per-element ``weight``: broadcastable to the unreduced loss ``shape``; with ``validate``, finite
    and ``>= 0`` (a value check: costs a pass over the weight). Also checks that ``validate`` is a bool: every
    loss with a ``validate`` flag passes through here."""
    check_bool(fn, "validate", validate)
    check_broadcastable(fn, "weight", weight, shape)
    if validate:
        check_weight_values(fn, "weight", weight)


def check_unit_interval(fn: str, name: str, value: torch.Tensor) -> None:
    """Values in [0, 1] and no NaN (a value check: costs a pass over the data)."""
    if value.numel() == 0:
        return
    lo_t, hi_t = torch.aminmax(value.detach())  # one pass; NaN propagates into both
    check_unit_range(fn, name, float(lo_t), float(hi_t), value)


def check_unit_range(fn: str, name: str, lo: float, hi: float, value: torch.Tensor,
                     ignore_index: int | None = None) -> None:
    """Values (other than ``ignore_index``) spanning ``[lo, hi]`` must lie in [0, 1]; a NaN ``lo`` or ``hi``
    (a NaN in ``value``) fails with :func:`check_no_nan`'s message."""
    if lo != lo or hi != hi:
        check_no_nan(fn, name, value)
    if lo < 0 or hi > 1:
        extra = "" if ignore_index is None else f" (or ignore_index={ignore_index})"
        fail(fn, f"`{name}` values in", f"[0, 1]{extra}", f"values in [{lo:g}, {hi:g}]")


def check_class_indices(fn: str, name: str, target: torch.Tensor, num_classes: int,
                        ignore_index: int | None = None) -> None:
    """Every non-ignored index in ``[0, num_classes)`` (a value check: costs a pass over the data)."""
    valid = target if ignore_index is None else target[target != ignore_index]
    if valid.numel() == 0:
        return
    check_class_range(fn, name, int(valid.min()), int(valid.max()), num_classes, ignore_index)


def check_class_range(fn: str, name: str, lo: int, hi: int, num_classes: int,
                      ignore_index: int | None = None) -> None:
    """Class indices (other than ``ignore_index``) spanning ``[lo, hi]`` must lie in ``[0, num_classes)``."""
    if lo < 0 or hi >= num_classes:
        extra = "" if ignore_index is None else f" (ignore_index={ignore_index})"
        fail(fn, f"`{name}` class indices in", f"[0, {num_classes - 1}] for {num_classes} classes{extra}",
             f"class {lo if lo < 0 else hi}")


def check_probability_rows(fn: str, name: str, target: torch.Tensor, dim: int = 1, atol: float = 1e-3) -> None:
    """Soft targets: values in [0, 1] that sum to 1 along the class dimension."""
    check_unit_interval(fn, name, target)
    if target.numel() == 0:
        return
    s = target.sum(dim=dim, dtype=torch.float64)
    dev = float((s - 1).abs().max())
    if dev > atol:
        fail(fn, f"`{name}` rows summing to 1 along dim {dim}, max deviation <=", atol, f"{dev:g}")


def check_binary(fn: str, name: str, value: torch.Tensor, ignore_index: int | None = None) -> None:
    """Every value 0 or 1, except entries equal to ``ignore_index`` (a value check: costs a pass over the data)."""
    bad = (value != 0) & (value != 1)
    if ignore_index is not None:
        bad &= value != ignore_index
    if bool(bad.any()):
        extra = "" if ignore_index is None else f" (or ignore_index={ignore_index})"
        fail(fn, f"`{name}` values in", "{0, 1}" + extra, f"{int(bad.sum())} other value(s), e.g. {value[bad][0].item()!r}")
