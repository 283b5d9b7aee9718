"""Data-parallel training (`training.data_parallel`, `jointcomp train --devices`): two CPU devices against one.

The multi-device runs start fresh processes: JAX reads its device count, and TensorFlow splits its CPU,
only before the backend starts.
"""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_jointcomp import models, training
from keras_jointcomp.data.pipeline import batch_count, batch_rows
from keras_jointcomp.training.distribution import HOST_DEVICE_FLAG

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BACKEND = keras.backend.backend()
needs_engine = pytest.mark.skipif(BACKEND == "torch", reason="Keras has no distribution for the torch backend")

# One AE phase, then one CNN phase on 64 images, on atl_lenet's parts without dropout (TensorFlow draws a
# dropout mask per replica) and with a float latent: the replicas sum gradients in another order than one
# device, and a rounded latent would turn that float32 noise into a symbol on the other side of a rounding
# boundary, after which every step differs. Batch 16 (4 steps an epoch) under JAX; under TensorFlow one batch
# an epoch, since MirroredStrategy does not always feed an epoch of several PyDataset batches alike (measured:
# 1 run in 3 off by 6e-3 after 8 steps, the others within 2e-6 of one device; README, data-parallel training).
BATCH_SIZE = 64 if BACKEND == "tensorflow" else 16
PHASES_SCRIPT = """
import sys, numpy as np, keras
from keras import ops
from keras_jointcomp import models, training
from tests.conftest import tiny_images
images, labels = tiny_images(64)
with training.data_parallel(int(sys.argv[1])) as engine:
    keras.utils.set_random_seed(0)
    lenet = models.load("atl_lenet", dropout=0.0)
    model = models.JointModel(encoder=lenet.encoder, decoder=lenet.decoder, classifier=lenet.classifier)
    initial = [ops.convert_to_numpy(w) for w in model.weights]
    runner = training.PhaseRunner(model, training.TrainingConfig(batch_size=int(sys.argv[3]), verbose=0))
    runner.run(training.Phase("ae", "autoencoder", ("encoder", "decoder")), images, labels)
    runner.run(training.Phase("cnn", "classifier", ("encoder", "classifier")), images, labels)
    replicas = getattr(engine, "num_replicas_in_sync", None) or getattr(engine, "num_model_replicas", 1)
    trained = [ops.convert_to_numpy(w) for w in model.weights]
    moved = max(float(np.abs(after - before).max()) for after, before in zip(trained, initial))
    np.savez(sys.argv[2], replicas=replicas, moved=moved, *trained)
"""


def _run(args, tmp_path, timeout=300):
    environment = {**os.environ, "KERAS_BACKEND": BACKEND, "PYTHONPATH": REPO, "TF_CPP_MIN_LOG_LEVEL": "3"}
    if BACKEND == "jax":  # TensorFlow's XLA reads the flag too, and then its two replicas stop matching one device
        environment["XLA_FLAGS"] = f"{HOST_DEVICE_FLAG}=2"
    result = subprocess.run([sys.executable, *args], cwd=tmp_path, env=environment, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@needs_engine
def test_two_devices_train_as_one_device_with_the_same_global_batch(tmp_path):
    weights = {}
    for devices in (1, 2):
        _run(["-c", PHASES_SCRIPT, str(devices), str(tmp_path / f"{devices}.npz"), str(BATCH_SIZE)], tmp_path)
        saved = np.load(tmp_path / f"{devices}.npz")
        assert int(saved["replicas"]) == devices
        assert float(saved["moved"]) > 1e-3  # trained: each weight may move by the learning rate a step
        weights[devices] = [saved[key] for key in saved.files if key not in ("replicas", "moved")]
    # The stated tolerance: the replicas sum their gradients in another order than one device does, which
    # moves a weight by float32 rounding (~1e-7) per step.
    for one, two in zip(weights[1], weights[2]):
        np.testing.assert_allclose(two, one, atol=1e-4)


@needs_engine
def test_cli_trains_atl_on_two_devices_and_its_file_loads_on_one(tiny_data_dir, tmp_path):
    outputs = {}
    for devices in (1, 2):
        out = tmp_path / f"atl_{devices}.keras"
        result = _run(["-m", "keras_jointcomp", "train", "atl_lenet", "--method", "atl", "--dataset", "tiny",
                       "--data-dir", str(tiny_data_dir), "--epoch-sets", "1", "--epochs", "1", "--batch-size",
                       "60", "--model-args", '{"dropout": 0}', "--devices", str(devices), "--out", str(out)],
                      tmp_path)
        assert json.loads(result.stdout)["test"]["accuracy"] is not None
        model = models.load_model(out)  # here: one device, no distribution
        assert model.zoo["name"] == "atl_lenet" and model.zoo["arguments"]["dropout"] == 0  # --model-args
        outputs[devices] = model.predict(np.linspace(0, 1, 4 * 28 * 28).reshape(4, 28, 28, 1).astype("float32"),
                                         verbose=0)
    # One batch an epoch (the 60 images; TensorFlow, above), and near one device's model rather than equal to
    # it: atl_lenet rounds its latent, so the replicas' other summation order can flip a symbol and every later
    # step then differs (equality is the float-latent test's above).
    for key in ("reconstruction", "logits"):
        np.testing.assert_allclose(outputs[2][key], outputs[1][key], atol=0.1)


@pytest.mark.skipif(BACKEND != "torch", reason="the torch backend is the one without a distribution")
def test_torch_asks_for_an_engine_it_does_not_have():
    with pytest.raises(ValueError, match="jax or tensorflow"):
        with training.data_parallel(2):
            pass


def test_only_jax_is_asked_for_host_devices(monkeypatch):
    from keras_jointcomp.training import distribution

    monkeypatch.delenv("XLA_FLAGS", raising=False)
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert distribution.configured_backend() == "jax"
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    distribution.request_host_devices(3)  # TensorFlow's XLA would read the flag too
    assert "XLA_FLAGS" not in os.environ


def test_one_device_is_the_usual_training_and_bad_counts_are_named():
    with training.data_parallel(1) as engine:
        assert engine is None
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="devices must be a whole number"):
            with training.data_parallel(bad):
                pass


def test_batches_split_evenly_between_replicas():
    order = np.arange(10)
    # training: the last batch (2 of batch 4 -> 2) keeps an even length; a last batch of 1 is dropped
    assert batch_count(10, 4, shuffle=True, replicas=2) == 3
    assert list(batch_rows(order, 2, 4, shuffle=True, replicas=2)) == [8, 9]
    assert batch_count(9, 4, shuffle=True, replicas=2) == 2
    assert list(batch_rows(order[:11], 1, 3, shuffle=True, replicas=2)) == [3, 4]
    # inference: every image is kept, the last batch padded with its last image
    assert batch_count(9, 4, shuffle=False, replicas=2) == 3
    assert list(batch_rows(order[:9], 2, 4, shuffle=False, replicas=2)) == [8, 8]
    assert batch_count(9, 4, shuffle=False) == 3 and batch_count(9, 4, shuffle=True) == 3
