"""``nn.Module`` shells over ``losslab.functional``; they compose with ``+`` and scalar ``*``."""

from . import classification, lovasz, overlap, regression
from ._base import LossModule, WeightedSum
from .classification import *  # noqa: F403
from .lovasz import *  # noqa: F403
from .overlap import *  # noqa: F403
from .regression import *  # noqa: F403

__all__ = ["LossModule", "WeightedSum", *regression.__all__, *classification.__all__, *overlap.__all__, *lovasz.__all__]
