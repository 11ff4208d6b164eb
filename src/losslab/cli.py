"""The ``losslab`` command line: ``list``, ``advise``, ``compare``, ``plot``, ``demo``.

Thin: each command parses options and calls the library. Bad input (``ValueError``, ``TypeError``,
``OSError``) becomes one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import math
import sys

try:
    import typer
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise SystemExit(f"losslab: the command line needs the 'cli' extra: pip install 'losslab[cli]' ({exc})") from None

from . import __version__, registry

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Loss functions that are right at the edges: list, advise, compare, plot.")
console = Console()


class UserError(Exception):
    """A problem with what the user asked for: printed as one line, exit code 2."""


def _version(value: bool) -> None:
    if value:
        print(f"losslab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                        help="Print the version and exit.")) -> None:
    """losslab command line."""


def _main_options(spec: registry.LossSpec) -> str:
    return ", ".join(f"{p.name}={p.default!r}" for p in spec.params if p.name != "reduction")


@app.command("list")
def list_cmd(family: str | None = typer.Option(None, help="Only this family (regression, classification, "
                                                             "overlap, composite)."),
             task: str | None = typer.Option(None, help=f"Only losses suited to this task {registry.TASKS}."),
             as_json: bool = typer.Option(False, "--json", help="One JSON array on stdout.")) -> None:
    """Print the loss registry: key, family, tasks, input kind and main options."""
    if task is not None and task not in registry.TASKS:
        raise UserError(f"list: expected --task one of {registry.TASKS}, got {task!r}")
    if family is not None and family not in registry.FAMILIES:
        raise UserError(f"list: expected --family one of {registry.FAMILIES}, got {family!r}")
    specs = registry.list_losses(family=family, task=task)
    if as_json:
        print(json.dumps([{"key": s.key, "family": s.family, "tasks": list(s.tasks), "input": s.input_kind,
                           "params": {p.name: _jsonable(p.default) for p in s.params},
                           "torch_equivalent": s.torch_equivalent, "summary": s.summary} for s in specs], indent=2))
        return
    table = Table(title=f"losslab {__version__}: {len(specs)} losses", show_lines=False)
    for col in ("key", "family", "tasks", "input", "main options"):
        table.add_column(col, overflow="fold")
    for s in specs:
        table.add_row(s.key, s.family, ", ".join(s.tasks), s.input_kind, _main_options(s))
    console.print(table)


def _jsonable(v):
    return v if isinstance(v, (str, int, float, bool, type(None))) else repr(v)


def _check_writable(command: str, option: str, path: str, *, folder: bool) -> None:
    """Fail now, before any long work, if ``path`` (a file, or a folder with ``folder``) cannot be written.

    Leaves nothing behind: a probe folder is made and removed in the nearest existing folder. Missing
    folders on the way are fine: the writers (``plot``, ``--json``, ``--report``, ``demo``) create them.
    """
    import os
    import tempfile
    from pathlib import Path

    what = "folder" if folder else "file"

    def bad(why: str) -> UserError:
        return UserError(f"{command}: expected {option} a writable {what} path, got {path!r} ({why})")

    p = Path(path)
    if p.exists() and p.is_dir() != folder:
        raise bad("a folder" if p.is_dir() else "not a folder")
    near = p if p.is_dir() else p.parent
    while not near.exists() and near != near.parent:
        near = near.parent
    if not near.is_dir():
        raise bad(f"{near} is not a folder")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".losslab-probe-", dir=near))
    except OSError as exc:
        raise bad(f"cannot write in {near}: {exc.strerror or type(exc).__name__}") from None
    if p.is_file():
        try:
            with open(p, "ab"):  # appends nothing: the file is unchanged
                pass
        except OSError as exc:
            raise bad(exc.strerror or type(exc).__name__) from None


# ---------------------------------------------------------------------------------------- advise
# (issue 4)
def _parse_classes(text: str | None) -> list | None:
    if text is None:
        return None
    items = [t.strip() for t in text.split(",") if t.strip()]
    try:
        return [int(t) for t in items]
    except ValueError:
        return items


def _parse_ignore(text: str | None):
    if text is None or text.lower() == "auto":
        return "auto"
    if text.lower() == "none":
        return None
    try:
        return int(text)
    except ValueError:
        raise UserError(f"advise: expected --ignore-index an integer, 'auto' or 'none', got {text!r}") from None


class _LateProgress:
    """A rich progress bar on stderr that appears only once a scan has run for more than a second."""

    def __init__(self, enabled: bool, label: str) -> None:
        import time

        self._clock = time.perf_counter
        self._start = self._clock()
        self._enabled = enabled
        self._label = label
        self._bar = None
        self._task = None

    def __call__(self, done: int, total: int | None) -> None:
        if not self._enabled:
            return
        if self._bar is None:
            if self._clock() - self._start < 1.0:
                return
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                                 console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self._label, total=total)
        self._bar.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


@app.command("advise")
def advise_cmd(path: str = typer.Argument(..., help="CSV/Parquet/.npy/.npz file, a mask image or NIfTI volume, "
                                                      "or a folder of masks (PNG/TIFF/BMP/NIfTI, recursive)."),
               target: str | None = typer.Option(None, "--target", help="Target column(s) of a table, "
                                                    "comma-separated for multi-label, or the array of an .npz."),
               task: str | None = typer.Option(None, help=f"Force the task {registry.TASKS}."),
               as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout (schema in "
                                                                  "docs/advisor.md)."),
               weighting: str = typer.Option("damped", help="Class weights: damped (sqrt / effective number), "
                                                            "inverse (raw ratio) or none."),
               beta: float | None = typer.Option(None, help="Effective-number beta for class weights "
                                                               "(default: 1 - 1/sqrt(n_min n_max))."),
               classes: str | None = typer.Option(None, help="Declared class list, comma-separated; other "
                                                                "labels are an error."),
               ignore_index: str | None = typer.Option(None, "--ignore-index", help="Mask value left out: an "
                                                          "integer, 'none', or 'auto' (255 next to 0..K, as in "
                                                          "Pascal VOC; the default)."),
               max_object_images: int = typer.Option(256, min=0, help="Masks sampled for connected components."),
               progress: bool = typer.Option(True, "--progress/--no-progress",
                                             help="Progress bar on stderr for scans longer than a second.")
               ) -> None:
    """Read a dataset's labels and recommend a configured loss, with reasons, alternatives and advice."""
    if task is not None and task not in registry.TASKS:
        raise UserError(f"advise: expected --task one of {registry.TASKS}, got {task!r}")
    try:
        from .advisor import advise
        from .advisor.report import summary_rows
        from .advisor.rules import WEIGHTINGS
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise UserError(str(exc)) from None
    if weighting not in WEIGHTINGS:
        raise UserError(f"advise: expected --weighting one of {WEIGHTINGS}, got {weighting!r}")
    if beta is not None and not 0 <= beta < 1:
        raise UserError(f"advise: expected --beta in [0, 1), got {beta!r}")
    bar = _LateProgress(progress and sys.stderr.isatty(), f"reading {path}")
    try:
        rec = advise(path, task=task, column=target, weighting=weighting, beta=beta,
                     classes=_parse_classes(classes), ignore_index=_parse_ignore(ignore_index),
                     max_object_images=max_object_images, progress=bar)
    except ImportError as exc:  # an optional reader (nibabel, pyarrow, Pillow) is missing
        raise UserError(str(exc)) from None
    finally:
        bar.close()
    if as_json:
        print(json.dumps(rec.to_dict(), indent=2))
        return
    # every string derived from the data (labels, file names, evidence) is escaped: rich would read "[b]" as markup
    head = Table(title=f"losslab advise: {rec.task}", show_header=False)
    head.add_column("", style="bold")
    head.add_column("", overflow="fold")
    head.add_row("loss", escape(rec.loss.signature()))
    head.add_row("module", rec.loss.to_dict()["module"])
    for r in rec.reasons:
        head.add_row("why", f"{escape(r.text)} [dim]({escape(r.reference)})[/dim]")
    head.add_row("data", escape(rec.profile.source))
    head.add_row("evidence", escape("; ".join(rec.profile.evidence)))
    console.print(head)
    if rec.alternatives:
        alt = Table(title="alternatives")
        for col in ("rank", "loss", "why"):
            alt.add_column(col, overflow="fold")
        for i, a in enumerate(rec.alternatives, 2):
            alt.add_row(str(i), escape(a.signature()), escape("; ".join(r.text for r in a.reasons)))
        console.print(alt)
    if rec.advice:
        adv = Table(title="beyond the loss")
        adv.add_column("topic", style="bold")
        adv.add_column("advice", overflow="fold")
        for a in rec.advice:
            adv.add_row(a.topic, escape(a.text))
        console.print(adv)
    stats = Table(title="profile")
    stats.add_column("statistic")
    stats.add_column("value", overflow="fold")
    for k, v in summary_rows(rec.profile):
        stats.add_row(k, escape(v))
    console.print(stats)
    for line in rec.profile.notes:
        console.print(f"[dim]note:[/dim] {escape(line)}")
    for line in rec.profile.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(line)}")


# ---------------------------------------------------------------------------------------- compare
# (issue 5)
def _print_wide(renderable) -> None:
    """Print a table at full width even when stdout is not a terminal (rich would wrap at 80 columns)."""
    out = console if console.is_terminal else Console(width=max(console.width, 260))
    out.print(renderable)


@app.command("compare")
def compare_cmd(candidates: list[str] | None = typer.Argument(
                    None, help="Candidate losses: registry keys with options (sigmoid_focal:gamma=2,alpha=0.25), "
                               "compositions (sigmoid_dice+0.5*sigmoid_ce), mse:on=probability, "
                               "sigmoid_ce:bias=prior, or 'advised'. Default: a set suited to the task."),
                task: str | None = typer.Option(None, help="Built-in task: lesions, lesions-multiclass, digits, "
                                                              "digits-imbalanced, outliers."),
                data: str | None = typer.Option(None, help="Your data: a folder with images/ and masks/, an .npz "
                                                              "with X and y, or a CSV/Parquet file (with --target)."),
                target: str | None = typer.Option(None, help="Label column of a CSV/Parquet file."),
                masks: str | None = typer.Option(None, help="Folder of masks (default DATA/masks)."),
                kind: str | None = typer.Option(None, help="Force the task kind of --data (binary_segmentation, "
                                                              "multiclass_segmentation, binary, multiclass, regression)."),
                size: int | None = typer.Option(None, help="Resize images and masks to SIZE x SIZE (at least 4 "
                                                              "for the U-Net)."),
                seeds: int = typer.Option(3, min=1, help="Seeds 0..N-1 (initial weights and batch order)."),
                steps: int | None = typer.Option(None, min=1, help="Optimizer steps (default per task)."),
                batch_size: int | None = typer.Option(None, min=1, help="Batch size (default per task)."),
                lr: float | None = typer.Option(None, help="Adam learning rate (default per task)."),
                model: str = typer.Option("auto", help="auto, unet, mlp or linear."),
                width: int | None = typer.Option(None, min=1, help="Base width of the model."),
                prior_bias: bool = typer.Option(False, "--prior-bias", help="Initialise every candidate's output "
                                                                           "bias to the class prior."),
                data_seed: int = typer.Option(0, min=0, max=2**32 - 1, help="Seed of the built-in data and of "
                                                                               "the train/test split (0 to 2^32-1)."),
                option: list[str] | None = typer.Option(None, "--option", help="KEY=VALUE for the built-in task "
                                                           "generator, e.g. outlier_fraction=0 (repeatable)."),
                threads: int | None = typer.Option(None, min=1, help="torch threads for this run (default: "
                                                                        "leave torch's setting)."),
                json_path: str | None = typer.Option(None, "--json", help="Write the records as JSON to PATH "
                                                                             "('-': stdout, no table)."),
                report: str | None = typer.Option(None, help="Write report.html, results.json and PNG figures "
                                                                "to this folder."),
                progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar on stderr.")
                ) -> None:
    """Train the same small model with each candidate loss on identical data, seeds and budget; compare."""
    from pathlib import Path

    from .compare import compare
    from .compare.models import MODELS, SmallUNet
    from .compare.tasks import BUILTIN, KINDS

    # every argument is checked here, before the data is read or generated and before any training
    if (task is None) == (data is None):
        raise UserError("compare: expected exactly one of --task NAME or --data PATH, got "
                        + ("both" if task else "neither"))
    if task is not None and task not in BUILTIN:
        raise UserError(f"compare: expected --task one of {tuple(BUILTIN)} (--data PATH for your own data), "
                        f"got {task!r}")
    if kind is not None and kind not in KINDS:
        raise UserError(f"compare: expected --kind one of {KINDS}, got {kind!r}")
    if lr is not None and not (math.isfinite(lr) and lr > 0):
        raise UserError(f"compare: expected --lr a finite number > 0, got {lr!r}")
    if model not in MODELS:
        raise UserError(f"compare: expected --model one of {MODELS}, got {model!r}")
    if size is not None and size < SmallUNet.MIN_SIZE:
        raise UserError(f"compare: expected --size at least {SmallUNet.MIN_SIZE} (the U-Net halves the images "
                        f"twice), got {size}")
    options = {}
    if data is not None:
        options = {k: v for k, v in (("target", target), ("masks", masks), ("kind", kind), ("size", size))
                   if v is not None}
    elif any(v is not None for v in (target, masks, kind, size)):
        raise UserError("compare: expected --target/--masks/--kind/--size only with --data, got them with --task")
    if option and data is not None:
        raise UserError("compare: expected --option only with --task, got it with --data")
    if data is not None and not Path(data).exists():
        raise UserError(f"compare: expected --data an existing file or folder, got {data!r}")
    task_options = _task_options(task, option) if task is not None else {}
    _check_candidates("compare", candidates or [])
    if json_path is not None and json_path != "-":
        _check_writable("compare", "--json", json_path, folder=False)
    if report is not None:
        _check_writable("compare", "--report", report, folder=True)
    _set_threads(threads)
    if data is not None:
        from .compare import load_data

        source = load_data(data, seed=data_seed, **options)
        print(f"losslab: {source.description}", file=sys.stderr)  # the inferred kind and the label → class map
    else:
        source = _make_task(task, data_seed, task_options)
    result = compare(candidates or None, source, seeds=seeds, steps=steps, batch_size=batch_size, lr=lr,
                     model=model, width=width, prior_bias=prior_bias, data_seed=data_seed,
                     progress=progress and sys.stderr.isatty())
    if json_path == "-":
        print(result.to_json())
        return
    _print_wide(result.table())
    if json_path:
        result.to_json(json_path)
        console.print(f"JSON: {escape(json_path)}")
    if report:
        command = "losslab " + " ".join(sys.argv[1:]) if sys.argv[1:2] == ["compare"] else None
        console.print(f"report: {escape(str(result.write_report(report, command=command)))}")


def _task_options(task: str, items: list[str] | None) -> dict:
    """``--option KEY=VALUE`` items checked against the keyword options of the task's generator (names and
    kinds from its signature; value ranges are the generator's)."""
    import inspect

    from .compare.tasks import BUILTIN

    known = {n: q.default for n, q in inspect.signature(BUILTIN[task]).parameters.items()
             if q.kind is q.KEYWORD_ONLY}
    options = {}
    for item in items or []:
        k, eq, v = item.partition("=")
        k, v = k.strip(), v.strip()
        if not eq or not k:
            raise UserError(f"compare: expected --option KEY=VALUE, got {item!r}")
        if k not in known:
            listing = ", ".join(f"{n} ({_kind_of(d)}, default {d!r})" for n, d in known.items()) or "none"
            raise UserError(f"compare: expected --option KEY one of the options of task {task!r}: {listing}; "
                            f"got {k!r}")
        options[k] = _task_value(k, v, known[k])
    return options


def _kind_of(default) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return "an integer"
    if isinstance(default, float):
        return "a finite number"
    return "a value"


def _task_value(key: str, text: str, default):
    """The value of ``--option key=text``, of the kind of the generator's default."""
    value = _literal(text)
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        value = float(value) if ok else value
    else:
        ok = True
    if not ok:
        raise UserError(f"compare: expected --option {key} to be {_kind_of(default)} (default {default!r}), "
                        f"got {text!r}")
    return value


def _make_task(task: str, data_seed: int, options: dict):
    """The built-in task; an error of its generator on the user's ``--option`` values names them."""
    from .compare.tasks import make_task

    try:
        return make_task(task, data_seed, **options)
    except (ValueError, TypeError, RuntimeError, IndexError) as exc:
        if not options:
            raise
        given = ", ".join(f"{k}={v!r}" for k, v in options.items())
        why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"compare: expected --option values that task {task!r} can use, got {given} ({why})") from None


def _check_candidates(command: str, candidates: list[str]) -> None:
    """Parse each candidate (which checks its loss options) before any data is read."""
    from .compare.candidates import parse_candidate

    for text in candidates:
        parse_candidate(text, command)


def _literal(text: str):
    """``--option`` values: int, float, true/false/none, else the string."""
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "none":
        return None
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def _set_threads(threads: int | None) -> None:
    """Set torch's thread count when the user asks for it (and say so); otherwise leave it."""
    if threads is None:
        return
    import torch

    torch.set_num_threads(threads)
    print(f"losslab: using {threads} torch thread(s)", file=sys.stderr)


# ---------------------------------------------------------------------------------------- plot
# (issue 5)
@app.command("plot")
def plot_cmd(losses: list[str] = typer.Argument(..., help="Losses: keys with options (sigmoid_focal:gamma=2), "
                                                          "mse:on=probability for MSE on a sigmoid, a+0.5*b."),
             param: list[str] | None = typer.Option(None, "--param", help="KEY=VALUE for every loss that has "
                                                                               "the option (repeatable)."),
             on: str = typer.Option("raw", help="'probability' puts every regression loss on a sigmoid "
                                                "(same as LOSS:on=probability)."),
             x: str = typer.Option("auto", "--x", help="x axis: auto, logit, probability or residual."),
             target: float = typer.Option(1.0, help="Label y of the classification losses (0 or 1)."),
             span: float | None = typer.Option(None, help="Half-width of the x range (default 8 logits, 4 "
                                                          "residuals; at most 500 logits, 1e6 residuals)."),
             out: str = typer.Option("losslab-plot.png", "--out", "-o", help="PNG path.")) -> None:
    """Loss and gradient of each loss against the logit, probability or residual, in one PNG."""
    from .plotting import plot_losses

    if on not in ("raw", "probability"):
        raise UserError(f"plot: expected --on raw or probability, got {on!r}")
    params = {}
    for item in param or []:
        k, eq, v = item.partition("=")
        if not eq or not k.strip():
            raise UserError(f"plot: expected --param KEY=VALUE, got {item!r}")
        params[k.strip()] = v.strip()
    if on == "probability":
        losses = [_on_probability(s) for s in losses]
    _check_writable("plot", "--out", out, folder=False)
    path = plot_losses(losses, out=out, axis=x, target=target, params=params, span=span)
    console.print(f"plot: {escape(str(path))}")


def _on_probability(text: str) -> str:
    """Add ``on=probability`` to the regression-loss terms of ``text`` that do not set ``on``."""
    from .compare.candidates import _split_top

    parts = []
    for term in _split_top(text, "+"):
        head, colon, rest = term.partition(":")
        key = head.split("*")[-1].strip()
        if registry.get(key).input_kind == "regression" and "on=" not in rest:
            term = f"{head}:{rest + ',' if rest else ''}on=probability"
        parts.append(term)
    return "+".join(parts)


# ---------------------------------------------------------------------------------------- demo
@app.command("demo")
def demo_cmd(out: str = typer.Option("losslab-report", "--out", help="Folder of the report."),
             seeds: int = typer.Option(2, min=1, help="Seeds per candidate."),
             steps: int | None = typer.Option(None, min=1, help="Optimizer steps (default: the lesions budget)."),
             threads: int | None = typer.Option(None, min=1, help="torch threads (default: leave torch's "
                                                                     "setting; 1 is faster on a busy machine)."),
             progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar on stderr.")
             ) -> None:
    """Advise on the built-in lesions data (1:1000), compare seven losses and the advised one, write a report."""
    from .compare.demo import run_demo

    _check_writable("demo", "--out", out, folder=True)
    _set_threads(threads)
    run_demo(out, seeds=seeds, steps=steps, progress=progress and sys.stderr.isatty(), console=console,
             print_wide=_print_wide)


def _click_signal(exc: BaseException) -> str | None:
    """``"exit"``, ``"abort"`` or ``"usage"`` for click's control-flow exceptions, else ``None``.

    Matched by class name along the MRO, not by class: typer >= 0.2x raises its own copies of click's
    classes (``typer.Exit``, ``typer._click.exceptions.NoSuchOption``), which ``click``'s do not catch.
    """
    names = {c.__name__ for c in type(exc).__mro__ if c.__module__.split(".")[0] in ("click", "typer")}
    if "Exit" in names:
        return "exit"
    if "Abort" in names:
        return "abort"
    return "usage" if names & {"ClickException", "TyperException"} else None


def _usage_message(exc: BaseException) -> str:
    """click's message on one line; typer >= 0.2x checks values with pydantic, whose message leaves out the
    value given (``Input should be greater than or equal to 1``), so it is added from the validation error."""
    msg = " ".join(exc.format_message().split())  # type: ignore[attr-defined]
    errors = getattr(exc.__cause__, "errors", None)
    if callable(errors):
        try:
            given = errors()[0]["input"]
        except (LookupError, TypeError, ValueError):
            return msg
        msg = f"{msg.rstrip('.')}, got {given!r}"
    return msg


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the app, turning user errors into one line on stderr and exit code 2."""
    try:
        app(args=argv, standalone_mode=False, prog_name="losslab")
    except Exception as exc:  # noqa: BLE001 - sorted below; anything else is re-raised
        signal = _click_signal(exc)
        if signal == "exit":
            return exc.exit_code  # type: ignore[attr-defined]
        if signal == "abort":
            print("losslab: aborted", file=sys.stderr)
            return 130
        if signal == "usage":
            print(f"losslab: error: {_usage_message(exc)}", file=sys.stderr)
            return 2
        if isinstance(exc, (UserError, ValueError, TypeError, OSError, KeyError)):
            msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            print(f"losslab: error: {msg}", file=sys.stderr)
            return 2
        raise
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
