"""NumPy float64 classification objectives: loss, gradient and exact diagonal Hessian w.r.t. the logit.

Binary objectives take ``raw`` logits ``(n,)`` and targets ``y`` in ``[0, 1]`` ``(n,)``; multi-class
ones take ``raw`` ``(n, K)`` and integer class indices ``y`` ``(n,)`` (``SoftmaxKLDiv`` also takes
probability rows ``(n, K)``). Everything is closed form (no finite differences) and finite, with no
overflow / invalid / divide warnings, for ``|raw| <= 800``: logs come from ``np.logaddexp`` and the
sigmoid/softmax are formed from ``exp`` of non-positive (or clipped) arguments. Underflow to 0 of
quantities below ~1e-308 is expected and harmless.

Every objective accepts the registry options that do not apply to a per-row objective
(``reduction``, checked to be one of ``"mean"``/``"sum"``/``"none"``) and ignores them: ``loss`` is always
per row.

Inputs are checked once per call (the rules of ``losslab.reference._base``): binary ``y`` finite in
``[0, 1]`` with the shape of ``raw``; class indices integer-valued (float labels such as XGBoost's
float32 are accepted when they hold integers) in ``[0, K)`` or equal to ``ignore_index``; probability
rows in ``[0, 1]`` summing to 1 (as the torch functionals); ``init_score`` labels non-empty, K from
``n_classes``, the class vector, or ``max(y) + 1``, and never silently truncated.

``init_score`` is the best constant raw score for the (sample-weighted) mean loss: closed form for
the cross-entropies (the link of the weighted mean target, clipped to ``[10ε, 1 − 10ε]`` like
scikit-learn); for focal, ASL and Poly-1 the constant is found numerically from the analytic gradient
and Hessian (safeguarded Newton with bisection for one logit; diagonal Newton with backtracking on
the per-class mean loss for K logits), starting from the cross-entropy value.
"""

from __future__ import annotations

import functools

import numpy as np

from .._checks import check_bool, check_index, check_number, check_option, fail
from ._base import (
    REDUCTIONS,
    SCORE_KINDS,
    Objective,
    _array,
    _finite_range,
    _labels,
    _same_shape_1d,
    _sample_weight,
)

__all__ = [
    "SigmoidCrossEntropy",
    "SigmoidFocal",
    "Asymmetric",
    "SoftmaxCrossEntropy",
    "SoftmaxFocal",
    "Poly1",
    "SoftmaxKLDiv",
]

_EPS = 10 * np.finfo(np.float64).eps  # clip of the constant's probability (as scikit-learn)
_LOGIT_BOUND = float(np.log((1 - _EPS) / _EPS))  # ≈ 36.04


# ------------------------------------------------------------------------------------------------
# stable primitives
# ------------------------------------------------------------------------------------------------
def _benign_underflow(method):
    """Run ``method`` with numpy's underflow flag ignored: results below ~1e-308 becoming 0 is intended
    (e.g. ``σ(−800)``); overflow, invalid and divide-by-zero keep the caller's setting."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with np.errstate(under="ignore"):
            return method(*args, **kwargs)

    return wrapper


def _softplus(x: np.ndarray) -> np.ndarray:
    """``log(1 + e^x)`` for any x, no overflow."""
    return np.logaddexp(0.0, x)


def _sigmoid_pq(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(σ(raw), σ(−raw))``, each with full relative accuracy (one ``exp``, argument <= 708)."""
    e = np.negative(raw)
    np.minimum(e, 708.0, out=e)
    np.exp(e, out=e)  # e^{−raw}, finite
    p = e + 1.0
    np.reciprocal(p, out=p)  # σ(raw) = 1/(1 + e^{−raw})
    e *= p  # σ(−raw) = e^{−raw}/(1 + e^{−raw})
    return p, e


def _softmax(raw: np.ndarray) -> np.ndarray:
    """Row softmax of ``(n, K)``; shift by the row mean (BLAS), exact max-shift for rows that overflow.

    Shifting by the mean keeps ``Σ_k exp(raw_k − mean) >= K`` (AM–GM), so nothing underflows to an
    all-zero row; rows whose spread overflows ``exp`` are recomputed with the row max.
    """
    k = raw.shape[1]
    c = raw @ np.full(k, 1.0 / k)
    p = np.subtract(raw, c[:, None])
    with np.errstate(over="ignore"):
        np.exp(p, out=p)
        s = p @ np.ones(k)
    bad = ~np.isfinite(s)
    if bad.any():
        rb = raw[bad]
        eb = np.exp(rb - rb.max(axis=1, keepdims=True))
        p[bad] = eb
        s[bad] = eb.sum(axis=1)
    np.reciprocal(s, out=s)
    p *= s[:, None]
    return p


def _log_softmax(raw: np.ndarray) -> np.ndarray:
    m = raw.max(axis=1, keepdims=True)
    z = raw - m
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


# ------------------------------------------------------------------------------------------------
# input checks (one place per family; messages from ``_base``)
# ------------------------------------------------------------------------------------------------
def _unit_targets(fn: str, y: np.ndarray) -> None:
    """Binary targets: finite, in ``[0, 1]`` (soft labels allowed); one ``min``/``max`` pass."""
    if y.size:
        lo, hi = _finite_range(fn, "y", y)
        if lo < 0 or hi > 1:
            fail(fn, "`y` values in", "[0, 1]", f"values in [{lo:g}, {hi:g}]")


def _scores_2d(fn: str, raw) -> np.ndarray:
    """Multi-class raw scores: a real array ``(n, K)``, as C-contiguous float64."""
    raw = _array(fn, "raw", raw, SCORE_KINDS)
    if raw.ndim != 2:
        fail(fn, "`raw` shape", "(n, K)", raw.shape)
    return np.ascontiguousarray(raw, dtype=np.float64)


def _as_indices(fn: str, y: np.ndarray) -> np.ndarray:
    """Integer-valued real labels as ``intp`` (floats must hold integers: NaN, ±inf and 1.5 fail)."""
    if y.dtype.kind != "f":
        return y.astype(np.intp, copy=False)
    with np.errstate(invalid="ignore"):  # NaN/inf cast to garbage, caught by the comparison
        yi = y.astype(np.intp)
    bad = yi != y
    if bad.any():
        fail(fn, "`y` to hold", "integer class indices", f"{int(bad.sum())} other value(s), e.g. {float(y[bad][0]):g}")
    return yi


def _index_range(fn: str, yi: np.ndarray, k: int, ignore_index: int | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Class indices in ``[0, k)`` except ``ignore_index``: ``(y with ignored rows set to 0, keep or None)``."""
    keep = None
    if ignore_index is not None:
        ignored = yi == ignore_index
        if ignored.any():
            keep = ~ignored
            yi = np.where(keep, yi, 0)
    if yi.size:
        lo, hi = int(yi.min()), int(yi.max())
        if lo < 0 or hi >= k:
            extra = "" if ignore_index is None else f" (or ignore_index={ignore_index})"
            fail(fn, "`y` class indices in", f"[0, {k - 1}] for {k} classes{extra}", f"values in [{lo}, {hi}]")
    return yi, keep


def _class_inputs(fn: str, y, raw, ignore_index: int | None = None, vectors: tuple = ()
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Multi-class ``(y, raw, keep)``: raw ``(n, K)``, class indices ``(n,)`` in ``[0, K)`` (rows equal to
    ``ignore_index`` set to 0; ``keep`` masks them, ``None`` when every row counts); every ``(name, vector)``
    of ``vectors`` (class weights, alpha) has ``K`` entries."""
    y, raw = _array(fn, "y", y), _scores_2d(fn, raw)
    n, k = raw.shape
    if y.shape != (n,):
        fail(fn, "class-index `y` shape", f"{(n,)} for `raw` shape {raw.shape}", y.shape)
    for name, v in vectors:
        if v is not None and v.shape[0] != k:
            fail(fn, f"`{name}` shape", f"({k},) for `raw` shape {raw.shape}", v.shape)
    y, keep = _index_range(fn, _as_indices(fn, y), k, ignore_index)
    return y, raw, keep


def _probability_rows(fn: str, name: str, t: np.ndarray, atol: float = 1e-3) -> None:
    """Soft targets: values in [0, 1] (no NaN) whose rows sum to 1 within ``atol`` (as the torch functional)."""
    if t.size == 0:
        return
    lo, hi = _finite_range(fn, name, t)
    if lo < 0 or hi > 1:
        fail(fn, f"`{name}` values in", "[0, 1]", f"values in [{lo:g}, {hi:g}]")
    dev = float(np.abs(t.sum(axis=1) - 1.0).max())
    if dev > atol:
        fail(fn, f"`{name}` rows summing to 1 along dim 1, max deviation <=", atol, f"{dev:g}")


def _class_vector(fn: str, name: str, value) -> np.ndarray | None:
    """A per-class vector hyper-parameter (class weights, alpha): real ``(K,)``, finite, ``>= 0``; a copy."""
    if value is None:
        return None
    a = _array(fn, name, value, SCORE_KINDS)
    if a.ndim != 1:
        fail(fn, f"`{name}` to be", "a per-class vector (K,) or None",
              f"the scalar {value!r}" if a.ndim == 0 else f"shape {a.shape}")
    v = np.array(a, dtype=np.float64)
    if v.size and (not np.all(np.isfinite(v)) or np.any(v < 0)):
        fail(fn, f"`{name}` values to be", "finite and >= 0", v.tolist())
    return v


def _onehot_pick(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``a[i, y_i]`` for ``(n, K)`` ``a`` (flat indexing, no one-hot)."""
    n, k = a.shape
    if a.flags.c_contiguous:
        return a.reshape(-1)[np.arange(0, n * k, k) + y]
    return a[np.arange(n), y]


def _add_at_target(a: np.ndarray, y: np.ndarray, v) -> None:
    """``a[i, y_i] += v_i`` in place (flat indexing on a C-contiguous array, else row/column indexing)."""
    n, k = a.shape
    if a.flags.c_contiguous:
        a.reshape(-1)[np.arange(0, n * k, k) + y] += v  # a view: the update lands in ``a``
    else:
        a[np.arange(n), y] += v


# ------------------------------------------------------------------------------------------------
# constant fits (init_score)
# ------------------------------------------------------------------------------------------------
def _fit_constant_binary(obj: Objective, y: np.ndarray, w: np.ndarray, x0: float) -> float:
    """Minimise ``Σ w ℓ(y, c)`` over a scalar c in ``[−B, B]``: safeguarded Newton (bisection fallback).

    Uses the analytic ``gradient_hessian``; the bracket is grown from ``x0`` until the weighted
    gradient changes sign (if it never does, the bound on the descending side is returned).
    """

    def gh(c: float) -> tuple[float, float]:
        g, h = obj.gradient_hessian(y, np.full(len(y), c))
        return float(w @ g), float(w @ h)

    lo, hi = -_LOGIT_BOUND, _LOGIT_BOUND
    c = float(np.clip(x0, lo, hi))
    g, h = gh(c)
    if g == 0:
        return c
    # grow a bracket [a, b] with G(a) < 0 < G(b)
    step = 1.0
    if g > 0:
        b, a = c, c
        while True:
            a = max(b - step, lo)
            ga, _ = gh(a)
            if ga < 0:
                break
            if a == lo or ga == 0:
                return a
            b, step = a, step * 2
    else:
        a, b = c, c
        while True:
            b = min(a + step, hi)
            gb, _ = gh(b)
            if gb > 0:
                break
            if b == hi or gb == 0:
                return b
            a, step = b, step * 2
    c = 0.5 * (a + b)
    for _ in range(200):
        g, h = gh(c)
        if g == 0:
            return c
        if g < 0:
            a = c
        else:
            b = c
        new = c - g / h if h > 0 else np.nan
        if not (a < new < b):
            new = 0.5 * (a + b)
        if abs(new - c) <= 1e-13 * (1 + abs(c)) or b - a <= 1e-13 * (1 + abs(c)):
            return float(new)
        c = float(new)
    return c


def _fit_constant_multiclass(obj: Objective, freq: np.ndarray, c0: np.ndarray) -> np.ndarray:
    """Minimise the frequency-weighted mean loss ``F(c) = Σ_k f_k ℓ(k, c)`` over a constant logit vector c.

    BFGS over the classes present (``f_k > 0``) on the analytic gradient, started from the inverse of the
    analytic Hessian diagonal (1 where it is not positive), with a backtracking (Armijo) line search;
    absent classes keep their cross-entropy value (log 10ε, centred). Near the minimum F changes by less
    than its rounding error, so a step that leaves F equal to rounding is taken when it shrinks the
    gradient. The gradient ends at ~1e-13 (a diagonal Newton stalled at 1e-9 to 1e-5: the softmax couples
    the classes).
    """
    k = len(freq)
    ys = np.arange(k)
    idx = np.flatnonzero(freq > 0)
    eps = np.finfo(float).eps

    def value(v: np.ndarray) -> float:
        return float(freq @ obj.loss(ys, np.tile(v, (k, 1))))

    def derivatives(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g, h = obj.gradient_hessian(ys, np.tile(v, (k, 1)))
        return (freq @ g)[idx], (freq @ h)[idx]

    def largest(g: np.ndarray) -> float:
        return float(np.max(np.abs(g)))

    c = c0.copy()
    f = value(c)
    G, H = derivatives(c)
    start = np.diag(np.where(H > 1e-12, 1.0 / np.where(H > 1e-12, H, 1.0), 1.0))
    inv = start
    for _ in range(200):
        if largest(G) < 1e-13:
            break
        step = -inv @ G
        if G @ step >= 0:  # not a descent direction (non-convex region): restart from the diagonal
            inv, step = start, -start @ G
        t, slope = 1.0, float(G @ step)
        while t > 1e-12:
            trial = c.copy()
            trial[idx] += t * step
            ft = value(trial)
            Gt = derivatives(trial)[0]
            if ft <= f + 1e-4 * t * slope or (ft <= f + 64 * eps * abs(f) and largest(Gt) < largest(G)):
                break
            t *= 0.5
        else:
            break
        s, dg = trial[idx] - c[idx], Gt - G
        if s @ dg > 0:  # BFGS update of the inverse Hessian
            rho = 1.0 / (s @ dg)
            v = np.eye(len(idx)) - rho * np.outer(s, dg)
            inv = v @ inv @ v.T + rho * np.outer(s, s)
        c, f, G = trial, ft, Gt
    return c - c.mean()


def _class_init_inputs(fn: str, y, sample_weight, n_classes, ignore_index: int | None = None,
                       vector: tuple[str, np.ndarray | None] = ("", None)):
    """Multi-class ``init_score`` inputs: ``(y, w, K, keep)``, class indices ``(n,)`` checked against K.

    K is ``n_classes``, else the class vector's length, else ``max(y) + 1`` over the rows not ignored.
    Ignored rows get class 0 and are masked by ``keep`` (``None`` when every row counts).
    """
    y = _as_indices(fn, _labels(fn, y))
    w = _sample_weight(fn, sample_weight, y.size)
    name, v = vector
    if n_classes is not None:
        k = check_index(fn, "n_classes", n_classes, low=1)
        if v is not None and v.shape[0] != k:
            fail(fn, f"`{name}` shape", f"({k},) for n_classes={k}", v.shape)
    elif v is not None:
        k = v.shape[0]
    else:
        valid = y if ignore_index is None else y[y != ignore_index]
        k = max(int(valid.max()) + 1, 1) if valid.size else 1
    y, keep = _index_range(fn, y, k, ignore_index)
    return y, w, k, keep


def _class_frequencies(y: np.ndarray, k: int, w: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
    """Weighted class frequencies of checked indices in ``[0, k)`` (uniform when no weight is left)."""
    if keep is not None:
        y, w = y[keep], w[keep]
    freq = np.bincount(y, weights=w, minlength=k)
    total = freq.sum()
    return freq / total if total > 0 else np.full(k, 1.0 / k)


def _ce_constant(y: np.ndarray, w: np.ndarray, pos_weight=None) -> float:
    """The cross-entropy constant ``log(Σ w p_w y / Σ w (1 − y))``, its probability clipped to [10ε, 1 − 10ε]."""
    pw = 1.0 if pos_weight is None else pos_weight
    a, b = float(np.sum(w * pw * y)), float(np.sum(w * (1 - y)))
    pi = a / (a + b) if a + b > 0 else 0.5
    pi = min(max(pi, _EPS), 1 - _EPS)
    return float(np.log(pi) - np.log1p(-pi))


def _symmetric_log(pi: np.ndarray) -> np.ndarray:
    lp = np.log(np.clip(pi, _EPS, 1.0))
    return lp - lp.mean()


# ------------------------------------------------------------------------------------------------
# binary objectives
# ------------------------------------------------------------------------------------------------
class _Binary(Objective):
    """Shared input checks of the sigmoid objectives (one place for every entry point).

    ``y`` and ``raw`` are float64 arrays of one shape ``(n,)``; ``y`` is finite and in ``[0, 1]`` (soft
    labels allowed, as the torch functionals); ``init_score`` labels are ``(n,)`` (or a column), non-empty,
    with ``sample_weight`` ``(n,)``, finite, ``>= 0``, positive sum.
    """

    def _check_rows(self, fn: str, n: int, arrays: str) -> None:
        """Per-row hyper-parameters (``pos_weight``) against ``n`` rows of ``arrays`` (for the message)."""

    def _inputs(self, where: str, y, raw) -> tuple[np.ndarray, np.ndarray]:
        fn = f"{type(self).__name__}.{where}"
        y, raw = _same_shape_1d(fn, y, raw)
        _unit_targets(fn, y)
        self._check_rows(fn, raw.shape[0], "`y` and `raw`")
        return y, raw

    def _init_inputs(self, y, sample_weight) -> tuple[np.ndarray, np.ndarray]:
        fn = f"{type(self).__name__}.init_score"
        y = _labels(fn, y).astype(np.float64, copy=False)
        _unit_targets(fn, y)
        self._check_rows(fn, y.size, "`y`")
        return y, _sample_weight(fn, sample_weight, y.size)

    @_benign_underflow
    def link(self, raw):
        return _sigmoid_pq(super().link(raw))[0]


class SigmoidCrossEntropy(_Binary):
    """Binary log loss on the logit r: ``ℓ = p_w·ỹ·softplus(−r) + (1 − ỹ)·softplus(r)``.

    ``ỹ = y(1 − ε) + ε/2`` (label smoothing ε), ``p_w`` the positive weight (scalar or ``(n,)``).
    Gradient ``(1 − ỹ)p − p_w ỹ q``, Hessian ``p q (p_w ỹ + 1 − ỹ)`` with ``p = σ(r)``, ``q = 1 − p``
    (``p − ỹ`` and ``p(1 − p)`` without ``pos_weight``: for ``ỹ = 1`` and ``r > 37`` that gradient rounds to
    0 instead of ``−q`` (absolute error below 1e-16); forming ``−q`` there took 2.5× as long on 10M rows).
    ``init_score``: ``log(Σ w p_w ỹ / Σ w (1 − ỹ))``.

    Example:
        >>> import numpy as np
        >>> g, h = SigmoidCrossEntropy().gradient_hessian(np.array([1.0, 0.0]), np.array([0.0, 2.0]))
        >>> [round(float(v), 4) for v in (*g, *h)]
        [-0.5, 0.8808, 0.25, 0.105]
    """

    key = "sigmoid_ce"

    def __init__(self, pos_weight=None, label_smoothing: float = 0.0, reduction: str = "mean") -> None:
        fn = "SigmoidCrossEntropy"
        self.pos_weight = None
        if pos_weight is not None:
            a = _array(fn, "pos_weight", pos_weight, SCORE_KINDS)
            if a.ndim > 1:
                fail(fn, "`pos_weight` to be", "a scalar or a per-row vector (n,)", f"shape {a.shape}")
            self.pos_weight = np.array(a, dtype=np.float64)  # a copy: later edits of the caller's array don't leak
            if not np.all(np.isfinite(self.pos_weight)) or np.any(self.pos_weight < 0):
                fail(fn, "`pos_weight` values to be", "finite and >= 0", self.pos_weight.tolist())
        self.label_smoothing = check_number(fn, "label_smoothing", label_smoothing, low=0, high=1)
        check_option(fn, "reduction", reduction, REDUCTIONS)

    def _check_rows(self, fn: str, n: int, arrays: str) -> None:
        pw = self.pos_weight
        if pw is not None and pw.ndim == 1 and pw.shape[0] not in (1, n):
            fail(fn, "`pos_weight` shape", f"(), (1,) or ({n},) for {arrays} of shape ({n},)", pw.shape)

    def _smooth(self, y: np.ndarray) -> np.ndarray:
        ls = self.label_smoothing
        return y if ls == 0 else y * (1 - ls) + ls / 2

    @_benign_underflow
    def loss(self, y, raw):
        y, raw = self._inputs("loss", y, raw)
        y = self._smooth(y)
        pos = y * _softplus(-raw)
        if self.pos_weight is not None:
            pos = pos * self.pos_weight
        return pos + (1 - y) * _softplus(raw)

    @_benign_underflow
    def gradient_hessian(self, y, raw):
        y, raw = self._inputs("gradient_hessian", y, raw)
        y = self._smooth(y)
        p, q = _sigmoid_pq(raw)  # two arrays; q is reused as the Hessian buffer
        if self.pos_weight is None:
            q *= p  # p q
            p -= y  # p − ỹ
            return p, q
        wy = self.pos_weight * y
        g = (1 - y) * p - wy * q
        q *= p
        q *= wy + (1 - y)
        return g, q

    def init_score(self, y, sample_weight=None):
        y, w = self._init_inputs(y, sample_weight)
        return _ce_constant(self._smooth(y), w, self.pos_weight)


class SigmoidFocal(_Binary):
    """Sigmoid focal loss on the logit r (torchvision's form, soft targets included).

    ``ℓ = α_t · u^γ · ce`` with ``p = σ(r)``, ``ce = y softplus(−r) + (1 − y) softplus(r)``,
    ``u = 1 − p_t = y(1 − p) + (1 − y)p`` and ``α_t = αy + (1 − α)(1 − y)`` (1 if ``alpha`` is None).
    With ``w = u'/u = (1 − 2y) p q / u`` (bounded; its limit ``1 − 2y`` where u = 0)::

        ℓ'  = α_t u^γ [(p − y) + γ ce w]
        ℓ'' = α_t u^γ [p q + 2γ (p − y) w + γ ce ((γ − 1) w² + (1 − 2p) w)]

    The Hessian is exact and can be negative (the loss is not convex). ``init_score``: safeguarded
    Newton on the analytic derivatives from the log-odds of the mean.

    Example:
        >>> import numpy as np
        >>> obj = SigmoidFocal(gamma=2.0, alpha=0.25)
        >>> round(float(obj.loss(np.array([1.0]), np.array([0.0]))[0]), 4)
        0.0433
    """

    key = "sigmoid_focal"

    def __init__(self, gamma: float = 2.0, alpha: float | None = 0.25, reduction: str = "mean") -> None:
        self.gamma = check_number("SigmoidFocal", "gamma", gamma, low=0)
        self.alpha = None if alpha is None else check_number("SigmoidFocal", "alpha", alpha, low=0, high=1)
        check_option("SigmoidFocal", "reduction", reduction, REDUCTIONS)

    def _parts(self, y, raw):
        p, q = _sigmoid_pq(raw)
        u = y * q + (1 - y) * p
        at = 1.0 if self.alpha is None else self.alpha * y + (1 - self.alpha) * (1 - y)
        return p, q, u, at

    @_benign_underflow
    def loss(self, y, raw):
        y, raw = self._inputs("loss", y, raw)
        _, _, u, at = self._parts(y, raw)
        ce = y * _softplus(-raw) + (1 - y) * _softplus(raw)
        return at * np.power(u, self.gamma) * ce

    @_benign_underflow
    def gradient_hessian(self, y, raw):
        y, raw = self._inputs("gradient_hessian", y, raw)
        g_ = self.gamma
        p, q, u, at = self._parts(y, raw)
        ce = y * _softplus(-raw) + (1 - y) * _softplus(raw)
        s = 1 - 2 * y
        pos = u > 0
        w = np.where(pos, s * p * q / np.where(pos, u, 1.0), s)
        f = at * np.power(u, g_)
        d = p - y
        grad = f * (d + g_ * ce * w)
        hess = f * (p * q + 2 * g_ * d * w + g_ * ce * ((g_ - 1) * w * w + (1 - 2 * p) * w))
        return grad, hess

    def init_score(self, y, sample_weight=None):
        y, w = self._init_inputs(y, sample_weight)
        return _fit_constant_binary(self, y, w, _ce_constant(y, w))


class Asymmetric(_Binary):
    """Asymmetric loss (ASL) on the logit r, per-term form (linear in y).

    ``ℓ = y·A + (1 − y)·B`` with ``p = σ(r)``, ``q = 1 − p``, ``A = q^γ₊ softplus(−r)`` and
    ``B = s^γ₋ L``, ``s = p_m = max(p − m, 0)``, ``L = −log(1 − s)``, ``t = q + m``, ``k = p q / s``
    and ``κ = k s / t = p q / t`` (``k = q``, ``κ = p`` for m = 0; both 0 where s = 0)::

        A'  = −q^γ (γ p softplus(−r) + q)
        A'' = p q^γ [q (2γ + 1) − γ softplus(−r) (q − γ p)]
        B'  = s^γ (γ k L + κ)
        B'' = s^γ (γ(γ − 1) k² L + 2γ k κ + κ²) + s^γ (1 − 2p)(γ k L + κ)

    Where ``p <= m`` the negative term is flat (B = B' = B'' = 0); with ``m > 0`` and ``γ₋ < 1`` the
    true second derivative grows without bound as ``p → m⁺`` (it is finite for every representable
    ``p > m``). ``init_score``: safeguarded Newton from the log-odds of the mean.

    Example:
        >>> import numpy as np
        >>> obj = Asymmetric(gamma_pos=0.0, gamma_neg=4.0, clip=0.05)
        >>> round(float(obj.loss(np.array([0.0]), np.array([1.0]))[0]), 4)
        0.2459
    """

    key = "asymmetric"

    def __init__(self, gamma_pos: float = 0.0, gamma_neg: float = 4.0, clip: float = 0.05,
                 reduction: str = "mean") -> None:
        fn = "Asymmetric"
        self.gamma_pos = check_number(fn, "gamma_pos", gamma_pos, low=0)
        self.gamma_neg = check_number(fn, "gamma_neg", gamma_neg, low=0)
        self.clip = check_number(fn, "clip", clip, low=0, high=1, high_open=True)
        check_option(fn, "reduction", reduction, REDUCTIONS)

    def _neg_parts(self, raw, p, q):
        m = self.clip
        if m == 0:
            return p, _softplus(raw), q, p
        s = np.maximum(p - m, 0.0)
        t = np.minimum(q + m, 1.0)  # >= m > 0
        small = s < 0.5
        L = np.where(small, -np.log1p(-np.where(small, s, 0.0)), -np.log(t))
        pos = s > 0
        k = np.where(pos, p * q / np.where(pos, s, 1.0), 0.0)
        kappa = np.where(pos, p * q / t, 0.0)
        return s, L, k, kappa

    @_benign_underflow
    def loss(self, y, raw):
        y, raw = self._inputs("loss", y, raw)
        p, q = _sigmoid_pq(raw)
        a = np.power(q, self.gamma_pos) * _softplus(-raw)
        s, L, _, _ = self._neg_parts(raw, p, q)
        b = np.power(s, self.gamma_neg) * L
        return y * a + (1 - y) * b

    @_benign_underflow
    def gradient_hessian(self, y, raw):
        y, raw = self._inputs("gradient_hessian", y, raw)
        p, q = _sigmoid_pq(raw)
        gp, gn = self.gamma_pos, self.gamma_neg
        sp = _softplus(-raw)
        qg = np.power(q, gp)
        a1 = -qg * (gp * p * sp + q)
        a2 = p * qg * (q * (2 * gp + 1) - gp * sp * (q - gp * p))
        s, L, k, kappa = self._neg_parts(raw, p, q)
        sg = np.power(s, gn)
        inner = gn * k * L + kappa
        b1 = sg * inner
        b2 = sg * (gn * (gn - 1) * k * k * L + 2 * gn * k * kappa + kappa * kappa) + sg * (1 - 2 * p) * inner
        return y * a1 + (1 - y) * b1, y * a2 + (1 - y) * b2

    def init_score(self, y, sample_weight=None):
        y, w = self._init_inputs(y, sample_weight)
        return _fit_constant_binary(self, y, w, _ce_constant(y, w))


# ------------------------------------------------------------------------------------------------
# multi-class objectives
# ------------------------------------------------------------------------------------------------
class _Multiclass(Objective):
    """Shared checks of the softmax objectives: :func:`_class_inputs` (calls) and :func:`_class_init_inputs`
    (``init_score``) are their only entry points; ``link`` takes ``raw`` ``(n, K)``."""

    multiclass = True

    @_benign_underflow
    def link(self, raw):
        return _softmax(_scores_2d(f"{type(self).__name__}.link", raw))


def _ce_config(fn: str, class_weight, ignore_index, label_smoothing, reduction):
    """Checked ``(class_weight, ignore_index, label_smoothing)`` of the softmax cross-entropy options."""
    check_option(fn, "reduction", reduction, REDUCTIONS)
    return (_class_vector(fn, "class_weight", class_weight), check_index(fn, "ignore_index", ignore_index),
            check_number(fn, "label_smoothing", label_smoothing, low=0, high=1))


class SoftmaxCrossEntropy(_Multiclass):
    """Softmax cross-entropy on logits ``(n, K)`` with class-index targets, torch's unreduced form.

    ``ℓ = −Σ_k c_k ỹ_k log p_k``, ``ỹ = (1 − ε) onehot(y) + ε/K``, class weights ``c`` (1 if None).
    With ``W = Σ_k c_k ỹ_k``: gradient ``W p_k − c_k ỹ_k`` (``p − ỹ`` without class weights), exact
    diagonal Hessian ``W p_k (1 − p_k)``. Rows with ``y == ignore_index`` have loss, gradient and
    Hessian 0. ``init_score``: ``log π − mean(log π)`` with ``π_k ∝ Σ_i w_i c_k ỹ_ik`` clipped at 10ε.

    Example:
        >>> import numpy as np
        >>> g, h = SoftmaxCrossEntropy().gradient_hessian(np.array([0]), np.array([[0.0, 0.0]]))
        >>> g.round(4).tolist(), h.round(4).tolist()
        ([[-0.5, 0.5]], [[0.25, 0.25]])
    """

    key = "softmax_ce"

    def __init__(self, class_weight=None, ignore_index: int = -100, label_smoothing: float = 0.0,
                 reduction: str = "mean") -> None:
        self.class_weight, self.ignore_index, self.label_smoothing = _ce_config(
            "SoftmaxCrossEntropy", class_weight, ignore_index, label_smoothing, reduction)

    def _prepare(self, fn, y, raw):
        return _class_inputs(fn, y, raw, self.ignore_index, (("class_weight", self.class_weight),))

    @_benign_underflow
    def loss(self, y, raw):
        return self._loss(*self._prepare("SoftmaxCrossEntropy.loss", y, raw))

    def _loss(self, y, raw, keep):
        k, ls, cw = raw.shape[1], self.label_smoothing, self.class_weight
        logp = _log_softmax(raw)
        out = -_onehot_pick(logp, y) * (1.0 if cw is None else cw[y])
        if ls:
            smooth = -(logp.sum(axis=1) if cw is None else logp @ cw)
            out = (1 - ls) * out + (ls / k) * smooth
        return out if keep is None else np.where(keep, out, 0.0)

    @_benign_underflow
    def gradient_hessian(self, y, raw):
        return self._gradient_hessian(*self._prepare("SoftmaxCrossEntropy.gradient_hessian", y, raw))

    def _gradient_hessian(self, y, raw, keep):
        k, ls, cw = raw.shape[1], self.label_smoothing, self.class_weight
        p = _softmax(raw)
        h = np.subtract(1.0, p)
        h *= p
        if cw is None:
            if ls:
                p -= ls / k
            _add_at_target(p, y, -(1 - ls))
        else:
            W = (1 - ls) * cw[y] + (ls / k) * cw.sum()
            p *= W[:, None]
            h *= W[:, None]
            if ls:
                p -= (ls / k) * cw
            _add_at_target(p, y, -(1 - ls) * cw[y])
        if keep is not None:
            p[~keep] = 0.0
            h[~keep] = 0.0
        return p, h

    def init_score(self, y, sample_weight=None, n_classes: int | None = None):
        y, w, k, keep = _class_init_inputs(f"{type(self).__name__}.init_score", y, sample_weight, n_classes,
                                           self.ignore_index, ("class_weight", self.class_weight))
        return self._init(y, w, k, keep)

    def _init(self, y, w, k, keep):
        f = _class_frequencies(y, k, w, keep)
        ls = self.label_smoothing
        pi = (1 - ls) * f + ls / k
        if self.class_weight is not None:
            pi = pi * self.class_weight
            pi = pi / pi.sum() if pi.sum() > 0 else np.full(k, 1.0 / k)
        return _symmetric_log(pi)


class SoftmaxFocal(_Multiclass):
    """Multi-class focal loss on logits ``(n, K)``: ``ℓ = −α_y (1 − P)^γ log P``, ``P = p_y``.

    With ``Q = 1 − P`` (summed from the other classes, so exact when P ≈ 1), ``R = −log P / Q``
    (``→ 1`` as Q → 0), ``D_k = (δ_yk − p_k)/Q`` and ``G = −α_y Q^γ (γ P R + 1)``::

        ∂ℓ/∂z_k   = G (δ_yk − p_k)
        ∂²ℓ/∂z_k² = α_y γ Q^(γ+1) ((γ − 1) P R + 2 − Q R) P D_k² − G p_k (1 − p_k)

    Exact and finite for fractional γ at saturated logits; can be negative (non-convex).
    ``init_score``: diagonal Newton on the frequency-weighted mean loss from the CE constant.

    Example:
        >>> import numpy as np
        >>> obj = SoftmaxFocal(gamma=2.0)
        >>> round(float(obj.loss(np.array([0]), np.array([[1.0, 0.0]]))[0]), 4)
        0.0227
    """

    key = "softmax_focal"

    def __init__(self, gamma: float = 2.0, alpha=None, ignore_index: int = -100, reduction: str = "mean") -> None:
        fn = "SoftmaxFocal"
        self.gamma = check_number(fn, "gamma", gamma, low=0)
        self.alpha = _class_vector(fn, "alpha", alpha)
        self.ignore_index = check_index(fn, "ignore_index", ignore_index)
        check_option(fn, "reduction", reduction, REDUCTIONS)

    def _parts(self, fn, y, raw):
        y, raw, keep = _class_inputs(fn, y, raw, self.ignore_index, (("alpha", self.alpha),))
        p = _softmax(raw)
        P = _onehot_pick(p, y)
        others = p.copy()
        _add_at_target(others, y, -P)
        Q = others.sum(axis=1)  # 1 − P without cancellation
        log_p_soft = _onehot_pick(_log_softmax(raw), y)
        small = Q < 0.5
        lP = np.where(small, np.log1p(-np.where(small, Q, 0.0)), log_p_soft)
        a = 1.0 if self.alpha is None else self.alpha[y]
        return y, p, P, Q, lP, a, keep

    @_benign_underflow
    def loss(self, y, raw):
        _, _, _, Q, lP, a, keep = self._parts("SoftmaxFocal.loss", y, raw)
        out = -a * np.power(Q, self.gamma) * lP
        return out if keep is None else np.where(keep, out, 0.0)

    @_benign_underflow
    def gradient_hessian(self, y, raw):
        y, p, P, Q, lP, a, keep = self._parts("SoftmaxFocal.gradient_hessian", y, raw)
        gm = self.gamma
        pos = Q > 0
        Qs = np.where(pos, Q, 1.0)
        R = np.where(pos, -lP / Qs, 1.0)
        Qg = np.power(Q, gm)
        G = -a * Qg * (gm * P * R + 1)
        delta = -p  # δ_yk − p_k
        _add_at_target(delta, y, 1.0)
        grad = G[:, None] * delta
        D = np.where(pos[:, None], delta / Qs[:, None], 0.0)
        c1 = a * gm * Qg * Q * ((gm - 1) * P * R + 2 - Q * R) * P
        hess = c1[:, None] * D * D - G[:, None] * p * (1 - p)
        if keep is not None:
            grad[~keep] = 0.0
            hess[~keep] = 0.0
        return grad, hess

    def init_score(self, y, sample_weight=None, n_classes: int | None = None):
        y, w, k, keep = _class_init_inputs(f"{type(self).__name__}.init_score", y, sample_weight, n_classes,
                                           self.ignore_index, ("alpha", self.alpha))
        f = _class_frequencies(y, k, w, keep)
        c0 = _symmetric_log(f)
        return _fit_constant_multiclass(self, f, c0)


class Poly1(_Multiclass):
    """Poly-1 on logits ``(n, K)``: ``ℓ = CE + ε c_y (1 − p_t)``, ``p_t = (1 − ε_ls) p_y + ε_ls/K``.

    CE is :class:`SoftmaxCrossEntropy`'s (class weights ``c``, label smoothing ε_ls). The polynomial
    term adds ``−ε c_y (1 − ε_ls) P (δ_yk − p_k)`` to the gradient and
    ``−ε c_y (1 − ε_ls) P ((δ_yk − p_k)² − p_k(1 − p_k))`` to the Hessian diagonal (``P = p_y``).
    ``init_score``: diagonal Newton on the frequency-weighted mean loss from the CE constant.

    Example:
        >>> import numpy as np
        >>> round(float(Poly1(epsilon=1.0).loss(np.array([0]), np.array([[1.0, 0.0]]))[0]), 4)
        0.5822
    """

    key = "poly1"

    def __init__(self, epsilon: float = 1.0, class_weight=None, ignore_index: int = -100,
                 label_smoothing: float = 0.0, reduction: str = "mean") -> None:
        self.epsilon = check_number("Poly1", "epsilon", epsilon, low=-1)
        self.class_weight, self.ignore_index, self.label_smoothing = _ce_config(
            "Poly1", class_weight, ignore_index, label_smoothing, reduction)
        self._ce = SoftmaxCrossEntropy(class_weight=self.class_weight, ignore_index=self.ignore_index,
                                       label_smoothing=self.label_smoothing)

    @_benign_underflow
    def loss(self, y, raw):
        y, raw, keep = self._ce._prepare("Poly1.loss", y, raw)
        ce = self._ce._loss(y, raw, keep)
        ls, cw = self.label_smoothing, self.class_weight
        pt = (1 - ls) * _onehot_pick(_softmax(raw), y) + ls / raw.shape[1]
        poly = self.epsilon * (1 - pt) * (1.0 if cw is None else cw[y])
        return ce + (poly if keep is None else np.where(keep, poly, 0.0))

    @_benign_underflow
    def gradient_hessian(self, y, raw):
        y, raw, keep = self._ce._prepare("Poly1.gradient_hessian", y, raw)
        g, h = self._ce._gradient_hessian(y, raw, keep)
        ls, cw = self.label_smoothing, self.class_weight
        p = _softmax(raw)
        P = _onehot_pick(p, y)
        coef = -self.epsilon * (1 - ls) * P * (1.0 if cw is None else cw[y])
        if keep is not None:
            coef = np.where(keep, coef, 0.0)
        delta = -p
        _add_at_target(delta, y, 1.0)
        g += coef[:, None] * delta
        h += coef[:, None] * (delta * delta - p * (1 - p))
        return g, h

    def init_score(self, y, sample_weight=None, n_classes: int | None = None):
        y, w, k, keep = _class_init_inputs(f"{type(self).__name__}.init_score", y, sample_weight, n_classes,
                                           self.ignore_index, ("class_weight", self.class_weight))
        c0 = self._ce._init(y, w, k, keep)
        f = _class_frequencies(y, k, w, keep)  # ℓ already carries the class weights
        return _fit_constant_multiclass(self, f, c0)


class SoftmaxKLDiv(_Multiclass):
    """``KL(t ‖ softmax(raw))`` per row; ``y`` is class indices ``(n,)`` (t one-hot: equals
    cross-entropy) or probability rows ``(n, K)`` (log-probabilities with ``log_target=True``).

    ``ℓ = Σ_k t_k (log t_k − log p_k)`` (``0 log 0 = 0``); with ``T = Σ_k t_k``: gradient
    ``T p_k − t_k``, exact diagonal Hessian ``T p_k (1 − p_k)``. ``init_score``: log of the
    (weighted) mean target, clipped at 10ε and centred (there ``y`` of shape ``(n, 1)`` is a column of class
    indices, as for every ``init_score``; probability rows need ``K >= 2``).

    Probability rows are checked as the torch functional does: values in ``[0, 1]`` (no NaN) and rows
    summing to 1 within 1e-3 (``exp(y)`` with ``log_target=True``, where ``y`` must be free of NaN).

    Example:
        >>> import numpy as np
        >>> obj = SoftmaxKLDiv()
        >>> round(float(obj.loss(np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]]))[0]), 4)
        0.1201
    """

    key = "kl_div"

    def __init__(self, log_target: bool = False, reduction: str = "mean") -> None:
        self.log_target = check_bool("SoftmaxKLDiv", "log_target", log_target)
        check_option("SoftmaxKLDiv", "reduction", reduction, REDUCTIONS)

    def _probabilities(self, fn: str, y: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Checked probability rows ``(t, log t or None)`` of a ``(n, K)`` target."""
        y = y.astype(np.float64, copy=False)
        if not self.log_target:
            _probability_rows(fn, "y", y)
            return y, None
        if y.size and np.isnan(y.max()):
            fail(fn, "`y` to be", "free of NaN", f"{int(np.isnan(y).sum())} NaN value(s)")
        t = np.exp(y)
        _probability_rows(fn, "exp(y)", t)
        return t, y

    def _target(self, fn, y, raw):
        y, raw = _array(fn, "y", y), _scores_2d(fn, raw)
        if y.ndim == 2:
            if y.shape != raw.shape:
                fail(fn, "probability `y` shape equal to `raw` shape", raw.shape, y.shape)
            t, logt = self._probabilities(fn, y)
            return t, raw, logt
        if y.ndim != 1:
            fail(fn, "`y` shape", f"{raw.shape[:1]} (class indices) or {raw.shape} (probabilities)", y.shape)
        y, raw, _ = _class_inputs(fn, y, raw)
        t = np.zeros_like(raw)
        _add_at_target(t, y, 1.0)
        return t, raw, None

    @_benign_underflow
    def loss(self, y, raw):
        t, raw, logt = self._target("SoftmaxKLDiv.loss", y, raw)
        logp = _log_softmax(raw)
        if logt is not None:  # logt = −inf is probability 0: its term is 0 (0 · log 0 = 0), as the torch loss
            return (t * (np.where(t > 0, logt, 0.0) - logp)).sum(axis=1)
        pos = t > 0
        tlogt = np.where(pos, t * np.log(np.where(pos, t, 1.0)), 0.0)
        return (tlogt - t * logp).sum(axis=1)

    @_benign_underflow
    def gradient_hessian(self, y, raw):
        t, raw, _ = self._target("SoftmaxKLDiv.gradient_hessian", y, raw)
        p = _softmax(raw)
        T = t.sum(axis=1, keepdims=True)
        h = np.subtract(1.0, p)
        h *= p
        h *= T
        p *= T
        p -= t
        return p, h

    def init_score(self, y, sample_weight=None, n_classes: int | None = None):
        fn = f"{type(self).__name__}.init_score"
        y = _array(fn, "y", y)
        if y.ndim != 2 or y.shape[1] == 1:  # class indices (n,), or a column of them as for every init_score
            y, w, k, _ = _class_init_inputs(fn, y, sample_weight, n_classes)
            return _symmetric_log(_class_frequencies(y, k, w))
        if y.size == 0:
            fail(fn, "`y` to be", "non-empty", "an empty array")
        if n_classes is not None and check_index(fn, "n_classes", n_classes, low=1) != y.shape[1]:
            fail(fn, "probability `y` shape", f"(n, {n_classes}) for n_classes={n_classes}", y.shape)
        w = _sample_weight(fn, sample_weight, y.shape[0])
        t, _ = self._probabilities(fn, y)
        return _symmetric_log((w @ t) / w.sum())
