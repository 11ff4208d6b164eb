"""``Objective``: the NumPy float64 calculus of a loss with respect to the raw score.

Conventions (every objective):

* ``raw`` is the raw score the model outputs (logit, log-rate, or the prediction itself for
  regression); binary/regression objectives take ``raw`` of shape ``(n,)``, multi-class ones
  ``(n, K)`` with ``y`` class indices of shape ``(n,)``.
* ``loss(y, raw)`` is the unreduced loss, shape ``(n,)``.
* ``gradient(y, raw)`` is ``∂loss/∂raw`` (shape of ``raw``); ``gradient_hessian`` also returns the
  diagonal of the Hessian ``∂²loss/∂raw²`` (the exact diagonal; for softmax, ``p_k(1 − p_k)``-type terms),
  which is what XGBoost and LightGBM consume. Where the true second derivative is 0 or undefined
  (MAE, pinball), the Hessian is documented per objective.
* ``link(raw)`` maps the raw score to the prediction (probability, rate, value);
  ``init_score(y)`` is the best constant raw score.
* All are finite for ``|raw| <= 800``.

Validation (the helpers below; one call per entry point of each objective family):

* ``y`` has a real dtype (float, integer or bool), ``raw`` a float or integer one; anything else (complex,
  strings, objects) is a ``TypeError`` naming the argument. Both are read as float64 and never modified.
* binary and regression objectives take ``y`` and ``raw`` of one shape ``(n,)`` (no broadcasting);
  ``y`` is finite and in the objective's range (``[0, 1]`` for the sigmoid family, ``>= 0`` for Poisson);
  one ``min``/``max`` pass over ``y`` per call. ``raw`` values are not checked (as the torch functionals).
* ``init_score`` takes labels ``(n,)`` (a column ``(n, 1)`` is flattened), non-empty, and an optional
  ``sample_weight`` of shape ``(n,)``, finite, ``>= 0``, with a positive sum.
* Hyper-parameters are checked for type and range in ``__init__`` (indices are ints, flags bools).

Messages follow the house template ``"{function}: expected {what} {expected}, got {actual}"``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from .._checks import fail

#: dtype kinds accepted for labels (bool, signed/unsigned integer, floating) and for raw scores.
LABEL_KINDS = "biuf"
SCORE_KINDS = "iuf"
_KIND_NAMES = {LABEL_KINDS: "real (floating, integer or bool)", SCORE_KINDS: "real (floating or integer)"}
REDUCTIONS = ("mean", "sum", "none")


# -- validation (the house checks of plain values come from losslab._checks, torch-free) ----------------


def _array(fn: str, name: str, value: Any, kinds: str = LABEL_KINDS) -> np.ndarray:
    """``value`` as a NumPy array whose dtype kind is in ``kinds`` (no cast, no copy), else ``TypeError``."""
    try:
        a = np.asarray(value)
    except (TypeError, ValueError) as err:  # e.g. ragged nested lists
        fail(fn, f"`{name}` to be", "an array of real numbers", f"{type(value).__name__} ({err})", TypeError)
    if a.dtype.kind not in kinds:
        fail(fn, f"`{name}` dtype to be", _KIND_NAMES.get(kinds, kinds), a.dtype, TypeError)
    return a


def _float64(fn: str, name: str, value: Any, kinds: str = LABEL_KINDS) -> np.ndarray:
    """:func:`_array`, read as float64 (the caller's array itself when it already is float64)."""
    return _array(fn, name, value, kinds).astype(np.float64, copy=False)


def _finite_range(fn: str, name: str, a: np.ndarray) -> tuple[float, float]:
    """``(min, max)`` of a non-empty real array; NaN or ±inf fail (``min``/``max`` propagate NaN: no mask)."""
    lo, hi = float(a.min()), float(a.max())
    if lo != lo or hi != hi:
        fail(fn, f"`{name}` to be", "free of NaN", f"{int(np.isnan(a).sum())} NaN value(s)")
    if math.isinf(lo) or math.isinf(hi):
        fail(fn, f"`{name}` to be", "finite", f"values in [{lo:g}, {hi:g}]")
    return lo, hi


def _same_shape_1d(fn: str, y: Any, raw: Any) -> tuple[np.ndarray, np.ndarray]:
    """``y`` and ``raw`` as float64 arrays of one shape ``(n,)`` (no broadcasting)."""
    y, raw = _float64(fn, "y", y), _float64(fn, "raw", raw, SCORE_KINDS)
    if raw.ndim != 1 or y.shape != raw.shape:
        fail(fn, "`y` and `raw` of", "equal shape (n,)", f"`y` {y.shape} and `raw` {raw.shape}")
    return y, raw


def _labels(fn: str, y: Any) -> np.ndarray:
    """``init_score`` labels: a real array ``(n,)`` (a column ``(n, 1)`` is flattened), non-empty."""
    y = _array(fn, "y", y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        fail(fn, "`y` shape", "(n,) (or a column (n, 1))", y.shape)
    if y.size == 0:
        fail(fn, "`y` to be", "non-empty", "an empty array")
    return y


def _sample_weight(fn: str, sample_weight: Any, n: int) -> np.ndarray:
    """``sample_weight`` as float64 ``(n,)``, finite, ``>= 0``, with a positive sum (ones when ``None``)."""
    if sample_weight is None:
        return np.ones(n)
    w = _float64(fn, "sample_weight", sample_weight)
    if w.shape != (n,):
        fail(fn, "`sample_weight` shape", (n,), w.shape)
    lo, hi = float(w.min()), float(w.max())
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo < 0:
        fail(fn, "`sample_weight` values to be", "finite and >= 0", f"values in [{lo:g}, {hi:g}]")
    total = float(w.sum())
    if total <= 0:
        fail(fn, "`sample_weight` sum", "> 0", total)
    return w


class Objective(ABC):
    """Base class. Subclasses implement ``loss`` and ``gradient_hessian`` (and usually ``init_score``).

    Example:
        >>> import numpy as np
        >>> from losslab.reference import Objective, get
        >>> obj = get("sigmoid_ce")
        >>> isinstance(obj, Objective)
        True
        >>> y, raw = np.array([1.0, 0.0]), np.array([0.0, 2.0])
        >>> g, h = obj.gradient_hessian(y, raw)
        >>> np.round(g, 4).tolist(), np.round(h, 4).tolist()
        ([-0.5, 0.8808], [0.25, 0.105])
        >>> round(float(obj.init_score(np.array([1.0, 0.0, 0.0, 0.0]))), 4)
        -1.0986
    """

    key: str = ""
    multiclass: bool = False

    @abstractmethod
    def loss(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        """The unreduced loss, shape ``(n,)``."""

    @abstractmethod
    def gradient_hessian(self, y: np.ndarray, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(∂loss/∂raw, diagonal of ∂²loss/∂raw²)``, each shaped like ``raw``."""

    def gradient(self, y: np.ndarray, raw: np.ndarray) -> np.ndarray:
        return self.gradient_hessian(y, raw)[0]

    def link(self, raw: np.ndarray) -> np.ndarray:
        return _float64(f"{type(self).__name__}.link", "raw", raw, SCORE_KINDS)

    @abstractmethod
    def init_score(self, y: np.ndarray, sample_weight: np.ndarray | None = None):
        """The best constant raw score (a float, or ``(K,)`` for multi-class objectives)."""

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({params})"
