"""Advisor throughput: labels/s from a memory-mapped .npy mask stack, PNG masks/s from a folder.

Targets (issue 4): >= 1e8 labels/s from a memory-mapped .npy stack and >= 1,000 PNG masks/s at 256×256
on 2 cores. Prints a markdown table; ``--strict`` exits 1 when a target is missed. The files are
generated in a temporary folder (the page cache is warm: this measures the profiler, not the disk).

    python benchmarks/bench_advisor.py [--images 2000] [--png 2000] [--repeats 3] [--strict]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from losslab.advisor import advise
from losslab.advisor.profile import profile

SIZE = 256


def make_masks(n: int, seed: int = 0) -> np.ndarray:
    """``n`` uint8 masks with a few discs (binary), a third of them empty: realistic PNG compression."""
    rng = np.random.default_rng(seed)
    yy, xx = np.ogrid[:SIZE, :SIZE]
    out = np.zeros((n, SIZE, SIZE), np.uint8)
    for i in range(n):
        if i % 3 == 0:
            continue
        for _ in range(rng.integers(1, 4)):
            cy, cx, r = rng.integers(0, SIZE, 2).tolist() + [int(rng.integers(3, 40))]
            sl_y = slice(max(cy - r, 0), min(cy + r, SIZE))
            sl_x = slice(max(cx - r, 0), min(cx + r, SIZE))
            disc = (yy[sl_y] - cy) ** 2 + (xx[:, sl_x] - cx) ** 2 < r * r
            out[i, sl_y, sl_x][disc] = 1
    return out


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=2000, help="masks in the .npy stack (256×256 each)")
    ap.add_argument("--png", type=int, default=2000, help="PNG masks in the folder (256×256 each)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args(argv)
    from PIL import Image

    rows = []
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        masks = make_masks(max(args.images, args.png))
        npy = tmp / "masks.npy"
        np.save(npy, masks[:args.images])
        labels = args.images * SIZE * SIZE
        for objects, what in ((256, "profile (objects on 256 sampled masks)"), (0, "profile (no object sizes)")):
            t = timed(lambda objects=objects: profile(npy, max_object_images=objects), args.repeats)
            rate = labels / t
            target = rate >= 1e8
            ok &= target or objects == 0
            rows.append((f".npy memmap, {what}", f"{args.images}×{SIZE}×{SIZE} uint8", f"{t * 1e3:.0f} ms",
                         f"{rate / 1e6:.0f} M labels/s", ">= 100 M labels/s", "ok" if target else "BELOW"))
        t = timed(lambda: advise(npy), args.repeats)
        rows.append((".npy memmap, advise() end to end", f"{args.images}×{SIZE}×{SIZE} uint8", f"{t * 1e3:.0f} ms",
                     f"{labels / t / 1e6:.0f} M labels/s", "", ""))
        folder = tmp / "png"
        folder.mkdir()
        for i in range(args.png):
            Image.fromarray(masks[i] * np.uint8(255)).save(folder / f"{i:05d}.png")
        t = timed(lambda: profile(folder), args.repeats)
        rate = args.png / t
        target = rate >= 1000
        ok &= target
        rows.append(("PNG folder, profile (objects on 256 sampled masks)", f"{args.png} × {SIZE}×{SIZE} L",
                     f"{t * 1e3:.0f} ms", f"{rate:,.0f} masks/s", ">= 1,000 masks/s", "ok" if target else "BELOW"))
    print(f"### advisor throughput ({os.cpu_count()} CPUs visible, median of {args.repeats}, warm page cache)\n")
    print("| case | data | time | throughput | target | status |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
