"""Lovász-softmax / Lovász hinge: forward+backward time and peak extra memory vs kornia and a floor.

Run: ``python benchmarks/bench_lovasz.py [--threads 1] [--repeats 7]``. Prints a markdown table.

Method (CPU only):

* **time** — forward + backward of one call, median of ``--repeats`` runs after one warm-up; the methods
  of a case run interleaved (round robin, one process) so that load from other processes hits them alike.
* **peak extra memory** — each (case, method) runs in a *fresh* subprocess with ``MALLOC_MMAP_THRESHOLD_``
  set low, so every tensor buffer is its own mapping and resident memory follows the live tensors. After a
  warm-up call the peak-RSS counter is reset (``/proc/self/clear_refs`` ← 5) and one forward+backward runs;
  the figure is ``VmHWM − VmRSS`` before the call: everything the call allocates at its peak, transient
  buffers (sort scratch, one-hot tensors) and the input's gradient included. (``tracemalloc`` does not see
  torch allocations; saved-tensor hooks miss transients.) Linux only: elsewhere the column reads ``n/a``.
* **floor** — one elementwise pass that reads the logits and writes a gradient-sized tensor
  (``torch.sigmoid`` out of place): the least any loss can cost.

Cases: index targets; kornia takes ``(B, C, H, W)``, so a 3-D volume is passed to it flattened to
``(B, C, D, H·W)`` (the Lovász losses only see the flattened pixels: same value). losslab runs with
kornia's semantics (``aggregate="per_image", classes="all"``) and with its defaults; "autograd" is the
same losslab computation (one packed radix sort, closed-form Lovász gradient) differentiated by plain
autograd through ``Σ g·|fg − softmax(x)|`` instead of the fused analytic backward.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import torch

CASES = {
    "softmax 2-D": ("softmax", (8, 4, 256, 256)),
    "softmax 3-D": ("softmax", (1, 4, 96, 96, 96)),
    "hinge 2-D": ("hinge", (8, 1, 256, 256)),
}
METHODS = {
    "softmax": ("losslab (kornia semantics)", "losslab (defaults)", "losslab, plain autograd", "kornia", "floor"),
    "hinge": ("losslab", "kornia", "floor"),
}


def make_inputs(kind: str, shape: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(*shape, generator=g).mul_(2).requires_grad_(True)
    if kind == "softmax":
        y = torch.randint(0, shape[1], (shape[0], *shape[2:]), generator=g)
    else:
        y = (torch.rand(*shape, generator=g) < 0.3).float()
    return x, y


def _plain_autograd_softmax(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """losslab's sort and Lovász gradient, differentiated by autograd (per image, all classes)."""
    from losslab.functional.lovasz import (
        _float_bits_key,
        _lovasz_gradient,
        _pack_keys,
        _scatter_back,
        _sort_packed,
    )

    N, C = x.shape[:2]
    x3 = x.reshape(N, C, -1)
    index = y.reshape(N, 1, -1)
    p = torch.softmax(x3, 1)
    fg = torch.arange(C).view(1, C, 1) == index  # a one-hot bool: autograd needs |fg − p| as a tensor
    err = torch.where(fg, 1 - p, p)
    with torch.no_grad():
        perm, fg_sorted = _sort_packed(_pack_keys(_float_bits_key(err.detach()), fg, None, True), True)
        g = _scatter_back(perm, _lovasz_gradient(fg_sorted, err.dtype), err.shape)
    return (err * g).sum() / (N * C)


def make_fn(kind: str, method: str, x: torch.Tensor, y: torch.Tensor):
    from losslab.functional import lovasz_hinge_loss, lovasz_softmax_loss

    if method == "floor":
        def floor() -> None:
            with torch.no_grad():
                torch.sigmoid(x)
        return floor
    if kind == "softmax":
        if method == "kornia":
            import kornia
            xk = x if x.dim() == 4 else x.reshape(*x.shape[:3], -1)
            yk = y if y.dim() == 3 else y.reshape(*y.shape[:2], -1)
            loss = lambda: kornia.losses.lovasz_softmax_loss(xk, yk)  # noqa: E731
        elif method == "losslab (kornia semantics)":
            loss = lambda: lovasz_softmax_loss(x, y, aggregate="per_image", classes="all")  # noqa: E731
        elif method == "losslab (defaults)":
            loss = lambda: lovasz_softmax_loss(x, y)  # noqa: E731
        else:
            loss = lambda: _plain_autograd_softmax(x, y)  # noqa: E731
    else:
        if method == "kornia":
            import kornia
            loss = lambda: kornia.losses.lovasz_hinge_loss(x, y[:, 0])  # noqa: E731
        else:
            loss = lambda: lovasz_hinge_loss(x, y)  # noqa: E731

    def step() -> None:
        x.grad = None
        loss().backward()
    return step


def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field)


def measure_memory(case: str, method: str, threads: int) -> float | None:
    """Peak extra bytes of one forward+backward, in this (fresh) process."""
    torch.set_num_threads(threads)
    kind, shape = CASES[case]
    x, y = make_inputs(kind, shape)
    step = make_fn(kind, method, x, y)
    step()
    x.grad = None
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        before = _status("VmRSS")
    except OSError:
        return None
    step()
    return float(_status("VmHWM") - before)


def measure_time(case: str, threads: int, repeats: int) -> dict[str, float]:
    torch.set_num_threads(threads)
    kind, shape = CASES[case]
    x, y = make_inputs(kind, shape)
    steps = {m: make_fn(kind, m, x, y) for m in METHODS[kind]}
    times: dict[str, list[float]] = {m: [] for m in steps}
    for step in steps.values():
        step()
    for _ in range(repeats):
        for m, step in steps.items():
            t0 = time.perf_counter()
            step()
            times[m].append(time.perf_counter() - t0)
    return {m: statistics.median(v) for m, v in times.items()}


def _child(args: list[str]) -> dict:
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536", OMP_NUM_THREADS=args[args.index("--threads") + 1])
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--child", nargs=2, metavar=("WHAT", "CASE"))
    ap.add_argument("--method")
    a = ap.parse_args()
    if a.child:
        what, case = a.child
        if what == "memory":
            print(json.dumps(measure_memory(case, a.method, a.threads)))
        else:
            print(json.dumps(measure_time(case, a.threads, a.repeats)))
        return

    print(f"torch {torch.__version__}, {a.threads} thread(s), median of {a.repeats}; ratios to kornia and to the "
          "floor measured in the same run\n")
    print("| case | shape | method | fwd+bwd ms | peak extra MB | time / kornia | memory / kornia "
          "| time / floor | memory / floor |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    base = ["--threads", str(a.threads), "--repeats", str(a.repeats)]
    for case, (kind, shape) in CASES.items():
        times = _child([*base, "--child", "time", case])
        mem = {m: _child([*base, "--child", "memory", case, "--method", m]) for m in METHODS[kind]}
        for m in METHODS[kind]:
            t, b = times[m], mem[m]

            def ratio(num: float | None, den: float | None) -> str:
                return "n/a" if num is None or not den else f"{num / den:.2f}"
            mb = "n/a" if b is None else f"{b / 2**20:.1f}"
            print(f"| {case} | {tuple(shape)} | {m} | {t * 1e3:.1f} | {mb} | {ratio(t, times['kornia'])} "
                  f"| {ratio(b, mem['kornia'])} | {ratio(t, times['floor'])} | {ratio(b, mem['floor'])} |")


if __name__ == "__main__":
    main()
