"""Figures of a :class:`~losslab.compare.results.CompareResult`: learning curves, metric bars, examples."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from ._figure import colours, new_figure, save


def plot_learning_curves(result: Any, path: str | Path) -> Path:
    """Training loss (relative to its first logged value, log scale) and the held-out primary metric.

    One line per candidate (mean over seeds); the shaded band is the seed range of the metric.

    Example:
        >>> import tempfile, pathlib
        >>> from losslab.compare import compare
        >>> from losslab.plotting import plot_learning_curves
        >>> r = compare(["mse", "mae"], "outliers", seeds=2)
        >>> plot_learning_curves(r, pathlib.Path(tempfile.mkdtemp()) / "curves.png").name
        'curves.png'
    """
    fig = new_figure(12, 4.4)
    ax_l, ax_m = fig.subplots(1, 2)
    primary = result.settings.get("primary_metric", "")
    for name, col in zip(result.candidate_names, colours(len(result.candidate_names))):
        runs = list(result.curves.get(name, {}).values())
        runs = [r for r in runs if r["step"]]
        if not runs:
            continue
        n = min(len(r["step"]) for r in runs)
        steps = np.asarray(runs[0]["step"][:n])
        rel = []
        for r in runs:
            lo = np.asarray(r["loss"][:n], dtype=float)
            first = lo[0] if lo[0] != 0 and math.isfinite(lo[0]) else 1.0
            rel.append(lo / abs(first))
        ax_l.plot(steps, np.mean(rel, axis=0), color=col, label=name, lw=1.8)
        ev = [r for r in runs if r["eval"]]
        if ev:
            k = min(len(r["eval"]) for r in ev)
            es = np.asarray(ev[0]["eval_step"][:k])
            vals = np.asarray([r["eval"][:k] for r in ev], dtype=float)
            ax_m.plot(es, np.nanmean(vals, axis=0), "o-", color=col, label=name, lw=1.8, ms=4)
            if len(ev) > 1:
                ax_m.fill_between(es, np.nanmin(vals, axis=0), np.nanmax(vals, axis=0), color=col, alpha=0.15)
    ax_l.set_yscale("log")
    ax_l.set(xlabel="optimizer step", ylabel="training loss / first value", title="training loss (relative)")
    sub = result.settings.get("eval_subset")
    ax_m.set(xlabel="optimizer step", ylabel=primary,
             title=f"held-out {primary}" + (f" ({sub} test samples)" if sub else ""))
    for a in (ax_l, ax_m):
        a.grid(alpha=0.3)
    ax_l.legend(fontsize=8)
    fig.suptitle(f"{result.task['name']}: learning curves (mean over seeds {result.settings.get('seeds')})")
    return save(fig, path)


def plot_metric_bars(result: Any, path: str | Path, metrics: list[str] | None = None) -> Path:
    """One panel per metric: bars at the mean over seeds, dots at each seed, the best bar outlined and labelled.

    Example:
        >>> import tempfile, pathlib
        >>> from losslab.compare import compare
        >>> from losslab.plotting import plot_metric_bars
        >>> r = compare(["mse", "huber"], "outliers", seeds=2)
        >>> plot_metric_bars(r, pathlib.Path(tempfile.mkdtemp()) / "metrics.png").name
        'metrics.png'
    """
    metrics = metrics or result.metric_names
    cols = min(4, len(metrics))
    rows = math.ceil(len(metrics) / cols)
    names = result.candidate_names
    fig = new_figure(3.4 * cols, 0.9 + 0.32 * len(names) * rows + 0.9 * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).reshape(-1)
    palette = colours(len(names))
    summary = result.summary()
    for ax, m in zip(axes, metrics):
        best = set(result.best(m))
        y = np.arange(len(names))
        means = [summary[c][m]["mean"] for c in names]
        widths = [v if math.isfinite(v) else 0 for v in means]
        ax.barh(y, widths, color=palette, alpha=0.75)
        for i, c in enumerate(names):
            if c in best:
                ax.barh([i], [widths[i]], fill=False, edgecolor="k", linewidth=2.0)
                seeds = [v for v in result.values(c, m) if v is not None and math.isfinite(v)]
                ax.annotate("best", (max([widths[i], *seeds]), i), xytext=(4, 0), textcoords="offset points",
                            va="center", fontsize=7, fontweight="bold")
        ax.margins(x=0.15)
        for i, c in enumerate(names):
            vals = [v for v in result.values(c, m) if v is not None and math.isfinite(v)]
            ax.plot(vals, [i] * len(vals), "k.", ms=5)
            if not vals:
                ax.text(0, i, " n/a", va="center", fontsize=8)
        ax.set_yticks(y, names if ax is axes[0] or (list(axes).index(ax) % cols == 0) else [""] * len(names),
                      fontsize=8)
        ax.invert_yaxis()
        hib = result.higher_is_better(m)
        ref = result.reference(m)
        if ref is not None:
            ax.axvline(ref, color="k", ls="--", lw=1)
        direction = ("higher is better" if hib else "lower is better") if hib is not None else \
            ("dashed: truth" if ref is not None else "descriptive")
        ax.set_title(f"{m} ({direction})", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    fig.suptitle(f"{result.task['name']}: metrics on the held-out split (bar = mean, dots = seeds)")
    return save(fig, path)


def plot_examples(result: Any, path: str | Path) -> Path | None:
    """Test images, their masks and each candidate's foreground probability (first seed); ``None`` if absent.

    Example:
        >>> import tempfile, pathlib
        >>> from losslab.compare import compare, make_task
        >>> from losslab.plotting import plot_examples
        >>> task = make_task("lesions", 0, n_train=16, n_test=8, size=32)
        >>> r = compare(["sigmoid_ce", "sigmoid_dice"], task, seeds=1, steps=2, width=4)
        >>> plot_examples(r, pathlib.Path(tempfile.mkdtemp()) / "examples.png").name
        'examples.png'
    """
    ex = result.examples
    if not ex or not ex.get("predictions"):
        return None
    names = [n for n in result.candidate_names if n in ex["predictions"]]
    k = len(ex["images"])
    ncol = 2 + len(names)
    fig = new_figure(1.6 * ncol, 1.75 * k + 0.6)
    axes = fig.subplots(k, ncol, squeeze=False)
    for i in range(k):
        truth = ex["truth"][i]
        panels = [("image", ex["images"][i], "gray", None), ("truth", truth, "magma", (0, max(1, truth.max())))]
        panels += [(n, ex["predictions"][n][i], "magma", (0, 1)) for n in names]
        for j, (label, img, cmap, lim) in enumerate(panels):
            ax = axes[i, j]
            kw = {} if lim is None else {"vmin": lim[0], "vmax": lim[1]}
            ax.imshow(img, cmap=cmap, interpolation="nearest", **kw)
            if j >= 2 and truth.any():
                ax.contour(truth > 0, levels=[0.5], colors="cyan", linewidths=0.6)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(textwrap.fill(label, 24), fontsize=7)
    # the figure is narrow (1.6 in per column): the title is wrapped to its width rather than cut off
    title = f"{result.task['name']}: foreground probability on test images (cyan: true outline)"
    fig.suptitle(textwrap.fill(title, 14 * ncol), fontsize=9)
    return save(fig, path)
