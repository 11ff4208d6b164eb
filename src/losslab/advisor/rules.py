"""The advisor's rules: a table of pure functions from a :class:`Profile` to ranked losses and advice.

Each :class:`Rule` names the task(s) it applies to, the condition(s) on profile statistics that fire it
(each compared with a **named constant** of this module), what it proposes and a reference. A fired
rule attaches a :class:`Reason` to everything it proposes: the rule, the statistic and its value, the
test against the threshold, one sentence, the reference.

Proposals carry a score (1 = baseline, 2–2.6 = alternatives a rule offers, 3 = a rule's first choice,
3.2 = many empty images, 4 = tiny objects); the same loss with the same parameters proposed by several
rules keeps the highest score and every reason. A rule can also *forbid* pure overlap losses (many
empty images) and *override* a parameter where the loss has it (Dice aggregation, ``ignore_index``).
The candidates are ranked by score (table order breaks ties); the first is the recommendation.

Class weights are damped, never the raw ratio by default (``weighting="damped"``):

* ``pos_weight = √(negatives / positives)`` (:func:`losslab.weights.pos_weight`, ``damping="sqrt"``);
  the raw ratio moves the loss-minimising logit by the full prior log-odds and over-corrects into
  false alarms.
* ``class_weight`` = effective-number weights (Cui et al., 2019) with ``β = 1 − 1/√(n_min · n_max)``, so
  that the largest / smallest weight is about ``√(n_max / n_min)``, the same damping as ``pos_weight``.

``weighting="inverse"`` gives the raw ratio / inverse frequency, ``"none"`` no weights; ``beta=`` sets β.
The thresholds are documented (with sources) in ``docs/advisor.md``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import registry, weights
from .profile import TINY_OBJECT_AREA_FRACTION as _TINY_AREA
from .profile import Profile

__all__ = ["Rule", "Condition", "Reason", "Candidate", "Advice", "Options", "RULES", "THRESHOLDS",
           "recommend", "evaluate", "WEIGHTINGS"]

# ============================================================================ thresholds (named constants)
#: Largest / smallest class count at or below which classes count as balanced.
BALANCED_IMBALANCE_RATIO = 3.0
#: Positive (foreground) fraction below which the output bias is initialised to the prior.
RARE_POSITIVE_FRACTION = 0.1
#: Negatives per positive (multi-label, all entries) above which asymmetric loss is proposed.
MULTILABEL_NEGATIVE_RATIO = 10.0
#: Foreground fraction of all pixels below which Dice + CE is proposed.
SMALL_FOREGROUND_FRACTION = 0.1
#: Fraction of masks without foreground above which pure overlap losses are ruled out.
EMPTY_IMAGE_FRACTION = 0.2
#: Object area / image area below which an object is tiny: COCO "small" (< 32² px) in a 640×480 image
#: (the profile counts them; defined in ``losslab.advisor.profile``).
TINY_OBJECT_AREA_FRACTION = _TINY_AREA
#: Share of objects smaller than TINY_OBJECT_AREA_FRACTION of the image above which Tversky is proposed.
TINY_OBJECT_SHARE = 0.5
#: Fraction of MAD outliers (modified z-score > 3.5) above which a robust loss is proposed.
OUTLIER_FRACTION = 0.01
#: Excess kurtosis above which the targets count as heavy-tailed (Laplace: 3, normal: 0).
HEAVY_TAIL_EXCESS_KURTOSIS = 3.0
#: |skew| above which a log transform is suggested (Bulmer: > 1 is "highly skewed").
SKEW_THRESHOLD = 1.0
#: Variance / mean of counts above which they count as over-dispersed (Poisson: 1).
OVERDISPERSION_RATIO = 2.0
#: Observed zeros / Poisson-expected zeros above which counts count as zero-inflated.
ZERO_INFLATION_RATIO = 1.5
#: ... provided at least this fraction of the counts are zeros (a few zeros are no case for a hurdle model).
ZERO_INFLATION_MIN_FRACTION = 0.05
#: Huber's tuning constant: delta = HUBER_K · robust σ gives 95 % efficiency on normal data.
HUBER_K = 1.345
#: Focusing parameter of focal loss (Lin et al. 2017).
FOCAL_GAMMA = 2.0
#: Asymmetric loss: focusing parameter of the negatives (Ridnik et al. 2021).
ASL_GAMMA_NEG = 4.0
#: Asymmetric loss: focusing parameter of the positives (Ridnik et al. 2021).
ASL_GAMMA_POS = 0.0
#: Asymmetric loss: probability margin that shifts easy negatives to zero loss (Ridnik et al. 2021).
ASL_CLIP = 0.05
#: Tversky weight of the false positives (Salehi et al. 2017).
TVERSKY_ALPHA = 0.3
#: Tversky weight of the false negatives; beta > alpha favours recall of small structures.
TVERSKY_BETA = 0.7
#: Focal Tversky exponent: loss (1 − TI)^0.75, i.e. Abraham & Khan's 1/γ with γ = 4/3 (2019).
FOCAL_TVERSKY_EXPONENT = 0.75

THRESHOLDS = {name: value for name, value in globals().items()
              if name.isupper() and isinstance(value, float) and not name.startswith("_")}
WEIGHTINGS = ("damped", "inverse", "none")

_OPS: dict[str, Callable[[Any, Any], bool]] = {">": operator.gt, ">=": operator.ge, "<": operator.lt,
                                               "<=": operator.le}


# ============================================================================ data structures
@dataclass(frozen=True)
class Condition:
    """``profile.stat(statistic) <op> THRESHOLDS[threshold]``; op ``"true"``/``"set"`` need no threshold."""

    statistic: str
    op: str
    threshold: str | None = None

    def value(self, profile: Profile) -> Any:
        return profile.stat(self.statistic)

    def holds(self, profile: Profile) -> bool:
        v = self.value(profile)
        if self.op == "true":
            return bool(v)
        if self.op == "false":
            return v is not None and not bool(v)
        if self.op == "set":
            return v is not None
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return False
        return _OPS[self.op](v, THRESHOLDS[self.threshold])

    def describe(self) -> str:
        if self.op in ("true", "false", "set"):
            return {"true": "is true", "false": "is false", "set": "is set"}[self.op]
        return f"{self.op} {self.threshold} = {THRESHOLDS[self.threshold]:g}"


@dataclass(frozen=True)
class Reason:
    """Why a rule fired: the statistics, their values, the tests, one sentence and a reference."""

    rule: str
    text: str
    evidence: tuple[tuple[str, Any, str], ...]  # (statistic, value, test)
    reference: str

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "text": self.text,
                "evidence": [{"statistic": s, "value": _clean(v), "test": t} for s, v, t in self.evidence],
                "reference": self.reference}


@dataclass
class Candidate:
    """A configured loss with its score and the reasons of every rule that proposed it."""

    key: str
    params: dict[str, Any]
    score: float
    reasons: list[Reason] = field(default_factory=list)
    dropped: dict[str, Any] = field(default_factory=dict)  # proposed params the registry entry lacks


@dataclass
class Advice:
    """Advice beyond the loss: bias initialisation, decision threshold, Dice aggregation, weights, data."""

    topic: str
    text: str
    value: Any
    reason: Reason

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "text": self.text, "value": _clean(self.value), "rule": self.reason.rule,
                "reference": self.reason.reference}


@dataclass(frozen=True)
class Options:
    """User choices: ``weighting`` ("damped" | "inverse" | "none") and the effective-number ``beta``."""

    weighting: str = "damped"
    beta: float | None = None

    def __post_init__(self) -> None:
        if self.weighting not in WEIGHTINGS:
            raise ValueError(f"advise: expected `weighting` one of {WEIGHTINGS}, got {self.weighting!r}")
        if self.beta is not None and (isinstance(self.beta, bool) or not isinstance(self.beta, (int, float))
                                      or not 0 <= self.beta < 1):
            raise ValueError(f"advise: expected `beta` in [0, 1), got {self.beta!r}")


@dataclass
class Effect:
    """What a fired rule does."""

    candidates: list[tuple[float, str, dict[str, Any]]] = field(default_factory=list)
    advice: list[tuple[str, str, Any]] = field(default_factory=list)
    forbid: tuple[str, ...] = ()            # families ruled out
    overrides: dict[str, Any] = field(default_factory=dict)  # params set wherever the loss has them


@dataclass(frozen=True)
class Rule:
    """One row of the table."""

    id: str
    tasks: tuple[str, ...]
    when: tuple[Condition, ...]
    then: Callable[[Profile, Options], Effect]
    says: str          # formatted with v0, v1, ... (the statistics) and the profile as p
    reference: str

    def fires(self, profile: Profile) -> bool:
        return profile.task in self.tasks and all(c.holds(profile) for c in self.when)

    def reason(self, profile: Profile) -> Reason:
        values = [c.value(profile) for c in self.when]
        fmt = {f"v{i}": (v if v is not None else math.nan) for i, v in enumerate(values)}
        evidence = tuple((c.statistic, _clean(v), c.describe()) for c, v in zip(self.when, values))
        return Reason(self.id, self.says.format(p=profile, **fmt), evidence, self.reference)


# ============================================================================ helpers
def _clean(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return None if not math.isfinite(v) else v
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    return v


def _sig(x: float, digits: int = 4) -> float:
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - int(math.floor(math.log10(abs(x)))))


def _prefix(p: Profile) -> str:
    return "sigmoid" if p.task in ("binary", "multilabel", "binary_segmentation") else "softmax"


def _binary_counts(p: Profile) -> tuple[np.ndarray, np.ndarray]:
    """(positives, negatives), per label for multi-label, as arrays."""
    if p.multilabel is not None:
        pos = np.asarray(p.multilabel.positives, dtype=np.float64)
        return pos, p.num_samples - pos
    cs = p.classes
    pos = cs.counts[cs.values.index(cs.positive)]
    return np.asarray([pos], np.float64), np.asarray([sum(cs.counts) - pos], np.float64)


def pos_weight_for(p: Profile, o: Options) -> list[float] | None:
    """Damped (default) positive weight(s): one per label for multi-label, else ``[w]``. A label positive in
    every row gets 1, not the formula's 0, which would switch its loss off."""
    if o.weighting == "none":
        return None
    pos, neg = _binary_counts(p)
    w = weights.pos_weight(pos, neg, damping="sqrt" if o.weighting == "damped" else "none")
    return [_sig(x) for x in np.where(neg == 0, 1.0, w)]


def auto_beta(counts: list[int]) -> float:
    """β = 1 − 1/√(n_min · n_max): effective-number weights then span about √(n_max / n_min)."""
    present = [c for c in counts if c > 0]
    g = math.sqrt(min(present) * max(present))
    return 1.0 - 1.0 / g if g > 1 else 0.0


def class_weight_for(p: Profile, o: Options) -> list[float] | None:
    """Damped (default) class weights, shape (C,), mean 1."""
    if o.weighting == "none":
        return None
    counts = p.classes.counts
    if o.weighting == "inverse":
        w = weights.inverse_frequency(counts)
    else:
        w = weights.effective_number(counts, beta=o.beta if o.beta is not None else auto_beta(counts))
    return [_sig(x) for x in np.asarray(w) * len(counts) / float(np.sum(w))]


def focal_alpha_for(p: Profile, o: Options) -> float | None:
    """Binary focal α = w / (1 + w) from the damped positive weight ``w`` (None without weighting)."""
    w = pos_weight_for(p, o)
    if w is None:
        return None
    return _sig(w[0] / (1.0 + w[0]))


def _weights_advice(p: Profile, o: Options, what: str) -> tuple[str, str, Any]:
    if what == "pos_weight":
        pos, neg = _binary_counts(p)
        raw = [_sig(x) for x in np.atleast_1d(weights.pos_weight(pos, neg, damping="none"))]
        used = pos_weight_for(p, o)
        if o.weighting == "damped":
            text = (f"pos_weight = √(negatives/positives) = {_short(used)} rather than the raw ratio "
                    f"{_short(raw)}: the raw ratio shifts the decision by the full prior log-odds and "
                    f"over-corrects into false alarms; pass weighting='inverse' for the raw ratio or "
                    f"'none' for no weight")
        else:
            text = f"pos_weight from weighting={o.weighting!r}: {_short(used)} (raw ratio {_short(raw)})"
        return "weights", text, {"pos_weight": used, "raw_ratio": raw, "weighting": o.weighting}
    used = class_weight_for(p, o)
    raw = [_sig(x) for x in weights.inverse_frequency(p.classes.counts)]
    beta = o.beta if o.beta is not None else auto_beta(p.classes.counts)
    if o.weighting == "damped":
        text = (f"class weights = effective-number weights with β = {beta:.6g} (largest/smallest ≈ "
                f"√ imbalance ratio): {_short(used)}, rather than inverse frequency {_short(raw)}, which "
                f"over-corrects towards rare classes; pass weighting='inverse' or 'none', or beta=")
    else:
        text = f"class weights from weighting={o.weighting!r}: {_short(used)}"
    return "weights", text, {"class_weight": used, "inverse_frequency": raw, "beta": beta if
                             o.weighting == "damped" else None, "weighting": o.weighting}


def _short(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, list):
        if len(v) == 1:
            return f"{v[0]:g}"
        body = ", ".join(f"{x:g}" for x in v[:6])
        return f"[{body}{', …' if len(v) > 6 else ''}]"
    return f"{v:g}"


def _logit(q: float) -> float:
    return math.log(q / (1 - q))


# ============================================================================ effects
def _regression_base(p: Profile, o: Options) -> Effect:
    return Effect([(1.0, "mse", {})])


def _robust(p: Profile, o: Options) -> Effect:
    r = p.regression
    delta = _sig(HUBER_K * r.robust_scale) if r.robust_scale > 0 else 1.0
    return Effect([(3.0, "huber", {"delta": delta}), (2.5, "log_cosh", {}), (1.5, "mae", {})],
                  advice=[("scale", f"Huber delta = {HUBER_K} · 1.4826 · MAD = {delta:g} in target units; the "
                           f"residuals of a fitted model are narrower than the targets, so refit delta from "
                           f"their MAD after a first run. log-cosh turns linear at |residual| ≈ 1: "
                           f"standardise the targets (robust σ = {r.robust_scale:.4g}) before using it", delta)])


def _skew(p: Profile, o: Options) -> Effect:
    r = p.regression
    how = "log1p(y)" if r.min >= 0 else "a Yeo-Johnson transform of y"
    return Effect(advice=[("transform", f"targets are skewed (skew {r.skew:.3g}): consider fitting {how} "
                           f"and inverting the predictions; the loss then weighs relative errors", how)])


def _count_base(p: Profile, o: Options) -> Effect:
    return Effect([(1.0, "mse", {})])


def _poisson(p: Profile, o: Options) -> Effect:
    return Effect([(3.0, "poisson_nll", {})],
                  advice=[("output", "poisson_nll takes a log-rate: the model's raw output s, predicted count "
                           f"exp(s); initialise the output bias to log(mean) = {math.log(max(p.regression.mean, 1e-12)):.4g}",
                           _sig(math.log(max(p.regression.mean, 1e-12))))])


def _overdispersed(p: Profile, o: Options) -> Effect:
    return Effect(advice=[("distribution", f"variance/mean = {p.regression.dispersion:.3g}: Poisson still "
                           f"estimates the mean consistently but understates the spread; a negative-binomial "
                           f"head models it", p.regression.dispersion)])


def _zero_inflated(p: Profile, o: Options) -> Effect:
    r = p.regression
    return Effect(advice=[("distribution", f"{r.zero_fraction:.1%} zeros where a Poisson with mean "
                           f"{r.mean:.3g} has {r.poisson_zero_fraction:.1%}: consider a hurdle or zero-inflated "
                           f"model (a classifier for zero vs positive, then the count)", r.zero_inflation)])


def _ce_key(p: Profile) -> str:
    return f"{_prefix(p)}_ce"


def _classification_base(p: Profile, o: Options) -> Effect:
    return Effect([(1.0, _ce_key(p), {})])


def _balanced(p: Profile, o: Options) -> Effect:
    return Effect([(3.0, _ce_key(p), {})])


def _binary_imbalance(p: Profile, o: Options) -> Effect:
    pw = pos_weight_for(p, o)
    eff = Effect([(3.0, "sigmoid_ce", {"pos_weight": pw} if pw is not None else {}),
                  (2.5, "sigmoid_focal", {"gamma": FOCAL_GAMMA, "alpha": focal_alpha_for(p, o)})])
    if pw is not None:
        eff.advice.append(_weights_advice(p, o, "pos_weight"))
    return eff


def _multiclass_imbalance(p: Profile, o: Options) -> Effect:
    cw = class_weight_for(p, o)
    eff = Effect([(3.0, "softmax_ce", {"class_weight": cw} if cw is not None else {}),
                  (2.5, "softmax_focal", {"gamma": FOCAL_GAMMA, "alpha": cw})])
    if cw is not None:
        eff.advice.append(_weights_advice(p, o, "class_weight"))
    return eff


def _bias_binary(p: Profile, o: Options) -> Effect:
    if p.multilabel is not None:
        n = p.num_samples
        pri = [(c + 1) / (n + 2) for c in p.multilabel.positives]
        b = [_sig(_logit(q)) for q in pri]
        text = (f"initialise each output's bias to the log-odds of its label prior, b_k = log(π_k/(1−π_k)) "
                f"(π over labels: {_short([_sig(q) for q in pri])}), so the first steps are not spent "
                f"learning the prior and rare positives are not swamped")
        return Effect(advice=[("bias_init", text, b)])
    q = p.positive_fraction
    b = _sig(_logit(min(max(q, 1e-7), 1 - 1e-7)))
    return Effect(advice=[("bias_init", f"initialise the output bias to the prior log-odds b = log(π/(1−π)) = "
                           f"{b:g} (π = {q:.4g}), so training starts at the prior instead of p = 0.5 on every "
                           f"{'pixel' if p.masks is not None else 'sample'}", b)])


def _bias_multiclass(p: Profile, o: Options) -> Effect:
    cs = p.classes
    total = sum(cs.counts) + len(cs.counts)
    b = [_sig(math.log((c + 1) / total)) for c in cs.counts]
    return Effect(advice=[("bias_init", f"initialise the output biases to the log class priors b_c = log π_c "
                           f"({_short(b)}), so training starts at the prior", b)])


def _threshold(p: Profile, o: Options) -> Effect:
    unit = "pixels" if p.masks is not None else "samples"
    return Effect(advice=[("threshold", f"pick the decision threshold on validation data (maximise F1, Dice or "
                           f"the target metric) instead of 0.5: with {p.positive_fraction:.3g} positive "
                           f"{unit}, and with any class weighting, 0.5 is not the best cut", "validation")])


def _multiclass_decision(p: Profile, o: Options) -> Effect:
    return Effect(advice=[("threshold", "class weights and focal terms move the argmax towards rare classes: "
                           "check per-class recall on validation and tune the trade-off there, e.g. post-hoc "
                           "logit adjustment (subtract τ · log prior from the logits, τ chosen on validation)",
                           "validation")])


def _not_indices(p: Profile, o: Options) -> Effect:
    cs = p.classes
    if p.task == "binary":
        text = (f"labels are {cs.values[:2]}: encode {cs.positive!r} as 1 and the other as 0 for "
                f"sigmoid losses")
        value = {str(v): int(v == cs.positive) for v in cs.values}
    else:
        text = (f"class values {_short_list(cs.values)} are not 0..C−1: map them to indices in this order "
                f"(the class weights and biases follow it)")
        value = {str(v): i for i, v in enumerate(cs.values)}
    return Effect(advice=[("labels", text, value)])


def _short_list(v: list[Any]) -> str:
    return "[" + ", ".join(repr(x) for x in v[:8]) + (", …]" if len(v) > 8 else "]")


def _multilabel_negatives(p: Profile, o: Options) -> Effect:
    pw = pos_weight_for(p, o)
    eff = Effect([(3.0, "asymmetric", {"gamma_neg": ASL_GAMMA_NEG, "gamma_pos": ASL_GAMMA_POS, "clip": ASL_CLIP}),
                  (2.5, "sigmoid_ce", {"pos_weight": pw} if pw is not None else {}),
                  (2.0, "sigmoid_focal", {"gamma": FOCAL_GAMMA, "alpha": None})])
    if pw is not None:
        eff.advice.append(_weights_advice(p, o, "pos_weight"))
    return eff


def _multilabel_label_imbalance(p: Profile, o: Options) -> Effect:
    pw = pos_weight_for(p, o)
    if pw is None:
        return Effect()
    return Effect([(2.6, "sigmoid_ce", {"pos_weight": pw})], advice=[_weights_advice(p, o, "pos_weight")])


def _seg_base(p: Profile, o: Options) -> Effect:
    return Effect([(1.0, _ce_key(p), {})])


def _seg_large_foreground(p: Profile, o: Options) -> Effect:
    return Effect([(3.0, _ce_key(p), {}), (2.0, f"{_prefix(p)}_dice_ce", {})])


def _seg_imbalance(p: Profile, o: Options) -> Effect:
    if p.task == "binary_segmentation":
        pw = pos_weight_for(p, o)
        if pw is None:
            return Effect()
        return Effect([(1.5, "sigmoid_ce", {"pos_weight": pw})], advice=[_weights_advice(p, o, "pos_weight")])
    cw = class_weight_for(p, o)
    if cw is None:
        return Effect()
    return Effect([(1.5, "softmax_ce", {"class_weight": cw})], advice=[_weights_advice(p, o, "class_weight")])


def _small_foreground(p: Profile, o: Options) -> Effect:
    s = _prefix(p)
    lov = "lovasz_hinge" if s == "sigmoid" else "lovasz_softmax"
    return Effect([(3.0, f"{s}_dice_ce", {}), (2.5, f"{s}_dice_focal", {}), (2.0, f"{s}_dice", {}),
                   (1.2, lov, {})])


def _many_empty(p: Profile, o: Options) -> Effect:
    s = _prefix(p)
    return Effect([(3.2, f"{s}_dice_ce", {})], forbid=("overlap",), overrides={"aggregate": "batch"},
                  advice=[("dice_aggregation", f"{p.masks.empty_fraction:.0%} of the masks are empty: aggregate "
                           f"Dice over the batch (aggregate='batch'), not per image, and report Dice over the "
                           f"dataset or empty images separately; per-image Dice cannot reward predicting "
                           f"nothing on an empty image, and a pure overlap loss gives such images no signal",
                           "batch")])


def _tiny_objects(p: Profile, o: Options) -> Effect:
    s = _prefix(p)
    tv = {"alpha": TVERSKY_ALPHA, "beta": TVERSKY_BETA}
    return Effect([(4.0, f"{s}_tversky_ce", dict(tv)),
                   (3.5, f"{s}_focal_tversky", {**tv, "gamma": FOCAL_TVERSKY_EXPONENT}),
                   (2.2, f"{s}_tversky", dict(tv))])


def _ignore(p: Profile, o: Options) -> Effect:
    return Effect(overrides={"ignore_index": p.ignore_index},
                  advice=[("labels", f"value {p.ignore_index!r} is left out of the statistics and passed as "
                           f"ignore_index where the loss takes it; for a loss without ignore_index, pass a "
                           f"per-pixel weight that is 0 where the target is {p.ignore_index!r} (and set those "
                           f"targets to 0)", p.ignore_index)])


# ============================================================================ the table
_CLS = ("binary", "multiclass", "multilabel")
_SEG = ("binary_segmentation", "multiclass_segmentation")
_SIGMOID = ("binary", "multilabel", "binary_segmentation")
_MC = ("multiclass", "multiclass_segmentation")

ALWAYS = Condition("num_samples", ">", "ZERO")
THRESHOLDS["ZERO"] = 0.0

RULES: tuple[Rule, ...] = (
    # ---------------------------------------------------------------- regression
    Rule("regression_baseline", ("regression",), (ALWAYS,), _regression_base,
         "squared error is the maximum-likelihood loss under Gaussian noise: the default for real targets",
         "Gauss, Theoria motus corporum coelestium, 1809"),
    Rule("regression_outliers", ("regression",), (Condition("regression.outlier_fraction", ">", "OUTLIER_FRACTION"),),
         _robust, "{v0:.2%} of the targets lie beyond 3.5 robust standard deviations of the median: squared "
         "error would let them dominate; Huber is quadratic near 0 and linear beyond delta",
         "Huber, Robust Estimation of a Location Parameter, 1964; Iglewicz & Hoaglin, How to Detect and Handle "
         "Outliers, 1993"),
    Rule("regression_heavy_tails", ("regression",),
         (Condition("regression.excess_kurtosis", ">", "HEAVY_TAIL_EXCESS_KURTOSIS"),), _robust,
         "excess kurtosis {v0:.3g} (heavier tails than a Laplace distribution): a loss that grows linearly "
         "in the tails is more robust", "Huber & Ronchetti, Robust Statistics, 2009"),
    Rule("regression_skew", ("regression", "count_regression"), (Condition("regression.abs_skew", ">", "SKEW_THRESHOLD"),),
         _skew, "|skew| = {v0:.3g}: the targets are highly skewed",
         "Bulmer, Principles of Statistics, 1979; Box & Cox, An Analysis of Transformations, 1964"),
    # ---------------------------------------------------------------- counts
    Rule("count_baseline", ("count_regression",), (ALWAYS,), _count_base,
         "squared error on counts: a baseline that ignores that the variance of counts grows with the mean",
         "Gauss, Theoria motus corporum coelestium, 1809"),
    Rule("count_poisson", ("count_regression",), (Condition("regression.is_count", "true"),), _poisson,
         "non-negative integer targets: the Poisson log-likelihood models counts whose variance grows with "
         "the mean", "McCullagh & Nelder, Generalized Linear Models, 1989"),
    Rule("count_overdispersed", ("count_regression",),
         (Condition("regression.dispersion", ">", "OVERDISPERSION_RATIO"),), _overdispersed,
         "variance / mean = {v0:.3g} (Poisson: 1): the counts are over-dispersed",
         "Cameron & Trivedi, Regression Analysis of Count Data, 2013"),
    Rule("count_zero_inflated", ("count_regression",),
         (Condition("regression.zero_inflation", ">", "ZERO_INFLATION_RATIO"),
          Condition("regression.zero_fraction", ">=", "ZERO_INFLATION_MIN_FRACTION")), _zero_inflated,
         "{v0:.3g}× the zeros a Poisson with this mean would give", "Lambert, Zero-Inflated Poisson Regression, "
         "1992"),
    # ---------------------------------------------------------------- classification
    Rule("classification_baseline", _CLS, (ALWAYS,), _classification_base,
         "cross-entropy is a strictly proper scoring rule for class probabilities: the default",
         "Gneiting & Raftery, Strictly Proper Scoring Rules, Prediction, and Estimation, 2007"),
    Rule("classification_balanced", ("binary", "multiclass"),
         (Condition("imbalance_ratio", "<=", "BALANCED_IMBALANCE_RATIO"),),
         _balanced, "imbalance ratio {v0:.3g}: the classes are balanced, plain cross-entropy needs no weights",
         "Buda, Maki & Mazurowski, A systematic study of the class imbalance problem in CNNs, 2018"),
    Rule("multilabel_balanced", ("multilabel",),
         (Condition("multilabel.negative_positive_ratio", "<=", "BALANCED_IMBALANCE_RATIO"),
          Condition("multilabel.label_imbalance_ratio", "<=", "BALANCED_IMBALANCE_RATIO")),
         _balanced, "{v0:.3g} negatives per positive and a label imbalance ratio of {v1:.3g}: balanced enough "
                    "for plain binary cross-entropy per label",
         "Buda, Maki & Mazurowski, A systematic study of the class imbalance problem in CNNs, 2018"),
    Rule("binary_imbalance", ("binary",), (Condition("imbalance_ratio", ">", "BALANCED_IMBALANCE_RATIO"),),
         _binary_imbalance, "imbalance ratio {v0:.3g}: weight the positive class (damped) or use focal loss "
                            "with α from the same damped weight",
         "Cui et al., Class-Balanced Loss Based on Effective Number of Samples, 2019; Lin et al., Focal Loss "
         "for Dense Object Detection, 2017"),
    Rule("multiclass_imbalance", ("multiclass",), (Condition("imbalance_ratio", ">", "BALANCED_IMBALANCE_RATIO"),),
         _multiclass_imbalance, "imbalance ratio {v0:.3g}: class-weighted cross-entropy with effective-number "
                                "weights, or focal loss with the same weights as α",
         "Cui et al., Class-Balanced Loss Based on Effective Number of Samples, 2019; Lin et al., Focal Loss "
         "for Dense Object Detection, 2017"),
    Rule("multilabel_many_negatives", ("multilabel",),
         (Condition("multilabel.negative_positive_ratio", ">", "MULTILABEL_NEGATIVE_RATIO"),), _multilabel_negatives,
         "{v0:.3g} negatives per positive label: asymmetric loss down-weights and shifts the easy negatives "
         "while keeping the positive gradient", "Ridnik et al., Asymmetric Loss For Multi-Label "
                                                "Classification, 2021"),
    Rule("multilabel_label_imbalance", ("multilabel",),
         (Condition("multilabel.label_imbalance_ratio", ">", "BALANCED_IMBALANCE_RATIO"),),
         _multilabel_label_imbalance, "the most frequent label has {v0:.3g}× the positives of the rarest: "
                                      "per-label damped pos_weight",
         "Cui et al., Class-Balanced Loss Based on Effective Number of Samples, 2019"),
    Rule("labels_not_indices", ("binary", "multiclass", "multiclass_segmentation"),
         (Condition("classes.contiguous", "false"),), _not_indices,
         "the labels are not the class indices 0..C−1 the losses take",
         "PyTorch documentation, torch.nn.CrossEntropyLoss (target: class indices in [0, C))"),
    # ---------------------------------------------------------------- segmentation
    Rule("segmentation_baseline", _SEG, (ALWAYS,), _seg_base,
         "pixel-wise cross-entropy: every pixel counts, empty masks included",
         "Long, Shelhamer & Darrell, Fully Convolutional Networks for Semantic Segmentation, 2015"),
    Rule("segmentation_large_foreground", _SEG,
         (Condition("masks.foreground_fraction", ">=", "SMALL_FOREGROUND_FRACTION"),), _seg_large_foreground,
         "foreground is {v0:.2%} of the pixels: pixel-wise cross-entropy is not swamped by background; "
         "Dice + CE (the nnU-Net default) is a close alternative",
         "Isensee et al., nnU-Net: a self-configuring method for deep learning-based biomedical image "
         "segmentation, 2021"),
    Rule("segmentation_class_imbalance", _SEG, (Condition("imbalance_ratio", ">", "BALANCED_IMBALANCE_RATIO"),),
         _seg_imbalance, "pixel imbalance ratio {v0:.3g}: a damped class weight for the pixel-wise term",
         "Cui et al., Class-Balanced Loss Based on Effective Number of Samples, 2019"),
    Rule("small_foreground", _SEG, (Condition("masks.foreground_fraction", "<", "SMALL_FOREGROUND_FRACTION"),),
         _small_foreground, "foreground is only {v0:.2%} of the pixels: Dice measures overlap independently of "
         "the background size, the cross-entropy term keeps gradients smooth and every pixel informative",
         "Milletari, Navab & Ahmadi, V-Net, 2016; Isensee et al., nnU-Net, 2021; Berman et al., The Lovász-"
         "Softmax loss, 2018"),
    Rule("many_empty_masks", _SEG, (Condition("masks.empty_fraction", ">", "EMPTY_IMAGE_FRACTION"),), _many_empty,
         "{v0:.1%} of the masks have no foreground: keep a pixel-wise term so empty images stay informative, "
         "never a pure overlap loss, and aggregate Dice over the batch",
         "Isensee et al., nnU-Net, 2021 (batch Dice); Maier-Hein et al., Metrics reloaded: recommendations for "
         "image analysis validation, 2024"),
    Rule("tiny_objects", _SEG, (Condition("masks.objects.tiny_share", ">", "TINY_OBJECT_SHARE"),), _tiny_objects,
         "{v0:.0%} of the objects cover less than 0.33% of the image: Tversky with beta > alpha weighs missed "
         "pixels (false negatives) more, which favours recall of small structures",
         "Salehi, Erdogmus & Gholipour, Tversky loss function for image segmentation, 2017; Abraham & Khan, "
         "A Novel Focal Tversky loss function, 2019"),
    Rule("ignore_label", _SEG, (Condition("ignore_index", "set"),), _ignore,
         "masks carry an ignore value {v0!r}", "Everingham et al., The PASCAL Visual Object Classes Challenge, "
                                                "2010"),
    # ---------------------------------------------------------------- advice beyond the loss
    Rule("rare_positive_bias_init", _SIGMOID, (Condition("positive_fraction", "<", "RARE_POSITIVE_FRACTION"),),
         _bias_binary, "positives are {v0:.3g} of the labels: initialise the output bias to the prior",
         "Lin et al., Focal Loss for Dense Object Detection, 2017 (§4.1, prior initialisation)"),
    Rule("imbalanced_prior_bias_init", _MC, (Condition("imbalance_ratio", ">", "BALANCED_IMBALANCE_RATIO"),),
         _bias_multiclass, "imbalance ratio {v0:.3g}: initialise the output biases to the log class priors",
         "Lin et al., Focal Loss for Dense Object Detection, 2017; Menon et al., Long-tail learning via logit "
         "adjustment, 2021"),
    Rule("decision_threshold", _SIGMOID, (Condition("imbalance_ratio", ">", "BALANCED_IMBALANCE_RATIO"),),
         _threshold, "imbalance ratio {v0:.3g}: the 0.5 threshold is not the best decision rule",
         "Lipton, Elkan & Naryanaswamy, Optimal Thresholding of Classifiers to Maximize F1 Measure, 2014"),
    Rule("multiclass_decision", ("multiclass",), (Condition("imbalance_ratio", ">", "BALANCED_IMBALANCE_RATIO"),),
         _multiclass_decision, "imbalance ratio {v0:.3g}: argmax decisions depend on the weighting",
         "Menon et al., Long-tail learning via logit adjustment, 2021"),
)


# ============================================================================ evaluation
def evaluate(profile: Profile) -> list[Rule]:
    """The rules of the table that fire on ``profile``, in table order."""
    return [r for r in RULES if r.fires(profile)]


def _configure(key: str, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep the params the registry entry declares; return (kept, dropped)."""
    names = {p.name for p in registry.get(key).params}
    kept = {k: v for k, v in params.items() if k in names}
    return kept, {k: v for k, v in params.items() if k not in names}


def _family(key: str) -> str:
    spec = registry.get(key)
    return "overlap" if spec.family == "overlap" or key.startswith("lovasz") else spec.family


def recommend(profile: Profile, options: Options | None = None) -> tuple[list[Candidate], list[Advice]]:
    """Ranked candidates (best first) and the advice of every fired rule."""
    o = options or Options()
    known = {s.key for s in registry.list_losses()}
    cands: list[Candidate] = []
    advice: list[Advice] = []
    forbid: set[str] = set()
    overrides: dict[str, tuple[Any, Reason]] = {}
    for rule in evaluate(profile):
        eff = rule.then(profile, o)
        reason = rule.reason(profile)
        forbid.update(eff.forbid)
        overrides.update({k: (v, reason) for k, v in eff.overrides.items()})
        for topic, text, value in eff.advice:
            if not any(a.topic == topic and a.text == text for a in advice):
                advice.append(Advice(topic, text, value, reason))
        for score, key, params in eff.candidates:
            if key not in known:
                continue
            kept, dropped = _configure(key, params)
            for c in cands:
                if c.key == key and c.params == kept:
                    c.score = max(c.score, score)
                    if reason not in c.reasons:
                        c.reasons.append(reason)
                    break
            else:
                cands.append(Candidate(key, kept, score, [reason], dropped))
    for c in cands:  # overrides apply where the loss has the parameter, and bring their reason along
        kept, _ = _configure(c.key, {k: v for k, (v, _) in overrides.items()})
        c.params.update(kept)
        for k in kept:
            if overrides[k][1] not in c.reasons:
                c.reasons.append(overrides[k][1])
    cands = [c for c in cands if _family(c.key) not in forbid]
    cands.sort(key=lambda c: -c.score)  # stable: table order breaks ties
    # merge duplicates created by the overrides (same key and params)
    out: list[Candidate] = []
    for c in cands:
        twin = next((d for d in out if d.key == c.key and d.params == c.params), None)
        if twin is None:
            out.append(c)
        else:
            twin.reasons.extend(r for r in c.reasons if r not in twin.reasons)
    if not out:  # every rule table has a baseline, so this means a broken registry
        raise ValueError(f"advise: expected at least one registered loss for task {profile.task!r}, got none")
    return out, advice
