"""``CompareResult`` cells: decimals for scores, significant digits for regression metrics far from 1."""

from __future__ import annotations

import pytest

from losslab.compare.results import CompareResult


def _result(kind: str, values: list[float]) -> CompareResult:
    records = [{"candidate": "c", "seed": s, "metric": "m", "value": v, "higher_is_better": False}
               for s, v in enumerate(values)]
    return CompareResult({"name": "t", "kind": kind}, [{"name": "c"}], [{"name": "m", "higher_is_better": False}],
                         records, {"c": [1.0]}, {}, {"seeds": list(range(len(values)))}, {})


@pytest.mark.parametrize("kind, values, text", [
    ("regression", [1.1e-9, 1.3e-9], "1.2e-09 ± 1.414e-10"),  # was "0.000 ± 0.000"
    ("regression", [939521242.189], "9.395e+08"),              # was "939521242.189"
    ("regression", [59.394, 59.412], "59.403 ± 0.013"),        # the documented tables keep their decimals
    ("regression", [0.0, 0.0], "0.000 ± 0.000"),
    ("binary", [0.004, 0.006], "0.005 ± 0.001"),               # scores in [0, 1] keep 3 decimals
])
def test_cells_are_readable_at_any_scale(kind, values, text):
    """Sweep bug 12: regression metrics of targets near 1e-9 all read 0.000; near 1e10, 939521242.189."""
    assert _result(kind, values).cell("c", "m") == text
