"""Label statistics for the advisor: one streaming pass, NumPy only (no torch).

``profile(data, task=None, ...)`` reads a :class:`~losslab.advisor.readers.Source` chunk by chunk and
returns a :class:`Profile`: the task with the evidence for it, class counts and frequencies, the
imbalance ratio, multi-label positive rates, mask statistics (foreground fraction overall and per image,
empty images, connected-component object sizes on a sample of images) or regression statistics (skew,
kurtosis, MAD-based outliers, counts, zero inflation).

Task detection (overridden by ``task=``):

* samples of 2 or more dimensions (a stack of masks) with integer values → ``binary_segmentation``
  (values ``{0, v}``) or ``multiclass_segmentation``;
* 1-D samples of 0/1 values (an ``(n, k)`` table) → ``multilabel`` (``multiclass`` when every row is
  one-hot); other ``(n, k)`` numbers → ``regression`` over the ``k`` pooled outputs;
* scalar samples: text → ``binary``/``multiclass``; integers with at most ``MAX_AUTO_CLASSES`` distinct
  values → ``binary``/``multiclass``; more non-negative integers → ``count_regression``; otherwise
  ``regression``.

Invalid data raises ``ValueError`` with a precise message rather than being guessed around: NaN or
infinite targets, missing values, mixed sample shapes, non-integer mask values, labels outside a declared
class list, a single class, an empty dataset, labels mixing text and numbers, masks with more than
``MAX_MASK_VALUES`` distinct values (photos?) unless ``task`` or ``classes`` is given. Suspicious data is
flagged in ``Profile.warnings``: an ID-like column, text labels differing only in case or spaces, numbers
next to a stray text marker, JPEG/resize artefacts in masks, multi-label columns never or always positive.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any

import numpy as np

from .readers import Source, as_source

__all__ = ["Profile", "ClassStats", "MultilabelStats", "MaskStats", "ObjectStats", "RegressionStats",
           "profile", "TASKS", "MAX_AUTO_CLASSES", "MAX_OBJECT_IMAGES", "TINY_OBJECT_AREA_FRACTION",
           "OUTLIER_Z", "RESERVOIR_SIZE"]

FN = "advise"
TASKS = ("regression", "count_regression", "binary", "multiclass", "multilabel",
         "binary_segmentation", "multiclass_segmentation")
SEGMENTATION = ("binary_segmentation", "multiclass_segmentation")

#: Integer labels with at most this many distinct values are read as classes, more as counts.
MAX_AUTO_CLASSES = 32
#: Distinct values tracked exactly (a histogram); beyond this, statistics come from the sample below.
MAX_TRACKED_VALUES = 65536
#: Regression quantiles (median, MAD, outliers) come from a uniform sample of at most this many values.
RESERVOIR_SIZE = 1_000_000
#: Connected components are computed on at most this many images (evenly spaced when the count is known).
MAX_OBJECT_IMAGES = 256
#: An object is "tiny" below this fraction of the image area: COCO's "small" (area < 32² pixels) in a
#: typical 640×480 image is 1024 / 307200 ≈ 0.33 % (Lin et al., Microsoft COCO, 2014).
TINY_OBJECT_AREA_FRACTION = 0.0033
#: A classification target of at least this many samples with more than n / 2 distinct labels (fewer than 2
#: samples per class) is flagged: an ID column, or numbers read as text?
MIN_SAMPLES_ID_CHECK = 20
#: Modified z-score above which a value is an outlier: |y − median| > 3.5 · 1.4826 · MAD
#: (Iglewicz & Hoaglin, How to Detect and Handle Outliers, 1993).
OUTLIER_Z = 3.5
MAD_TO_SIGMA = 1.4826
#: The value read as "ignore" in multi-class masks (Pascal VOC's object borders) when no ``ignore_index`` is
#: given, it appears next to the classes 0..K (1 <= K < VOC_MAX_CLASSES, every one present) and never in a
#: mask without an object (VOC's borders surround objects).
VOC_IGNORE = 255
#: At most this many classes 0..K next to 255 for it to be read as VOC's "ignore" (rules out 0..254 ramps).
VOC_MAX_CLASSES = 128
#: Masks with more distinct values are refused unless ``task`` or ``classes`` is given (photos, not labels).
MAX_MASK_VALUES = 1024
#: Mask values each covering less than this fraction of the pixels are flagged as compression (JPEG) or
#: interpolation artefacts when there are at least 3 and either the values are not 0..C−1 or they outnumber
#: the others (class ids 0..C−1 with a long tail of rare classes are not flagged).
ARTEFACT_FRACTION = 0.001


# ============================================================================================ results
def _quantiles(x: np.ndarray) -> dict[str, float]:
    if x.size == 0:
        return {}
    q = np.quantile(x, [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0])
    return {"min": float(q[0]), "p05": float(q[1]), "p25": float(q[2]), "median": float(q[3]),
            "p75": float(q[4]), "p95": float(q[5]), "max": float(q[6]), "mean": float(x.mean())}


@dataclass
class ClassStats:
    """Class counts of a classification or segmentation target (ignored labels left out)."""

    values: list[Any]              # class values, in class-index order
    counts: list[int]
    frequencies: list[float]
    imbalance_ratio: float         # largest / smallest count over the classes present
    majority: Any
    minority: Any
    absent: list[Any] = field(default_factory=list)    # declared classes without any example
    contiguous: bool = True        # values are exactly 0, 1, ..., C − 1
    positive: Any = None           # binary: the value read as the positive class
    positive_fraction: float | None = None             # binary / binary segmentation
    image_presence: list[float] | None = None          # masks: fraction of images containing each class

    @property
    def num_classes(self) -> int:
        return len(self.values)

    @property
    def min_frequency(self) -> float:
        present = [f for f in self.frequencies if f > 0]
        return min(present) if present else 0.0


@dataclass
class MultilabelStats:
    """Positive rates of an ``(n, k)`` 0/1 target."""

    num_labels: int
    positives: list[int]
    positive_fractions: list[float]
    positive_fraction: float              # over all n·k entries
    negative_positive_ratio: float        # negatives / positives over all entries
    mean_positives_per_sample: float
    samples_without_positive: float       # fraction of rows with no positive label
    labels_without_positive: list[int]
    label_imbalance_ratio: float          # most / least frequent label (labels with positives)


@dataclass
class ObjectStats:
    """Connected components (full connectivity) of each foreground class on a sample of the masks."""

    images_sampled: int
    sampling: str
    connectivity: str
    num_objects: int
    objects_per_image: float
    size_pixels: dict[str, float]
    size_fraction: dict[str, float]        # object area / image area
    tiny_area_fraction: float              # the threshold used (TINY_OBJECT_AREA_FRACTION)
    tiny_share: float                      # fraction of objects below it (NaN when there are none)


@dataclass
class MaskStats:
    """Foreground statistics of a stack of masks (background = value 0)."""

    num_images: int
    image_shape: tuple[int, ...]               # the most common mask shape (see the notes when they vary)
    foreground_fraction: float             # foreground pixels / labelled pixels, whole dataset
    foreground_fraction_per_image: dict[str, float]
    foreground_fraction_nonempty_median: float | None
    empty_fraction: float                  # images with no foreground pixel
    num_empty: int
    ignored_fraction: float
    objects: ObjectStats | None = None


@dataclass
class RegressionStats:
    """Distribution of a real-valued (or count) target."""

    count: int
    mean: float
    std: float
    min: float
    max: float
    median: float
    mad: float                              # median absolute deviation (raw)
    robust_scale: float                     # 1.4826·MAD (≈ σ for normal data); mean-AD based if MAD = 0
    skew: float
    abs_skew: float
    excess_kurtosis: float
    outlier_fraction: float                 # |y − median| > OUTLIER_Z · robust_scale
    is_integer: bool
    is_count: bool                          # non-negative integers
    zero_fraction: float
    poisson_zero_fraction: float | None     # exp(−mean), the zero fraction of a Poisson with that mean
    zero_inflation: float | None            # zero_fraction / poisson_zero_fraction
    dispersion: float | None                # variance / mean (1 for Poisson)
    distinct: int | None                    # distinct values (None: more than tracked)
    quantiles_from: str
    outputs: int = 1


@dataclass
class Profile:
    """Everything the rules look at. ``stat("masks.empty_fraction")`` reads a (dotted) statistic.

    Example:
        >>> import numpy as np
        >>> from losslab import advise
        >>> prof = advise(np.array([0] * 900 + [1] * 60 + [2] * 40)).profile
        >>> prof.task, prof.imbalance_ratio, prof.stat("classes.counts")
        ('multiclass', 22.5, [900, 60, 40])
    """

    task: str
    evidence: list[str]
    source: str
    num_samples: int
    num_labels: int
    sample_shape: tuple[int, ...]
    dtype: str
    classes: ClassStats | None = None
    multilabel: MultilabelStats | None = None
    masks: MaskStats | None = None
    regression: RegressionStats | None = None
    ignore_index: Any = None
    declared_classes: list[Any] | None = None
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    # -- access for the rules ----------------------------------------------------------------
    def stat(self, name: str) -> Any:
        """The statistic at a dotted path (``None`` when that section does not apply)."""
        obj: Any = self
        for part in name.split("."):
            if obj is None:
                return None
            obj = getattr(obj, part, None)
        return obj

    @property
    def imbalance_ratio(self) -> float | None:
        if self.classes is not None:
            return self.classes.imbalance_ratio
        if self.multilabel is not None:
            return self.multilabel.negative_positive_ratio
        return None

    @property
    def positive_fraction(self) -> float | None:
        """Binary: positive class; multi-label: positives over all entries; masks: foreground."""
        if self.masks is not None:
            return self.masks.foreground_fraction
        if self.multilabel is not None:
            return self.multilabel.positive_fraction
        if self.classes is not None:
            return self.classes.positive_fraction
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: NaN/inf become ``None``, NumPy scalars become Python numbers."""
        return _jsonable(asdict(self))


def _jsonable(v: Any) -> Any:
    if is_dataclass(v) and not isinstance(v, type):
        v = asdict(v)
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


# ============================================================================================ chunks
def _prepare(x: np.ndarray, start: int) -> np.ndarray:
    """Validate one chunk (types, NaN/inf) and return it with a countable dtype."""
    kind = x.dtype.kind
    if kind == "b":
        return x.astype(np.uint8)
    if kind in "iu":
        return x
    if kind == "f":
        finite = np.isfinite(x)
        if not finite.all():
            bad = ~finite
            n_nan = int(np.isnan(x).sum())
            first = start + int(np.argmax(bad.reshape(len(x), -1).any(axis=1))) if x.ndim else start
            what = f"{n_nan} NaN value(s)" if n_nan else f"{int(bad.sum())} infinite value(s)"
            if n_nan and n_nan != int(bad.sum()):
                what += f" and {int(bad.sum()) - n_nan} infinite value(s)"
            raise ValueError(f"{FN}: expected targets free of NaN and infinity, got {what} "
                             f"(first in sample {first})")
        return x
    if kind in "US":
        return x.astype(object)
    if kind == "O":
        flat = x.ravel()
        text = sum(isinstance(v, str) for v in flat)
        if text == flat.size:
            return x
        missing = sum(v is None or (isinstance(v, float) and math.isnan(v)) for v in flat)
        if missing:
            raise ValueError(f"{FN}: expected targets free of missing values, got {missing} missing value(s)")
        kinds = sorted({type(v).__name__ for v in flat})
        if text:  # NumPy would read '1' as 1: text and numbers stay apart
            raise TypeError(f"{FN}: expected labels of one type (numbers or text), got {kinds}")
        try:
            return x.astype(np.float64) if any(isinstance(v, float) for v in flat) else x.astype(np.int64)
        except OverflowError:
            big = max(flat, key=lambda v: abs(int(v)))
            raise ValueError(f"{FN}: expected `target` integers within int64 [-2**63, 2**63 - 1], got {big}") from None
        except (TypeError, ValueError):
            raise TypeError(f"{FN}: expected labels of one type (numbers or text), got {kinds}") from None
    raise TypeError(f"{FN}: expected numeric, boolean or text targets, got dtype {x.dtype}")


def _is_integral(x: np.ndarray) -> bool:
    if x.dtype.kind in "iub":
        return True
    if x.dtype.kind != "f":
        return False
    return bool(np.array_equal(x, np.rint(x)))


def _count_values(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values, counts) of a 1-D chunk; bincount for small non-negative integers."""
    if x.size == 0:
        return np.empty(0, x.dtype), np.empty(0, np.int64)
    if x.dtype.kind in "iu" and x.dtype.itemsize <= 8:
        lo, hi = int(x.min()), int(x.max())
        if lo >= 0 and hi < MAX_TRACKED_VALUES:
            bc = np.bincount(x.astype(np.intp, copy=False), minlength=hi + 1)
            nz = np.flatnonzero(bc)
            return nz, bc[nz]
    return np.unique(x, return_counts=True)


def _merge(hist: dict[Any, int], values: np.ndarray, counts: np.ndarray) -> None:
    for v, c in zip(values.tolist(), counts.tolist()):
        hist[v] = hist.get(v, 0) + c


class _Values:
    """Streaming statistics of scalar values: histogram (while small), moments, uniform sample."""

    def __init__(self, seed: int = 0) -> None:
        self.n = 0
        self.hist: dict[Any, int] | None = {}
        self.categorical: bool | None = None
        self.integral = True
        self.lo, self.hi = math.inf, -math.inf
        self.zeros = 0
        self.shift: float | None = None
        self.s = np.zeros(4)
        self.rng = np.random.default_rng(seed)
        self.keys = np.empty(0)
        self.sample = np.empty(0)
        self.tau = 1.0

    def add(self, x: np.ndarray) -> None:
        x = x.ravel()
        if x.size == 0:
            return
        categorical = x.dtype.kind == "O"
        if self.categorical is None:
            self.categorical = categorical
        elif self.categorical != categorical:
            now, before = ("text", "numbers") if categorical else ("numbers", "text")
            example = next((v for v in x if not _is_number(v)), x[0]) if categorical else _py(x[0])
            raise TypeError(f"{FN}: expected labels of one type, got {now} (e.g. {example!r}) after {before}")
        self.n += x.size
        if categorical:
            _merge(self.hist, *np.unique(x, return_counts=True))
            return
        self.lo = min(self.lo, _py(x.min()))
        self.hi = max(self.hi, _py(x.max()))
        if self.integral and not _is_integral(x):
            self.integral = False
        self.zeros += x.size - int(np.count_nonzero(x))
        if self.hist is not None:
            if not self.integral and np.unique(x[:2048]).size > 1024:
                self.hist = None
            else:
                _merge(self.hist, *_count_values(x))
                if len(self.hist) > MAX_TRACKED_VALUES:
                    self.hist = None
        d = x.astype(np.float64)
        if self.shift is None:
            self.shift = float(d.mean())
        d -= self.shift
        d2 = d * d
        self.s += (d.sum(), d2.sum(), (d2 * d).sum(), (d2 * d2).sum())
        self._reservoir(x)

    def _reservoir(self, x: np.ndarray) -> None:
        keys = self.rng.random(x.size)
        if self.sample.size + x.size > RESERVOIR_SIZE or self.sample.size >= RESERVOIR_SIZE:
            sel = keys < self.tau
            keys, x = keys[sel], x[sel]
        self.keys = np.concatenate([self.keys, keys])
        self.sample = np.concatenate([self.sample, x.astype(np.float64)])
        if self.sample.size > RESERVOIR_SIZE:
            keep = np.argpartition(self.keys, RESERVOIR_SIZE - 1)[:RESERVOIR_SIZE]
            self.keys, self.sample = self.keys[keep], self.sample[keep]
            self.tau = float(self.keys.max())

    # -- results -------------------------------------------------------------------------------
    def regression(self, outputs: int = 1) -> RegressionStats:
        n = self.n
        a = self.s[0] / n
        m2 = max(self.s[1] / n - a * a, 0.0)
        m3 = self.s[2] / n - 3 * a * self.s[1] / n + 2 * a ** 3
        m4 = self.s[3] / n - 4 * a * self.s[2] / n + 6 * a * a * self.s[1] / n - 3 * a ** 4
        mean = self.shift + a
        scale = math.sqrt(m2)
        tiny = 1e-12 * max(1.0, abs(mean))
        skew = m3 / m2 ** 1.5 if scale > tiny else math.nan
        kurt = m4 / (m2 * m2) - 3.0 if scale > tiny else math.nan
        std = math.sqrt(m2 * n / (n - 1)) if n > 1 else 0.0
        if self.hist is not None:
            values = np.array(sorted(self.hist), dtype=np.float64)
            counts = np.array([self.hist[v] for v in sorted(self.hist)], dtype=np.int64)
            median = _hist_quantile(values, counts, 0.5)
            dev = np.abs(values - median)
            order = np.argsort(dev)
            mad = _hist_quantile(dev[order], counts[order], 0.5)
            mean_ad = float((dev * counts).sum() / n)
            source = "all values (exact histogram)"
        else:
            s = self.sample
            median = float(np.median(s))
            dev = np.abs(s - median)
            mad = float(np.median(dev))
            mean_ad = float(dev.mean())
            values, counts = s, np.ones(s.size, np.int64)
            source = ("all values" if s.size == n else
                      f"a uniform sample of {s.size:,} of {n:,} values")
        robust = MAD_TO_SIGMA * mad if mad > 0 else 1.2533 * mean_ad
        if robust > 0:
            out = np.abs(values - median) > OUTLIER_Z * robust
            outlier_fraction = float(counts[out].sum() / counts.sum())
        else:
            outlier_fraction = 0.0
        is_count = self.integral and self.lo >= 0
        zero_fraction = self.zeros / n
        pz = math.exp(-mean) if is_count and mean > 0 else None
        return RegressionStats(
            count=n, mean=mean, std=std, min=float(self.lo), max=float(self.hi), median=float(median),
            mad=float(mad), robust_scale=float(robust), skew=skew, abs_skew=abs(skew), excess_kurtosis=kurt,
            outlier_fraction=outlier_fraction, is_integer=bool(self.integral), is_count=bool(is_count),
            zero_fraction=zero_fraction, poisson_zero_fraction=pz,
            zero_inflation=(zero_fraction / pz) if pz else None,
            dispersion=(m2 / mean) if is_count and mean > 0 else None,
            distinct=len(self.hist) if self.hist is not None else None, quantiles_from=source, outputs=outputs)


def _hist_quantile(values: np.ndarray, counts: np.ndarray, q: float) -> float:
    cum = np.cumsum(counts)
    total = int(cum[-1])
    lo = int(np.searchsorted(cum, math.floor(q * (total - 1)), side="right"))
    hi = int(np.searchsorted(cum, math.ceil(q * (total - 1)), side="right"))
    frac = q * (total - 1) - math.floor(q * (total - 1))
    return float(values[lo] * (1 - frac) + values[hi] * frac)


def _class_stats(values: list[Any], counts: list[int], declared: list[Any] | None) -> ClassStats:
    if declared is not None:
        lookup = dict(zip(values, counts))
        values, counts = list(declared), [int(lookup.get(v, 0)) for v in declared]
    total = sum(counts)
    present = [(c, v) for v, c in zip(values, counts) if c > 0]
    cmax, vmax = max(present, key=lambda t: t[0])
    cmin, vmin = min(present, key=lambda t: t[0])
    contiguous = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v == i
                     for i, v in enumerate(values))
    return ClassStats(values=[_py(v) for v in values], counts=[int(c) for c in counts],
                      frequencies=[c / total for c in counts], imbalance_ratio=cmax / cmin,
                      majority=_py(vmax), minority=_py(vmin),
                      absent=[_py(v) for v, c in zip(values, counts) if c == 0], contiguous=contiguous)


def _check_declared(x: np.ndarray, declared: list[Any] | None, start: int, ignore: Any = None) -> None:
    if declared is None:
        return
    flat = x.reshape(len(x), -1) if x.ndim > 1 else x.reshape(-1, 1)
    inside = np.isin(flat, np.asarray(declared, dtype=object if x.dtype.kind == "O" else None))
    if ignore is not None:
        inside |= flat == ignore
    if not inside.all():
        rows = np.flatnonzero(~inside.all(axis=1))
        bad = flat[rows[0]][~inside[rows[0]]][0]
        raise ValueError(f"{FN}: expected labels in the declared classes {list(declared)}, got {_py(bad)!r} "
                         f"({len(rows)} sample(s), first {start + int(rows[0])})")


# ============================================================================================ masks
class _Masks:
    """Per-image counts of a mask stack in one pass; connected components on a sample of images.

    Masks may differ in size (not in their number of dimensions): every count is kept per image with the
    image's own pixel count.
    """

    def __init__(self, shape: tuple[int, ...], total: int | None, max_object_images: int,
                 ignore: Any) -> None:
        self.shape = shape
        self.shapes: dict[tuple[int, ...], int] = {}  # masks per shape
        self.pixels: list[np.ndarray] = []  # pixels per image, one array per chunk
        self.n = 0
        self.total_counts = np.zeros(0, np.int64)
        self.presence = np.zeros(0, np.int64)
        self.hist: dict[Any, int] = {}          # only for values outside the bincount range
        self.presence_hist: dict[Any, int] = {}
        self.zeros: list[np.ndarray] = []
        self.ignore_counts: list[np.ndarray] = []
        self.ignore = VOC_IGNORE if ignore == "auto" else ignore
        self.max_object_images = max_object_images
        if total is not None and total > max_object_images:
            self.sample_idx = set(np.linspace(0, total - 1, max_object_images).round().astype(int).tolist())
            self.sampling = f"{max_object_images} evenly spaced of {total:,} images"
        else:
            self.sample_idx = None
            self.sampling = ""
        self.objects: list[tuple[Any, int, int]] = []  # (class value, size in pixels, pixels of its image)
        self.sampled = 0

    def add(self, x: np.ndarray, start: int) -> None:
        if x.dtype.kind == "f":
            if not _is_integral(x):
                flat = x.reshape(len(x), -1)
                rows = np.flatnonzero((flat != np.rint(flat)).any(axis=1))
                bad = flat[rows[0]][flat[rows[0]] != np.rint(flat[rows[0]])][0]
                raise ValueError(f"{FN}: expected integer mask values (class indices), got non-integer values "
                                 f"such as {float(bad):g} in {len(rows)} mask(s), first mask {start + int(rows[0])} "
                                 f"(pass task='regression' for dense real-valued targets)")
            x = x.astype(np.int64)
        elif x.dtype == np.uint64:
            x = x.astype(np.int64) if int(x.max()) < 2 ** 63 else x
        small = x.dtype.kind in "iu" and (x.dtype.kind == "u" or int(x.min()) >= 0) and \
            int(x.max()) < MAX_TRACKED_VALUES
        B = len(x)
        zeros = np.empty(B, np.int64)
        ign = np.zeros(B, np.int64)
        flat = x.reshape(B, -1)
        if small:
            # at least the values seen so far: a bincount shorter than the totals would broadcast into them
            k = max(int(flat.max()) + 1 if flat.size else 1, self.total_counts.size)
            if self.total_counts.size < k:
                self.total_counts = np.pad(self.total_counts, (0, k - self.total_counts.size))
                self.presence = np.pad(self.presence, (0, k - self.presence.size))
            tc, pr = self.total_counts, self.presence
            ig = self.ignore if isinstance(self.ignore, (int, np.integer)) and 0 <= self.ignore < k else None
            for i in range(B):
                bc = np.bincount(flat[i], minlength=k)
                tc += bc
                pr += bc > 0
                zeros[i] = bc[0]
                if ig is not None:
                    ign[i] = bc[ig]
        else:
            for i in range(B):
                vals, cnts = np.unique(flat[i], return_counts=True)
                _merge(self.hist, vals, cnts)
                _merge(self.presence_hist, vals, np.ones_like(cnts))
                lookup = dict(zip(vals.tolist(), cnts.tolist()))
                zeros[i] = lookup.get(0, 0)
                if self.ignore is not None:
                    ign[i] = lookup.get(_py(self.ignore), 0)
        self.zeros.append(zeros)
        self.ignore_counts.append(ign)
        self.pixels.append(np.full(B, flat.shape[1], np.int64))
        self.shapes[tuple(x.shape[1:])] = self.shapes.get(tuple(x.shape[1:]), 0) + B
        for i in range(B):
            idx = start + i
            if (idx in self.sample_idx) if self.sample_idx is not None else (self.sampled < self.max_object_images):
                self._components(x[i])
        self.n += B

    def _components(self, im: np.ndarray) -> None:
        try:
            from scipy import ndimage
        except ImportError:
            raise ImportError(f"{FN}: object sizes need scipy: pip install 'losslab[cli]'") from None
        self.sampled += 1
        structure = ndimage.generate_binary_structure(im.ndim, im.ndim)
        for v in np.unique(im).tolist():
            if v == 0:
                continue
            lab, num = ndimage.label(im == v, structure=structure)
            if num:
                sizes = np.bincount(lab.ravel())[1:]
                self.objects.extend((v, int(s), im.size) for s in sizes)

    def counts(self) -> dict[Any, int]:
        out = {int(v): int(c) for v, c in enumerate(self.total_counts) if c}
        for v, c in self.hist.items():
            out[v] = out.get(v, 0) + c
        return out

    def presence_of(self, v: Any) -> int:
        p = int(self.presence[v]) if isinstance(v, int) and 0 <= v < self.presence.size else 0
        return p + self.presence_hist.get(v, 0)


# ============================================================================================ profile
def profile(data: Any, *, task: str | None = None, classes: Sequence[Any] | None = None,
            ignore_index: Any = "auto", column: str | Sequence[str] | None = None,
            max_object_images: int = MAX_OBJECT_IMAGES,
            progress: Callable[[int, int | None], None] | None = None) -> Profile:
    """Profile the targets in ``data`` (see the module docstring for inputs and task detection).

    Args:
        data: array, tensor, pandas/pyarrow column or table, list, iterable of array chunks (samples along
            axis 0 of each chunk), or a path (file or folder, see :mod:`losslab.advisor.readers`).
        task: force the task, one of ``TASKS``; ``None`` detects it.
        classes: the declared class list; labels outside it are an error, absent ones are reported.
        ignore_index: label value left out of the statistics (masks); ``"auto"`` reads 255 as "ignore" as in
            Pascal VOC when the other values are the classes 0..K (1 <= K < ``VOC_MAX_CLASSES``) and every
            mask holding 255 has an object; ``None``: none.
        column: the target column(s) of a table / array name of an ``.npz`` (comma-separated or a list).
        max_object_images: connected components are computed on at most this many masks.
        progress: called as ``progress(samples_done, total_or_None)`` after every chunk.
    """
    if task is not None and task not in TASKS:
        raise ValueError(f"{FN}: expected `task` one of {TASKS}, got {task!r}")
    declared = list(classes) if classes is not None else None
    if declared is not None and len(set(map(repr, declared))) != len(declared):
        raise ValueError(f"{FN}: expected distinct declared classes, got {declared}")
    if declared is not None and len(declared) < 2:
        raise ValueError(f"{FN}: expected at least 2 declared classes, got {declared}")
    if not (isinstance(max_object_images, int) and max_object_images >= 0):
        raise ValueError(f"{FN}: expected `max_object_images` an int >= 0, got {max_object_images!r}")
    src = as_source(data, column=column)
    if declared is None and src.classes is not None:  # a pandas Categorical's categories
        declared = list(src.classes)
    it = iter(src.chunks())
    start = 0
    acc: Any = None
    sample_shape: tuple[int, ...] | None = None
    dtypes: set[str] = set()
    mode = ""
    for raw in it:
        chunk = np.asarray(raw)
        if chunk.ndim == 0:
            chunk = chunk.reshape(1)
        if sample_shape is None:
            if chunk.shape[0] == 0:
                continue
            sample_shape = tuple(chunk.shape[1:])
            if 0 in sample_shape:
                raise ValueError(f"{FN}: expected at least one label, got an empty dataset "
                                 f"(samples of shape {sample_shape})")
            mode, acc = _start(sample_shape, task, src, max_object_images, ignore_index)
        elif tuple(chunk.shape[1:]) != sample_shape and not (mode == "masks" and chunk.ndim - 1 == len(sample_shape)):
            raise ValueError(f"{FN}: expected every sample with shape {sample_shape}, got mixed shapes: "
                             f"{tuple(chunk.shape[1:])} from sample {start}")
        if chunk.shape[0] == 0:
            continue
        dtypes.add(str(chunk.dtype))
        chunk = _prepare(chunk, start)
        if mode == "masks":
            if chunk.dtype.kind == "O":
                raise TypeError(f"{FN}: expected numeric masks, got text values")
            _check_declared(chunk, declared, start, None if ignore_index == "auto" else ignore_index)
            acc.add(chunk, start)
        elif mode == "table":
            acc.add(chunk)
        else:
            if mode == "values":
                _check_declared(chunk, declared, start)
            acc.add(chunk.reshape(-1) if mode != "values" else chunk.reshape(len(chunk)))
        start += chunk.shape[0]
        if progress is not None:
            progress(start, src.total)
    if acc is None or start == 0:
        raise ValueError(f"{FN}: expected at least one label, got an empty dataset ({src.name})")
    base = dict(source=src.name, num_samples=start, sample_shape=sample_shape,
                dtype="/".join(sorted(dtypes)), declared_classes=declared)
    notes = list(src.notes)
    if mode == "masks":
        prof = _finish_masks(acc, task, declared, ignore_index, base, src)
    elif mode == "table":
        prof = acc.finish(task, declared, base)
    else:
        prof = _finish_values(acc, task, declared, base, pooled=(mode == "pooled"),
                              outputs=int(np.prod(sample_shape)) if sample_shape else 1)
    prof.notes[:0] = notes
    return prof


def _start(shape: tuple[int, ...], task: str | None, src: Source, max_object_images: int,
           ignore_index: Any) -> tuple[str, Any]:
    if len(shape) == 1 and shape[0] == 1:
        shape = ()  # an (n, 1) column is a vector
    if task in ("regression", "count_regression") and len(shape) >= 1:
        return ("pooled" if len(shape) >= 2 else "table"), (_Values() if len(shape) >= 2 else _Table(shape[0]))
    if len(shape) >= 2:
        return "masks", _Masks(shape, src.total, max_object_images, ignore_index)
    if task in SEGMENTATION:
        raise ValueError(f"{FN}: expected masks (samples of 2 or more dimensions) for task {task!r}, got "
                         f"samples of shape {shape}")
    if len(shape) == 1:
        return "table", _Table(shape[0])
    return "values", _Values()


# ---------------------------------------------------------------------------------- scalar labels
def _finish_values(acc: _Values, task: str | None, declared: list[Any] | None, base: dict[str, Any],
                   pooled: bool = False, outputs: int = 1) -> Profile:
    n = acc.n
    evidence: list[str] = []
    hist = acc.hist
    n_distinct = len(hist) if hist is not None else None
    distinct_txt = f"{n_distinct} distinct values" if n_distinct is not None else "many distinct values"
    if pooled or outputs > 1:
        evidence.append(f"{outputs} outputs per sample, pooled")
    if acc.categorical:
        if task in ("regression", "count_regression"):
            raise ValueError(f"{FN}: expected numeric targets for task {task!r}, got text labels")
        n_cls = len(declared) if declared is not None else len(hist)
        detected = task or ("binary" if n_cls == 2 else "multiclass")
        evidence.append(f"text labels with {len(hist)} distinct values")
    elif task is not None:
        detected = task
        evidence.append(f"task given by the user ({distinct_txt})")
    elif declared is not None:
        detected = "binary" if len(declared) == 2 else "multiclass"
        evidence.append(f"declared classes {declared}")
    elif base["dtype"] == "bool" and not pooled:
        detected = "binary"
        evidence.append("booleans: read as binary classes")
    elif acc.integral and n_distinct is not None and n_distinct <= MAX_AUTO_CLASSES and not pooled:
        detected = "binary" if n_distinct <= 2 else "multiclass"
        lo, hi = _py(acc.lo), _py(acc.hi)
        evidence.append(f"integer values {int(lo)}..{int(hi)} with {n_distinct} distinct values "
                        f"(<= MAX_AUTO_CLASSES = {MAX_AUTO_CLASSES}): read as class labels; pass "
                        f"task='count_regression' if they are counts")
    elif acc.integral and acc.lo >= 0:
        detected = "count_regression"
        why = ("not all 0/1, so not a multi-label table" if pooled else
               f"> MAX_AUTO_CLASSES = {MAX_AUTO_CLASSES}")
        evidence.append(f"non-negative integers with {distinct_txt} ({why}): read as counts")
    else:
        detected = "regression"
        evidence.append("real values" + (" (not all integers)" if not acc.integral else " including negatives")
                        + f", {distinct_txt}")
    if detected in ("multilabel",) + SEGMENTATION:
        raise ValueError(f"{FN}: expected {'an (n, k) 0/1 table' if detected == 'multilabel' else 'masks'} for "
                         f"task {detected!r}, got one label per sample")
    prof = Profile(task=detected, evidence=evidence, num_labels=n, **base)
    if detected in ("regression", "count_regression"):
        if detected == "count_regression" and not (acc.integral and acc.lo >= 0):
            raise ValueError(f"{FN}: expected non-negative integer counts for task 'count_regression', got "
                             f"{'negative values' if acc.lo < 0 else 'non-integer values'}")
        prof.regression = acc.regression(outputs=outputs)
        if prof.regression.std == 0:
            prof.warnings.append("every target has the same value: there is nothing to learn")
        return prof
    # classification
    if hist is None:
        raise ValueError(f"{FN}: expected class labels for task {detected!r}, got {distinct_txt}")
    if not acc.integral and not acc.categorical:
        raise ValueError(f"{FN}: expected integer class labels for task {detected!r}, got non-integer values")
    values = sorted(hist, key=lambda v: (str(type(v)), v))
    counts = [hist[v] for v in values]
    if not acc.categorical:
        values = [int(v) for v in values]
    if declared is None and len(values) < 2:
        raise ValueError(f"{FN}: expected at least 2 classes, got only the label {values[0]!r} "
                         f"({counts[0]} sample(s))")
    if detected == "binary" and len(values if declared is None else declared) != 2:
        raise ValueError(f"{FN}: expected 2 classes for task 'binary', got "
                         f"{len(values if declared is None else declared)}: {values[:10]}")
    cs = _class_stats(values, counts, declared)
    if sum(c > 0 for c in cs.counts) < 2:
        raise ValueError(f"{FN}: expected examples of at least 2 classes, got only {cs.majority!r}")
    if detected == "binary":
        if declared is not None:
            pos = cs.values[1]
            why = "the second declared class"
        elif acc.categorical:
            pos = cs.minority if cs.counts[0] != cs.counts[1] else cs.values[1]
            why = "the minority class" if cs.counts[0] != cs.counts[1] else "the second in sorted order"
        else:
            pos = cs.values[1]
            why = "the larger value"
        cs.positive = pos
        cs.positive_fraction = cs.frequencies[cs.values.index(pos)]
        evidence.append(f"positive class = {pos!r} ({why})")
    prof.classes = cs
    if cs.absent:
        prof.warnings.append(f"declared classes without any example: {cs.absent}")
    prof.warnings += _label_warnings(hist, n)
    return prof


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _label_warnings(hist: dict[Any, int], n: int) -> list[str]:
    """Class labels that look like a mistake: an ID column, numbers next to a stray text marker, text that
    differs only in case or surrounding spaces."""
    out = []
    if n >= MIN_SAMPLES_ID_CHECK and 2 * len(hist) > n:
        what = "every label is different" if len(hist) == n else f"{len(hist):,} distinct labels"
        out.append(f"{what} in {n:,} samples (fewer than 2 per class): an ID column or numbers read as text? "
                   f"(check the target column, and a CSV's delimiter and decimal mark)")
    text = [v for v in hist if isinstance(v, str)]
    numbers = [v for v in text if _is_number(v)]
    if numbers and len(numbers) < len(text):
        other = [v for v in text if v not in numbers]
        out.append(f"text labels mix numbers ({numbers[:3]}) and other text ({other[:5]}, "
                   f"{sum(hist[v] for v in other):,} sample(s)): a missing-value marker or a typo? they are read "
                   f"as {len(text)} text classes")
    groups: dict[str, list[str]] = {}
    for v in text:
        groups.setdefault(v.strip().casefold(), []).append(v)
    clashes = [g for g in groups.values() if len(g) > 1]
    if clashes:
        out.append(f"labels differing only in case or surrounding spaces: {clashes[:5]}"
                   f"{' …' if len(clashes) > 5 else ''}: one class each? clean them before training")
    return out


# ---------------------------------------------------------------------------------- (n, k) tables
class _Table:
    def __init__(self, k: int) -> None:
        self.k = k
        self.binary = True
        self.colsum = np.zeros(k, np.int64)
        self.rowhist = np.zeros(k + 1, np.int64)
        self.values = _Values()
        self.n = 0
        self.example_bad: Any = None

    def add(self, x: np.ndarray) -> None:
        if x.dtype.kind == "O":
            raise TypeError(f"{FN}: expected numeric values in an (n, {self.k}) target, got text")
        if self.binary:
            is01 = (x == 0) | (x == 1)
            if is01.all():
                xi = x.astype(np.int64, copy=False)
                self.colsum += xi.sum(axis=0)
                self.rowhist += np.bincount(xi.sum(axis=1), minlength=self.k + 1)
            else:
                self.binary = False
                self.example_bad = _py(x[~is01][0])
        self.values.add(x)
        self.n += len(x)

    def finish(self, task: str | None, declared: list[Any] | None, base: dict[str, Any]) -> Profile:
        k, n = self.k, self.n
        if not self.binary or task in ("regression", "count_regression"):
            if task in ("binary", "multiclass", "multilabel"):
                raise ValueError(f"{FN}: expected 0/1 values in an (n, {k}) target for task {task!r}, got values "
                                 f"such as {self.example_bad!r}")
            return _finish_values(self.values, task, None, base, pooled=True, outputs=k)
        one_hot = self.rowhist[1] == n
        if (one_hot and task != "multilabel" and k >= 2) or task in ("binary", "multiclass"):
            if not one_hot:
                raise ValueError(f"{FN}: expected one-hot rows for task {task!r}, got "
                                 f"{n - int(self.rowhist[1])} row(s) without exactly one 1")
            values = list(range(k)) if declared is None else list(declared)
            if len(values) != k:
                raise ValueError(f"{FN}: expected {k} declared classes for one-hot rows of width {k}, got "
                                 f"{len(values)}")
            counts = self.colsum.tolist()
            if sum(c > 0 for c in counts) < 2:
                raise ValueError(f"{FN}: expected examples of at least 2 classes, got one-hot rows of one class")
            detected = task or ("binary" if k == 2 else "multiclass")
            cs = _class_stats(list(range(k)), counts, None)
            if declared is not None:
                cs.values = values
            prof = Profile(task=detected, evidence=[f"(n, {k}) rows of 0/1 with exactly one 1: one-hot "
                                                    f"classes"], num_labels=n, **base)
            if detected == "binary":
                cs.positive, cs.positive_fraction = cs.values[1], cs.frequencies[1]
            prof.classes = cs
            prof.notes.append("one-hot targets: pass class indices (argmax over the row) to softmax losses")
            return prof
        pos = self.colsum
        total_pos = int(pos.sum())
        if total_pos == 0:
            raise ValueError(f"{FN}: expected at least one positive label in the (n, {k}) 0/1 target, got none")
        with_pos = pos[pos > 0]
        ml = MultilabelStats(
            num_labels=k, positives=pos.tolist(), positive_fractions=(pos / n).tolist(),
            positive_fraction=total_pos / (n * k), negative_positive_ratio=(n * k - total_pos) / total_pos,
            mean_positives_per_sample=total_pos / n, samples_without_positive=float(self.rowhist[0] / n),
            labels_without_positive=np.flatnonzero(pos == 0).tolist(),
            label_imbalance_ratio=float(with_pos.max() / with_pos.min()))
        evidence = [f"(n, {k}) table of 0/1 values" + (f"; {ml.mean_positives_per_sample:.2f} positives per "
                                                       f"row on average (not one-hot)" if task is None else
                                                       " (task given by the user)")]
        prof = Profile(task="multilabel", evidence=evidence, num_labels=n * k, multilabel=ml, **base)
        if ml.labels_without_positive:
            prof.warnings.append(f"labels without any positive example: columns {ml.labels_without_positive}")
        always = np.flatnonzero(pos == n).tolist()
        if always:
            prof.warnings.append(f"labels positive in every row: columns {always} (nothing to learn there; their "
                                 f"pos_weight is 1)")
        return prof


# ---------------------------------------------------------------------------------- masks
def _voc_ignore(acc: _Masks, values: list[Any]) -> tuple[int | None, str | None]:
    """(VOC_IGNORE or None, the evidence): 255 is read as Pascal VOC's "ignore" border when the other values
    are the classes 0..K (1 <= K < VOC_MAX_CLASSES) and no mask has 255 without an object."""
    others = [v for v in values if v != VOC_IGNORE]
    if VOC_IGNORE not in values or len(others) < 2:
        return None, None
    pixels, zeros, ign = (np.concatenate(a) for a in (acc.pixels, acc.zeros, acc.ignore_counts))
    alone = int(((ign > 0) & (pixels - zeros - ign == 0)).sum())
    if others != list(range(len(others))):
        why = f"the other values {others[:8]}{'…' if len(others) > 8 else ''} are not the classes 0..K"
    elif len(others) > VOC_MAX_CLASSES:
        why = f"more than VOC_MAX_CLASSES = {VOC_MAX_CLASSES} classes besides it"
    elif alone:
        why = f"it is in {alone:,} mask(s) without any object, where VOC's borders surround objects"
    else:
        return VOC_IGNORE, (f"value {VOC_IGNORE} next to classes 0..{others[-1]}: read as 'ignore' (Pascal VOC "
                            f"borders); pass ignore_index=None to count it as a class")
    return None, (f"value {VOC_IGNORE} counted as a class, not as Pascal VOC's 'ignore' ({why}); pass "
                  f"ignore_index={VOC_IGNORE} if it marks ignored pixels")


def _finish_masks(acc: _Masks, task: str | None, declared: list[Any] | None, ignore_index: Any,
                  base: dict[str, Any], src: Source) -> Profile:
    counts = acc.counts()
    values = sorted(counts)
    if task is None and declared is None and len(values) > MAX_MASK_VALUES:
        raise ValueError(f"{FN}: expected masks with at most MAX_MASK_VALUES = {MAX_MASK_VALUES} distinct values, got "
                         f"{len(values):,} in {acc.n:,} mask(s) (photos rather than label masks? pass "
                         f"task='multiclass_segmentation' or classes=[...] if they are labels)")
    shape = max(acc.shapes, key=acc.shapes.get)  # the most common one
    sizes_seen = (f"of shape {shape}" if len(acc.shapes) == 1 else
                  f"of {len(acc.shapes)} shapes (most often {shape}, {acc.shapes[shape]:,} masks)")
    evidence = [f"{acc.n:,} mask{'s' if acc.n != 1 else ''} {sizes_seen} with {len(values)} distinct values"
                + (f" {values[:12]}" + ("…" if len(values) > 12 else "") if values else "")]
    ignore = None
    if ignore_index == "auto":
        if declared is None:
            ignore, why = _voc_ignore(acc, values)
            evidence += [why] if why else []
    elif ignore_index is not None:
        ignore = ignore_index
    ignored = counts.pop(ignore, 0) if ignore is not None else 0
    values = sorted(counts)
    if declared is not None:
        classes = list(declared)
    else:
        classes = values
    if not values or (len(values) == 1 and declared is None):
        only = values[0] if values else None
        what = "only background (value 0)" if only == 0 else \
            (f"only the value {only!r}" if values else "only ignored pixels")
        raise ValueError(f"{FN}: expected masks with background (0) and at least one foreground class, got "
                         f"{what} in {acc.n:,} mask(s)")
    if 0 not in counts and declared is None:
        raise ValueError(f"{FN}: expected masks with background value 0, got values {values[:12]} "
                         f"(pass classes=[...] to declare them)")
    binary_like = len(classes) == 2
    if task is None:
        detected = "binary_segmentation" if binary_like else "multiclass_segmentation"
    elif task in SEGMENTATION:
        detected = task
        if task == "binary_segmentation" and not binary_like:
            raise ValueError(f"{FN}: expected masks with 2 values (background 0 and one foreground value) for "
                             f"task 'binary_segmentation', got {len(classes)}: {classes[:12]}")
        evidence.append("task given by the user")
    else:
        raise ValueError(f"{FN}: expected one label per sample for task {task!r}, got masks of shape {acc.shape} "
                         f"(pass task='regression' for dense regression)")
    pixels = np.concatenate(acc.pixels)
    prof = Profile(task=detected, evidence=evidence, num_labels=int(pixels.sum()), ignore_index=ignore, **base)
    if len(acc.shapes) > 1:
        prof.notes.append(f"masks differ in size ({int(pixels.min()):,} to {int(pixels.max()):,} pixels): "
                          f"per-image fractions use each image's own size; dataset fractions count every pixel")
    zeros = np.concatenate(acc.zeros)
    ign = np.concatenate(acc.ignore_counts) if ignore is not None and ignore == acc.ignore \
        else np.zeros(acc.n, np.int64)
    if ignore is not None and ignore != acc.ignore:  # ignore value not tracked per image (declared late)
        prof.notes.append("per-image foreground fractions include the ignored value")
    labelled = pixels - ign
    fg = labelled - zeros if 0 in counts else labelled.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(labelled > 0, fg / np.maximum(labelled, 1), 0.0)
    empty = fg == 0
    nonempty = frac[~empty]
    total_labelled = int(labelled.sum())
    cs = _class_stats(values, [counts[v] for v in values], declared)
    cs.image_presence = [acc.presence_of(v) / acc.n for v in cs.values]
    fg_value = [v for v in cs.values if v != 0]
    if detected == "binary_segmentation":
        cs.positive = fg_value[0] if fg_value else cs.values[1]
        cs.positive_fraction = float(fg.sum() / max(total_labelled, 1))
        evidence.append(f"background 0, foreground {cs.positive!r}")
        prof.notes.append("sigmoid segmentation losses take targets of shape (N, 1, *spatial): add the channel "
                          "axis (mask[:, None])")
        if cs.positive != 1:
            prof.notes.append(f"foreground is stored as {cs.positive!r}: targets must be 0/1 (divide by "
                              f"{cs.positive!r} or compare with it)")
    elif not cs.contiguous:
        prof.notes.append(f"class values {cs.values[:12]} are not 0..C−1: map them to indices in this order "
                          f"before training (class weights below follow it)")
    # objects
    objects = None
    if acc.sampled:
        kept = [(s, image) for v, s, image in acc.objects if v != ignore]
        sizes = np.array([s for s, _ in kept], dtype=np.int64)
        rel = sizes / np.array([image for _, image in kept], dtype=np.float64) if kept else np.zeros(0)
        sampling = acc.sampling or (f"all {acc.n:,} images" if acc.sampled == acc.n else
                                    f"the first {acc.sampled:,} of {acc.n:,} images")
        objects = ObjectStats(
            images_sampled=acc.sampled, sampling=sampling,
            connectivity=f"full ({3 ** len(acc.shape) - 1}-neighbourhood)", num_objects=int(sizes.size),
            objects_per_image=float(sizes.size / acc.sampled), size_pixels=_quantiles(sizes.astype(float)),
            size_fraction=_quantiles(rel), tiny_area_fraction=TINY_OBJECT_AREA_FRACTION,
            tiny_share=float((rel < TINY_OBJECT_AREA_FRACTION).mean()) if sizes.size else math.nan)
        if acc.sampled < acc.n:
            prof.notes.append(f"object sizes from {sampling} (connected components are costly)")
    prof.masks = MaskStats(
        num_images=acc.n, image_shape=shape, foreground_fraction=float(fg.sum() / max(total_labelled, 1)),
        foreground_fraction_per_image=_quantiles(frac),
        foreground_fraction_nonempty_median=float(np.median(nonempty)) if nonempty.size else None,
        empty_fraction=float(empty.mean()), num_empty=int(empty.sum()),
        ignored_fraction=float(ignored / max(int(pixels.sum()), 1)), objects=objects)
    prof.classes = cs
    if cs.absent:
        prof.warnings.append(f"declared classes without any pixel: {cs.absent}")
    rare = [v for v, c in zip(cs.values, cs.counts) if 0 < c < ARTEFACT_FRACTION * total_labelled]
    if len(rare) >= 3 and (not cs.contiguous or 2 * len(rare) > len(values)):
        dominant = [v for v in values if v not in rare]
        prof.warnings.append(f"{len(rare)} of the {len(values)} mask values each cover less than "
                             f"{ARTEFACT_FRACTION:.1%} of the pixels ({rare[:8]}{' …' if len(rare) > 8 else ''}) "
                             f"next to {dominant[:8]}: compression or resize artefacts? save masks losslessly (PNG, "
                             f"not JPEG) and resize them with nearest-neighbour interpolation")
    if int(empty.sum()) == acc.n:
        raise ValueError(f"{FN}: expected at least one mask with foreground, got {acc.n:,} empty masks")
    return prof
