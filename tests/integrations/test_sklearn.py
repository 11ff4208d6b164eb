"""scikit-learn scorers from the reference objectives: equal to scikit-learn's metrics where they coincide."""

from __future__ import annotations

import pickle

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


# -- regressions from the boosting sweep -----------------------------------------------------------------
def test_scorers_reject_predictions_that_are_not_probabilities_or_rates(count_data):
    """Sweep bug 1: clipped non-probabilities (raw scores, negative rates) used to give a number."""
    y = np.array([1, 0])
    with pytest.raises(ValueError, match=r"sklearn\.sigmoid_ce: expected probabilities, finite and in \[0, 1\], "
                                         r"got values in \[-2, 3\]"):
        ls.loss_function("sigmoid_ce")(y, np.array([3.0, -2.0]))
    with pytest.raises(ValueError, match=r"got values in \[nan, nan\]"):
        ls.loss_function("sigmoid_ce")(y, np.array([np.nan, 0.5]))
    with pytest.raises(ValueError, match=r"softmax_ce: expected probability rows summing to 1.*0\.001, got 0\.8"):
        ls.loss_function("softmax_ce")(y, np.array([[0.9, 0.9], [0.1, 0.1]]))
    with pytest.raises(ValueError, match=r"softmax_ce: expected probability rows summing to 1"):
        ls.loss_function("softmax_ce")(np.array([0, 2]), np.array([[0.5, 0.2, 0.1], [0.2, 0.2, 0.6]]))
    # exact 0 and 1 are probabilities (clipped to 1e-15 inside), float32 rounding of the row sums passes
    assert ls.loss_function("sigmoid_ce")(y, np.array([1.0, 0.0])) < 1e-13
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]], dtype=np.float32)
    expected = sk_metrics.log_loss([0, 2], p, labels=[0, 1, 2])
    assert ls.loss_function("softmax_ce")(np.array([0, 2]), p) == pytest.approx(expected, rel=1e-6)
    X, y = count_data
    lin = LinearRegression().fit(X, y)
    assert lin.predict(X).min() < 0
    with pytest.raises(ValueError, match=r"poisson_nll: expected predicted rates \(Poisson means\) > 0, got a min"):
        ls.make_scorer("poisson_nll")(lin, X, y)


def test_softmax_scorers_work_on_two_classes(binary_model):
    """Sweep bug 2: scikit-learn passes a 2-class problem only the positive column; cross_val_score gave NaN."""
    clf, X, y = binary_model
    expected = -sk_metrics.log_loss(y, clf.predict_proba(X))
    assert ls.make_scorer("softmax_ce")(clf, X, y) == pytest.approx(expected, rel=1e-10)
    assert ls.make_scorer("softmax_ce", response_method="decision_function")(clf, X, y) == pytest.approx(
        expected, rel=1e-8)
    assert ls.make_scorer("softmax_focal", gamma=2.0)(clf, X, y) == pytest.approx(
        ls.make_scorer("sigmoid_focal", gamma=2.0, alpha=None)(clf, X, y), rel=1e-8)
    cv = KFold(3, shuffle=True, random_state=0)
    model = LogisticRegression(C=0.1, max_iter=500)
    ours = cross_val_score(model, X, y, cv=cv, scoring=ls.make_scorer("softmax_ce"))
    theirs = cross_val_score(model, X, y, cv=cv, scoring="neg_log_loss")
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)


def test_scorers_and_fitted_searches_pickle(binary_model):
    """Sweep bug 3: the scorer was a closure with a made-up __qualname__ (PicklingError)."""
    clf, X, y = binary_model
    scorer = ls.make_scorer("sigmoid_focal", gamma=2.0)
    assert pickle.loads(pickle.dumps(scorer))(clf, X, y) == scorer(clf, X, y)
    search = GridSearchCV(LogisticRegression(max_iter=500), {"C": [0.1, 1.0]}, cv=3,
                          scoring=ls.scorers("sigmoid_ce", "softmax_ce"), refit="neg_sigmoid_ce").fit(X, y)
    loaded = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(loaded.predict_proba(X), search.predict_proba(X))
    assert loaded.score(X, y) == search.score(X, y)


def test_multi_output_regression_error_does_not_point_to_softmax(regression_data):
    X, y = regression_data
    Y = np.c_[y, 2 * y]
    with pytest.raises(ValueError, match=r"single-output objective 'mse' with shape \(n,\) \(one target per row"):
        ls.make_scorer("mse")(LinearRegression().fit(X, Y), X, Y)
