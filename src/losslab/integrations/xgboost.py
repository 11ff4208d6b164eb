"""losslab objectives, metrics and init scores for XGBoost (>= 2; tested with 3.2).

Every gradient and Hessian comes from ``losslab.reference`` (see ``_common.BoostObjective`` for the
shape, weight, scale and Hessian-floor rules). Requires the ``boost`` extra: ``pip install 'losslab[boost]'``.

Learning API::

    obj = objective("sigmoid_focal", gamma=2.0, alpha=0.25)
    dtrain = xgb.DMatrix(X, y)
    booster = xgb.train(obj.params(dtrain, max_depth=3), dtrain, 100, obj=obj, custom_metric=obj.metric)
    proba = booster.predict(xgb.DMatrix(X_test))          # sigmoid applied, intercept in the model

``obj.params(dtrain)`` sets ``base_score`` from the objective's ``init_score`` (XGBoost starts a custom
objective from a fixed 0.5 otherwise and estimates no intercept), an internal ``objective`` whose
prediction transform is the loss's link (``binary:logistic``, ``multi:softprob``, or
``reg:squarederror`` whose predictions are raw scores: use ``obj.predict``), ``num_class`` and
``disable_default_eval_metric``. The gradients are always losslab's: XGBoost calls ``obj`` for them.

Alternatively ``set_base_margin(dtrain, obj)`` puts the init score into the DMatrix's ``base_margin``
(per row; it must then be set on every DMatrix you predict on, with the training init score).

scikit-learn API::

    clf = xgb.XGBClassifier(objective=obj.sklearn, base_score=obj.base_score(y),
                            eval_metric=obj.sklearn_metric, n_estimators=100)

XGBRegressor runs ``reg:squarederror`` with a callable objective (sigmoid losses on soft targets, which
XGBClassifier rejects): its ``base_score`` is a raw score,
``obj.base_score(y, internal_objective="reg:squarederror")``.

Shapes: XGBoost >= 2 passes multi-class raw scores as ``(n, K)`` and takes ``(n, K)`` gradients; the
metrics receive raw scores (margins) because XGBoost passes margins whenever a custom objective is used.
With a built-in objective XGBoost passes transformed predictions (probabilities): use
``metric(key, predictions="transformed")`` / ``sklearn_metric(key, predictions="transformed")``.
"""

from __future__ import annotations

import functools
from typing import Any, Literal

import numpy as np

from ._common import BoostObjective, SklearnCallable, check_option, fail, require

__all__ = ["XGBoostObjective", "objective", "sklearn_objective", "metric", "sklearn_metric", "set_base_margin"]

_FN = "losslab.integrations.xgboost"


def _xgb():
    return require("xgboost", _FN)


def _sigmoid(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-x))) if x >= 0 else float(np.exp(x) / (1.0 + np.exp(x)))


class XGBoostObjective(BoostObjective):
    """A losslab objective for XGBoost: callable as ``obj(predt, dtrain) -> (grad, hess)``.

    Args:
        key: registry key of a loss with a NumPy objective (``sigmoid_ce``, ``sigmoid_focal``, ``mse``, ...).
        min_hessian: Hessian floor ``max(h, min_hessian)``, default ``1e-6``; required explicitly for
            losses with a zero Hessian (``mae``, ``pinball``).
        hessian_scale: factor on the Hessian only (default 1; 2 for multi-class with ``builtin_compatible``,
            as ``multi:softprob``'s ``2 p(1 − p)``).
        scale: factor on gradient and Hessian (default 1; ½ for ``mse`` with ``builtin_compatible``, as
            ``reg:squarederror``'s ``½ (ŷ − y)²``).
        builtin_compatible: use XGBoost's conventions where ``scale``/``hessian_scale`` are not given.
        **params: the loss's hyper-parameters.

    Attributes:
        objective: the ``losslab.reference`` objective. ``sklearn``: the scikit-learn API objective.
        metric: ``custom_metric`` for ``xgb.train``; ``sklearn_metric``: ``eval_metric`` for the estimators.

    Convention:
        ``grad = w · scale · ∂ℓ/∂raw``, ``hess = w · max(scale · hessian_scale · ∂²ℓ/∂raw², min_hessian)``
        with ``w`` the DMatrix weights. Multi-class: ``predt`` and the returned arrays are ``(n, K)``,
        labels are class indices. The metric is the weighted mean loss ``Σ w ℓ / Σ w`` (unscaled).

    Example:
        >>> import numpy as np, xgboost as xgb
        >>> obj = objective("sigmoid_ce")
        >>> X = np.arange(8.0).reshape(-1, 1); y = (X[:, 0] > 3).astype(float)
        >>> d = xgb.DMatrix(X, y)
        >>> bst = xgb.train(obj.params(d, nthread=1), d, 5, obj=obj)
        >>> round(float(bst.predict(d)[0]), 4) < 0.5 < round(float(bst.predict(d)[-1]), 4)
        True
    """

    library = "xgboost"
    fn = _FN
    #: The internal objective per task: its prediction transform is the loss's link.
    INTERNAL_OBJECTIVE = {"binary": "binary:logistic", "multiclass": "multi:softprob",
                          "regression": "reg:squarederror"}

    def _builtin_multiclass_factor(self, num_class: int) -> float:
        return 2.0  # multi:softprob: hess = max(2 p (1 - p), 1e-16)

    def __call__(self, predt: np.ndarray, dtrain: Any,
                 sample_weight: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """``xgb.train(obj=...)``: gradient and Hessian at the margins ``predt`` (``(n,)`` or ``(n, K)``).

        ``sample_weight`` is never used (the weights are the DMatrix's): with it, a weighted
        ``XGBClassifier(objective=obj)`` also reaches the ``TypeError`` that points to ``obj.sklearn``.
        """
        self._check_data(dtrain, "an xgboost.DMatrix", "objective=obj.sklearn")
        return self.gradient_hessian(dtrain.get_label(), predt, dtrain.get_weight())

    @property
    def internal_objective(self) -> str:
        """XGBoost's ``objective`` parameter that goes with this loss (prediction transform, base_score space)."""
        return self.INTERNAL_OBJECTIVE[self.task]

    def metric(self, predt: np.ndarray, dmatrix: Any, *,
               predictions: Literal["raw", "transformed"] = "raw") -> tuple[str, float]:
        """``custom_metric`` for ``xgb.train``: ``(key, weighted mean loss)`` at ``predt``.

        ``predictions``: ``"raw"`` (margins: what XGBoost passes with a custom objective, e.g. this one) or
        ``"transformed"`` (probabilities, rates: what it passes with a built-in objective; the link is undone).
        """
        self._check_data(dmatrix, "an xgboost.DMatrix", "eval_metric=obj.sklearn_metric")
        return self.key, self.metric_loss(dmatrix.get_label(), predt, dmatrix.get_weight(), predictions)

    @property
    def sklearn_metric(self) -> SklearnCallable:
        """``eval_metric`` for ``XGBClassifier``/``XGBRegressor``: ``f(y_true, y_score, sample_weight=None)``
        at raw scores (see the module function ``sklearn_metric`` for a built-in objective)."""
        return SklearnCallable(self, "metric_loss", self.key)

    def base_score(self, y: Any, sample_weight: Any = None, *, num_class: int | None = None,
                   internal_objective: str | None = None) -> float | list[float]:
        """``init_score(y)`` in the space of XGBoost's ``base_score`` for the objective XGBoost runs.

        Args:
            internal_objective: that objective; default ``self.internal_objective``, which ``params()`` sets
                and ``XGBClassifier`` runs with a callable objective. ``XGBRegressor`` runs
                ``"reg:squarederror"`` with a callable objective: pass that for it (e.g. a sigmoid loss on
                soft targets, which ``XGBClassifier`` rejects); ``obj.predict`` then applies the link.

        ``binary:logistic``: the probability ``sigmoid(init)`` (clipped to ``[1e-6, 1 − 1e-6]``);
        ``multi:softprob``: the ``(K,)`` margins as a list; ``reg:squarederror``: the raw score itself.
        """
        internal = self.internal_objective if internal_objective is None else check_option(
            f"{_FN}.base_score", "internal_objective", internal_objective,
            tuple(dict.fromkeys((self.internal_objective, "reg:squarederror"))))
        init = self.init_score(y, sample_weight, num_class=num_class)
        if internal == "binary:logistic":
            return min(max(_sigmoid(float(init)), 1e-6), 1.0 - 1e-6)
        if self.task == "multiclass":
            return [float(v) for v in np.asarray(init)]
        return float(init)

    def params(self, data: Any = None, *, sample_weight: Any = None, **params: Any) -> dict[str, Any]:
        """Booster parameters for ``xgb.train(params, dtrain, obj=self)``.

        Args:
            data: a ``DMatrix`` (labels and weights read from it) or the labels ``y``; ``None`` leaves
                ``base_score`` unset (XGBoost then starts from its fixed 0.5).
            sample_weight: weights when ``data`` is an array of labels.
            **params: your parameters; they override the ones set here.

        Returns:
            ``{"objective": internal_objective, "base_score": ..., "num_class": K (multi-class),
            "disable_default_eval_metric": True, **params}``.
        """
        y = data
        if data is not None and hasattr(data, "get_label"):
            y, weight = data.get_label(), data.get_weight()
            y = y if np.size(y) else None  # a DMatrix without labels: no base_score
            sample_weight = weight if weight is not None and np.size(weight) else None
        out: dict[str, Any] = {"objective": self.internal_objective, "disable_default_eval_metric": True}
        num_class = self.num_class(y, params) if self.task == "multiclass" else None
        if num_class is not None:
            out["num_class"] = num_class
        if y is not None:
            out["base_score"] = self.base_score(y, sample_weight, num_class=num_class)
        out.update(params)
        return out

    def predict(self, model: Any, X: Any, *, init: Any = None, **dmatrix_kwargs: Any) -> np.ndarray:
        """``link(raw)`` of a trained ``Booster`` or scikit-learn estimator (probability, rate, value).

        ``init`` (the training init score) is added to the raw score: pass it for models trained with a
        ``base_margin`` that ``X`` does not carry (the scikit-learn API); leave it ``None`` when the model
        stores the intercept (``params()``/``base_score``) or ``X`` is a DMatrix with the base margin set
        (both together are an error: the start would count twice).

        ``dmatrix_kwargs`` (a ``Booster`` and an ``X`` that is not a DMatrix): passed to the ``xgb.DMatrix``
        built from ``X``, with ``enable_categorical=True`` by default (pandas categoricals). Pass the
        training ``missing=`` sentinel again: the model does not store it.
        """
        xgb = _xgb()
        fn = f"{_FN}.predict"
        is_dmatrix = isinstance(X, xgb.DMatrix)
        if dmatrix_kwargs and (is_dmatrix or not isinstance(model, xgb.Booster)):
            fail(fn, "DMatrix keyword arguments only with", "a Booster and an X that is not a DMatrix "
                 "(an XGBModel uses its own `missing`/`enable_categorical`)", sorted(dmatrix_kwargs), TypeError)
        if is_dmatrix and init is not None and X.get_base_margin().size:
            fail(fn, "`init` only for", "data without a base margin (X's base margin already holds the start)",
                 "a DMatrix with a base margin and `init`")
        if isinstance(model, xgb.Booster):
            data = X if is_dmatrix else xgb.DMatrix(X, **{"enable_categorical": True, **dmatrix_kwargs})
            raw = model.predict(data, output_margin=True)
        elif hasattr(model, "get_booster"):
            raw = model.predict(X, output_margin=True)
        else:
            fail(fn, "`model` to be", "an xgboost.Booster or XGBModel", type(model).__name__, TypeError)
        raw = self.check_raw(raw, "predict")
        if init is not None:
            raw = raw + np.asarray(init, dtype=np.float64)
        return self.link(raw)


def objective(key: str, **params: Any) -> XGBoostObjective:
    """The XGBoost objective of registry key ``key`` (see ``XGBoostObjective`` for the options).

    Example:
        >>> obj = objective("softmax_ce", builtin_compatible=True)
        >>> obj.internal_objective, obj.hessian_factor(3)
        ('multi:softprob', 2.0)
    """
    _xgb()
    return XGBoostObjective(key, **params)


def sklearn_objective(key: str, **params: Any):
    """The objective for ``XGBClassifier(objective=...)``/``XGBRegressor``: ``f(y_true, y_pred, sample_weight=None)``.

    Example:
        >>> import numpy as np
        >>> g, h = sklearn_objective("sigmoid_ce")(np.array([1.0]), np.array([0.0]))
        >>> float(g[0]), float(h[0])
        (-0.5, 0.25)
    """
    return objective(key, **params).sklearn


def metric(key: str, *, predictions: Literal["raw", "transformed"] = "raw", **params: Any):
    """``custom_metric`` for ``xgb.train``: ``f(predt, dmatrix) -> (key, weighted mean loss)``.

    Works for every key with an objective, including those without a usable Hessian (``mae``).
    ``predictions``: what XGBoost passes: ``"raw"`` margins with a custom objective (the default), or
    ``"transformed"`` predictions (probabilities, rates) with a built-in one such as ``binary:logistic``
    (the loss's link is undone first; probabilities must be in ``[0, 1]``).

    Example:
        >>> import numpy as np, xgboost as xgb
        >>> d = xgb.DMatrix(np.zeros((2, 1)), np.array([0.0, 1.0]))
        >>> name, value = metric("mae")(np.array([0.0, 0.0]), d)
        >>> name, value
        ('mae', 0.5)
    """
    _xgb()
    obj = XGBoostObjective.for_metric(key, predictions, "metric", **params)
    return functools.partial(obj.metric, predictions=predictions)


def sklearn_metric(key: str, *, predictions: Literal["raw", "transformed"] = "raw",
                   **params: Any) -> SklearnCallable:
    """``eval_metric`` for ``XGBClassifier``/``XGBRegressor``: ``f(y_true, y_score, sample_weight=None)``.

    ``predictions`` as in ``metric``: ``"transformed"`` with a built-in objective (the estimator's default).

    Example:
        >>> import numpy as np
        >>> f = sklearn_metric("sigmoid_ce", predictions="transformed")   # probabilities in
        >>> round(f(np.array([1.0]), np.array([0.5])), 4)
        0.6931
    """
    _xgb()
    obj = XGBoostObjective.for_metric(key, predictions, "sklearn_metric", **params)
    return SklearnCallable(obj, "metric_loss", key, predictions=predictions)


def set_base_margin(dmatrix: Any, obj: XGBoostObjective, *, init: Any = None,
                    num_class: int | None = None) -> float | np.ndarray:
    """Set ``dmatrix``'s ``base_margin`` to the objective's init score and return that init score.

    Args:
        dmatrix: an ``xgboost.DMatrix``.
        obj: the ``XGBoostObjective`` you train with.
        init: the init score to use; ``None`` computes ``obj.init_score`` from the DMatrix's labels and
            weights (do that on the training DMatrix, then pass the returned value for validation and test
            DMatrices: a base margin is per row and is not stored in the model).
        num_class: multi-class only, when the highest classes may be missing from the labels.

    Example:
        >>> import numpy as np, xgboost as xgb
        >>> obj = objective("sigmoid_ce")
        >>> d = xgb.DMatrix(np.zeros((4, 1)), np.array([0.0, 1.0, 1.0, 1.0]))
        >>> round(float(set_base_margin(d, obj)), 4), round(float(d.get_base_margin()[0]), 4)
        (1.0986, 1.0986)
    """
    xgb = _xgb()
    if not isinstance(dmatrix, xgb.DMatrix):
        fail(f"{_FN}.set_base_margin", "`dmatrix` to be", "an xgboost.DMatrix", type(dmatrix).__name__, TypeError)
    if not isinstance(obj, XGBoostObjective):
        fail(f"{_FN}.set_base_margin", "`obj` to be", "an XGBoostObjective (losslab...xgboost.objective)",
             type(obj).__name__, TypeError)
    if init is None:
        weight = dmatrix.get_weight()
        init = obj.init_score(dmatrix.get_label(), weight if np.size(weight) else None, num_class=num_class)
    dmatrix.set_base_margin(obj.init_margin(init, dmatrix.num_row()))
    return init

