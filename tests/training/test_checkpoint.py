"""Resumable training: a run stopped at any epoch and resumed ends where an uninterrupted run ends.

Tolerances: under TensorFlow and JAX the resumed run repeats the uninterrupted one (records to a relative
1e-4, outputs to 1e-3: float sums compiled in another order are the only difference, and Adam turns such
noise in near-zero gradients into steps of the learning rate's size, so weights are not compared), since
the checkpoint holds the weights, the optimizer state, the random generators' states and the data order.
PyTorch draws dropout masks from its own global generator, so there only the phases finished before the stop
are compared exactly, and the rest by their finite, trained weights.
"""

import json
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
from keras import ops

from keras_jointcomp import models, training
from tests.conftest import tiny_images

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXACT = keras.backend.backend() in ("tensorflow", "jax")


class Stop(Exception):
    """Stands for a crash or a kill in the middle of a run."""


class StopAfter(keras.callbacks.Callback):
    """Raises `Stop` at the end of the ``count``-th epoch of the whole run (before it is saved)."""

    def __init__(self, count):
        super().__init__()
        self.count = count

    def on_epoch_end(self, epoch, logs=None):
        self.count -= 1
        if self.count == 0:
            raise Stop


def _config(checkpoint=None):
    return training.TrainingConfig(batch_size=16, seed=3, verbose=0, checkpoint=checkpoint)


def _run(method, directory=None, resume=False, stop_after=None, epochs=3, **options):
    keras.utils.set_random_seed(0)
    model = models.load("atl_lenet", num_classes=4)
    checkpoint = None if directory is None else training.TrainingCheckpoint(directory, resume=resume)
    callbacks = [StopAfter(stop_after)] if stop_after else None
    images, labels = tiny_images(48, num_classes=4, seed=1)
    records = training.train(method, model, (images, labels), epochs, _config(checkpoint), callbacks=callbacks,
                             **options)
    return model, records


def _weights(model):
    return [ops.convert_to_numpy(weight) for weight in model.weights]


@pytest.mark.parametrize("method,stop_after,options", [
    ("classifier-driven", 4, {}),  # stopped in the second phase, on latents behind the frozen compressor
    ("atl", 3, {"epoch_sets": 1, "epochs": 1}),  # stopped inside the epoch set, between two measurements
])
def test_a_stopped_run_resumes_to_the_uninterrupted_result(tmp_path, method, stop_after, options):
    expected, expected_records = _run(method, **options)
    with pytest.raises(Stop):
        _run(method, tmp_path / "run", stop_after=stop_after, **options)
    resumed, records = _run(method, tmp_path / "run", resume=True, **options)
    assert [record["phase"] for record in records] == [record["phase"] for record in expected_records]
    if EXACT:
        np.testing.assert_allclose(_numbers(records), _numbers(expected_records), rtol=1e-4, atol=1e-5)
        images = tiny_images(16, seed=9)[0]
        got, want = resumed.predict(images, verbose=0), expected.predict(images, verbose=0)
        for key in want:
            np.testing.assert_allclose(got[key], want[key], atol=1e-3)
    else:
        assert all(np.isfinite(weight).all() for weight in _weights(resumed))


def _numbers(records):
    return [value for record in records for key, values in sorted(record.items()) if key != "phase"
            for value in np.ravel(values)]


def test_a_checkpoint_is_never_overwritten_by_a_new_run(tmp_path):
    with pytest.raises(Stop):
        _run("baseline-ae", tmp_path / "run", stop_after=1)
    before = (tmp_path / "run" / "state.json").read_bytes()
    with pytest.raises(training.CheckpointError, match="already holds a checkpoint; add --resume"):
        _run("baseline-ae", tmp_path / "run")
    assert (tmp_path / "run" / "state.json").read_bytes() == before


def test_resuming_another_run_or_nothing_is_refused(tmp_path):
    with pytest.raises(training.CheckpointError, match="no checkpoint to resume"):
        training.TrainingCheckpoint(tmp_path / "empty", resume=True)
    with pytest.raises(Stop):
        _run("baseline-ae", tmp_path / "run", stop_after=1)
    with pytest.raises(training.CheckpointError, match="not the same run"):
        _run("baseline-cnn", tmp_path / "run", resume=True)
    training.TrainingCheckpoint(tmp_path / "fp", fingerprint="a")._write_state()
    with pytest.raises(training.CheckpointError, match="of another run"):
        training.TrainingCheckpoint(tmp_path / "fp", resume=True, fingerprint="b")


def test_a_damaged_checkpoint_is_one_line(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "state.json").write_text("{not json")
    with pytest.raises(training.CheckpointError, match="damaged checkpoint"):
        training.TrainingCheckpoint(tmp_path / "run", resume=True)


def _train_command(data_dir, out, checkpoint, *extra):
    return [sys.executable, "-m", "keras_jointcomp", "train", "atl_lenet", "--method", "baseline-ae",
            "--dataset", "tiny", "--data-dir", str(data_dir), "--epochs", "40", "--batch-size", "4",
            "--out", str(out), "--checkpoint-dir", str(checkpoint), *extra]


@pytest.mark.one_backend("torch")
def test_kill_9_then_resume_from_the_command_line(tiny_data_dir, tmp_path):
    env = {**os.environ, "PYTHONPATH": REPO}
    checkpoint, out = tmp_path / "checkpoint", tmp_path / "model.keras"
    process = subprocess.Popen(_train_command(tiny_data_dir, out, checkpoint), env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = checkpoint / "state.json"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        if state.exists() and json.loads(state.read_text())["fits"][0]["done"] >= 3:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert not out.exists()  # the model is written only at the end
    done = json.loads(state.read_text())["fits"][0]["done"]
    assert 3 <= done < 40
    result = subprocess.run(_train_command(tiny_data_dir, out, checkpoint, "--resume"), env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"resumed after epoch {done}" in result.stderr
    history = json.loads(result.stdout)["history"][0]
    assert len(history["loss"]) == 40 and out.exists()
