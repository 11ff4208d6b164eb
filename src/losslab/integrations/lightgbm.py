"""losslab objectives, metrics and init scores for LightGBM 4.x.

Every gradient and Hessian comes from ``losslab.reference`` (see ``_common.BoostObjective`` for the
shape, weight, scale and Hessian-floor rules). Requires the ``boost`` extra: ``pip install 'losslab[boost]'``.

Learning API::

    obj = objective("sigmoid_focal", gamma=2.0, alpha=0.25)
    dtrain = lgb.Dataset(X, y)
    init = set_init_score(dtrain, obj)                  # LightGBM starts a custom objective from 0
    booster = lgb.train(obj.params(y, num_leaves=15), dtrain, 100, feval=obj.metric)
    proba = obj.predict(booster, X_test, init=init)     # link(raw + init)

LightGBM does not store an ``init_score`` in the model, and with a custom objective it neither boosts
from the average nor applies the link: ``obj.predict(model, X, init=init)`` does both. Validation
Datasets need ``set_init_score(dvalid, obj, init=init)`` (the training init score) for the metric.

scikit-learn API::

    clf = lgb.LGBMClassifier(objective=obj.sklearn, n_estimators=100)
    clf.fit(X, y, init_score=obj.init_margin(init, len(y)), eval_metric=obj.sklearn_metric)
    proba = obj.predict(clf, X_test, init=init)

Continued training (``init_model=``) replaces the Dataset's ``init_score`` with the model's raw scores,
which do not hold the start: see docs/boosting.md.

Shapes: LightGBM 4.x passes multi-class raw scores as ``(n, K)`` and takes ``(n, K)`` gradients; the
metrics receive raw scores because LightGBM passes them whenever the objective is custom. With a built-in
objective it passes transformed predictions (probabilities): use ``metric(key, predictions="transformed")``
/ ``sklearn_metric(key, predictions="transformed")``.
"""

from __future__ import annotations

import functools
from typing import Any, Literal

import numpy as np

from ._common import BoostObjective, SklearnCallable, fail, require

__all__ = ["LightGBMObjective", "objective", "sklearn_objective", "metric", "sklearn_metric", "set_init_score"]

_FN = "losslab.integrations.lightgbm"


def _lgb():
    return require("lightgbm", _FN)


def _weight(dataset: Any) -> np.ndarray | None:
    """The Dataset's weights; before construction ``get_weight()`` raises, the attribute holds them."""
    weight = getattr(dataset, "weight", None)
    if weight is None:
        try:
            weight = dataset.get_weight()
        except Exception:  # lightgbm raises a bare Exception for an unconstructed Dataset
            weight = None
    return None if weight is None else np.asarray(weight, dtype=np.float64)


class LightGBMObjective(BoostObjective):
    """A losslab objective for LightGBM: callable as ``obj(preds, train_data) -> (grad, hess)``.

    Args:
        key: registry key of a loss with a NumPy objective (``sigmoid_ce``, ``sigmoid_focal``, ``mse``, ...).
        min_hessian: Hessian floor ``max(h, min_hessian)``, default ``1e-6``; required explicitly for
            losses with a zero Hessian (``mae``, ``pinball``).
        hessian_scale: factor on the Hessian only (default 1; ``K/(K − 1)`` for multi-class with
            ``builtin_compatible``, as LightGBM's ``multiclass``).
        scale: factor on gradient and Hessian (default 1; ½ for ``mse`` with ``builtin_compatible``, as
            ``regression``'s ``½ (ŷ − y)²``).
        builtin_compatible: use LightGBM's conventions where ``scale``/``hessian_scale`` are not given.
        **params: the loss's hyper-parameters.

    Attributes:
        objective: the ``losslab.reference`` objective. ``sklearn``: the scikit-learn API objective.
        metric: ``feval`` for ``lgb.train``; ``sklearn_metric``: ``eval_metric`` for ``LGBMModel.fit``.

    Convention:
        ``grad = w · scale · ∂ℓ/∂raw``, ``hess = w · max(scale · hessian_scale · ∂²ℓ/∂raw², min_hessian)``
        with ``w`` the Dataset weights. Multi-class: ``preds`` and the returned arrays are ``(n, K)``,
        labels are class indices. The metric is the weighted mean loss ``Σ w ℓ / Σ w`` (unscaled;
        lower is better).

    Example:
        >>> import numpy as np, lightgbm as lgb
        >>> obj = objective("sigmoid_ce")
        >>> X = np.arange(40.0).reshape(-1, 1); y = (X[:, 0] > 19).astype(float)
        >>> d = lgb.Dataset(X, y)
        >>> init = set_init_score(d, obj)
        >>> params = obj.params(y, num_threads=1, verbose=-1, min_data_in_leaf=5)
        >>> bst = lgb.train(params, d, 5)
        >>> p = obj.predict(bst, X, init=init)
        >>> bool(p[0] < 0.5 < p[-1])
        True
    """

    library = "lightgbm"
    fn = _FN

    def _builtin_multiclass_factor(self, num_class: int) -> float:
        return num_class / (num_class - 1.0)  # multiclass: hess = K/(K-1) p (1 - p)

    def __call__(self, preds: np.ndarray, train_data: Any) -> tuple[np.ndarray, np.ndarray]:
        """``params["objective"] = obj``: gradient and Hessian at the raw scores ``preds``."""
        self._check_data(train_data, "a lightgbm.Dataset", "objective=obj.sklearn")
        return self.gradient_hessian(train_data.get_label(), preds, _weight(train_data))

    def metric(self, preds: np.ndarray, eval_data: Any, *,
               predictions: Literal["raw", "transformed"] = "raw") -> tuple[str, float, bool]:
        """``feval`` for ``lgb.train``: ``(key, weighted mean loss, False)`` at ``preds``.

        ``predictions``: ``"raw"`` (what LightGBM passes with a custom objective, e.g. this one) or
        ``"transformed"`` (probabilities, rates: what it passes with a built-in objective; the link is undone).
        """
        self._check_data(eval_data, "a lightgbm.Dataset", "eval_metric=obj.sklearn_metric")
        return self.key, self.metric_loss(eval_data.get_label(), preds, _weight(eval_data), predictions), False

    def _sklearn_metric(self, y_true: Any, y_pred: Any, sample_weight: Any = None,
                        predictions: Literal["raw", "transformed"] = "raw") -> tuple[str, float, bool]:
        """``(key, weighted mean loss, False)``: the value of the ``sklearn_metric`` callables."""
        return self.key, self.metric_loss(y_true, y_pred, sample_weight, predictions), False

    @property
    def sklearn_metric(self) -> SklearnCallable:
        """``eval_metric`` for ``LGBMModel.fit`` at raw scores: ``f(y_true, y_pred, sample_weight=None) ->
        (key, loss, False)`` (see the module function ``sklearn_metric`` for a built-in objective)."""
        return SklearnCallable(self, "_sklearn_metric", self.key)

    def params(self, y: Any = None, **params: Any) -> dict[str, Any]:
        """Booster parameters for ``lgb.train``: ``{"objective": self, "num_class": K (multi-class), **params}``.

        ``y`` (labels) gives ``num_class`` for multi-class objectives unless ``num_class`` is in ``params``.
        """
        if y is not None and hasattr(y, "get_label"):
            y = y.get_label()
        out: dict[str, Any] = {"objective": self}
        if self.task == "multiclass":
            out["num_class"] = self.num_class(y, params)
        out.update(params)
        return out

    def predict(self, model: Any, X: Any, *, init: Any = None) -> np.ndarray:
        """``link(raw + init)`` of a trained ``Booster`` or ``LGBMModel`` (probability, rate, value).

        ``init`` is the training init score (``set_init_score``'s return value); LightGBM does not store
        it in the model, so leave it out only if you trained without one.
        """
        lgb = _lgb()
        if not isinstance(model, (lgb.Booster, lgb.LGBMModel)):
            fail(f"{_FN}.predict", "`model` to be", "a lightgbm.Booster or LGBMModel", type(model).__name__,
                 TypeError)
        raw = self.check_raw(model.predict(X, raw_score=True), "predict")
        if init is not None:
            raw = raw + np.asarray(init, dtype=np.float64)
        return self.link(raw)


def objective(key: str, **params: Any) -> LightGBMObjective:
    """The LightGBM objective of registry key ``key`` (see ``LightGBMObjective`` for the options).

    Example:
        >>> obj = objective("softmax_ce", builtin_compatible=True)
        >>> round(obj.hessian_factor(3), 4)
        1.5
    """
    _lgb()
    return LightGBMObjective(key, **params)


def sklearn_objective(key: str, **params: Any):
    """The objective for ``LGBMClassifier(objective=...)``/``LGBMRegressor``: ``f(y_true, y_pred, weight=None)``.

    Example:
        >>> import numpy as np
        >>> g, h = sklearn_objective("mse", builtin_compatible=True)(np.array([1.0]), np.array([3.0]))
        >>> float(g[0]), float(h[0])
        (2.0, 1.0)
    """
    return objective(key, **params).sklearn


def metric(key: str, *, predictions: Literal["raw", "transformed"] = "raw", **params: Any):
    """``feval`` for ``lgb.train``: ``f(preds, dataset) -> (key, weighted mean loss, False)``.

    Works for every key with an objective, including those without a usable Hessian (``mae``).
    ``predictions``: what LightGBM passes: ``"raw"`` scores with a custom objective (the default), or
    ``"transformed"`` predictions (probabilities, rates) with a built-in one such as ``binary`` (the
    loss's link is undone first; probabilities must be in ``[0, 1]``).

    Example:
        >>> import numpy as np, lightgbm as lgb
        >>> d = lgb.Dataset(np.zeros((2, 1)), np.array([0.0, 1.0]))
        >>> metric("mae")(np.array([0.0, 0.0]), d)
        ('mae', 0.5, False)
    """
    _lgb()
    obj = LightGBMObjective.for_metric(key, predictions, "metric", **params)
    return functools.partial(obj.metric, predictions=predictions)


def sklearn_metric(key: str, *, predictions: Literal["raw", "transformed"] = "raw",
                   **params: Any) -> SklearnCallable:
    """``eval_metric`` for ``LGBMModel.fit``: ``f(y_true, y_pred, sample_weight=None) -> (key, loss, False)``.

    ``predictions`` as in ``metric``: ``"transformed"`` with a built-in objective (the estimator's default).

    Example:
        >>> import numpy as np
        >>> f = sklearn_metric("sigmoid_ce", predictions="transformed")   # probabilities in
        >>> name, value, _ = f(np.array([1.0]), np.array([0.5]))
        >>> name, round(value, 4)
        ('sigmoid_ce', 0.6931)
    """
    _lgb()
    obj = LightGBMObjective.for_metric(key, predictions, "sklearn_metric", **params)
    return SklearnCallable(obj, "_sklearn_metric", key, predictions=predictions)


def set_init_score(dataset: Any, obj: LightGBMObjective, *, init: Any = None,
                   num_class: int | None = None) -> float | np.ndarray:
    """Set ``dataset``'s ``init_score`` to the objective's init score and return that init score.

    Args:
        dataset: a ``lightgbm.Dataset`` with labels.
        obj: the ``LightGBMObjective`` you train with.
        init: the init score; ``None`` computes ``obj.init_score`` from the Dataset's labels and weights
            (do that on the training Dataset, then pass the returned value for validation Datasets and to
            ``obj.predict``).
        num_class: multi-class only, when the highest classes may be missing from the labels. Give it
            whenever the booster's ``num_class`` may exceed ``max(y) + 1``: the init score has one column
            per class, and LightGBM rejects a mismatch only later, inside training ("Number of class for
            initial score error").

    Example:
        >>> import numpy as np, lightgbm as lgb
        >>> obj = objective("mse")
        >>> d = lgb.Dataset(np.zeros((3, 1)), np.array([1.0, 2.0, 6.0]))
        >>> set_init_score(d, obj)
        3.0
    """
    lgb = _lgb()
    if not isinstance(dataset, lgb.Dataset):
        fail(f"{_FN}.set_init_score", "`dataset` to be", "a lightgbm.Dataset", type(dataset).__name__, TypeError)
    if not isinstance(obj, LightGBMObjective):
        fail(f"{_FN}.set_init_score", "`obj` to be", "a LightGBMObjective (losslab...lightgbm.objective)",
             type(obj).__name__, TypeError)
    label = dataset.get_label()
    if init is None:
        if label is None:
            fail(f"{_FN}.set_init_score", "a Dataset with labels (or an explicit `init`)", "", "no labels")
        init = obj.init_score(np.asarray(label), _weight(dataset), num_class=num_class)
    n = len(np.asarray(label)) if label is not None else dataset.construct().num_data()
    dataset.set_init_score(obj.init_margin(init, n))
    return init
