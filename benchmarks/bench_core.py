"""Core losses vs torch.nn (forward + backward; the softmax focal loss vs kornia) and NumPy calculus vs
scikit-learn's ``sklearn._loss``.

Run: ``make bench`` or ``python benchmarks/bench_core.py [--quick]``. Prints markdown tables; ratios are
against the baseline measured in the same run (interleaved). Method in ``benchmarks/_harness.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Row, forward_backward, machine_line, markdown, measure_group  # noqa: E402


def torch_cases(quick: bool) -> list[Row]:
    import torch
    import torch.nn.functional as F

    import losslab.functional as L

    g = torch.Generator().manual_seed(0)
    rows: list[Row] = []
    n, c = (8192, 1000) if quick else (65536, 1000)
    spatial = (8, 1, 128, 128) if quick else (8, 1, 256, 256)
    logits = torch.randn(n, c, generator=g).requires_grad_(True)
    index = torch.randint(0, c, (n,), generator=g)
    seg = torch.randn(*spatial, generator=g).requires_grad_(True)
    mask = (torch.rand(*spatial, generator=g) < 0.1).float()
    pred = torch.randn(*spatial, generator=g).requires_grad_(True)
    value = torch.randn(*spatial, generator=g)
    small = torch.randn(256, 10, generator=g).requires_grad_(True)  # a small model's batch: the per-call cost
    small_index = torch.randint(0, 10, (256,), generator=g)

    cases = [
        ("softmax CE", f"({n}, {c}) + index", logits, index, F.cross_entropy,
         lambda v: (lambda x, y: L.softmax_cross_entropy(x, y, validate=v))),
        ("softmax CE", "(256, 10) + index", small, small_index, F.cross_entropy,
         lambda v: (lambda x, y: L.softmax_cross_entropy(x, y, validate=v))),
        ("sigmoid CE", str(spatial), seg, mask, F.binary_cross_entropy_with_logits,
         lambda v: (lambda x, y: L.sigmoid_cross_entropy(x, y, validate=v))),
        ("MSE", str(spatial), pred, value, F.mse_loss,
         lambda v: (lambda x, y: L.mse_loss(x, y, validate=v))),
    ]
    for case, shape, x, y, base_fn, ours in cases:
        rows += measure_group(case, shape, [
            ("torch.nn", forward_backward(base_fn, x, y), None),
            ("losslab validate=False", forward_backward(ours(False), x, y), "torch.nn"),
            ("losslab validate=True", forward_backward(ours(True), x, y), "torch.nn")], repeat=25)
    rows += _focal_rows(torch, L, g, n, 100, seg, mask, spatial)
    return rows


def _focal_rows(torch, L, g, n: int, c: int, seg, mask, spatial) -> list[Row]:
    """Focal losses (γ = 2), which torch does not have, against kornia's: the softmax one on ``(N, C)``
    logits (one pixel per image, so losslab takes its torch path: the native kernels start at 64 pixels)
    and the sigmoid one with α = 0.25 on a mask (losslab's elementwise native kernel)."""
    import kornia.losses as kl

    logits = torch.randn(n, c, generator=g).requires_grad_(True)
    index = torch.randint(0, c, (n,), generator=g)
    peer = "kornia focal_loss"
    rows = measure_group("softmax focal γ=2", f"({n}, {c}) + index", [
        (peer, forward_backward(lambda x, y: kl.focal_loss(x, y, alpha=None, gamma=2.0, reduction="mean"),
                                logits, index), None),
        ("losslab", forward_backward(lambda x, y: L.softmax_focal_loss(x, y, gamma=2.0), logits, index), peer)],
        repeat=25)
    peer = "kornia binary_focal_loss_with_logits"
    return rows + measure_group("sigmoid focal γ=2", str(spatial), [
        (peer, forward_backward(lambda x, y: kl.binary_focal_loss_with_logits(x, y, alpha=0.25, gamma=2.0,
                                                                              reduction="mean"), seg, mask), None),
        ("losslab", forward_backward(lambda x, y: L.sigmoid_focal_loss(x, y, gamma=2.0, alpha=0.25), seg, mask),
         peer)], repeat=25)


def numpy_cases(quick: bool) -> list[Row]:
    import numpy as np
    from sklearn._loss.loss import HalfBinomialLoss, HalfMultinomialLoss

    from losslab import reference

    rng = np.random.default_rng(0)
    rows: list[Row] = []
    n = 10**6 if quick else 10**7
    raw = rng.normal(scale=3, size=n)
    y = (rng.random(n) < 0.3).astype(np.float64)
    sk_bin, ours_bin = HalfBinomialLoss(), reference.get("sigmoid_ce")
    sk_name = "sklearn HalfBinomialLoss (n_threads=1)"
    rows += measure_group("binary gradient_hessian", f"{n} rows", [
        (sk_name, lambda: sk_bin.gradient_hessian(y, raw, n_threads=1), None),
        ("losslab.reference sigmoid_ce", lambda: ours_bin.gradient_hessian(y, raw), sk_name)], memory=False)
    m, k = (10**5, 10) if quick else (10**6, 10)
    raw_k = rng.normal(scale=3, size=(m, k))
    y_k = rng.integers(0, k, size=m)
    sk_mul, ours_mul = HalfMultinomialLoss(n_classes=k), reference.get("softmax_ce")
    y_kf = y_k.astype(np.float64)
    sk_name = "sklearn HalfMultinomialLoss (n_threads=1)"
    rows += measure_group("multinomial gradient_hessian", f"{m} × {k}", [
        (sk_name, lambda: sk_mul.gradient_hessian(y_kf, raw_k, n_threads=1), None),
        ("losslab.reference softmax_ce", lambda: ours_mul.gradient_hessian(y_k, raw_k), sk_name)], memory=False)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller shapes (a smoke run)")
    args = parser.parse_args()
    print(machine_line())
    print()
    print(markdown(torch_cases(args.quick), "torch losses: forward + backward, float32, CPU"))
    print()
    print(markdown(numpy_cases(args.quick), "NumPy gradient_hessian, float64"))


if __name__ == "__main__":
    main()
