"""The ``losslab`` command line: ``list``, ``advise``, ``compare``, ``plot``, ``demo``.

Thin: each command parses options and calls the library. Bad input (``ValueError``, ``TypeError``,
``OSError``) becomes one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from typing import Optional

try:
    import typer
    from rich.console import Console
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
def list_cmd(family: Optional[str] = typer.Option(None, help="Only this family (regression, classification, "
                                                             "overlap, composite)."),
             task: Optional[str] = typer.Option(None, help=f"Only losses suited to this task {registry.TASKS}."),
             as_json: bool = typer.Option(False, "--json", help="One JSON array on stdout.")) -> None:
    """Print the loss registry: key, family, tasks, input kind and main options."""
    if task is not None and task not in registry.TASKS:
        raise UserError(f"list: expected --task one of {registry.TASKS}, got {task!r}")
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


# ---------------------------------------------------------------------------------------- advise
# (issue 4)

# ---------------------------------------------------------------------------------------- compare
# (issue 5)

# ---------------------------------------------------------------------------------------- plot
# (issue 5)

# ---------------------------------------------------------------------------------------- demo
@app.command("demo")
def demo_cmd() -> None:
    """A short demonstration: the registry, then log loss and its gradient at a few probabilities."""
    import torch

    from .functional import sigmoid_cross_entropy, sigmoid_focal_loss

    list_cmd(family=None, task=None, as_json=False)
    table = Table(title="Why logits in: log loss and its gradient for a positive label (y = 1)")
    for col in ("p = σ(z)", "logit z", "BCE −log p", "∂BCE/∂z = p − y", "focal γ=2", "∂focal/∂z"):
        table.add_column(col, justify="right")
    for p in (1e-12, 1e-4, 0.01, 0.1, 0.5, 0.9, 0.999, 1 - 1e-12):
        z = torch.tensor([torch.logit(torch.tensor(p, dtype=torch.float64)).item()], requires_grad=True)
        y = torch.ones(1, dtype=torch.float64)
        bce = sigmoid_cross_entropy(z, y)
        (g_bce,) = torch.autograd.grad(bce, z)
        foc = sigmoid_focal_loss(z, y, gamma=2.0, alpha=None)
        (g_foc,) = torch.autograd.grad(foc, z)
        table.add_row(f"{p:.12g}", f"{z.item():.3f}", f"{bce.item():.4g}", f"{g_bce.item():.4g}",
                      f"{foc.item():.4g}", f"{g_foc.item():.4g}")
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the app, turning user errors into one line on stderr and exit code 2."""
    import click

    try:
        app(args=argv, standalone_mode=False, prog_name="losslab")
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        print("losslab: aborted", file=sys.stderr)
        return 130
    except click.ClickException as exc:
        print(f"losslab: error: {exc.format_message()}", file=sys.stderr)
        return 2
    except (UserError, ValueError, TypeError, OSError, KeyError) as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"losslab: error: {msg}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
