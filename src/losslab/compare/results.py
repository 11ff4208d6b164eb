"""``CompareResult``: tidy records (candidate × seed × metric), summaries, tables, JSON and the report.

The JSON (``to_json``) is one object::

    {"task": {...}, "candidates": [...], "metrics": [...], "records": [
        {"candidate": "sigmoid_ce", "seed": 0, "metric": "dice", "value": 0.41, "higher_is_better": true}, ...],
     "timings": {...}, "curves": {...}, "settings": {...}, "environment": {...}, "advice": {...} | null}

``higher_is_better`` is ``null`` for a descriptive metric (``empty_pred``): its entry in ``metrics`` has a
``reference`` (the true value) to compare with, and it has no best candidate. NaN values are ``null``.
``curves`` hold the training loss and the held-out primary metric per step; segmentation example
predictions (``examples``) are kept in memory for the plots only.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class CompareResult:
    """Everything one ``compare`` run measured: records (candidate × seed × metric), timings, curves.

    Example:
        >>> from losslab.compare import compare
        >>> r = compare(["mse", "mae"], "outliers", seeds=2)
        >>> sorted(r.summary()["mae"])
        ['mae', 'rmse']
        >>> r.records[0]["candidate"], r.records[0]["metric"], r.records[0]["higher_is_better"]
        ('mse', 'mae', False)
        >>> print(r.to_markdown().splitlines()[0])
        | candidate | mae ↓ | rmse ↓ | s/seed |
    """

    task: dict[str, Any]
    candidates: list[dict[str, Any]]
    metrics: list[dict[str, Any]]
    records: list[dict[str, Any]]
    timings: dict[str, list[float]]
    curves: dict[str, dict[str, dict[str, list[float]]]]
    settings: dict[str, Any]
    environment: dict[str, Any]
    advice: dict[str, Any] | None = None
    examples: dict[str, Any] | None = field(default=None, repr=False)

    # -- views -----------------------------------------------------------------------------------
    @property
    def candidate_names(self) -> list[str]:
        return [c["name"] for c in self.candidates]

    @property
    def metric_names(self) -> list[str]:
        return [m["name"] for m in self.metrics]

    def higher_is_better(self, metric: str) -> bool | None:
        """``True``/``False``, or ``None`` for a descriptive metric (compare with its ``reference``)."""
        for m in self.metrics:
            if m["name"] == metric:
                return m["higher_is_better"]
        raise KeyError(metric)

    def reference(self, metric: str) -> float | None:
        """The true value a descriptive metric should be compared with (e.g. the true empty fraction)."""
        return next((m.get("reference") for m in self.metrics if m["name"] == metric), None)

    def header(self, metric: str) -> str:
        """``"dice ↑"``, ``"ece ↓"``, or ``"empty_pred (truth 0.685)"``."""
        hib = self.higher_is_better(metric)
        if hib is None:
            ref = self.reference(metric)
            return metric if ref is None else f"{metric} (truth {ref:.3f})"
        return f"{metric} {'↑' if hib else '↓'}"

    def values(self, candidate: str, metric: str) -> list[float]:
        """The per-seed values of one metric for one candidate, in seed order."""
        return [r["value"] for r in self.records if r["candidate"] == candidate and r["metric"] == metric]

    def summary(self) -> dict[str, dict[str, dict[str, float]]]:
        """``{candidate: {metric: {"mean", "std", "n"}}}``; std is the sample std (0 for one seed); NaN skipped."""
        out: dict[str, dict[str, dict[str, float]]] = {}
        for c in self.candidate_names:
            out[c] = {}
            for m in self.metric_names:
                v = np.array([x for x in self.values(c, m) if x is not None and math.isfinite(x)], dtype=float)
                out[c][m] = {"mean": float(v.mean()) if v.size else float("nan"),
                             "std": float(v.std(ddof=1)) if v.size > 1 else 0.0, "n": int(v.size)}
        return out

    def best(self, metric: str) -> list[str]:
        """Candidates with the best mean for ``metric`` (ties all returned; NaN never best; none if descriptive)."""
        if self.higher_is_better(metric) is None:
            return []
        s = self.summary()
        means = {c: s[c][metric]["mean"] for c in s if math.isfinite(s[c][metric]["mean"])}
        if not means:
            return []
        target = max(means.values()) if self.higher_is_better(metric) else min(means.values())
        return [c for c, v in means.items() if abs(v - target) <= 1e-12 * max(1.0, abs(target))]

    def seconds_per_seed(self, candidate: str) -> float:
        t = self.timings.get(candidate, [])
        return float(np.mean(t)) if t else float("nan")

    # -- output ----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON-able content (without the in-memory example images)."""
        return {"task": self.task, "candidates": self.candidates, "metrics": self.metrics,
                "records": [{k: _finite_or_none(v) for k, v in r.items()} for r in self.records],
                "timings": self.timings, "curves": _clean(self.curves), "settings": self.settings,
                "environment": self.environment, "advice": self.advice}

    def to_json(self, path: str | Path | None = None, *, indent: int = 2) -> str:
        """The JSON text; written to ``path`` when given (NaN becomes ``null``)."""
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False)
        if path is not None:
            p = Path(path)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text + "\n", encoding="utf-8")
        return text

    def cell(self, candidate: str, metric: str, digits: int = 3) -> str:
        """``mean ± std`` with ``digits`` decimals; a regression metric (in the target's units) far from 1
        (at least 1e4, or below 0.01) with 4 significant digits instead, e.g. ``1.234e-09 ± 5.6e-11``."""
        st = self.summary()[candidate][metric]
        if st["n"] == 0:
            return "n/a"
        mean = abs(st["mean"])
        fmt = ".4g" if self.task.get("kind") == "regression" and (mean >= 1e4 or 0 < mean < 1e-2) else f".{digits}f"
        if st["n"] == 1:
            return f"{st['mean']:{fmt}}"
        return f"{st['mean']:{fmt}} ± {st['std']:{fmt}}"

    def table(self, *, metrics: list[str] | None = None, title: str | None = None):
        """A ``rich`` table: mean ± std over seeds, the best per metric in bold green and marked ``*``."""
        from rich.markup import escape
        from rich.table import Table

        metrics = metrics or self.metric_names
        n_seeds = len(self.settings.get("seeds", []))
        # the task name is the user's file name: "[b]" in it would be read as markup
        table = Table(title=title or f"{escape(self.task['name'])}: mean ± std over {n_seeds} seed(s); * best",
                      show_lines=False)
        table.add_column("candidate", overflow="fold")
        for m in metrics:
            table.add_column(self.header(m), justify="right")
        table.add_column("s/seed", justify="right")
        best = {m: set(self.best(m)) for m in metrics}
        for c in self.candidate_names:
            row = [escape(c)]
            for m in metrics:
                text = self.cell(c, m)
                row.append(f"[bold green]{text} *[/]" if c in best[m] else text)
            row.append(f"{self.seconds_per_seed(c):.1f}")
            table.add_row(*row)
        return table

    def to_markdown(self, *, metrics: list[str] | None = None) -> str:
        """A markdown table: mean ± std over seeds, the best per metric in bold."""
        metrics = metrics or self.metric_names
        head = ["candidate", *[self.header(m) for m in metrics], "s/seed"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        best = {m: set(self.best(m)) for m in metrics}
        for c in self.candidate_names:
            cells = [f"`{c}`"]
            for m in metrics:
                text = self.cell(c, m)
                cells.append(f"**{text}**" if c in best[m] else text)
            cells.append(f"{self.seconds_per_seed(c):.1f}")
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def write_report(self, out_dir: str | Path, *, title: str | None = None, command: str | None = None) -> Path:
        """Write ``report.html`` (self-contained), ``results.json`` and the PNG figures to ``out_dir``.

        ``command`` (e.g. the command line that produced the run) is shown in the report.
        """
        from ..plotting.report import write_report

        return write_report(self, out_dir, title=title, command=command)

    @classmethod
    def from_json(cls, path: str | Path) -> CompareResult:
        """Read a result written by :meth:`to_json` (without the example images)."""
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        recs = [{**r, "value": float("nan") if r["value"] is None else r["value"]} for r in d["records"]]
        return cls(d["task"], d["candidates"], d["metrics"], recs, d["timings"], d.get("curves", {}),
                   d["settings"], d["environment"], d.get("advice"))


def _finite_or_none(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    return _finite_or_none(obj)
