import json

import keras
import numpy as np
from PIL import Image

import keras_jointcomp as jc
from keras_jointcomp import codec
from keras_jointcomp.rate import ROWS
from tests.cli.conftest import run_cli as _run
from tests.conftest import tiny_images


def test_compress_then_decompress_writes_images_and_labels(model_file, tiny_data_dir, tmp_path, capsys):
    streams = tmp_path / "s.jcs"
    status, stdout, stderr = _run(["compress", model_file, "--dataset", "tiny", "--data-dir", tiny_data_dir,
                                   "--count", 5, "--step-scale", 2, "--out", streams], capsys)
    assert status == 0, stderr
    summary = json.loads(stdout)
    assert summary["n_images"] == 5 and summary["step_scale"] == 2.0
    assert summary["file_bytes"] == streams.stat().st_size
    assert summary["header_bytes"] < summary["bytes_per_image"] < summary["fixed_length_bytes_per_image"]

    status, stdout, stderr = _run(["decompress", model_file, streams, "--out-dir", tmp_path / "out"], capsys)
    assert status == 0, stderr
    decoded = json.loads(stdout)
    assert decoded["images_written"] == 5 and len(decoded["labels"]) == 5
    assert json.loads((tmp_path / "out" / "labels.json").read_text())["labels"] == decoded["labels"]
    png = np.asarray(Image.open(tmp_path / "out" / "image_00004.png"))
    assert png.shape == (28, 28) and png.dtype == np.uint8

    model = jc.models.load_model(model_file)
    images = jc.data.load("tiny", "test", data_dir=tiny_data_dir).images[:5]
    latent_codec = codec.LatentCodec(model, 2)
    expected = np.argmax(latent_codec.heads(latent_codec.symbols(images))["logits"], axis=-1)
    assert decoded["labels"] == expected.tolist()


def test_compress_reads_image_files(model_file, tmp_path, capsys):
    paths = []
    for index, image in enumerate(tiny_images(3, (28, 28))[0]):
        paths.append(tmp_path / f"digit{index}.png")
        Image.fromarray(image).save(paths[-1])
    status, stdout, stderr = _run(["compress", model_file, "--images", *paths, "--out", tmp_path / "s.jcs"], capsys)
    assert status == 0, stderr
    assert json.loads(stdout)["n_images"] == 3
    Image.fromarray(np.zeros((32, 32), np.uint8)).save(tmp_path / "big.png")
    status, _, stderr = _run(["compress", model_file, "--images", tmp_path / "big.png", "--out",
                              tmp_path / "t.jcs"], capsys)
    assert status == 2 and "do not fit model" in stderr


def test_damaged_or_foreign_stream_files_fail_with_one_line(model_file, tiny_data_dir, tmp_path, capsys):
    streams = tmp_path / "s.jcs"
    _run(["compress", model_file, "--dataset", "tiny", "--data-dir", tiny_data_dir, "--count", 2, "--out",
          streams], capsys)
    damaged = bytearray(streams.read_bytes())
    damaged[-6] ^= 0x01
    (tmp_path / "bad.jcs").write_bytes(bytes(damaged))
    status, stdout, stderr = _run(["decompress", model_file, tmp_path / "bad.jcs", "--out-dir", tmp_path / "o"],
                                  capsys)
    assert status == 2 and stdout == ""
    assert stderr.strip() == "jointcomp: error: compact stream file: checksum mismatch (damaged or truncated)"
    assert not (tmp_path / "o").exists()
    indexed = tmp_path / "indexed.jcs"
    _run(["compress", model_file, "--dataset", "tiny", "--data-dir", tiny_data_dir, "--count", 2, "--framing",
          "indexed", "--out", indexed], capsys)
    damaged = bytearray(indexed.read_bytes())
    damaged[-6] ^= 0x01
    (tmp_path / "bad.jcs").write_bytes(bytes(damaged))
    status, _, stderr = _run(["decompress", model_file, tmp_path / "bad.jcs", "--out-dir", tmp_path / "o"], capsys)
    assert stderr.strip() == "jointcomp: error: stream 1: stream checksum mismatch: the stream is corrupt or truncated"

    (tmp_path / "cut.jcs").write_bytes(streams.read_bytes()[:-1])
    status, _, stderr = _run(["decompress", model_file, tmp_path / "cut.jcs", "--out-dir", tmp_path / "o"], capsys)
    assert status == 2 and "truncated" in stderr and len(stderr.strip().splitlines()) == 1

    keras.utils.set_random_seed(7)
    other = jc.models.load("atl_lenet")
    other.entropy_coding = jc.models.load_model(model_file).entropy_coding
    other_file = jc.models.save_model(other, tmp_path / "other.keras")
    status, _, stderr = _run(["decompress", other_file, streams, "--out-dir", tmp_path / "o"], capsys)
    assert status == 2 and "written by another model" in stderr and len(stderr.strip().splitlines()) == 1


def test_outputs_are_never_replaced_without_overwrite(model_file, tiny_data_dir, tmp_path, capsys):
    streams = tmp_path / "s.jcs"
    streams.write_bytes(b"precious")
    status, _, stderr = _run(["compress", model_file, "--dataset", "tiny", "--data-dir", tiny_data_dir,
                              "--out", streams], capsys)
    assert status == 2 and "already exists" in stderr and streams.read_bytes() == b"precious"
    status, _, stderr = _run(["fit-entropy", model_file, "--dataset", "tiny", "--data-dir", tiny_data_dir], capsys)
    assert status == 2 and "already exists" in stderr


def test_a_model_without_tables_says_how_to_fit_them(tiny_data_dir, tmp_path, capsys):
    path = jc.models.save_model(jc.models.load("atl_lenet"), tmp_path / "plain.keras")
    status, _, stderr = _run(["compress", path, "--dataset", "tiny", "--data-dir", tiny_data_dir, "--out",
                              tmp_path / "s.jcs"], capsys)
    assert status == 2 and "fit-entropy" in stderr


def test_train_saves_tables_for_the_trained_rate(tiny_data_dir, tmp_path, capsys):
    out = tmp_path / "t.keras"
    status, _, stderr = _run(["train", "atl_lenet", "--dataset", "tiny", "--data-dir", tiny_data_dir, "--epochs", 1,
                              "--batch-size", 16, "--out", out], capsys)
    assert status == 0, stderr
    assert jc.models.load_model(out).entropy_coding.step_scales == [1.0]


def test_rd_writes_json_and_plot_with_baselines(model_file, tiny_data_dir, tmp_path, capsys):
    prefix = tmp_path / "curve"
    status, stdout, stderr = _run(["rd", model_file, model_file, "--label", "lenet", "--label", "lenet", "--dataset",
                                   "tiny", "--data-dir", tiny_data_dir, "--step-scales", "1,2,4", "--jpeg-qualities",
                                   "10,50", "--webp-qualities", "20", "--baseline-epochs", 1, "--baseline-model",
                                   "atl_lenet", "--batch-size", 16, "--out", prefix], capsys)
    assert status == 0, stderr
    report = json.loads((tmp_path / "curve.json").read_text())
    assert json.loads(stdout) == report
    assert {"name", "description", "results", "comparison"} <= set(report)
    assert [row["codec"] for row in report["results"]] == ["lenet"] * 6 + ["jpeg"] * 2 + ["webp"]
    for row in report["results"]:
        assert set(row) == set(ROWS)
        assert row["bytes_per_image"] > 0 and 0 <= row["accuracy"] <= 1 and row["encode_ms"] > 0
    learned = report["results"][:3]
    assert learned[0]["bytes_per_image"] > learned[2]["bytes_per_image"]
    for row in learned:
        assert row["bytes_per_image"] == row["payload_bytes_per_image"] + row["header_bytes"]
        assert row["payload_bytes_per_image"] < row["compact_bytes_per_image"] < row["bytes_per_image"]
    assert {entry["bytes_key"] for entry in report["comparison"]} <= {"bytes_per_image", "compact_bytes_per_image"}
    status, _, stderr = _run(["rd", model_file, "--label", "a", "--label", "b", "--dataset", "tiny", "--data-dir",
                              tiny_data_dir, "--out", tmp_path / "x"], capsys)
    assert status == 2 and "--label once per model file" in stderr
    assert Image.open(tmp_path / "curve.png").size[0] > 100
    status, _, stderr = _run(["rd", model_file, "--dataset", "tiny", "--data-dir", tiny_data_dir,
                              "--baseline-epochs", 0, "--out", prefix], capsys)
    assert status == 2 and "already exists" in stderr
