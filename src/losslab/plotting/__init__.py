"""Figures: loss/gradient curves from the NumPy objectives, compare plots and the HTML report.

matplotlib is imported when a function is first called, and only through ``matplotlib.figure.Figure``
(rendered with the Agg canvas), so importing this package never changes the user's pyplot backend.
"""

from __future__ import annotations

from .compare import plot_examples, plot_learning_curves, plot_metric_bars
from .curves import plot_losses
from .report import write_report

__all__ = ["plot_losses", "plot_learning_curves", "plot_metric_bars", "plot_examples", "write_report"]
