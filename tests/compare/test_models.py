"""Tiny models: output shapes and the prior bias initialisation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from losslab.compare.models import MLP, Linear, SmallUNet, build_model, init_prior_bias


@pytest.mark.parametrize("size", [(16, 16), (20, 28)])
def test_unet_shapes_any_size(size):
    m = SmallUNet(1, 3, base=4)
    assert m(torch.randn(2, 1, *size)).shape == (2, 3, *size)


def test_build_model_auto():
    assert isinstance(build_model("auto", "binary_segmentation", 1, 1), SmallUNet)
    assert isinstance(build_model("auto", "multiclass", 64, 10), MLP)
    assert isinstance(build_model("auto", "regression", 10, 1), Linear)
    with pytest.raises(ValueError, match="build_model: expected a model for"):
        build_model("unet", "binary", 5, 1)
    with pytest.raises(ValueError, match="`model` one of"):
        build_model("resnet", "binary", 5, 1)


def test_prior_bias_sigmoid():
    m = build_model("auto", "binary_segmentation", 1, 1, width=4)
    (b,) = init_prior_bias(m, np.array([0.001]))
    assert b == pytest.approx(math.log(0.001 / 0.999))
    assert float(m.head.bias.detach()) == pytest.approx(b, rel=1e-6)
    with torch.no_grad():
        m.head.weight.zero_()
        p = torch.sigmoid(m(torch.randn(1, 1, 8, 8)))
    assert torch.allclose(p, torch.full_like(p, 0.001), rtol=1e-4)


def test_prior_bias_softmax():
    m = build_model("auto", "multiclass", 4, 3)
    init_prior_bias(m, np.array([0.7, 0.2, 0.1]))
    with torch.no_grad():
        m.head.weight.zero_()
        p = torch.softmax(m(torch.randn(2, 4)), dim=1)
    assert p[0].tolist() == pytest.approx([0.7, 0.2, 0.1], rel=1e-5)
