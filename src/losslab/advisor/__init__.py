"""The advisor: read a dataset's labels, recommend a configured loss with its reasons.

``advise(target, task=None, **hints)`` → :class:`Recommendation`. The pipeline is
``readers`` (arrays, columns, files, folders → NumPy chunks) → ``profile`` (streaming label statistics,
NumPy only) → ``rules`` (a table of pure rules → ranked candidates and advice) → ``report``
(:class:`Recommendation`: ``.build()``, ``.to_dict()``, ``.to_markdown()``, ``.code()``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .profile import Profile
from .profile import profile as _profile
from .report import LossChoice, Recommendation
from .rules import RULES, THRESHOLDS, Options, recommend

__all__ = ["advise", "recommendation", "Recommendation", "LossChoice", "Profile", "RULES", "THRESHOLDS", "HINTS"]

#: Keyword hints ``advise`` accepts besides ``task``.
HINTS = ("classes", "ignore_index", "column", "weighting", "beta", "max_object_images", "progress")


def advise(target: Any, *, task: str | None = None, **hints: Any) -> Recommendation:
    """Profile ``target`` and recommend a configured loss, with reasons, alternatives and advice.

    Args:
        target: the labels — a NumPy array, torch tensor, pandas Series/DataFrame, pyarrow
            Array/Table, list, an iterable of array chunks (samples along the first axis of each chunk,
            for data larger than memory), or a path to a CSV/Parquet/.npy/.npz file, a mask image or
            NIfTI volume, or a folder of them.
        task: force the task (``regression``, ``count_regression``, ``binary``, ``multiclass``,
            ``multilabel``, ``binary_segmentation``, ``multiclass_segmentation``); ``None`` detects it.
        **hints: ``classes`` (declared class list: other labels are an error), ``ignore_index`` (mask value
            to leave out; default ``"auto"`` reads 255 next to classes 0..K, K < 128, in masks with objects
            as VOC's ignore label; ``None`` for none), ``column`` (table column(s) / npz array; a name, an
            int column label or a list), ``weighting`` (``"damped"`` default,
            ``"inverse"``, ``"none"``), ``beta`` (effective-number β), ``max_object_images`` (masks used
            for object sizes, default 256), ``progress`` (callable ``(done, total)``).

    Returns:
        A :class:`Recommendation`; ``rec.key``/``rec.params`` is the loss, ``rec.build()`` the module.

    Raises:
        ValueError: invalid data (NaN targets, mixed shapes, non-integer mask values, labels outside
            ``classes``, a single class, an empty dataset, a missing column, an unreadable file).
        TypeError: unsupported input type or hint. FileNotFoundError: a missing path.

    Example:
        >>> import numpy as np
        >>> from losslab import advise
        >>> y = np.array([0] * 950 + [1] * 50)
        >>> rec = advise(y)
        >>> rec.task, rec.key, rec.params["pos_weight"]
        ('binary', 'sigmoid_ce', [4.359])
    """
    unknown = sorted(set(hints) - set(HINTS))
    if unknown:
        raise TypeError(f"advise: expected hints among {HINTS}, got {unknown[0]!r}")
    options = Options(weighting=hints.get("weighting", "damped"), beta=hints.get("beta"))
    progress: Callable[[int, int | None], None] | None = hints.get("progress")
    if progress is not None and not callable(progress):
        raise TypeError(f"advise: expected `progress` to be a callable (done, total) or None, got {progress!r}")
    classes: Sequence[Any] | None = hints.get("classes")
    prof = _profile(target, task=task, classes=classes, ignore_index=hints.get("ignore_index", "auto"),
                   column=hints.get("column"), max_object_images=hints.get("max_object_images", 256),
                   progress=progress)
    return recommendation(prof, options)


def recommendation(prof: Profile, options: Options | None = None) -> Recommendation:
    """The :class:`Recommendation` for an existing profile (the rules only, no reading).

    Example:
        >>> import numpy as np
        >>> from losslab.advisor import Options, advise, recommendation
        >>> prof = advise(np.array([0] * 900 + [1] * 100)).profile
        >>> recommendation(prof, Options(weighting="inverse")).params
        {'pos_weight': [9.0]}
    """
    options = options or Options()
    cands, advice = recommend(prof, options)
    choices = [LossChoice.from_candidate(c) for c in cands]
    return Recommendation(choices[0], choices[1:], prof, advice, options)
