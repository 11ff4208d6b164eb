"""Class weights from label counts (NumPy only; imports without torch).

Every function accepts a list, a NumPy array or a torch tensor and returns a NumPy ``float64`` array
(``from_labels`` returns ``int64`` counts). To use a result as ``class_weight``/``pos_weight`` of a loss::

    class_weight = torch.as_tensor(weights.inverse_frequency(counts), dtype=torch.float32)

Zero counts are defined, never a division by zero: a class with no examples gets the **largest** weight
of the observed classes (it is at least as rare as the rarest observed class, and a weight of 0 would
silently switch the class off in a class-weighted loss). If no class has an example, ``ValueError``.
Negative or non-finite counts raise ``ValueError`` with the house message template
``"{function}: expected {what} {expected}, got {actual}"``.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np

__all__ = ["from_labels", "inverse_frequency", "median_frequency", "effective_number", "pos_weight"]


def _fail(fn: str, what: str, expected: Any, actual: Any, exc: type[Exception] = ValueError):
    raise exc(f"{fn}: expected {what} {expected}, got {actual}")


def _to_numpy(x: Any) -> np.ndarray:
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # a torch tensor, without importing torch
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def _numeric(fn: str, name: str, x: Any) -> np.ndarray:
    """``x`` as a float64 array; a ``TypeError`` naming ``name`` unless it holds real numbers (not bools)."""
    try:
        c = _to_numpy(x)
    except (TypeError, ValueError) as error:
        _fail(fn, f"`{name}` to be", "numeric", f"{type(x).__name__} ({error})", TypeError)
    if c.dtype == bool or not np.issubdtype(c.dtype, np.number) or np.iscomplexobj(c):
        _fail(fn, f"`{name}` to be", "numeric", c.dtype, TypeError)
    return c.astype(np.float64)


def _counts(fn: str, counts: Any, name: str = "counts") -> np.ndarray:
    c = _numeric(fn, name, counts)
    if c.ndim != 1 or c.size == 0:
        _fail(fn, f"`{name}` shape", "(C,) with C >= 1", c.shape)
    if not np.isfinite(c).all() or (c < 0).any():
        bad = c[~np.isfinite(c) | (c < 0)][0]
        _fail(fn, f"`{name}` values to be", "finite and >= 0", f"{bad:g}")
    if not (c > 0).any():
        _fail(fn, f"`{name}` with", "at least one class with a positive count", c.tolist())
    return c


def _fill_missing(w: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Classes with a zero count get the largest weight of the present ones."""
    out = np.where(present, w, 0.0)
    out[~present] = out[present].max()
    return out


def from_labels(labels: Any, num_classes: int | None = None) -> np.ndarray:
    """Per-class counts of integer class labels (any shape), ``int64`` of shape ``(num_classes,)``.

    Args:
        labels: class indices in ``[0, num_classes)``; integer dtype, or floats holding integers.
        num_classes: the number of classes ``C``; default ``max(labels) + 1``.

    Example:
        >>> from losslab.weights import from_labels
        >>> from_labels([0, 2, 2, 1, 2], num_classes=4).tolist()
        [1, 1, 3, 0]
    """
    fn = "from_labels"
    y = _to_numpy(labels).ravel()
    if y.dtype == bool or not np.issubdtype(y.dtype, np.number):
        _fail(fn, "`labels` dtype to be", "integer class indices", y.dtype, TypeError)
    if not np.issubdtype(y.dtype, np.integer):
        if not np.isfinite(y).all() or (y != np.round(y)).any():
            _fail(fn, "`labels` to be", "integer class indices", "non-integer values")
        y = y.astype(np.int64)
    if num_classes is not None and (isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer))
                                    or num_classes < 1):
        _fail(fn, "`num_classes` to be", "an int >= 1", repr(num_classes))
    if y.size and y.min() < 0:
        _fail(fn, "`labels` class indices", ">= 0", f"class {int(y.min())}")
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
        if num_classes == 0:
            _fail(fn, "`labels` to be", "non-empty when `num_classes` is None", "an empty array")
    elif y.size and y.max() >= num_classes:
        _fail(fn, "`labels` class indices in", f"[0, {num_classes - 1}] for {num_classes} classes",
              f"class {int(y.max())}")
    return np.bincount(y.astype(np.int64), minlength=int(num_classes)).astype(np.int64)


def inverse_frequency(counts: Any, *, normalize: bool = True) -> np.ndarray:
    """Inverse-frequency class weights.

    ``w_c = N / (C · n_c)`` with ``N = Σ n_c`` (``normalize=True``, the default): this is exactly
    scikit-learn's ``compute_class_weight("balanced")``; every weight is 1 for balanced classes and the
    weighted class totals ``w_c n_c`` are all equal (``N / C``). With ``normalize=False``: ``w_c = 1 / n_c``.

    Args:
        counts: per-class counts ``n_c >= 0``, shape ``(C,)``.
        normalize: scale as ``N / C`` (see above). Default ``True``.

    Example:
        >>> from losslab.weights import inverse_frequency
        >>> inverse_frequency([10, 30, 60]).round(4).tolist()
        [3.3333, 1.1111, 0.5556]
    """
    c = _counts("inverse_frequency", counts)
    if not isinstance(normalize, (bool, np.bool_)):
        _fail("inverse_frequency", "`normalize` to be", "a bool", repr(normalize), TypeError)
    present = c > 0
    w = 1.0 / np.where(present, c, 1.0)
    if normalize:
        w = w * c.sum() / c.size
    return _fill_missing(w, present)


def median_frequency(counts: Any, *, totals: Any = None) -> np.ndarray:
    """Median-frequency balancing (Eigen & Fergus, 2015): ``w_c = median(f) / f_c``.

    ``f_c = n_c / T_c`` is the frequency of class ``c``: its count divided by ``T_c``, the total count
    (e.g. pixels) of the images in which ``c`` is present (Eigen & Fergus's definition; pass ``totals``).
    Without ``totals``, ``T_c = Σ n`` for every class, i.e. ``f_c`` is the frequency over the whole data
    set. The median is over the present classes, so the median-frequency class gets weight 1.

    Args:
        counts: per-class counts ``n_c >= 0``, shape ``(C,)``.
        totals: optional ``T_c > 0`` where ``n_c > 0``, shape ``(C,)``. Default ``None``.

    References:
        Eigen & Fergus, Predicting Depth, Surface Normals and Semantic Labels with a Common Multi-Scale
        Convolutional Architecture, 2015.

    Example:
        >>> from losslab.weights import median_frequency
        >>> median_frequency([10, 30, 60]).round(4).tolist()
        [3.0, 1.0, 0.5]
    """
    fn = "median_frequency"
    c = _counts(fn, counts)
    present = c > 0
    if totals is None:
        t = np.full_like(c, c.sum())
    else:
        t = _to_numpy(totals).astype(np.float64)
        if t.shape != c.shape:
            _fail(fn, "`totals` shape", c.shape, t.shape)
        if not np.isfinite(t).all() or (t[present] <= 0).any() or (t < c).any():
            _fail(fn, "`totals` values to be", "finite, > 0 and >= `counts` where counts > 0", t.tolist())
    f = np.where(present, c, 1.0) / np.where(present, t, 1.0)
    w = np.median(f[present]) / f
    return _fill_missing(w, present)


def effective_number(counts: Any, *, beta: float = 0.999) -> np.ndarray:
    """Class-balanced weights by the effective number of samples (Cui et al., 2019).

    The effective number of ``n`` samples is ``E_n = (1 − β^n) / (1 − β)``; ``w_c ∝ 1 / E_{n_c} =
    (1 − β) / (1 − β^{n_c})``, normalised so the weights sum to ``C`` (as in the paper, ``Σ_c w_c = C``).
    ``β = 0`` gives equal weights, ``β → 1`` approaches inverse frequency.

    Args:
        counts: per-class counts ``n_c >= 0``, shape ``(C,)``.
        beta: ``β`` in ``[0, 1)``. Default ``0.999``.

    References:
        Cui et al., Class-Balanced Loss Based on Effective Number of Samples, 2019.

    Example:
        >>> from losslab.weights import effective_number
        >>> effective_number([10, 100, 1000], beta=0.99).round(4).tolist()
        [2.4068, 0.363, 0.2301]
    """
    fn = "effective_number"
    if isinstance(beta, bool) or not isinstance(beta, (int, float, np.integer, np.floating)) \
            or not math.isfinite(beta):
        _fail(fn, "`beta` to be", "a finite real number", repr(beta), TypeError)
    if not 0 <= beta < 1:
        _fail(fn, "`beta` in", "[0, 1)", beta)
    c = _counts(fn, counts)
    present = c > 0
    n = np.where(present, c, 1.0)
    if beta == 0:
        w = np.ones_like(c)
    else:
        # 1 − β^n = −expm1(n log β): accurate when β^n is close to 1 (β near 1, n small)
        w = (1.0 - beta) / -np.expm1(n * math.log(beta))
    w = _fill_missing(w, present)
    return w * c.size / w.sum()


def pos_weight(num_pos: Any, num_neg: Any, *, damping: Literal["sqrt", "none", "log"] = "sqrt") -> np.ndarray:
    """Positive-class weight for binary / multi-label cross-entropy from a damped ``num_neg / num_pos``.

    With ratio ``ρ = num_neg / num_pos``:

    * ``"none"``: ``ρ`` — the raw balancing ratio.
    * ``"sqrt"`` (default): ``√ρ``.
    * ``"log"``: ``1 + log ρ`` for ``ρ >= 1`` and ``1 / (1 + log(1/ρ))`` below (symmetric in log space).

    Why damp: a positive weight ``w`` shifts the loss-minimising logit by ``log w``. The raw ratio shifts
    it by the full prior log-odds ``log ρ``, so the model behaves as if the classes were balanced and
    flags positives far more often than they occur (at ``ρ = 100`` a predicted 0.5 is a true ~1%): many
    false alarms. ``√ρ`` corrects half of the log-odds, ``"log"`` less still for large ``ρ``; all three
    give 1 for balanced data.

    A label with ``num_pos = 0`` (``ρ = ∞``) gets the largest weight of the other labels (``ValueError`` if
    no label has a positive); ``num_neg = 0`` gives weight 0 (the formula's value: nothing to balance).

    Args:
        num_pos: positive counts, a scalar or shape ``(L,)`` (one per label).
        num_neg: negative counts, same shape as ``num_pos``.
        damping: ``"sqrt"`` (default) | ``"none"`` | ``"log"``.

    Returns:
        ``float64`` array of the shape of ``num_pos`` (0-d for scalars).

    Example:
        >>> from losslab.weights import pos_weight
        >>> pos_weight([10, 50], [990, 50]).round(4).tolist()
        [9.9499, 1.0]
    """
    fn = "pos_weight"
    if damping not in ("sqrt", "none", "log"):
        _fail(fn, "`damping` one of", ("sqrt", "none", "log"), repr(damping))
    p, n = _numeric(fn, "num_pos", num_pos), _numeric(fn, "num_neg", num_neg)
    if p.shape != n.shape:
        _fail(fn, "`num_neg` shape equal to `num_pos` shape", p.shape, n.shape)
    for name, v in (("num_pos", p), ("num_neg", n)):
        if not np.isfinite(v).all() or (v < 0).any():
            _fail(fn, f"`{name}` values to be", "finite and >= 0", v.tolist())
    present = p > 0
    if not present.any():
        _fail(fn, "`num_pos` with", "at least one positive count", p.tolist())
    rho = n / np.where(present, p, 1.0)
    if damping == "none":
        w = rho
    elif damping == "sqrt":
        w = np.sqrt(rho)
    else:
        with np.errstate(divide="ignore"):
            lr = np.log(rho)  # −inf at ρ = 0 gives weight 0 below
        w = np.where(lr >= 0, 1.0 + np.maximum(lr, 0.0), 1.0 / (1.0 - np.minimum(lr, 0.0)))
    w = np.where(present, w, 0.0)
    if (~present).any():
        w = np.where(present, w, w[present].max())
    return w
