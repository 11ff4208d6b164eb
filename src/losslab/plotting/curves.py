"""Loss and gradient curves of registry losses, from their NumPy objectives (``losslab.reference``).

``plot_losses(["sigmoid_ce", "sigmoid_focal:gamma=2", "mse:on=probability"], out="curves.png")`` draws,
for one target ``y``, the loss and its gradient with respect to the raw score against

* the **logit** ``z`` (classification losses; ``on=probability`` regression losses, which see
  ``p = σ(z)``: "MSE on a sigmoid" is ``(σ(z) − y)²`` with gradient ``2(σ(z) − y)·σ(z)(1 − σ(z))``),
* the **probability** ``p = σ(z)`` (the same curves, another x axis; the gradient is still ``∂ℓ/∂z``,
  the signal a model receives), or
* the **residual** ``r = ŷ − y`` (regression losses on raw predictions).

Multi-class objectives are drawn for two classes with logits ``(0, z)``, so ``z`` is the logit margin of
class 1 (a 2-class softmax is a sigmoid of the margin). Compositions (``a+0.5*b``) add up their terms.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import fail
from ._figure import colours, new_figure, save

AXES = ("auto", "logit", "probability", "residual")
_FN = "plot"


@dataclass
class _Curve:
    label: str
    loss: np.ndarray
    grad: np.ndarray
    axis: str  # logit | residual


def _objective(key: str, params: dict[str, Any]):
    from .. import registry

    spec = registry.get(key)
    clean = {}
    for k, v in params.items():
        if isinstance(v, str) and v == "auto":
            fail(_FN, f"a numeric `{k}` (auto needs training", "data)", "auto")
        clean[k] = np.asarray(v, dtype=np.float64) if isinstance(v, list) else v
    return spec, spec.make_objective(**clean)


def _term_curve(term, z: np.ndarray, r: np.ndarray, y: float) -> tuple[np.ndarray, np.ndarray, str]:
    spec, obj = _objective(term.key, term.params)
    if term.on == "probability":
        p = 1.0 / (1.0 + np.exp(-z))
        yy = np.full_like(z, y)
        return obj.loss(yy, p), obj.gradient(yy, p) * p * (1 - p), "logit"
    if spec.input_kind == "regression":
        yy = np.zeros_like(r)
        return obj.loss(yy, r), obj.gradient(yy, r), "residual"
    if getattr(obj, "multiclass", False):
        if y not in (0.0, 1.0):
            fail(_FN, f"for the multi-class loss {spec.key!r} --target", "0 or 1", y)
        raw = np.stack([np.zeros_like(z), z], axis=1)
        yy = np.full(z.shape, int(y), dtype=np.int64)
        return obj.loss(yy, raw), obj.gradient(yy, raw)[:, 1], "logit"
    yy = np.full_like(z, y)
    return obj.loss(yy, z), obj.gradient(yy, z), "logit"


def _merge_params(terms, params: dict[str, str] | None) -> None:
    """Apply ``--param KEY=VALUE`` to every term whose loss accepts ``KEY``."""
    if not params:
        return
    from .. import registry
    from ..compare.candidates import _convert, accepted_names

    for name, value in params.items():
        used = False
        for t in terms:
            spec = registry.get(t.key)
            if name in accepted_names(spec):
                p = next((q for q in spec.params if q.name == name), None)
                t.params.setdefault(name, _convert(t.key, p, name, str(value), _FN))
                used = True
        if not used:
            fail(_FN, f"--param {name}=... to be an option of one of the losses", sorted({t.key for t in terms}),
                 f"{name!r}, which none of them has")


#: Largest ``span`` per axis: on a logit axis σ(z) is 1 to float64 precision beyond |z| ≈ 37 and exp(−z)
#: overflows beyond 709 (warnings, then NaN), so 500; residual axes take large values (no overflow up to 1e6).
SPAN_MAX = {"logit": 500.0, "residual": 1e6}


def _check_span(span: Any, kind: str) -> None:
    """``span`` a finite number in ``(0, SPAN_MAX[kind]]``, checked before any curve is computed."""
    if isinstance(span, bool) or not isinstance(span, numbers.Real):
        fail(_FN, "`span` (--span) to be", "a real number", repr(span), TypeError)
    if not (math.isfinite(span) and 0 < span <= SPAN_MAX[kind]):
        fail(_FN, "`span` (--span) a finite number in", f"(0, {SPAN_MAX[kind]:g}] on a {kind} axis", repr(span))


def plot_losses(losses: list[str], *, out: str | Path = "losslab-plot.png", axis: str = "auto",
                target: float = 1.0, params: dict[str, str] | None = None, span: float | None = None,
                title: str | None = None) -> Path:
    """Draw loss and gradient of each loss in one PNG (two panels); returns the path.

    Args:
        losses: candidate strings (``key[:name=value,...]``, ``mse:on=probability``, ``a+0.5*b``).
        out: PNG path.
        axis: ``auto`` (logit for classification losses, residual for regression ones), ``logit``,
            ``probability`` or ``residual``.
        target: the label ``y`` for classification losses (default 1: left of 0 is "confidently wrong").
        params: ``{name: value}`` applied to every loss that has the option (``--param gamma=2``).
        span: half-width of the x range (default 8 for logits, 4 for residuals; at most 500 and 1e6).

    Example:
        >>> import tempfile, pathlib
        >>> from losslab.plotting import plot_losses
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "bce-focal-mse.png"
        >>> path = plot_losses(["sigmoid_ce", "sigmoid_focal:gamma=2", "mse:on=probability"], out=out)
        >>> path.name, path.read_bytes()[1:4] == b"PNG"
        ('bce-focal-mse.png', True)
    """
    from ..compare.candidates import parse_candidate

    if not losses:
        fail(_FN, "at least one", "loss", "none")
    if axis not in AXES:
        fail(_FN, "--x one of", AXES, repr(axis))
    if not 0.0 <= float(target) <= 1.0:
        fail(_FN, "--target in", "[0, 1]", target)
    cands = [parse_candidate(s, _FN) for s in losses]
    for c in cands:
        if c.advised:
            fail(_FN, "registry loss keys (advised needs", "data)", "advised")
    if span is not None:
        _check_span(span, "logit" if axis in ("logit", "probability") or any(
            t.on == "probability" or t.spec().input_kind != "regression" for c in cands for t in c.terms)
            else "residual")
    _merge_params([t for c in cands for t in c.terms], params)
    z = np.linspace(-(span or 8.0), span or 8.0, 801)
    r = np.linspace(-(span or 4.0), span or 4.0, 801)
    curves: list[_Curve] = []
    for c in cands:
        total_l, total_g, axes = 0.0, 0.0, set()
        for t in c.terms:
            lo, g, ax = _term_curve(t, z, r, float(target))
            total_l = total_l + t.weight * lo
            total_g = total_g + t.weight * g
            axes.add(ax)
        if len(axes) > 1:
            fail(_FN, f"terms on one axis in {c.name!r} (regression losses on a logit need", "on=probability)",
                 sorted(axes))
        curves.append(_Curve(c.name, np.asarray(total_l, float), np.asarray(total_g, float), axes.pop()))
    kinds = {cv.axis for cv in curves}
    if len(kinds) > 1:
        fail(_FN, "losses on one axis (classification losses on the logit, regression losses on the residual; "
                  "use on=probability for a regression loss on a", "sigmoid)", sorted(kinds))
    base = kinds.pop()
    if axis == "auto":
        axis = base
    if (axis == "residual") != (base == "residual"):
        fail(_FN, "for these losses --x", "residual" if base == "residual" else "logit or probability", axis)
    if axis == "probability":
        x, xlabel = 1.0 / (1.0 + np.exp(-z)), "probability p = σ(z)"
    elif axis == "logit":
        x, xlabel = z, "logit z"
    else:
        x, xlabel = r, "residual r = ŷ − y"
    fig = new_figure(11, 4.2)
    ax_l, ax_g = fig.subplots(1, 2)
    for cv, col in zip(curves, colours(len(curves))):
        ax_l.plot(x, cv.loss, color=col, label=cv.label, lw=2)
        ax_g.plot(x, cv.grad, color=col, label=cv.label, lw=2)
    wrt = "ŷ" if axis == "residual" else "z"
    ax_l.set(xlabel=xlabel, ylabel="loss", title="loss")
    ax_g.set(xlabel=xlabel, ylabel=f"∂loss/∂{wrt}", title=f"gradient with respect to {wrt}")
    for a in (ax_l, ax_g):
        a.grid(alpha=0.3)
        a.axhline(0, color="k", lw=0.6)
    ax_l.legend(fontsize=9)
    suffix = "" if axis == "residual" else f" (target y = {target:g})"
    fig.suptitle(title or f"losslab: loss and gradient{suffix}")
    return save(fig, out)
