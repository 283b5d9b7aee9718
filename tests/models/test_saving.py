import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from keras import ops

from keras_jointcomp import models

BACKENDS = ("tensorflow", "jax", "torch")
SCRIPT = os.path.join(os.path.dirname(__file__), "reload_in_backend.py")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _trained_model(tmp_path):
    """An atl_lenet with non-trivial weights whose latent spans several symbols."""
    keras.utils.set_random_seed(3)
    model = models.load("atl_lenet")
    for weight in model.encoder.weights:
        weight.assign(ops.convert_to_numpy(weight) * 4.0)
    return model


def _outputs(model, images):
    return {key: ops.convert_to_numpy(value) for key, value in model(images).items()}


def test_round_trip_gives_identical_outputs(tmp_path):
    model = _trained_model(tmp_path)
    images = np.random.default_rng(0).random((5, 28, 28, 1)).astype("float32")
    path = models.save_model(model, tmp_path / "m.keras")
    restored = models.load_model(path)
    assert isinstance(restored, models.JointModel)
    expected, got = _outputs(model, images), _outputs(restored, images)
    for key in expected:
        np.testing.assert_array_equal(got[key], expected[key])
    np.testing.assert_array_equal(ops.convert_to_numpy(restored.encode(images)),
                                  ops.convert_to_numpy(model.encode(images)))


@pytest.mark.parametrize("other", BACKENDS)
def test_file_saved_here_loads_predicts_and_resumes_under_another_backend(tmp_path, other):
    if other == keras.backend.backend():
        pytest.skip("same backend: covered by the round-trip test")
    model = _trained_model(tmp_path)
    images = np.random.default_rng(1).random((8, 28, 28, 1)).astype("float32")
    path = models.save_model(model, tmp_path / "m.keras")
    np.savez(tmp_path / "in.npz", images=images)
    env = {**os.environ, "KERAS_BACKEND": other, "PYTHONPATH": REPO}
    subprocess.run([sys.executable, SCRIPT, str(path), str(tmp_path / "in.npz"), str(tmp_path / "out.npz")],
                   env=env, check=True, capture_output=True, timeout=300)
    result = np.load(tmp_path / "out.npz")
    assert str(result["backend"]) == other
    for key, value in _outputs(model, images).items():
        np.testing.assert_allclose(result[key], value, atol=1e-5)
    assert np.isfinite(result["loss"])


def test_save_refuses_to_overwrite_without_permission(tmp_path):
    model = models.load("atl_lenet")
    path = models.save_model(model, tmp_path / "m.keras")
    before = os.path.getmtime(path), os.path.getsize(path)
    with pytest.raises(models.ModelFileError, match="already exists"):
        models.save_model(model, path)
    assert (os.path.getmtime(path), os.path.getsize(path)) == before
    models.save_model(model, path, overwrite=True)


def test_load_errors_name_the_problem(tmp_path):
    with pytest.raises(models.ModelFileError, match="not found"):
        models.load_model(tmp_path / "missing.keras")
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"not a zip archive")
    with pytest.raises(models.ModelFileError, match="not a .keras model file"):
        models.load_model(corrupt)
    with pytest.raises(models.ModelFileError, match="must end in .keras"):
        models.save_model(models.load("atl_lenet"), tmp_path / "m.h5")


def test_truncated_archive_is_reported_as_a_model_file_error(tmp_path):
    path = models.save_model(models.load("atl_lenet"), tmp_path / "m.keras")
    content = open(path, "rb").read()
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(content[: len(content) // 2])
    with pytest.raises(models.ModelFileError):
        models.load_model(truncated)


ZOO_SCRIPT = os.path.join(os.path.dirname(__file__), "reload_zoo_in_backend.py")


@pytest.mark.one_backend("jax")
def test_every_zoo_model_builds_calls_saves_and_reloads_on_every_backend(tmp_path):
    """Each registered model, at its default size: built, called on uint8 images, saved, reloaded here and
    under the two other backends, with the same outputs."""
    rng = np.random.default_rng(0)
    expected = {}
    for name in models.available():
        keras.utils.set_random_seed(0)
        model = models.load(name)
        images = rng.integers(0, 256, (2, *model.input_shape[1:]), dtype=np.uint8)
        expected[name] = _outputs(model, images)
        assert set(expected[name]) == set(model.output_keys)
        path = models.save_model(model, tmp_path / f"{name}.keras")
        np.savez(tmp_path / f"{name}.npz", images=images)
        for key, value in _outputs(models.load_model(path), images).items():
            np.testing.assert_array_equal(value, expected[name][key], err_msg=f"{name} {key}")
    for other in BACKENDS:
        if other == keras.backend.backend():
            continue
        env = {**os.environ, "KERAS_BACKEND": other, "PYTHONPATH": REPO}
        subprocess.run([sys.executable, ZOO_SCRIPT, str(tmp_path)], env=env, check=True, capture_output=True,
                       timeout=600)
        for name, outputs in expected.items():
            reloaded = np.load(tmp_path / f"{name}.out.npz")
            assert str(reloaded["backend"]) == other
            for key, value in outputs.items():
                np.testing.assert_allclose(reloaded[key], value, rtol=1e-4, atol=1e-4, err_msg=f"{name} {key} {other}")


def test_keras_own_loader_works_after_registering_the_custom_objects(tmp_path):
    path = models.save_model(_trained_model(tmp_path), tmp_path / "m.keras")
    models.saving.register_custom_objects()
    assert isinstance(keras.saving.load_model(path, compile=False), models.JointModel)
