"""Adapters to gradient boosting and scikit-learn, built on ``losslab.reference``.

* ``losslab.integrations.xgboost`` — objectives, metrics, ``base_score``/``base_margin`` for XGBoost;
* ``losslab.integrations.lightgbm`` — objectives, metrics, ``init_score`` for LightGBM 4.x;
* ``losslab.integrations.sklearn`` — scorers (``make_scorer``) for ``cross_val_score``/``GridSearchCV``.

Each submodule imports its library only when used and says which extra installs it
(``pip install 'losslab[boost]'``). Importing this package imports none of them.
"""

__all__ = ["xgboost", "lightgbm", "sklearn"]


def __getattr__(name: str):
    if name in __all__:
        from importlib import import_module

        return import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
