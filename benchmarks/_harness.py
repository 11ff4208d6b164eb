"""Shared measurement for the benchmark scripts: interleaved median time and peak extra tensor memory.

Method (CPU):
* **time** — the implementations of one case run interleaved: one timed call of each per round, in a new
  random order each round, so that a change in machine load hits them alike; each timed call follows an
  untimed one, so that it meets the heap its own previous call left, as in a training loop. ``warmup``
  rounds are discarded; the result is the median of ``repeat`` rounds;
* **peak extra memory** — the high-water mark of the bytes held by torch tensors allocated during one
  forward + backward (``torch.profiler`` memory events summed in time order): the input's gradient, saved
  tensors and every transient (softmax, one-hot, products) are included; the inputs are not. The input's
  ``.grad`` is cleared before each call, so every implementation pays for its gradient.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

Run = Callable[[], object]


def peak_tensor_bytes(run: Run) -> int:
    """Peak bytes of torch tensors alive at once among those ``run`` allocates."""
    from torch.profiler import ProfilerActivity, profile

    _reset(run)
    saved = os.dup(2)  # the profiler's native start/stop lines go to fd 2: keep them out of the table
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
                out = run()
        del out
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    events = sorted((e.start_ns(), e.nbytes()) for e in prof.profiler.kineto_results.events()
                    if e.name() == "[memory]")
    current = peak = 0
    for _, nbytes in events:
        current += nbytes
        peak = max(peak, current)
    return peak


def forward_backward(loss: Callable, x, y) -> Run:
    """One forward + backward of ``loss(x, y)``; its ``reset`` (run untimed, unprofiled) clears ``x.grad``."""
    def run():
        loss(x, y).backward()
        return x.grad

    def reset():
        x.grad = None

    run.reset = reset
    return run


def _reset(run: Run) -> None:
    getattr(run, "reset", lambda: None)()


@dataclass
class Row:
    case: str
    shape: str
    impl: str
    seconds: float
    peak_bytes: int | None
    baseline: str | None = None  # impl name whose figures the ratios are taken against


def interleaved_medians(runs: dict[str, Run], *, repeat: int, warmup: int = 2) -> dict[str, float]:
    """Median seconds of each run, timed interleaved as the module notes say (shuffled rounds, each timed
    call after an untimed one, ``warmup`` rounds discarded)."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    order = list(runs.items())
    for round_ in range(warmup + repeat):
        random.Random(round_).shuffle(order)  # no implementation always follows the same one
        for name, run in order:
            _reset(run)
            run()  # settles the allocator after the previous implementation (bench_overlap.py notes)
            _reset(run)
            start = time.perf_counter()
            run()
            if round_ >= warmup:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(v) for name, v in times.items()}


def measure_group(case: str, shape: str, impls: list[tuple[str, Run, str | None]], *, repeat: int = 9,
                  warmup: int = 2, memory: bool = True) -> list[Row]:
    """Time ``(name, run, baseline)`` implementations interleaved, then measure each one's peak memory."""
    median = interleaved_medians({name: run for name, run, _ in impls}, repeat=repeat, warmup=warmup)
    return [Row(case, shape, name, median[name], peak_tensor_bytes(run) if memory else None, baseline)
            for name, run, baseline in impls]


def ratio(num: float | None, den: float | None) -> str:
    return f"{num / den:.2f}" if num is not None and den else "—"


def markdown(rows: list[Row], title: str) -> str:
    """One line per row; ratios against the row named by ``baseline`` in the same (case, shape) group."""
    out = [f"### {title}", "", "| case | shape | implementation | median time (ms) | peak extra memory (MiB) "
           "| time ratio | memory ratio | vs |", "|---|---|---|---:|---:|---:|---:|---|"]
    index = {(r.case, r.shape, r.impl): r for r in rows}
    for r in rows:
        base = index.get((r.case, r.shape, r.baseline)) if r.baseline else None
        mem = f"{r.peak_bytes / 2**20:.1f}" if r.peak_bytes is not None else "—"
        out.append(f"| {r.case} | {r.shape} | {r.impl} | {r.seconds * 1e3:.2f} | {mem} | "
                   f"{ratio(r.seconds, base.seconds) if base else '—'} | "
                   f"{ratio(r.peak_bytes, base.peak_bytes) if base else '—'} | {r.baseline or ''} |")
    return "\n".join(out)


def machine_line() -> str:
    import numpy
    import torch

    return (f"torch {torch.__version__} ({torch.get_num_threads()} threads), numpy {numpy.__version__}, "
            f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {os.uname().machine}")
