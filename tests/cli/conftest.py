"""What the command-line tests share: running a command in-process, and a model with entropy tables."""

import json

import keras
import pytest

import keras_jointcomp as jc
from keras_jointcomp.cli import main


def run_cli(argv, capsys):
    """``jointcomp argv`` in this process: (exit status, stdout, stderr)."""
    status = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def model_file(tiny_data_dir, tmp_path, capsys):
    """``coded.keras``: an atl_lenet with entropy tables for step scales 1 and 2, fitted on ``tiny``."""
    keras.utils.set_random_seed(0)
    path = jc.models.save_model(jc.models.load("atl_lenet"), tmp_path / "plain.keras")
    out = tmp_path / "coded.keras"
    status, stdout, stderr = run_cli(["fit-entropy", path, "--dataset", "tiny", "--data-dir", tiny_data_dir,
                                      "--step-scales", "1,2", "--out", out], capsys)
    assert status == 0, stderr
    assert json.loads(stdout)["step_scales"] == [1.0, 2.0]
    return out
