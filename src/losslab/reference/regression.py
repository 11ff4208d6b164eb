"""NumPy float64 regression objectives: loss, gradient and Hessian w.r.t. the raw score (no torch).

For every objective ``raw`` is the prediction itself (``link`` is the identity), except ``PoissonNLL``
whose ``raw`` is the log-rate (``link = exp``). ``loss`` equals the matching ``losslab.functional`` loss
with ``reduction="none"``.

Hessians are the exact second derivative. Where that is 0 (``AbsoluteError`` and ``Pinball`` everywhere
but a null set, ``Huber``/``SmoothL1`` outside the quadratic zone) the Hessian returned is exactly 0:
the boosting integrations (``losslab.integrations``) apply their own Hessian floor, so nothing here hides
a modelling choice inside the calculus.

Every method is finite for ``|raw| <= 800`` (any finite ``raw``, in fact): log-cosh never forms
``cosh``; the Poisson exponential is continued linearly beyond ``raw = POISSON_MAX_LOG_RATE`` (70),
exactly as ``losslab.functional.poisson_nll_loss`` does (``exp(800)`` overflows float64).

Inputs (``_Regression``, the rules of ``losslab.reference._base``): ``y`` and ``raw`` of one shape
``(n,)``, no broadcasting; ``y`` finite (NaN and ±inf raise, where the torch functionals only reject
NaN: an infinite label has no finite best fit) and ``>= 0`` for ``PoissonNLL`` (as the torch functional).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._checks import check_bool, check_number, fail
from ._base import Objective, _finite_range, _labels, _same_shape_1d, _sample_weight

__all__ = ["SquaredError", "AbsoluteError", "Huber", "SmoothL1", "LogCosh", "Pinball", "PoissonNLL"]

#: Log-rate beyond which ``exp`` is continued linearly (must equal the functional's constant).
POISSON_MAX_LOG_RATE = 70.0

_LOG2 = math.log(2.0)
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


class _Regression(Objective):
    """Shared input checks of the regression objectives (one place for every entry point).

    ``y`` and ``raw`` are float64 arrays of one shape ``(n,)``; ``y`` is finite (NaN and ±inf raise) and,
    for Poisson, ``>= 0``. ``init_score`` labels are ``(n,)`` (or a column ``(n, 1)``), non-empty, with the
    same value checks, and ``sample_weight`` is ``(n,)``, finite, ``>= 0`` with a positive sum.
    """

    #: lower bound of the targets (``None``: any finite value) and how it is stated in messages
    _y_low: float | None = None
    _y_low_text = ""

    def _check_targets(self, fn: str, y: np.ndarray) -> None:
        if y.size:
            lo, _ = _finite_range(fn, "y", y)
            if self._y_low is not None and lo < self._y_low:
                fail(fn, "`y` values", self._y_low_text, f"minimum {lo:g}")

    def _inputs(self, where: str, y: Any, raw: Any) -> tuple[np.ndarray, np.ndarray]:
        fn = f"{type(self).__name__}.{where}"
        y, raw = _same_shape_1d(fn, y, raw)
        self._check_targets(fn, y)
        return y, raw

    def _init_inputs(self, y: Any, sample_weight: Any) -> tuple[np.ndarray, np.ndarray]:
        """Float64 labels ``(n,)`` (non-empty, finite) and weights (ones by default)."""
        fn = f"{type(self).__name__}.init_score"
        y = _labels(fn, y).astype(np.float64, copy=False)
        self._check_targets(fn, y)
        return y, _sample_weight(fn, sample_weight, y.size)


def weighted_quantile(y: np.ndarray, w: np.ndarray, q: float) -> float:
    """The smallest ``y_k`` whose cumulative weight reaches ``q·Σw`` (NumPy's ``inverted_cdf`` rule).

    It minimises ``Σ w_i ρ_q(y_i − c)`` (``ρ_q`` the pinball loss): 0 lies in the subdifferential there.
    """
    order = np.argsort(y, kind="stable")
    cw = np.cumsum(w[order])
    k = int(np.searchsorted(cw, q * cw[-1], side="left"))
    return float(y[order][min(k, y.size - 1)])


def _median(y: np.ndarray, w: np.ndarray, weighted: bool) -> float:
    """NumPy's median, or the weighted median (``inverted_cdf`` rule) with sample weights."""
    return weighted_quantile(y, w, 0.5) if weighted else float(np.median(y))


def _monotone_root(y: np.ndarray, w: np.ndarray, psi, start: float, max_iter: int = 200) -> float:
    """The root ``c`` of ``G(c) = Σ w ψ(c − y) / Σ w`` for a non-decreasing ``ψ`` (``psi`` returns ψ, ψ').

    Safeguarded Newton: the root stays bracketed in ``[min y, max y]`` (``G <= 0`` at the left end,
    ``>= 0`` at the right); a Newton step leaving the bracket (or a zero slope) is replaced by bisection.
    For piecewise-quadratic losses (Huber) Newton is exact once the active set is right.
    """
    lo, hi = float(y.min()), float(y.max())
    if lo == hi:
        return lo
    total = w.sum()
    c = min(max(start, lo), hi)
    for _ in range(max_iter):
        v, d = psi(c - y)
        g, h = float(np.dot(w, v) / total), float(np.dot(w, d) / total)
        if g == 0.0:
            return c
        if g < 0:
            lo = c
        else:
            hi = c
        step = c - g / h if h > 0 else math.nan
        new = step if lo < step < hi else 0.5 * (lo + hi)
        if new == c or hi - lo <= 4 * np.finfo(np.float64).eps * max(abs(lo), abs(hi), 1e-300):
            return new
        c = new
    return c


class SquaredError(_Regression):
    """Squared error ``ℓ = (raw − y)²`` (``torch.nn.MSELoss`` without the mean).

    Gradient ``2(raw − y)``, Hessian ``2``; ``init_score`` is the (weighted) mean of ``y``.

    Example:
        >>> import numpy as np
        >>> g, h = SquaredError().gradient_hessian(np.array([1.0]), np.array([3.0]))
        >>> float(g[0]), float(h[0])
        (4.0, 2.0)
    """

    key = "mse"

    def loss(self, y, raw):
        y, raw = self._inputs("loss", y, raw)
        return np.square(raw - y)

    def gradient_hessian(self, y, raw):
        y, raw = self._inputs("gradient_hessian", y, raw)
        return 2.0 * (raw - y), np.full(np.broadcast(y, raw).shape, 2.0)

    def init_score(self, y, sample_weight=None) -> float:
        y, w = self._init_inputs(y, sample_weight)
        return float(np.dot(w, y) / w.sum())


class AbsoluteError(_Regression):
    """Absolute error ``ℓ = |raw − y|``.

    Gradient ``sign(raw − y)`` (0 at a zero residual, as torch's ``sign``); the Hessian is the exact
    second derivative, **0** (boosting integrations apply their Hessian floor). ``init_score`` is the
    median (the weighted median with ``sample_weight``).

    Example:
        >>> import numpy as np
        >>> g, h = AbsoluteError().gradient_hessian(np.array([1.0]), np.array([3.0]))
        >>> float(g[0]), float(h[0])
        (1.0, 0.0)
    """

    key = "mae"

    def loss(self, y, raw):
        y, raw = self._inputs("loss", y, raw)
        return np.abs(raw - y)

    def gradient_hessian(self, y, raw):
        y, raw = self._inputs("gradient_hessian", y, raw)
        g = np.sign(raw - y)
        return g, np.zeros_like(g)

    def init_score(self, y, sample_weight=None) -> float:
        y, w = self._init_inputs(y, sample_weight)
        return _median(y, w, sample_weight is not None)


class Huber(_Regression):
    """Huber loss: ``½ r²`` for ``|r| < delta``, ``delta (|r| − ½ delta)`` outside (``r = raw − y``).

    Gradient ``clip(r, −delta, delta)``; Hessian ``1`` inside ``|r| < delta`` and exactly **0** outside
    (boosting integrations apply their Hessian floor). ``init_score`` is the exact minimiser of the mean
    loss (safeguarded Newton from the median).

    Example:
        >>> import numpy as np
        >>> g, h = Huber(delta=1.0).gradient_hessian(np.array([1.0, 1.0]), np.array([1.5, 3.0]))
        >>> g.tolist(), h.tolist()
        ([0.5, 1.0], [1.0, 0.0])
    """

    key = "huber"

    def __init__(self, delta: float = 1.0) -> None:
        self.delta = check_number("Huber", "delta", delta, low=0, low_open=True)

    def loss(self, y, raw):
        y, raw = self._inputs("loss", y, raw)
        a, d = np.abs(raw - y), self.delta
        return np.where(a < d, 0.5 * a * a, d * (a - 0.5 * d))

    def gradient_hessian(self, y, raw):
        y, raw = self._inputs("gradient_hessian", y, raw)
        r, d = raw - y, self.delta
        return np.clip(r, -d, d), (np.abs(r) < d).astype(np.float64)

    def _psi(self, r):
        return np.clip(r, -self.delta, self.delta), (np.abs(r) < self.delta).astype(np.float64)

    def init_score(self, y, sample_weight=None) -> float:
        y, w = self._init_inputs(y, sample_weight)
        return _monotone_root(y, w, self._psi, weighted_quantile(y, w, 0.5))


class SmoothL1(_Regression):
    """Smooth L1: ``½ r²/beta`` for ``|r| < beta``, ``|r| − ½ beta`` outside (``Huber(beta) / beta``).

    Gradient ``clip(r/beta, −1, 1)`` (``sign(r)`` for ``beta = 0``); Hessian ``1/beta`` inside and exactly
    **0** outside (and everywhere for ``beta = 0``); boosting integrations apply their Hessian floor.
    ``init_score`` is the exact minimiser (that of ``Huber(delta=beta)``; the median for ``beta = 0``).

    Example:
        >>> import numpy as np
        >>> g, h = SmoothL1(beta=2.0).gradient_hessian(np.array([1.0, 1.0]), np.array([1.5, 4.0]))
        >>> g.tolist(), h.tolist()
        ([0.25, 1.0], [0.5, 0.0])
    """

    key = "smooth_l1"

    def __init__(self, beta: float = 1.0) -> None:
        self.beta = check_number("SmoothL1", "beta", beta, low=0)

    def loss(self, y, raw):
        y, raw = self._inputs("loss", y, raw)
        a, b = np.abs(raw - y), self.beta
        if b == 0:
            return a
        return np.where(a < b, 0.5 * a * a / b, a - 0.5 * b)

    def gradient_hessian(self, y, raw):
        y, raw = self._inputs("gradient_hessian", y, raw)
        r, b = raw - y, self.beta
        if b == 0:
            g = np.sign(r)
            return g, np.zeros_like(g)
        return np.clip(r / b, -1.0, 1.0), (np.abs(r) < b) / b

    def init_score(self, y, sample_weight=None) -> float:
        y, w = self._init_inputs(y, sample_weight)
        if self.beta == 0:
            return _median(y, w, sample_weight is not None)
        return _monotone_root(y, w, Huber(self.beta)._psi, weighted_quantile(y, w, 0.5))


class LogCosh(_Regression):
    """Log-cosh ``ℓ = log cosh(raw − y)``, computed without forming ``cosh``.

    Gradient ``tanh(r)``; Hessian ``1 − tanh²(r) = 4e/(1 + e)²`` with ``e = exp(−2|r|)`` (no cancellation,
    → 0 smoothly for large ``|r|``). ``init_score`` is the exact minimiser (safeguarded Newton).

    Example:
        >>> import numpy as np
        >>> obj = LogCosh()
        >>> round(float(obj.loss(np.array([0.0]), np.array([800.0]))[0]), 4)
        799.3069
    """

    key = "log_cosh"

    def loss(self, y, raw):
        y, raw = self._inputs("loss", y, raw)
        r = raw - y
        a = np.abs(r)
        h = 0.5 * np.clip(r, -1.0, 1.0)
        near = np.log1p(2.0 * np.square(np.sinh(h)))
        with np.errstate(under="ignore"):  # exp(−2|r|) → 0 is the exact result
            far = a + np.log1p(np.exp(-2.0 * a)) - _LOG2
        return np.where(a < 1.0, near, far)

    def gradient_hessian(self, y, raw):
        y, raw = self._inputs("gradient_hessian", y, raw)
        return self._psi(raw - y)

    @staticmethod
    def _psi(r):
        with np.errstate(under="ignore"):  # sech² underflows to its exact limit 0 for |r| > ~370
            e = np.exp(-2.0 * np.abs(r))
            return np.tanh(r), 4.0 * e / np.square(1.0 + e)

    def init_score(self, y, sample_weight=None) -> float:
        y, w = self._init_inputs(y, sample_weight)
        return _monotone_root(y, w, self._psi, weighted_quantile(y, w, 0.5))


class Pinball(_Regression):
    """Pinball (quantile) loss ``ℓ = max(q·r, (q − 1)·r)`` with ``r = y − raw``.

    Gradient ``−q`` where ``raw < y``, ``1 − q`` where ``raw > y`` and 0 at ``raw = y`` (a subgradient: the
    perfect prediction is stationary, as the torch functional's autograd); the Hessian is the exact second
    derivative, **0** (boosting integrations apply their Hessian floor). ``init_score`` is the
    ``q``-quantile of ``y`` (NumPy's ``inverted_cdf`` rule; weighted with ``sample_weight``).

    Example:
        >>> import numpy as np
        >>> g, h = Pinball(quantile=0.9).gradient_hessian(np.array([1.0, 1.0]), np.array([0.0, 2.0]))
        >>> [round(v, 4) for v in g.tolist()], h.tolist()
        ([-0.9, 0.1], [0.0, 0.0])
    """

    key = "pinball"

    def __init__(self, quantile: float = 0.5) -> None:
        self.quantile = check_number("Pinball", "quantile", quantile, low=0, high=1, low_open=True, high_open=True)

    def loss(self, y, raw):
        y, raw = self._inputs("loss", y, raw)
        r, q = y - raw, self.quantile
        return np.maximum(q * r, (q - 1.0) * r)

    def gradient_hessian(self, y, raw):
        y, raw = self._inputs("gradient_hessian", y, raw)
        r, q = y - raw, self.quantile
        g = np.where(r > 0, -q, np.where(r < 0, 1.0 - q, 0.0))
        return g, np.zeros_like(g)

    def init_score(self, y, sample_weight=None) -> float:
        y, w = self._init_inputs(y, sample_weight)
        return weighted_quantile(y, w, self.quantile)


class PoissonNLL(_Regression):
    """Poisson negative log-likelihood ``ℓ = exp(s) − y·s`` of the log-rate ``s = raw``.

    With ``full=True`` the Stirling term ``y log y − y + ½ log(2πy)`` is added for ``y > 1`` (as
    ``torch.nn.PoissonNLLLoss(full=True)``); it does not depend on ``s``. Gradient ``exp(s) − y``,
    Hessian ``exp(s)``; ``link`` is ``exp``; ``init_score`` is ``log`` of the (weighted) mean of ``y``.

    Beyond ``s = 70`` (``POISSON_MAX_LOG_RATE``) ``exp(s)`` is continued linearly, ``exp(70)(1 + s − 70)``,
    exactly as the torch functional, so the loss and gradient (``exp(70) − y``) stay finite (``exp(800)``
    overflows float64). There the Hessian returned stays ``exp(70)`` — not the 0 of the linear
    continuation — so a Newton step ``−g/h ≈ −1`` keeps the direction and size of the true Poisson step;
    ``link`` is capped the same way. When every ``y`` is 0 the best constant is ``−∞``;
    ``init_score`` then returns ``log(1e-12) ≈ −27.6`` (mean loss ``1e-12``).

    Example:
        >>> import numpy as np
        >>> obj = PoissonNLL()
        >>> g, h = obj.gradient_hessian(np.array([3.0]), np.array([0.0]))
        >>> float(g[0]), float(h[0]), round(obj.init_score(np.array([1.0, 2.0, 5.0])), 4)
        (-2.0, 1.0, 0.9808)
    """

    key = "poisson_nll"

    _y_low, _y_low_text = 0.0, ">= 0 (counts)"

    def __init__(self, full: bool = False) -> None:
        self.full = check_bool("PoissonNLL", "full", full)

    def loss(self, y, raw):
        y, raw = self._inputs("loss", y, raw)
        sc = np.minimum(raw, POISSON_MAX_LOG_RATE)
        with np.errstate(under="ignore"):  # exp(very negative) → 0 is exact
            out = np.exp(sc) * (1.0 + (raw - sc)) - y * raw
        if self.full:
            big = y > 1
            yb = np.where(big, y, 2.0)
            out = out + np.where(big, yb * np.log(yb) - yb + 0.5 * np.log(yb) + _HALF_LOG_2PI, 0.0)
        return out

    def gradient_hessian(self, y, raw):
        y, raw = self._inputs("gradient_hessian", y, raw)
        e = self.link(raw)
        return e - y, e * np.ones_like(y)

    def link(self, raw):
        raw = super().link(raw)
        with np.errstate(under="ignore"):
            return np.exp(np.minimum(raw, POISSON_MAX_LOG_RATE))

    def init_score(self, y, sample_weight=None) -> float:
        y, w = self._init_inputs(y, sample_weight)
        return math.log(max(float(np.dot(w, y) / w.sum()), 1e-12))
