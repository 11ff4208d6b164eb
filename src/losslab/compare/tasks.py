"""Built-in tasks, generated deterministically from a seed, and user data.

A :class:`Task` holds a train and a held-out test split as torch tensors in the layout the harness and
the losses expect:

==========================  ===========================  =======================================
kind                        inputs                       targets
==========================  ===========================  =======================================
``binary_segmentation``     ``(N, C, H, W)`` float32     ``(N, 1, H, W)`` float32 masks in {0, 1}
``multiclass_segmentation`` ``(N, C, H, W)`` float32     ``(N, H, W)`` int64 class indices
``binary``                  ``(N, F)`` float32           ``(N, 1)`` float32 in {0, 1}
``multiclass``              ``(N, F)`` float32           ``(N,)`` int64 class indices
``regression``              ``(N, F)`` float32           ``(N, 1)`` float32 (standardised)
==========================  ===========================  =======================================

Built-in tasks (``make_task(name, seed=0)``):

* ``lesions`` — binary segmentation of small faint blobs on a textured background, 64×64 images,
  about 0.1 % foreground pixels overall (1:1000) and about 65 % of the images empty.
* ``lesions-multiclass`` — the same with two lesion classes (bright and dark blobs), index targets.
* ``digits`` — scikit-learn's 8×8 handwritten digits (1797 real images, 10 balanced classes).
* ``digits-imbalanced`` — the same images, one digit (default 8) against the rest: about 1:9.
* ``outliers`` — scikit-learn's diabetes regression (442 patients, 10 features); 10 % of the *training*
  targets are replaced by gross errors (±8 to ±12 standard deviations), the test targets are clean.

User data (``load_data(path, ...)``): a folder with ``images/`` and ``masks/`` sub-folders (or ``masks=``
another folder), an ``.npz`` with arrays ``X`` and ``y``, or a CSV/Parquet file with feature columns and a
``target=`` column. Labels and mask values become class indices in sorted order (``info["classes"]`` holds
the original values). Problems with user data raise ``ValueError`` with a one-line message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .._validation import check_index, check_number, fail

KINDS = ("binary_segmentation", "multiclass_segmentation", "binary", "multiclass", "regression")
SEGMENTATION = ("binary_segmentation", "multiclass_segmentation")
CLASSIFICATION = ("binary", "multiclass")


@dataclass
class Task:
    """A train/test split with its kind, the number of classes and a description.

    ``n_classes`` is 1 for binary and regression tasks (one output), ``C`` for multi-class ones.
    ``info`` holds statistics (foreground fraction, class counts, ...); regression tasks store the
    target scale (``y_mean``, ``y_std``) so metrics are reported in the original units.

    Example:
        >>> from losslab.compare import make_task
        >>> t = make_task("digits-imbalanced")
        >>> t.kind, t.n_classes, tuple(t.x_train.shape), tuple(t.y_train.shape)
        ('binary', 1, (1257, 64), (1257, 1))
    """

    name: str
    kind: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    n_classes: int
    description: str
    seed: int = 0
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def n_outputs(self) -> int:
        return self.n_classes

    @property
    def in_channels(self) -> int:
        return int(self.x_train.shape[1])

    def class_prior(self) -> np.ndarray:
        """Training frequency of the positive class (binary) or of each class (multi-class)."""
        y = self.y_train.numpy()
        if self.kind in ("binary", "binary_segmentation"):
            return np.array([float(y.mean())])
        if self.kind in ("multiclass", "multiclass_segmentation"):
            return np.bincount(y.reshape(-1), minlength=self.n_classes) / y.size
        fail("Task.class_prior", "a classification or segmentation", "task", f"kind {self.kind!r}")

    def summary(self) -> dict[str, Any]:
        """JSON-able description: name, kind, sizes, seed and statistics."""
        return {"name": self.name, "kind": self.kind, "description": self.description, "seed": self.seed,
                "n_train": int(self.x_train.shape[0]), "n_test": int(self.x_test.shape[0]),
                "input_shape": list(self.x_train.shape[1:]), "n_classes": self.n_classes,
                **{k: _jsonable(v) for k, v in self.info.items()}}


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    return v


# ------------------------------------------------------------------------------------------ lesions
def _lesion_images(n: int, size: int, rng: np.random.Generator, *, lesion_rate: float, classes: int,
                   contrast: tuple[float, float] = (2.5, 4.0), texture: float = 0.6
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Images ``(n, size, size)`` float32 and label maps ``(n, size, size)`` int64 (0 = background)."""
    from scipy.ndimage import gaussian_filter

    fine = gaussian_filter(rng.standard_normal((n, size, size)), sigma=(0, 1.5, 1.5), mode="wrap")
    coarse = gaussian_filter(rng.standard_normal((n, size, size)), sigma=(0, 6.0, 6.0), mode="wrap")
    img = texture * fine / fine.std() + 0.8 * coarse / coarse.std() + 0.3 * rng.standard_normal((n, size, size))
    labels = np.zeros((n, size, size), dtype=np.int64)
    yy, xx = np.mgrid[0:size, 0:size]
    has = rng.random(n) < lesion_rate
    for i in np.flatnonzero(has):
        for _ in range(1 + rng.binomial(2, 0.15)):
            r = rng.uniform(1.2, 2.4)
            cy, cx = rng.uniform(4, size - 4, size=2)
            d2 = (yy - cy) ** 2 + (xx - cx) ** 2
            blob = d2 <= r * r
            cls = 1 if classes == 1 else int(rng.integers(1, classes + 1))
            sign = 1.0 if cls == 1 else -1.0
            c = rng.uniform(*contrast)
            img[i] += sign * c * np.exp(-d2 / (2 * (0.9 * r) ** 2))
            labels[i][blob] = cls
    img = (img - img.mean()) / img.std()
    return img.astype(np.float32), labels


def _check_lesion_options(fn: str, n_train: Any, n_test: Any, size: Any, lesion_rate: Any) -> None:
    for name, value, low in (("n_train", n_train, 1), ("n_test", n_test, 1), ("size", size, 9)):
        if check_index(fn, name, value) < low:  # size: lesion centres are drawn in [4, size − 4)
            fail(fn, f"`{name}`", f">= {low}", value)
    check_number(fn, "lesion_rate", lesion_rate, low=0, high=1)


def make_lesions(seed: int = 0, *, n_train: int = 400, n_test: int = 200, size: int = 64,
                 lesion_rate: float = 0.35) -> Task:
    """Binary lesion segmentation: about 0.1 % foreground (1:1000), about 65 % empty images.

    Each image is a textured background (smoothed noise at two scales plus pixel noise, about unit standard
    deviation); with probability ``lesion_rate`` it carries 1 to 3 small round lesions (radius 1.2–2.4 px,
    so 5–21 px each) whose peak contrast (2.5–4 texture standard deviations) is comparable to the
    brightest spots of the texture, so single pixels are ambiguous and the shape must be used.
    Stated tolerances for the defaults (any seed): foreground fraction in [0.05 %, 0.2 %], empty fraction
    in [0.5, 0.8] on each split.
    """
    _check_lesion_options("make_lesions", n_train, n_test, size, lesion_rate)
    rng = np.random.default_rng([seed, 101])
    x, lab = _lesion_images(n_train + n_test, size, rng, lesion_rate=lesion_rate, classes=1)
    x_t = torch.from_numpy(x[:, None])
    y_t = torch.from_numpy((lab[:, None] > 0).astype(np.float32))
    task = Task("lesions", "binary_segmentation", x_t[:n_train], y_t[:n_train], x_t[n_train:], y_t[n_train:],
                1, f"binary segmentation of faint {size}x{size} lesions, ~0.1 % foreground, ~65 % empty images",
                seed)
    task.info.update(_seg_info(task))
    return task


def make_lesions_multiclass(seed: int = 0, *, n_train: int = 400, n_test: int = 200, size: int = 64,
                            lesion_rate: float = 0.35) -> Task:
    """Three-class lesion segmentation: background, bright lesions (1) and dark lesions (2).

    Same generator as :func:`make_lesions`; each lesion is bright or dark with equal probability, so each
    lesion class covers about 0.05 % of the pixels. Targets are int64 index maps ``(N, H, W)``.
    """
    _check_lesion_options("make_lesions_multiclass", n_train, n_test, size, lesion_rate)
    rng = np.random.default_rng([seed, 202])
    x, lab = _lesion_images(n_train + n_test, size, rng, lesion_rate=lesion_rate, classes=2)
    x_t = torch.from_numpy(x[:, None])
    y_t = torch.from_numpy(lab)
    task = Task("lesions-multiclass", "multiclass_segmentation", x_t[:n_train], y_t[:n_train], x_t[n_train:],
                y_t[n_train:], 3, f"3-class segmentation (background, bright, dark lesions), {size}x{size}, "
                "~0.1 % foreground", seed)
    task.info.update(_seg_info(task))
    return task


def _seg_info(task: Task) -> dict[str, Any]:
    info: dict[str, Any] = {}
    for split, y in (("train", task.y_train), ("test", task.y_test)):
        fg = (y > 0).reshape(y.shape[0], -1)
        info[f"foreground_fraction_{split}"] = float(fg.float().mean())
        info[f"empty_fraction_{split}"] = float((~fg.any(dim=1)).float().mean())
    return info


# ------------------------------------------------------------------------------------------ digits
def _check_seed(fn: str, name: str, seed: Any) -> int:
    """A data seed: an int in [0, 2**32 − 1], what NumPy and scikit-learn accept."""
    seed = check_index(fn, name, seed, low=0)
    if seed >= 2**32:
        fail(fn, f"`{name}`", "<= 2**32 - 1", seed)
    return seed


def _split(n: int, test_fraction: float, seed: int, stratify: np.ndarray | None,
           fn: str = "make_task") -> tuple[np.ndarray, np.ndarray]:
    """Sorted train and test indices, stratified on the class indices ``stratify`` where the classes allow it.

    Classes with a single sample share one stratum (or join the largest class when there is only one such
    sample); a split too small to hold a sample of every stratum is drawn without stratification.
    """
    from sklearn.model_selection import train_test_split

    test_fraction = check_number(fn, "test_fraction", test_fraction, low=0, high=1, low_open=True,
                                 high_open=True)
    seed = _check_seed(fn, "seed", seed)
    idx = np.arange(n)
    if stratify is not None:
        counts = np.bincount(stratify)
        rare = counts[stratify] < 2
        if rare.any():
            stratify = np.where(rare, len(counts) if rare.sum() > 1 else counts.argmax(), stratify)
    try:
        tr, te = train_test_split(idx, test_size=test_fraction, random_state=seed, stratify=stratify)
    except ValueError:  # fewer test (or training) samples than strata
        tr, te = train_test_split(idx, test_size=test_fraction, random_state=seed)
    return np.sort(tr), np.sort(te)


def _standardise(x: np.ndarray, tr: np.ndarray) -> np.ndarray:
    mu = x[tr].mean(axis=0)
    sd = x[tr].std(axis=0)
    return ((x - mu) / np.where(sd > 0, sd, 1.0)).astype(np.float32)


def make_digits(seed: int = 0, *, test_fraction: float = 0.3) -> Task:
    """scikit-learn's handwritten digits: 1797 real 8×8 images as 64 standardised features, 10 classes."""
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    tr, te = _split(len(y), test_fraction, seed, y)
    x = _standardise(x.astype(np.float64), tr)
    y = y.astype(np.int64)
    task = Task("digits", "multiclass", torch.from_numpy(x[tr]), torch.from_numpy(y[tr]), torch.from_numpy(x[te]),
                torch.from_numpy(y[te]), 10, "scikit-learn digits: 10 balanced classes, 64 pixel features", seed)
    task.info["class_counts_train"] = np.bincount(y[tr], minlength=10).tolist()
    return task


def make_digits_imbalanced(seed: int = 0, *, digit: int = 8, test_fraction: float = 0.3) -> Task:
    """One digit (default 8) against the other nine: binary, about 10 % positives (1:9)."""
    from sklearn.datasets import load_digits

    if not 0 <= check_index("make_digits_imbalanced", "digit", digit) <= 9:
        fail("make_digits_imbalanced", "`digit` in", "0..9", digit)
    x, y = load_digits(return_X_y=True)
    yb = (y == digit).astype(np.int64)
    tr, te = _split(len(y), test_fraction, seed, yb)
    x = _standardise(x.astype(np.float64), tr)
    yf = yb.astype(np.float32)[:, None]
    task = Task("digits-imbalanced", "binary", torch.from_numpy(x[tr]), torch.from_numpy(yf[tr]),
                torch.from_numpy(x[te]), torch.from_numpy(yf[te]), 1,
                f"scikit-learn digits: digit {digit} against the rest (~1:9)", seed)
    task.info["positive_fraction_train"] = float(yf[tr].mean())
    task.info["digit"] = digit
    return task


# ------------------------------------------------------------------------------------------ outliers
def make_outliers(seed: int = 0, *, outlier_fraction: float = 0.1, test_fraction: float = 0.3) -> Task:
    """scikit-learn's diabetes regression with gross outliers in the training targets only.

    Targets are standardised with the clean training statistics; then ``outlier_fraction`` of the
    training targets get ``± U(8, 12)`` standard deviations added (random sign). Test targets are clean.
    Metrics are reported in the original units (``info["y_mean"]``, ``info["y_std"]``).
    """
    from sklearn.datasets import load_diabetes

    outlier_fraction = check_number("make_outliers", "outlier_fraction", outlier_fraction, low=0, high=1)
    x, y = load_diabetes(return_X_y=True)
    tr, te = _split(len(y), test_fraction, seed, None)
    x = _standardise(x, tr)
    mu, sd = float(y[tr].mean()), float(y[tr].std())
    ys = (y - mu) / sd
    rng = np.random.default_rng([seed, 303])
    y_train = ys[tr].copy()
    bad = rng.choice(len(tr), size=int(round(outlier_fraction * len(tr))), replace=False)
    y_train[bad] += rng.choice([-1.0, 1.0], size=len(bad)) * rng.uniform(8, 12, size=len(bad))
    task = Task("outliers", "regression", torch.from_numpy(x[tr]), torch.from_numpy(y_train.astype(np.float32)[:, None]),
                torch.from_numpy(x[te]), torch.from_numpy(ys[te].astype(np.float32)[:, None]), 1,
                f"scikit-learn diabetes regression, {outlier_fraction:.0%} gross outliers in the training targets, "
                "clean test targets", seed)
    task.info.update(y_mean=mu, y_std=sd, n_outliers_train=len(bad))
    return task


BUILTIN = {
    "lesions": make_lesions,
    "lesions-multiclass": make_lesions_multiclass,
    "digits": make_digits,
    "digits-imbalanced": make_digits_imbalanced,
    "outliers": make_outliers,
}


def make_task(name: str, seed: int = 0, **options: Any) -> Task:
    """The built-in task ``name`` generated from ``seed`` (same seed → same data).

    ``options`` go to the generator (``make_lesions(n_train=..., size=...)``, ``make_outliers(outlier_fraction=...)``,
    ``make_digits_imbalanced(digit=...)``).

    Example:
        >>> from losslab.compare import make_task
        >>> t = make_task("lesions", 0)
        >>> tuple(t.x_train.shape), round(t.info["foreground_fraction_train"], 4)
        ((400, 1, 64, 64), 0.0011)
    """
    if name not in BUILTIN:
        fail("make_task", "a built-in task, one of", tuple(BUILTIN), repr(name))
    return BUILTIN[name](seed, **options)


# ------------------------------------------------------------------------------------------ user data
_IMAGE_EXT = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".gif")
_HIGH_DEPTH = ("I", "I;16", "I;16L", "I;16B", "I;16N", "F")  # 16-bit, 32-bit and float images: read as floats
#: The most distinct integer labels (or mask values) read as classes; more integer labels make a regression.
MAX_CLASSES = 50


def load_data(path: str | Path, *, target: str | None = None, masks: str | Path | None = None,
              kind: str | None = None, test_fraction: float = 0.25, seed: int = 0,
              size: int | None = None) -> Task:
    """A :class:`Task` from the user's data, split into train/test with ``seed``.

    Args:
        path: a folder of images (with ``masks/`` beside ``images/`` inside it, or ``masks=``), an ``.npz``
            with ``X`` and ``y``, or a ``.csv``/``.parquet`` file (then ``target`` names the label column).
        target: the label column of a CSV/Parquet file.
        masks: folder of masks with the same file stems as the images (default ``path/masks``).
        kind: force the task kind (one of ``KINDS``); inferred from the labels otherwise: non-integer numbers →
            regression, two distinct values (numbers, strings or booleans) → binary, up to ``MAX_CLASSES``
            (50) integer values or any number of strings → multi-class, more integer values → regression;
            images → segmentation (binary if the masks hold two values). Labels and mask values become class
            indices in sorted order; ``info["classes"]`` lists the original value of each class.
        test_fraction: held-out share (stratified for classification).
        size: resize images and masks to ``size × size`` (needed when their sizes differ).

    Example:
        >>> import tempfile, pathlib
        >>> import numpy as np
        >>> from losslab.compare import load_data
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "data.npz"
        >>> x = np.random.default_rng(0).normal(size=(40, 3))
        >>> np.savez(path, X=x, y=np.where(x[:, 0] > 0, 1, -1))
        >>> t = load_data(path)
        >>> t.kind, t.x_train.shape[0], t.x_test.shape[0], t.info["classes"]
        ('binary', 30, 10, [-1, 1])
    """
    fn = "load_data"
    p = Path(path)
    if not p.exists():
        fail(fn, "an existing file or", "folder", str(p))
    if kind is not None and kind not in KINDS:
        fail(fn, "`kind` one of", KINDS, repr(kind))
    check_number(fn, "test_fraction", test_fraction, low=0, high=1, low_open=True, high_open=True)
    _check_seed(fn, "seed", seed)
    size = check_index(fn, "size", size, allow_none=True, low=1)
    colours = False
    if p.is_dir():
        _unused(fn, "an image folder", target=target)
        x, y, colours = _read_image_folder(p, masks, size)
        name = p.name
    elif p.suffix.lower() == ".npz":
        _unused(fn, "an .npz file", target=target, masks=masks, size=size)
        x, y = _read_npz(p)
        name = p.stem
    elif p.suffix.lower() in (".csv", ".parquet", ".pq"):
        _unused(fn, "a table", masks=masks, size=size)
        if not target:
            fail(fn, "the label column (target=, --target on the command line) for a", "table", "none")
        x, y = _read_table(p, target)
        name = p.stem
    else:
        fail(fn, "a folder of images, an .npz file or a .csv/.parquet", "file", p.name)
    return _make_user_task(name, x, y, kind=kind, test_fraction=test_fraction, seed=seed, mask_colours=colours)


def _unused(fn: str, what: str, **options: Any) -> None:
    """Fail on options given for data they do not apply to (they would be ignored without a word)."""
    given = {k: v for k, v in options.items() if v is not None}
    if given:
        fail(fn, f"no {', '.join(f'{k}=' for k in given)} for", what,
             ", ".join(f"{k}={v!r}" for k, v in given.items()))


def _read_npz(p: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        with np.load(p, allow_pickle=False) as z:
            missing = [k for k in ("X", "y") if k not in z.files]
            if missing:
                fail("load_data", "arrays X and y in", p.name, f"arrays {z.files}")
            return np.asarray(z["X"]), np.asarray(z["y"])
    except (OSError, EOFError) as exc:  # zip/format errors
        fail("load_data", "a readable .npz file,", p.name, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    except Exception as exc:  # zipfile.BadZipFile and friends
        if isinstance(exc, ValueError) and str(exc).startswith("load_data"):
            raise
        fail("load_data", "a readable .npz file,", p.name, f"{type(exc).__name__} {str(exc).splitlines()[0] if str(exc) else ''}".strip())


def _read_table(p: Path, target: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        if p.suffix.lower() == ".csv":
            from pyarrow import csv

            table = csv.read_csv(p)
        else:
            from pyarrow import parquet

            table = parquet.read_table(p)
    except Exception as exc:  # pyarrow raises its own error classes
        fail("load_data", "a readable table in", p.name, str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    if table.num_rows == 0:
        fail("load_data", "data rows in", p.name, "none (a header only)")
    if target not in table.column_names:
        fail("load_data", "--target one of the columns", table.column_names, repr(target))
    features = [c for c in table.column_names if c != target]
    if not features:
        fail("load_data", "at least one feature column besides the", "target", "none")
    cols = []
    import pyarrow.types as pt

    for c in features:
        col = table.column(c)
        if not (pt.is_integer(col.type) or pt.is_floating(col.type) or pt.is_boolean(col.type)):
            fail("load_data", "numeric feature columns (encode categories", "first)",
                 f"column {c!r} of type {col.type}")
        if col.null_count:
            fail("load_data", "no missing values in the", "features", f"{col.null_count} in column {c!r}")
        cols.append(col.to_numpy(zero_copy_only=False).astype(np.float64))
    ycol = table.column(target)
    if ycol.null_count:
        fail("load_data", "no missing target", "values", f"{ycol.null_count} in column {target!r}")
    return np.stack(cols, axis=1), ycol.to_numpy(zero_copy_only=False)


def _files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The files of ``folder`` with one of ``suffixes``; hidden ones (``.x``, macOS ``._x``) are skipped."""
    return sorted(f for f in folder.iterdir()
                  if f.suffix.lower() in suffixes and not f.name.startswith(".") and f.is_file())


def _read_image_folder(p: Path, masks: str | Path | None, size: int | None) -> tuple[np.ndarray, np.ndarray, bool]:
    """Images ``(N, C, H, W)`` (pixel values as stored: 8-bit, 16-bit or float), masks ``(N, H, W)`` and
    whether the masks are colour codes ``0xRRGGBB``."""
    from PIL import Image

    img_dir = p / "images" if (p / "images").is_dir() else p
    mask_dir = Path(masks) if masks is not None else p / "masks"
    if not mask_dir.is_dir():
        fail("load_data", "a folder of masks (a masks/ folder beside images/, or --masks", "DIR)",
             f"no folder {mask_dir}")
    imgs = _files(img_dir, _IMAGE_EXT)
    if not imgs:
        fail("load_data", f"image files ({', '.join(_IMAGE_EXT)}) in", img_dir, "none")
    by_stem = {f.stem: f for f in _files(mask_dir, _IMAGE_EXT + (".npy",))}
    missing = [f.name for f in imgs if f.stem not in by_stem]
    if missing:
        fail("load_data", f"a mask in {mask_dir} for every", "image",
             f"{len(missing)} without one (e.g. {missing[0]})")
    xs, ys = [], []
    colour = None
    for f in imgs:
        mf = by_stem[f.stem]
        try:
            with Image.open(f) as im:
                if colour is None:
                    colour = im.mode not in _HIGH_DEPTH and _is_colour(im)
                im = im.convert("F" if im.mode in _HIGH_DEPTH else "RGB" if colour else "L")
                if size is not None:
                    im = im.resize((size, size), Image.BILINEAR)
                a = np.asarray(im, dtype=np.float32)
            mk = _read_mask(mf)
        except (OSError, ValueError, EOFError) as exc:
            fail("load_data", "readable images and", "masks", f"{f.name} or {mf.name}: {str(exc).splitlines()[0]}")
        if mk.ndim == 3 and mk.shape[-1] == 1:
            mk = mk[..., 0]
        if mk.ndim != 2 and mk.shape[2:] != (3,):
            fail("load_data", "masks of shape (H, W), or (H, W, 3) colours, like", "images", f"{mf.name} {mk.shape}")
        if size is not None:
            mk = _nearest(mk, size)
        if a.shape[:2] != mk.shape[:2]:
            fail("load_data", "each mask the size of its", "image", f"{f.name} {a.shape[:2]} vs {mk.shape[:2]}")
        xs.append(a if a.ndim == 3 else a[..., None])
        ys.append(mk)
    shapes = {x.shape for x in xs}
    if len(shapes) > 1:
        fail("load_data", "images of one size (or --size N to resize),", "sizes",
             sorted({s[:2] for s in shapes})[:3])
    x = np.stack(xs).transpose(0, 3, 1, 2)
    rgb = [m for m in ys if m.ndim == 3]
    if rgb and all(np.array_equal(m[..., 0], m[..., 1]) and np.array_equal(m[..., 0], m[..., 2]) for m in rgb):
        ys = [m[..., 0] if m.ndim == 3 else m for m in ys]  # grey masks saved as RGB
    elif rgb:
        if len(rgb) < len(ys):
            fail("load_data", "masks of one kind (all RGB colour-coded, or all", "single-channel)",
                 f"{len(rgb)} colour and {len(ys) - len(rgb)} single-channel masks")
        c = np.stack(ys).astype(np.int64)
        return x, (c[..., 0] << 16) | (c[..., 1] << 8) | c[..., 2], True
    return x, np.stack(ys), False


def _read_mask(path: Path) -> np.ndarray:
    """A mask as stored: ``.npy`` values, palette indices (mode P), grey levels, 16-bit values, or RGB colours
    ``(H, W, 3)`` (alpha dropped)."""
    from PIL import Image

    if path.suffix.lower() == ".npy":
        return np.load(path, allow_pickle=False)
    with Image.open(path) as im:
        if im.mode in ("LA", "PA"):
            return np.asarray(im)[..., 0]
        return np.asarray(im.convert("RGB")) if im.mode not in ("1", "L", "P") + _HIGH_DEPTH else np.asarray(im)


def _nearest(a: np.ndarray, size: int) -> np.ndarray:
    """``a`` (H, W, ...) resized to ``size × size`` by nearest neighbour (any dtype: labels stay labels)."""
    rows = ((np.arange(size) + 0.5) * a.shape[0] / size).astype(np.int64)
    cols = ((np.arange(size) + 0.5) * a.shape[1] / size).astype(np.int64)
    return a[rows][:, cols]


def _is_colour(im) -> bool:
    a = np.asarray(im.convert("RGB"), dtype=np.int16)
    return bool(np.abs(a[..., 0] - a[..., 1]).max() > 0 or np.abs(a[..., 1] - a[..., 2]).max() > 0)


def _is_segmentation(fn: str, x: np.ndarray, y: np.ndarray) -> bool:
    """Images with one mask each: ``X (N, H, W)`` or ``(N, C, H, W)`` and ``y (N, H, W)``."""
    if x.ndim == 4 and y.ndim == 3 and x.shape[1:3] == y.shape[1:] and x.shape[-2:] != y.shape[-2:]:
        fail(fn, "images X (N, C, H, W), channels first, for masks", "(N, H, W)",
             f"X {x.shape} (channels last?) and y {y.shape}")
    return x.ndim >= 3 and y.ndim >= 2 and y.shape[-2:] == x.shape[-2:]


def _label_kind(y: np.ndarray) -> str:
    """``binary`` for two distinct labels, ``multiclass`` for strings or up to ``MAX_CLASSES`` integers (one
    value too: an error follows), ``regression`` for other numbers."""
    if y.dtype.kind not in "OUSb":
        yf = y.astype(np.float64)
        if not (np.all(np.isfinite(yf)) and np.all(yf == np.round(yf))) or len(np.unique(yf)) > MAX_CLASSES:
            return "regression"
    return "binary" if len(np.unique(y)) == 2 else "multiclass"


def _class_names(values: np.ndarray, colours: bool = False) -> list[Any]:
    """The original label (or mask value) of each class index, JSON-able; mask colours as ``"#rrggbb"``."""
    return [f"#{int(v):06x}" if colours else v.item() if hasattr(v, "item") else v for v in values]


def _describe(name: str, kind: str, classes: list[Any], test_labels: np.ndarray) -> str:
    """``user data NAME (binary; 2 classes from values -1→0, 1→1)``: the kind, how values became classes and
    which classes the test split lacks (their metrics are n/a)."""
    pairs = ", ".join(f"{v}→{i}" for i, v in enumerate(classes[:10])) + (", …" if len(classes) > 10 else "")
    absent = sorted(set(range(len(classes))) - set(np.unique(test_labels).tolist()))
    note = f"; the test split lacks class {', '.join(map(str, absent))}: n/a in its metrics" if absent else ""
    return f"user data {name} ({kind}; {len(classes)} classes from values {pairs}{note})"


def _make_user_task(name: str, x: np.ndarray, y: np.ndarray, *, kind: str | None, test_fraction: float,
                    seed: int, mask_colours: bool = False, fn: str = "load_data") -> Task:
    if x.shape[0] != y.shape[0]:
        fail(fn, "as many samples in X as in", "y", f"{x.shape[0]} and {y.shape[0]}")
    if x.shape[0] < 8:
        fail(fn, "at least 8", "samples", x.shape[0])
    if x.dtype.kind not in "fiub":
        fail(fn, "numeric features", "X", f"dtype {x.dtype}")
    x = x.astype(np.float64)
    if not np.all(np.isfinite(x)):
        fail(fn, "finite features (no NaN or", "inf)", f"{int((~np.isfinite(x)).sum())} non-finite values")
    n = x.shape[0]
    if kind in SEGMENTATION or (kind is None and _is_segmentation(fn, x, y)):
        return _segmentation_task(name, x, y, kind, test_fraction, seed, mask_colours, fn)
    if x.ndim == 1:
        x = x[:, None]
    x = x.reshape(n, -1)
    if y.ndim > 1 and not (y.ndim == 2 and y.shape[1] == 1):
        fail(fn, "one label per sample, y of shape", "(N,)", y.shape)
    y = y.reshape(n)
    kind = kind or _label_kind(y)
    info: dict[str, Any] = {"source": name}
    if kind == "regression":
        if y.dtype.kind not in "fiub":
            fail(fn, "numeric targets for", "regression", f"dtype {y.dtype}")
        yf = y.astype(np.float64)
        if not np.all(np.isfinite(yf)):
            fail(fn, "finite", "targets", f"{int((~np.isfinite(yf)).sum())} non-finite values")
        tr, te = _split(n, test_fraction, seed, None, fn)
        mu, sd = float(yf[tr].mean()), float(yf[tr].std())
        if sd == 0:
            fail(fn, "a non-constant target for", "regression", f"every training value {yf[tr][0]:g}")
        ys = ((yf - mu) / sd).astype(np.float32)[:, None]
        xs = _standardise(x, tr)
        info.update(y_mean=mu, y_std=sd)
        return Task(name, kind, torch.from_numpy(xs[tr]), torch.from_numpy(ys[tr]), torch.from_numpy(xs[te]),
                    torch.from_numpy(ys[te]), 1, f"user data {name} (regression)", seed, info)
    classes, yi = np.unique(y, return_inverse=True)
    yi = yi.reshape(n)
    if len(classes) < 2:
        fail(fn, "at least two classes in the", "labels", f"only {_class_names(classes)}")
    if kind == "binary" and len(classes) != 2:
        fail(fn, "exactly two classes for a binary", "task", len(classes))
    if y.dtype.kind in "fiu":
        if not np.all(classes == np.round(classes)):
            fail(fn, f"integer or categorical labels for {kind}", "classification",
                 f"non-integer values such as {classes[classes != np.round(classes)][0]:g}")
        if len(classes) > max(MAX_CLASSES, n // 2):
            fail(fn, f"at most max({MAX_CLASSES}, N/2) classes for", kind,
                 f"{len(classes)} distinct values in {n} samples (a continuous target? use regression)")
    tr, te = _split(n, test_fraction, seed, yi, fn)
    xs = _standardise(x, tr)
    info["classes"] = _class_names(classes)
    if kind == "binary":
        yt = torch.from_numpy(yi.astype(np.float32)[:, None])
        n_classes = 1
    else:
        yt = torch.from_numpy(yi.astype(np.int64))
        n_classes = len(classes)
    xt = torch.from_numpy(xs)
    description = _describe(name, kind, info["classes"], yi[te])
    return Task(name, kind, xt[tr], yt[tr], xt[te], yt[te], n_classes, description, seed, info)


def _segmentation_task(name: str, x: np.ndarray, y: np.ndarray, kind: str | None, test_fraction: float, seed: int,
                       colours: bool, fn: str) -> Task:
    """Mask values become class indices in sorted order (two values: binary, the lower one background)."""
    if x.ndim == 3:
        x = x[:, None]
    if x.ndim != 4 or y.ndim not in (3, 4):
        fail(fn, "images X (N, H, W) or (N, C, H, W) with masks y", "(N, H, W)", f"{x.shape} and {y.shape}")
    if y.ndim == 4:
        if y.shape[1] != 1:
            fail(fn, "masks (N, H, W) or (N, 1, H,", "W)", y.shape)
        y = y[:, 0]
    if y.shape[-2:] != x.shape[-2:]:
        fail(fn, "masks the size of the", "images", f"{y.shape[-2:]} and {x.shape[-2:]}")
    if y.dtype.kind not in "biuf":
        fail(fn, "numeric class labels in the", "masks", f"dtype {y.dtype}")
    if y.dtype.kind == "f" and not np.all(y == np.round(y)):
        fail(fn, "integer class labels in the", "masks", "non-integer values")
    values, yi = np.unique(y, return_inverse=True)
    yi = yi.reshape(y.shape)
    classes = _class_names(values, colours)
    n = x.shape[0]
    if len(values) < 2:
        fail(fn, "masks with a background and at least one foreground", "value", f"only {classes[0]} in {n} masks")
    if len(values) > MAX_CLASSES and kind is None:
        fail(fn, f"at most {MAX_CLASSES} distinct mask values (lossy JPEG masks and continuous maps have more;",
             "--kind multiclass_segmentation if they are classes)", f"{len(values)} values")
    # compare has no ignored pixels: a void value would silently become a class
    if values[0] < 0:
        fail(fn, "mask values >= 0 (a negative value usually marks ignored pixels, which compare does not",
             "support)", f"{values[0]:g}")
    if not colours and len(values) > 2 and values[-1] == 255 and \
            np.array_equal(values[:-1], np.arange(len(values) - 1)):
        fail(fn, "masks without a void label (compare has no ignored pixels):", "class values only",
             f"255 beside classes 0..{len(values) - 2} (Pascal VOC's border value; relabel those pixels)")
    kind = kind or ("binary_segmentation" if len(values) == 2 else "multiclass_segmentation")
    if kind == "binary_segmentation" and len(values) != 2:
        fail(fn, "two mask values (background, foreground) for", "binary segmentation",
             f"{len(values)} values {classes[:10]}")
    tr, te = _split(n, test_fraction, seed, None, fn)
    mu, sd = x[tr].mean(), x[tr].std()
    x = ((x - mu) / (sd if sd > 0 else 1.0)).astype(np.float32)
    if kind == "binary_segmentation":
        yt = torch.from_numpy(yi[:, None].astype(np.float32))
        n_classes = 1
    else:
        yt = torch.from_numpy(yi.astype(np.int64))
        n_classes = len(values)
    xt = torch.from_numpy(x)
    description = _describe(name, kind, classes, yi[te])
    task = Task(name, kind, xt[tr], yt[tr], xt[te], yt[te], n_classes, description, seed,
                {"source": name, "classes": classes})
    task.info.update(_seg_info(task))
    return task
