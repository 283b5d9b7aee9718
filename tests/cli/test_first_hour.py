"""What a new user meets first: answers without waiting for Keras, quiet output, checked inputs, one line
for every expected failure."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from keras_jointcomp import models, training
from keras_jointcomp.cli import main

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOISE = ("I0000", "E0000", "W0000", "oneDNN", "cuInit", "cuda", "absl::InitializeLog", "Skipping variable loading")


def _command(*args, env=None):
    return subprocess.run([sys.executable, "-m", "keras_jointcomp", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": REPO, **(env or {})}, timeout=300)


@pytest.mark.parametrize("argv", [["--help"], ["list"], ["train", "--help"], ["train", "atl_lenet", "--epochs", "0"],
                                  ["trian"], ["train", "atl_lenet", "--method", "atl", "--help"]])
def test_help_list_and_argument_errors_do_not_import_keras(argv):
    code = ("import sys\nfrom keras_jointcomp.cli import main\n"
            f"try:\n    status = main({argv!r})\nexcept SystemExit as exit:\n    status = exit.code\n"
            "assert 'keras' not in sys.modules and 'tensorflow' not in sys.modules, sorted(sys.modules)\n"
            "print('status', status)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": REPO})
    assert result.returncode == 0, result.stderr
    assert "status 0" in result.stdout or "status 2" in result.stdout


def test_train_help_shows_defaults_and_the_methods_own_options(capsys):
    with pytest.raises(SystemExit):
        main(["train", "faces_conv_ae", "--method", "distinctiveness-pruning", "--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines to the terminal's width
    assert "--batch-size BATCH_SIZE images per training step (default 512; 1024 with --fast)" in text
    assert "--optimizer {adam,sgd} adam or Nesterov sgd --momentum" in text  # no "(default: None)"
    assert "options of --method distinctiveness-pruning" in text
    assert "--prune-every PRUNE_EVERY" in text and "--units-to-prune UNITS_TO_PRUNE" in text


def test_commands_are_quiet_unless_verbose(tiny_data_dir, tmp_path):
    out = tmp_path / "m.keras"
    trained = _command("train", "atl_lenet", "--dataset", "tiny", "--data-dir", str(tiny_data_dir), "--epochs", "1",
                       "--batch-size", "16", "--out", str(out))
    assert trained.returncode == 0, trained.stderr[-2000:]
    noise = [line for line in trained.stderr.splitlines() if any(word in line for word in NOISE)]
    assert not noise, noise
    assert "[phase] joint: joint network, training encoder, quantizer, decoder, classifier" in trained.stderr
    evaluated = _command("evaluate", str(out), "--dataset", "tiny", "--data-dir", str(tiny_data_dir), "--json")
    assert evaluated.returncode == 0 and evaluated.stderr == ""  # no log lines, no optimizer warning
    assert json.loads(evaluated.stdout)["n_images"] == 16
    if keras.backend.backend() == "tensorflow":  # TensorFlow's own logs come back with --verbose
        verbose = _command("evaluate", str(out), "--dataset", "tiny", "--data-dir", str(tiny_data_dir), "--verbose")
        assert verbose.returncode == 0
        assert any(word in verbose.stderr for word in NOISE), verbose.stderr


def _one_line(status, err):
    assert status == 2 and err.startswith("jointcomp: error: ") and err.count("\n") == 1, err
    return err


def _data_dir(tmp_path, labels):
    images = np.random.default_rng(0).integers(0, 256, (len(labels), 28, 28, 1), dtype=np.uint8)
    np.savez(tmp_path / "odd.npz", x_train=images, y_train=np.asarray(labels), x_test=images,
             y_test=np.asarray(labels))
    return tmp_path


@pytest.mark.parametrize("labels,message", [
    ([0, 1, 2**40, 1], "must be 0..K-1 with every class present; found 3 classes from 0 to 1099511627776"),
    ([1, 2, 3, 1], "must be 0..K-1 with every class present; found 3 classes from 1 to 3"),
])
def test_labels_out_of_range_are_refused_before_any_model_is_built(tmp_path, capsys, labels, message):
    data_dir = _data_dir(tmp_path, labels)
    status = main(["train", "atl_lenet", "--dataset", "odd", "--data-dir", str(data_dir), "--out",
                   str(tmp_path / "x.keras")])
    assert message in _one_line(status, capsys.readouterr().err)


def test_labels_outside_a_trained_models_classes_are_refused(tmp_path, capsys):
    path = models.save_model(models.load("atl_lenet", num_classes=3), tmp_path / "three.keras")
    data_dir = _data_dir(tmp_path, [0, 1, 2, 3, 4])
    status = main(["train", "atl_lenet", "--from-model", str(path), "--dataset", "odd", "--data-dir",
                   str(data_dir), "--out", str(tmp_path / "x.keras")])
    err = _one_line(status, capsys.readouterr().err)
    assert "training labels[3] is 3; class indices must be within 0..2 (3 classes)" in err
    status = main(["evaluate", str(path), "--dataset", "odd", "--data-dir", str(data_dir)])
    assert "labels" in _one_line(status, capsys.readouterr().err)


def test_the_python_api_checks_settings_labels_and_method_needs():
    with pytest.raises(ValueError, match="learning_rate must be a positive number, got -1"):
        training.TrainingConfig(learning_rate=-1)
    with pytest.raises(ValueError, match="classification_weight must be a number of at least 0"):
        training.TrainingConfig(classification_weight=float("nan"))
    images = np.zeros((4, 28, 28, 1), np.uint8)
    model = models.load("atl_lenet", num_classes=3)
    with pytest.raises(ValueError, match="training labels"):
        training.train("joint", model, (images, np.array([0, 1, 2, 7])), 1, training.TrainingConfig(verbose=0))
    with pytest.raises(ValueError, match="training labels"):
        training.train("joint", model, (images, np.array([0.0, 1.0, 2.0, 1.5])), 1, training.TrainingConfig())
    with pytest.raises(ValueError, match="atl has no option 'prune_every'"):
        training.train("atl", model, (images, np.zeros(4, int)), 1, training.TrainingConfig(), prune_every=3)
    with pytest.raises(ValueError, match="option patience of atl must be at least 1"):
        training.train("atl", model, (images, np.zeros(4, int)), 1, training.TrainingConfig(), patience=0)
    with pytest.raises(ValueError, match="method atl needs a model with a classifier that reads the latent"):
        training.train("atl", models.load("multi_encoder_mnist"), (images, np.zeros(4, int)), 1,
                       training.TrainingConfig())
    faces = models.load("faces_conv_ae")
    with pytest.raises(ValueError, match="method baseline-cnn needs a model with a classifier"):
        training.train("baseline-cnn", faces, (np.zeros((4, 30, 32, 1), np.uint8), np.zeros(4, int)), 1,
                       training.TrainingConfig())


def test_files_that_hold_something_else_and_unwritable_outputs_are_one_line(tmp_path, capsys):
    plain = tmp_path / "plain.keras"
    keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]).save(plain)
    status = main(["evaluate", str(plain)])
    assert "holds a Sequential, not a keras_jointcomp JointModel" in _one_line(status, capsys.readouterr().err)
    model_file = models.save_model(models.load("atl_lenet"), tmp_path / "m.keras")
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    status = main(["export", str(model_file), str(blocker / "saved_model")])
    assert "is a file, not a folder" in _one_line(status, capsys.readouterr().err)
    status = main(["train", "atl_lenet", "--out", str(blocker / "m.keras")])
    assert "is a file, not a folder" in _one_line(status, capsys.readouterr().err)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_is_refused_before_any_work(tmp_path, capsys):
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o555)
    model_file = models.save_model(models.load("atl_lenet"), tmp_path / "m.keras")
    status = main(["export", str(model_file), str(folder / "saved_model")])
    assert "is not writable" in _one_line(status, capsys.readouterr().err)
