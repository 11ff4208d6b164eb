"""``plot_losses``: PNGs of loss and gradient from the NumPy objectives."""

from __future__ import annotations

import numpy as np
import pytest

from losslab.plotting.curves import _term_curve, plot_losses

PNG = b"\x89PNG\r\n\x1a\n"


def test_classification_png(tmp_path):
    p = plot_losses(["sigmoid_ce", "sigmoid_focal:gamma=2", "mse:on=probability"], out=tmp_path / "a.png")
    assert p.read_bytes()[:8] == PNG and p.stat().st_size > 10_000


@pytest.mark.parametrize("losses, axis", [(["mse", "huber:delta=1", "mae", "log_cosh"], "auto"),
                                          (["sigmoid_ce", "softmax_ce"], "probability"),
                                          (["0.5*sigmoid_ce+sigmoid_focal"], "logit")])
def test_other_axes(tmp_path, losses, axis):
    p = plot_losses(losses, out=tmp_path / "b.png", axis=axis)
    assert p.read_bytes()[:8] == PNG


def test_param_applies_to_losses_that_have_it(tmp_path):
    plot_losses(["sigmoid_focal", "sigmoid_ce"], out=tmp_path / "c.png", params={"gamma": "3"})
    with pytest.raises(ValueError, match="plot: expected --param"):
        plot_losses(["mse"], out=tmp_path / "d.png", params={"gamma": "3"})


def test_mse_on_a_sigmoid_is_the_chain_rule():
    from losslab.compare.candidates import parse_term

    term, _ = parse_term("mse:on=probability")
    z = np.linspace(-6, 6, 13)
    loss, grad, axis = _term_curve(term, z, z, 1.0)
    p = 1 / (1 + np.exp(-z))
    assert axis == "logit"
    np.testing.assert_allclose(loss, (p - 1) ** 2, rtol=1e-12)
    np.testing.assert_allclose(grad, 2 * (p - 1) * p * (1 - p), rtol=1e-10, atol=1e-15)


def test_two_class_softmax_equals_sigmoid():
    from losslab.compare.candidates import parse_term

    z = np.linspace(-5, 5, 11)
    soft = _term_curve(parse_term("softmax_ce")[0], z, z, 1.0)
    sig = _term_curve(parse_term("sigmoid_ce")[0], z, z, 1.0)
    np.testing.assert_allclose(soft[0], sig[0], rtol=1e-10)
    np.testing.assert_allclose(soft[1], sig[1], rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("losses, kwargs, match", [
    (["sigmoid_ce", "mse"], {}, "losses on one axis"),
    (["sigmoid_dice"], {}, "NumPy objective"),
    (["mse"], {"axis": "logit"}, "--x"),
    (["sigmoid_ce"], {"axis": "residual"}, "--x"),
    (["sigmoid_ce"], {"axis": "nope"}, "--x one of"),
    (["sigmoid_ce:pos_weight=auto"], {}, "auto"),
    (["advised"], {}, "advised"),
    ([], {}, "at least one"),
])
def test_errors(tmp_path, losses, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_losses(losses, out=tmp_path / "e.png", **kwargs)


@pytest.mark.parametrize("span", [0.0, -1.0, float("nan"), float("inf")])
def test_span_must_be_finite_and_positive(span, tmp_path):
    from losslab.plotting import plot_losses

    with pytest.raises(ValueError, match="`span`"):
        plot_losses(["sigmoid_ce"], out=tmp_path / "p.png", span=span)
