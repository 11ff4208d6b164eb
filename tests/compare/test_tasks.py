"""Built-in task generators (shapes, statistics within stated tolerances, determinism) and user data."""

from __future__ import annotations

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
