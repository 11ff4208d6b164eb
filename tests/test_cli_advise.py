"""``losslab advise``: end to end on generated files of every format; one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from losslab import registry
from losslab.cli import main


def masks(n: int, size: int = 32, *, p_empty: float = 0.3, radius: tuple[int, int] = (2, 5), classes: int = 1,
          seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.ogrid[:size, :size]
    out = np.zeros((n, size, size), np.uint8)
    for i in range(n):
        if rng.random() < p_empty:
            continue
        for _ in range(rng.integers(1, 3)):
            cy, cx, r = rng.integers(0, size), rng.integers(0, size), rng.integers(*radius)
            out[i][(yy - cy) ** 2 + (xx - cx) ** 2 < r * r] = rng.integers(1, classes + 1)
        out[i, size // 2, size // 2] = max(out[i, size // 2, size // 2], 1)
    return out


def run_json(capsys, *args: str) -> dict:
    code = main(["advise", *args, "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    doc = json.loads(captured.out)  # exactly one JSON object on stdout
    assert doc["loss"]["key"] in {s.key for s in registry.list_losses()}
    spec = registry.get(doc["loss"]["key"])
    assert set(doc["loss"]["params"]) <= {p.name for p in spec.params}
    assert {"task", "profile", "reasons", "alternatives"} <= set(doc)
    assert doc["task"] in spec.tasks or doc["task"] == "count_regression"
    return doc


# ---------------------------------------------------------------------------------- formats
def test_csv_binary_and_multilabel(tmp_path, capsys):
    rng = np.random.default_rng(1)
    y = (rng.random(3000) < 0.05).astype(int)
    p = tmp_path / "data.csv"
    p.write_text("feature,label\n" + "".join(f"{v * 0.1:.3f},{v}\n" for v in y))
    doc = run_json(capsys, str(p))
    assert doc["task"] == "binary" and doc["loss"]["key"] == "sigmoid_ce"
    neg, pos = int((y == 0).sum()), int(y.sum())
    assert abs(doc["loss"]["params"]["pos_weight"][0] - (neg / pos) ** 0.5) < 1e-2
    assert doc["profile"]["classes"]["counts"] == [neg, pos]
    assert any(a["topic"] == "bias_init" for a in doc["advice"])
    ml = tmp_path / "tags.csv"
    tags = (rng.random((2000, 3)) < [0.02, 0.05, 0.03]).astype(int)
    ml.write_text("id,a,b,c\n" + "".join(f"{i},{r[0]},{r[1]},{r[2]}\n" for i, r in enumerate(tags)))
    doc = run_json(capsys, str(ml), "--target", "a,b,c")
    assert doc["task"] == "multilabel" and doc["loss"]["key"] == "asymmetric"


def test_parquet_regression_with_outliers(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rng = np.random.default_rng(2)
    y = rng.normal(50, 5, 20000)
    y[rng.choice(20000, 600, replace=False)] += 200
    p = tmp_path / "prices.parquet"
    pq.write_table(pa.table({"x": rng.random(20000), "price": y}), p, row_group_size=4096)
    doc = run_json(capsys, str(p), "--target", "price")
    assert doc["task"] == "regression" and doc["loss"]["key"] == "huber"
    r = doc["profile"]["regression"]
    assert r["count"] == 20000 and r["outlier_fraction"] > 0.01
    assert abs(doc["loss"]["params"]["delta"] - 1.345 * r["robust_scale"]) < 1e-2 * r["robust_scale"]
    counts = tmp_path / "counts.parquet"
    pq.write_table(pa.table({"target": rng.poisson(30, 5000)}), counts)
    assert run_json(capsys, str(counts))["loss"]["key"] == "poisson_nll"


def test_npy_and_npz_mask_stacks(tmp_path, capsys):
    m = masks(200, p_empty=0.5, seed=3)
    np.save(tmp_path / "masks.npy", m)
    doc = run_json(capsys, str(tmp_path / "masks.npy"))
    assert doc["task"] == "binary_segmentation"
    assert doc["profile"]["masks"]["num_images"] == 200 and doc["profile"]["masks"]["empty_fraction"] > 0.2
    assert "memory-mapped" in doc["profile"]["source"]
    assert registry.get(doc["loss"]["key"]).family != "overlap"   # many empty masks: never pure overlap
    assert any(a["topic"] == "dice_aggregation" and a["value"] == "batch" for a in doc["advice"])
    mc = masks(100, classes=3, p_empty=0.0, radius=(6, 12), seed=4)
    np.savez(tmp_path / "stack.npz", image=np.zeros(3), masks=mc)
    doc = run_json(capsys, str(tmp_path / "stack.npz"), "--target", "masks")
    assert doc["task"] == "multiclass_segmentation"
    assert doc["profile"]["classes"]["values"] == [0, 1, 2, 3]


def test_folder_of_500_png_masks(tmp_path, capsys):
    from PIL import Image

    m = masks(500, seed=5)
    for i, im in enumerate(m):
        sub = tmp_path / "masks" / f"part{i % 3}"
        sub.mkdir(parents=True, exist_ok=True)
        Image.fromarray(im * np.uint8(255)).save(sub / f"{i:04d}.png")
    doc = run_json(capsys, str(tmp_path / "masks"))
    prof = doc["profile"]
    assert doc["task"] == "binary_segmentation" and prof["num_samples"] == 500
    assert prof["masks"]["image_shape"] == [32, 32] and prof["classes"]["positive"] == 255
    assert abs(prof["masks"]["foreground_fraction"] - float((m > 0).mean())) < 1e-12
    assert prof["masks"]["num_empty"] == int((m.reshape(500, -1).max(1) == 0).sum())
    assert prof["masks"]["objects"]["images_sampled"] == 256


def test_tiff_bmp_folder_and_single_image(tmp_path, capsys):
    from PIL import Image

    m = masks(12, classes=2, p_empty=0.0, seed=6)
    for i, im in enumerate(m):
        Image.fromarray(im).save(tmp_path / (f"{i:02d}.tif" if i % 2 else f"{i:02d}.bmp"))
    doc = run_json(capsys, str(tmp_path))
    assert doc["task"] == "multiclass_segmentation" and doc["profile"]["num_samples"] == 12
    single = run_json(capsys, str(tmp_path / "01.tif"))
    assert single["profile"]["num_samples"] == 1


def test_nifti_volume_and_folder(tmp_path, capsys):
    nib = pytest.importorskip("nibabel")
    vols = masks(16, size=24, p_empty=0.0, radius=(2, 4), seed=7).reshape(4, 4, 24, 24)
    for i, v in enumerate(vols):
        nib.save(nib.Nifti1Image(v.astype(np.int16), np.eye(4)), tmp_path / f"case{i}.nii.gz")
    doc = run_json(capsys, str(tmp_path))
    assert doc["task"] == "binary_segmentation" and doc["profile"]["sample_shape"] == [4, 24, 24]
    one = run_json(capsys, str(tmp_path / "case0.nii.gz"), "--task", "multiclass_segmentation")
    assert one["task"] == "multiclass_segmentation"


def test_options_reach_the_advisor(tmp_path, capsys):
    y = np.array([0] * 900 + [1] * 100)
    np.save(tmp_path / "y.npy", y)
    raw = run_json(capsys, str(tmp_path / "y.npy"), "--weighting", "inverse")
    assert abs(raw["loss"]["params"]["pos_weight"][0] - 9.0) < 1e-6 and raw["options"]["weighting"] == "inverse"
    assert "pos_weight" not in run_json(capsys, str(tmp_path / "y.npy"), "--weighting", "none")["loss"]["params"]
    assert run_json(capsys, str(tmp_path / "y.npy"), "--task", "multiclass")["loss"]["key"] == "softmax_ce"
    declared = run_json(capsys, str(tmp_path / "y.npy"), "--classes", "0,1,2")
    assert declared["profile"]["classes"]["absent"] == [2]


def test_rich_table_by_default(tmp_path, capsys):
    np.save(tmp_path / "y.npy", np.array([0, 1, 2, 2, 1, 0] * 10))
    assert main(["advise", str(tmp_path / "y.npy")]) == 0
    out = capsys.readouterr().out
    assert "softmax_ce" in out and "loss" in out and "profile" in out


# ---------------------------------------------------------------------------------- bad input
def _error(capsys, *args: str) -> str:
    code = main(["advise", *args])
    captured = capsys.readouterr()
    assert code == 2, (captured.out, captured.err)
    line = captured.err.strip()
    assert line.count("\n") == 0 and line.startswith("losslab: error: ") and "Traceback" not in line
    assert captured.out == ""
    return line


def test_bad_input_is_one_line_exit_2(tmp_path, capsys):
    from PIL import Image

    assert "not found" in _error(capsys, str(tmp_path / "missing.csv"))
    csv = tmp_path / "d.csv"
    csv.write_text("a,b\n1,0\n0,1\n")
    assert "'zzz'" in _error(capsys, str(csv), "--target", "zzz")
    header = tmp_path / "h.csv"
    header.write_text("label\n")
    assert "empty dataset" in _error(capsys, str(header))
    nan = tmp_path / "nan.npy"
    np.save(nan, np.array([1.0, np.nan, 3.0]))
    assert "NaN" in _error(capsys, str(nan))
    empty = tmp_path / "empty.npy"
    np.save(empty, np.zeros(0))
    assert "empty dataset" in _error(capsys, str(empty))
    mixed = tmp_path / "mixed"  # masks of two sizes are fine; two empty ones are not
    mixed.mkdir()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(mixed / "a.png")
    Image.fromarray(np.zeros((9, 8), np.uint8)).save(mixed / "b.png")
    assert "only background (value 0) in 2 mask(s)" in _error(capsys, str(mixed))
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "x.png").write_bytes(b"not an image")
    assert "readable image" in _error(capsys, str(broken))
    floats = tmp_path / "f.npy"
    np.save(floats, np.full((2, 4, 4), 0.5))
    assert "integer mask values" in _error(capsys, str(floats))
    assert "--task one of" in _error(capsys, str(csv), "--task", "ranking")
    assert "--ignore-index" in _error(capsys, str(floats), "--ignore-index", "x")
    assert "--weighting one of" in _error(capsys, str(csv), "--target", "a", "--weighting", "raw")
    assert "--beta in [0, 1), got nan" in _error(capsys, str(csv), "--target", "a", "--beta", "nan")
    assert "--max-object-images" in _error(capsys, str(csv), "--target", "a", "--max-object-images", "-5")


def test_subprocess_error_has_no_traceback(tmp_path):
    np.save(tmp_path / "nan.npy", np.array([np.nan, 1.0]))
    for target in (tmp_path / "nan.npy", tmp_path / "nope.parquet"):
        proc = subprocess.run([sys.executable, "-m", "losslab.cli", "advise", str(target), "--json"],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr


def test_late_progress_bar_only_after_a_second():
    from losslab.cli import _LateProgress

    bar = _LateProgress(True, "x")
    now = [0.0]
    bar._clock = lambda: now[0]
    bar._start = 0.0
    bar(10, 100)
    assert bar._bar is None
    now[0] = 1.5
    bar(20, 100)
    assert bar._bar is not None
    bar(100, 100)
    bar.close()
    off = _LateProgress(False, "x")
    off(1, None)
    assert off._bar is None


# ---------------------------------------------------------------------------------- data-derived text
def test_markup_in_labels_and_file_names_is_printed_verbatim(tmp_path, capsys):
    for labels in (["[/b]", "x"], ["[red]cat", "dog"]):
        p = tmp_path / "[b]data[red].csv"
        p.write_text("id,label\n" + "".join(f"{i},{labels[i % 2]}\n" for i in range(10)))
        assert main(["advise", str(p), "--no-progress"]) == 0
        out = " ".join(capsys.readouterr().out.split())
        assert f"'{labels[0]}'" in out and "[b]data[red].csv" in out


def test_table_mistakes_are_one_line_errors(tmp_path, capsys):
    dup = tmp_path / "dup.csv"
    dup.write_text("label,label\n0,1\n1,0\n")
    assert "got 'label' more than once (a file without a header row?)" in _error(capsys, str(dup))
    ok = tmp_path / "ok.csv"
    ok.write_text("a,b\n0,1\n1,0\n")
    assert "expected distinct target columns, got 'a' more than once" in _error(capsys, str(ok), "--target", "a,a")
    np.save(tmp_path / "photos.npy", np.random.default_rng(0).integers(0, 5000, (2, 40, 40)))
    assert "photos rather than label masks?" in _error(capsys, str(tmp_path / "photos.npy"))


def test_semicolon_csv_and_spaced_header(tmp_path, capsys):
    semi = tmp_path / "semi.csv"
    semi.write_text("id;label\n" + "".join(f"{i};{int(i % 10 == 0)}\n" for i in range(200)))
    doc = run_json(capsys, str(semi))
    assert doc["task"] == "binary" and doc["profile"]["classes"]["counts"] == [180, 20]
    spaced = tmp_path / "spaced.csv"
    spaced.write_text("id, label\n" + "".join(f"{i},{i % 3}\n" for i in range(30)))
    assert run_json(capsys, str(spaced), "--target", "label")["task"] == "multiclass"
