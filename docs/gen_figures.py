"""Figures of the documentation, computed from losslab itself (never drawn by hand).

Every figure is a function returning PNG bytes; the MkDocs hook (``docs/hooks.py``) calls them during the
build, so a figure cannot drift from the code. Run as a script to write them to a folder for a look::

    python docs/gen_figures.py /tmp/figures          # every figure
    python docs/gen_figures.py /tmp/figures mse dice # only these losses
    python docs/gen_figures.py --readme              # refresh docs/assets/logits-in.png (README figure)

The loss-reference figure of a registry entry plots the loss and the gradient that back-propagation
receives, ``∂loss/∂raw`` by ``torch.autograd`` through the registry's functional (defaults for every
hyper-parameter), against one raw score:

* regression: the prediction ŷ with target 0 (so the x-axis is the residual ŷ − y);
* log-rate: the log-rate s for counts y = 0, 1, 4;
* binary logits: the logit z for y = 1 and y = 0;
* probabilities: the probability p for y = 1 and y = 0;
* class logits / distributions: the logit z of the true class, and of a wrong class (other logits 0);
* segmentation (set-level) losses: the logit of one pixel of a 4×4 image whose other pixels are predicted
  with logit ±2 toward their targets; the curves are "the pixel is foreground" and "the pixel is
  background" (sigmoid), or "z is the logit of the pixel's class" and "of another class" (softmax).
  The loss plotted is the whole image's loss, the gradient the one that pixel's logit receives.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from losslab import registry  # noqa: E402

DPI = 96
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _loss_and_grad(fn: Callable[[torch.Tensor], torch.Tensor], xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Loss and d loss / dx at each x, where ``fn`` maps a 0-d float64 tensor to a scalar loss."""
    losses, grads = [], []
    for x in xs:
        z = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
        value = fn(z)
        (g,) = torch.autograd.grad(value, z, allow_unused=True)
        losses.append(float(value.detach()))
        grads.append(0.0 if g is None else float(g))
    return np.array(losses), np.array(grads)


# ------------------------------------------------------------------------------- per-loss curves
def loss_curves(spec: registry.LossSpec) -> tuple[str, np.ndarray, list[tuple[str, np.ndarray, np.ndarray]]]:
    """``(x label, xs, [(curve label, loss, gradient), ...])`` for the loss-reference figure of ``spec``."""
    fn = spec.load_functional()
    kind = spec.input_kind
    f64 = torch.float64
    if kind == "regression":
        xs = np.linspace(-3, 3, 241)
        return "prediction ŷ − target y", xs, [
            ("target y = 0", *_loss_and_grad(lambda z: fn(z.reshape(1), torch.zeros(1, dtype=f64)), xs))]
    if kind == "log_rate":
        xs = np.linspace(-3, 3, 241)
        return "log-rate s", xs, [
            (f"count y = {c}", *_loss_and_grad(lambda z, c=c: fn(z.reshape(1), torch.full((1,), float(c), dtype=f64)),
                                               xs)) for c in (0, 1, 4)]
    if kind == "binary_logits":
        xs = np.linspace(-8, 8, 321)
        return "logit z", xs, [
            (f"y = {y}", *_loss_and_grad(lambda z, y=y: fn(z.reshape(1), torch.full((1,), float(y), dtype=f64)), xs))
            for y in (1, 0)]
    if kind == "binary_probs":
        xs = np.linspace(0.005, 0.995, 199)
        return "probability p", xs, [
            (f"y = {y}", *_loss_and_grad(lambda z, y=y: fn(z.reshape(1), torch.full((1,), float(y), dtype=f64)), xs))
            for y in (1, 0)]
    if kind in ("class_logits", "class_probs"):
        xs = np.linspace(-8, 8, 321)
        if kind == "class_logits":
            target = torch.zeros(1, dtype=torch.int64)
            what = "class index 0"
        else:
            target = torch.tensor([[0.7, 0.2, 0.1]], dtype=f64)
            what = "target (0.7, 0.2, 0.1)"

        def at(position: int) -> Callable[[torch.Tensor], torch.Tensor]:
            def f(z: torch.Tensor) -> torch.Tensor:
                logits = torch.zeros(1, 3, dtype=f64)
                logits = logits.index_put((torch.tensor([0]), torch.tensor([position])), z.reshape(1))
                return fn(logits, target)
            return f

        return "logit z (other logits 0, 3 classes)", xs, [
            (f"z = logit of class 0, {what}", *_loss_and_grad(at(0), xs)),
            (f"z = logit of class 1, {what}", *_loss_and_grad(at(1), xs))]
    if kind == "sigmoid_seg":
        xs = np.linspace(-8, 8, 161)
        target = torch.zeros(1, 1, 4, 4, dtype=f64)
        target[0, 0, 1:3, 1:3] = 1.0  # 4 foreground pixels out of 16
        base = (target * 2 - 1) * 2.0  # logit +2 on foreground, -2 on background

        def pixel(i: int, j: int) -> Callable[[torch.Tensor], torch.Tensor]:
            def f(z: torch.Tensor) -> torch.Tensor:
                mask = torch.zeros_like(base)
                mask[0, 0, i, j] = 1.0
                return fn(base * (1 - mask) + z * mask, target)
            return f

        return "logit z of one pixel (others at logit ±2)", xs, [
            ("the pixel is foreground", *_loss_and_grad(pixel(1, 1), xs)),
            ("the pixel is background", *_loss_and_grad(pixel(0, 0), xs))]
    if kind == "softmax_seg":
        xs = np.linspace(-8, 8, 161)
        target = torch.zeros(1, 4, 4, dtype=torch.int64)
        target[0, 1:3, 1:3] = 1
        target[0, 0, :] = 2  # classes 0 (10 px), 1 (4 px), 2 (4 px)
        base = torch.nn.functional.one_hot(target, 3).permute(0, 3, 1, 2).to(f64) * 2.0

        def logit(c: int) -> Callable[[torch.Tensor], torch.Tensor]:
            def f(z: torch.Tensor) -> torch.Tensor:
                mask = torch.zeros_like(base)
                mask[0, c, 1, 1] = 1.0  # the pixel at (1, 1) is of class 1
                return fn(base * (1 - mask) + z * mask, target)
            return f

        return "logit z of one pixel (others: logit 2 on their class)", xs, [
            ("z = logit of the pixel's class", *_loss_and_grad(logit(1), xs)),
            ("z = logit of another class", *_loss_and_grad(logit(0), xs))]
    raise ValueError(f"gen_figures: expected a known input kind, got {kind!r}")


def loss_figure(spec: registry.LossSpec | str) -> bytes:
    """Two panels, the loss and ``∂loss/∂raw`` (autograd), of one registry entry with default parameters."""
    spec = registry.get(spec) if isinstance(spec, str) else spec
    xlabel, xs, curves = loss_curves(spec)
    fig, (ax_l, ax_g) = plt.subplots(1, 2, figsize=(9, 3.2))
    for (label, loss, grad), color in zip(curves, COLORS):
        ax_l.plot(xs, loss, color=color, label=label)
        ax_g.plot(xs, grad, color=color, label=label)
    ax_l.set_title(f"{spec.key}: loss")
    ax_g.set_title(f"{spec.key}: gradient ∂loss/∂{'p' if spec.input_kind == 'binary_probs' else 'raw'} (autograd)")
    for ax in (ax_l, ax_g):
        ax.set_xlabel(xlabel)
        ax.axhline(0, color="0.75", lw=0.8, zorder=0)
        ax.grid(alpha=0.3)
    ax_l.legend(fontsize=8, loc="best")
    return _png(fig)


# ------------------------------------------------------------------------------- concept figures
def fig_activation_pairs() -> bytes:
    """Sigmoid + cross-entropy hands back p − y; sigmoid + squared error on the probability saturates."""
    from losslab.functional import mse_loss, sigmoid_cross_entropy

    xs = np.linspace(-10, 10, 401)
    one = torch.ones(1, dtype=torch.float64)
    ce_l, ce_g = _loss_and_grad(lambda z: sigmoid_cross_entropy(z.reshape(1), one), xs)
    se_l, se_g = _loss_and_grad(lambda z: mse_loss(torch.sigmoid(z).reshape(1), one), xs)
    fig, (ax_l, ax_g) = plt.subplots(1, 2, figsize=(9, 3.2))
    ax_l.plot(xs, ce_l, color=COLORS[0], label="sigmoid_cross_entropy(z, 1)")
    ax_l.plot(xs, se_l, color=COLORS[1], label="mse_loss(sigmoid(z), 1)")
    ax_g.plot(xs, ce_g, color=COLORS[0], label="p − y")
    ax_g.plot(xs, se_g, color=COLORS[1], label="2(p − y)·p(1 − p)")
    ax_l.set_title("loss for a positive (y = 1)")
    ax_g.set_title("gradient w.r.t. the logit z (autograd)")
    for ax in (ax_l, ax_g):
        ax.set_xlabel("logit z")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return _png(fig)


def fig_logits_vs_probs() -> bytes:
    """Float32 log loss of confidently wrong predictions: exact from logits, saturated from probabilities."""
    from losslab.functional import binary_cross_entropy_probs, sigmoid_cross_entropy

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), sharey=True)
    for ax, y_value, z in ((axes[0], 1.0, torch.linspace(-120, 0, 481)), (axes[1], 0.0, torch.linspace(0, 120, 481))):
        y = torch.full_like(z, y_value)
        p = torch.sigmoid(z)
        ax.plot(z, sigmoid_cross_entropy(z, y, reduction="none"), color=COLORS[0], label="sigmoid_cross_entropy(z, y)")
        ax.plot(z, binary_cross_entropy_probs(p, y, reduction="none"), color=COLORS[1], ls="--",
                label="binary_cross_entropy_probs(σ(z), y)")
        ax.plot(z, torch.nn.functional.binary_cross_entropy(p, y, reduction="none"), color=COLORS[2], ls=":",
                label="torch.nn.functional.binary_cross_entropy(σ(z), y)")
        ax.set_xlabel("logit z (float32)")
        ax.set_title(f"y = {y_value:g}: " + ("a positive predicted negative" if y_value else "a negative predicted positive"))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("loss")
    axes[1].legend(fontsize=8, loc="upper left")
    return _png(fig)


def fig_regression_family() -> bytes:
    """MSE, MAE, Huber, log-cosh and pinball: loss and gradient against the residual."""
    keys = [("mse", {}), ("mae", {}), ("huber", {"delta": 1.0}), ("log_cosh", {}), ("pinball", {"quantile": 0.9})]
    xs = np.linspace(-3, 3, 241)
    zero = torch.zeros(1, dtype=torch.float64)
    fig, (ax_l, ax_g) = plt.subplots(1, 2, figsize=(9, 3.2))
    for (key, params), color in zip(keys, COLORS):
        fn = registry.get(key).load_functional()
        loss, grad = _loss_and_grad(lambda z, fn=fn, params=params: fn(z.reshape(1), zero, **params), xs)
        label = key + "".join(f" {k}={v}" for k, v in params.items())
        ax_l.plot(xs, loss, color=color, label=label)
        ax_g.plot(xs, grad, color=color, label=label)
    ax_l.set_ylim(-0.2, 4.5)
    ax_l.set_title("loss")
    ax_g.set_title("gradient ∂loss/∂ŷ (autograd)")
    for ax in (ax_l, ax_g):
        ax.set_xlabel("residual ŷ − y")
        ax.grid(alpha=0.3)
    ax_l.legend(fontsize=8)
    return _png(fig)


def fig_focal() -> bytes:
    """Focal loss for a positive against p = σ(z), γ = 0 (cross-entropy), 0.5, 1, 2, 5 (Lin et al., Fig. 1)."""
    from losslab.functional import sigmoid_focal_loss

    z = torch.linspace(-6, 8, 400, dtype=torch.float64)
    y = torch.ones_like(z)
    p = torch.sigmoid(z)
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    for gamma, color in zip((0.0, 0.5, 1.0, 2.0, 5.0), COLORS):
        loss = sigmoid_focal_loss(z, y, gamma=gamma, alpha=None, reduction="none")
        ax.plot(p, loss, color=color, label=f"γ = {gamma:g}" + (" (cross-entropy)" if gamma == 0 else ""))
    ax.set_xlabel("probability of the true class p_t")
    ax.set_ylabel("loss")
    ax.set_ylim(0, 5)
    ax.set_title("sigmoid_focal_loss(alpha=None): easy examples are down-weighted")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _png(fig)


def fig_trivial_background() -> bytes:
    """1 % foreground: mean cross-entropy rewards predicting "all background"; an overlap loss does not."""
    n, fg = 10_000, 100
    target = torch.zeros(1, 1, n, dtype=torch.float64)
    target[..., :fg] = 1.0
    bs = np.linspace(0, 10, 101)
    curves = [("sigmoid_ce", "sigmoid_ce (mean)")]
    overlap = [s.key for s in registry.list_losses(family="overlap") if s.input_kind == "sigmoid_seg"]
    for key in (["sigmoid_dice"] if "sigmoid_dice" in overlap else []) + [k for k in overlap if "lovasz" in k][:1]:
        curves.append((key, key))
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    for (key, label), color in zip(curves, COLORS):
        fn = registry.get(key).load_functional()
        values = [float(fn(torch.full((1, 1, n), -float(b), dtype=torch.float64), target)) for b in bs]
        ax.plot(bs, values, color=color, label=label)
    ax.set_xlabel("b: every pixel predicted background with logit −b")
    ax.set_ylabel("loss")
    ax.set_title("1 % foreground, the trivial all-background prediction")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _png(fig)


CONCEPT_FIGURES: dict[str, Callable[[], bytes]] = {
    "activation_pairs": fig_activation_pairs,
    "logits_vs_probs": fig_logits_vs_probs,
    "regression_family": fig_regression_family,
    "focal": fig_focal,
    "trivial_background": fig_trivial_background,
}


def all_figures(keys: list[str] | None = None) -> Iterator[tuple[str, bytes | Exception]]:
    """``(path under docs/, PNG bytes)`` for every figure, or the exception that prevented one."""
    for spec in registry.list_losses():
        if keys and spec.key not in keys:
            continue
        try:
            yield f"images/losses/{spec.key}.png", loss_figure(spec)
        except Exception as exc:  # reported by the hook (a warning fails a --strict build)
            yield f"images/losses/{spec.key}.png", exc
    for name, make in CONCEPT_FIGURES.items():
        if keys and name not in keys:
            continue
        try:
            yield f"images/concepts/{name}.png", make()
        except Exception as exc:
            yield f"images/concepts/{name}.png", exc


#: The one figure the README shows (GitHub renders README images from the repository, so this one is
#: committed; ``tests/docs/test_docs_build.py`` checks it still matches what this script draws).
README_FIGURE = Path(__file__).resolve().parent / "assets" / "logits-in.png"


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    if argv == ["--readme"]:
        README_FIGURE.parent.mkdir(parents=True, exist_ok=True)
        README_FIGURE.write_bytes(fig_activation_pairs())
        print(README_FIGURE)
        return 0
    out = Path(argv[0])
    failed = 0
    for rel, content in all_figures(argv[1:] or None):
        if isinstance(content, Exception):
            print(f"{rel}: FAILED: {type(content).__name__}: {content}", file=sys.stderr)
            failed += 1
            continue
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        print(path)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
