"""One self-contained HTML report of a compare run: table, figures (base64 PNG), settings, advice."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

from .compare import plot_examples, plot_learning_curves, plot_metric_bars

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1200px;color:#222;padding:0 1em}
table{border-collapse:collapse;font-size:14px;margin:1em 0}
th,td{border-bottom:1px solid #ddd;padding:4px 10px;text-align:right}
th:first-child,td:first-child{text-align:left}
td.best{font-weight:bold;color:#06690b}
img{max-width:100%;border:1px solid #eee;margin:0.5em 0}
code,pre{background:#f5f5f5;padding:1px 4px;border-radius:3px}
pre{padding:8px;overflow-x:auto}
.small{color:#666;font-size:13px}
"""


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _table(result: Any) -> str:
    metrics = result.metric_names
    head = "".join(f"<th>{html.escape(result.header(m))}</th>" for m in metrics)
    rows = []
    best = {m: set(result.best(m)) for m in metrics}
    for c in result.candidate_names:
        cells = "".join(f'<td class="{"best" if c in best[m] else ""}">{html.escape(result.cell(c, m))}</td>'
                        for m in metrics)
        rows.append(f"<tr><td><code>{html.escape(c)}</code></td>{cells}"
                    f"<td>{result.seconds_per_seed(c):.1f}</td></tr>")
    return (f"<table><thead><tr><th>candidate</th>{head}<th>s/seed</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _advice(advice: dict[str, Any] | None) -> str:
    if not advice:
        return ""
    loss = advice.get("loss") or {}
    key = loss.get("key", advice.get("key", "?"))
    params = loss.get("params", advice.get("params", {}))
    parts = [f"<h2>Advisor</h2><p>Recommended for the training labels: <code>{html.escape(str(key))}</code> "
             f"<code>{html.escape(json.dumps(params, default=str))}</code></p>"]
    items = [r.get("text", str(r)) if isinstance(r, dict) else str(r) for r in advice.get("reasons") or []]
    items += [f"{a.get('topic', '')}: {a.get('text', '')}" if isinstance(a, dict) else str(a)
              for a in advice.get("advice") or []]
    if items:
        parts.append("<ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in items) + "</ul>")
    return "".join(parts)


def write_report(result: Any, out_dir: str | Path, *, title: str | None = None, command: str | None = None) -> Path:
    """Write ``results.json``, ``curves.png``, ``metrics.png``, ``examples.png`` (segmentation) and
    ``report.html`` (images embedded as base64, so the HTML file stands alone) to ``out_dir``.

    Returns the path of ``report.html``; ``command`` (optional) is shown as the way to reproduce it.

    Example:
        >>> import tempfile
        >>> from losslab.compare import compare
        >>> from losslab.plotting import write_report
        >>> r = compare(["mse", "huber"], "outliers", seeds=2)
        >>> path = write_report(r, tempfile.mkdtemp())
        >>> path.name, "data:image/png;base64," in path.read_text()
        ('report.html', True)
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result.to_json(out / "results.json")
    figures = [(plot_learning_curves(result, out / "curves.png"), "learning curves"),
               (plot_metric_bars(result, out / "metrics.png"), "metrics")]
    ex = plot_examples(result, out / "examples.png")
    if ex is not None:
        figures.append((ex, "example predictions"))
    t = result.task
    s = result.settings
    e = result.environment
    title = title or f"losslab compare: {t['name']}"
    info = ", ".join(f"{k} = {v:.3%}" if "fraction" in k else f"{k} = {v}" for k, v in t.items()
                     if k not in ("name", "kind", "description") and not isinstance(v, (list, dict)))
    def direction(m: dict[str, Any]) -> str:
        hib = m["higher_is_better"]
        return "descriptive" if hib is None else ("higher is better" if hib else "lower is better")

    metric_docs = "".join(f"<li><b>{html.escape(m['name'])}</b> ({direction(m)}): "
                          f"{html.escape(m.get('doc', ''))}</li>" for m in result.metrics)
    cands = "".join(f"<li><code>{html.escape(c['name'])}</code>: "
                    f"{html.escape(json.dumps(c['terms'], default=str))}; bias {html.escape(c['bias'])}</li>"
                    for c in result.candidates)
    diverged = s.get("diverged") or {}
    warn = (f"<p><b>Diverged</b> (non-finite loss; metrics left out): {html.escape(json.dumps(diverged))}</p>"
            if diverged else "")
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{_CSS}</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(t.get('description', ''))}. <span class="small">{html.escape(info)}</span></p>
<p class="small">Model {html.escape(str(s.get('model')))} ({s.get('parameters')} parameters), Adam lr {s.get('lr')},
{s.get('steps')} steps of batch {s.get('batch_size')}, seeds {s.get('seeds')}, data seed {s.get('data_seed')};
torch {html.escape(str(e.get('torch')))}, {e.get('threads')} threads.
{('Command: <code>' + html.escape(command) + '</code>') if command else ''}</p>
{warn}
<h2>Results (held-out split, mean ± std over seeds; best in bold)</h2>
{_table(result)}
<ul class="small">{metric_docs}</ul>
{_advice(result.advice)}
<h2>Figures</h2>
{''.join(f'<h3>{html.escape(alt)}</h3>' + _img(p, alt) for p, alt in figures)}
<h2>Candidates</h2>
<ul class="small">{cands}</ul>
<p class="small">Raw records: <code>results.json</code> (one record per candidate × seed × metric).</p>
</body></html>
"""
    path = out / "report.html"
    path.write_text(body, encoding="utf-8")
    return path
