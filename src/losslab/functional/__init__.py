"""Pure torch loss functions, one module per family. Logits in; see each docstring's Convention."""

from . import classification, lovasz, overlap, regression
from .classification import *  # noqa: F403
from .lovasz import *  # noqa: F403
from .overlap import *  # noqa: F403
from .regression import *  # noqa: F403

__all__ = [*regression.__all__, *classification.__all__, *overlap.__all__, *lovasz.__all__]
