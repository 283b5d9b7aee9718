"""`jointcomp export`: a SavedModel that TensorFlow alone serves, matching the Keras model under any backend.

The model is saved and the expected outputs computed under the test's own backend; the export goes through
the CLI (under JAX and torch, that runs a TensorFlow child process); the SavedModel is then served by a
script that imports only TensorFlow and NumPy.
"""

import collections
import contextlib
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys

import keras
import numpy as np
import pytest
from keras import ops

from keras_jointcomp import data, models
from keras_jointcomp.cli import main
from keras_jointcomp.export import ExportError, export_saved_model

pytestmark = pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None,
                                reason="SavedModel export needs TensorFlow")

SERVE_SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "serve_with_tensorflow.py")
BATCH = 3
TOLERANCE = 1e-5

Exported = collections.namedtuple("Exported", "model model_file out_dir summary")


def _model():
    """An untrained atl_lenet whose encoder weights are scaled up so its latent spans several symbols."""
    keras.utils.set_random_seed(3)
    model = models.load("atl_lenet")
    for weight in model.encoder.weights:
        weight.assign(ops.convert_to_numpy(weight) * 4.0)
    return model


def _export(model_file, out_dir, *options):
    """Export through the CLI entry; returns the exit status, the JSON summary (or None) and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["export", str(model_file), str(out_dir), *options])
    return status, json.loads(out.getvalue()) if status == 0 else None, err.getvalue()


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    model = _model()
    model_file = models.save_model(model, folder / "atl_lenet.keras")
    status, summary, err = _export(model_file, folder / "saved_model")
    assert status == 0, err
    return Exported(model, model_file, str(folder / "saved_model"), summary)


def _images():
    return np.random.default_rng(0).random((BATCH, 28, 28, 1)).astype("float32")


def _expected(model, images):
    """What each signature must return, from the Keras model in this process and backend."""
    latent = ops.convert_to_numpy(model.encode(images))
    expected = {"encode.latent": latent, "serving_default.latent": latent}
    if model.decoder is not None:
        expected["decode.reconstruction"] = ops.convert_to_numpy(model.decode(latent))
    if model.classifier is not None:
        expected["classify.logits"] = ops.convert_to_numpy(model.classify(latent))
    expected.update({f"serving_default.{key}": ops.convert_to_numpy(value) for key, value in model(images).items()})
    return expected


def _serve(out_dir, inputs, tmp_path):
    """Call every signature in a process that imports only TensorFlow and NumPy."""
    np.savez(tmp_path / "inputs.npz", **inputs)
    result = subprocess.run([sys.executable, SERVE_SCRIPT, out_dir, str(tmp_path / "inputs.npz"),
                             str(tmp_path / "outputs.npz")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    with np.load(tmp_path / "outputs.npz") as outputs:
        return {key: outputs[key] for key in outputs.files}


def _assert_served_outputs_match(model, out_dir, tmp_path):
    images = _images()
    expected = _expected(model, images)
    served = _serve(out_dir, {"images": images, "latent": expected["encode.latent"]}, tmp_path)
    assert sorted(served) == sorted([*expected, "signatures"])
    for key, value in expected.items():
        assert served[key].dtype == value.dtype, key
        if value.dtype.kind == "i":
            np.testing.assert_array_equal(served[key], value, err_msg=key)
        else:
            assert np.max(np.abs(served[key] - value)) <= TOLERANCE, key
    return served


def _one_line_error(status, err):
    assert status == 2
    assert err.startswith("jointcomp: error: ") and err.count("\n") == 1, err
    return err


def test_summary_lists_each_endpoint_with_its_specs(exported):
    summary = exported.summary
    assert summary["out_dir"] == exported.out_dir and summary["model_file"] == exported.model_file
    endpoints = summary["endpoints"]
    assert list(endpoints) == ["encode", "decode", "classify", "serving_default"]
    images = {"dtype": "float32", "shape": [None, 28, 28, 1]}
    latent = {"dtype": "int32", "shape": [None, 5, 5, 16]}
    assert endpoints["encode"] == {"inputs": {"images": images}, "outputs": {"latent": latent}}
    assert endpoints["decode"] == {"inputs": {"latent": latent}, "outputs": {"reconstruction": images}}
    assert endpoints["classify"] == {"inputs": {"latent": latent},
                                     "outputs": {"logits": {"dtype": "float32", "shape": [None, 10]}}}
    assert endpoints["serving_default"]["inputs"] == {"images": images}
    assert sorted(endpoints["serving_default"]["outputs"]) == ["latent", "logits", "reconstruction"]


def test_tensorflow_alone_serves_the_keras_model_outputs(exported, tmp_path):
    served = _assert_served_outputs_match(exported.model, exported.out_dir, tmp_path)
    assert list(served["signatures"]) == ["classify", "decode", "encode", "serving_default"]
    assert len(np.unique(served["encode.latent"])) > 2  # the comparison covers more than one symbol


def test_uint8_images_are_served_as_their_float_form(exported, tmp_path):
    """The image endpoints take float32 images / 255 (the float form of the image contract) and return what
    the Keras model returns on the uint8 images themselves."""
    model = exported.model
    images = np.random.default_rng(1).integers(0, 256, (BATCH, 28, 28, 1)).astype(np.uint8)
    latent = ops.convert_to_numpy(model.encode(images))
    served = _serve(exported.out_dir, {"images": data.to_float(images), "latent": latent}, tmp_path)
    np.testing.assert_array_equal(served["encode.latent"], latent)
    np.testing.assert_array_equal(served["serving_default.latent"], latent)
    for key, value in model(images).items():
        assert np.max(np.abs(served[f"serving_default.{key}"] - ops.convert_to_numpy(value))) <= TOLERANCE, key


def test_saved_model_cli_runs_the_encode_signature(exported):
    images = np.zeros((1, 28, 28, 1)).tolist()  # --input_exprs takes Python literals only, not np calls
    result = subprocess.run(
        [sys.executable, "-m", "tensorflow.python.tools.saved_model_cli", "run", "--dir", exported.out_dir,
         "--tag_set", "serve", "--signature_def", "encode", "--input_exprs", f"images={images}"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Result for output key latent:" in result.stdout


def test_an_existing_export_is_not_overwritten(exported):
    before = os.path.getmtime(os.path.join(exported.out_dir, "saved_model.pb"))
    err = _one_line_error(*_export(exported.model_file, exported.out_dir)[::2])
    assert exported.out_dir in err and "already exists" in err and "--overwrite" in err
    assert os.path.getmtime(os.path.join(exported.out_dir, "saved_model.pb")) == before


def test_overwrite_never_replaces_a_folder_that_is_not_a_saved_model(exported, tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    err = _one_line_error(*_export(exported.model_file, tmp_path, "--overwrite")[::2])
    assert "is not a SavedModel folder" in err
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_a_model_without_decoder_replaces_an_older_export(exported, tmp_path):
    full = exported.model
    model = models.JointModel(encoder=full.encoder, quantizer=full.quantizer, classifier=full.classifier)
    model_file = models.save_model(model, tmp_path / "no_decoder.keras")
    out_dir = shutil.copytree(exported.out_dir, tmp_path / "saved_model")
    status, summary, err = _export(model_file, out_dir, "--overwrite")
    assert status == 0, err
    assert list(summary["endpoints"]) == ["encode", "classify", "serving_default"]
    served = _assert_served_outputs_match(model, str(out_dir), tmp_path)
    assert list(served["signatures"]) == ["classify", "encode", "serving_default"]
    assert "serving_default.reconstruction" not in served


@pytest.mark.parametrize("contents,message", [(None, "no such file"), (b"not a zip", "is not a .keras")])
def test_a_missing_or_corrupt_model_file_is_a_one_line_error(tmp_path, contents, message):
    model_file = tmp_path / "model.keras"
    if contents is not None:
        model_file.write_bytes(contents)
    err = _one_line_error(*_export(model_file, tmp_path / "saved_model")[::2])
    assert message in err and str(model_file) in err
    assert not (tmp_path / "saved_model").exists()


@pytest.mark.skipif(keras.backend.backend() == "tensorflow", reason="checks the other backends")
def test_the_python_api_names_the_backend_it_needs(tmp_path):
    with pytest.raises(ExportError, match="needs the TensorFlow backend"):
        export_saved_model(_model(), tmp_path / "saved_model")


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="export runs under TensorFlow only")
def test_the_python_api_exports_joint_models_only(tmp_path):
    plain = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(2)])
    with pytest.raises(ExportError, match="Only a JointModel"):
        export_saved_model(plain, tmp_path / "saved_model")


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="export runs under TensorFlow only")
def test_an_export_that_fails_halfway_keeps_the_previous_saved_model(tmp_path, monkeypatch):
    out_dir = tmp_path / "saved_model"
    export_saved_model(_model(), out_dir)
    before = {name: (out_dir / name).read_bytes() for name in ["saved_model.pb"]}
    listing = sorted(os.listdir(out_dir))

    def half_written(self, filepath, **kwargs):
        os.makedirs(filepath)
        open(os.path.join(filepath, "saved_model.pb"), "wb").write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(keras.export.ExportArchive()), "write_out", half_written)
    with pytest.raises(OSError, match="cannot write .*saved_model: No space left on device"):
        export_saved_model(_model(), out_dir, overwrite=True)
    assert sorted(os.listdir(out_dir)) == listing
    assert {name: (out_dir / name).read_bytes() for name in before} == before
    assert sorted(os.listdir(tmp_path)) == ["saved_model"]
