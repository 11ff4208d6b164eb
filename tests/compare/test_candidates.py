"""Candidate strings: parsing, value conversion, compatibility with a task, building the training loss."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from losslab.compare.candidates import (
    Candidate,
    as_candidate,
    build_loss,
    check_compatible,
    parse_candidate,
    resolve_auto,
)


def test_plain_key_and_options():
    c = parse_candidate("sigmoid_focal:gamma=3,alpha=0.5")
    assert c.name == "sigmoid_focal:gamma=3,alpha=0.5" and c.bias == "default" and not c.advised
    (t,) = c.terms
    assert t.key == "sigmoid_focal" and t.params == {"gamma": 3.0, "alpha": 0.5} and t.weight == 1.0


def test_optional_float_none_and_bool_and_int():
    assert parse_candidate("sigmoid_focal:alpha=none").terms[0].params == {"alpha": None}
    assert parse_candidate("softmax_ce:ignore_index=255").terms[0].params == {"ignore_index": 255}
    assert parse_candidate("poisson_nll:full=true").terms[0].params == {"full": True}
    assert parse_candidate("sigmoid_ce:ignore_index=-100").terms[0].params == {"ignore_index": -100}
    assert parse_candidate("sigmoid_ce:ignore_index=none").terms[0].params == {"ignore_index": None}
    with pytest.raises(ValueError, match="`ignore_index` of 'sigmoid_ce' an integer, got x"):
        parse_candidate("sigmoid_ce:ignore_index=x")


def test_tensor_lists_and_auto():
    t = parse_candidate("softmax_ce:class_weight=[1,2.5,3],label_smoothing=0.1").terms[0]
    assert t.params == {"class_weight": [1.0, 2.5, 3.0], "label_smoothing": 0.1}
    assert parse_candidate("sigmoid_ce:pos_weight=auto").terms[0].params == {"pos_weight": "auto"}


def test_composition_weights_and_exponent():
    c = parse_candidate("0.5*sigmoid_ce:label_smoothing=1e+0+2*sigmoid_focal:gamma=2")
    assert [(t.key, t.weight) for t in c.terms] == [("sigmoid_ce", 0.5), ("sigmoid_focal", 2.0)]
    assert c.terms[0].params == {"label_smoothing": 1.0}


def test_harness_options():
    c = parse_candidate("mse:on=probability")
    assert c.terms[0].on == "probability" and c.terms[0].params == {}
    assert parse_candidate("sigmoid_ce:bias=prior").bias == "prior"
    a = parse_candidate("advised:bias=prior")
    assert a.advised and a.bias == "prior" and not a.terms


@pytest.mark.parametrize("text, match", [
    ("nope", "registry: expected a loss key"),
    ("sigmoid_ce:gamma=2", "expected an option of 'sigmoid_ce'"),
    ("sigmoid_ce:reduction=none", "expected an option of 'sigmoid_ce'"),
    ("sigmoid_focal:gamma=abc", "`gamma` of 'sigmoid_focal' a number"),
    ("sigmoid_focal:gamma", "as name=value"),
    ("mse:on=logit", "`on` one of"),
    ("sigmoid_ce:bias=zero", "`bias` one of"),
    ("sigmoid_ce+", "a loss key in every term"),
    ("-1*sigmoid_ce", "term weights >="),
    ("sigmoid_ce:bias=prior+sigmoid_focal:bias=default", "one `bias` option"),
    ("softmax_ce:class_weight=[1,2", "as a number or a list"),
    ("advised:gamma=2", "only `bias=default|prior`"),
])
def test_parse_errors_are_one_line(text, match):
    with pytest.raises(ValueError, match=match) as info:
        parse_candidate(text)
    assert "\n" not in str(info.value)


def test_compatibility():
    check_compatible(parse_candidate("sigmoid_ce"), "binary_segmentation")
    check_compatible(parse_candidate("mse:on=probability"), "multiclass")
    check_compatible(parse_candidate("huber"), "regression")
    with pytest.raises(ValueError, match="a loss suited to a multiclass task"):
        check_compatible(parse_candidate("sigmoid_ce"), "multiclass")
    with pytest.raises(ValueError, match="`on=probability` for the regression loss 'mse'"):
        check_compatible(parse_candidate("mse"), "binary")
    with pytest.raises(ValueError, match="only on regression losses"):
        check_compatible(parse_candidate("sigmoid_ce:on=probability"), "binary")
    with pytest.raises(ValueError, match="only on a classification or segmentation task"):
        check_compatible(parse_candidate("mse:on=probability"), "regression")


def test_auto_weights():
    w = resolve_auto("auto", "binary", np.array([0.2]))
    assert float(w) == pytest.approx(4.0)
    cw = resolve_auto("auto", "multiclass", np.array([0.5, 0.25, 0.25]))
    assert cw.tolist() == pytest.approx([2 / 3, 4 / 3, 4 / 3])
    assert float((torch.tensor([0.5, 0.25, 0.25]) * cw).sum()) == pytest.approx(1.0)  # prior-weighted mean 1
    with pytest.raises(ValueError, match="positive fraction"):
        resolve_auto("auto", "binary", np.array([0.0]))


def test_mse_on_probability_is_brier():
    z = torch.randn(6, 1)
    y = (torch.rand(6, 1) > 0.5).float()
    loss = build_loss(parse_candidate("mse:on=probability"), "binary", 1, np.array([0.5]))
    assert float(loss(z, y)) == pytest.approx(float(((torch.sigmoid(z) - y) ** 2).mean()), rel=1e-6)
    zc = torch.randn(5, 3)
    yc = torch.tensor([0, 1, 2, 1, 0])
    lc = build_loss(parse_candidate("mse:on=probability"), "multiclass", 3, np.array([0.4, 0.4, 0.2]))
    onehot = torch.nn.functional.one_hot(yc, 3).float()
    assert float(lc(zc, yc)) == pytest.approx(float(((torch.softmax(zc, 1) - onehot) ** 2).mean()), rel=1e-6)


def test_weighted_composition_value():
    z = torch.randn(4, 1)
    y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
    prior = np.array([0.5])
    a = build_loss(parse_candidate("sigmoid_ce"), "binary", 1, prior)(z, y)
    b = build_loss(parse_candidate("sigmoid_focal:gamma=2"), "binary", 1, prior)(z, y)
    ab = build_loss(parse_candidate("0.5*sigmoid_ce+2*sigmoid_focal:gamma=2"), "binary", 1, prior)(z, y)
    assert float(ab) == pytest.approx(float(0.5 * a + 2 * b), rel=1e-6)


def test_pos_weight_auto_resolved_in_module():
    loss = build_loss(parse_candidate("sigmoid_ce:pos_weight=auto"), "binary", 1, np.array([0.1]))
    assert float(loss.losses[0].pos_weight) == pytest.approx(9.0)


def test_modules_as_candidates():
    from losslab.nn import SigmoidFocalLoss

    c = as_candidate(SigmoidFocalLoss(gamma=1.0))
    assert isinstance(c, Candidate) and c.name == "sigmoid_focal" and c.terms[0].module is not None
    named = as_candidate(("my focal", SigmoidFocalLoss()))
    assert named.name == "my focal"
    with pytest.raises(ValueError, match="a candidate string"):
        as_candidate(3)
