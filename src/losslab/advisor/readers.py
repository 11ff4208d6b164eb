"""Readers: turn what the user has (arrays, columns, files, folders) into a stream of NumPy chunks.

A :class:`Source` yields NumPy arrays whose first axis is the sample axis (rows of a table, images of a
mask stack). Nothing here imports torch; pyarrow, Pillow and nibabel are imported when first needed,
with a message naming the extra that provides them.

Formats (``open_path``):

================================  ==========================================================================
``.csv``, ``.tsv``                pyarrow's streaming CSV reader, block by block (see below)
``.parquet``, ``.pq``             ``pyarrow.parquet.ParquetFile.iter_batches`` (record batches)
``.npy``                          ``np.load(mmap_mode="r")``, streamed in chunks of rows
``.npz``                          uncompressed members are memory-mapped in place; compressed members are
                                  decompressed into memory (NumPy cannot map them)
``.png``, ``.tif(f)``, ``.bmp``   one mask (a multi-page TIFF: one ``(F, H, W)`` volume of its frames); a folder
                                  of them (recursive, sorted, hidden files and folders skipped) is a mask stack
``.nii``, ``.nii.gz``             one label volume (nibabel, ``medical`` extra); a folder of them too
================================  ==========================================================================

CSV files: a header without a comma selects ``;``, tab or ``|`` as the delimiter (the most frequent);
empty cells and pyarrow's null markers (``NA``, ``N/A``, ``NaN``, ``nan``, ``null``, ``NULL``, ``#N/A``, …;
not ``None``) are missing values, which are an error; a target column whose first block holds integers is
read as text and converted block by block (``int64``, exact; ``float64`` for a block with decimals).
Column names match exactly, else ignoring case and surrounding spaces (two such matches are an error);
duplicate column names (a file without a header row?) are an error.

A folder holding a subfolder named like a mask folder (``MASK_FOLDERS``: ``masks``, ``labels``, ``gt``,
``annotations``, ``SegmentationClass``, …) beside other images (the inputs) is read from that subfolder
only, with a note.

A pandas ``Categorical`` brings its categories as the class list (in their order; unused ones are
reported as absent).

Bad input raises precise exceptions (``FileNotFoundError``, ``ValueError``, ``TypeError``) whose message
names the file, the column or the image; the CLI prints them as one line.
"""

from __future__ import annotations

import numbers
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._checks import fail

__all__ = ["Source", "open_path", "as_source", "IMAGE_SUFFIXES", "NIFTI_SUFFIXES", "TARGET_NAMES", "MASK_FOLDERS"]

FN = "advise"
CHUNK_ELEMENTS = 1 << 24          # about 16 M labels per chunk of a memory-mapped array
IMAGE_BATCH = 64                  # masks decoded per chunk of an image folder
CSV_BLOCK = 1 << 22               # bytes per block of a CSV file (pyarrow types columns from the first block)
IMAGE_SUFFIXES = (".png", ".tif", ".tiff", ".bmp")
NIFTI_SUFFIXES = (".nii", ".nii.gz")
TABLE_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq")
ARRAY_SUFFIXES = (".npy", ".npz")
# Column / array names taken as the target when none is given and the file has several.
TARGET_NAMES = ("target", "targets", "label", "labels", "y", "class", "mask", "masks")
# Subfolders (case-insensitive) read alone when a folder also holds other images (the inputs).
MASK_FOLDERS = ("masks", "mask", "labels", "label", "gt", "groundtruth", "ground_truth", "annotations",
                "segmentationclass")
# Delimiters tried, in this order on ties, when a CSV header line has no comma.
CSV_DELIMITERS = (";", "\t", "|")
# How a CSV's missing values are described (pyarrow's default null markers, strings included).
CSV_MISSING = "empty cells or null markers such as NA, N/A, NaN, null"
_MASK_MODES = ("1", "L", "P", "I", "F", "I;16", "I;16L", "I;16B", "I;16N", "LA", "RGB", "RGBA", "PA")


@dataclass
class Source:
    """A re-readable stream of NumPy chunks (first axis = samples) and what is known about it."""

    name: str
    chunks: Callable[[], Iterator[np.ndarray]]
    total: int | None = None          # number of samples, when known before reading
    unit: str = "rows"                # rows | images | volumes
    notes: list[str] = field(default_factory=list)
    classes: list[Any] | None = None  # the class list the data declares (a pandas Categorical's categories)


def _need(module: str, extra: str, what: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"{FN}: reading {what} needs {module.split('.')[0]}: "
                          f"pip install 'losslab[{extra}]'") from None


# ------------------------------------------------------------------------------------------ in memory
def as_source(data: Any, *, column: str | Sequence[str] | None = None) -> Source:
    """A :class:`Source` for ``data``: a path, array, tensor, pandas/pyarrow column or table, list, or an
    iterable of array chunks (samples along the first axis of each chunk)."""
    if isinstance(data, Source):
        return data
    if isinstance(data, (str, os.PathLike)):
        return open_path(data, column=column)
    mod = type(data).__module__.split(".")[0]
    if mod == "torch":
        arr = _tensor_numpy(data) if hasattr(data, "detach") else np.asarray(data)
        return _array_source(arr, "tensor")
    if mod == "pandas":
        return _pandas_source(data, column)
    if mod == "pyarrow":
        return _arrow_source(data, column)
    if isinstance(data, np.ndarray):
        return _array_source(data, "array")
    if isinstance(data, (list, tuple)):
        return _sequence_source(data)
    if isinstance(data, (dict, set, frozenset, bytes, bytearray)) or np.isscalar(data):
        raise TypeError(f"{FN}: expected targets as an array, tensor, column, list, path or iterable of "
                        f"arrays, got {type(data).__name__}")
    if isinstance(data, Iterable):
        return _iterable_source(data)
    raise TypeError(f"{FN}: expected targets as an array, tensor, column, list, path or iterable of arrays, "
                    f"got {type(data).__name__}")


def _sequence_source(data: Sequence[Any]) -> Source:
    """A list of labels or of equal-shape arrays (one stack), or of masks of varying size (2 or more
    dimensions each, the same number: one chunk per run of equal shape)."""
    if len(data) > 1 and not (np.isscalar(data[0]) or data[0] is None):
        items = [_to_numpy(x) if not np.isscalar(x) and x is not None else x for x in data]
        shapes = {np.shape(x) for x in items}
        ndims = {len(shape) for shape in shapes}
        if len(shapes) > 1 and len(ndims) == 1 and min(ndims) >= 2 and all(isinstance(x, np.ndarray) for x in items):
            return Source(f"list of {len(items)} masks of {len(shapes)} shapes", lambda: _stack_runs(items),
                          total=len(items))
        data = items  # converted once
    return _array_source(_from_sequence(data), "list")


def _stack_runs(arrays: Sequence[np.ndarray]) -> Iterator[np.ndarray]:
    """Consecutive arrays of one shape stacked into one chunk (dtypes promoted): masks of varying size."""
    i = 0
    while i < len(arrays):
        j = i + 1
        while j < len(arrays) and arrays[j].shape == arrays[i].shape:
            j += 1
        run = arrays[i:j]
        dtypes = {a.dtype for a in run}
        out = np.empty((len(run), *run[0].shape), dtype=np.result_type(*dtypes) if len(dtypes) > 1 else run[0].dtype)
        for k, a in enumerate(run):
            out[k] = a
        yield out
        i = j


def _from_sequence(data: Sequence[Any]) -> np.ndarray:
    if len(data) and (np.isscalar(data[0]) or data[0] is None):  # a flat list of labels: one NumPy call
        try:
            arr = np.asarray(data)
        except (ValueError, TypeError):
            pass  # ragged: fall through for a precise message
        else:  # NumPy turns numbers among text into text: keep them apart (the profile reports the mix)
            mixed = arr.dtype.kind == "U" and not all(isinstance(v, str) for v in data)
            return np.asarray(data, dtype=object) if mixed else arr
    items = [_to_numpy(x) if not np.isscalar(x) and x is not None else x for x in data]
    shapes = {np.shape(x) for x in items}
    if len(shapes) > 1:
        shown = sorted(shapes, key=str)[:3]
        raise ValueError(f"{FN}: expected every item with one shape, got mixed shapes {shown}")
    if any(x is None for x in items):
        n = sum(x is None for x in items)
        raise ValueError(f"{FN}: expected targets free of missing values, got {n} None value(s)")
    try:
        return np.asarray(items)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{FN}: expected a rectangular list of labels, got {exc}") from None


def _tensor_numpy(x: Any) -> np.ndarray:
    """A torch tensor's values; dtypes NumPy lacks (bfloat16, float8) as float32, which holds them exactly."""
    if getattr(x, "is_meta", False):
        fail(FN, "`target` to be", "a tensor with values", "a tensor on the 'meta' device (shape only)")
    x = x.detach().cpu()
    try:
        return x.numpy()
    except TypeError:
        if x.is_floating_point():
            return x.float().numpy()
        fail(FN, "`target` tensor dtype to be", "numeric or bool (one NumPy has)", x.dtype, TypeError)


def _to_numpy(x: Any) -> np.ndarray:
    mod = type(x).__module__.split(".")[0]
    if mod == "torch":
        return _tensor_numpy(x)
    if mod == "pandas":
        return _pandas_values(x, getattr(x, "name", "column"))
    if mod == "pyarrow":
        return _arrow_values(x, "column")
    return np.asarray(x)


def _array_source(arr: np.ndarray, what: str) -> Source:
    if arr.ndim == 0:
        raise ValueError(f"{FN}: expected an array of labels with at least one dimension, got a scalar")
    rows = max(1, CHUNK_ELEMENTS // max(1, int(np.prod(arr.shape[1:]))))
    n = arr.shape[0]

    def chunks() -> Iterator[np.ndarray]:
        for i in range(0, n, rows):
            yield arr[i:i + rows]

    return Source(f"{what} of shape {tuple(arr.shape)} ({arr.dtype})", chunks, total=n)


def _iterable_source(data: Iterable[Any]) -> Source:
    consumed = [False]

    def chunks() -> Iterator[np.ndarray]:
        if consumed[0] and iter(data) is data:
            raise ValueError(f"{FN}: expected a re-iterable source, got an exhausted iterator")
        consumed[0] = True
        for item in data:
            arr = _to_numpy(item)
            if arr.ndim == 0:
                arr = arr.reshape(1)
            yield arr

    return Source(f"stream of {type(data).__name__} chunks", chunks)


def _pandas_values(series: Any, name: str) -> np.ndarray:
    n_missing = int(series.isna().sum())
    if n_missing:
        raise ValueError(f"{FN}: expected column {name!r} free of NaN/missing values, got {n_missing} missing "
                         f"value(s)")
    dtype = series.dtype
    if getattr(dtype, "name", "") == "category":
        return np.asarray(series.astype(object).to_numpy())
    if getattr(dtype, "kind", "O") in "biufc" or str(dtype) in ("Int8", "Int16", "Int32", "Int64", "UInt8",
                                                                  "UInt16", "UInt32", "UInt64", "boolean",
                                                                  "Float32", "Float64"):
        numpy_dtype = getattr(dtype, "numpy_dtype", None)
        return series.to_numpy(dtype=numpy_dtype) if numpy_dtype is not None else series.to_numpy()
    return series.to_numpy(dtype=object)


def _pandas_source(data: Any, column: str | Sequence[str] | None) -> Source:
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        names = [str(c) for c in data.columns]
        cols = _pick_columns(names, column, "DataFrame", default_all=True)
        series = [data[data.columns[names.index(c)]] for c in cols]
        parts = [_pandas_values(s, c) for s, c in zip(series, cols)]
        arr = parts[0] if len(parts) == 1 else _stack_columns(parts, cols)
        src = _array_source(arr, f"DataFrame column(s) {', '.join(cols)}")
    else:  # a Series, or a Categorical, Index or extension array: as a Series
        series = [data if isinstance(data, pd.Series) else pd.Series(data)]
        name = str(series[0].name or "Series")
        src = _array_source(_pandas_values(series[0], name), f"Series {name!r}")
    if len(series) == 1 and isinstance(series[0].dtype, pd.CategoricalDtype) and len(series[0].cat.categories) >= 2:
        src.classes = series[0].cat.categories.tolist()
        src.notes.append("the classes are the categories of the pandas Categorical, in their order")
    return src


def _arrow_values(arr: Any, name: str, missing: str = "null") -> np.ndarray:
    pa = _need("pyarrow", "cli", "Arrow data")
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.null_count:
        raise ValueError(f"{FN}: expected column {name!r} free of NaN/missing values, got {arr.null_count} "
                         f"missing value(s) ({missing})")
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    t = arr.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)
    if not (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)):
        if pa.types.is_fixed_size_list(t) or pa.types.is_list(t) or pa.types.is_large_list(t):
            values = arr.to_numpy(zero_copy_only=False)
            return _from_sequence(list(values))
        raise TypeError(f"{FN}: expected column {name!r} of numbers, booleans or strings, got Arrow type {t}")
    return arr.to_numpy(zero_copy_only=False)


def _arrow_source(data: Any, column: str | Sequence[str] | None) -> Source:
    pa = _need("pyarrow", "cli", "Arrow data")
    if isinstance(data, (pa.Table, pa.RecordBatch)):
        names = list(data.schema.names)
        cols = _pick_columns(names, column, "Arrow table", default_all=True)

        def chunks() -> Iterator[np.ndarray]:
            batches = data.to_batches() if isinstance(data, pa.Table) else [data]
            for b in batches:
                yield _batch_values(b, cols)

        return Source(f"Arrow table column(s) {', '.join(cols)}", chunks, total=data.num_rows)
    if isinstance(data, (pa.Array, pa.ChunkedArray)):
        chunks_list = data.chunks if isinstance(data, pa.ChunkedArray) else [data]

        def achunks() -> Iterator[np.ndarray]:
            for c in chunks_list:
                yield _arrow_values(c, "column")

        return Source(f"Arrow array ({data.type})", achunks, total=len(data))
    raise TypeError(f"{FN}: expected a pyarrow Array, ChunkedArray, Table or RecordBatch, got "
                    f"{type(data).__name__}")


def _stack_columns(parts: list[np.ndarray], cols: Sequence[str]) -> np.ndarray:
    kinds = {p.dtype.kind for p in parts}
    if "O" in kinds or "U" in kinds:
        raise TypeError(f"{FN}: expected numeric columns for a multi-column target {list(cols)}, got text")
    return np.column_stack(parts)


def _batch_values(batch: Any, cols: Sequence[str],
                  convert: Callable[[str, Any], np.ndarray] | None = None) -> np.ndarray:
    """The columns ``cols`` of a record batch as one array; ``convert(name, column)`` replaces
    :func:`_arrow_values`."""
    convert = convert or (lambda c, arr: _arrow_values(arr, c))
    parts = [convert(c, batch.column(batch.schema.get_field_index(c))) for c in cols]
    return parts[0] if len(parts) == 1 else _stack_columns(parts, cols)


def _column_list(column: Any) -> list[str]:
    """``column`` as a list of names: a comma-separated string, an int (a DataFrame's column label), or a
    list / tuple of them."""
    if isinstance(column, str):
        return [c.strip() for c in column.split(",")]
    if isinstance(column, numbers.Integral) and not isinstance(column, bool):
        return [str(column)]
    if isinstance(column, (list, tuple)) and all(isinstance(c, (str, numbers.Integral)) and not isinstance(c, bool)
                                                 for c in column):
        return [str(c) for c in column]
    fail(FN, "`column` to be", "a column name, an int or a list of them", repr(column), TypeError)


def _duplicated(name: str, what: str) -> ValueError:
    return ValueError(f"{FN}: expected distinct column names in {what}, got {name!r} more than once "
                      f"(a file without a header row?)")


def _find_column(names: list[str], wanted: str, what: str) -> str | None:
    """The column named ``wanted``: the exact name, else the one equal to it ignoring case and surrounding
    spaces; ``None`` if there is none, ``ValueError`` if that is not one column."""
    key = wanted.strip().casefold()
    hits = [n for n in names if n == wanted] or [n for n in names if n.strip().casefold() == key]
    if len(set(hits)) > 1:
        raise ValueError(f"{FN}: expected one column named {wanted!r} in {what}, got {hits} (names differing "
                         f"only in case or spaces: pass the exact name)")
    if len(hits) > 1:
        raise _duplicated(hits[0], what)
    return hits[0] if hits else None


def _pick_columns(names: list[str], column: Any, what: str, default_all: bool = False) -> list[str]:
    if column is None:
        if len(names) == 1:
            return names
        for cand in TARGET_NAMES:
            hit = _find_column(names, cand, what)
            if hit is not None:
                return [hit]
        dup = next((n for n in names if names.count(n) > 1), None)
        if dup is not None:
            raise _duplicated(dup, what)
        if default_all and names:
            return names
        raise ValueError(f"{FN}: expected a target column (--target) among {names} of {what}, got none "
                         f"(no column is named one of {TARGET_NAMES[:6]})")
    wanted = _column_list(column)
    if not wanted or any(not c for c in wanted):
        raise ValueError(f"{FN}: expected a column name, got {column!r}")
    found = [_find_column(names, c, what) for c in wanted]
    if None in found:
        raise ValueError(f"{FN}: expected target column(s) among {names} of {what}, got "
                         f"{wanted[found.index(None)]!r}")
    twice = next((c for c in found if found.count(c) > 1), None)
    if twice is not None:
        raise ValueError(f"{FN}: expected distinct target columns, got {twice!r} more than once in {column!r}")
    return found


# ------------------------------------------------------------------------------------------ files
def open_path(path: str | os.PathLike, *, column: str | Sequence[str] | None = None) -> Source:
    """A :class:`Source` reading ``path`` (file or folder); ``column`` picks the target of a table / npz."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{FN}: expected an existing file or folder, got {str(p)!r} (not found)")
    if p.is_dir():
        return _folder_source(p)
    name = p.name.lower()
    if name.endswith((".csv", ".tsv")):
        return _csv_source(p, column)
    if name.endswith((".parquet", ".pq")):
        return _parquet_source(p, column)
    if name.endswith(".npy"):
        return _npy_source(p)
    if name.endswith(".npz"):
        return _npz_source(p, column)
    if name.endswith(IMAGE_SUFFIXES) or name.endswith(NIFTI_SUFFIXES):
        return _files_source([p], p.parent, f"mask {p.name}")
    raise ValueError(f"{FN}: expected a file ending in one of "
                     f"{TABLE_SUFFIXES + ARRAY_SUFFIXES + IMAGE_SUFFIXES + NIFTI_SUFFIXES} or a folder of "
                     f"masks, got {str(p)!r}")


def _wrap(path: Path, exc: Exception) -> ValueError:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ValueError(f"{FN}: expected a readable file, got {str(path)!r} ({msg})")


def _sniff_delimiter(path: Path) -> str:
    """``,``, or the most frequent of ``CSV_DELIMITERS`` in a header line without a comma."""
    with open(path, "rb") as f:
        header = f.readline(1 << 16).decode("utf-8", "replace")
    if "," in header:
        return ","
    best = max(CSV_DELIMITERS, key=header.count)
    return best if best in header else ","


def _csv_numbers(arr: Any) -> Any:
    """A column read as text (its first block held integers) as ``int64``, else ``float64`` (a block with
    decimals), else the text itself (which the profile reports next to the numbers of other blocks)."""
    pa = _need("pyarrow", "cli", "CSV")
    for numeric in (pa.int64(), pa.float64()):
        try:
            return arr.cast(numeric)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return arr


def _csv_source(path: Path, column: str | Sequence[str] | None) -> Source:
    pa_csv = _need("pyarrow.csv", "cli", "CSV")
    pa = _need("pyarrow", "cli", "CSV")
    if path.stat().st_size == 0:
        raise ValueError(f"{FN}: expected at least one label, got an empty dataset ({str(path)!r} is empty)")
    tsv = path.name.lower().endswith(".tsv")
    delimiter = "\t" if tsv else _sniff_delimiter(path)
    parse = pa_csv.ParseOptions(delimiter=delimiter)

    def reader(cols: list[str] | None = None, types: dict[str, Any] | None = None):
        try:
            return pa_csv.open_csv(path, read_options=pa_csv.ReadOptions(block_size=CSV_BLOCK),
                                   parse_options=parse,
                                   convert_options=pa_csv.ConvertOptions(include_columns=cols, column_types=types,
                                                                         strings_can_be_null=True))
        except (pa.ArrowInvalid, OSError) as exc:
            raise _wrap(path, exc) from None

    schema = reader().schema
    cols = _pick_columns(list(schema.names), column, repr(path.name))
    # pyarrow types a column from its first block: integers there would make a later "2.5" an error
    as_text = {c: pa.string() for c in cols
               if pa.types.is_integer(schema.field(c).type) or pa.types.is_null(schema.field(c).type)}

    def convert(name: str, arr: Any) -> np.ndarray:
        return _arrow_values(_csv_numbers(arr) if name in as_text else arr, name, CSV_MISSING)

    def chunks() -> Iterator[np.ndarray]:
        r = reader(cols, as_text)
        while True:
            try:
                batch = r.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowInvalid as exc:
                raise _wrap(path, exc) from None
            yield _batch_values(batch, cols, convert)

    notes = [] if tsv or delimiter == "," else [f"delimiter {delimiter!r} (the header line has no comma)"]
    return Source(f"{path.name} column(s) {', '.join(cols)}", chunks, notes=notes)


def _parquet_source(path: Path, column: str | Sequence[str] | None) -> Source:
    pq = _need("pyarrow.parquet", "cli", "Parquet")
    pa = _need("pyarrow", "cli", "Parquet")
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise _wrap(path, exc) from None
    names = list(pf.schema_arrow.names)
    cols = _pick_columns(names, column, repr(path.name))

    def chunks() -> Iterator[np.ndarray]:
        try:
            for batch in pf.iter_batches(batch_size=1 << 20, columns=cols):
                yield _batch_values(batch, cols)
        except pa.ArrowInvalid as exc:
            raise _wrap(path, exc) from None

    return Source(f"{path.name} column(s) {', '.join(cols)}", chunks, total=pf.metadata.num_rows)


def _npy_source(path: Path) -> Source:
    try:
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise _wrap(path, exc) from None
    src = _array_source(arr, path.name)
    src.name = f"{path.name} {tuple(arr.shape)} {arr.dtype} (memory-mapped)"
    src.unit = "images" if arr.ndim >= 3 else "rows"
    return src


def _npz_member_memmap(path: Path, member: str) -> np.ndarray | None:
    """Memory-map an uncompressed (stored) member of an ``.npz``; ``None`` if it is compressed."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member + ".npy")
        if info.compress_type != zipfile.ZIP_STORED:
            return None
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        local = f.read(30)
        name_len = int.from_bytes(local[26:28], "little")
        extra_len = int.from_bytes(local[28:30], "little")
        f.seek(info.header_offset + 30 + name_len + extra_len)
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        offset = f.tell()
    if dtype.hasobject:
        raise ValueError(f"{FN}: expected a numeric array in {path.name}[{member!r}], got dtype {dtype}")
    if int(np.prod(shape)) == 0:
        return np.empty(shape, dtype)
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape, order="F" if fortran else "C")


def _npz_source(path: Path, column: str | Sequence[str] | None) -> Source:
    try:
        with np.load(path, allow_pickle=False) as npz:
            members = list(npz.files)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise _wrap(path, exc) from None
    if not members:
        raise ValueError(f"{FN}: expected at least one label, got an empty dataset ({path.name} has no arrays)")
    if column is not None and len(_column_list(column)) > 1:
        raise ValueError(f"{FN}: expected one array name of {path.name}, got {column!r}")
    member = _pick_columns(members, column, repr(path.name))[0] if (column or len(members) > 1) else members[0]
    arr = _npz_member_memmap(path, member)
    how = "memory-mapped"
    if arr is None:
        with np.load(path, allow_pickle=False) as npz:
            arr = npz[member]
        how = "decompressed into memory"
    src = _array_source(arr, f"{path.name}[{member!r}]")
    src.name = f"{path.name}[{member!r}] {tuple(arr.shape)} {arr.dtype} ({how})"
    src.unit = "images" if arr.ndim >= 3 else "rows"
    return src


def _is_nifti(p: Path) -> bool:
    return p.name.lower().endswith(NIFTI_SUFFIXES)


def _folder_source(folder: Path) -> Source:
    files = [p for p in folder.rglob("*") if p.is_file() and
             (p.name.lower().endswith(IMAGE_SUFFIXES) or _is_nifti(p)) and
             not any(part.startswith(".") or part == "__MACOSX" for part in p.relative_to(folder).parts)]
    if not files:
        raise ValueError(f"{FN}: expected a folder with mask images {IMAGE_SUFFIXES} or NIfTI volumes "
                         f"{NIFTI_SUFFIXES}, got none in {str(folder)!r}")
    top = {p: (p.relative_to(folder).parts[:-1] or ("",))[0] for p in files}  # immediate subfolder, or ""
    named = sorted({t for t in top.values() if t.lower() in MASK_FOLDERS})
    if len(named) > 1:
        raise ValueError(f"{FN}: expected one mask subfolder in {str(folder)!r}, got {named} (point advise at one "
                         f"of them)")
    note, what = None, f"folder {folder.name or str(folder)}"
    if named and any(t != named[0] for t in top.values()):  # masks next to other images (the inputs)
        others = sum(t != named[0] for t in top.values())
        files = [p for p in files if top[p] == named[0]]
        note = (f"read only the subfolder {named[0]}/ of {folder.name or str(folder)}: its {others:,} other "
                f"image(s) are taken for inputs (point advise at a subfolder to read another one)")
        what += f"/{named[0]}"
    files.sort(key=lambda p: p.relative_to(folder).as_posix())
    src = _files_source(files, folder, what)
    if note:
        src.notes.append(note)
    return src


def _mask_frame(im: Any, path: Path) -> np.ndarray:
    """The current frame of an open Pillow image as a label map."""
    if im.mode not in _MASK_MODES:
        raise ValueError(f"{FN}: expected a mask image (mode 1, L, P, I, I;16, F, RGB or RGBA), got "
                         f"mode {im.mode} in {str(path)!r}")
    arr = np.asarray(im)
    if arr.dtype == bool:
        arr = arr.astype(np.uint8)  # Pillow's mode-1 booleans may be stored as 0/255 bytes
    if arr.ndim == 3:  # LA / PA / RGB / RGBA: drop alpha; grey stored as colour → one channel
        colour = arr[..., :3] if arr.shape[-1] >= 3 else arr[..., :1]
        if colour.shape[-1] == 1 or (np.array_equal(colour[..., 0], colour[..., 1])
                                     and np.array_equal(colour[..., 0], colour[..., 2])):
            arr = np.ascontiguousarray(colour[..., 0])
        else:  # colour-coded classes: 0xRRGGBB
            c = colour.astype(np.int32)
            arr = (c[..., 0] << 16) | (c[..., 1] << 8) | c[..., 2]
    return arr


def _read_image(path: Path) -> np.ndarray:
    """One mask (H, W); a multi-page image (TIFF stack) is one (F, H, W) volume of its F frames."""
    Image = _need("PIL.Image", "cli", "mask images")
    try:
        with Image.open(path) as im:
            frames = []
            for i in range(getattr(im, "n_frames", 1)):
                im.seek(i)
                frames.append(_mask_frame(im, path))
    except ValueError:
        raise
    except (OSError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
        raise ValueError(f"{FN}: expected a readable image, got {str(path)!r} "
                         f"({str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__})"
                         ) from None
    if len(frames) == 1:
        return frames[0]
    shapes = sorted({f.shape for f in frames})
    if len(shapes) > 1:
        raise ValueError(f"{FN}: expected the frames of a multi-page image with one size, got {shapes} in "
                         f"{str(path)!r}")
    return np.stack(frames)


def _read_nifti(path: Path) -> np.ndarray:
    nib = _need("nibabel", "medical", "NIfTI volumes")
    try:
        img = nib.load(str(path))
        arr = np.asanyarray(img.dataobj)
    except Exception as exc:  # nibabel raises many types (ImageFileError, EOFError, zlib.error, ...)
        raise ValueError(f"{FN}: expected a readable NIfTI volume, got {str(path)!r} "
                         f"({str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__})"
                         ) from None
    return np.asarray(arr)


def _files_source(files: list[Path], root: Path, what: str) -> Source:
    nifti = [p for p in files if _is_nifti(p)]
    if nifti and len(nifti) != len(files):
        raise ValueError(f"{FN}: expected masks of one kind (images or NIfTI) in {str(root)!r}, got "
                         f"{len(files) - len(nifti)} image(s) and {len(nifti)} NIfTI volume(s)")
    read = _read_nifti if nifti else _read_image
    unit = "volumes" if nifti else "images"
    notes: list[str] = []

    def rel(p: Path) -> str:
        try:
            return p.relative_to(root).as_posix()
        except ValueError:
            return str(p)

    def chunks() -> Iterator[np.ndarray]:
        workers = min(4, os.cpu_count() or 1)
        stacks: list[tuple[str, int]] = []  # multi-page images: (file, frames)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            starts = list(range(0, len(files), IMAGE_BATCH))
            # one batch in flight ahead: Pillow decodes (GIL released) while the caller profiles a batch
            pending = [pool.submit(read, p) for p in files[starts[0]:starts[0] + IMAGE_BATCH]]
            for k, start in enumerate(starts):
                batch_files = files[start:start + IMAGE_BATCH]
                arrays = [f.result() for f in pending]
                if k + 1 < len(starts):
                    pending = [pool.submit(read, p) for p in files[starts[k + 1]:starts[k + 1] + IMAGE_BATCH]]
                for p, a in zip(batch_files, arrays):
                    if a.ndim != arrays[0].ndim:
                        raise ValueError(f"{FN}: expected every mask with {arrays[0].ndim} dimensions like "
                                         f"{rel(batch_files[0])!r}, got shape {a.shape} in {rel(p)!r}")
                    if read is _read_image and a.ndim == 3:
                        stacks.append((rel(p), len(a)))
                yield from _stack_runs(arrays)  # masks of varying size: one chunk per run of equal shape
        note = (f"{len(stacks):,} multi-page image(s), e.g. {stacks[0][0]!r} with {stacks[0][1]} frames, each read "
                f"as one (frames, H, W) volume; save the frames as separate files (or an .npy of shape (n, H, W)) "
                f"to profile them as 2-D masks" if stacks else None)
        if note and note not in notes:
            notes.append(note)

    return Source(f"{what} ({len(files)} {unit})", chunks, total=len(files), unit=unit, notes=notes)
