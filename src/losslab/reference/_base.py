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
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np


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
        return np.asarray(raw, dtype=np.float64)

    @abstractmethod
    def init_score(self, y: np.ndarray, sample_weight: np.ndarray | None = None):
        """The best constant raw score (a float, or ``(K,)`` for multi-class objectives)."""

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({params})"
