"""Candidate losses for the compare harness: parsing, validation against a task, and building.

A candidate is written as one string (the same syntax on the command line and in Python)::

    candidate := term ("+" term)*
    term      := [weight "*"] key [":" name=value ("," name=value)*]

for example ``sigmoid_ce``, ``sigmoid_focal:gamma=2,alpha=0.25``, ``softmax_ce:class_weight=[1,2,2]``,
``sigmoid_dice+0.5*sigmoid_ce``, or ``advised`` (the advisor's pick for the task's training labels).
Values are read by the registry's parameter kinds (numbers, ``true``/``false``, ``none``, ``[a,b,c]`` for
tensors). ``auto`` for a tensor weight (``pos_weight``, ``class_weight``, ``alpha``) is computed from the
training labels: ``n_neg / n_pos`` for a binary task, ``1 / (C π_c)`` (inverse frequency, prior-weighted
mean 1) for a multi-class one.

Two options belong to the harness, not to the loss:

* ``on=raw`` (default) | ``on=probability`` — what a *regression* loss sees on a classification or
  segmentation task: ``on=probability`` feeds it ``σ(logit)`` (binary) or ``softmax(logits)`` against the
  one-hot target (multi-class), e.g. ``mse:on=probability`` is the Brier-score / "MSE on a sigmoid" loss.
  A regression loss on a classification task without ``on=probability`` is rejected.
* ``bias=default`` | ``bias=prior`` — initialise the model's output bias to the class prior
  (Lin et al. 2017) for this candidate.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .. import registry
from .._validation import fail

ON = ("raw", "probability")
BIAS = ("default", "prior")
ADVISED = "advised"
_FN = "compare"


@dataclass
class Term:
    """One weighted loss of a candidate: a registry ``key`` with ``params``, or a prebuilt ``module``."""

    key: str | None
    params: dict[str, Any] = field(default_factory=dict)
    weight: float = 1.0
    on: str = "raw"
    module: nn.Module | None = None

    def spec(self) -> registry.LossSpec | None:
        return registry.get(self.key) if self.key else None


@dataclass
class Candidate:
    """A named candidate: weighted terms, the bias initialisation, and whether it is the advisor's pick.

    Example:
        >>> from losslab.compare import parse_candidate
        >>> c = parse_candidate("sigmoid_dice+0.5*sigmoid_ce:bias=prior")
        >>> [(t.key, t.weight) for t in c.terms], c.bias
        ([('sigmoid_dice', 1.0), ('sigmoid_ce', 0.5)], 'prior')
    """

    name: str
    terms: list[Term]
    bias: str = "default"
    advised: bool = False
    advice: dict[str, Any] | None = None

    def describe(self) -> dict[str, Any]:
        """JSON-able description (tensor parameters as lists)."""
        return {"name": self.name, "bias": self.bias, "advised": self.advised,
                "terms": [{"key": t.key, "weight": t.weight, "on": t.on,
                           "params": {k: _plain(v) for k, v in t.params.items()}} for t in self.terms],
                **({"advice": self.advice} if self.advice else {})}


def _plain(v: Any) -> Any:
    if isinstance(v, torch.Tensor):
        return v.tolist()
    if isinstance(v, np.ndarray):
        return v.tolist()
    return v


# ------------------------------------------------------------------------------------------ parsing
def _split_top(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside brackets; a ``+`` in an exponent (``1e+3``) does not split."""
    parts, depth, cur = [], 0, []
    for i, ch in enumerate(text):
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == sep and depth == 0:
            if sep == "+" and i >= 2 and text[i - 1] in "eE" and (text[i - 2].isdigit() or text[i - 2] == "."):
                cur.append(ch)
                continue
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def _convert(key: str, p: registry.Param | None, name: str, raw: str, fn: str = _FN) -> Any:
    low = raw.strip().lower()
    kind = p.kind if p is not None else "literal"
    if kind == "tensor":
        if low == "auto":
            return "auto"
        if low == "none":
            return None
        if low.startswith("["):
            if not low.endswith("]"):
                fail(fn, f"`{name}` of {key!r} as a number or a list", "[a,b,...]", raw)
            items = [s for s in low[1:-1].split(",") if s.strip()]
            return [_number(key, name, s, fn) for s in items]
        return _number(key, name, raw, fn)
    if kind == "bool" or (kind == "literal" and low in ("true", "false")):
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
        fail(fn, f"`{name}` of {key!r} true or", "false", raw)
    if kind in ("optional_float", "optional_int") and low == "none":
        return None
    if kind in ("float", "optional_float"):
        return _number(key, name, raw, fn)
    if kind in ("int", "optional_int"):
        try:
            return int(raw)
        except ValueError:
            fail(fn, f"`{name}` of {key!r} an", "integer", raw)
    if kind == "choice":
        for c in p.choices:
            if str(c).lower() == low:
                return c
        fail(fn, f"`{name}` of {key!r} one of", p.choices, repr(raw))
    # literal: number if it reads as one, else the string
    try:
        return int(raw)
    except ValueError:
        try:
            return float(raw)
        except ValueError:
            return None if low == "none" else raw


def _number(key: str, name: str, raw: str, fn: str = _FN) -> float:
    try:
        v = float(raw)
    except ValueError:
        fail(fn, f"`{name}` of {key!r} a", "number", repr(raw.strip()))
    if not math.isfinite(v):
        fail(fn, f"`{name}` of {key!r}", "finite", raw)
    return v


def accepted_names(spec: registry.LossSpec) -> list[str]:
    """Hyper-parameters of the entry plus the keyword options its module's ``__init__`` accepts."""
    names = [p.name for p in spec.params if p.name != "reduction"]
    try:
        sig = inspect.signature(spec.load_module().__init__)
        names += [n for n, q in sig.parameters.items() if n not in ("self", "reduction") and q.kind is q.KEYWORD_ONLY and n not in names]
    except (ImportError, AttributeError, ValueError):
        pass
    return names


def parse_term(text: str, fn: str = _FN) -> tuple[Term, str | None]:
    """One ``[weight*]key[:name=value,...]`` term; returns the term and its ``bias`` option (or None)."""
    text = text.strip()
    if not text:
        fail(fn, "a loss key in every term (e.g.", "sigmoid_dice+sigmoid_ce)", "an empty term")
    weight = 1.0
    head, _, rest = text.partition(":")
    if "*" in head:
        w, _, head = head.partition("*")
        weight = _number(head.strip() or text, "weight", w, fn)
        if weight < 0:
            fail(fn, "term weights >=", "0", weight)
    key = head.strip()
    spec = registry.get(key)  # ValueError listing the known keys
    params: dict[str, Any] = {}
    on, bias = "raw", None
    known = {p.name: p for p in spec.params}
    names = None
    for item in _split_top(rest, ",") if rest.strip() else []:
        name, eq, value = item.partition("=")
        name = name.strip()
        if not eq or not name:
            fail(fn, f"options of {key!r} as", "name=value", repr(item))
        if name == "on":
            if value.strip() not in ON:
                fail(fn, "`on` one of", ON, repr(value.strip()))
            on = value.strip()
            continue
        if name == "bias":
            if value.strip() not in BIAS:
                fail(fn, "`bias` one of", BIAS, repr(value.strip()))
            bias = value.strip()
            continue
        names = names if names is not None else accepted_names(spec)
        if name not in names:
            fail(fn, f"an option of {key!r}, one of", names + ['on', 'bias'], repr(name))
        params[name] = _convert(key, known.get(name), name, value, fn)
    return Term(key, params, weight, on), bias


def parse_candidate(text: str, fn: str = _FN) -> Candidate:
    """A :class:`Candidate` from its string form (``advised`` is resolved per task, from the training labels).

    ``fn`` names the caller in error messages. Raises ``ValueError`` or ``TypeError`` (one line) on an
    unknown key, an unknown option, or a value of the wrong kind or out of the registry's range.

    Example:
        >>> from losslab.compare import parse_candidate
        >>> t = parse_candidate("softmax_ce:class_weight=[1,2,2],label_smoothing=0.1").terms[0]
        >>> t.key, t.params
        ('softmax_ce', {'class_weight': [1.0, 2.0, 2.0], 'label_smoothing': 0.1})
        >>> parse_candidate("mse:on=probability").terms[0].on
        'probability'
    """
    if not isinstance(text, str):
        fail(fn, "a candidate string, nn.Module or (name, module)", "pair", type(text).__name__)
    text = text.strip()
    if text == ADVISED or text.startswith(ADVISED + ":"):
        bias = None
        _, _, rest = text.partition(":")
        for item in _split_top(rest, ",") if rest else []:
            name, _, value = item.partition("=")
            if name.strip() != "bias" or value.strip() not in BIAS:
                fail(fn, "only `bias=default|prior` as an option of", "'advised'", repr(item))
            bias = value.strip()
        return Candidate(text, [], bias or "default", advised=True)
    terms, biases = [], set()
    for part in _split_top(text, "+"):
        term, bias = parse_term(part, fn)
        # kinds and ranges of the loss options, before any data is read (auto weights come from the data)
        registry.check_params(term.key, {k: v for k, v in term.params.items() if v != "auto"},
                              f"{fn}: candidate {text!r}")
        terms.append(term)
        if bias:
            biases.add(bias)
    if len(biases) > 1:
        fail(fn, "one `bias` option per", "candidate", sorted(biases))
    return Candidate(text, terms, biases.pop() if biases else "default")


def as_candidate(c: Any) -> Candidate:
    """A string, a :class:`Candidate`, an ``nn.Module`` or a ``(name, nn.Module)`` pair as a candidate."""
    if isinstance(c, Candidate):
        return c
    if isinstance(c, str):
        return parse_candidate(c)
    if isinstance(c, nn.Module):
        return Candidate(_module_name(c), [Term(getattr(c, "key", None) or None, {}, 1.0, "raw", c)])
    if isinstance(c, tuple) and len(c) == 2 and isinstance(c[0], str) and isinstance(c[1], nn.Module):
        return Candidate(c[0], [Term(getattr(c[1], "key", None) or None, {}, 1.0, "raw", c[1])])
    fail(_FN, "a candidate string, nn.Module or (name, module)", "pair", type(c).__name__)


def _module_name(m: nn.Module) -> str:
    return getattr(m, "key", None) or type(m).__name__


# ------------------------------------------------------------------------------------------ checking
def check_compatible(cand: Candidate, kind: str) -> None:
    """Every term's loss suits the task kind (regression losses on classes need ``on=probability``)."""
    for t in cand.terms:
        spec = t.spec()
        if spec is None:
            continue  # a user module: trust it
        regression_loss = spec.input_kind == "regression"
        if t.on == "probability":
            if not regression_loss:
                fail(_FN, "`on=probability` only on regression losses such as", "mse, mae, huber",
                     f"it on {spec.key!r}, which takes logits")
            if kind == "regression":
                fail(_FN, "`on=probability` only on a classification or segmentation task, not", "regression",
                     f"task kind {kind!r}")
            continue
        if kind in spec.tasks:
            continue
        if regression_loss and kind != "regression":
            fail(_FN, f"`on=probability` for the regression loss {spec.key!r} on a {kind} task (it then sees "
                      f"sigmoid/softmax probabilities), e.g.", f"{spec.key}:on=probability", "on=raw")
        suited = [s.key for s in registry.list_losses(task=kind)]
        fail(_FN, f"a loss suited to a {kind} task, one of", suited, repr(spec.key))


# ------------------------------------------------------------------------------------------ building
def resolve_auto(value: Any, kind: str, prior: np.ndarray) -> Any:
    """``auto`` → class weights from the training prior; lists/numbers → float32 tensors."""
    if isinstance(value, str) and value == "auto":
        if kind in ("binary", "binary_segmentation"):
            pi = float(prior[0])
            if not 0 < pi < 1:
                fail(_FN, "a positive fraction in", "(0, 1) for `auto` weights", pi)
            return torch.tensor((1 - pi) / pi, dtype=torch.float32)
        pi = np.asarray(prior, dtype=np.float64)
        w = np.where(pi > 0, 1.0 / (len(pi) * np.maximum(pi, 1e-12)), 0.0)
        return torch.tensor(w, dtype=torch.float32)
    if isinstance(value, (list, float, int)) and not isinstance(value, bool):
        return torch.tensor(value, dtype=torch.float32)
    return value


def build_term(t: Term, kind: str, prior: np.ndarray | None) -> nn.Module:
    """The configured module of a term (``auto`` weights resolved from ``prior``)."""
    if t.module is not None:
        return t.module
    spec = t.spec()
    params = {}
    for name, value in t.params.items():
        p = next((q for q in spec.params if q.name == name), None)
        if p is not None and p.kind == "tensor":
            value = resolve_auto(value, kind, prior if prior is not None else np.array([0.5]))
        params[name] = value
    return spec.build(**params)


class CandidateLoss(nn.Module):
    """``Σ w_k ℓ_k(transform(output), target)``: applies each term in the task's layout.

    ``on=probability`` terms see ``σ(output)`` against the float target (binary) or ``softmax(output)``
    against the one-hot target (multi-class); ``on=raw`` terms see the output and target unchanged.
    """

    def __init__(self, terms: list[tuple[float, nn.Module, str]], kind: str, n_classes: int) -> None:
        super().__init__()
        self.weights = [w for w, _, _ in terms]
        self.ons = [o for _, _, o in terms]
        self.losses = nn.ModuleList([m for _, m, _ in terms])
        self.kind = kind
        self.n_classes = n_classes

    def forward(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        total = None
        for w, on, loss in zip(self.weights, self.ons, self.losses):
            if on == "probability":
                if self.kind in ("multiclass", "multiclass_segmentation"):
                    onehot = F.one_hot(target, self.n_classes).movedim(-1, 1).to(output.dtype)
                    value = loss(torch.softmax(output, dim=1), onehot)
                else:
                    value = loss(torch.sigmoid(output), target)
            else:
                value = loss(output, target)
            value = value * w
            total = value if total is None else total + value
        return total


def build_loss(cand: Candidate, kind: str, n_classes: int, prior: np.ndarray | None) -> CandidateLoss:
    """The training loss of a resolved candidate (``advised`` already replaced) for a task kind."""
    check_compatible(cand, kind)
    return CandidateLoss([(t.weight, build_term(t, kind, prior), t.on) for t in cand.terms], kind, n_classes)
