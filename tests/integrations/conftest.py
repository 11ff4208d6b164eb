"""Small real datasets shared by the integration tests (scikit-learn's bundled data, no download)."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="session")
def binary_data():
    """Breast cancer: 569 × 30, 63% positives."""
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = datasets.load_breast_cancer(return_X_y=True)
    return X, y.astype(np.float64)


@pytest.fixture(scope="session")
def regression_data():
    """Diabetes: 442 × 10, target 25..346."""
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = datasets.load_diabetes(return_X_y=True)
    return X, y


@pytest.fixture(scope="session")
def multiclass_data():
    """Digits, first 600 rows: 600 × 64, 10 classes."""
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = datasets.load_digits(return_X_y=True)
    return X[:600], y[:600]


@pytest.fixture(scope="session")
def count_data():
    """Poisson counts with a log-linear rate in 3 features (seeded)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = rng.poisson(np.exp(0.5 + 0.6 * X[:, 0] - 0.4 * X[:, 1])).astype(np.float64)
    return X, y
