"""pytest setup shared by the tests and the doctests (``src/losslab``).

Under pytest-xdist each worker computes on one thread: with two workers on two cores, two threads each
oversubscribe the machine, and OpenMP's idle threads spin; the native-kernel gradchecks then ran 17x slower
(84 s instead of 5 s) and the whole suite took 273 s instead of about 150 s. Tests that need several threads
set them themselves.
"""

import os

if os.environ.get("PYTEST_XDIST_WORKER"):
    import torch

    torch.set_num_threads(1)
