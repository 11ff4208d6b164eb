"""What the XGBoost and LightGBM adapters share: one reference objective, shaped for a booster.

``BoostObjective`` wraps the NumPy objective of a registry key (``losslab.reference``) and turns its
exact gradient and diagonal Hessian into what a gradient-boosting library consumes:

* **shapes** — binary and regression objectives take raw scores ``(n,)`` (``(n, 1)`` is accepted),
  multi-class ones ``(n, K)`` with integer labels ``(n,)`` (the convention of XGBoost >= 2 and
  LightGBM 4.x); anything else is a ``ValueError`` saying what was expected;
* **sample weights** — custom objectives receive no weighting from either library, so ``g`` and ``h`` are
  multiplied by the sample weight here, as the built-in objectives do;
* **scaling** — ``scale`` multiplies gradient and Hessian (a rescaled loss: XGBoost's squared error is
  ``½ (ŷ − y)²``), ``hessian_scale`` the Hessian only (XGBoost's softmax uses ``2 p(1 − p)``, LightGBM's
  ``K/(K − 1) p(1 − p)``); ``builtin_compatible=True`` picks the library's own factors so that a losslab
  objective reproduces the built-in one tree for tree;
* **Hessian floor** — ``h = max(h, min_hessian)`` (default ``1e-6``), applied after scaling and before
  weighting. It keeps leaf values ``−Σg / (Σh + λ)`` finite where ``h`` underflows (saturated logits) and
  clips the negative curvature of non-convex losses (focal, asymmetric) to a positive one.

The scikit-learn style callables (``obj.sklearn``, the ``sklearn_metric``s, the scorers) are instances
of ``SklearnCallable``, a module-level class, so that fitted estimators, scorers and searches pickle.
``BoostObjective.to_raw`` turns what an estimator or library returns (probabilities, rates) back into raw
scores, after checking that it is what it claims to be.

Losses whose Hessian is 0 everywhere (``mae``, ``pinball``, ``smooth_l1`` with ``beta=0``) have no usable
Newton step: they are refused unless ``min_hessian`` is given explicitly, in which case the leaf value
becomes ``−Σg / (n·min_hessian + λ)``, a gradient-descent step whose size the floor sets.
"""

from __future__ import annotations

import importlib
from typing import Any, Literal

import numpy as np

from .. import registry
from .._checks import check_number, check_option, fail
from ..reference import Objective
from ..reference.classification import _class_init_inputs

#: Default Hessian floor (used when ``min_hessian`` is not given).
DEFAULT_MIN_HESSIAN = 1e-6

#: Registry input kinds with a NumPy objective, and the task they give a booster.
TASK_OF_INPUT_KIND = {"binary_logits": "binary", "class_logits": "multiclass",
                      "regression": "regression", "log_rate": "regression"}

#: Loss scales that make an objective equal to the libraries' built-in twin (squared error is ½ r² there).
BUILTIN_SCALE = {"mse": 0.5}

_OPTIONS = ("min_hessian", "hessian_scale", "scale", "builtin_compatible")

#: What a metric receives: raw scores (a custom objective), or the library's link-transformed predictions
#: (a built-in objective: probabilities, rates).
PREDICTIONS = ("raw", "transformed")

#: The estimator output per task that holds the transformed predictions (``to_raw`` undoes the link).
DEFAULT_RESPONSE = {"binary": "predict_proba", "multiclass": "predict_proba", "regression": "predict"}

#: Tolerance on the row sums of multi-class probabilities (as the reference's soft targets).
PROBA_ROW_ATOL = 1e-3
_EPS = 1e-15


def require(module: str, fn: str):
    """Import an optional dependency, or ``ImportError`` naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise ImportError(f"{fn}: expected the optional dependency `{module}` to be installed "
                          f"(pip install 'losslab[boost]'), got {type(err).__name__}: {err}") from err


def check_predictions(fn: str, predictions: Any) -> str:
    """``predictions`` one of ``PREDICTIONS``."""
    return check_option(fn, "predictions", predictions, PREDICTIONS)


class SklearnCallable:
    """``f(y_true, y_pred, sample_weight=None)``: one method of a losslab objective, in the signature of the
    scikit-learn APIs (``objective=``, ``eval_metric=``, scorer functions).

    A module-level class instead of a closure, so that fitted estimators, scorers and searches pickle.
    XGBoost passes ``sample_weight=`` by keyword (it looks for that name) and logs a metric under
    ``__name__``; LightGBM passes the weight as third positional argument.

    Attributes:
        losslab_objective: the ``BoostObjective``; ``method``: the name of the method called with
        ``(y_true, y_pred, sample_weight, **options)``.
    """

    def __init__(self, objective: BoostObjective, method: str, name: str, **options: Any) -> None:
        self.losslab_objective = objective
        self.method = method
        self.options = options
        self.__name__ = name

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        return getattr(self.losslab_objective, self.method)(y_true, y_pred, sample_weight, **self.options)

    def __repr__(self) -> str:
        options = "".join(f", {k}={v!r}" for k, v in self.options.items())
        return f"{type(self).__name__}({self.losslab_objective!r}, {self.method!r}, {self.__name__!r}{options})"


def _probe(task: str) -> tuple[np.ndarray, np.ndarray]:
    """Points where every loss with a usable Hessian has a non-zero one (near-perfect fits, zero logits)."""
    if task == "multiclass":
        return np.array([0, 1, 2]), np.zeros((3, 3))
    if task == "binary":
        return np.array([0.0, 1.0, 0.0, 1.0]), np.array([0.0, 0.0, 0.5, -0.5])
    y = np.array([0.0, 1.0, 2.0, 3.0])
    return y, y + 1e-12


class BoostObjective:
    """A losslab objective for a gradient-boosting library (base class of the XGBoost/LightGBM ones).

    Args:
        key: registry key of a loss with a NumPy objective (``losslab.list_losses()`` with ``objective``).
        min_hessian: Hessian floor ``h = max(h, min_hessian)``; default ``1e-6``. Must be given explicitly
            for losses whose Hessian is 0 everywhere (``mae``, ``pinball``).
        hessian_scale: factor on the Hessian only; default 1 (or the library's factor with
            ``builtin_compatible``).
        scale: factor on gradient and Hessian (the loss scale); default 1 (½ for ``mse`` with
            ``builtin_compatible``).
        builtin_compatible: use the library's own conventions for ``scale`` and ``hessian_scale`` where they
            are not given, so that ``mse``/``sigmoid_ce``/``softmax_ce`` reproduce the built-in objectives.
        **params: hyper-parameters of the loss (e.g. ``gamma=2.0`` for ``sigmoid_focal``).
    """

    library = ""
    fn = "losslab.integrations"

    def __init__(self, key: str, *, min_hessian: float | None = None, hessian_scale: float | None = None,
                 scale: float | None = None, builtin_compatible: bool = False, **params: Any) -> None:
        fn = self.fn
        spec = registry.get(key)
        if spec.objective is None:
            spec.make_objective()  # the registry's ValueError listing the keys that have one
        names = tuple(p.name for p in spec.params if p.name != "reduction")
        unknown = sorted(set(params) - set(names))
        if unknown:
            fail(fn, f"hyper-parameters of {key!r} among", names + _OPTIONS, unknown)
        task = TASK_OF_INPUT_KIND.get(spec.input_kind)
        if task is None:
            fail(fn, "a loss whose targets are one label per row, of kind", tuple(TASK_OF_INPUT_KIND),
                 f"{key!r} of kind {spec.input_kind!r} (boosting labels cannot carry per-class targets)")
        if not isinstance(builtin_compatible, bool):
            fail(fn, "`builtin_compatible` to be", "a bool", repr(builtin_compatible), TypeError)
        self.key = key
        self.task = task
        self.input_kind = spec.input_kind
        self.loss_params = dict(params)
        self.objective: Objective = spec.make_objective(**params)
        self.builtin_compatible = builtin_compatible
        self._explicit_floor = min_hessian is not None
        self.min_hessian = (DEFAULT_MIN_HESSIAN if min_hessian is None
                            else check_number(fn, "min_hessian", min_hessian, low=0))
        self.hessian_scale = (None if hessian_scale is None
                              else check_number(fn, "hessian_scale", hessian_scale, low=0, low_open=True))
        if scale is None:
            scale = BUILTIN_SCALE.get(key, 1.0) if builtin_compatible else 1.0
        self.scale = check_number(fn, "scale", scale, low=0, low_open=True)
        if not self._explicit_floor:
            _, h = self.objective.gradient_hessian(*_probe(task))
            if not np.any(np.asarray(h) != 0):
                fail(fn, "a loss with a usable (non-zero) Hessian or an explicit `min_hessian`",
                     "(with it the leaf value is the gradient-descent step −Σg/(n·min_hessian + λ); 'huber' "
                     "or 'log_cosh' keep a Newton step; the built-in L1/quantile objectives refit leaves)",
                     f"{key!r}, whose Hessian is 0 everywhere")

    # -- library conventions ------------------------------------------------------------------------
    def _builtin_multiclass_factor(self, num_class: int) -> float:
        return 1.0

    def hessian_factor(self, num_class: int = 1) -> float:
        """The factor on the Hessian: ``hessian_scale``, or the library's multi-class factor if compatible."""
        if self.hessian_scale is not None:
            return self.hessian_scale
        if self.builtin_compatible and self.task == "multiclass":
            return self._builtin_multiclass_factor(num_class)
        return 1.0

    # -- shapes and labels --------------------------------------------------------------------------
    def check_raw(self, raw: Any, where: str) -> np.ndarray:
        """``raw`` as float64 ``(n,)`` (single output) or ``(n, K)`` (multi-class), or a ``ValueError``."""
        fn = f"{self.fn}.{where}"
        # C order: LightGBM passes (n, K) scores in Fortran order; the reference's softmax gradients use
        # flat indexing on C-contiguous arrays (an early version silently lost the one-hot update otherwise)
        raw = np.ascontiguousarray(raw, dtype=np.float64)
        if self.task == "multiclass":
            if raw.ndim != 2 or raw.shape[1] < 2:
                fail(fn, f"raw scores of the multi-class objective {self.key!r} with shape",
                     "(n, K), K >= 2 (xgb.train/lgb.train: set num_class; XGBClassifier/LGBMClassifier on "
                     "two classes pass (n,): use a sigmoid key such as 'sigmoid_ce')", raw.shape)
            return raw
        if raw.ndim == 2 and raw.shape[1] == 1:
            raw = raw[:, 0]
        if raw.ndim != 1:
            hint = ("for K classes use a softmax key such as 'softmax_ce'" if self.task == "binary"
                    else "one target per row: the objectives and scorers are single-output")
            fail(fn, f"raw scores of the single-output objective {self.key!r} with shape", f"(n,) ({hint})",
                 raw.shape)
        return raw

    def to_raw(self, y_pred: Any, response_method: str, where: str) -> np.ndarray:
        """Raw scores from an estimator's ``response_method`` output, or a ``ValueError`` if it is not one.

        ``predict_proba``: probabilities, finite and in ``[0, 1]`` (multi-class rows summing to 1 within
        ``PROBA_ROW_ATOL``; 0 and 1 clipped to ``1e-15`` and ``1 − 1e-15``) → the logit or ``log p``; two
        columns of a binary problem → the positive one; a 1-D input to a multi-class loss (scikit-learn
        passes only the positive class of a 2-class problem) → ``[1 − p, p]``. ``decision_function``: raw
        scores already (a 1-D one of a 2-class problem → ``[0, d]``). ``predict``: the prediction, or
        ``log`` of a predicted Poisson rate, which must be ``> 0``.
        """
        fn = f"{self.fn}.{where}"
        pred = np.asarray(y_pred, dtype=np.float64)
        if response_method == "predict_proba" and pred.size:
            lo, hi = float(pred.min()), float(pred.max())
            if not (0.0 <= lo and hi <= 1.0):  # NaN fails too
                fail(fn, "probabilities,", "finite and in [0, 1]", f"values in [{lo:g}, {hi:g}]")
            if pred.ndim == 2 and pred.shape[1] > 1:
                dev = float(np.abs(pred.sum(axis=1) - 1.0).max())
                if dev > PROBA_ROW_ATOL:
                    fail(fn, "probability rows summing to 1, max deviation <=", PROBA_ROW_ATOL, f"{dev:g}")
        if self.task == "multiclass":
            if pred.ndim == 1:  # scikit-learn passes a 2-class problem the positive class only
                other = 1.0 - pred if response_method == "predict_proba" else np.zeros_like(pred)
                pred = np.c_[other, pred]
            return np.log(np.clip(pred, _EPS, None)) if response_method == "predict_proba" else pred
        if self.task == "binary":
            if pred.ndim == 2 and pred.shape[1] == 2:
                pred = pred[:, 1]  # predict_proba of both classes, or a two-column decision function
            if response_method == "predict_proba":
                p = np.clip(pred, _EPS, 1.0 - _EPS)
                return np.log(p) - np.log1p(-p)
            return pred
        if self.input_kind == "log_rate":  # exp link: invert it
            if pred.size and not float(pred.min()) > 0.0:
                fail(fn, "predicted rates (Poisson means)", "> 0", f"a minimum of {float(pred.min()):g}")
            return np.log(pred)
        return pred

    def _prepare(self, y: Any, raw: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
        fn = f"{self.fn}.{where}"
        if y is None:
            fail(fn, "labels", "(n,)", "None (the dataset has no label)")
        raw = self.check_raw(raw, where)
        y = np.asarray(y)
        y = y.reshape(-1) if y.ndim == 2 and y.shape[1] == 1 else y
        if y.shape != (raw.shape[0],):
            fail(fn, "labels of shape", (raw.shape[0],), y.shape)
        if self.task == "multiclass":
            k = raw.shape[1]
            yf = y.astype(np.float64)
            if y.size and (not np.all(np.isfinite(yf)) or np.any(yf != np.round(yf)) or yf.min() < 0
                           or yf.max() > k - 1):
                fail(fn, "integer class labels in", f"[0, {k - 1}] for {k} classes",
                     f"values in [{np.nanmin(yf):g}, {np.nanmax(yf):g}]")
            return y.astype(np.int64), raw
        y = y.astype(np.float64)
        if self.task == "binary" and y.size and not (0.0 <= y.min() and y.max() <= 1.0):
            fail(fn, "labels in", "[0, 1]", f"values in [{y.min():g}, {y.max():g}]")
        return y, raw

    def _weights(self, sample_weight: Any, n: int, where: str) -> np.ndarray | None:
        if sample_weight is None:
            return None
        w = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
        if w.size == 0:
            return None
        if w.shape != (n,):
            fail(f"{self.fn}.{where}", "sample weights of shape", (n,), w.shape)
        return w

    # -- the calculus --------------------------------------------------------------------------------
    def gradient_hessian(self, y: Any, raw: Any, sample_weight: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Gradient and floored Hessian w.r.t. ``raw`` as the library consumes them (shape of ``raw``).

        ``g = w · scale · ∂ℓ/∂raw``, ``h = w · max(scale · hessian_factor · ∂²ℓ/∂raw², min_hessian)``.
        """
        shape = np.shape(raw)
        y, raw = self._prepare(y, raw, "gradient_hessian")
        w = self._weights(sample_weight, raw.shape[0], "gradient_hessian")
        g, h = self.objective.gradient_hessian(y, raw)
        g = np.asarray(g, dtype=np.float64) * self.scale
        h = np.asarray(h, dtype=np.float64) * (self.scale * self.hessian_factor(raw.shape[-1] if raw.ndim == 2 else 1))
        if not self._explicit_floor and h.size and not np.any(h != 0):
            fail(f"{self.fn}.gradient_hessian", f"a non-zero Hessian of {self.key!r} at some sample",
                 "(pass `min_hessian` explicitly to accept gradient-descent steps)",
                 "0 at every sample (e.g. huber with every |residual| >= delta)")
        if self.min_hessian > 0:
            h = np.maximum(h, self.min_hessian)
        if w is not None:
            wb = w[:, None] if g.ndim == 2 else w
            g, h = g * wb, h * wb
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(h))):
            fail(f"{self.fn}.gradient_hessian", f"a finite gradient and Hessian of {self.key!r}",
                 "", f"non-finite values at raw scores in [{np.min(raw):g}, {np.max(raw):g}]")
        return g.reshape(shape), h.reshape(shape)

    def loss(self, y: Any, raw: Any, sample_weight: Any = None) -> float:
        """The weighted mean reference loss ``Σ w ℓ / Σ w`` (unscaled) at the raw scores."""
        y, raw = self._prepare(y, raw, "loss")
        w = self._weights(sample_weight, raw.shape[0], "loss")
        values = np.asarray(self.objective.loss(y, raw), dtype=np.float64).reshape(raw.shape[0], -1).sum(axis=1)
        if w is None:
            return float(values.mean()) if values.size else 0.0
        total = w.sum()
        return float(np.dot(w, values) / total) if total > 0 else 0.0

    def init_score(self, y: Any, sample_weight: Any = None, *, num_class: int | None = None) -> float | np.ndarray:
        """The best constant raw score (reference ``init_score``): a float, or ``(K,)`` for multi-class.

        ``num_class`` (multi-class): the number of classes when the highest ones may be absent from ``y``
        (the reference infers ``K = max(y) + 1``); absent classes get the value of a zero-frequency class.
        The labels are checked by the reference (class indices: integer-valued, no NaN, in ``[0, K − 1]``).
        """
        extra = {"n_classes": num_class} if self.task == "multiclass" and num_class is not None else {}
        init = self.objective.init_score(y, sample_weight, **extra)
        return np.asarray(init, dtype=np.float64) if np.ndim(init) else float(init)

    def init_margin(self, init: float | np.ndarray, n: int) -> np.ndarray:
        """``init`` repeated for ``n`` rows: ``(n,)``, or ``(n, K)`` for multi-class (base_margin/init_score)."""
        init = np.asarray(init, dtype=np.float64)
        if self.task == "multiclass":
            if init.ndim != 1:
                fail(f"{self.fn}.init_margin", "a multi-class init score of shape", "(K,)", init.shape)
            return np.tile(init, (int(n), 1))
        if init.ndim != 0:
            fail(f"{self.fn}.init_margin", "a scalar init score, shape", "()", init.shape)
        return np.full(int(n), float(init))

    def link(self, raw: Any) -> np.ndarray:
        """Raw score → prediction (probability, rate, value), from the reference objective."""
        return self.objective.link(np.asarray(raw, dtype=np.float64))

    def num_class(self, y: Any, params: dict[str, Any]) -> int:
        """``num_class`` from ``params`` or the labels (``max(y) + 1``, after the reference's label checks)."""
        for name in ("num_class", "num_classes"):
            if name in params:
                return int(params[name])
        if y is None:
            fail(f"{self.fn}.params", f"labels or `num_class` for the multi-class objective {self.key!r}", "",
                 "neither")
        return _class_init_inputs(f"{self.fn}.params", y, None, None)[2] if np.size(y) else 2

    @classmethod
    def for_metric(cls, key: str, predictions: Any, where: str, **params: Any) -> BoostObjective:
        """The objective behind the module-level ``metric``/``sklearn_metric``: ``predictions`` checked when
        the metric is made, and no Hessian used (``min_hessian=0``), so every key works, ``mae`` included."""
        check_predictions(f"{cls.fn}.{where}", predictions)
        return cls(key, min_hessian=0.0, **params)

    def metric_loss(self, y: Any, pred: Any, sample_weight: Any = None,
                    predictions: Literal["raw", "transformed"] = "raw") -> float:
        """The weighted mean loss at ``pred``: raw scores, or with ``predictions="transformed"`` the
        library's link-transformed predictions (probabilities, rates), turned back by ``to_raw``."""
        if check_predictions(f"{self.fn}.metric", predictions) == "transformed":
            pred = self.to_raw(pred, DEFAULT_RESPONSE[self.task], "metric")
        return self.loss(y, pred, sample_weight)

    def _check_data(self, data: Any, expected: str, sklearn_name: str) -> None:
        """The learning-API callables take a Dataset/DMatrix; a scikit-learn estimator passes arrays."""
        if not hasattr(data, "get_label"):
            fail(f"{self.fn}.{type(self).__name__}", "the second argument to be", f"{expected} (for the "
                 f"scikit-learn estimators pass `{sklearn_name}`)", type(data).__name__, TypeError)

    # -- scikit-learn style callables ------------------------------------------------------------------
    @property
    def sklearn(self) -> SklearnCallable:
        """The objective for the libraries' scikit-learn API: ``f(y_true, y_pred, sample_weight=None)``.

        XGBoost passes ``sample_weight=`` by keyword, LightGBM the weight as third positional argument;
        this signature serves both. ``.losslab_objective`` is this objective; the callable pickles.
        """
        return SklearnCallable(self, "gradient_hessian", f"losslab_{self.key}")

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.loss_params.items())
        return (f"{type(self).__name__}({self.key!r}{extra}, min_hessian={self.min_hessian!r}, "
                f"hessian_scale={self.hessian_scale!r}, scale={self.scale!r}, "
                f"builtin_compatible={self.builtin_compatible!r})")
