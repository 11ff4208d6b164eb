"""losslab: loss functions that are right at the edges, an advisor that picks one, and a harness that proves it.

Public names: ``functional`` (pure torch), ``nn`` (modules), ``reference`` (NumPy calculus),
``weights`` (class weights from counts), ``registry`` (``get``/``list_losses``), ``advise``, ``compare``.
``import losslab`` pulls in numpy and torch only; the advisor, harness, plots and integrations load
their optional dependencies when first used. ``losslab.reference``, ``losslab.weights`` and
``losslab.registry`` work without torch (``functional`` and ``nn`` are loaded on first access).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from . import reference, registry, weights
from .registry import get, list_losses

__version__ = "0.1.0"

_LAZY = {"advise": "losslab.advisor", "compare": "losslab.compare"}
_SUBMODULES = ("functional", "nn")

__all__ = ["__version__", "functional", "nn", "reference", "registry", "weights", "get", "list_losses",
           "advise", "compare"]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return import_module(f"losslab.{name}")
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'losslab' has no attribute {name!r}")
