"""The one reduction rule: Σwℓ/Σw over counted elements; nothing counted → 0 with the graph connected."""

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from losslab._reduction import reduce_loss

finite = st.floats(-1e3, 1e3, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=finite),
       st.data())
def test_weighted_mean_is_sum_over_weights(loss_np, data):
    loss = torch.from_numpy(loss_np)
    w = torch.from_numpy(data.draw(hnp.arrays(np.float64, loss_np.shape, elements=st.floats(0, 10))))
    m = torch.from_numpy(data.draw(hnp.arrays(np.bool_, loss_np.shape)))
    kept_w = (w * m).sum()
    expected = (loss * w * m).sum() / kept_w if kept_w > 0 else torch.tensor(0.0, dtype=torch.float64)
    torch.testing.assert_close(reduce_loss(loss, "mean", weight=w, mask=m), expected)
    torch.testing.assert_close(reduce_loss(loss, "sum", weight=w, mask=m), (loss * w * m).sum())
    torch.testing.assert_close(reduce_loss(loss, "none", weight=w, mask=m), loss * w * m)


def test_plain_mean_and_sum():
    x = torch.arange(6.0).reshape(2, 3)
    assert float(reduce_loss(x, "mean")) == 2.5
    assert float(reduce_loss(x, "sum")) == 15.0


def test_masked_values_never_leak_nan():
    loss = torch.tensor([1.0, float("nan"), 3.0], requires_grad=True)
    mask = torch.tensor([True, False, True])
    out = reduce_loss(loss, "mean", mask=mask)
    out.backward()
    assert float(out.detach()) == 2.0 and torch.isfinite(loss.grad).all()


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_nothing_counted_gives_zero_with_graph(reduction):
    loss = torch.ones(4, requires_grad=True)
    for kwargs in ({"mask": torch.zeros(4, dtype=torch.bool)}, {"weight": torch.zeros(4)}):
        out = reduce_loss(loss, reduction, **kwargs)
        assert float(out.detach()) == 0.0 and out.requires_grad
        (grad,) = torch.autograd.grad(out, loss)
        assert torch.equal(grad, torch.zeros(4))
    empty = torch.ones(0, 3, requires_grad=True)
    out = reduce_loss(empty, reduction)
    assert float(out.detach()) == 0.0 and out.requires_grad


def test_unknown_reduction_names_the_argument():
    with pytest.raises(ValueError, match=r"f: expected `reduction` one of \('mean', 'sum', 'none'\), got 'avg'"):
        reduce_loss(torch.ones(2), "avg", fn="f")
