"""``Recommendation``: the advisor's answer — a configured loss, its reasons, ranked alternatives, advice.

``.build()`` returns the configured ``nn.Module`` (the only place the advisor imports torch),
``.to_dict()`` the JSON document printed by ``losslab advise --json`` (schema in ``docs/advisor.md``),
``.to_markdown()`` a readable report and ``.code()`` a snippet to paste into a training script.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from .. import registry
from .profile import Profile
from .rules import Advice, Candidate, Options, Reason, _clean

__all__ = ["LossChoice", "Recommendation", "SCHEMA"]

SCHEMA = "losslab.advice/1"


def _module_name(spec: registry.LossSpec) -> tuple[str, str]:
    """(import path, name) of the entry's module class or factory, exactly as the registry names it."""
    mod, _, name = spec.module.partition(":")
    return mod, name


def _tensor_params(spec: registry.LossSpec) -> set[str]:
    return {p.name for p in spec.params if p.kind == "tensor"}


@dataclass
class LossChoice:
    """A registry key with its parameters (tensors as lists) and the reasons it was proposed.

    Example:
        >>> import numpy as np
        >>> from losslab import advise
        >>> choice = advise(np.array([0] * 900 + [1] * 60 + [2] * 40)).loss
        >>> choice.signature()
        'softmax_ce(class_weight=[0.3045, 1.111, 1.584])'
        >>> type(choice.build()).__name__
        'SoftmaxCrossEntropyLoss'
    """

    key: str
    params: dict[str, Any]
    reasons: list[Reason] = field(default_factory=list)
    score: float = 0.0

    @classmethod
    def from_candidate(cls, c: Candidate) -> LossChoice:
        return cls(c.key, dict(c.params), list(c.reasons), c.score)

    @property
    def spec(self) -> registry.LossSpec:
        return registry.get(self.key)

    def build_kwargs(self) -> dict[str, Any]:
        """The parameters with tensor-valued ones (``pos_weight``, ``class_weight``, …) as float32 tensors."""
        import torch

        tensors = _tensor_params(self.spec)
        return {k: (torch.tensor(v, dtype=torch.float32) if k in tensors and v is not None else v)
                for k, v in self.params.items()}

    def build(self):
        """The configured ``nn.Module``."""
        return self.spec.build(**self.build_kwargs())

    def to_dict(self) -> dict[str, Any]:
        mod, cls = _module_name(self.spec)
        return {"key": self.key, "params": _clean(self.params), "module": f"{mod}.{cls}",
                "family": self.spec.family, "summary": self.spec.summary, "score": self.score,
                "reasons": [r.to_dict() for r in self.reasons]}

    def signature(self) -> str:
        return f"{self.key}({', '.join(f'{k}={_fmt(v)}' for k, v in self.params.items())})"


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, list):
        body = ", ".join(_fmt(x) for x in v[:6])
        return f"[{body}{', …' if len(v) > 6 else ''}]"
    return repr(v)


@dataclass
class Recommendation:
    """The recommended loss (``key`` + ``params``), alternatives, advice and the profile behind them.

    Example:
        >>> import numpy as np
        >>> from losslab import advise
        >>> rec = advise(np.array([0] * 900 + [1] * 60 + [2] * 40))
        >>> rec
        Recommendation(softmax_ce(class_weight=[0.3045, 1.111, 1.584]), task='multiclass', alternatives=[softmax_focal, softmax_ce])
        >>> [a.key for a in rec.alternatives], rec.to_dict()["loss"]["key"]
        (['softmax_focal', 'softmax_ce'], 'softmax_ce')
    """

    loss: LossChoice
    alternatives: list[LossChoice]
    profile: Profile
    advice: list[Advice]
    options: Options = field(default_factory=Options)

    # -- shortcuts ------------------------------------------------------------------------------
    @property
    def task(self) -> str:
        return self.profile.task

    @property
    def key(self) -> str:
        return self.loss.key

    @property
    def params(self) -> dict[str, Any]:
        return self.loss.params

    @property
    def reasons(self) -> list[Reason]:
        return self.loss.reasons

    @property
    def warnings(self) -> list[str]:
        return list(self.profile.warnings)

    def build(self):
        """The recommended loss as a configured ``nn.Module``."""
        return self.loss.build()

    def __repr__(self) -> str:
        alts = ", ".join(a.key for a in self.alternatives[:4])
        return f"Recommendation({self.loss.signature()}, task={self.task!r}, alternatives=[{alts}])"

    # -- exports --------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``losslab advise --json`` (schema ``losslab.advice/1``)."""
        loss = self.loss.to_dict()
        reasons = loss.pop("reasons")
        return {"schema": SCHEMA, "task": self.task, "loss": loss, "reasons": reasons,
                "alternatives": [a.to_dict() for a in self.alternatives],
                "advice": [a.to_dict() for a in self.advice],
                "profile": self.profile.to_dict(), "warnings": self.warnings,
                "options": {"weighting": self.options.weighting, "beta": self.options.beta}}

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), **kwargs)

    def code(self) -> str:
        """A Python snippet building the recommended loss, with the advice as comments."""
        spec = self.loss.spec
        mod, cls = _module_name(spec)
        tensors = _tensor_params(spec)
        args = []
        for k, v in self.params.items():
            if k in tensors and v is not None:
                args.append(f"{k}=torch.tensor({_py_literal(v)})")
            else:
                args.append(f"{k}={_py_literal(v)}")
        lines = [f"# losslab.advise: {self.task} — {spec.summary}"]
        if any(k in tensors and v is not None for k, v in self.params.items()):
            lines.append("import torch")
        lines.append(f"from {mod} import {cls}")
        lines.append("")
        lines.append(f"loss_fn = {cls}({', '.join(args)})")
        for a in self.advice:
            if a.topic == "bias_init":
                lines.append("")
                lines.append("# Initialise the output bias to the prior (Lin et al. 2017), e.g.:")
                lines.append(f"# torch.nn.init.constant_(model.head.bias, {a.value})" if not isinstance(a.value, list)
                             else f"# with torch.no_grad(): model.head.bias.copy_(torch.tensor({_py_literal(a.value)}))")
            elif a.topic in ("threshold", "dice_aggregation", "scale", "transform", "labels"):
                lines.append(f"# {a.topic}: {a.text}")
        return "\n".join(lines) + "\n"

    def to_markdown(self) -> str:
        """A readable report: the loss, why, the alternatives, the advice, the statistics."""
        p = self.profile
        out = [f"# Loss recommendation: `{self.key}`", "",
               f"**Task:** {self.task} ({'; '.join(p.evidence)})  ", f"**Data:** {p.source}, "
               f"{p.num_samples:,} samples, {p.num_labels:,} labels", ""]
        out += ["## Recommended", "", "```python", self.code().rstrip(), "```", "", "Why:", ""]
        out += [f"- {r.text} — *{r.reference}* (`{r.rule}`: "
                + "; ".join(f"{s} = {_fmt(v)} {t}" for s, v, t in r.evidence) + ")" for r in self.reasons]
        if self.alternatives:
            out += ["", "## Alternatives", "", "| rank | loss | why |", "|---|---|---|"]
            for i, a in enumerate(self.alternatives, 2):
                out.append(f"| {i} | `{a.signature()}` | {'; '.join(r.text for r in a.reasons)} |")
        if self.advice:
            out += ["", "## Beyond the loss", ""]
            out += [f"- **{a.topic}**: {a.text} — *{a.reason.reference}*" for a in self.advice]
        out += ["", "## Statistics", "", "| statistic | value |", "|---|---|"]
        out += [f"| {k} | {v} |" for k, v in summary_rows(p)]
        if p.notes or p.warnings:
            out += ["", "## Notes", ""] + [f"- {n}" for n in p.notes] + [f"- ⚠ {w}" for w in p.warnings]
        return "\n".join(out) + "\n"


def _py_literal(v: Any) -> str:
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else f"float({str(v)!r})"
    if isinstance(v, list):
        return "[" + ", ".join(_py_literal(x) for x in v) + "]"
    return repr(v)


def _pct(x: float | None) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3%}"


def _num(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.4g}" if isinstance(x, float) else str(x)


def summary_rows(p: Profile) -> list[tuple[str, str]]:
    """The key statistics as (name, formatted value) rows, for tables."""
    rows = [("task", p.task), ("samples", f"{p.num_samples:,}"), ("labels", f"{p.num_labels:,}"),
            ("sample shape", str(p.sample_shape)), ("dtype", p.dtype)]
    if p.classes is not None:
        cs = p.classes
        shown = ", ".join(f"{v!r}: {c:,} ({f:.2%})" for v, c, f in
                          list(zip(cs.values, cs.counts, cs.frequencies))[:8])
        rows += [("classes", f"{cs.num_classes}: {shown}{' …' if cs.num_classes > 8 else ''}"),
                 ("imbalance ratio", _num(cs.imbalance_ratio))]
        if cs.positive_fraction is not None:
            rows.append(("positive fraction", _pct(cs.positive_fraction)))
    if p.multilabel is not None:
        m = p.multilabel
        rows += [("labels per row", str(m.num_labels)), ("positive fraction", _pct(m.positive_fraction)),
                 ("negatives per positive", _num(m.negative_positive_ratio)),
                 ("positives per row", _num(m.mean_positives_per_sample)),
                 ("label imbalance ratio", _num(m.label_imbalance_ratio))]
    if p.masks is not None:
        m = p.masks
        per = m.foreground_fraction_per_image
        rows += [("foreground fraction", _pct(m.foreground_fraction)),
                 ("foreground per image (median, p95)", f"{_pct(per.get('median'))}, {_pct(per.get('p95'))}"),
                 ("empty masks", f"{m.num_empty:,} ({m.empty_fraction:.1%})")]
        if m.ignored_fraction:
            rows.append(("ignored pixels", _pct(m.ignored_fraction)))
        if m.objects is not None:
            o = m.objects
            rows += [("objects (sampled)", f"{o.num_objects:,} in {o.sampling}"),
                     ("object size px (median)", _num(o.size_pixels.get("median"))),
                     ("tiny objects (< 0.33% of image)", _pct(o.tiny_share))]
    if p.regression is not None:
        r = p.regression
        rows += [("mean ± std", f"{r.mean:.4g} ± {r.std:.4g}"), ("median / MAD", f"{r.median:.4g} / {r.mad:.4g}"),
                 ("min / max", f"{r.min:.4g} / {r.max:.4g}"), ("skew", _num(r.skew)),
                 ("excess kurtosis", _num(r.excess_kurtosis)), ("outliers (MAD)", _pct(r.outlier_fraction)),
                 ("counts", "yes" if r.is_count else "no")]
        if r.is_count:
            rows += [("zeros", _pct(r.zero_fraction)), ("variance / mean", _num(r.dispersion))]
    return rows
