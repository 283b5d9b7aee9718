"""Presets: saving and loading preset folders, their checks, the CLI around them, and every shipped preset
(same outputs as where it was made; with the real data, the test numbers of its metadata)."""

import json
import os
import socket

import keras
import numpy as np
import pytest

from keras_jointcomp import codec, models, presets
from keras_jointcomp.cli import main
from keras_jointcomp.evaluation import measure
from tests.conftest import tiny_images

SHIPPED = presets.available()


@pytest.fixture(scope="module")
def preset_dir(tmp_path_factory):
    """A preset folder of an atl_lenet with entropy tables, made by `presets.save`."""
    keras.utils.set_random_seed(0)
    model = models.load("atl_lenet")
    images, labels = tiny_images(64)
    model.entropy_coding = codec.fit_entropy_coding(model, images)
    folder = tmp_path_factory.mktemp("presets") / "tiny"
    presets.save(model, folder, {"weights": "tiny", "description": "test", "dataset": "tiny",
                                 "test": measure(model, images, labels)})
    return folder


def test_a_saved_preset_loads_with_its_outputs_and_zoo_entry(preset_dir):
    metadata = json.loads((preset_dir / "metadata.json").read_text())
    assert sorted(os.listdir(preset_dir)) == ["config.json", "metadata.json", "model.weights.h5"]
    assert metadata["model"] == "atl_lenet" and metadata["parameters"] > 0
    assert set(metadata["sha256"]) == {"config.json", "model.weights.h5"}
    model = models.load("atl_lenet", weights=str(preset_dir))
    assert model.zoo == {"name": "atl_lenet", "arguments": {}} and model.entropy_coding is not None
    for name, expected in presets.probe_outputs(model).items():
        np.testing.assert_allclose(expected, metadata["probe"][name], atol=1e-5)


def test_a_tampered_weights_file_fails_its_checksum_in_one_line(preset_dir, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in os.listdir(preset_dir):
        (copy / name).write_bytes((preset_dir / name).read_bytes())
    weights = bytearray((copy / "model.weights.h5").read_bytes())
    weights[-100] ^= 0xFF
    (copy / "model.weights.h5").write_bytes(bytes(weights))
    with pytest.raises(presets.PresetError, match="model.weights.h5 does not match its sha256") as error:
        models.load("atl_lenet", weights=str(copy))
    assert "\n" not in str(error.value)


def test_unknown_presets_and_wrong_models_are_named(preset_dir):
    with pytest.raises(presets.PresetError, match=r"unknown preset 'nope' for atl_lenet \(its presets: "):
        models.load("atl_lenet", weights="nope")
    with pytest.raises(presets.PresetError, match="holds a 'atl_lenet' model, not 'faces_conv_ae'"):
        models.load("faces_conv_ae", weights=str(preset_dir))
    with pytest.raises(ValueError, match="a preset fixes its builder arguments"):
        models.load("atl_lenet", weights=str(preset_dir), num_classes=3)


def test_an_existing_folder_is_not_overwritten_without_asking(preset_dir):
    before = (preset_dir / "metadata.json").read_bytes()
    with pytest.raises(presets.PresetError, match="already exists"):
        presets.save(models.load("atl_lenet"), preset_dir, {})
    assert (preset_dir / "metadata.json").read_bytes() == before


def test_train_saves_a_preset_that_evaluate_and_compress_take(tiny_data_dir, tmp_path, capsys):
    folder = tmp_path / "mine"
    argv = ["train", "atl_lenet", "--dataset", "tiny", "--data-dir", str(tiny_data_dir), "--epochs", "1",
            "--batch-size", "16", "--out", str(tmp_path / "m.keras"), "--save-preset", str(folder)]
    assert main(argv) == 0, capsys.readouterr().err
    trained = json.loads(capsys.readouterr().out)
    metadata = json.loads((folder / "metadata.json").read_text())
    assert metadata["command"].startswith("jointcomp train atl_lenet") and "--save-preset" in metadata["command"]
    assert metadata["recipe"] == "joint" and metadata["dataset"] == "tiny" and metadata["commit"]
    assert metadata["test"] == trained["test"]
    assert main(["evaluate", "--preset", f"atl_lenet/{folder}", "--dataset", "tiny", "--data-dir",
                 str(tiny_data_dir), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["accuracy"] == metadata["test"]["accuracy"]
    assert report["stream_bytes_per_image"] == pytest.approx(metadata["test"]["stream_bytes_per_image"])
    out = tmp_path / "s.jcs"
    assert main(["compress", "--preset", f"atl_lenet/{folder}", "--dataset", "tiny", "--data-dir",
                 str(tiny_data_dir), "--out", str(out)]) == 0
    assert main(["decompress", "--preset", f"atl_lenet/{folder}", str(out), "--out-dir", str(tmp_path / "png")]) == 0
    assert len(list((tmp_path / "png").glob("*.png"))) == 16
    assert main(["evaluate", "--dataset", "tiny", "--data-dir", str(tiny_data_dir)]) == 2
    assert "give a .keras model file or --preset" in capsys.readouterr().err


def test_list_shows_every_shipped_preset_with_its_numbers(capsys):
    assert main(["list", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert set(listing["presets"]) == set(SHIPPED)
    for entry in listing["presets"].values():
        assert entry["test"] and entry["command"]


@pytest.mark.skipif(not SHIPPED, reason="no presets shipped")
@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_a_shipped_preset_loads_offline_with_the_outputs_it_was_made_with(name, monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket, "socket", no_network)
    model_name, weights = name.split("/")
    model = models.load(model_name, weights=weights)
    metadata = SHIPPED[name]
    assert model.count_params() == metadata["parameters"]
    for output, expected in presets.probe_outputs(model).items():
        np.testing.assert_allclose(expected, metadata["probe"][output], atol=1e-5, rtol=1e-5,
                                   err_msg=f"{name}: {output} differs from the backend that made it")


@pytest.mark.one_backend
@pytest.mark.shared_data
@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_a_shipped_preset_measures_its_metadata_numbers_on_the_real_test_set(name):
    from keras_jointcomp import data

    if not os.environ.get("JOINTCOMP_DATA_DIR"):
        pytest.skip("JOINTCOMP_DATA_DIR is unset: set it to the real data sets (e.g. /work/shared/datasets)")
    metadata = SHIPPED[name]
    model_name, weights = name.split("/")
    images, labels = data.load(metadata["dataset"], "test")
    report = measure(models.load(model_name, weights=weights), images, labels)
    recorded = metadata["test"]
    if recorded.get("accuracy") is not None:
        assert report["accuracy"] == pytest.approx(recorded["accuracy"], abs=0.002)
    if recorded.get("psnr_db") is not None:
        assert report["psnr_db"] == pytest.approx(recorded["psnr_db"], abs=0.1)
    if recorded.get("stream_bytes_per_image") is not None:
        assert report["stream_bytes_per_image"] == pytest.approx(recorded["stream_bytes_per_image"], rel=0.005)
    assert report["bytes_per_image"] == recorded["bytes_per_image"]  # fixed length, or None for entropy-coded symbols
