"""Shared measurement for the benchmark scripts: median wall time and peak extra resident memory.

Method:
* time: ``repeat`` runs after ``warmup`` runs, the median, ``time.perf_counter``;
* peak extra memory: Linux's resident high-water mark. Before each measured run the kernel's
  ``VmHWM`` is reset (``echo 5 > /proc/self/clear_refs``) and the current ``VmRSS`` read; after the run,
  ``VmHWM − VmRSS_before`` is the peak memory the run added on top of its live inputs (outputs,
  gradients, saved tensors and temporaries together). glibc returns large blocks (> the mmap threshold)
  to the OS on free, and ``run_isolated`` fixes ``MALLOC_MMAP_THRESHOLD_`` so that holds for every
  tensor above 64 KiB; the figure is exact to a page for the tensor sizes benchmarked here.
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

MMAP_ENV = {"MALLOC_MMAP_THRESHOLD_": "65536", "MALLOC_TRIM_THRESHOLD_": "0"}


def ensure_malloc_env() -> None:
    """Re-execute this script once with the malloc settings the memory figure relies on."""
    if all(os.environ.get(k) == v for k, v in MMAP_ENV.items()):
        return
    env = {**os.environ, **MMAP_ENV}
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field)


def peak_extra_bytes(run: Callable[[], object]) -> int:
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = _status("VmRSS")
    out = run()
    peak = _status("VmHWM")
    del out
    return max(peak - before, 0)


def median_seconds(run: Callable[[], object], repeat: int = 7, warmup: int = 2) -> float:
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


@dataclass
class Row:
    case: str
    shape: str
    impl: str
    seconds: float
    peak_bytes: int | None
    baseline: str | None = None  # impl name whose figures the ratios are taken against


def measure(case: str, shape: str, impl: str, run: Callable[[], object], *, repeat: int = 7, warmup: int = 2,
            memory: bool = True, baseline: str | None = None) -> Row:
    seconds = median_seconds(run, repeat, warmup)
    peak = peak_extra_bytes(run) if memory else None
    return Row(case, shape, impl, seconds, peak, baseline)


def markdown(rows: list[Row], title: str) -> str:
    """Rows grouped by (case, shape); ratios against the row named by ``baseline`` in the same group."""
    out = [f"### {title}", "", "| case | shape | implementation | median time (ms) | peak extra memory (MiB) "
           "| time ratio | memory ratio |", "|---|---|---|---:|---:|---:|---:|"]
    index = {(r.case, r.shape, r.impl): r for r in rows}
    for r in rows:
        base = index.get((r.case, r.shape, r.baseline)) if r.baseline else None
        t_ratio = f"{r.seconds / base.seconds:.2f}× {r.baseline}" if base else "—"
        if base and r.peak_bytes is not None and base.peak_bytes:
            m_ratio = f"{r.peak_bytes / base.peak_bytes:.2f}× {r.baseline}"
        else:
            m_ratio = "—"
        mem = f"{r.peak_bytes / 2**20:.1f}" if r.peak_bytes is not None else "—"
        out.append(f"| {r.case} | {r.shape} | {r.impl} | {r.seconds * 1e3:.2f} | {mem} | {t_ratio} | {m_ratio} |")
    return "\n".join(out)


def machine_line() -> str:
    import numpy
    import torch

    return (f"torch {torch.__version__} ({torch.get_num_threads()} threads), numpy {numpy.__version__}, "
            f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; "
            f"{subprocess.run(['uname', '-m'], capture_output=True, text=True).stdout.strip()}")
