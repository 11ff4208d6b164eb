"""The python examples of docs/boosting.md run (XGBoost, LightGBM, scikit-learn; a few seconds)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("xgboost")
pytest.importorskip("lightgbm")
pytest.importorskip("sklearn")

PAGE = Path(__file__).resolve().parents[2] / "docs" / "boosting.md"


def test_boosting_page_examples_run(tmp_path, monkeypatch):
    blocks = re.findall(r"^```python\n(.*?)^```", PAGE.read_text(encoding="utf-8"), re.S | re.M)
    assert len(blocks) >= 4
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "docs_boosting"}
    for i, code in enumerate(blocks):
        try:
            exec(compile(code, f"docs/boosting.md block {i + 1}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"docs/boosting.md, python block {i + 1} failed: {type(exc).__name__}: {exc}\n{code}")
