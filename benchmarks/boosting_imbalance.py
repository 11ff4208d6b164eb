"""Focal and weighted objectives vs plain log loss for gradient boosting on imbalanced real data.

Run: ``python benchmarks/boosting_imbalance.py [--repeats 5] [--rounds 100]``. Prints the markdown table
of ``docs/boosting.md``. Everything is seeded; the numbers are out-of-fold.

Method:
* datasets (scikit-learn's bundled copies, no download): **digits 8-vs-rest** (1797 × 64, 9.7% positives)
  and **breast cancer, malignant = positive, subsampled** to 40 of 212 malignant (397 × 30, 10.1%);
* repeated stratified 5-fold cross-validation (``--repeats`` seeds); in every repeat the out-of-fold
  predictions are pooled and scored; the table shows mean ± standard deviation over the repeats;
* models: XGBoost (depth 3) and LightGBM (8 leaves), learning rate 0.1, ``--rounds`` trees, one thread;
  each objective starts from its own ``init_score`` (``obj.params(dtrain)`` / ``set_init_score``);
* objectives (all from ``losslab.integrations``): log loss (``sigmoid_ce``), weighted log loss
  (``sigmoid_ce``, ``pos_weight`` = negatives / positives of the training fold), focal γ = 2 with α = 0.25
  (Lin et al.'s default, which *down*-weights positives) and without α, and ASL (``asymmetric`` defaults);
* metrics on the minority class: recall and precision at the 0.5 threshold, average precision (PR-AUC,
  threshold-free) and log loss of the predicted probabilities (calibration included).
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def datasets() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from sklearn.datasets import load_breast_cancer, load_digits

    X, y = load_digits(return_X_y=True)
    out = {"digits 8-vs-rest": (X, (y == 8).astype(np.float64))}
    X, y = load_breast_cancer(return_X_y=True)
    malignant = np.flatnonzero(y == 0)
    keep = np.concatenate([np.flatnonzero(y == 1), np.random.default_rng(0).choice(malignant, 40, replace=False)])
    keep.sort()
    out["breast cancer, 40 malignant"] = (X[keep], (y[keep] == 0).astype(np.float64))
    return out


def objectives(y_train: np.ndarray) -> dict[str, tuple[str, dict]]:
    ratio = float((y_train == 0).sum() / max((y_train == 1).sum(), 1))
    return {
        "log loss": ("sigmoid_ce", {}),
        "weighted log loss": ("sigmoid_ce", {"pos_weight": ratio}),
        "focal γ=2 α=0.25": ("sigmoid_focal", {"gamma": 2.0, "alpha": 0.25}),
        "focal γ=2 no α": ("sigmoid_focal", {"gamma": 2.0, "alpha": None}),
        "ASL (γ−=4, clip 0.05)": ("asymmetric", {}),
    }


def fit_predict(library: str, key: str, params: dict, X: np.ndarray, y: np.ndarray, X_test: np.ndarray,
                rounds: int, seed: int) -> np.ndarray:
    if library == "XGBoost":
        import xgboost as xgb

        from losslab.integrations import xgboost as lx

        obj = lx.objective(key, **params)
        d = xgb.DMatrix(X, y)
        booster = xgb.train(obj.params(d, max_depth=3, eta=0.1, nthread=1, seed=seed), d, rounds, obj=obj)
        return obj.predict(booster, xgb.DMatrix(X_test))
    import lightgbm as lgb

    from losslab.integrations import lightgbm as ll

    obj = ll.objective(key, **params)
    d = lgb.Dataset(X, y)
    init = ll.set_init_score(d, obj)
    booster = lgb.train(obj.params(num_leaves=8, learning_rate=0.1, num_threads=1, verbose=-1, seed=seed,
                                   deterministic=True), d, rounds)
    return obj.predict(booster, X_test, init=init)


def evaluate(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import average_precision_score, log_loss, precision_score, recall_score

    hard = (p > 0.5).astype(int)
    return {"recall": recall_score(y, hard), "precision": precision_score(y, hard, zero_division=0.0),
            "PR-AUC": average_precision_score(y, p), "log loss": log_loss(y, np.clip(p, 1e-15, 1 - 1e-15))}


def run(repeats: int, rounds: int) -> list[dict]:
    from sklearn.model_selection import StratifiedKFold

    rows = []
    for dname, (X, y) in datasets().items():
        for library in ("XGBoost", "LightGBM"):
            scores: dict[str, list[dict[str, float]]] = {}
            for rep in range(repeats):
                oof: dict[str, np.ndarray] = {}
                for train, test in StratifiedKFold(5, shuffle=True, random_state=rep).split(X, y):
                    for name, (key, params) in objectives(y[train]).items():
                        p = fit_predict(library, key, params, X[train], y[train], X[test], rounds, rep)
                        oof.setdefault(name, np.zeros_like(y))[test] = p
                for name, p in oof.items():
                    scores.setdefault(name, []).append(evaluate(y, p))
            for name, runs in scores.items():
                row = {"dataset": dname, "library": library, "objective": name}
                for m in runs[0]:
                    vals = np.array([r[m] for r in runs])
                    row[m] = (float(vals.mean()), float(vals.std()))
                rows.append(row)
    return rows


METRICS = (("recall", True), ("precision", True), ("PR-AUC", True), ("log loss", False))


def markdown(rows: list[dict]) -> str:
    lines = ["| dataset | library | objective | " + " | ".join(
        f"{m} {'↑' if up else '↓'}" for m, up in METRICS) + " |",
        "|---|---|---|" + "---:|" * len(METRICS)]
    for r in rows:
        best = {m: (max if up else min)(x[m][0] for x in rows
                                        if x["dataset"] == r["dataset"] and x["library"] == r["library"])
                for m, up in METRICS}
        cells = []
        for m, _ in METRICS:
            mean, sd = r[m]
            text = f"{mean:.3f} ± {sd:.3f}"
            cells.append(f"**{text}**" if mean == best[m] else text)
        lines.append(f"| {r['dataset']} | {r['library']} | {r['objective']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def winners(rows: list[dict]) -> str:
    out = []
    for dname in dict.fromkeys(r["dataset"] for r in rows):
        for library in ("XGBoost", "LightGBM"):
            sub = [r for r in rows if r["dataset"] == dname and r["library"] == library]
            parts = []
            for m, up in METRICS:
                best = (max if up else min)(sub, key=lambda r, m=m: r[m][0])
                parts.append(f"{m}: {best['objective']}")
            out.append(f"- {dname}, {library} — best " + "; ".join(parts))
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    t = time.perf_counter()
    rows = run(args.repeats, args.rounds)
    print(markdown(rows))
    print()
    print(winners(rows))
    print(f"\n{args.repeats} × stratified 5-fold, {args.rounds} trees, learning rate 0.1; "
          f"{time.perf_counter() - t:.0f} s on one thread.")


if __name__ == "__main__":
    main()
