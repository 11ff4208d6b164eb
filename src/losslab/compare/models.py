"""Tiny CPU models for the compare harness: a small U-Net, an MLP and a linear model.

Every model ends in one output layer whose bias :func:`init_prior_bias` can set to the class prior
(Lin et al. 2017): ``log(π / (1 − π))`` for a sigmoid output, ``log π_c`` for a softmax output. Starting
at the prior instead of at ``p = 0.5`` removes the huge initial gradient of the negatives under heavy
imbalance, which changes how log-loss-trained models behave in a short budget.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .._validation import fail

MODELS = ("auto", "unet", "mlp", "linear")


def _block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                         nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class SmallUNet(nn.Module):
    """A two-level U-Net: ``base``, ``2·base``, ``4·base`` channels; any input size from ``MIN_SIZE`` up (skips
    are resized)."""

    MIN_SIZE = 4  # two 2x max-poolings: 4 → 2 → 1 pixel

    def __init__(self, in_channels: int = 1, out_channels: int = 1, base: int = 8) -> None:
        super().__init__()
        self.enc1 = _block(in_channels, base)
        self.enc2 = _block(base, 2 * base)
        self.mid = _block(2 * base, 4 * base)
        self.dec2 = _block(4 * base + 2 * base, 2 * base)
        self.dec1 = _block(2 * base + base, base)
        self.head = nn.Conv2d(base, out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        m = self.mid(F.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([F.interpolate(m, size=e2.shape[-2:], mode="nearest"), e2], 1))
        d1 = self.dec1(torch.cat([F.interpolate(d2, size=e1.shape[-2:], mode="nearest"), e1], 1))
        return self.head(d1)

    @property
    def output_layer(self) -> nn.Module:
        return self.head


class MLP(nn.Module):
    """``in → hidden → hidden → out`` with ReLU."""

    def __init__(self, in_features: int, out_features: int, hidden: int = 64) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.head = nn.Linear(hidden, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))

    @property
    def output_layer(self) -> nn.Module:
        return self.head


class Linear(nn.Module):
    """A linear model ``x·w + b``."""

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        self.head = nn.Linear(in_features, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(x)

    @property
    def output_layer(self) -> nn.Module:
        return self.head


def default_model(kind: str) -> str:
    """``unet`` for segmentation, ``mlp`` for classification, ``linear`` for regression."""
    return {"binary_segmentation": "unet", "multiclass_segmentation": "unet", "binary": "mlp",
            "multiclass": "mlp", "regression": "linear"}[kind]


def build_model(name: str, kind: str, in_channels: int, n_outputs: int, *, width: int | None = None) -> nn.Module:
    """The model ``name`` (``auto`` picks by task kind) for inputs with ``in_channels`` channels/features."""
    if name not in MODELS:
        fail("build_model", "`model` one of", MODELS, repr(name))
    if name == "auto":
        name = default_model(kind)
    segmentation = kind.endswith("segmentation")
    if (name == "unet") != segmentation:
        fail("build_model", f"a model for {kind} inputs (unet for images, mlp/linear for", "features)",
             repr(name))
    if name == "unet":
        return SmallUNet(in_channels, n_outputs, base=width or 8)
    if name == "mlp":
        return MLP(in_channels, n_outputs, hidden=width or 64)
    return Linear(in_channels, n_outputs)


@torch.no_grad()
def init_prior_bias(model: nn.Module, prior: np.ndarray, *, eps: float = 1e-6) -> list[float]:
    """Set the output bias to the class prior; returns the bias values.

    ``prior`` is ``[π]`` for one sigmoid output (bias ``log(π/(1 − π))``) or the class frequencies
    ``π_c`` for a softmax output (bias ``log π_c``).
    """
    layer = model.output_layer
    prior = np.clip(np.asarray(prior, dtype=np.float64), eps, 1 - eps)
    if layer.bias.numel() == 1:
        values = [math.log(prior[0] / (1 - prior[0]))]
    else:
        values = np.log(prior / prior.sum()).tolist()
    layer.bias.copy_(torch.tensor(values, dtype=layer.bias.dtype))
    return values


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
