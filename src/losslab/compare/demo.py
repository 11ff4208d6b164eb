"""``losslab demo``: advise on the built-in lesions data, compare seven losses and the advised one, report.

The candidates test the article's claim that under a 1:1000 imbalance a segmenter trained with plain
binary cross-entropy predicts nothing: plain sigmoid CE, the same with the output bias initialised to the
prior (Lin et al. 2017), with ``pos_weight = n_neg / n_pos``, focal loss, Dice, Dice + CE, Tversky, and the
advisor's pick. Budget: 2 seeds × the lesions default (250 Adam steps of 8 images, a 30k-parameter
U-Net), about two minutes on 2 CPU cores.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import registry
from .harness import compare
from .results import CompareResult
from .tasks import make_task

#: (candidate, fallback when the first form's key is not registered)
DEMO_CANDIDATES = (
    ("sigmoid_ce", None),
    ("sigmoid_ce:bias=prior", None),
    ("sigmoid_ce:pos_weight=auto", None),
    ("sigmoid_focal", None),
    ("sigmoid_dice", None),
    ("sigmoid_dice_ce", "sigmoid_dice+sigmoid_ce"),
    ("sigmoid_tversky", None),
    ("advised", None),
)


def demo_candidates() -> list[str]:
    """The demo's candidates, leaving out (with a fallback where one exists) keys not registered."""
    known = {s.key for s in registry.list_losses()}
    out = []
    for first, fallback in DEMO_CANDIDATES:
        for c in (first, fallback):
            if c is None:
                continue
            keys = [p.split(":")[0].split("*")[-1].strip() for p in c.split("+")]
            if c == "advised" or all(k in known for k in keys):
                out.append(c)
                break
    return out


def run_demo(out: str | Path = "losslab-report", *, seeds: int = 2, steps: int | None = None,
             progress: bool = False, console: Any = None, print_wide: Callable[[Any], None] | None = None
             ) -> CompareResult:
    """Run the demo, print the advice, the table and the report path; return the result."""
    from rich.console import Console
    from rich.markup import escape

    console = console or Console()
    print_wide = print_wide or console.print
    t0 = time.perf_counter()
    task = make_task("lesions", 0)
    i = task.info
    console.print(f"[bold]losslab demo[/bold]: {task.description}\n"
                  f"  {task.x_train.shape[0]} training / {task.x_test.shape[0]} test images; foreground "
                  f"{i['foreground_fraction_train']:.3%} of the training pixels (1:{1 / i['foreground_fraction_train'] - 1:.0f}), "
                  f"{i['empty_fraction_train']:.0%} of the training images empty")
    from ..advisor import advise

    rec = advise(task.y_train[:, 0].numpy().astype("uint8"), task="binary_segmentation")
    console.print(f"[bold]advisor[/bold]: {escape(rec.loss.signature())}")
    for r in rec.reasons:
        console.print(f"  why: {escape(r.text)}")
    for a in rec.advice:
        console.print(f"  {a.topic}: {escape(a.text)}")
    cands = demo_candidates()
    console.print(f"[bold]compare[/bold]: {len(cands)} candidates × {seeds} seeds, same U-Net, data, seeds and budget")
    result = compare(cands, task, seeds=seeds, steps=steps, progress=progress)
    print_wide(result.table(title=f"lesions (1:{1 / i['foreground_fraction_train'] - 1:.0f}), held-out test "
                                  f"images: mean ± std over {seeds} seeds; * best"))
    path = result.write_report(out, title="losslab demo: which loss finds 1:1000 lesions?",
                               command=f"losslab demo --seeds {seeds}" + (f" --steps {steps}" if steps else ""))
    (Path(out) / "table.md").write_text(result.to_markdown() + "\n", encoding="utf-8")
    total = time.perf_counter() - t0
    console.print(f"[bold]report[/bold]: {escape(str(path.resolve()))}  (figures and results.json beside it; "
                  f"{total:.0f} s in all, {result.environment['threads']} threads)")
    return result
