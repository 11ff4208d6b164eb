"""LossModule plumbing and WeightedSum composition (using the simplest registry losses)."""

import pytest
import torch

from losslab import nn as lnn
from losslab.nn import MAELoss, MSELoss, WeightedSum


def test_composition_operators_build_a_flat_weighted_sum():
    x, y = torch.randn(4, 3), torch.randn(4, 3)
    combo = MSELoss() + 0.5 * MAELoss()
    assert isinstance(combo, WeightedSum) and combo.weights == [1.0, 0.5]
    torch.testing.assert_close(combo(x, y), MSELoss()(x, y) + 0.5 * MAELoss()(x, y))
    nested = 2 * (combo + MSELoss())
    assert nested.weights == [2.0, 1.0, 2.0] and len(nested.terms) == 3


def test_weighted_sum_rejects_bad_terms():
    with pytest.raises(ValueError, match="WeightedSum: expected `terms`"):
        WeightedSum([])
    with pytest.raises(ValueError, match="weight"):
        WeightedSum([(-1.0, MSELoss())])
    with pytest.raises(TypeError, match="nn.Module"):
        WeightedSum([(1.0, "mse")])


def test_module_validates_hyper_parameters_at_construction():
    with pytest.raises(ValueError, match="reduction"):
        MSELoss(reduction="avg")


def test_tensor_config_is_a_buffer_that_moves_with_the_module():
    from losslab.nn import SoftmaxCrossEntropyLoss

    m = SoftmaxCrossEntropyLoss(class_weight=torch.tensor([1.0, 2.0, 3.0]))
    assert "class_weight" in dict(m.named_buffers())
    m = m.double()
    assert m.class_weight.dtype == torch.float64
    assert "class_weight" in repr(m)


def test_the_base_class_cannot_be_built_directly():
    from losslab.nn import LossModule

    with pytest.raises(TypeError, match="LossModule: expected a subclass that sets `key` and `function`"):
        LossModule()


@pytest.mark.parametrize("build, message", [
    (lambda: lnn.SoftmaxCrossEntropyLoss(class_weight=torch.tensor([1.0, -1.0, 1.0])), "`class_weight` values"),
    (lambda: lnn.SoftmaxCrossEntropyLoss(class_weight=torch.tensor([1.0, float("nan")])), "`class_weight` values"),
    (lambda: lnn.SoftmaxCrossEntropyLoss(class_weight="abc"), "`class_weight` to be a tensor or a sequence"),
    (lambda: lnn.SigmoidCrossEntropyLoss(pos_weight=torch.tensor([float("inf")])), "`pos_weight` values"),
    (lambda: lnn.SoftmaxFocalLoss(alpha=[-1.0, 1.0]), "`alpha` values"),
    (lambda: lnn.SoftmaxDiceLoss(class_weight=[1.0, -2.0]), "`class_weight` values"),
    (lambda: lnn.MSELoss(validate="yes"), "`validate` to be a bool"),
    (lambda: lnn.SoftmaxDiceLoss(validate=None), "`validate` to be a bool"),
])
def test_constructors_validate_weights_and_flags(build, message):
    """``__init__`` validates (DESIGN.md): a bad class weight or flag fails at construction, not at the first
    forward."""
    with pytest.raises((ValueError, TypeError), match=message):
        build()


def test_check_params_wants_a_dict():
    from losslab import registry

    with pytest.raises(TypeError, match="`params` to be a dict"):
        registry.check_params("softmax_dice", None)
