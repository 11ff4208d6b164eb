"""The house message template and the individual checks."""

import pytest
import torch

from losslab import _validation as V


def test_message_template():
    with pytest.raises(ValueError, match=r"^fn: expected `x` shape \(3,\), got \(2,\)$"):
        V.fail("fn", "`x` shape", "(3,)", "(2,)")


def test_dtype_checks_raise_type_error():
    with pytest.raises(TypeError, match=r"fn: expected `input` dtype to be floating point.*got torch.int64"):
        V.check_floating("fn", "input", torch.ones(2, dtype=torch.long))
    with pytest.raises(TypeError, match=r"`target` dtype to be an integer type.*got torch.float32"):
        V.check_integer("fn", "target", torch.ones(2))
    with pytest.raises(TypeError, match=r"`input` to be a torch.Tensor, got list"):
        V.check_tensor("fn", "input", [1.0])


def test_shape_messages_carry_both_shapes():
    with pytest.raises(ValueError, match=r"expected `target` shape equal to `input` shape \(2, 3\), got \(3, 2\)"):
        V.check_same_shape("fn", torch.ones(2, 3), torch.ones(3, 2))
    with pytest.raises(ValueError, match=r"`weight` broadcastable to \(2, 3\), got \(4,\)"):
        V.check_broadcastable("fn", "weight", torch.ones(4), (2, 3))
    assert V.check_broadcastable("fn", "weight", torch.ones(3), (2, 3)) is not None
    with pytest.raises(ValueError, match=r"`class_weight` shape \(3,\), got \(4,\)"):
        V.check_class_vector("fn", "class_weight", torch.ones(4), 3)


def test_value_checks():
    with pytest.raises(ValueError, match=r"`gamma` >= 0, got -1"):
        V.check_number("fn", "gamma", -1, low=0)
    with pytest.raises(ValueError, match=r"`delta` > 0, got 0"):
        V.check_number("fn", "delta", 0, low=0, low_open=True)
    with pytest.raises(TypeError, match=r"`gamma` to be a real number, got 'a'"):
        V.check_number("fn", "gamma", "a")
    with pytest.raises(ValueError, match=r"`target` values in \[0, 1\], got values in \[0, 2\]"):
        V.check_unit_interval("fn", "target", torch.tensor([0.0, 2.0]))
    with pytest.raises(ValueError, match=r"`target` to be free of NaN, got 1 NaN"):
        V.check_no_nan("fn", "target", torch.tensor([0.0, float("nan")]))
    with pytest.raises(ValueError, match=r"class indices in \[0, 2\] for 3 classes.*got class 5"):
        V.check_class_indices("fn", "target", torch.tensor([0, 5]), 3)
    V.check_class_indices("fn", "target", torch.tensor([0, -100]), 3, ignore_index=-100)
    with pytest.raises(ValueError, match=r"rows summing to 1"):
        V.check_probability_rows("fn", "target", torch.tensor([[0.5, 0.2]]))


def test_numpy_scalars_are_numbers_and_indices():
    """Options read from NumPy arrays or configs work: NumPy reals and integers pass, bools and floats
    for an index do not."""
    np = pytest.importorskip("numpy")
    assert V.check_number("fn", "gamma", np.float32(2.5), low=0) == 2.5
    assert V.check_number("fn", "gamma", np.int64(2), low=0) == 2.0
    for index in (np.int64(-100), np.int32(3), np.uint8(255), -100):
        value = V.check_index("fn", "ignore_index", index)
        assert type(value) is int and value == int(index)
    assert V.check_index("fn", "ignore_index", None, allow_none=True) is None
    for bad, expected in ((True, "an int"), (1.0, "an int"), (np.float64(1), "an int"), (None, "an int")):
        with pytest.raises(TypeError, match=f"fn: expected `ignore_index` to be {expected}, got"):
            V.check_index("fn", "ignore_index", bad)
    with pytest.raises(TypeError, match="an int or None, got 'x'"):
        V.check_index("fn", "ignore_index", "x", allow_none=True)


@pytest.mark.parametrize("name", ["softmax_dice_loss", "softmax_cross_entropy", "lovasz_softmax_loss"])
def test_numpy_ignore_index_equals_the_int(name):
    np = pytest.importorskip("numpy")
    from losslab import functional as F

    x, y = torch.randn(2, 3, 5, 4), torch.randint(0, 3, (2, 5, 4))
    y[0, :2] = 1
    fn = getattr(F, name)
    torch.testing.assert_close(fn(x, y, ignore_index=np.int64(1)), fn(x, y, ignore_index=1), rtol=0, atol=0)


@pytest.mark.parametrize("bad", ["abc", {}, [1.0, "x"], torch.ones(3, dtype=torch.complex64), torch.ones(3).bool()])
def test_class_vector_of_non_numbers_names_the_argument(bad):
    with pytest.raises(TypeError, match="f: expected `class_weight`"):
        V.check_class_vector("f", "class_weight", bad, 3)


def test_class_weight_strings_reach_the_user_as_the_house_message():
    from losslab.functional import softmax_cross_entropy, softmax_dice_loss, softmax_focal_loss

    x, t = torch.randn(2, 3, 4), torch.randint(0, 3, (2, 4))
    for fn, kw in ((softmax_cross_entropy, {"class_weight": "abc"}), (softmax_dice_loss, {"class_weight": "abc"}),
                   (softmax_focal_loss, {"alpha": "x"})):
        with pytest.raises(TypeError, match=f"expected `{next(iter(kw))}` to be a tensor or a sequence of numbers"):
            fn(x, t, **kw)


def test_flags_are_bools():
    import numpy as np

    assert V.check_bool("f", "validate", np.bool_(True)) is True
    for bad in (None, 0, "yes", torch.tensor(True)):
        with pytest.raises(TypeError, match="f: expected `validate` to be a bool"):
            V.check_bool("f", "validate", bad)


def test_infinite_weights_are_rejected():
    with pytest.raises(ValueError, match="`weight` values to be finite, got 1 infinite"):
        V.check_weight_values("f", "weight", torch.tensor([1.0, float("inf")]))
