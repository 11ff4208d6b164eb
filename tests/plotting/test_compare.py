"""Compare figures: layout checks that need the figure itself."""

from __future__ import annotations

import pytest

from losslab.compare import compare
from losslab.compare.tasks import make_lesions


@pytest.mark.parametrize("n_candidates", [1, 2])
def test_examples_title_fits_the_figure(n_candidates, tmp_path, monkeypatch):
    """Sweep bug 13: the examples title was one long line on a figure 1.6 in per column wide, cut at both ends."""
    from losslab.plotting import compare as plots

    figures = []
    save = plots.save
    monkeypatch.setattr(plots, "save", lambda fig, path: figures.append(fig) or save(fig, path))
    task = make_lesions(0, n_train=8, n_test=4, size=16, lesion_rate=1.0)
    task.name = "a_rather_long_dataset_name"
    r = compare(["sigmoid_ce", "sigmoid_dice"][:n_candidates], task, seeds=1, steps=1, width=2, examples=1,
                eval_points=1)
    plots.plot_examples(r, tmp_path / "examples.png")
    (fig,) = figures
    box = fig._suptitle.get_window_extent(fig.canvas.get_renderer())
    assert 0 <= box.x0 and box.x1 <= fig.bbox.width
