"""The compare harness: train the same small model with each candidate loss on identical data and budget.

``compare(candidates, task_or_data, *, seeds=3, ...)`` returns a :class:`CompareResult` (tidy records,
a rich table, JSON, an HTML report with figures). Built-in tasks: ``lesions``, ``lesions-multiclass``,
``digits``, ``digits-imbalanced``, ``outliers``; user data via ``load_data``.
"""

from __future__ import annotations

from .candidates import Candidate, parse_candidate
from .harness import DEFAULT_BUDGETS, Budget, compare, default_candidates
from .metrics import Metric, metrics_for
from .results import CompareResult
from .tasks import BUILTIN, Task, load_data, make_task

TASKS = tuple(BUILTIN)

__all__ = ["compare", "CompareResult", "Candidate", "parse_candidate", "Task", "make_task", "load_data", "TASKS",
           "Budget", "DEFAULT_BUDGETS", "default_candidates", "Metric", "metrics_for"]
