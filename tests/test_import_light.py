"""``import losslab`` pulls no optional dependency; the NumPy parts work without torch."""

import subprocess
import sys

OPTIONAL = ["matplotlib", "typer", "rich", "pyarrow", "PIL", "scipy", "sklearn", "xgboost", "lightgbm",
            "nibabel", "torchmetrics", "pandas", "monai", "kornia"]


def run(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_import_pulls_no_optional_dependency():
    run("import sys, losslab, losslab.functional, losslab.nn\n"
        f"bad = [m for m in {OPTIONAL!r} if m in sys.modules]\n"
        "assert not bad, bad\n"
        "assert losslab.nn.LossModule and losslab.functional.__all__")


def test_reference_weights_and_registry_work_without_torch():
    run("import sys; sys.modules['torch'] = None\n"
        "import numpy as np, losslab, losslab.reference as ref, losslab.weights, losslab.registry as reg\n"
        "assert 'torch' not in [m.split('.')[0] for m in sys.modules if sys.modules[m] is not None]\n"
        "assert len(reg.list_losses()) > 10\n"
        "g, h = ref.get('sigmoid_ce').gradient_hessian(np.array([1.0]), np.array([0.0]))\n"
        "assert abs(g[0] + 0.5) < 1e-12 and abs(h[0] - 0.25) < 1e-12")
