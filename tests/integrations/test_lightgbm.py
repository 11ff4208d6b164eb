"""losslab objectives in real LightGBM training: parity with the built-ins, init scores, errors."""

from __future__ import annotations

import pickle
import sys

import numpy as np
import pytest

lgb = pytest.importorskip("lightgbm")
metrics = pytest.importorskip("sklearn.metrics")

from losslab.integrations import lightgbm as ll  # noqa: E402

P = {"num_threads": 1, "verbose": -1, "num_leaves": 8, "learning_rate": 0.3, "deterministic": True, "seed": 0}
SK = {"n_estimators": 10, "num_leaves": 8, "learning_rate": 0.3, "n_jobs": 1, "verbose": -1}


def softmax(m):
    e = np.exp(m - m.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_logistic_with_init_score_reproduces_binary(binary_data):
    X, y = binary_data
    ref = lgb.train({**P, "objective": "binary"}, lgb.Dataset(X, y), 20).predict(X)
    obj = ll.objective("sigmoid_ce")
    d = lgb.Dataset(X, y)
    init = ll.set_init_score(d, obj)
    assert init == pytest.approx(np.log(y.mean() / (1 - y.mean())))  # boost_from_average
    bst = lgb.train(obj.params(y, **P), d, 20)
    np.testing.assert_allclose(obj.predict(bst, X, init=init), ref, atol=1e-9)


def test_weighted_logistic_reproduces_weighted_builtin(binary_data):
    X, y = binary_data
    w = np.random.default_rng(1).uniform(0.2, 3.0, size=y.size)
    ref = lgb.train({**P, "objective": "binary"}, lgb.Dataset(X, y, weight=w), 15).predict(X)
    obj = ll.objective("sigmoid_ce")
    d = lgb.Dataset(X, y, weight=w)
    init = ll.set_init_score(d, obj)
    bst = lgb.train(obj.params(y, **P), d, 15)
    np.testing.assert_allclose(obj.predict(bst, X, init=init), ref, atol=1e-9)


def test_squared_error_reproduces_regression(regression_data):
    X, y = regression_data
    ref = lgb.train({**P, "objective": "regression"}, lgb.Dataset(X, y), 20).predict(X)
    obj = ll.objective("mse", builtin_compatible=True)
    d = lgb.Dataset(X, y)
    init = ll.set_init_score(d, obj)
    assert init == pytest.approx(y.mean())
    bst = lgb.train(obj.params(**P), d, 20)
    np.testing.assert_allclose(obj.predict(bst, X, init=init), ref, rtol=1e-9)


def test_softmax_reproduces_multiclass(multiclass_data):
    X, y = multiclass_data
    ref = lgb.train({**P, "objective": "multiclass", "num_class": 10}, lgb.Dataset(X, y), 10).predict(X)
    obj = ll.objective("softmax_ce", builtin_compatible=True, min_hessian=1e-16)  # hess K/(K−1) p (1 − p)
    assert obj.hessian_factor(10) == pytest.approx(10 / 9)
    d = lgb.Dataset(X, y)
    init = ll.set_init_score(d, obj)
    bst = lgb.train(obj.params(y, **P), d, 10)
    assert bst.predict(X, raw_score=True).shape == (len(y), 10)
    np.testing.assert_allclose(obj.predict(bst, X, init=init), ref, atol=1e-9)
    exact = ll.objective("softmax_ce")
    d = lgb.Dataset(X, y)
    ll.set_init_score(d, exact, init=init)
    other = exact.predict(lgb.train(exact.params(y, **P), d, 10), X, init=init)
    assert np.abs(other - ref).max() > 1e-3


def test_sklearn_api_reproduces_builtin_estimators(binary_data, multiclass_data, regression_data):
    X, y = binary_data
    ref = lgb.LGBMClassifier(**SK).fit(X, y).predict_proba(X)[:, 1]
    obj = ll.objective("sigmoid_ce")
    init = obj.init_score(y)
    clf = lgb.LGBMClassifier(objective=obj.sklearn, **SK).fit(X, y, init_score=obj.init_margin(init, len(y)))
    np.testing.assert_allclose(obj.predict(clf, X, init=init), ref, atol=1e-9)

    X, y = multiclass_data
    ref = lgb.LGBMClassifier(**SK).fit(X, y).predict_proba(X)
    obj = ll.objective("softmax_ce", builtin_compatible=True, min_hessian=1e-16)
    init = obj.init_score(y)
    clf = lgb.LGBMClassifier(objective=obj.sklearn, **SK).fit(X, y, init_score=obj.init_margin(init, len(y)))
    np.testing.assert_allclose(obj.predict(clf, X, init=init), ref, atol=1e-9)

    X, y = regression_data
    w = np.linspace(0.5, 2.0, y.size)
    ref = lgb.LGBMRegressor(**SK).fit(X, y, sample_weight=w).predict(X)
    obj = ll.objective("mse", builtin_compatible=True)
    init = obj.init_score(y, w)
    reg = lgb.LGBMRegressor(objective=ll.sklearn_objective("mse", builtin_compatible=True), **SK)
    reg.fit(X, y, sample_weight=w, init_score=obj.init_margin(init, len(y)))
    np.testing.assert_allclose(obj.predict(reg, X, init=init), ref, rtol=1e-7)  # float32 weighted gradients


def test_without_init_score_the_first_trees_sit_far_from_the_label_mean(binary_data):
    X, y = binary_data
    keep = (y == 0) | (np.arange(y.size) % 10 == 0)  # ~15% positives
    X, y = X[keep], y[keep]
    obj = ll.objective("sigmoid_ce")
    params = obj.params(y, **{**P, "learning_rate": 0.1})
    zero = lgb.train(params, lgb.Dataset(X, y), 1)  # LightGBM's start for a custom objective: raw 0
    d = lgb.Dataset(X, y)
    init = ll.set_init_score(d, obj)
    start = lgb.train(params, d, 1)
    assert abs(obj.predict(zero, X).mean() - y.mean()) > 0.25
    assert abs(obj.predict(start, X, init=init).mean() - y.mean()) < 0.02


def test_feval_and_sklearn_metric_are_the_weighted_mean_loss(binary_data):
    X, y = binary_data
    obj = ll.objective("sigmoid_ce")
    d = lgb.Dataset(X, y)
    init = ll.set_init_score(d, obj)
    log: dict = {}
    bst = lgb.train(obj.params(y, **P), d, 5, valid_sets=[d], valid_names=["train"], feval=obj.metric,
                    callbacks=[lgb.record_evaluation(log)])
    assert log["train"]["sigmoid_ce"][-1] == pytest.approx(metrics.log_loss(y, obj.predict(bst, X, init=init)))
    clf = lgb.LGBMClassifier(objective=obj.sklearn, **{**SK, "n_estimators": 5})
    clf.fit(X, y, init_score=obj.init_margin(init, len(y)), eval_X=(X,), eval_y=(y,),
            eval_init_score=[obj.init_margin(init, len(y))], eval_metric=obj.sklearn_metric)
    logged = next(iter(clf.evals_result_.values()))["sigmoid_ce"][-1]
    assert logged == pytest.approx(metrics.log_loss(y, obj.predict(clf, X, init=init)))
    assert ll.metric("mse")(np.array([1.0, 3.0]), lgb.Dataset(np.zeros((2, 1)), np.array([1.0, 1.0])).construct()) \
        == ("mse", 2.0, False)


@pytest.mark.parametrize(("key", "params"), [("sigmoid_focal", {"gamma": 2.0, "alpha": 0.25}),
                                             ("sigmoid_ce", {"pos_weight": 3.0})])
def test_binary_objectives_train(binary_data, key, params):
    X, y = binary_data
    obj = ll.objective(key, **params)
    d = lgb.Dataset(X, y)
    init = ll.set_init_score(d, obj)
    bst = lgb.train(obj.params(y, **P), d, 15)
    assert metrics.accuracy_score(y, obj.predict(bst, X, init=init) > 0.5) > 0.95


def test_softmax_focal_trains(multiclass_data):
    X, y = multiclass_data
    obj = ll.objective("softmax_focal", gamma=2.0)
    d = lgb.Dataset(X, y)
    init = ll.set_init_score(d, obj)
    bst = lgb.train(obj.params(y, **P), d, 10)
    assert metrics.accuracy_score(y, obj.predict(bst, X, init=init).argmax(axis=1)) > 0.95


def test_poisson_and_floored_mae_train(count_data, regression_data):
    X, y = count_data
    obj = ll.objective("poisson_nll")
    d = lgb.Dataset(X, y)
    init = ll.set_init_score(d, obj)
    rate = obj.predict(lgb.train(obj.params(**{**P, "learning_rate": 0.1}), d, 30), X, init=init)
    assert rate.mean() == pytest.approx(y.mean(), rel=0.05)
    assert metrics.mean_poisson_deviance(y, rate) < 0.8 * metrics.mean_poisson_deviance(y, np.full_like(y, y.mean()))

    X, y = regression_data
    with pytest.raises(ValueError, match="min_hessian"):
        ll.objective("mae")
    obj = ll.objective("mae", min_hessian=1.0)  # LightGBM's λ is 0: leaf = −mean sign, a step of eta
    d = lgb.Dataset(X, y)
    init = ll.set_init_score(d, obj)
    pred = obj.predict(lgb.train(obj.params(**P), d, 40), X, init=init)
    assert np.abs(pred - y).mean() < np.abs(init - y).mean()
    assert np.abs(pred - init).max() <= 40 * 0.3 + 1e-6


def test_bad_input_is_a_clear_error(multiclass_data):
    X, y = multiclass_data
    obj = ll.objective("softmax_ce")
    with pytest.raises(ValueError, match="set num_class"):  # booster without num_class passes (n,)
        lgb.train({**P, "objective": obj}, lgb.Dataset(X, y), 1)
    with pytest.raises(ValueError, match="single-output objective 'sigmoid_ce'"):
        lgb.train({**P, "objective": ll.objective("sigmoid_ce"), "num_class": 3}, lgb.Dataset(X, y % 3), 1)
    with pytest.raises(ValueError, match="labels or `num_class`"):
        obj.params()
    assert obj.params(num_class=4)["num_class"] == 4
    with pytest.raises(ValueError, match="expected a loss key"):
        ll.objective("unknown")
    with pytest.raises(ValueError, match="losses with objectives"):
        ll.objective("binary_ce_probs")
    with pytest.raises(TypeError, match="lightgbm.Dataset"):
        ll.set_init_score(X, obj)
    with pytest.raises(TypeError, match="Booster or LGBMModel"):
        obj.predict(object(), X)


def test_missing_library_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "lightgbm", None)
    with pytest.raises(ImportError, match=r"losslab\[boost\]"):
        ll.objective("sigmoid_ce")


# -- regressions from the boosting sweep -----------------------------------------------------------------
def test_fitted_estimators_with_losslab_callables_pickle(binary_data):
    """Sweep bug 3: obj.sklearn / obj.sklearn_metric were closures with a made-up __qualname__."""
    X, y = binary_data
    obj = ll.objective("sigmoid_focal", gamma=2.0)
    init = obj.init_score(y)
    clf = lgb.LGBMClassifier(objective=obj.sklearn, **{**SK, "n_estimators": 5})
    clf.fit(X, y, init_score=obj.init_margin(init, len(y)), eval_X=(X,), eval_y=(y,),
            eval_init_score=[obj.init_margin(init, len(y))], eval_metric=obj.sklearn_metric)
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(obj.predict(loaded, X, init=init), obj.predict(clf, X, init=init))
    assert loaded.get_params()["objective"].losslab_objective.key == "sigmoid_focal"
    assert loaded.evals_result_ == clf.evals_result_


def test_metrics_read_transformed_predictions_of_builtin_objectives(binary_data, multiclass_data):
    """Sweep bug 4: with a built-in objective LightGBM passes probabilities, which the metric read as raw scores."""
    X, y = binary_data
    d = lgb.Dataset(X, y)
    log: dict = {}
    lgb.train({**P, "objective": "binary", "metric": "binary_logloss"}, d, 5, valid_sets=[d], valid_names=["train"],
              feval=ll.metric("sigmoid_ce", predictions="transformed"), callbacks=[lgb.record_evaluation(log)])
    np.testing.assert_allclose(log["train"]["sigmoid_ce"], log["train"]["binary_logloss"], rtol=1e-9)
    X, y = multiclass_data
    d = lgb.Dataset(X, y)
    log = {}
    lgb.train({**P, "objective": "multiclass", "num_class": 10, "metric": "multi_logloss"}, d, 3, valid_sets=[d],
              valid_names=["train"], feval=ll.metric("softmax_ce", predictions="transformed"),
              callbacks=[lgb.record_evaluation(log)])
    np.testing.assert_allclose(log["train"]["softmax_ce"], log["train"]["multi_logloss"], rtol=1e-9)
    X, y = binary_data
    w = np.linspace(0.5, 2.0, y.size)
    clf = lgb.LGBMClassifier(**{**SK, "n_estimators": 5}).fit(
        X, y, sample_weight=w, eval_X=(X,), eval_y=(y,), eval_sample_weight=[w],
        eval_metric=ll.sklearn_metric("sigmoid_ce", predictions="transformed"))
    logged = next(iter(clf.evals_result_.values()))
    np.testing.assert_allclose(logged["sigmoid_ce"], logged["binary_logloss"], rtol=1e-9)
    with pytest.raises(ValueError, match=r"sklearn_metric: expected `predictions` one of"):
        ll.sklearn_metric("sigmoid_ce", predictions="margin")


@pytest.mark.filterwarnings("ignore:Cannot compute class probabilities:UserWarning")
def test_scorer_refuses_the_raw_scores_of_predict_proba(multiclass_data):
    """Sweep bug 1: LGBMClassifier with a callable objective returns raw scores from predict_proba."""
    from losslab.integrations.sklearn import make_scorer

    X, y = multiclass_data
    X, y = X[:300], y[:300] % 3
    obj = ll.objective("softmax_ce")
    clf = lgb.LGBMClassifier(objective=obj.sklearn, **{**SK, "n_estimators": 3}).fit(X, y)
    assert clf.predict_proba(X).min() < 0  # LightGBM only logs a warning
    with pytest.raises(ValueError, match=r"sklearn\.softmax_ce: expected probabilities, finite"):
        make_scorer("softmax_ce")(clf, X, y)


def test_the_objective_object_in_an_estimator_points_to_obj_sklearn(binary_data):
    """Sweep bug 7: LGBMClassifier(objective=obj) failed with an AttributeError deep inside."""
    X, y = binary_data
    obj = ll.objective("sigmoid_ce")
    with pytest.raises(TypeError, match=r"LightGBMObjective: expected the second argument to be a lightgbm.Dataset "
                                        r"\(for the scikit-learn estimators pass `objective=obj.sklearn`\), "
                                        r"got ndarray"):
        lgb.LGBMClassifier(objective=obj, **{**SK, "n_estimators": 2}).fit(X, y)
    with pytest.raises(ValueError, match=r"on two classes pass \(n,\): use a sigmoid key such as 'sigmoid_ce'"):
        lgb.LGBMClassifier(objective=ll.objective("softmax_ce").sklearn, **{**SK, "n_estimators": 2}).fit(X, y)
