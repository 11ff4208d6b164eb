"""scikit-learn scorers built from the losslab reference objectives.

``make_scorer("sigmoid_focal", gamma=2.0)`` is a scorer for ``cross_val_score``, ``GridSearchCV`` and every
``scoring=`` argument: the negated weighted mean loss ``−Σ w ℓ / Σ w`` (greater is better, as
scikit-learn's ``neg_log_loss``). The loss is the ``losslab.reference`` objective's, evaluated at raw
scores recovered from what the estimator returns:

=====================  ===========================  ==============================================
loss kind              ``response_method``          raw score
=====================  ===========================  ==============================================
binary (sigmoid)       ``predict_proba`` (default)  ``logit(p)``, ``p`` clipped to ``[1e-15, 1 − 1e-15]``
binary (sigmoid)       ``decision_function``        the decision function (a logit for linear models)
multi-class (softmax)  ``predict_proba`` (default)  ``log p`` (``p`` clipped to ``>= 1e-15``)
multi-class (softmax)  ``decision_function``        the decision function ``(n, K)``
regression             ``predict`` (default)        the prediction
counts (log-rate)      ``predict`` (default)        ``log`` of the predicted rate
=====================  ===========================  ==============================================

``predict_proba`` must hold probabilities: finite, in ``[0, 1]``, multi-class rows summing to 1 within
``1e-3``; predicted rates must be ``> 0``. Anything else is a ``ValueError`` naming the scorer (an
``LGBMClassifier`` trained with a callable objective returns raw scores from ``predict_proba``). On a
2-class problem scikit-learn passes only the positive class, ``p`` or ``d``: a softmax loss reads it as
``[1 − p, p]`` or ``[0, d]``, and then equals the sigmoid one.

Labels: binary ``y`` in ``[0, 1]``, multi-class ``y`` the class indices ``0..K−1`` (the column order of
``predict_proba``); encode other labels first (``LabelEncoder``). Requires scikit-learn (``boost`` extra).
The scorers and loss functions are ``SklearnCallable`` instances: they pickle, with a fitted search.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import DEFAULT_RESPONSE, BoostObjective, SklearnCallable, fail, require

__all__ = ["loss_function", "make_scorer", "scorers"]

_FN = "losslab.integrations.sklearn"
_ALLOWED_RESPONSE = {"binary": ("predict_proba", "decision_function"),
                     "multiclass": ("predict_proba", "decision_function"), "regression": ("predict",)}


class _ScoringLoss(BoostObjective):
    fn = _FN

    def score(self, y_true: Any, y_pred: Any, sample_weight: Any = None, *, response_method: str) -> float:
        """The weighted mean loss at the raw scores recovered from ``y_pred`` (the module table)."""
        y = np.asarray(y_true)
        if y.dtype.kind not in "biuf":
            fail(f"{_FN}.{self.key}", "numeric labels (binary 0/1, class indices 0..K−1; use LabelEncoder)", "",
                 f"dtype {y.dtype}")
        return self.loss(y, self.to_raw(y_pred, response_method, self.key), sample_weight)


def loss_function(key: str, *, response_method: str | None = None, **params: Any):
    """The weighted mean loss of ``key`` as a metric ``f(y_true, y_pred, sample_weight=None) -> float``.

    Args:
        key: registry key of a loss with a NumPy objective (``sigmoid_ce``, ``softmax_focal``, ``huber``, ...).
        response_method: what ``y_pred`` is: ``"predict_proba"`` (default for classification),
            ``"decision_function"`` (raw scores) or ``"predict"`` (regression; the default there).
        **params: the loss's hyper-parameters.

    Convention:
        ``Σ w ℓ(y, raw) / Σ w`` with the raw score recovered from ``y_pred`` as in the module table;
        lower is better.

    Example:
        >>> import numpy as np
        >>> f = loss_function("sigmoid_ce")
        >>> round(f(np.array([0, 1]), np.array([0.2, 0.9])), 4)
        0.1643
    """
    loss = _ScoringLoss(key, min_hessian=0.0, **params)
    if response_method is None:
        response_method = DEFAULT_RESPONSE[loss.task]
    allowed = _ALLOWED_RESPONSE[loss.task]
    if response_method not in allowed:
        fail(_FN, f"`response_method` for the {loss.task} loss {key!r} one of", allowed, repr(response_method))
    return SklearnCallable(loss, "score", f"losslab_{key}", response_method=response_method)


def make_scorer(key: str, *, response_method: str | None = None, **params: Any):
    """A scikit-learn scorer: the negated weighted mean loss of ``key`` (greater is better).

    Args:
        key: registry key of a loss with a NumPy objective.
        response_method: estimator method feeding the loss (default ``predict_proba`` for classification,
            ``predict`` for regression; ``decision_function`` gives raw scores directly).
        **params: the loss's hyper-parameters.

    Returns:
        ``sklearn.metrics.make_scorer(loss_function(key, ...), response_method=...,
        greater_is_better=False)``: pass it as ``scoring=`` (``sample_weight`` reaches it through
        scikit-learn's metadata routing).

    Example:
        >>> import numpy as np
        >>> from sklearn.linear_model import LogisticRegression
        >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])
        >>> clf = LogisticRegression().fit(X, y)
        >>> round(make_scorer("sigmoid_ce")(clf, X, y), 4) < 0
        True
    """
    metrics = require("sklearn.metrics", _FN)
    fn = loss_function(key, response_method=response_method, **params)
    return metrics.make_scorer(fn, response_method=fn.options["response_method"], greater_is_better=False)


def scorers(*keys: str, **params: Any) -> dict[str, Any]:
    """``{"neg_<key>": make_scorer(key)}`` for multi-metric ``scoring=`` (``GridSearchCV(refit=...)``).

    ``params`` are passed to every key that declares them (e.g. ``gamma`` to the focal losses only).

    Example:
        >>> sorted(scorers("sigmoid_ce", "sigmoid_focal", gamma=1.0))
        ['neg_sigmoid_ce', 'neg_sigmoid_focal']
    """
    from .. import registry

    declared = {key: {p.name for p in registry.get(key).params} for key in keys}
    unused = sorted(set(params) - set().union(*declared.values()))
    if unused:
        fail(f"{_FN}.scorers", "hyper-parameters declared by one of", keys, unused)
    return {f"neg_{key}": make_scorer(key, **{k: v for k, v in params.items() if k in names})
            for key, names in declared.items()}
