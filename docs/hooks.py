"""MkDocs hook: generates the pages and figures that come from the library, during the build.

Nothing generated is written into ``docs/``: the pages and PNGs are added to the build as virtual files
(``File.generated``), so a fresh clone builds and the site cannot drift from the code.

* ``reference/losses/index.md`` and one page per family — one section per registry entry: summary,
  properties, parameters, the loss/gradient figure, and the docstrings of its functional, module and
  NumPy objective (mkdocstrings).
* ``reference/cli.md`` — every command and option of the typer app ``losslab.cli:app``.
* ``images/**.png`` — ``docs/gen_figures.py``.
* Hand-written pages embed generated tables with a marker ``<!-- gen:NAME -->`` (see ``MARKERS``);
  an unknown marker fails the build.
* Every public module's ``__all__`` is checked: a name without a docstring is a warning, which fails a
  ``--strict`` build.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File

DOCS = Path(__file__).resolve().parent

log = logging.getLogger("mkdocs.plugins.losslab")

FAMILIES = {
    "regression": ("Regression losses",
                   "Losses of a prediction against a real target (and the Poisson loss of a log-rate against "
                   "counts). They take `(prediction, target)` of the same shape and are pointwise: the "
                   "figures plot the loss and its gradient against the residual."),
    "classification": ("Classification losses",
                       "Losses of raw scores (logits) against labels: binary and multi-label losses pair "
                       "with the sigmoid, multi-class ones with the softmax. They are pointwise (one term "
                       "per element or per sample); the figures plot the loss and the gradient that "
                       "back-propagation hands to the logit."),
    "overlap": ("Overlap (segmentation) losses",
                "Set-level losses of a segmentation: Dice, Jaccard, Tversky and Lovász compare the whole "
                "predicted region with the target region, so one pixel's gradient depends on every other "
                "pixel. For the soft Dice loss ℓ = 1 − (2I + s)/(P + T + s) of sigmoid probabilities "
                "(I = Σ p t, P = Σ p, T = Σ t > 0), the gradient pixel i's logit receives is\n\n"
                "    ∂ℓ/∂z_i = −[2 t_i (P + T + s) − (2I + s)] / (P + T + s)² · p_i (1 − p_i)\n\n"
                "so every pixel's gradient depends on the whole image's I, P and T. The figures vary the logit "
                "of one pixel of a small image whose other pixels are predicted with logit ±2 toward their "
                "targets."),
    "composite": ("Compositions",
                  "Weighted sums of a set-level overlap loss and a pixel-wise loss (the common recipe for "
                  "segmentation: the overlap term fights imbalance, the pixel term keeps gradients "
                  "well-behaved early in training). Built with `+` and scalar `*` on modules, or from "
                  "the registry."),
}

# Public modules whose ``__all__`` must be documented (a missing module is reported, not skipped).
PUBLIC_MODULES = (
    "losslab", "losslab.functional", "losslab.nn", "losslab.reference", "losslab.weights", "losslab.registry",
    "losslab.distributed", "losslab.advisor", "losslab.compare", "losslab.plotting", "losslab.integrations",
)


# ------------------------------------------------------------------------------------------ helpers
def _dotted(path: str) -> str:
    """``"pkg.mod:attr"`` → ``"pkg.mod.attr"`` (the identifier mkdocstrings and autorefs use)."""
    return path.replace(":", ".")


def _public(path: str) -> str:
    """The short public name: ``losslab.functional.regression:mse_loss`` → ``losslab.functional.mse_loss``."""
    mod, _, attr = path.partition(":")
    return f"{mod.rsplit('.', 1)[0]}.{attr}" if mod.count(".") >= 2 else f"{mod}.{attr}"


def _yes_no(value: bool | None, yes: str = "yes", no: str = "no") -> str:
    return "not established" if value is None else (yes if value else no)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def _param_range(p: Any) -> str:
    if p.choices:
        return " \\| ".join(f"`{c!r}`" for c in p.choices)
    if p.kind == "bool":
        return "`True` \\| `False`"
    if p.kind == "tensor":
        return "tensor or `None`"
    if p.kind == "optional_int":
        return "int or `None`"
    if p.low is None and p.high is None:
        return "int" if p.kind == "int" else "any finite"
    lo = "(−∞" if p.low is None else ("(" if p.low_open else "[") + f"{p.low:g}"
    hi = "∞)" if p.high is None else f"{p.high:g}" + (")" if p.high_open else "]")
    extra = " or `None`" if p.kind == "optional_float" else ""
    return f"{lo}, {hi}{extra}"


def _loads(path: str | None) -> bool:
    if path is None:
        return False
    from losslab.registry import _resolve

    try:
        _resolve(path)
        return True
    except Exception as exc:  # noqa: BLE001 - reported
        log.warning("losslab docs: cannot import %s (%s: %s)", path, type(exc).__name__, exc)
        return False


# ------------------------------------------------------------------------------- loss reference
def loss_section(spec: Any) -> str:
    """The Markdown section of one registry entry (heading anchored at the key)."""
    lines = [f"## `{spec.key}` {{#{spec.key}}}", "", spec.summary[0].upper() + spec.summary[1:] + ".", ""]
    rows = [
        ("family", spec.family),
        ("tasks", ", ".join(spec.tasks)),
        ("input, target", f"`{spec.input_kind}`: {_input_doc(spec)}"),
        ("functional", f"`{_public(spec.functional)}`"),
        ("module", f"`{_public(spec.module)}`"),
        ("NumPy objective (gradient, Hessian)", f"`{_public(spec.objective)}`" if spec.objective else "—"),
        ("convex in the raw score", _yes_no(spec.convex)),
        ("differentiable everywhere", _yes_no(spec.differentiable, "yes",
                                              "no (autograd returns a subgradient at the kinks)")),
        ("empty target", spec.empty_target),
        ("closest torch.nn", f"`{spec.torch_equivalent}`" if spec.torch_equivalent else "—"),
    ]
    if spec.components:
        rows.append(("components", " + ".join(f"{w:g} × [`{k}`](#{k})" if _family_of(k) == spec.family
                                               else f"{w:g} × [`{k}`]({_family_of(k)}.md#{k})"
                                               for k, w in spec.components)))
    lines += ["| property | value |", "|---|---|"] + [f"| {k} | {_md_escape(str(v))} |" for k, v in rows] + [""]
    if spec.params:
        lines += ["| parameter | default | admissible | meaning |", "|---|---|---|---|"]
        lines += [f"| `{p.name}` | `{p.default!r}` | {_param_range(p)} | {_md_escape(p.doc)} |" for p in spec.params]
        lines.append("")
    lines += [f"![{spec.key}: loss and gradient](../../images/losses/{spec.key}.png)", "",
              f"*The loss and the gradient back-propagation receives (autograd through the functional), "
              f"default parameters; {FIGURE_CAPTIONS.get(spec.input_kind, '')}."
              + (f" `losslab plot {spec.key}` draws the same curves from the NumPy objective." if spec.objective
                 else "") + "*", ""]
    if spec.references:
        lines += ["**References:** " + "; ".join(spec.references) + ".", ""]
    for label, path, options in (("Functional", spec.functional, ""),
                                 ("Module", spec.module, "        members: false\n"),
                                 ("NumPy objective", spec.objective, "        members: false\n")):
        if path is None:
            continue
        if not _loads(path):
            lines += [f"!!! failure \"{label} `{path}` does not import\"", ""]
            continue
        lines += [f"::: {_dotted(path)}", "    options:", "        heading_level: 3",
                  "        show_root_full_path: false", "        show_root_toc_entry: false",
                  *([options.rstrip("\n")] if options else []), ""]
    return "\n".join(lines)


FIGURE_CAPTIONS = {
    "regression": "x-axis: the residual ŷ − y",
    "log_rate": "x-axis: the log-rate s",
    "binary_logits": "x-axis: the logit z",
    "binary_probs": "x-axis: the probability p; the gradient is w.r.t. p",
    "class_logits": "x-axis: one logit of three, the others 0",
    "class_probs": "x-axis: one logit of three, the others 0",
    "sigmoid_seg": "x-axis: one pixel's logit in a 4×4 image, the other pixels at logit ±2 toward their "
                   "targets; the loss is the image's",
    "softmax_seg": "x-axis: one logit of one pixel in a 4×4, 3-class image, the other pixels at logit 2 on "
                   "their class; the loss is the image's",
}


def _input_doc(spec: Any) -> str:
    from losslab.registry import INPUT_KINDS

    return INPUT_KINDS[spec.input_kind]


def _family_of(key: str) -> str:
    from losslab import registry

    try:
        return registry.get(key).family
    except ValueError:
        return "index"


def loss_reference_pages() -> dict[str, str]:
    """``{docs-relative path: markdown}``: the index and one page per family, every registry entry once."""
    from losslab import registry

    specs = registry.list_losses()
    pages: dict[str, str] = {}
    index = ["# Loss reference", "",
             "Generated from the registry (`losslab.registry`): every entry has one section with its "
             "properties, parameters, a figure of the loss and of the gradient back-propagation receives, "
             "and the docstrings of its functional, module and NumPy objective. The same table is printed by "
             "`losslab list`.", "",
             "| key | family | tasks | summary | convex | differentiable |", "|---|---|---|---|---|---|"]
    for s in specs:
        index.append(f"| [`{s.key}`]({s.family}.md#{s.key}) | {s.family} | {', '.join(s.tasks)} | "
                     f"{_md_escape(s.summary)} | {_yes_no(s.convex)} | {_yes_no(s.differentiable)} |")
    unknown = sorted({s.family for s in specs} - set(FAMILIES))
    for fam in unknown:
        log.warning("losslab docs: registry family %r has no page in docs/hooks.py FAMILIES", fam)
    pages["reference/losses/index.md"] = "\n".join(index) + "\n"
    for fam, (title, intro) in FAMILIES.items():
        members = [s for s in specs if s.family == fam]
        if not members:
            log.warning("losslab docs: no registry entry of family %r yet", fam)
        body = [f"# {title}", "", intro, "",
                "Conventions shared by every loss (reduction, weights, `ignore_index`, empty targets, half "
                "precision) are in [Concepts](../../concepts.md#conventions).", ""]
        body += [loss_section(s) for s in members] or ["*No entry of this family is registered yet.*", ""]
        pages[f"reference/losses/{fam}.md"] = "\n".join(body) + "\n"
    return pages


# ----------------------------------------------------------------------------------- CLI reference
def cli_reference_page() -> str:
    """Markdown for every command of ``losslab.cli:app``: summary, usage, options."""
    import typer.main

    from losslab.cli import app

    group = typer.main.get_command(app)
    ctx_cls = group.context_class  # typer vendors click: use its own Context
    ctx = ctx_cls(group, info_name="losslab")
    out = ["# Command line", "",
           "Generated from the typer application `losslab.cli:app`; `losslab COMMAND --help` prints the same. "
           "Errors (bad input, unknown keys, unreadable files) are one line on stderr and exit code 2.", "",
           "```text", "losslab [--version] COMMAND [OPTIONS]", "```", "",
           _md_escape(inspect.cleandoc(group.help or "")), "",
           "| command | what it does |", "|---|---|"]
    names = group.list_commands(ctx)
    for name in names:
        cmd = group.get_command(ctx, name)
        out.append(f"| [`{name}`](#{name}) | {_md_escape((cmd.help or '').strip().splitlines()[0])} |")
    out.append("")
    for name in names:
        cmd = group.get_command(ctx, name)
        sub = ctx_cls(cmd, info_name=name, parent=ctx)
        usage = " ".join(cmd.collect_usage_pieces(sub))
        out += [f"## `losslab {name}` {{#{name}}}", "", inspect.cleandoc(cmd.help or ""), "",
                "```text", f"losslab {name} {usage}", "```", ""]
        rows = []
        for p in cmd.get_params(sub):
            record = p.get_help_record(sub)
            if record is None:  # an argument
                record = (p.name.upper(), getattr(p, "help", "") or "")
            opt, help_text = record
            if opt.startswith("--help"):
                continue
            kind = "argument" if p.param_type_name == "argument" else "option"
            rows.append(f"| `{opt}` | {kind}{', required' if p.required else ''} | {_md_escape(help_text)} |")
        if rows:
            out += ["| option | kind | meaning |", "|---|---|---|", *rows, ""]
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------- tables embedded by markers
def properties_table() -> str:
    """Convexity and differentiability of every registry entry, as the registry declares them."""
    from losslab import registry

    rows = ["| loss | family | convex in the raw score | differentiable everywhere |", "|---|---|---|---|"]
    for s in registry.list_losses():
        rows.append(f"| [`{s.key}`](reference/losses/{s.family}.md#{s.key}) | {s.family} | {_yes_no(s.convex)} | "
                    f"{_yes_no(s.differentiable)} |")
    return "\n".join(rows)


def kinks_table() -> str:
    """What autograd returns at the points where a loss is not differentiable (measured now)."""
    import torch

    from losslab import registry

    cases: list[tuple[str, str, str, Callable[[], tuple[float, float]]]] = []

    def pointwise(key: str, x: float, y: float, **params: Any) -> Callable[[], tuple[float, float]]:
        def run() -> tuple[float, float]:
            z = torch.tensor([x], dtype=torch.float64, requires_grad=True)
            value = registry.get(key).load_functional()(z, torch.tensor([y], dtype=torch.float64), **params)
            (g,) = torch.autograd.grad(value, z)
            return float(value.detach()), float(g[0])
        return run

    cases.append(("mae", "ŷ = y = 0", "[−1, 1]", pointwise("mae", 0.0, 0.0)))
    for q in (0.1, 0.5, 0.9):
        cases.append(("pinball", f"ŷ = y = 0, quantile = {q}", f"[{-q:g}, {1 - q:g}]",
                      pointwise("pinball", 0.0, 0.0, quantile=q)))
    cases.append(("smooth_l1", "ŷ = y = 0, beta = 0 (equals MAE)", "[−1, 1]",
                  pointwise("smooth_l1", 0.0, 0.0, beta=0.0)))
    for s in registry.list_losses():
        if s.key.startswith("lovasz") and s.input_kind == "sigmoid_seg":
            def lovasz_tie(s=s) -> tuple[float, float]:
                z = torch.zeros(1, 1, 2, 2, dtype=torch.float64, requires_grad=True)
                y = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]], dtype=torch.float64)
                value = s.load_functional()(z, y)
                (g,) = torch.autograd.grad(value, z)
                return float(value.detach()), float(g[0, 0, 0, 0])
            cases.append((s.key, "2×2 image, all logits 0 (errors tied); the first pixel (y = 1)",
                          "depends on the order of the ties", lovasz_tie))
    rows = ["| loss | at | loss | subdifferential ∂loss/∂input | autograd returns |", "|---|---|---|---|---|"]
    for key, where, subdiff, run in cases:
        try:
            value, grad = run()
        except Exception as exc:  # noqa: BLE001 - reported
            log.warning("losslab docs: kinks table, %s: %s: %s", key, type(exc).__name__, exc)
            continue
        rows.append(f"| `{key}` | {where} | {value + 0.0:.4g} | {subdiff} | {grad + 0.0:.4g} |")
    return "\n".join(rows)


def docstring_section(obj: Any, title: str) -> str:
    """The text of a ``Title:`` section of a Google-style docstring, joined into one line ("" if absent)."""
    doc = inspect.getdoc(obj) or ""
    m = re.search(rf"^{re.escape(title)}:\s*\n((?:[ \t]+\S.*\n?|[ \t]*\n)+)", doc, re.M)
    if not m:
        return ""
    return " ".join(line.strip() for line in m.group(1).strip().splitlines() if line.strip())


def torch_mapping_table() -> str:
    """Every registry entry with a ``torch.nn`` counterpart, then its functional's ``Convention`` block."""
    from losslab import registry

    specs = [s for s in registry.list_losses() if s.torch_equivalent]
    rows = ["| torch.nn | losslab module | losslab functional |", "|---|---|---|"]
    notes = []
    for s in specs:
        module, function = _public(s.module).rsplit(".", 1)[1], _public(s.functional).rsplit(".", 1)[1]
        rows.append(f"| `{s.torch_equivalent}` | [`{module}`](reference/losses/{s.family}.md#{s.key}) | `{function}` |")
        try:
            convention = docstring_section(s.load_functional(), "Convention")
        except Exception as exc:  # noqa: BLE001 - reported
            log.warning("losslab docs: torch mapping, %s: %s: %s", s.key, type(exc).__name__, exc)
            continue
        notes.append(f"`{s.torch_equivalent}` → `{function}`\n:   {convention}\n")
    return "\n".join(rows) + "\n\nThe `Convention` block of each functional, which states the differences:\n\n" + \
        "\n".join(notes)


def api_index_table(package: str) -> str:
    """Public names of ``losslab.functional`` / ``losslab.nn`` / ``losslab.reference`` → loss-reference section."""
    from losslab import registry

    attr = {"losslab.functional": "functional", "losslab.nn": "module", "losslab.reference": "objective"}[package]
    rows = ["| name | registry key | summary |", "|---|---|---|"]
    for s in registry.list_losses():
        path = getattr(s, attr)
        if path:
            rows.append(f"| `{_public(path)}` | [`{s.key}`](../reference/losses/{s.family}.md#{s.key}) | "
                        f"{_md_escape(s.summary)} |")
    return "\n".join(rows)


def _quiet(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` with Python warnings silenced (a peer's deprecation notice is not a docs problem)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn()


def traps_table() -> str:
    """Degenerate inputs where common alternatives misbehave: their result and losslab's, measured now."""
    import torch
    import torch.nn.functional as F

    from losslab import registry

    f32 = torch.float32

    def grad_of(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> tuple[float, float]:
        x = x.clone().requires_grad_(True)
        value = fn(x)
        (g,) = torch.autograd.grad(value, x)
        return float(value.detach()), float(g.abs().max())

    def fmt(value_grad: tuple[float, float] | float) -> str:
        if isinstance(value_grad, tuple):
            return f"loss {value_grad[0]:.4g}, largest \\|∂loss/∂logit\\| {value_grad[1]:.3g}"
        return f"{value_grad:.4g}"

    rows: list[tuple[str, str, str, str, str]] = []

    def add(trap: str, peer: str, peer_run: Callable[[], Any], ours: str, our_run: Callable[[], Any]) -> None:
        try:
            rows.append((trap, peer, fmt(peer_run()), ours, fmt(our_run())))
        except Exception as exc:  # noqa: BLE001 - reported
            log.warning("losslab docs: traps table, %s: %s: %s", trap, type(exc).__name__, exc)

    fn = lambda key: registry.get(key).load_functional()  # noqa: E731
    z20 = torch.tensor([20.0], dtype=f32)
    add("confident false positive in float32 (logit 20, y = 0)",
        "`F.binary_cross_entropy(torch.sigmoid(z), y)`",
        lambda: grad_of(lambda z: F.binary_cross_entropy(torch.sigmoid(z), torch.zeros(1)), z20),
        "`sigmoid_cross_entropy(z, y)`", lambda: grad_of(lambda z: fn("sigmoid_ce")(z, torch.zeros(1)), z20))
    empty = torch.zeros(0, dtype=f32)
    add("mean over an empty batch", "`F.mse_loss(empty, empty)`", lambda: float(F.mse_loss(empty, empty)),
        "`mse_loss(empty, empty)`", lambda: float(fn("mse")(empty, empty)))
    ignored = torch.full((4,), -100)
    add("every element ignored (`ignore_index`)", "`F.cross_entropy(logits, all -100)`",
        lambda: float(F.cross_entropy(torch.zeros(4, 3), ignored)),
        "`softmax_cross_entropy(logits, all -100)`", lambda: float(fn("softmax_ce")(torch.zeros(4, 3), ignored)))
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    dist = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])
    add("KL divergence with `reduction=\"mean\"`", "`F.kl_div(log_softmax(z), t, reduction=\"mean\")`",
        lambda: _quiet(lambda: float(F.kl_div(F.log_softmax(logits, 1), dist, reduction="mean"))),
        "`softmax_kl_div(z, t)` (per sample)", lambda: float(fn("kl_div")(logits, dist)))
    dice = next((s for s in registry.list_losses(family="overlap")
                 if "dice" in s.key and s.input_kind == "sigmoid_seg"), None)
    if dice is not None:
        try:
            from monai.losses import DiceLoss
        except ImportError:
            DiceLoss = None
        if DiceLoss is not None:
            empty_t = torch.zeros(2, 1, 32, 32)
            full_pred = torch.full((2, 1, 32, 32), 3.0)
            empty_pred = torch.full((2, 1, 32, 32), -30.0)
            monai = DiceLoss(sigmoid=True)
            ours = dice.load_functional()
            add("empty target, every pixel predicted foreground (logit 3)", "MONAI `DiceLoss(sigmoid=True)`",
                lambda: grad_of(lambda z: monai(z, empty_t), full_pred),
                f"`{_public(dice.functional).rsplit('.', 1)[1]}` (defaults)",
                lambda: grad_of(lambda z: ours(z, empty_t), full_pred))
            add("empty target, empty prediction (logit −30)", "MONAI `DiceLoss(sigmoid=True)`",
                lambda: grad_of(lambda z: monai(z, empty_t), empty_pred),
                f"`{_public(dice.functional).rsplit('.', 1)[1]}` (defaults)",
                lambda: grad_of(lambda z: ours(z, empty_t), empty_pred))
    out = ["| input | common alternative | its result | losslab | losslab's result |", "|---|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows]
    return "\n".join(out)


def advisor_rules_table() -> str:
    """The advisor's rule table (``losslab.advisor.rules.RULES``) and its thresholds, read from the code."""
    from losslab import registry
    from losslab.advisor import rules

    keys_in_order = [s.key for s in registry.list_losses()]
    fmt = re.compile(r"\{(v\d+)(?:![rsa])?(?::[^}]*)?\}")
    out = ["| rule | tasks | fires when | proposes | because | reference |", "|---|---|---|---|---|---|"]
    for rule in rules.RULES:
        stats = [c.statistic for c in rule.when]
        when = "always" if all(c.threshold == "ZERO" for c in rule.when) else "; ".join(
            f"`{c.statistic}` {c.describe()}" for c in rule.when)
        try:
            source = inspect.getsource(rule.then)
            for helper in set(re.findall(r"\b(_\w+)\(", source)):  # one level of helpers (e.g. _ce_key)
                if inspect.isfunction(getattr(rules, helper, None)):
                    source += inspect.getsource(getattr(rules, helper))
        except (OSError, TypeError):
            source = ""
        literal = set(re.findall(r"[\"']([a-z0-9_]+)[\"']", source))
        # f"{prefix}_dice_ce" style keys: the activation prefix follows the rule's tasks
        prefixes = {"sigmoid" for t in rule.tasks if t in ("binary", "multilabel", "binary_segmentation")} | \
                   {"softmax" for t in rule.tasks if t in ("multiclass", "multiclass_segmentation")}
        templated = {pre + suffix for suffix in re.findall(r"f[\"']\{[^}]+\}(_[a-z0-9_]+)[\"']", source)
                     for pre in prefixes}
        proposed = [k for k in keys_in_order if k in (literal | templated)]
        proposes = ", ".join(f"[`{k}`](reference/losses/{registry.get(k).family}.md#{k})" for k in proposed) or \
            "advice (no loss)"
        says = fmt.sub(lambda m, stats=stats: f"‹{stats[int(m.group(1)[1:])]}›"
                       if int(m.group(1)[1:]) < len(stats) else "‹…›", rule.says)
        says = says.replace("{p.ignore_index!r}", "‹ignore_index›")
        out.append(f"| `{rule.id}` | {', '.join(rule.tasks)} | {_md_escape(when)} | {proposes} | "
                   f"{_md_escape(says)} | {_md_escape(rule.reference)} |")
    out += ["", "The thresholds, named constants of `losslab.advisor.rules` (their sources are in "
            "[the advisor's page](advisor.md)):", "", "| threshold | value | meaning |", "|---|---|---|"]
    comments = _constant_comments(rules)
    for name, value in rules.THRESHOLDS.items():
        if name == "ZERO":
            continue
        out.append(f"| `{name}` | {value:g} | {_md_escape(comments.get(name, ''))} |")
    return "\n".join(out)


def _constant_comments(module: Any) -> dict[str, str]:
    """``{NAME: text}`` from ``#: text`` comment lines directly above ``NAME = value`` in ``module``'s source."""
    comments: dict[str, str] = {}
    pending: list[str] = []
    for line in inspect.getsource(module).splitlines():
        if line.startswith("#:"):
            pending.append(line[2:].strip())
            continue
        m = re.match(r"([A-Z][A-Z0-9_]*)\s*(?::[^=]*)?=", line)
        if m and pending:
            comments[m.group(1)] = " ".join(pending)
        pending = []
    return comments


# (peer, peer call, registry key, losslab arguments, differences on purpose). Peer semantics checked against
# MONAI 1.x (installed: the traps table measures it) and segmentation_models_pytorch's losses/ source.
PEERS: dict[str, list[tuple[str, str, str, str]]] = {
    "monai": [
        ("DiceLoss(sigmoid=True)", "sigmoid_dice", "`smooth=s` for `smooth_nr=smooth_dr=s`; `aggregate=\"batch\"` "
         "for `batch=True`", "empty target: loss P/n (MONAI: P/(P + s), whose gradient vanishes); `class_weight` "
         "enters a weighted mean (MONAI: multiplied, plain mean)"),
        ("DiceLoss(softmax=True, to_onehot_y=True)", "softmax_dice", "target as class indices `(N, *spatial)` "
         "(MONAI: `(N, 1, *spatial)`) or one-hot `(N, C, *spatial)`", "as above; `ignore_index` leaves the pixel "
         "out of every statistic"),
        ("DiceLoss(..., jaccard=True)", "sigmoid_jaccard", "also `softmax_jaccard`", "empty-target rule as Dice"),
        ("DiceLoss(..., squared_pred=True)", "sigmoid_dice", "`squared=True`", ""),
        ("GeneralizedDiceLoss(w_type=\"square\")", "sigmoid_generalized_dice", "`weighting=\"square\"`; also "
         "`softmax_generalized_dice`", "one loss per image (or per batch)"),
        ("TverskyLoss(alpha, beta)", "sigmoid_tversky", "same meaning: α weights false positives, β false negatives; "
         "also `softmax_tversky`", "defaults α = 0.3, β = 0.7 (MONAI: 0.5, 0.5 — the Dice loss)"),
        ("FocalLoss(use_softmax=False)", "sigmoid_focal", "`alpha=None` for MONAI's default", "default α = 0.25 "
         "(MONAI: None)"),
        ("FocalLoss(use_softmax=True, to_onehot_y=True)", "softmax_focal", "class-index target", "α is per class, "
         "shape `(C,)`"),
        ("DiceCELoss(sigmoid=True)", "sigmoid_dice_ce", "`dice_weight`, `ce_weight` for `lambda_dice`, `lambda_ce`; "
         "also `softmax_dice_ce`", "the Dice term follows losslab's empty-target rule"),
        ("DiceFocalLoss(sigmoid=True)", "sigmoid_dice_focal", "also `softmax_dice_focal`", ""),
    ],
    "smp": [
        ("DiceLoss(mode=\"binary\" | \"multilabel\")", "sigmoid_dice", "`aggregate=\"batch\"`, `smooth=0` "
         "(smp: `smooth=0`, `eps=1e-7` in the denominator)", "smp multiplies the loss of a class with no "
         "foreground pixel in the batch by 0, so false positives there get no gradient; losslab penalises them "
         "(P/n)"),
        ("DiceLoss(mode=\"multiclass\")", "softmax_dice", "`aggregate=\"batch\"`", "as above"),
        ("JaccardLoss(mode=...)", "sigmoid_jaccard", "`aggregate=\"batch\"`; also `softmax_jaccard`", "as above"),
        ("TverskyLoss(alpha, beta, gamma)", "sigmoid_tversky", "same α (false positives) and β (false negatives); "
         "also `softmax_tversky`", "smp raises the *mean over classes* to γ; losslab's focal Tversky applies its "
         "exponent per term (`sigmoid_focal_tversky`)"),
        ("FocalLoss(mode=\"binary\")", "sigmoid_focal", "`alpha=None` for smp's default", "default α = 0.25 "
         "(smp: None)"),
        ("FocalLoss(mode=\"multiclass\")", "sigmoid_focal", "on one-hot targets, `reduction=\"sum\"` or × C",
         "smp's multi-class focal loss is a *sigmoid* focal loss per class channel (one-vs-rest), summed over "
         "classes; losslab's `softmax_focal` is the softmax focal loss of Lin et al."),
        ("LovaszLoss(mode=\"binary\", per_image=False)", "lovasz_hinge", "`aggregate=\"batch\"` (losslab's "
         "default is per image, as Berman et al.'s reference)", "smp pools every channel of a multi-label "
         "output into one set; losslab computes one Lovász hinge per channel"),
        ("LovaszLoss(mode=\"multiclass\")", "lovasz_softmax", "`aggregate=\"batch\"` (the default)", ""),
        ("SoftBCEWithLogitsLoss(smooth_factor=s)", "sigmoid_ce", "`label_smoothing=2 * s` (smp: y(1 − s) + (1 − y)s; "
         "losslab: y(1 − ε) + ε/2)", "smp's `ignore_index` zeroes ignored terms but keeps them in the mean's "
         "denominator; pass `weight=(target != ignore)` to losslab, which leaves them out of both"),
    ],
    # Keras 3 / tf.keras and optax: the option mappings under which their published test values are ported in
    # tests/functional/test_published_values_keras.py and test_published_values_smp_optax.py (all agree).
    "keras": [
        ("BinaryCrossentropy(from_logits=True, label_smoothing=ε)", "sigmoid_ce", "`label_smoothing=ε` (the same "
         "y(1 − ε) + ε/2)", "Keras' default mean divides the weighted sum by the number of samples, losslab by "
         "Σ w (equal without sample weights)"),
        ("BinaryCrossentropy(from_logits=False)", "binary_ce_probs", "prefer `sigmoid_ce` on logits",
         "Keras clips p to [1e-7, 1 − 1e-7] (in float32 the upper bound is 1 − 2⁻²³); losslab clamps at `eps` "
         "(default 1e-12) inside the logs only"),
        ("BinaryFocalCrossentropy(gamma=g, from_logits=True)", "sigmoid_focal", "`gamma=g, alpha=None`; with "
         "`apply_class_balancing=True, alpha=a`: `alpha=a`", "default α = 0.25 (Keras: no balancing)"),
        ("SparseCategoricalCrossentropy(from_logits=True, ignore_class=k)", "softmax_ce", "`ignore_index=k`; "
         "class axis at dim 1 (Keras: last, `x.movedim(-1, 1)`)", ""),
        ("CategoricalCrossentropy(from_logits=True, label_smoothing=ε)", "softmax_ce", "one-hot or probability "
         "target at dim 1, `label_smoothing=ε`", ""),
        ("CategoricalFocalCrossentropy(alpha=a, gamma=g, from_logits=True)", "softmax_focal", "`alpha` as the "
         "tensor `[a] * C`, `gamma=g`, probability target", "Keras' default α = 0.25 scales every class; "
         "losslab's default is no α"),
        ("Huber(delta)", "huber", "`delta`", ""),
        ("LogCosh()", "log_cosh", "", ""),
        ("Poisson()", "poisson_nll", "pass `log(y_pred)`: losslab takes the log-rate", "Keras adds 1e-7 inside "
         "its log"),
        ("KLDivergence()", "kl_div", "pass `log(y_pred)` as logits (a softmax of them is y_pred / Σ y_pred)",
         "Keras clips both distributions to [1e-7, 1]"),
        ("Dice(axis=None)", "sigmoid_dice", "`aggregate=\"batch\"`, `smooth=0`, logits (Keras: probabilities)",
         "empty target: P/n"),
        ("Tversky(alpha=a, beta=b)", "sigmoid_tversky", "`alpha=b, beta=a`: Keras' `alpha` multiplies the false "
         "*negatives* (contrary to its docstring; its published values confirm it)", "empty target: P/n"),
    ],
    "optax": [
        ("sigmoid_binary_cross_entropy(logits, labels)", "sigmoid_ce", "`reduction=\"none\"` (optax returns "
         "the elementwise loss)", ""),
        ("softmax_cross_entropy(logits, labels)", "softmax_ce", "probability target at dim 1 (optax: last axis), "
         "`reduction=\"none\"`", "a class masked with a −∞ logit and label 0 costs 0 (0 · log 0 = 0)"),
        ("softmax_cross_entropy_with_integer_labels(logits, labels)", "softmax_ce", "class-index target", ""),
        ("poly_loss_cross_entropy(logits, labels, epsilon)", "poly1", "`epsilon`", ""),
        ("kl_divergence(log_predictions, targets)", "kl_div", "pass the log-predictions as logits",
         "losslab applies a log-softmax first: equal for normalised log-probabilities"),
        ("sigmoid_focal_loss(logits, labels, alpha, gamma)", "sigmoid_focal", "`alpha`, `gamma` (torchvision's "
         "form in both)", "default α = 0.25 (optax: None)"),
        ("huber_loss(predictions, targets, delta)", "huber", "`delta`", ""),
        ("l2_loss(predictions, targets)", "mse", "halve it: optax's l2 is ½ (y − ŷ)²", ""),
        ("log_cosh(predictions, targets)", "log_cosh", "", ""),
        ("dice_loss(predictions, targets)", "sigmoid_dice", "`aggregate=\"per_image\"`, `smooth` as optax's; "
         "`softmax_dice` for more than one class; channels at dim 1", "empty target: P/n"),
    ],
}


def peer_mapping_table(peer: str) -> str:
    """Peer class → losslab loss, the arguments that make them agree, and the differences on purpose."""
    from losslab import registry

    rows = ["| peer | losslab | arguments | differences on purpose |", "|---|---|---|---|"]
    for call, key, args, diff in PEERS[peer]:
        try:
            spec = registry.get(key)
        except ValueError:
            log.warning("losslab docs: migration table (%s): no registry entry %r", peer, key)
            continue
        module = _public(spec.module).rsplit(".", 1)[1]
        rows.append(f"| `{call}` | [`{module}`](reference/losses/{spec.family}.md#{key}) | {_md_escape(args)} | "
                    f"{_md_escape(diff) or '—'} |")
    return "\n".join(rows)


def api_block(module: str) -> str:
    """``::: module`` (mkdocstrings) when the module imports; otherwise a warning and a failure note."""
    try:
        if importlib.import_module(module).__file__ is None:
            raise ImportError("a namespace package (no __init__.py yet)")
    except Exception as exc:  # noqa: BLE001 - reported
        log.warning("losslab docs: %s does not import (%s: %s)", module, type(exc).__name__, exc)
        return f'!!! failure "`{module}` does not import"\n    {type(exc).__name__}: {exc}\n'
    return (f"::: {module}\n    options:\n        show_root_heading: false\n        show_root_toc_entry: false\n"
            f"        heading_level: 2\n")


MARKERS: dict[str, Callable[..., str]] = {
    "api": api_block,
    "traps": traps_table,
    "advisor-rules": advisor_rules_table,
    "peer-mapping": peer_mapping_table,
    "properties": properties_table,
    "kinks": kinks_table,
    "torch-mapping": torch_mapping_table,
    "api-index": api_index_table,
}
_MARKER = re.compile(r"<!--\s*gen:([\w-]+)((?:\s+[\w.]+)*)\s*-->")


def expand_markers(markdown: str, page: str = "?") -> str:
    def sub(m: re.Match) -> str:
        name, args = m.group(1), m.group(2).split()
        if name not in MARKERS:
            log.warning("losslab docs: %s: unknown marker gen:%s (known: %s)", page, name, ", ".join(MARKERS))
            return m.group(0)
        try:
            return MARKERS[name](*args)
        except Exception as exc:  # noqa: BLE001 - reported
            log.warning("losslab docs: %s: gen:%s failed: %s: %s", page, name, type(exc).__name__, exc)
            return f'!!! failure "gen:{name} failed"\n    {type(exc).__name__}: {exc}\n'
    return _MARKER.sub(sub, markdown)


# --------------------------------------------------------------------------- docstring coverage
def undocumented(modules: tuple[str, ...] = PUBLIC_MODULES, *, need_example: bool = False) -> list[str]:
    """Public names (module ``__all__``, or public functions/classes defined there) without a docstring.

    With ``need_example=True`` also those whose docstring has no ``>>>`` example. A module that does not
    import is listed as ``"<module>: import failed (...)"``.
    """
    problems: list[str] = []
    for name in modules:
        try:
            mod = importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - reported
            problems.append(f"{name}: import failed ({type(exc).__name__}: {exc})")
            continue
        if not (mod.__doc__ or "").strip():
            problems.append(f"{name}: module docstring missing")
        names = getattr(mod, "__all__", None)
        if names is None:
            names = [n for n, o in vars(mod).items() if not n.startswith("_")
                     and (inspect.isfunction(o) or inspect.isclass(o)) and o.__module__ == name]
        for n in names:
            try:
                obj = getattr(mod, n)
            except Exception as exc:  # noqa: BLE001 - a lazy attribute that does not load
                problems.append(f"{name}.{n}: does not load ({type(exc).__name__}: {exc})")
                continue
            if obj is None or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue  # submodules are checked on their own, constants need no docstring
            doc = obj.__doc__ or ""
            if not doc.strip():
                problems.append(f"{name}.{n}: no docstring")
            elif need_example and ">>>" not in doc:
                problems.append(f"{name}.{n}: docstring has no example")
    return problems


# ----------------------------------------------------------------------------------- mkdocs events
def _load_sibling(name: str):
    """Import ``docs/<name>.py`` (MkDocs does not keep ``docs/`` on ``sys.path`` after loading the hook)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def generated_files() -> dict[str, str | bytes]:
    """Every generated page and figure, ``{docs-relative path: content}``."""
    gen_figures = _load_sibling("gen_figures")
    files: dict[str, str | bytes] = {}
    files.update(loss_reference_pages())
    try:
        files["reference/cli.md"] = cli_reference_page()
    except Exception as exc:  # noqa: BLE001 - reported
        log.warning("losslab docs: CLI reference failed: %s: %s", type(exc).__name__, exc)
    for rel, content in gen_figures.all_figures():
        if isinstance(content, Exception):
            log.warning("losslab docs: figure %s failed: %s: %s", rel, type(content).__name__, content)
        else:
            files[rel] = content
    return files


def on_files(files, config, **kwargs):
    for problem in undocumented():
        log.warning("losslab docs: %s", problem)
    for rel, content in generated_files().items():
        existing = files.get_file_from_path(rel)
        if existing is not None:
            log.warning("losslab docs: %s is generated; remove the file from docs/", rel)
            files.remove(existing)
        files.append(File.generated(config, rel, content=content))
    return files


def on_page_markdown(markdown, page, config, files, **kwargs):
    return expand_markers(markdown, page.file.src_uri)
