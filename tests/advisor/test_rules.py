"""advisor.rules: the table's integrity, one scenario per rule, the computed parameters and advice."""

from __future__ import annotations

import math
import string

import numpy as np
import pytest

from losslab import registry, weights
from losslab.advisor import rules
from losslab.advisor.profile import TASKS, profile
from losslab.advisor.rules import RULES, THRESHOLDS, Condition, Options, auto_beta, evaluate, recommend

from ._synth import SCENARIOS, blobs


@pytest.fixture(scope="module")
def profiles():
    return {s.name: profile(s.make(), task=s.kwargs.get("task")) for s in SCENARIOS}


# ---------------------------------------------------------------------------------- the table
def test_table_integrity():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for r in RULES:
        assert r.tasks and set(r.tasks) <= set(TASKS), r.id
        assert r.reference and r.says and r.when, r.id
        for c in r.when:
            assert c.op in (">", ">=", "<", "<=", "true", "false", "set"), r.id
            if c.op in (">", ">=", "<", "<="):
                assert c.threshold in THRESHOLDS, (r.id, c.threshold)
        fields = {f for _, f, _, _ in string.Formatter().parse(r.says) if f}
        assert fields <= {f"v{i}" for i in range(len(r.when))} | {"p"}, r.id


def test_thresholds_are_the_module_constants():
    for name, value in THRESHOLDS.items():
        if name != "ZERO":
            assert getattr(rules, name) == value
    assert rules.TVERSKY_BETA > rules.TVERSKY_ALPHA


def test_every_rule_has_a_scenario_that_fires_it(profiles):
    fired = {r.id for p in profiles.values() for r in evaluate(p)}
    assert fired == {r.id for r in RULES}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenario_fires_its_rules(scenario, profiles):
    fired = {r.id for r in evaluate(profiles[scenario.name])}
    assert set(scenario.fires) <= fired, set(scenario.fires) - fired
    assert not set(scenario.silent) & fired, set(scenario.silent) & fired


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenario_ranking_and_registry_params(scenario, profiles):
    cands, advice = recommend(profiles[scenario.name])
    if scenario.top is not None:
        assert cands[0].key == scenario.top
    task = profiles[scenario.name].task
    for c in cands:
        spec = registry.get(c.key)
        assert task in spec.tasks or task == "count_regression", (c.key, task)
        assert not c.dropped, (c.key, c.dropped)      # every proposed parameter exists in the registry
        assert set(c.params) <= {p.name for p in spec.params}
        assert c.reasons and all(r.reference for r in c.reasons)
    scores = [c.score for c in cands]
    assert scores == sorted(scores, reverse=True)
    assert len({(c.key, repr(c.params)) for c in cands}) == len(cands)
    for a in advice:
        assert a.topic and a.text and a.reason.rule in {r.id for r in RULES}


def test_rules_are_pure(profiles):
    p = profiles["seg_many_empty"]
    before = p.to_dict()
    first, second = recommend(p), recommend(p)
    assert p.to_dict() == before
    assert [(c.key, c.params, c.score) for c in first[0]] == [(c.key, c.params, c.score) for c in second[0]]


def test_condition_semantics():
    p = profile(np.array([0.5, 1.5, 2.5, 2.0]))
    assert not Condition("masks.empty_fraction", ">", "EMPTY_IMAGE_FRACTION").holds(p)   # None: never fires
    assert not Condition("regression.zero_inflation", ">", "ZERO_INFLATION_RATIO").holds(p)
    assert Condition("regression.count", ">", "ZERO").holds(p)
    assert Condition("regression.is_count", "false").holds(p) and not Condition("ignore_index", "set").holds(p)
    const = profile(np.full(5, 1.0), task="regression")
    assert not Condition("regression.excess_kurtosis", ">", "HEAVY_TAIL_EXCESS_KURTOSIS").holds(const)  # NaN


# ---------------------------------------------------------------------------------- computed values
def test_huber_delta_from_the_mad(profiles):
    p = profiles["regression_outliers"]
    cands, advice = recommend(p)
    huber = next(c for c in cands if c.key == "huber")
    assert math.isclose(huber.params["delta"], rules.HUBER_K * p.regression.robust_scale, rel_tol=1e-3)
    assert [c.key for c in cands][:3] == ["huber", "log_cosh", "mae"]
    assert any(a.topic == "scale" for a in advice)
    reason = next(r for r in huber.reasons if r.rule == "regression_outliers")
    assert reason.evidence[0][0] == "regression.outlier_fraction"
    assert reason.evidence[0][2] == f"> OUTLIER_FRACTION = {rules.OUTLIER_FRACTION:g}"


@pytest.mark.parametrize("weighting", ["damped", "inverse", "none"])
def test_binary_pos_weight_is_damped_by_default(weighting, profiles):
    p = profiles["binary_imbalanced"]
    neg_pos = p.classes.counts[0] / p.classes.counts[1]
    cands, advice = recommend(p, Options(weighting=weighting))
    top = cands[0]
    focal = next(c for c in cands if c.key == "sigmoid_focal")
    if weighting == "none":
        assert "pos_weight" not in top.params and focal.params["alpha"] is None
        assert not any(a.topic == "weights" for a in advice)
        return
    expected = math.sqrt(neg_pos) if weighting == "damped" else neg_pos
    assert math.isclose(top.params["pos_weight"][0], expected, rel_tol=1e-3)
    assert math.isclose(focal.params["alpha"], expected / (1 + expected), rel_tol=1e-3)
    assert focal.params["gamma"] == rules.FOCAL_GAMMA
    w = next(a for a in advice if a.topic == "weights")
    assert w.value["weighting"] == weighting and math.isclose(w.value["raw_ratio"][0], neg_pos, rel_tol=1e-3)


def test_multiclass_weights_span_about_the_square_root_of_the_imbalance(profiles):
    p = profiles["multiclass_imbalanced"]
    cands, advice = recommend(p)
    cw = np.array(cands[0].params["class_weight"])
    assert cands[0].key == "softmax_ce" and math.isclose(cw.mean(), 1.0, rel_tol=1e-3)
    ratio = cw.max() / cw.min()
    ir = p.classes.imbalance_ratio
    assert 0.5 * math.sqrt(ir) < ratio < 1.5 * math.sqrt(ir) < ir
    assert np.argmax(cw) == p.classes.values.index(p.classes.minority)
    beta = auto_beta(p.classes.counts)
    expect = weights.effective_number(p.classes.counts, beta=beta)
    assert np.allclose(cw, expect / expect.mean(), rtol=1e-3)
    focal = next(c for c in cands if c.key == "softmax_focal")
    assert focal.params["alpha"] == cands[0].params["class_weight"]
    inv = recommend(p, Options(weighting="inverse"))[0][0].params["class_weight"]
    raw = weights.inverse_frequency(p.classes.counts)
    assert np.allclose(inv, raw / raw.mean(), rtol=1e-3)
    fixed = recommend(p, Options(beta=0.5))[0][0].params["class_weight"]
    assert not np.allclose(fixed, cw)
    assert any(a.topic == "weights" and "effective-number" in a.text for a in advice)


def test_multilabel_asymmetric_and_per_label_pos_weight(profiles):
    p = profiles["multilabel_many_negatives"]
    cands, _ = recommend(p)
    asl = cands[0]
    assert asl.key == "asymmetric"
    assert asl.params == {"gamma_neg": rules.ASL_GAMMA_NEG, "gamma_pos": rules.ASL_GAMMA_POS,
                          "clip": rules.ASL_CLIP}
    ce = next(c for c in cands if c.key == "sigmoid_ce" and "pos_weight" in c.params)
    pos = np.array(p.multilabel.positives)
    assert np.allclose(ce.params["pos_weight"], np.sqrt((p.num_samples - pos) / pos), rtol=1e-3)


def test_bias_initialisation_advice(profiles):
    p = profiles["binary_imbalanced"]
    _, advice = recommend(p)
    bias = next(a for a in advice if a.topic == "bias_init")
    q = p.positive_fraction
    assert math.isclose(bias.value, math.log(q / (1 - q)), rel_tol=1e-3)
    _, advice = recommend(profiles["multiclass_imbalanced"])
    b = next(a for a in advice if a.topic == "bias_init").value
    assert len(b) == 3 and np.argmax(b) == 0  # "cat", the majority
    _, advice = recommend(profiles["multilabel_many_negatives"])
    assert len(next(a for a in advice if a.topic == "bias_init").value) == 12


def test_threshold_advice_only_when_imbalanced(profiles):
    assert any(a.topic == "threshold" for a in recommend(profiles["binary_imbalanced"])[1])
    assert not any(a.topic == "threshold" for a in recommend(profiles["binary_balanced"])[1])


def test_many_empty_masks_rule_out_pure_overlap_losses(profiles):
    for name in ("seg_many_empty", "seg_tiny_and_empty"):
        cands, advice = recommend(profiles[name])
        for c in cands:
            assert registry.get(c.key).family != "overlap", c.key
            if any(p.name == "aggregate" for p in registry.get(c.key).params):
                assert c.params["aggregate"] == "batch"
                assert any(r.rule == "many_empty_masks" for r in c.reasons), c.key
        agg = next(a for a in advice if a.topic == "dice_aggregation")
        assert agg.value == "batch" and "per-image Dice" in agg.text
    # without many empty masks a pure overlap loss may be an alternative
    cands, _ = recommend(profiles["seg_small_foreground"])
    assert any(registry.get(c.key).family == "overlap" for c in cands)


def test_tiny_objects_give_tversky_with_beta_above_alpha(profiles):
    cands, _ = recommend(profiles["seg_tiny_objects"])
    top = cands[0]
    assert "tversky" in top.key
    spec_names = {p.name for p in registry.get(top.key).params}
    assert {"alpha", "beta"} <= spec_names
    assert top.params["beta"] > top.params["alpha"]
    focal = [c for c in cands if "focal_tversky" in c.key]
    assert focal and focal[0].params["beta"] > focal[0].params["alpha"]


def test_ignore_index_is_passed_where_the_loss_takes_it(profiles):
    cands, _ = recommend(profiles["seg_multiclass_voc"])
    for c in cands:
        if any(p.name == "ignore_index" for p in registry.get(c.key).params):
            assert c.params["ignore_index"] == 255, c.key


def test_multiclass_segmentation_weights_and_contiguity(profiles):
    p = profiles["seg_multiclass_noncontiguous"]
    assert p.classes.values == [0, 2, 7]
    cands, advice = recommend(p)
    labels = next(a for a in advice if a.topic == "labels")
    assert labels.value == {"0": 0, "2": 1, "7": 2}
    weighted = next(c for c in cands if "class_weight" in c.params)
    assert len(weighted.params["class_weight"]) == 3


def test_options_are_validated():
    with pytest.raises(ValueError, match="`weighting` one of"):
        Options(weighting="raw")
    with pytest.raises(ValueError, match="`beta` in"):
        Options(beta=1.0)


def test_segmentation_masks_with_few_images_still_recommend():
    cands, _ = recommend(profile(blobs(2, (16, 16), seed=1)))
    assert cands and registry.get(cands[0].key)


def test_docs_page_lists_every_rule_and_threshold():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "advisor.md").read_text()
    for r in RULES:
        assert f"`{r.id}`" in page, r.id
    for name in THRESHOLDS:
        if name != "ZERO":
            assert f"`{name}`" in page, name


@pytest.mark.parametrize("weighting", ["damped", "inverse"])
def test_label_positive_in_every_row_keeps_pos_weight_1(weighting):
    y = np.zeros((400, 3), np.uint8)
    y[:, 0] = 1             # positive everywhere: the formula's weight 0 would switch its loss off
    y[:20, 1] = 1
    y[:100, 2] = 1
    pw = rules.pos_weight_for(profile(y), Options(weighting=weighting))
    raw = [380 / 20, 300 / 100]
    assert pw[0] == 1.0 and pw[1:] == pytest.approx([math.sqrt(r) for r in raw] if weighting == "damped" else raw,
                                                     rel=1e-3)


def test_zero_inflation_needs_a_minimum_zero_fraction():
    rng = np.random.default_rng(3)
    ages = rng.integers(1, 91, 2000)
    ages[:28] = 0           # 1.4 % zeros: many more than a Poisson(46) has, but too few to model apart
    fired = {r.id for r in evaluate(profile(ages))}
    assert "count_poisson" in fired and "count_zero_inflated" not in fired
    ages[:200] = 0          # 10 %
    assert "count_zero_inflated" in {r.id for r in evaluate(profile(ages))}
    assert rules.ZERO_INFLATION_MIN_FRACTION == THRESHOLDS["ZERO_INFLATION_MIN_FRACTION"] == 0.05
