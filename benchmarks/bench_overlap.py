"""Overlap losses (Dice family, Tversky, compositions): forward+backward time and peak extra memory vs peers.

Run: ``make bench`` or ``python benchmarks/bench_overlap.py [--repeats 15] [--threads N] [--quick]``.
Prints one markdown table per input shape: every losslab row next to the best of its peers measured in the
same run (MONAI, kornia) and the floor.

Method (CPU):

* **time** — forward + backward of one call on ``(logits, index target)``, median of ``--repeats`` runs
  after two warm-ups. All methods of a shape run interleaved in one process, in a new random order each
  round, so load from other processes and the previous method's traces hit them alike; the default glibc
  allocator is left alone (as in training). In each
  round a method runs twice and the second call is timed: in training the same loss runs every step, so
  its allocations find the heap as its own previous step left it. Timing the first call instead measures
  the previous method's heap: whether a fresh logits-sized buffer is served from the heap or from new,
  page-faulting memory then swings one and the same computation by up to 2.4× (measured here).
* **peak extra memory** — the high-water mark of the bytes held by torch tensors allocated during one
  forward+backward (``torch.profiler`` memory events, summed in time order), the input's gradient, saved
  tensors and every transient (softmax, one-hot, products) included; the logits and target are not counted.
* **floor** — one elementwise pass that reads the logits and writes a gradient-sized tensor
  (``torch.mul(x, 2)``): the least any loss can cost in time and memory. Two reference rows, not losses,
  show what torch's softmax and sigmoid cost alone (forward only, no statistics, no backward).

Targets (issue 3): each losslab row at most 0.5× the time and 0.5× the memory of its best peer, and within
3× of the floor. Softmax rows with index targets (the focal loss included) and sigmoid rows run losslab's
native kernels when they build (``losslab._native``; the header says which build); ``LOSSLAB_NATIVE=0``
measures the torch path. ``CASES`` is a plain list: other scripts or helpers append ``Case`` rows to extend
it.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from _harness import interleaved_medians, peak_tensor_bytes  # noqa: E402

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass
class Case:
    """One losslab loss and its peers (name → loss), all called as ``fn(logits, target)``.

    ``target`` maps the benchmark's index target ``(N, *spatial)`` to the case's target (computed once,
    outside the timing); ``None`` keeps the index target.
    """

    name: str
    ours: Loss
    peers: dict[str, Loss] = field(default_factory=dict)
    target: Callable[[torch.Tensor, int], torch.Tensor] | None = None


def masks(index: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Multi-label float masks ``(N, C, *spatial)``, contiguous as a data loader gives them: channel c marks
    the pixels of class c."""
    return torch.nn.functional.one_hot(index, num_classes).movedim(-1, 1).float().contiguous()


def _monai(name: str, **kw) -> Loss:
    import monai.losses as ml

    module = getattr(ml, name)(**kw)
    return lambda x, y: module(x, y.unsqueeze(1) if y.dim() < x.dim() else y)


def _kornia(name: str, **kw) -> Loss:
    """kornia takes (B, C, H, W): a volume is passed flattened to (B, C, D, H·W) (same pixels, same loss)."""
    import kornia.losses as kl

    fn = getattr(kl, name)
    return lambda x, y: fn(x.flatten(3), y.flatten(2), **kw) if x.dim() > 4 else fn(x, y, **kw)


def _ours(name: str, **kw) -> Loss:
    import losslab.functional as F

    fn = getattr(F, name)
    return lambda x, y: fn(x, y, **kw)


def default_cases() -> list[Case]:
    onehot = {"softmax": True, "to_onehot_y": True}
    cases = [
        Case("softmax_dice", _ours("softmax_dice_loss"),
             {"MONAI DiceLoss": _monai("DiceLoss", **onehot), "kornia dice_loss": _kornia("dice_loss")}),
        Case("softmax_dice validate=False", _ours("softmax_dice_loss", validate=False),
             {"MONAI DiceLoss": _monai("DiceLoss", **onehot), "kornia dice_loss": _kornia("dice_loss")}),
        Case("softmax_dice aggregate=batch", _ours("softmax_dice_loss", aggregate="batch"),
             {"MONAI DiceLoss batch": _monai("DiceLoss", batch=True, **onehot)}),
        Case("softmax_dice squared", _ours("softmax_dice_loss", squared=True),
             {"MONAI DiceLoss squared_pred": _monai("DiceLoss", squared_pred=True, **onehot)}),
        Case("softmax_jaccard", _ours("softmax_jaccard_loss"),
             {"MONAI DiceLoss jaccard": _monai("DiceLoss", jaccard=True, **onehot)}),
        Case("softmax_generalized_dice", _ours("softmax_generalized_dice_loss"),
             {"MONAI GeneralizedDiceLoss": _monai("GeneralizedDiceLoss", **onehot)}),
        Case("softmax_tversky", _ours("softmax_tversky_loss"),
             {"MONAI TverskyLoss": _monai("TverskyLoss", alpha=0.3, beta=0.7, **onehot)}),
        Case("softmax_focal_tversky", _ours("softmax_focal_tversky_loss"),
             {"MONAI TverskyLoss": _monai("TverskyLoss", alpha=0.3, beta=0.7, **onehot)}),
        Case("softmax_focal (gamma 2)", _ours("softmax_focal_loss", gamma=2.0),
             {"MONAI FocalLoss": _monai("FocalLoss", use_softmax=True, to_onehot_y=True, gamma=2.0),
              "kornia focal_loss": _kornia("focal_loss", alpha=None, gamma=2.0, reduction="mean")}),
        Case("softmax_dice_ce", _ours("softmax_dice_ce_loss"),
             {"MONAI DiceCELoss": _monai("DiceCELoss", **onehot)}),
        Case("softmax_dice_focal", _ours("softmax_dice_focal_loss"),
             {"MONAI DiceFocalLoss": _monai("DiceFocalLoss", **onehot)}),
        Case("softmax_tversky_ce", _ours("softmax_tversky_ce_loss"), {}),
        Case("sigmoid_dice (masks)", _ours("sigmoid_dice_loss"),
             {"MONAI DiceLoss sigmoid (masks)": _monai("DiceLoss", sigmoid=True)}, target=masks),
        Case("sigmoid_dice_ce (masks)", _ours("sigmoid_dice_ce_loss"),
             {"MONAI DiceCELoss sigmoid (masks)": _monai("DiceCELoss", sigmoid=True)}, target=masks),
        Case("sigmoid_dice_focal (masks)", _ours("sigmoid_dice_focal_loss"),
             {"MONAI DiceFocalLoss sigmoid (masks)": _monai("DiceFocalLoss", sigmoid=True, alpha=0.25)},
             target=masks),
    ]
    try:  # Lovász rows only where losslab has them
        import kornia.losses as kl

        from losslab.functional import lovasz  # noqa: F401

        if hasattr(lovasz, "lovasz_softmax_loss") and hasattr(kl, "lovasz_softmax_loss"):
            cases.append(Case("lovasz_softmax", _ours("lovasz_softmax_loss"),
                              {"kornia lovasz_softmax": _kornia("lovasz_softmax_loss")}))
    except ImportError:
        pass
    return cases


CASES: list[Case] = default_cases()  # extend with CASES.append(Case(...)) before main() runs

SHAPES = [(8, 4, 256, 256), (1, 4, 96, 96, 96)]
QUICK_SHAPES = [(2, 4, 64, 64), (1, 4, 24, 24, 24)]


def inputs(shape: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(*shape, generator=g).mul_(2)
    y = torch.randint(0, shape[1], (shape[0], *shape[2:]), generator=g)
    return x, y


def floor(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return torch.mul(x, 2.0)


# Not losses: what one activation costs alone (forward only), to put the 3×-floor target in proportion.
REFERENCES: dict[str, Loss] = {"torch.softmax(x, 1) alone (forward)": lambda x, y: torch.softmax(x, 1),
                               "torch.sigmoid(x) alone (forward)": lambda x, y: torch.sigmoid(x)}


def _call(fn: Loss, x: torch.Tensor, y: torch.Tensor, backward: bool) -> object:
    if not backward:
        return fn(x, y)
    leaf = x.detach().requires_grad_(True)
    fn(leaf, y).backward()
    return leaf.grad


def peak_extra_bytes(fn: Loss, x: torch.Tensor, y: torch.Tensor, backward: bool) -> int:
    return peak_tensor_bytes(lambda: _call(fn, x, y, backward))


def run_shape(shape: tuple[int, ...], cases: list[Case], repeats: int) -> list[str]:
    x, index = inputs(shape)
    methods: dict[str, tuple[Loss, torch.Tensor, bool]] = {"floor (x * 2)": (floor, index, False)}
    methods.update({name: (fn, index, False) for name, fn in REFERENCES.items()})
    for case in cases:
        y = index if case.target is None else case.target(index, shape[1])
        methods.setdefault(f"losslab {case.name}", (case.ours, y, True))
        for peer, fn in case.peers.items():
            methods.setdefault(peer, (fn, y, True))
    median = interleaved_medians({name: functools.partial(_call, fn, x, y, backward)
                                  for name, (fn, y, backward) in methods.items()}, repeat=repeats)
    memory = {name: peak_extra_bytes(fn, x, y, backward) for name, (fn, y, backward) in methods.items()}
    ft, fm = median["floor (x * 2)"], memory["floor (x * 2)"]

    lines = [f"### logits {shape} float32, index target (multi-label masks where marked)", "",
             "| implementation | median time (ms) | peak extra memory (MiB) | time / best peer | "
             "memory / best peer | time / floor | memory / floor |",
             "|---|---:|---:|---:|---:|---:|---:|"]

    def row(name: str, peers: dict[str, Loss] | None) -> str:
        t, m = median[name], memory[name]
        if peers:
            bt = min(median[p] for p in peers)
            bm = min(memory[p] for p in peers)
            tr, mr = f"{t / bt:.2f}", f"{m / bm:.2f}"
        else:
            tr = mr = "—"
        return (f"| {name} | {t * 1e3:.2f} | {m / 2**20:.1f} | {tr} | {mr} | {t / ft:.1f} | "
                f"{m / fm:.2f} |")

    for name in ("floor (x * 2)", *REFERENCES):
        lines.append(row(name, None))
    for case in cases:
        lines.append(row(f"losslab {case.name}", case.peers))
    for peer in dict.fromkeys(p for case in cases for p in case.peers):
        lines.append(row(peer, None))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    parser.add_argument("--quick", action="store_true", help="small shapes (a smoke run)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore")
    cases = CASES
    print("## Overlap losses: forward + backward vs MONAI, kornia and the floor\n")
    from losslab import _native

    flags = _native.build_flags()
    native = f"native kernels built with `{' '.join(flags) or '-O3'}`" if flags is not None else "no native kernels"
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs; {native}; median "
          f"of {args.repeats} interleaved runs; memory = peak bytes of torch tensors allocated in the call.\n")
    for shape in QUICK_SHAPES if args.quick else SHAPES:
        print("\n".join(run_shape(shape, cases, args.repeats)) + "\n")


if __name__ == "__main__":
    main()
