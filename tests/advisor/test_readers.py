"""advisor.readers: every input kind and file format, and the precise errors on bad input."""

from __future__ import annotations

import importlib
import zipfile

import numpy as np
import pytest

from losslab.advisor.profile import profile
from losslab.advisor.readers import as_source, open_path

from ._synth import blobs


def collect(src) -> np.ndarray:
    parts = list(src.chunks())
    return np.concatenate(parts) if parts else np.empty(0)


# ---------------------------------------------------------------------------------- in memory
def test_numpy_list_and_tensor():
    import torch

    y = np.array([0, 1, 1, 2])
    for obj in (y, y.tolist(), tuple(y.tolist()), torch.tensor(y)):
        src = as_source(obj)
        assert src.total == 4 and collect(src).tolist() == [0, 1, 1, 2]
    assert profile(torch.tensor([[0.0, 1.0], [1.0, 1.0]], requires_grad=True)).task == "multilabel"


def test_list_of_arrays_stacks_and_masks_of_varying_size_come_in_runs():
    masks = [np.zeros((4, 4), np.uint8), np.eye(4, dtype=np.uint8)]
    assert collect(as_source(masks)).shape == (2, 4, 4)
    src = as_source([np.zeros((4, 4)), np.ones((4, 4), np.uint8), np.zeros((4, 5)), np.zeros((4, 4))])
    assert src.total == 4 and "3 shapes" not in src.name and "2 shapes" in src.name
    assert [c.shape for c in src.chunks()] == [(2, 4, 4), (1, 4, 5), (1, 4, 4)]
    with pytest.raises(ValueError, match="mixed shapes"):
        as_source([[1, 2], [3]])  # ragged label rows are not masks
    with pytest.raises(ValueError, match="mixed shapes"):
        as_source([np.zeros((4, 4)), np.zeros((4, 4, 2))])  # nor are masks with different dimensions


def test_iterable_of_chunks_streams_and_is_single_use():
    gen = (np.full((2, 3, 3), i % 2, np.uint8) for i in range(3))
    src = as_source(gen)
    assert src.total is None and [c.shape for c in src.chunks()] == [(2, 3, 3)] * 3
    with pytest.raises(ValueError, match="exhausted iterator"):
        list(src.chunks())


def test_pandas_series_dataframe_and_categorical():
    pd = pytest.importorskip("pandas")
    s = pd.Series(["a", "b", "a"], name="y")
    assert collect(as_source(s)).tolist() == ["a", "b", "a"]
    cat = pd.Series(pd.Categorical(["x", "y", "x"]))
    assert profile(cat).task == "binary"
    df = pd.DataFrame({"f": [0.1, 0.2, 0.3], "label": [1, 0, 1]})
    assert collect(as_source(df)).tolist() == [1, 0, 1]  # the column named "label"
    assert collect(as_source(df, column="f")).tolist() == [0.1, 0.2, 0.3]
    multi = pd.DataFrame({"a": [0, 1], "b": [1, 1], "c": [0, 0]})
    assert collect(as_source(multi)).shape == (2, 3)
    with pytest.raises(ValueError, match="expected target column"):
        as_source(df, column="nope")
    with pytest.raises(ValueError, match="1 missing value"):
        as_source(pd.Series([1, None, 2], dtype="Int64"))
    with pytest.raises(ValueError, match="missing"):
        as_source(pd.Series([1.0, float("nan")]))


def test_pyarrow_arrays_and_tables():
    pa = pytest.importorskip("pyarrow")
    arr = pa.chunked_array([[0, 1], [1, 1, 0]])
    src = as_source(arr)
    assert src.total == 5 and [c.tolist() for c in src.chunks()] == [[0, 1], [1, 1, 0]]
    table = pa.table({"x": [1.0, 2.0], "target": ["u", "v"]})
    assert collect(as_source(table)).tolist() == ["u", "v"]
    dict_arr = pa.array(["p", "q", "p"]).dictionary_encode()
    assert collect(as_source(dict_arr)).tolist() == ["p", "q", "p"]
    with pytest.raises(ValueError, match="null"):
        collect(as_source(pa.array([1, None])))
    with pytest.raises(TypeError, match="Arrow type"):
        collect(as_source(pa.array([b"x"], type=pa.binary())))


@pytest.mark.parametrize("bad", [{"a": 1}, 3, "x" * 0 or 4.5, b"bytes", {1, 2}])
def test_unsupported_objects_are_type_errors(bad):
    with pytest.raises(TypeError, match="expected targets"):
        as_source(bad)


# ---------------------------------------------------------------------------------- tables
def test_csv_columns_streaming_and_errors(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("x,label\n" + "".join(f"{i * 0.5},{i % 3}\n" for i in range(1000)))
    src = open_path(p)
    assert "label" in src.name and collect(src).tolist() == [i % 3 for i in range(1000)]
    assert collect(open_path(p, column="x"))[:3].tolist() == [0.0, 0.5, 1.0]
    assert collect(open_path(p, column="x,label")).shape == (1000, 2)
    with pytest.raises(ValueError, match=r"expected target column\(s\) among \['x', 'label'\].*'y'"):
        open_path(p, column="y")
    tsv = tmp_path / "d.tsv"
    tsv.write_text("a\tb\n1\t0\n0\t1\n")
    with pytest.raises(ValueError, match="expected a target column"):
        open_path(tsv)  # no column named like a target
    assert collect(open_path(tsv, column="b")).tolist() == [0, 1]


def test_csv_missing_values_empty_and_header_only(tmp_path):
    p = tmp_path / "nan.csv"
    p.write_text("y\n1.0\nnan\n2.0\n")
    with pytest.raises(ValueError, match="missing"):
        profile(p)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty dataset"):
        open_path(empty)
    header = tmp_path / "header.csv"
    header.write_text("y\n")
    with pytest.raises(ValueError, match="empty dataset"):
        profile(header)


def test_parquet_streams_record_batches(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    p = tmp_path / "d.parquet"
    y = np.arange(5000) % 7
    pq.write_table(pa.table({"y": y, "z": y * 2.0}), p, row_group_size=1000)
    src = open_path(p, column="y")
    assert src.total == 5000
    assert collect(src).tolist() == y.tolist()
    with pytest.raises(ValueError, match="'nope'"):
        open_path(p, column="nope")
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    with pytest.raises(ValueError, match="expected a readable file"):
        open_path(bad)


# ---------------------------------------------------------------------------------- arrays
def test_npy_is_memory_mapped_in_chunks(tmp_path, monkeypatch):
    import losslab.advisor.readers as readers

    monkeypatch.setattr(readers, "CHUNK_ELEMENTS", 100)
    p = tmp_path / "m.npy"
    m = blobs(10, (8, 8), seed=1)
    np.save(p, m)
    parts = list(open_path(p).chunks())
    assert len(parts) == 10 and all(isinstance(c, np.memmap) for c in parts)
    assert np.array_equal(np.concatenate(parts), m)
    bad = tmp_path / "bad.npy"
    bad.write_bytes(b"garbage")
    with pytest.raises(ValueError, match="expected a readable file"):
        open_path(bad)
    scalar = tmp_path / "s.npy"
    np.save(scalar, np.array(3))
    with pytest.raises(ValueError, match="scalar"):
        open_path(scalar)


def test_npz_stored_members_are_memory_mapped(tmp_path):
    m = blobs(6, (8, 8), seed=2)
    stored = tmp_path / "s.npz"
    np.savez(stored, masks=m, other=np.arange(3))
    src = open_path(stored)  # the array named "masks"
    parts = list(src.chunks())
    assert "memory-mapped" in src.name and isinstance(parts[0], np.memmap)
    assert np.array_equal(np.concatenate(parts), m)
    assert collect(open_path(stored, column="other")).tolist() == [0, 1, 2]
    packed = tmp_path / "c.npz"
    np.savez_compressed(packed, m)
    src = open_path(packed)
    assert "decompressed" in src.name and np.array_equal(collect(src), m)
    with pytest.raises(ValueError, match="'nope'"):
        open_path(stored, column="nope")
    with zipfile.ZipFile(tmp_path / "z.npz", "w"):
        pass
    with pytest.raises(ValueError, match="empty dataset"):
        open_path(tmp_path / "z.npz")


# ---------------------------------------------------------------------------------- images
def _save(img, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)


def test_image_modes(tmp_path):
    from PIL import Image

    m = blobs(1, (16, 16), classes=3, seed=3)[0]
    _save(Image.fromarray(m), tmp_path / "l.png")
    pal = Image.fromarray(m, mode="L").convert("P")
    pal.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * 756)
    _save(pal, tmp_path / "p.png")
    _save(Image.fromarray(m > 0).convert("1"), tmp_path / "one.bmp")
    _save(Image.fromarray(m.astype(np.uint16) * 1000), tmp_path / "i16.tif")
    grey_rgba = np.stack([m, m, m, np.full_like(m, 255)], -1)
    _save(Image.fromarray(grey_rgba, mode="RGBA"), tmp_path / "rgba.png")
    colours = np.array([[0, 0, 0], [255, 0, 0], [0, 128, 0], [0, 0, 255]], np.uint8)[m]
    _save(Image.fromarray(colours, mode="RGB"), tmp_path / "rgb.png")
    read = {p.name: collect(open_path(tmp_path / p.name))[0] for p in tmp_path.iterdir()}
    assert np.array_equal(read["l.png"], m) and np.array_equal(read["p.png"], m)
    assert np.array_equal(read["one.bmp"], (m > 0).astype(np.uint8))
    assert np.array_equal(read["i16.tif"], m.astype(np.uint16) * 1000)
    assert np.array_equal(read["rgba.png"], m)
    codes = read["rgb.png"]
    assert set(np.unique(codes).tolist()) <= {0, 0xFF0000, 0x008000, 0x0000FF}
    assert np.array_equal(codes != 0, m != 0)
    _save(Image.new("CMYK", (4, 4)), tmp_path / "bad" / "cmyk.tif")
    with pytest.raises(ValueError, match="mode CMYK"):
        collect(open_path(tmp_path / "bad" / "cmyk.tif"))


def test_folder_is_recursive_sorted_and_batched(tmp_path, monkeypatch):
    from PIL import Image

    import losslab.advisor.readers as readers

    monkeypatch.setattr(readers, "IMAGE_BATCH", 4)
    m = blobs(10, (8, 8), seed=4)
    for i, im in enumerate(m):
        _save(Image.fromarray(im), tmp_path / f"d{i % 2}" / f"{i:03d}.png")
    (tmp_path / "notes.txt").write_text("ignored")
    src = open_path(tmp_path)
    assert src.total == 10 and src.unit == "images"
    parts = list(src.chunks())
    assert [len(c) for c in parts] == [4, 4, 2]
    order = [i for i in range(10) if i % 2 == 0] + [i for i in range(10) if i % 2 == 1]
    assert np.array_equal(np.concatenate(parts), m[order])


def test_folder_errors(tmp_path):
    from PIL import Image

    with pytest.raises(ValueError, match="got none"):
        open_path(tmp_path)
    _save(Image.fromarray(np.zeros((8, 8), np.uint8)), tmp_path / "a.png")
    _save(Image.fromarray(np.zeros((8, 9), np.uint8)), tmp_path / "b.png")
    assert [c.shape for c in open_path(tmp_path).chunks()] == [(1, 8, 8), (1, 8, 9)]  # varying sizes: runs
    (tmp_path / "b.png").unlink()
    (tmp_path / "c.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(ValueError, match="expected a readable image, got .*c.png"):
        collect(open_path(tmp_path))


def test_nifti_volume_and_folder(tmp_path):
    nib = pytest.importorskip("nibabel")
    vol = blobs(6, (10, 12), seed=5).astype(np.int16)
    nib.save(nib.Nifti1Image(vol, np.eye(4)), tmp_path / "v.nii.gz")
    src = open_path(tmp_path / "v.nii.gz")
    assert np.array_equal(collect(src)[0], vol)
    folder = tmp_path / "vols"
    folder.mkdir()
    for i in range(3):
        nib.save(nib.Nifti1Image(np.roll(vol, i, axis=0), np.eye(4)), folder / f"c{i}.nii")
    src = open_path(folder)
    assert src.unit == "volumes" and collect(src).shape == (3, 6, 10, 12)
    (folder / "bad.nii.gz").write_bytes(b"nope")
    with pytest.raises(ValueError, match="expected a readable NIfTI volume"):
        collect(open_path(folder))


def test_path_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        open_path(tmp_path / "missing.csv")
    (tmp_path / "x.weird").write_text("1")
    with pytest.raises(ValueError, match="expected a file ending in"):
        open_path(tmp_path / "x.weird")


def test_missing_optional_dependency_names_the_extra(tmp_path, monkeypatch):
    (tmp_path / "v.nii").write_bytes(b"")
    real_import = importlib.import_module

    def fake(name, *args, **kwargs):
        if name.startswith("nibabel"):
            raise ImportError("no nibabel")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(ImportError, match=r"pip install 'losslab\[medical\]'"):
        collect(open_path(tmp_path / "v.nii"))


# ---------------------------------------------------------------------------------- sweep of unfamiliar data
def test_csv_empty_cells_and_null_markers_are_missing_values(tmp_path):
    for cell in ("", "NA", "null", "N/A"):
        p = tmp_path / "m.csv"
        p.write_text("id,label\n" + "".join(f"{i},{'cat' if i % 2 else 'dog'}\n" for i in range(20)) + f"20,{cell}\n")
        with pytest.raises(ValueError, match=r"'label' free of NaN/missing values, got 1 missing value\(s\) \(empty"):
            profile(p)
    p.write_text("label\n" + "None\ncat\n" * 10)  # not a null marker: a class
    assert profile(p).classes.values == ["None", "cat"]


def test_csv_delimiter_is_sniffed_from_a_header_without_comma(tmp_path):
    for sep in (";", "|", "\t"):
        p = tmp_path / "s.csv"
        p.write_text(f"id{sep}label\n" + "".join(f"{i}{sep}{i % 2}\n" for i in range(200)))
        prof = profile(p)
        assert prof.task == "binary" and prof.classes.counts == [100, 100]
        assert any(f"delimiter {sep!r}" in n for n in prof.notes)
    p.write_text("label\n" + "0\n1\n" * 10)  # one column: nothing to sniff
    assert profile(p).classes.counts == [10, 10]


def test_duplicate_column_names_are_an_error(tmp_path):
    pd = pytest.importorskip("pandas")
    dup = tmp_path / "dup.csv"
    dup.write_text("label,label\n0,1\n1,0\n")
    with pytest.raises(ValueError, match=r"distinct column names in 'dup.csv', got 'label' more than once "
                                         r"\(a file without a header row\?\)"):
        open_path(dup)
    headerless = tmp_path / "nohead.csv"
    headerless.write_text("0,0\n1,1\n0,1\n")
    for column in (None, "0"):
        with pytest.raises(ValueError, match="'0' more than once"):
            open_path(headerless, column=column)
    ok = tmp_path / "ok.csv"
    ok.write_text("a,b\n0,1\n1,0\n")
    for column in ("a,a", ["b", "b"], "a,A"):
        with pytest.raises(ValueError, match="distinct target columns, got '.' more than once"):
            open_path(ok, column=column)
    with pytest.raises(ValueError, match="'x' more than once"):
        as_source(pd.DataFrame([[0, 1], [1, 0]], columns=["x", "x"]))


def test_csv_integer_first_block_then_decimals_or_text(tmp_path, monkeypatch):
    import losslab.advisor.readers as readers

    monkeypatch.setattr(readers, "CSV_BLOCK", 1 << 10)  # many blocks of a small file
    p = tmp_path / "late.csv"
    p.write_text("y\n" + "".join(f"{i % 40}\n" for i in range(2000)) + "2.5\n")
    r = profile(p).regression
    assert r.count == 2001 and not r.is_integer and r.max == 39
    exact = tmp_path / "big.csv"  # integers stay exact (int64), not rounded through float64
    exact.write_text("y\n" + "".join(f"{2 ** 60 + i % 3}\n" for i in range(2000)))
    assert profile(exact).classes.values == [2 ** 60, 2 ** 60 + 1, 2 ** 60 + 2]
    text = tmp_path / "text.csv"
    text.write_text("y\n" + "".join(f"{i % 2}\n" for i in range(2000)) + "unknown\n")
    with pytest.raises(TypeError, match=r"one type, got text \(e.g. 'unknown'\) after numbers"):
        profile(text)


def test_column_names_match_ignoring_case_and_surrounding_spaces(tmp_path):
    p = tmp_path / "spaced.csv"
    p.write_text("id, Label \n" + "".join(f"{i}, {i % 2}\n" for i in range(10)))
    for column in (None, "label", " Label ", "LABEL"):
        assert "column(s)  Label " in open_path(p, column=column).name
    exact = tmp_path / "exact.csv"
    exact.write_text("label,Label\n0,1\n1,1\n")
    assert collect(open_path(exact, column="Label")).tolist() == [1, 1]  # the exact name wins
    assert collect(open_path(exact)).tolist() == [0, 1]
    with pytest.raises(ValueError, match=r"one column named 'LABEL'.*\['label', 'Label'\]"):
        open_path(exact, column="LABEL")


def test_dataset_root_reads_its_mask_subfolder(tmp_path):
    from PIL import Image

    m = blobs(4, (16, 16), seed=8)
    photos = np.random.default_rng(0).integers(0, 256, (4, 16, 16, 3), dtype=np.uint8)
    for i in range(4):
        _save(Image.fromarray(photos[i]), tmp_path / "images" / f"{i}.png")
        _save(Image.fromarray(m[i]), tmp_path / "Masks" / f"{i}.png")
    _save(Image.fromarray(m[0]), tmp_path / ".cache" / "x.png")  # hidden: skipped
    src = open_path(tmp_path)
    assert src.total == 4 and np.array_equal(collect(src), m) and src.name.endswith("/Masks (4 images)")
    assert any("only the subfolder Masks/" in n and "4 other image(s)" in n for n in src.notes)
    prof = profile(tmp_path)
    assert prof.task == "binary_segmentation" and any("Masks/" in n for n in prof.notes)
    assert open_path(tmp_path / "Masks").notes == []  # the mask folder itself: nothing to say
    _save(Image.fromarray(m[0]), tmp_path / "labels" / "0.png")
    with pytest.raises(ValueError, match=r"one mask subfolder.*\['Masks', 'labels'\]"):
        open_path(tmp_path)


def test_multipage_tiff_is_one_volume_of_its_frames(tmp_path):
    from PIL import Image

    m = blobs(3, (16, 16), seed=9)
    frames = [Image.fromarray(f) for f in m]
    frames[0].save(tmp_path / "stack.tif", save_all=True, append_images=frames[1:])
    src = open_path(tmp_path / "stack.tif")
    assert np.array_equal(collect(src), m[None])
    assert any("'stack.tif' with 3 frames" in n for n in src.notes)
    assert profile(tmp_path / "stack.tif").sample_shape == (3, 16, 16)
    frames[0].save(tmp_path / "ragged.tif", save_all=True, append_images=[Image.fromarray(np.zeros((8, 8), np.uint8))])
    with pytest.raises(ValueError, match="frames of a multi-page image with one size"):
        collect(open_path(tmp_path / "ragged.tif"))


def test_pandas_categorical_keeps_its_categories(tmp_path):
    pd = pytest.importorskip("pandas")
    cat = pd.Categorical(["low", "high", "low", "mid", "low"], categories=["low", "mid", "high", "top"])
    for data in (cat, pd.Series(cat, name="y"), pd.DataFrame({"x": range(5), "y": cat})):
        p = profile(data, column="y" if isinstance(data, pd.DataFrame) else None)
        assert p.task == "multiclass" and p.classes.values == ["low", "mid", "high", "top"]
        assert p.classes.counts == [3, 1, 1, 0] and p.classes.absent == ["top"]
        assert any("categories" in n for n in p.notes)
    assert profile(pd.Index([0, 1, 1])).task == "binary"


def test_python_api_errors_are_house_style():
    pd = pytest.importorskip("pandas")
    import torch

    df = pd.DataFrame({0: [0, 1, 1, 0], 1: [0.5, 0.1, 0.2, 0.3]})
    assert profile(df, column=0).classes.counts == [2, 2]  # int column labels
    with pytest.raises(TypeError, match=r"advise: expected `column` to be a column name.*, got 1.5"):
        profile(df, column=1.5)
    assert profile(torch.tensor([0.0, 1.0, 1.0], dtype=torch.bfloat16)).task == "binary"
    with pytest.raises(ValueError, match=r"advise: expected `target` to be a tensor with values, got .*meta"):
        profile(torch.empty(3, device="meta"))
    with pytest.raises(ValueError, match=r"advise: expected `target` integers within int64 .*, got "
                                         r"1180591620717411303424"):
        profile([2 ** 70, 1])
