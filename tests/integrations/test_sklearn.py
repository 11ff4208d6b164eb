"""scikit-learn scorers from the reference objectives: equal to scikit-learn's metrics where they coincide."""

from __future__ import annotations

import numpy as np
import pytest

sk_metrics = pytest.importorskip("sklearn.metrics")
from sklearn.linear_model import LinearRegression, LogisticRegression, PoissonRegressor  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score  # noqa: E402

from losslab.integrations import sklearn as ls  # noqa: E402


@pytest.fixture(scope="module")
def binary_model(binary_data):
    X, y = binary_data
    X = (X - X.mean(0)) / X.std(0)
    return LogisticRegression(C=0.1, max_iter=500).fit(X, y), X, y


def test_sigmoid_ce_scorer_is_neg_log_loss(binary_model):
    clf, X, y = binary_model
    expected = -sk_metrics.log_loss(y, clf.predict_proba(X))
    assert ls.make_scorer("sigmoid_ce")(clf, X, y) == pytest.approx(expected, rel=1e-10)
    # raw scores straight from the decision function give the same value (a logit for linear models)
    assert ls.make_scorer("sigmoid_ce", response_method="decision_function")(clf, X, y) == pytest.approx(
        expected, rel=1e-8)
    # focal with γ = 0 and no α is cross-entropy
    assert ls.make_scorer("sigmoid_focal", gamma=0.0, alpha=None)(clf, X, y) == pytest.approx(expected, rel=1e-8)


def test_weighted_loss_function_matches_log_loss_with_sample_weight(binary_model):
    clf, X, y = binary_model
    w = np.random.default_rng(0).uniform(0.1, 2.0, size=y.size)
    f = ls.loss_function("sigmoid_ce")
    p = clf.predict_proba(X)
    assert f(y, p, sample_weight=w) == pytest.approx(sk_metrics.log_loss(y, p, sample_weight=w), rel=1e-10)
    assert f(y, p[:, 1]) == pytest.approx(sk_metrics.log_loss(y, p), rel=1e-10)


def test_softmax_ce_scorer_is_neg_log_loss(multiclass_data):
    X, y = multiclass_data
    clf = LogisticRegression(C=0.01, max_iter=300).fit(X / 16, y)
    expected = -sk_metrics.log_loss(y, clf.predict_proba(X / 16))
    assert ls.make_scorer("softmax_ce")(clf, X / 16, y) == pytest.approx(expected, rel=1e-9)
    assert ls.make_scorer("softmax_ce", response_method="decision_function")(clf, X / 16, y) == pytest.approx(
        expected, rel=1e-8)


def test_regression_scorers(regression_data, count_data):
    X, y = regression_data
    reg = LinearRegression().fit(X, y)
    pred = reg.predict(X)
    assert ls.make_scorer("mse")(reg, X, y) == pytest.approx(-sk_metrics.mean_squared_error(y, pred))
    assert ls.make_scorer("mae")(reg, X, y) == pytest.approx(-sk_metrics.mean_absolute_error(y, pred))
    assert ls.make_scorer("pinball", quantile=0.9)(reg, X, y) == pytest.approx(
        -sk_metrics.mean_pinball_loss(y, pred, alpha=0.9))
    # Poisson NLL exp(s) − y s at s = log μ is half the Poisson deviance minus its μ-free part y log y − y
    X, y = count_data
    reg = PoissonRegressor(alpha=0.0).fit(X, y)
    mu = reg.predict(X)
    ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0)), 0.0)
    expected = -(sk_metrics.mean_poisson_deviance(y, mu) / 2 - np.mean(ylogy - y))
    assert ls.make_scorer("poisson_nll")(reg, X, y) == pytest.approx(expected, rel=1e-10)


def test_scorers_work_in_cross_validation_and_grid_search(binary_data):
    X, y = binary_data
    X = (X - X.mean(0)) / X.std(0)
    cv = KFold(3, shuffle=True, random_state=0)
    ours = cross_val_score(LogisticRegression(max_iter=500), X, y, cv=cv, scoring=ls.make_scorer("sigmoid_ce"))
    theirs = cross_val_score(LogisticRegression(max_iter=500), X, y, cv=cv, scoring="neg_log_loss")
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)
    search = GridSearchCV(LogisticRegression(max_iter=500), {"C": [0.01, 1.0]}, cv=cv,
                          scoring=ls.scorers("sigmoid_ce", "sigmoid_focal", gamma=2.0), refit="neg_sigmoid_focal")
    search.fit(X, y)
    assert set(search.cv_results_) >= {"mean_test_neg_sigmoid_ce", "mean_test_neg_sigmoid_focal"}
    assert search.best_params_["C"] in (0.01, 1.0)


def test_bad_input_is_a_clear_error(binary_model):
    clf, X, y = binary_model
    with pytest.raises(ValueError, match="response_method.*one of"):
        ls.make_scorer("sigmoid_ce", response_method="predict")
    with pytest.raises(ValueError, match="expected a loss key"):
        ls.make_scorer("log_loss")
    with pytest.raises(ValueError, match="losses with objectives"):
        ls.make_scorer("binary_ce_probs")
    with pytest.raises(ValueError, match="numeric labels"):
        ls.loss_function("sigmoid_ce")(np.array(["a", "b"]), np.array([0.2, 0.7]))
    with pytest.raises(ValueError, match=r"labels in \[0, 1\]"):
        ls.loss_function("sigmoid_ce")(np.array([1, 2]), np.array([0.2, 0.7]))
    with pytest.raises(ValueError, match="declared by one of"):
        ls.scorers("sigmoid_ce", gama=1.0)
