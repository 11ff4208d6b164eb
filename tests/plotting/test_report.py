"""Compare figures and the self-contained HTML report."""

from __future__ import annotations

import base64
import json
import re

import pytest

from losslab.compare import compare
from losslab.compare.tasks import make_lesions

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def seg_result():
    task = make_lesions(0, n_train=16, n_test=8, size=32, lesion_rate=0.6)
    return compare(["sigmoid_ce", "sigmoid_focal"], task, seeds=2, steps=2, batch_size=8, width=4, examples=2,
                   eval_points=2)


def test_report_is_self_contained(seg_result, tmp_path):
    path = seg_result.write_report(tmp_path / "rep", title="tiny")
    assert path.name == "report.html"
    text = path.read_text()
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) == 3  # curves, metrics, examples
    assert all(base64.b64decode(b)[:8] == PNG for b in images)
    assert "<table>" in text and "sigmoid_focal" in text and "tiny" in text
    assert 'src="' not in re.sub(r'src="data:image/png;base64,[^"]+"', "", text)  # nothing linked from outside
    for name in ("curves.png", "metrics.png", "examples.png", "results.json"):
        assert (tmp_path / "rep" / name).stat().st_size > 0
    d = json.loads((tmp_path / "rep" / "results.json").read_text())
    assert len(d["records"]) == 2 * 2 * 9


def test_classification_report_has_no_examples(tmp_path):
    r = compare(["sigmoid_ce"], "digits-imbalanced", seeds=1, steps=3, eval_points=1)
    text = r.write_report(tmp_path).read_text()
    assert len(re.findall("data:image/png;base64,", text)) == 2
    assert not (tmp_path / "examples.png").exists()


def test_markdown_and_table_mark_the_best(seg_result):
    md = seg_result.to_markdown()
    assert md.count("\n") == 1 + len(seg_result.candidate_names)
    assert "**" in md and "± " in md
    for m in seg_result.metric_names:
        if seg_result.higher_is_better(m) is None:
            assert seg_result.best(m) == []
        else:
            assert seg_result.best(m) or all(v != v for v in [seg_result.summary()[c][m]["mean"]
                                                             for c in seg_result.candidate_names])
