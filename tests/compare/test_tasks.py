"""Built-in task generators (shapes, statistics within stated tolerances, determinism) and user data."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from losslab.compare.tasks import BUILTIN, load_data, make_lesions, make_lesions_multiclass, make_task


@pytest.fixture(scope="module")
def lesions():
    return make_task("lesions", 0)


def test_lesions_shapes_and_dtypes(lesions):
    assert lesions.kind == "binary_segmentation"
    assert lesions.x_train.shape == (400, 1, 64, 64) and lesions.x_test.shape == (200, 1, 64, 64)
    assert lesions.y_train.shape == (400, 1, 64, 64) and lesions.y_train.dtype == torch.float32
    assert set(torch.unique(lesions.y_train).tolist()) == {0.0, 1.0}
    assert lesions.x_train.dtype == torch.float32 and torch.isfinite(lesions.x_train).all()


@pytest.mark.parametrize("split", ["train", "test"])
def test_lesions_statistics_within_stated_tolerance(lesions, split):
    # docstring of make_lesions: foreground fraction in [0.05 %, 0.2 %], empty fraction in [0.5, 0.8]
    assert 0.0005 <= lesions.info[f"foreground_fraction_{split}"] <= 0.002
    assert 0.5 <= lesions.info[f"empty_fraction_{split}"] <= 0.8
    y = lesions.y_train if split == "train" else lesions.y_test
    assert lesions.info[f"foreground_fraction_{split}"] == pytest.approx(float(y.mean()))


@pytest.mark.parametrize("seed", [1, 2])
def test_lesions_statistics_hold_for_other_seeds(seed):
    t = make_lesions(seed)
    fg = float(torch.cat([t.y_train, t.y_test]).mean())
    assert 0.0005 <= fg <= 0.002
    assert 0.5 <= t.info["empty_fraction_train"] <= 0.8


def test_lesions_deterministic():
    a, b, c = make_lesions(3, n_train=8, n_test=4), make_lesions(3, n_train=8, n_test=4), make_lesions(4, n_train=8, n_test=4)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_test, b.y_test)
    assert not torch.equal(a.x_train, c.x_train)


def test_lesions_multiclass():
    t = make_lesions_multiclass(0)
    assert t.kind == "multiclass_segmentation" and t.n_classes == 3
    assert t.y_train.shape == (400, 64, 64) and t.y_train.dtype == torch.int64
    counts = torch.bincount(t.y_train.reshape(-1), minlength=3)
    assert set(torch.unique(t.y_train).tolist()) == {0, 1, 2}
    fg = 1 - counts[0].item() / counts.sum().item()
    assert 0.0005 <= fg <= 0.002
    assert 0.5 <= t.info["empty_fraction_train"] <= 0.8
    # both lesion classes present in similar amounts
    assert 0.4 < counts[1].item() / counts[1:].sum().item() < 0.6 + 0.1


def test_digits():
    t = make_task("digits")
    assert t.kind == "multiclass" and t.n_classes == 10
    assert t.x_train.shape[1] == 64 and t.x_train.shape[0] + t.x_test.shape[0] == 1797
    assert t.y_train.dtype == torch.int64 and sorted(torch.unique(t.y_test).tolist()) == list(range(10))
    assert abs(float(t.x_train.mean())) < 1e-4  # standardised with training statistics


def test_digits_imbalanced():
    t = make_task("digits-imbalanced")
    assert t.kind == "binary" and t.y_train.shape == (t.x_train.shape[0], 1)
    assert 0.08 < t.info["positive_fraction_train"] < 0.12
    assert t.class_prior()[0] == pytest.approx(t.info["positive_fraction_train"])


def test_outliers_only_in_training_targets():
    t = make_task("outliers")
    assert t.kind == "regression" and t.x_train.shape[1] == 10
    y_tr, y_te = t.y_train[:, 0].numpy(), t.y_test[:, 0].numpy()
    assert (np.abs(y_tr) > 6).sum() == pytest.approx(0.1 * len(y_tr), abs=2)
    assert np.abs(y_te).max() < 4  # clean standardised test targets
    assert t.info["y_std"] > 0


def test_all_builtin_tasks_summarise():
    for name in BUILTIN:
        if name.startswith("lesions"):
            continue  # covered above (slower)
        s = make_task(name).summary()
        assert s["name"] == name and s["n_train"] > 0


def test_unknown_task():
    with pytest.raises(ValueError, match="make_task: expected a built-in task"):
        make_task("nope")


# ------------------------------------------------------------------------------------------ user data
def test_npz_classification(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 3))
    y = (x[:, 0] > 0).astype(int)
    np.savez(tmp_path / "d.npz", X=x, y=y)
    t = load_data(tmp_path / "d.npz")
    assert t.kind == "binary" and t.x_train.shape[1] == 3 and t.x_train.shape[0] + t.x_test.shape[0] == 60


def test_npz_segmentation(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 16, 16))
    y = (rng.random((10, 16, 16)) > 0.9).astype(np.uint8)
    np.savez(tmp_path / "s.npz", X=x, y=y)
    t = load_data(tmp_path / "s.npz")
    assert t.kind == "binary_segmentation" and t.x_train.shape[1:] == (1, 16, 16)
    assert t.y_train.shape[1:] == (1, 16, 16)


def test_csv_and_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    table = pa.table({"a": rng.normal(size=40), "b": rng.normal(size=40), "label": rng.integers(0, 3, 40),
                      "value": rng.normal(size=40)})
    pcsv.write_csv(table, tmp_path / "t.csv")
    pq.write_table(table, tmp_path / "t.parquet")
    t = load_data(tmp_path / "t.csv", target="label")
    assert t.kind == "multiclass" and t.n_classes == 3 and t.x_train.shape[1] == 3
    r = load_data(tmp_path / "t.parquet", target="value")
    assert r.kind == "regression" and "y_mean" in r.info


def test_image_folder(tmp_path):
    from PIL import Image

    rng = np.random.default_rng(0)
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    for i in range(10):
        Image.fromarray((rng.random((20, 20)) * 255).astype(np.uint8)).save(tmp_path / "images" / f"{i}.png")
        m = np.zeros((20, 20), np.uint8)
        m[5:8, 5:8] = 255 * (i % 2)
        Image.fromarray(m).save(tmp_path / "masks" / f"{i}.png")
    t = load_data(tmp_path)
    assert t.kind == "binary_segmentation" and t.x_train.shape[1:] == (1, 20, 20)
    assert set(torch.unique(torch.cat([t.y_train, t.y_test])).tolist()) == {0.0, 1.0}
    s = load_data(tmp_path, size=16)
    assert s.x_test.shape[-2:] == (16, 16)


def _one_line_error(fn, *args, **kwargs) -> str:
    with pytest.raises(ValueError) as info:
        fn(*args, **kwargs)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith("load_data: expected")
    return msg


def test_bad_user_data_gives_one_line_errors(tmp_path):
    np.savez(tmp_path / "noy.npz", X=np.zeros((10, 2)))
    assert "arrays X and y" in _one_line_error(load_data, tmp_path / "noy.npz")
    np.savez(tmp_path / "len.npz", X=np.zeros((10, 2)), y=np.zeros(9))
    assert "as many samples" in _one_line_error(load_data, tmp_path / "len.npz")
    np.savez(tmp_path / "nan.npz", X=np.full((10, 2), np.nan), y=np.arange(10) % 2)
    assert "finite" in _one_line_error(load_data, tmp_path / "nan.npz")
    np.savez(tmp_path / "one.npz", X=np.zeros((10, 2)), y=np.zeros(10, dtype=int))
    assert "two classes" in _one_line_error(load_data, tmp_path / "one.npz", kind="binary")
    (tmp_path / "t.csv").write_text("a,b,y\n1,x,0\n2,y,1\n")
    assert "numeric feature columns" in _one_line_error(load_data, tmp_path / "t.csv", target="y")
    assert "--target one of the columns" in _one_line_error(load_data, tmp_path / "t.csv", target="zz")
    assert "--target" in _one_line_error(load_data, tmp_path / "t.csv")
    (tmp_path / "junk.npz").write_text("not a zip")
    assert "readable .npz" in _one_line_error(load_data, tmp_path / "junk.npz")
    (tmp_path / "x.txt").write_text("")
    assert "a folder of images" in _one_line_error(load_data, tmp_path / "x.txt")
    assert "existing file" in _one_line_error(load_data, tmp_path / "missing.csv")
    (tmp_path / "imgs").mkdir()
    assert "folder of masks" in _one_line_error(load_data, tmp_path / "imgs")


@pytest.mark.parametrize("name, options, message", [
    ("lesions", {"n_train": 0}, "make_lesions: expected `n_train` >= 1"),
    ("lesions", {"size": 4}, "`size` >= 9"),
    ("lesions", {"lesion_rate": 5.0}, "`lesion_rate` <= 1"),
    ("lesions", {"n_test": 2.5}, "`n_test` to be an int"),
    ("lesions-multiclass", {"n_test": -3}, "make_lesions_multiclass: expected `n_test` >= 1"),
    ("digits", {"test_fraction": 1.5}, "`test_fraction` < 1"),
    ("digits-imbalanced", {"digit": 42}, "`digit` in 0..9"),
    ("outliers", {"outlier_fraction": 2.0}, "`outlier_fraction` <= 1"),
    ("outliers", {"test_fraction": 0.0}, "`test_fraction` > 0"),
])
def test_generator_options_are_range_checked(name, options, message):
    """Out-of-range options once gave numpy/sklearn errors or, silently, a task without positives."""
    with pytest.raises((ValueError, TypeError), match=message):
        make_task(name, 0, **options)


# ------------------------------------------------------------------------------------------ user data: sweep fixes
def _images(tmp_path, masks, *, image=None, image_ext=".png", mask_ext=".png", save=None):
    """An image folder: one image per mask (default 8-bit, the object brighter), masks saved by ``save`` or with
    Pillow."""
    from PIL import Image

    (tmp_path / "images").mkdir(parents=True, exist_ok=True)
    (tmp_path / "masks").mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    for i, m in enumerate(masks):
        img = image(m) if image else Image.fromarray((rng.random(m.shape[:2]) * 50 + 100 * (m.reshape(*m.shape[:2], -1)[..., 0] > 0)).astype(np.uint8))
        img.save(tmp_path / "images" / f"img_{i:02d}{image_ext}")
        path = tmp_path / "masks" / f"img_{i:02d}{mask_ext}"
        (save or (lambda a, p: Image.fromarray(a).save(p)))(m, path)
    return tmp_path


def _blob_masks(values, n=12, size=12):
    """``n`` masks (size × size) cycling through blobs of the non-background ``values``; the first is background."""
    masks = []
    for i in range(n):
        m = np.full((size, size), values[0], dtype=np.asarray(values).dtype)
        for j, v in enumerate(values[1:]):
            if (i + j) % 3:
                m[2 + 3 * j:4 + 3 * j, 2:6] = v
        masks.append(m)
    return masks


@pytest.mark.parametrize("labels", [(-1, 1), (1, 2), (0, 1)])
def test_two_integer_label_values_are_binary(tmp_path, labels):
    """Sweep bug 1: −1/+1 and 1/2 labels were a regression; two integer values are binary, mapping stated."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    np.savez(tmp_path / "d.npz", X=x, y=np.where(x[:, 0] > 0, labels[1], labels[0]))
    t = load_data(tmp_path / "d.npz")
    assert t.kind == "binary" and t.info["classes"] == list(labels)
    assert set(torch.unique(t.y_train).tolist()) == {0.0, 1.0}
    assert f"{labels[0]}→0, {labels[1]}→1" in t.description


def test_constant_numeric_target_is_an_error(tmp_path):
    """Sweep bug 2: a target with one numeric value trained a 'regression' on a constant (its std forced to 1)."""
    np.savez(tmp_path / "c.npz", X=np.random.default_rng(0).normal(size=(20, 2)), y=np.ones(20, dtype=int))
    assert "at least two classes in the labels, got only [1]" in _one_line_error(load_data, tmp_path / "c.npz")
    msg = _one_line_error(load_data, tmp_path / "c.npz", kind="regression")
    assert "a non-constant target for regression" in msg


@pytest.mark.parametrize("kind, y, needle", [
    ("multiclass", np.linspace(0, 1e10, 40), "integer or categorical labels for multiclass"),
    ("multiclass", np.arange(120) * 1000, "at most max(50, N/2) classes for multiclass, got 120 distinct values"),
    ("binary", np.tile([0.2, 0.7], 20), "integer or categorical labels for binary"),
])
def test_forced_classification_of_a_continuous_target_is_an_error(tmp_path, kind, y, needle):
    """Sweep bug 14: ``--kind multiclass`` on a continuous target made one class per row."""
    np.savez(tmp_path / "r.npz", X=np.random.default_rng(0).normal(size=(len(y), 2)), y=y)
    assert needle in _one_line_error(load_data, tmp_path / "r.npz", kind=kind)


@pytest.mark.parametrize("values, kind, classes", [
    ([0, 128], "binary_segmentation", [0, 128]),
    ([0, 255], "binary_segmentation", [0, 255]),
    ([1, 2], "binary_segmentation", [1, 2]),
    ([0, 100, 200], "multiclass_segmentation", [0, 100, 200]),
])
def test_mask_values_become_class_indices(tmp_path, values, kind, classes):
    """Sweep bug 3: masks 0/128 were a 129-class task, 0/100/200 a 201-class one, npz 0/255 a 256-class one."""
    masks = np.stack(_blob_masks(np.array(values, dtype=np.uint8)))
    np.savez(tmp_path / "s.npz", X=np.random.default_rng(0).normal(size=masks.shape), y=masks)
    for t in (load_data(tmp_path / "s.npz"), load_data(_images(tmp_path / "folder", list(masks)))):
        assert t.kind == kind and t.info["classes"] == classes
        assert t.n_classes == (1 if kind == "binary_segmentation" else len(values))
        assert torch.unique(torch.cat([t.y_train, t.y_test])).tolist() == list(range(len(values)))
    if len(values) == 2:  # forcing the kind once said "values 0/1 or 0/255 ..., got values up to 255"
        assert load_data(tmp_path / "s.npz", kind="binary_segmentation").info["classes"] == classes


def test_bad_mask_value_sets_are_one_line_errors(tmp_path):
    """Sweep bugs 3 and 8: lossy masks, all-empty masks and the VOC void value gave silent nonsense tasks."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 8, 8))
    cases = {"lossy": rng.integers(0, 256, (10, 8, 8)), "empty": np.zeros((10, 8, 8), int),
             "void": np.stack(_blob_masks(np.array([0, 1, 255]), n=10, size=8)),
             "three": np.stack(_blob_masks(np.array([0, 1, 2]), n=10, size=8)),
             "negative": np.stack(_blob_masks(np.array([-1, 0, 1]), n=10, size=8))}
    for name, y in cases.items():
        np.savez(tmp_path / f"{name}.npz", X=x, y=y)
    assert "at most 50 distinct mask values" in _one_line_error(load_data, tmp_path / "lossy.npz")
    assert "got only 0 in 10 masks" in _one_line_error(load_data, tmp_path / "empty.npz")
    assert "255 beside classes 0..1" in _one_line_error(load_data, tmp_path / "void.npz")
    assert "mask values >= 0" in _one_line_error(load_data, tmp_path / "negative.npz")
    msg = _one_line_error(load_data, tmp_path / "three.npz", kind="binary_segmentation")
    assert "two mask values (background, foreground) for binary segmentation, got 3 values [0, 1, 2]" in msg


def test_palette_masks_are_read_as_indices(tmp_path):
    """Sweep bug 4: palette (mode P) masks were converted to luminance (indices 0/1/2 became 0/38/220-ish)."""
    from PIL import Image

    def save(a, path):
        im = Image.fromarray(a, mode="P")
        im.putpalette([0, 0, 0, 255, 0, 0, 0, 128, 255] + [0] * 759)
        im.save(path)

    t = load_data(_images(tmp_path, _blob_masks(np.array([0, 1, 2], np.uint8)), save=save))
    assert t.kind == "multiclass_segmentation" and t.n_classes == 3 and t.info["classes"] == [0, 1, 2]


def test_rgb_colour_masks_map_colours_to_classes(tmp_path):
    """Sweep bug 4: red-on-black RGB masks became a 77-class luminance task; each colour is now a class."""
    from PIL import Image

    colours = np.array([[0, 0, 0], [255, 0, 0], [0, 255, 0]], np.uint8)
    masks = [colours[m] for m in _blob_masks(np.array([0, 1, 2]))]
    t = load_data(_images(tmp_path, masks))
    assert t.kind == "multiclass_segmentation" and t.info["classes"] == ["#000000", "#00ff00", "#ff0000"]
    grey = [np.repeat((m * 255)[..., None], 3, axis=2).astype(np.uint8) for m in _blob_masks(np.array([0, 1]))]
    g = load_data(_images(tmp_path / "grey", grey))  # grey masks saved as RGB: one channel
    assert g.kind == "binary_segmentation" and g.info["classes"] == [0, 255]
    Image.fromarray(masks[0][..., 0]).save(tmp_path / "masks" / "img_00.png")  # one single-channel mask
    assert "got 11 colour and 1 single-channel masks" in _one_line_error(load_data, tmp_path)


@pytest.mark.parametrize("mode", ["I;16", "F"])
def test_high_depth_images_keep_their_range(tmp_path, mode):
    """Sweep bug 5: 16-bit and float images were clamped to 8 bits, so the model input was constant."""
    from PIL import Image

    def image(m):
        a = 5000 + 20000 * (m > 0) + np.arange(m.size).reshape(m.shape)
        return Image.fromarray(a.astype(np.uint16 if mode == "I;16" else np.float32))

    masks = _blob_masks(np.array([0, 255], np.uint8))
    t = load_data(_images(tmp_path, masks, image=image, image_ext=".png" if mode == "I;16" else ".tif"))
    x, y = torch.cat([t.x_train, t.x_test]), torch.cat([t.y_train, t.y_test])
    assert float(x.std()) > 0.5 and float(x[y > 0].mean()) > float(x[y == 0].mean()) + 1
    assert load_data(tmp_path, size=6).x_train.std() > 0.5  # resized as floats too


def test_empty_npy_mask_and_hw1_npy_masks(tmp_path):
    """Sweep bug 9: a 0-byte .npy mask raised a bare EOFError (the CLI said 'aborted', exit 130); (H, W, 1) .npy
    masks failed in np.stack with numpy's message."""
    masks = [m[..., None] for m in _blob_masks(np.array([0, 1], np.uint8))]
    _images(tmp_path, masks, mask_ext=".npy", save=lambda a, p: np.save(p, a))
    t = load_data(tmp_path)
    assert t.kind == "binary_segmentation" and t.y_train.shape[1:] == (1, 12, 12)
    (tmp_path / "masks" / "img_03.npy").write_bytes(b"")
    assert "img_03.npy: No data left in file" in _one_line_error(load_data, tmp_path)


def test_hidden_files_are_skipped(tmp_path):
    """Sweep bug 10: macOS AppleDouble files (._img.png) in images/ or masks/ stopped the run."""
    _images(tmp_path, _blob_masks(np.array([0, 255], np.uint8)))
    for sub in ("images", "masks"):
        (tmp_path / sub / "._img_00.png").write_bytes(b"\x00\x05\x16\x07AppleDouble")
        (tmp_path / sub / ".hidden.png").write_bytes(b"junk")
    assert load_data(tmp_path).x_train.shape[0] + load_data(tmp_path).x_test.shape[0] == 12


def test_split_keeps_stratification_beside_a_singleton_class():
    """Sweep bug 7: one class with a single sample dropped stratification for every class."""
    from losslab.compare.tasks import _split

    y = np.array([0] * 60 + [1] * 36 + [2] * 3 + [3])
    for seed in range(6):
        tr, te = _split(len(y), 0.25, seed, y)
        assert np.abs(np.bincount(y[te], minlength=4)[:2] - [15, 9]).max() <= 1, seed


def test_channels_last_npz_is_named(tmp_path):
    """Sweep 15: X (N, H, W, C) with masks (N, H, W) said 'expected one label per sample'."""
    np.savez(tmp_path / "c.npz", X=np.zeros((10, 8, 8, 3)), y=np.zeros((10, 8, 8), int))
    assert "channels first" in _one_line_error(load_data, tmp_path / "c.npz")


def test_options_that_do_not_apply_are_errors(tmp_path):
    """Sweep 15: ``masks=``/``size=`` on a table and ``target=`` on an .npz or a folder were ignored silently."""
    (tmp_path / "t.csv").write_text("a,label\n" + "".join(f"{i},{i % 2}\n" for i in range(20)))
    np.savez(tmp_path / "d.npz", X=np.zeros((10, 2)), y=np.arange(10) % 2)
    msg = _one_line_error(load_data, tmp_path / "t.csv", target="label", masks="m", size=32)
    assert "no masks=, size= for a table, got masks='m', size=32" in msg
    assert "no target= for an .npz file" in _one_line_error(load_data, tmp_path / "d.npz", target="y")


@pytest.mark.parametrize("options, needle, exc", [
    ({"size": 0}, "load_data: expected `size` >= 1, got 0", ValueError),
    ({"size": "32"}, "load_data: expected `size` to be an int or None, got '32'", TypeError),
    ({"test_fraction": "0.2"}, "load_data: expected `test_fraction` to be a real number", TypeError),
    ({"seed": -1}, "load_data: expected `seed` >= 0, got -1", ValueError),
    ({"seed": 1.5}, "load_data: expected `seed` to be an int", TypeError),
    ({"seed": 2**40}, "load_data: expected `seed` <= 2**32 - 1", ValueError),
])
def test_load_data_options_in_house_style(tmp_path, options, needle, exc):
    """Sweep 15: these gave PIL's, Python's or scikit-learn's own messages."""
    np.savez(tmp_path / "d.npz", X=np.zeros((10, 2)), y=np.arange(10) % 2)
    with pytest.raises(exc, match=re.escape(needle)):
        load_data(tmp_path / "d.npz", **options)


def test_header_only_csv_and_missing_target_name_the_problem(tmp_path):
    """Sweep 15: a header-only CSV complained about a column 'of type null'; the Python error said --target."""
    (tmp_path / "e.csv").write_text("f0,label\n")
    assert "data rows in e.csv, got none" in _one_line_error(load_data, tmp_path / "e.csv", target="label")
    (tmp_path / "t.csv").write_text("a,label\n1,0\n")
    assert "target=" in _one_line_error(load_data, tmp_path / "t.csv")
