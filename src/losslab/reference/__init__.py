"""NumPy float64 reference objectives: loss, gradient and Hessian w.r.t. the raw score.

Imports without torch. ``get(key, **params)`` returns the configured ``Objective`` of a registry key.
"""

from __future__ import annotations

from . import classification, regression
from ._base import Objective
from .classification import *  # noqa: F403
from .regression import *  # noqa: F403


def get(key: str, **params) -> Objective:
    """The NumPy objective of registry entry ``key`` configured with ``params``.

    Example:
        >>> import numpy as np
        >>> from losslab import reference
        >>> obj = reference.get("sigmoid_ce")
        >>> g, h = obj.gradient_hessian(np.array([1.0]), np.array([0.0]))
        >>> float(g[0]), float(h[0])
        (-0.5, 0.25)
    """
    from ..registry import get as get_spec

    return get_spec(key).make_objective(**params)


__all__ = ["Objective", "get", *regression.__all__, *classification.__all__]
