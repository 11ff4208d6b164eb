"""losslab objectives in real XGBoost training: parity with the built-ins, init scores, floors, errors."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pytest

xgb = pytest.importorskip("xgboost")
metrics = pytest.importorskip("sklearn.metrics")

from losslab.integrations import xgboost as lx  # noqa: E402

P = {"nthread": 1, "max_depth": 3, "eta": 0.3, "seed": 0}


def softmax(m):
    e = np.exp(m - m.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# -- parity with the built-in objectives -------------------------------------------------------------
def test_logistic_with_init_score_reproduces_binary_logistic(binary_data):
    X, y = binary_data
    d = xgb.DMatrix(X, y)
    ref = xgb.train({**P, "objective": "binary:logistic"}, d, 20).predict(d)
    obj = lx.objective("sigmoid_ce")
    params = obj.params(d, **P)
    assert params["objective"] == "binary:logistic" and params["base_score"] == pytest.approx(y.mean())
    bst = xgb.train(params, d, 20, obj=obj)
    np.testing.assert_allclose(bst.predict(d), ref, atol=1e-6)  # intercept stored, sigmoid applied
    np.testing.assert_allclose(obj.predict(bst, X), ref, atol=1e-6)
    # the same through base_margin (per-row init score)
    d2 = xgb.DMatrix(X, y)
    init = lx.set_base_margin(d2, obj)
    assert init == pytest.approx(np.log(y.mean() / (1 - y.mean())))
    bst2 = xgb.train(P, d2, 20, obj=obj)
    np.testing.assert_allclose(obj.predict(bst2, d2), ref, atol=1e-6)


def test_weighted_logistic_reproduces_weighted_builtin(binary_data):
    X, y = binary_data
    w = np.random.default_rng(1).uniform(0.2, 3.0, size=y.size)
    d = xgb.DMatrix(X, y, weight=w)
    ref = xgb.train({**P, "objective": "binary:logistic"}, d, 15).predict(d)
    obj = lx.objective("sigmoid_ce")
    assert obj.params(d)["base_score"] == pytest.approx(np.average(y, weights=w))
    bst = xgb.train(obj.params(d, **P), d, 15, obj=obj)
    np.testing.assert_allclose(bst.predict(d), ref, atol=1e-6)


def test_squared_error_reproduces_reg_squarederror(regression_data):
    X, y = regression_data
    d = xgb.DMatrix(X, y)
    ref = xgb.train({**P, "objective": "reg:squarederror"}, d, 20).predict(d)
    obj = lx.objective("mse", builtin_compatible=True)  # scale ½: XGBoost's ½ (ŷ − y)²
    assert obj.scale == 0.5
    bst = xgb.train(obj.params(d, **P), d, 20, obj=obj)
    np.testing.assert_allclose(obj.predict(bst, d), ref, rtol=1e-6)
    # the exact reference loss (y − ŷ)² is the same model with λ halved
    exact = lx.objective("mse")
    bst = xgb.train(exact.params(d, **{**P, "reg_lambda": 2.0}), d, 20, obj=exact)
    np.testing.assert_allclose(exact.predict(bst, d), ref, rtol=1e-5)


def test_softmax_reproduces_multi_softprob(multiclass_data):
    X, y = multiclass_data
    d = xgb.DMatrix(X, y)
    ref = xgb.train({**P, "objective": "multi:softprob", "num_class": 10}, d, 10).predict(d)
    obj = lx.objective("softmax_ce", builtin_compatible=True, min_hessian=1e-16)  # hess 2 p (1 − p)
    params = obj.params(d, **P)
    assert params["num_class"] == 10 and len(params["base_score"]) == 10
    bst = xgb.train(params, d, 10, obj=obj)
    assert bst.predict(d).shape == (len(y), 10)
    np.testing.assert_allclose(bst.predict(d), ref, atol=1e-5)
    np.testing.assert_allclose(softmax(bst.predict(d, output_margin=True)), ref, atol=1e-5)
    # the exact diagonal Hessian p (1 − p) takes twice the Newton step: a different model
    exact = lx.objective("softmax_ce")
    other = xgb.train(exact.params(d, **P), d, 10, obj=exact).predict(d)
    assert np.abs(other - ref).max() > 1e-2


def test_sklearn_api_reproduces_builtin_estimators(binary_data, multiclass_data, regression_data):
    X, y = binary_data
    kw = {"n_estimators": 10, "max_depth": 3, "learning_rate": 0.3, "n_jobs": 1}
    ref = xgb.XGBClassifier(**kw).fit(X, y).predict_proba(X)
    obj = lx.objective("sigmoid_ce")
    clf = xgb.XGBClassifier(objective=obj.sklearn, base_score=obj.base_score(y), **kw).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), ref, atol=1e-6)
    np.testing.assert_array_equal(clf.predict(X), (ref[:, 1] > 0.5).astype(int))

    X, y = multiclass_data
    ref = xgb.XGBClassifier(**kw).fit(X, y).predict_proba(X)
    obj = lx.objective("softmax_ce", builtin_compatible=True, min_hessian=1e-16)
    clf = xgb.XGBClassifier(objective=obj.sklearn, base_score=obj.base_score(y), **kw).fit(X, y)
    np.testing.assert_allclose(clf.predict_proba(X), ref, atol=1e-5)

    X, y = regression_data
    ref = xgb.XGBRegressor(**kw).fit(X, y).predict(X)
    obj = lx.sklearn_objective("mse", builtin_compatible=True).losslab_objective
    reg = xgb.XGBRegressor(objective=obj.sklearn, base_score=obj.base_score(y), **kw)
    np.testing.assert_allclose(reg.fit(X, y).predict(X), ref, rtol=1e-6)


def test_sklearn_api_base_margin_and_weights(binary_data):
    X, y = binary_data
    w = np.where(y == 0, 2.0, 1.0)
    kw = {"n_estimators": 8, "max_depth": 2, "n_jobs": 1}
    ref = xgb.XGBClassifier(**kw).fit(X, y, sample_weight=w).predict_proba(X)[:, 1]
    obj = lx.objective("sigmoid_ce")
    init = obj.init_score(y, w)
    clf = xgb.XGBClassifier(objective=obj.sklearn, eval_metric=obj.sklearn_metric, **kw)
    clf.fit(X, y, sample_weight=w, base_margin=obj.init_margin(init, len(y)),
            eval_set=[(X, y)], sample_weight_eval_set=[w], base_margin_eval_set=[obj.init_margin(init, len(y))],
            verbose=False)
    np.testing.assert_allclose(obj.predict(clf, X, init=init), ref, atol=1e-6)
    logged = clf.evals_result()["validation_0"]["sigmoid_ce"][-1]
    assert logged == pytest.approx(metrics.log_loss(y, ref, sample_weight=w), rel=1e-5)


# -- init score, metric, other objectives ---------------------------------------------------------------
def test_without_init_score_the_first_trees_sit_far_from_the_label_mean(binary_data):
    X, y = binary_data
    keep = (y == 0) | (np.arange(y.size) % 10 == 0)  # ~15% positives
    X, y = X[keep], y[keep]
    d = xgb.DMatrix(X, y)
    obj = lx.objective("sigmoid_ce")
    fixed = xgb.train({**P, "eta": 0.1}, d, 1, obj=obj)  # XGBoost's fixed start: margin 0.5
    start = xgb.train(obj.params(d, **{**P, "eta": 0.1}), d, 1, obj=obj)
    assert abs(obj.predict(fixed, d).mean() - y.mean()) > 0.3
    assert abs(start.predict(d).mean() - y.mean()) < 0.02


def test_custom_metric_is_the_weighted_mean_loss(binary_data):
    X, y = binary_data
    d = xgb.DMatrix(X, y)
    obj = lx.objective("sigmoid_ce")
    log: dict = {}
    bst = xgb.train(obj.params(d, **P), d, 5, obj=obj, custom_metric=obj.metric, evals=[(d, "train")],
                    evals_result=log, verbose_eval=False)
    assert list(log["train"]) == ["sigmoid_ce"]  # default metric disabled
    assert log["train"]["sigmoid_ce"][-1] == pytest.approx(metrics.log_loss(y, bst.predict(d)), rel=1e-5)
    name, value = lx.metric("sigmoid_focal", gamma=0.0, alpha=None)(bst.predict(d, output_margin=True), d)
    assert name == "sigmoid_focal" and value == pytest.approx(metrics.log_loss(y, bst.predict(d)), rel=1e-5)


@pytest.mark.parametrize(("key", "params"), [("sigmoid_focal", {"gamma": 2.0, "alpha": 0.25}),
                                             ("sigmoid_ce", {"pos_weight": 3.0}),
                                             ("asymmetric", {})])
def test_binary_objectives_train(binary_data, key, params):
    X, y = binary_data
    d = xgb.DMatrix(X, y)
    obj = lx.objective(key, **params)
    log: dict = {}
    bst = xgb.train(obj.params(d, **P), d, 15, obj=obj, custom_metric=obj.metric, evals=[(d, "train")],
                    evals_result=log, verbose_eval=False)
    curve = log["train"][key]
    assert curve[-1] < 0.5 * curve[0]
    assert metrics.accuracy_score(y, bst.predict(d) > 0.5) > 0.95


@pytest.mark.parametrize("key", ["softmax_focal", "poly1"])
def test_multiclass_objectives_train(multiclass_data, key):
    X, y = multiclass_data
    d = xgb.DMatrix(X, y)
    obj = lx.objective(key)
    bst = xgb.train(obj.params(d, **P), d, 10, obj=obj)
    assert metrics.accuracy_score(y, bst.predict(d).argmax(axis=1)) > 0.95


@pytest.mark.parametrize("key", ["huber", "log_cosh"])
def test_robust_regression_trains(regression_data, key):
    X, y = regression_data
    d = xgb.DMatrix(X, y)
    obj = lx.objective(key, **({"delta": 30.0} if key == "huber" else {}))
    init = obj.init_score(y)
    bst = xgb.train(obj.params(d, **P), d, 30, obj=obj)
    pred = obj.predict(bst, d)
    assert np.abs(pred - y).mean() < 0.85 * np.abs(init - y).mean()


def test_poisson_predicts_rates(count_data):
    X, y = count_data
    d = xgb.DMatrix(X, y)
    obj = lx.objective("poisson_nll")
    assert obj.params(d)["base_score"] == pytest.approx(np.log(y.mean()))
    bst = xgb.train(obj.params(d, **{**P, "eta": 0.1}), d, 30, obj=obj)
    rate = obj.predict(bst, d)
    assert rate.min() > 0 and rate.mean() == pytest.approx(y.mean(), rel=0.05)
    assert metrics.mean_poisson_deviance(y, rate) < 0.8 * metrics.mean_poisson_deviance(y, np.full_like(y, y.mean()))


# -- Hessian floor and losses without a usable Hessian -----------------------------------------------
def test_hessian_floor_clips_underflow_and_negative_curvature():
    raw = np.linspace(-40.0, 40.0, 401)
    y = (np.arange(raw.size) % 2).astype(float)
    _, h = lx.objective("sigmoid_ce").gradient_hessian(y, raw)
    assert h.min() == 1e-6  # p (1 − p) underflows at |raw| = 40
    for key in ("sigmoid_focal", "asymmetric"):
        obj = lx.objective(key, min_hessian=1e-3)
        _, h = obj.gradient_hessian(y, raw)
        assert h.min() >= 1e-3
    _, h0 = lx.objective("sigmoid_focal", min_hessian=0.0).gradient_hessian(y, raw)
    _, h1 = lx.objective("sigmoid_focal", min_hessian=0.0).objective.gradient_hessian(y, raw)
    np.testing.assert_array_equal(h0, h1)  # no floor: the exact reference Hessian


def test_mae_needs_an_explicit_floor_and_then_takes_gradient_steps(regression_data):
    with pytest.raises(ValueError, match=r"min_hessian.*huber.*got 'mae', whose Hessian is 0"):
        lx.objective("mae")
    with pytest.raises(ValueError, match="min_hessian"):
        lx.objective("pinball", quantile=0.9)
    X, y = regression_data
    d = xgb.DMatrix(X, y)
    obj = lx.objective("mae", min_hessian=1.0)  # leaf = −Σ sign / (n + λ): a step of at most eta
    bst = xgb.train(obj.params(d, **{**P, "min_child_weight": 0}), d, 40, obj=obj)
    pred = obj.predict(bst, d)
    assert np.abs(pred - y).mean() < np.abs(np.median(y) - y).mean()
    assert np.abs(pred - np.median(y)).max() <= 40 * 0.3 + 1e-3  # gradient-descent-sized moves


def test_zero_hessian_at_every_sample_is_an_error():
    obj = lx.objective("huber", delta=0.1)
    with pytest.raises(ValueError, match="0 at every sample"):
        obj.gradient_hessian(np.zeros(3), np.array([5.0, -5.0, 7.0]))
    g, h = lx.objective("huber", delta=0.1, min_hessian=1e-2).gradient_hessian(np.zeros(2), np.array([5.0, -5.0]))
    np.testing.assert_allclose(h, 1e-2)


# -- bad input -----------------------------------------------------------------------------------------
def test_unknown_key_and_key_without_objective():
    with pytest.raises(ValueError, match="expected a loss key"):
        lx.objective("focal")
    with pytest.raises(ValueError, match="losses with objectives: .*sigmoid_ce"):
        lx.objective("binary_ce_probs")
    with pytest.raises(ValueError, match="hyper-parameters of 'sigmoid_focal'.*got \\['gama'\\]"):
        lx.objective("sigmoid_focal", gama=2.0)
    with pytest.raises(ValueError, match="min_hessian"):
        lx.objective("sigmoid_ce", min_hessian=-1.0)
    with pytest.raises(TypeError, match="builtin_compatible"):
        lx.objective("sigmoid_ce", builtin_compatible="yes")


def test_wrong_output_shapes_are_clear_errors(binary_data, multiclass_data):
    X, y = multiclass_data
    with pytest.raises(ValueError, match=r"single-output objective 'sigmoid_ce' with shape \(n,\)"):
        lx.objective("sigmoid_ce").gradient_hessian(np.zeros(5), np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"multi-class objective 'softmax_ce' with shape \(n, K\)"):
        lx.objective("softmax_ce").gradient_hessian(np.zeros(5), np.zeros(15))
    d = xgb.DMatrix(X, y)
    obj = lx.objective("softmax_ce")
    with pytest.raises(ValueError, match="set num_class"):  # booster trained without num_class: (n,)
        xgb.train(P, d, 1, obj=obj)
    with pytest.raises(ValueError, match=r"class labels in \[0, 2\]"):
        obj.gradient_hessian(np.array([0, 1, 3]), np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r"labels in \[0, 1\]"):
        lx.objective("sigmoid_ce").gradient_hessian(np.array([0.0, 2.0]), np.zeros(2))
    with pytest.raises(ValueError, match=r"labels of shape \(4,\)"):
        lx.objective("mse").gradient_hessian(np.zeros(3), np.zeros(4))
    with pytest.raises(TypeError, match="DMatrix"):
        lx.set_base_margin(X, obj)


def test_missing_library_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "xgboost", None)
    with pytest.raises(ImportError, match=r"losslab\[boost\]"):
        lx.objective("sigmoid_ce")


def test_importing_the_adapters_does_not_import_the_libraries():
    code = ("import sys, losslab.integrations.xgboost, losslab.integrations.lightgbm, "
            "losslab.integrations.sklearn\n"
            "bad = [m for m in ('xgboost', 'lightgbm', 'sklearn') if m in sys.modules]\n"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# -- regressions from the boosting sweep -----------------------------------------------------------------
def test_fitted_estimators_with_losslab_callables_pickle(binary_data):
    """Sweep bug 3: obj.sklearn / obj.sklearn_metric were closures with a made-up __qualname__."""
    X, y = binary_data
    obj = lx.objective("sigmoid_focal", gamma=2.0)
    clf = xgb.XGBClassifier(objective=obj.sklearn, base_score=obj.base_score(y), eval_metric=obj.sklearn_metric,
                            n_estimators=5, max_depth=2, n_jobs=1).fit(X, y, eval_set=[(X, y)], verbose=False)
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(obj.predict(loaded, X), obj.predict(clf, X))
    assert loaded.get_params()["objective"].losslab_objective.key == "sigmoid_focal"
    loaded.fit(X, y, eval_set=[(X, y)], verbose=False)  # the loaded callables still train and log
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X), atol=1e-7)
    assert loaded.evals_result() == clf.evals_result()
    metric = pickle.loads(pickle.dumps(lx.sklearn_metric("sigmoid_ce", predictions="transformed")))
    assert metric(y, clf.predict_proba(X)[:, 1]) == pytest.approx(metrics.log_loss(y, clf.predict_proba(X)))


def test_metrics_read_transformed_predictions_of_builtin_objectives(binary_data, multiclass_data):
    """Sweep bug 4: with a built-in objective XGBoost passes probabilities, which the metric read as margins."""
    X, y = binary_data
    d = xgb.DMatrix(X, y)
    log: dict = {}
    xgb.train({**P, "objective": "binary:logistic", "eval_metric": "logloss"}, d, 5, evals=[(d, "train")],
              custom_metric=lx.metric("sigmoid_ce", predictions="transformed"), evals_result=log, verbose_eval=False)
    np.testing.assert_allclose(log["train"]["sigmoid_ce"], log["train"]["logloss"], rtol=1e-5)
    raw: dict = {}
    xgb.train({**P, "objective": "binary:logistic"}, d, 5, evals=[(d, "train")],
              custom_metric=lx.metric("sigmoid_ce"), evals_result=raw, verbose_eval=False)
    assert raw["train"]["sigmoid_ce"][-1] > 2 * log["train"]["logloss"][-1]  # margins: what the default expects
    X, y = multiclass_data
    d = xgb.DMatrix(X, y)
    log = {}
    xgb.train({**P, "objective": "multi:softprob", "num_class": 10, "eval_metric": "mlogloss"}, d, 3,
              evals=[(d, "train")], custom_metric=lx.metric("softmax_ce", predictions="transformed"),
              evals_result=log, verbose_eval=False)
    np.testing.assert_allclose(log["train"]["softmax_ce"], log["train"]["mlogloss"], rtol=1e-5)
    X, y = binary_data
    w = np.linspace(0.5, 2.0, y.size)
    clf = xgb.XGBClassifier(n_estimators=5, max_depth=2, n_jobs=1,
                            eval_metric=lx.sklearn_metric("sigmoid_ce", predictions="transformed"))
    clf.fit(X, y, sample_weight=w, eval_set=[(X, y)], sample_weight_eval_set=[w], verbose=False)
    assert clf.evals_result()["validation_0"]["sigmoid_ce"][-1] == pytest.approx(
        metrics.log_loss(y, clf.predict_proba(X), sample_weight=w), rel=1e-5)
    with pytest.raises(ValueError, match=r"metric: expected `predictions` one of \('raw', 'transformed'\)"):
        lx.metric("sigmoid_ce", predictions="probability")
    with pytest.raises(ValueError, match="metric: expected probabilities, finite"):
        lx.metric("sigmoid_ce", predictions="transformed")(np.array([-1.0, 2.0]), xgb.DMatrix(X[:2], y[:2]))


def test_base_score_for_xgbregressor_is_a_raw_score():
    """Sweep bug 5: XGBRegressor runs reg:squarederror with a callable objective; its base_score is a raw score."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = 1 / (1 + np.exp(-(X[:, 0] - 2.0)))  # soft binary targets: XGBClassifier rejects them
    obj = lx.objective("sigmoid_ce")
    init = obj.init_score(y)
    assert obj.base_score(y, internal_objective="reg:squarederror") == init
    assert obj.base_score(y) == pytest.approx(y.mean())  # binary:logistic (XGBClassifier, params())
    start = obj.base_score(y, internal_objective="reg:squarederror")
    reg = xgb.XGBRegressor(objective=obj.sklearn, base_score=start, n_estimators=8, max_depth=2, learning_rate=0.3,
                           n_jobs=1).fit(X, y)
    d = xgb.DMatrix(X, y)
    bst = xgb.train(obj.params(d, **{**P, "max_depth": 2}), d, 8, obj=obj)
    np.testing.assert_allclose(reg.predict(X, output_margin=True), bst.predict(d, output_margin=True), atol=1e-5)
    np.testing.assert_allclose(obj.predict(reg, X), bst.predict(d), atol=1e-6)
    with pytest.raises(ValueError, match=r"base_score: expected `internal_objective` one of \('binary:logistic', "
                                         r"'reg:squarederror'\), got 'multi:softprob'"):
        obj.base_score(y, internal_objective="multi:softprob")


def test_predict_forwards_dmatrix_arguments(binary_data):
    """Sweep bug 6: obj.predict built DMatrix(X) with defaults (missing sentinel ignored, categoricals refused)."""
    pd = pytest.importorskip("pandas")
    X, y = binary_data
    X = np.where(np.arange(X.shape[0])[:, None] % 7 == X.argmax(axis=1)[:, None] % 7, -999.0, X)[:, :6]
    obj = lx.objective("sigmoid_ce")
    d = xgb.DMatrix(X, y, missing=-999.0)
    bst = xgb.train(obj.params(d, **P), d, 5, obj=obj)
    np.testing.assert_array_equal(obj.predict(bst, X, missing=-999.0), obj.predict(bst, d))
    assert np.abs(obj.predict(bst, X) - obj.predict(bst, d)).max() > 1e-3  # the sentinel read as a value
    df = pd.DataFrame({"a": X[:, 0], "c": pd.Categorical(np.where(y > 0, "yes", "no")[::-1])})
    dc = xgb.DMatrix(df, y, enable_categorical=True)
    bst = xgb.train(obj.params(dc, **P), dc, 3, obj=obj)
    np.testing.assert_array_equal(obj.predict(bst, df), obj.predict(bst, dc))
    with pytest.raises(TypeError, match=r"DMatrix keyword arguments only with a Booster.*got \['missing'\]"):
        obj.predict(bst, dc, missing=-999.0)
    clf = xgb.XGBClassifier(objective=obj.sklearn, n_estimators=2, n_jobs=1).fit(X, y)
    with pytest.raises(TypeError, match="XGBModel uses its own"):
        obj.predict(clf, X, missing=-999.0)


def test_predict_refuses_init_on_a_dmatrix_with_a_base_margin(binary_data):
    """Sweep trap: the start counted twice (base margin in the DMatrix and `init`)."""
    X, y = binary_data
    obj = lx.objective("sigmoid_ce")
    d = xgb.DMatrix(X, y)
    init = lx.set_base_margin(d, obj)
    bst = xgb.train({**P, "objective": "binary:logistic"}, d, 3, obj=obj)  # base_score 0.5: a zero margin
    with pytest.raises(ValueError, match=r"predict: expected `init` only for data without a base margin"):
        obj.predict(bst, d, init=init)
    np.testing.assert_allclose(obj.predict(bst, X, init=init), obj.predict(bst, d), atol=1e-6)


def test_the_objective_object_in_an_estimator_points_to_obj_sklearn(binary_data):
    """Sweep bug 7: XGBClassifier(objective=obj) failed with an AttributeError deep inside."""
    X, y = binary_data
    obj = lx.objective("sigmoid_ce")
    with pytest.raises(TypeError, match=r"XGBoostObjective: expected the second argument to be an xgboost.DMatrix "
                                        r"\(for the scikit-learn estimators pass `objective=obj.sklearn`\), "
                                        r"got ndarray"):
        xgb.XGBClassifier(objective=obj, n_estimators=2, n_jobs=1).fit(X, y)
    with pytest.raises(TypeError, match=r"pass `objective=obj.sklearn`"):  # XGBoost passes weights by keyword
        xgb.XGBClassifier(objective=obj, n_estimators=2, n_jobs=1).fit(X, y, sample_weight=np.ones(y.size))
    with pytest.raises(TypeError, match=r"pass `eval_metric=obj.sklearn_metric`"):
        xgb.XGBClassifier(eval_metric=obj.metric, n_estimators=2, n_jobs=1).fit(X, y, eval_set=[(X, y)],
                                                                                verbose=False)
    # a softmax key on two classes: the hint no longer says "set num_class" alone
    with pytest.raises(ValueError, match=r"on two classes pass \(n,\): use a sigmoid key such as 'sigmoid_ce'"):
        xgb.XGBClassifier(objective=lx.objective("softmax_ce").sklearn, n_estimators=2, n_jobs=1).fit(X, y)


def test_multiclass_starts_check_the_labels_first():
    """Sweep bug 8: non-integer labels were truncated, NaN labels gave a bare error."""
    obj = lx.objective("softmax_ce")
    y = np.array([0, 1.5, 2, 2.7])
    for call in (lambda: obj.init_score(y), lambda: obj.base_score(y, num_class=5), lambda: obj.params(y)):
        with pytest.raises(ValueError, match=r"expected `y` to hold integer class indices, got 2 other value\(s\), "
                                             r"e.g. 1.5"):
            call()
    with pytest.raises(ValueError, match=r"xgboost.params: expected `y` to hold integer class indices.*e.g. nan"):
        obj.params(np.array([0, 1, np.nan]))
    with pytest.raises(ValueError, match=r"xgboost.params: expected `y` class indices in \[0, 1\] for 2 classes"):
        obj.params(np.array([-1, 0, 1]))
    with pytest.raises(ValueError, match=r"class indices in \[0, 2\] for 3 classes.*got values in \[0, 4\]"):
        obj.init_score(np.array([0, 1, 4]), num_class=3)
    y = np.array([0.0, 1.0, 1.0, 2.0])  # integer-valued floats (DMatrix labels) are class indices
    assert obj.params(y)["num_class"] == 3
    np.testing.assert_array_equal(obj.init_score(y), obj.init_score(y.astype(int)))
    start = obj.init_score(y, num_class=5)  # absent classes 3, 4: a zero-frequency class's value
    assert start.shape == (5,) and start[3] == start[4] < start[0]
