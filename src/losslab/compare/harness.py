"""The compare harness: the same small model trained with each candidate loss, evaluated on held-out data.

Every candidate sees identical data, the same seeds (hence the same initial weights and the same batch
order), the same optimizer (Adam) and the same budget (a fixed number of optimizer steps). With the same
seed on the same machine (same thread count) the numbers are the same: training runs under
``torch.use_deterministic_algorithms`` (restored afterwards) and every random draw comes from a seeded
generator. The metrics are computed outside that mode: they count and sort on the CPU, which is deterministic
anyway, and torchmetrics' deterministic-mode counting costs O(pixels × classes²). The thread count is
recorded, not changed.
"""

from __future__ import annotations

import contextlib
import math
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .._validation import fail
from . import metrics as M
from .candidates import Candidate, Term, as_candidate, build_loss, check_compatible
from .models import SmallUNet, build_model, count_parameters, default_model, init_prior_bias
from .results import CompareResult
from .tasks import BUILTIN, KINDS, Task, _check_seed, _make_user_task, _unused, load_data, make_task

_FN = "compare"


@dataclass(frozen=True)
class Budget:
    """Training budget and optimizer settings (Adam): steps, batch size, learning rate, model and width.

    Example:
        >>> from losslab.compare import DEFAULT_BUDGETS
        >>> b = DEFAULT_BUDGETS["binary_segmentation"]
        >>> b.steps, b.batch_size, b.lr
        (250, 8, 0.005)
    """

    steps: int
    batch_size: int
    lr: float
    model: str = "auto"
    width: int | None = None


#: Default budgets per task kind (chosen so the lesions demo fits in about two minutes on 2 CPU cores).
DEFAULT_BUDGETS = {
    "binary_segmentation": Budget(steps=250, batch_size=8, lr=5e-3),
    "multiclass_segmentation": Budget(steps=250, batch_size=8, lr=5e-3),
    "binary": Budget(steps=300, batch_size=64, lr=3e-3),
    "multiclass": Budget(steps=300, batch_size=64, lr=3e-3),
    "regression": Budget(steps=500, batch_size=512, lr=2e-2),
}

#: Candidates used when none are given.
DEFAULT_CANDIDATES = {
    "binary_segmentation": ["sigmoid_ce", "sigmoid_ce:bias=prior", "sigmoid_ce:pos_weight=auto",
                            "sigmoid_focal", "sigmoid_dice", "sigmoid_dice+sigmoid_ce", "sigmoid_tversky",
                            "advised"],
    "multiclass_segmentation": ["softmax_ce", "softmax_ce:bias=prior", "softmax_ce:class_weight=auto",
                                "softmax_focal", "softmax_dice", "softmax_dice+softmax_ce", "advised"],
    "binary": ["sigmoid_ce", "sigmoid_ce:pos_weight=auto", "sigmoid_focal", "mse:on=probability", "advised"],
    "multiclass": ["softmax_ce", "softmax_focal", "poly1", "mse:on=probability", "advised"],
    "regression": ["mse", "mae", "huber", "log_cosh", "advised"],
}


def default_candidates(kind: str) -> list[str]:
    """Sensible candidates for a task kind (keys the registry does not have are left out).

    Example:
        >>> from losslab.compare import default_candidates
        >>> default_candidates("regression")
        ['mse', 'mae', 'huber', 'log_cosh', 'advised']
    """
    from .. import registry

    known = {s.key for s in registry.list_losses()}
    out = []
    for c in DEFAULT_CANDIDATES[kind]:
        keys = [p.split(":")[0].split("*")[-1].strip() for p in c.split("+")]
        if c == "advised" or all(k in known for k in keys):
            out.append(c)
    return out


# ------------------------------------------------------------------------------------------ helpers
@contextlib.contextmanager
def _deterministic(mode: bool = True):
    """Run under ``torch.use_deterministic_algorithms(mode)`` (warn only), restoring the setting afterwards."""
    enabled = torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    torch.use_deterministic_algorithms(mode, warn_only=True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(enabled, warn_only=warn_only)


def _evaluate(*args: Any, **kwargs: Any) -> dict[str, float]:
    """``metrics.evaluate`` outside deterministic mode (same values; see the module docstring)."""
    with _deterministic(False):
        return M.evaluate(*args, **kwargs)


def _resolve_task(task_or_data: Any, data_seed: int, task_options: dict[str, Any]) -> Task:
    if isinstance(task_or_data, Task):
        _unused(_FN, "a Task", **task_options)
        return task_or_data
    if isinstance(task_or_data, tuple) and len(task_or_data) == 2:
        opts = dict(task_options)
        kind, test_fraction = opts.pop("kind", None), opts.pop("test_fraction", 0.25)
        _unused(_FN, "an (X, y) pair (only kind= and test_fraction= apply)", **opts)
        x, y = (np.asarray(a) for a in task_or_data)
        return _make_user_task("data", x, y, kind=kind, test_fraction=test_fraction, seed=data_seed, fn=_FN)
    if isinstance(task_or_data, str) and task_or_data in BUILTIN:
        return make_task(task_or_data, data_seed, **task_options)
    if isinstance(task_or_data, (str, Path)):
        p = Path(task_or_data)
        if not p.exists():
            fail(_FN, f"a built-in task {tuple(BUILTIN)} or a path to", "data", repr(str(task_or_data)))
        return load_data(p, seed=data_seed, **task_options)
    fail(_FN, "a task name, a Task, a path or an (X, y)", "pair", type(task_or_data).__name__)


def _advised(cand: Candidate, task: Task) -> Candidate:
    from ..advisor import advise

    labels = task.y_train.numpy()
    if task.kind == "binary_segmentation":
        labels = labels[:, 0].astype(np.uint8)
    elif task.kind == "binary":
        labels = labels[:, 0].astype(np.int64)
    elif task.kind == "regression":
        labels = labels[:, 0]
    rec = advise(labels, task=task.kind)
    module = rec.build()
    info = rec.to_dict()
    bias = cand.bias
    if bias == "default" and "bias=" not in cand.name and any(a.get("topic") == "bias_init" for a in info["advice"]):
        bias = "prior"  # the advisor's pick includes its advice to start at the prior
    label = rec.key + (", prior bias" if bias == "prior" else "")
    name = f"advised ({label})" if cand.name == "advised" else f"{cand.name} ({label})"
    return Candidate(name, [Term(rec.key, dict(rec.params), 1.0, "raw", module)], bias, advised=True,
                     advice=info)


def _batches(n: int, batch_size: int, steps: int, g: torch.Generator):
    """Indices of ``steps`` batches: epochs of seeded permutations (the whole set when it fits)."""
    if batch_size >= n:
        full = torch.arange(n)
        for _ in range(steps):
            yield full
        return
    perm, pos = torch.randperm(n, generator=g), 0
    for _ in range(steps):
        if pos + batch_size > n:
            perm, pos = torch.randperm(n, generator=g), 0
        yield perm[pos:pos + batch_size]
        pos += batch_size


@torch.no_grad()
def _predict(model: torch.nn.Module, x: torch.Tensor, chunk: int = 100) -> torch.Tensor:
    was = model.training
    model.eval()
    out = torch.cat([model(x[i:i + chunk]) for i in range(0, x.shape[0], chunk)])
    model.train(was)
    return out


def _eval_subset(task: Task, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    n = task.x_test.shape[0]
    if n <= size:
        return task.x_test, task.y_test
    idx = torch.linspace(0, n - 1, size).round().long()
    return task.x_test[idx], task.y_test[idx]


def _example_indices(task: Task, k: int) -> list[int]:
    fg = (task.y_test > 0).reshape(task.y_test.shape[0], -1).any(dim=1)
    bearing = torch.nonzero(fg).flatten().tolist()
    empty = torch.nonzero(~fg).flatten().tolist()
    take = bearing[: max(k - 1, 1)] + empty[:1]
    return take[:k] if take else list(range(min(k, task.y_test.shape[0])))


# ------------------------------------------------------------------------------------------ compare
def compare(candidates: Sequence[Any] | None, task_or_data: Any = "lesions", *, seeds: int | Sequence[int] = 3,
            steps: int | None = None, batch_size: int | None = None, lr: float | None = None,
            model: str = "auto", width: int | None = None, prior_bias: bool = False, data_seed: int = 0,
            eval_points: int = 4, eval_subset: int = 64, examples: int = 4, progress: bool = False,
            **task_options: Any) -> CompareResult:
    """Train the same small model with each candidate loss and evaluate it on a held-out split.

    Args:
        candidates: candidate strings (``"sigmoid_ce"``, ``"sigmoid_focal:gamma=2"``, ``"sigmoid_dice+sigmoid_ce"``,
            ``"mse:on=probability"``, ``"sigmoid_ce:bias=prior"``, ``"advised"``; see
            :mod:`losslab.compare.candidates`), ``nn.Module`` losses or ``(name, module)`` pairs.
            ``None`` or empty: the defaults for the task kind.
        task_or_data: a built-in task name (``lesions``, ``lesions-multiclass``, ``digits``,
            ``digits-imbalanced``, ``outliers``), a :class:`Task`, a path to user data (image folder, .npz,
            CSV/Parquet with ``target=``) or an ``(X, y)`` pair.
        seeds: number of seeds (0, 1, ...) or the seeds themselves; each seed fixes the initial weights
            and the batch order, identically for every candidate.
        steps, batch_size, lr: the budget (Adam); defaults per task kind in ``DEFAULT_BUDGETS``.
        model: ``auto`` (U-Net for images, MLP for classification, linear for regression), ``unet``,
            ``mlp`` or ``linear``; ``width`` its base width.
        prior_bias: initialise the output bias to the class prior for every candidate (a candidate's
            ``bias=`` option overrides it).
        data_seed: seed of the built-in task's data and of the train/test split.
        eval_points: held-out evaluations of the primary metric during training (learning curves), on
            ``eval_subset`` evenly spaced test samples (the final numbers use the whole test split).
        examples: number of test images whose predictions are kept for the example figure (segmentation).
        progress: show a rich progress bar.
        **task_options: passed to the task generator or to ``load_data`` (``target=``, ``masks=``, ``kind=``...).

    Returns:
        A :class:`~losslab.compare.results.CompareResult` (records, table, JSON, report).

    Example:
        >>> from losslab.compare import compare
        >>> r = compare(["mse", "huber:delta=1"], "outliers", seeds=2)
        >>> r.candidate_names, len(r.records)  # 2 candidates x 2 seeds x (mae, rmse)
        (['mse', 'huber:delta=1'], 8)
        >>> r.best("mae")  # squared error is pulled by the outliers in the training targets
        ['huber:delta=1']
    """
    _check_seed(_FN, "data_seed", data_seed)
    task = _resolve_task(task_or_data, data_seed, task_options)
    if task.kind not in KINDS:
        fail(_FN, "a task kind in", KINDS, repr(task.kind))
    if (model if model != "auto" else default_model(task.kind)) == "unet" and \
            min(task.x_train.shape[-2:]) < SmallUNet.MIN_SIZE:
        fail(_FN, f"images of at least {SmallUNet.MIN_SIZE}x{SmallUNet.MIN_SIZE} for the U-Net (it halves them",
             "twice)", "x".join(map(str, task.x_train.shape[-2:])))
    seed_list = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    if not seed_list:
        fail(_FN, "at least one", "seed", seeds)
    base = DEFAULT_BUDGETS[task.kind]
    budget = Budget(steps=steps if steps is not None else base.steps,
                    batch_size=batch_size if batch_size is not None else base.batch_size,
                    lr=lr if lr is not None else base.lr, model=model, width=width)
    if budget.steps < 1 or budget.batch_size < 1 or not (budget.lr > 0 and math.isfinite(budget.lr)):
        fail(_FN, "steps >= 1, batch_size >= 1 and lr >", "0",
             f"steps={budget.steps}, batch_size={budget.batch_size}, lr={budget.lr}")
    cands = [as_candidate(c) for c in (candidates or default_candidates(task.kind))]
    names = [c.name for c in cands]
    if len(set(names)) != len(names):
        fail(_FN, "candidates to be", "distinct", f"duplicates {sorted({n for n in names if names.count(n) > 1})}")
    prior = task.class_prior() if task.kind != "regression" else None
    resolved: list[Candidate] = []
    for c in cands:
        if c.advised and not c.terms:
            c = _advised(c, task)
        if prior_bias and c.bias == "default" and "bias=" not in c.name:
            c = Candidate(c.name, c.terms, "prior", c.advised, c.advice)
        if c.bias == "prior" and prior is None:
            fail(_FN, "`bias=prior` only on classification or segmentation tasks, not", "regression",
                 f"task kind {task.kind!r}")
        check_compatible(c, task.kind)
        resolved.append(c)
    # build every loss once up front so a bad option fails before any training
    for c in resolved:
        build_loss(c, task.kind, task.n_classes, prior)

    metric_list = M.metrics_for(task.kind)
    primary = M.PRIMARY[task.kind]
    y_scale = (task.info.get("y_mean", 0.0), task.info.get("y_std", 1.0))
    x_sub, y_sub = _eval_subset(task, eval_subset)
    ex_idx = _example_indices(task, examples) if task.kind.endswith("segmentation") and examples else []
    records: list[dict[str, Any]] = []
    timings: dict[str, list[float]] = {}
    curves: dict[str, dict[str, dict[str, list[float]]]] = {}
    ex_preds: dict[str, np.ndarray] = {}
    diverged: dict[str, list[int]] = {}
    n_params = None
    eval_at = sorted({max(1, round(budget.steps * (i + 1) / eval_points)) for i in range(max(eval_points, 1))})
    log_every = max(1, budget.steps // 50)

    bar = _Progress(progress, total=len(resolved) * len(seed_list) * budget.steps)
    with bar, _deterministic():
        for c in resolved:
            timings[c.name] = []
            curves[c.name] = {}
            for seed in seed_list:
                bar.describe(f"{c.name} seed {seed}")
                torch.manual_seed(seed)
                net = build_model(budget.model, task.kind, task.in_channels, task.n_outputs, width=budget.width)
                n_params = count_parameters(net)
                if c.bias == "prior":
                    init_prior_bias(net, prior)
                torch.manual_seed(seed)
                loss_fn = build_loss(c, task.kind, task.n_classes, prior)
                opt = torch.optim.Adam(net.parameters(), lr=budget.lr)
                g = torch.Generator().manual_seed(seed)
                curve = {"step": [], "loss": [], "eval_step": [], "eval": []}
                acc, count, bad = 0.0, 0, False
                t0 = time.perf_counter()
                eval_seconds = 0.0
                net.train()
                for step, idx in enumerate(_batches(task.x_train.shape[0], budget.batch_size, budget.steps, g), 1):
                    out = net(task.x_train[idx])
                    loss = loss_fn(out, task.y_train[idx])
                    if not bool(torch.isfinite(loss)):
                        bad = True
                        bar.advance(budget.steps - step + 1)
                        break
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    acc += float(loss.detach())
                    count += 1
                    if step % log_every == 0 or step == budget.steps:
                        curve["step"].append(step)
                        curve["loss"].append(acc / count)
                        acc, count = 0.0, 0
                    if step in eval_at:
                        te = time.perf_counter()
                        val = _evaluate(task.kind, _predict(net, x_sub), y_sub, n_classes=task.n_classes,
                                        prior=prior, y_scale=y_scale, only=(primary,))[primary]
                        curve["eval_step"].append(step)
                        curve["eval"].append(val)
                        eval_seconds += time.perf_counter() - te
                    bar.advance(1)
                timings[c.name].append(time.perf_counter() - t0 - eval_seconds)
                if bad:
                    diverged.setdefault(c.name, []).append(seed)
                output = _predict(net, task.x_test)
                values = _evaluate(task.kind, output, task.y_test, n_classes=task.n_classes, prior=prior,
                                   y_scale=y_scale)
                for m in metric_list:
                    v = values.get(m.name, float("nan"))
                    records.append({"candidate": c.name, "seed": seed, "metric": m.name,
                                    "value": float("nan") if bad else float(v), "higher_is_better": m.higher_is_better})
                curves[c.name][str(seed)] = curve
                if ex_idx and seed == seed_list[0]:
                    o = output[ex_idx]
                    if task.kind == "binary_segmentation":
                        ex_preds[c.name] = torch.sigmoid(o[:, 0]).numpy()
                    else:
                        ex_preds[c.name] = (1 - torch.softmax(o, dim=1)[:, 0]).numpy()

    examples_data = None
    if ex_idx:
        y_ex = task.y_test[ex_idx]
        examples_data = {"images": task.x_test[ex_idx][:, 0].numpy(),
                         "truth": (y_ex[:, 0] if y_ex.dim() == 4 else y_ex).numpy(),
                         "predictions": ex_preds, "indices": ex_idx}
    advice = next((c.advice for c in resolved if c.advised and c.advice), None)
    settings = {"seeds": seed_list, "steps": budget.steps, "batch_size": budget.batch_size, "lr": budget.lr,
                "optimizer": "Adam", "model": budget.model if budget.model != "auto" else default_model(task.kind),
                "width": budget.width, "parameters": n_params, "data_seed": data_seed, "primary_metric": primary,
                "eval_points": eval_at, "eval_subset": int(x_sub.shape[0]), "prior_bias": prior_bias,
                "diverged": diverged}
    env = {"torch": torch.__version__, "threads": torch.get_num_threads(), "python": platform.python_version(),
           "platform": platform.platform(), "deterministic": True}
    return CompareResult(task.summary(), [c.describe() for c in resolved],
                         [_metric_info(m, task) for m in metric_list],
                         records, timings, curves, settings, env, advice, examples_data)


def _metric_info(m: M.Metric, task: Task) -> dict[str, Any]:
    info = {"name": m.name, "higher_is_better": m.higher_is_better, "doc": m.doc}
    if m.name == "empty_pred" and "empty_fraction_test" in task.info:
        info["reference"] = task.info["empty_fraction_test"]  # the true fraction of empty test images
    return info


class _Progress:
    """A rich progress bar over all optimizer steps (a no-op when disabled)."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled
        self.total = total
        self._p = None
        self._task = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            self._p = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                               TimeElapsedColumn(), TimeRemainingColumn(), transient=True,
                               console=Console(stderr=True))
            self._p.__enter__()
            self._task = self._p.add_task("training", total=self.total)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._p is not None:
            self._p.__exit__(*exc)

    def describe(self, text: str) -> None:
        if self._p is not None:
            self._p.update(self._task, description=text)

    def advance(self, n: int) -> None:
        if self._p is not None:
            self._p.advance(self._task, n)
