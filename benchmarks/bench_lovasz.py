"""Lovász softmax / Lovász hinge: forward + backward time and peak extra memory vs kornia and a floor.

Run: ``make bench`` or ``python benchmarks/bench_lovasz.py [--quick]``. Method in ``benchmarks/_harness.py``
(interleaved medians; peak bytes of the torch tensors a call allocates). Index targets; kornia takes
``(B, C, H, W)``, so a 3-D volume is passed to it flattened to ``(B, C, D, H·W)`` (same pixels, same loss).
losslab runs with kornia's semantics (``aggregate="per_image", classes="all"``) and with its defaults.
The floor is one elementwise pass that reads the logits and writes a gradient-sized tensor.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Row, forward_backward, machine_line, markdown, measure_group  # noqa: E402


def floor(x: torch.Tensor) -> object:
    def run():
        with torch.no_grad():
            return torch.mul(x, 2.0)
    return run


def cases(quick: bool) -> list[Row]:
    import kornia.losses as kl

    from losslab.functional import lovasz_hinge_loss, lovasz_softmax_loss

    g = torch.Generator().manual_seed(0)
    rows: list[Row] = []
    softmax_shapes = [(2, 4, 64, 64), (1, 4, 24, 24, 24)] if quick else [(8, 4, 256, 256), (1, 4, 96, 96, 96)]
    for shape in softmax_shapes:
        x = torch.randn(*shape, generator=g).mul_(2).requires_grad_(True)
        y = torch.randint(0, shape[1], (shape[0], *shape[2:]), generator=g)

        def kornia_softmax(x, y):
            return kl.lovasz_softmax_loss(x.flatten(3), y.flatten(2)) if x.dim() > 4 else kl.lovasz_softmax_loss(x, y)

        rows += measure_group("lovasz_softmax", str(shape), [
            ("kornia lovasz_softmax_loss", forward_backward(kornia_softmax, x, y), None),
            ("losslab (kornia semantics)", forward_backward(
                lambda x, y: lovasz_softmax_loss(x, y, aggregate="per_image", classes="all"), x, y),
             "kornia lovasz_softmax_loss"),
            ("losslab (defaults)", forward_backward(lovasz_softmax_loss, x, y), "kornia lovasz_softmax_loss"),
            ("floor", floor(x), "kornia lovasz_softmax_loss")])
    shape = (2, 1, 64, 64) if quick else (8, 1, 256, 256)
    x = torch.randn(*shape, generator=g).mul_(2).requires_grad_(True)
    y = (torch.rand(*shape, generator=g) < 0.3).float()
    rows += measure_group("lovasz_hinge", str(shape), [
        ("kornia lovasz_hinge_loss", forward_backward(lambda x, y: kl.lovasz_hinge_loss(x, y[:, 0]), x, y), None),
        ("losslab", forward_backward(lovasz_hinge_loss, x, y), "kornia lovasz_hinge_loss"),
        ("floor", floor(x), "kornia lovasz_hinge_loss")])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small shapes (a smoke run)")
    args = parser.parse_args()
    print(machine_line())
    print()
    print(markdown(cases(args.quick), "Lovász losses: forward + backward, float32, index / mask targets"))


if __name__ == "__main__":
    main()
