import json
import os
import subprocess
import sys

import pytest

from keras_jointcomp.cli import main

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(argv, capsys):
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_list_shows_models_methods_and_datasets(capsys):
    status, out, _ = _run(["list", "--json"], capsys)
    listing = json.loads(out)
    assert status == 0
    assert "atl_lenet" in listing["models"] and "joint" in listing["methods"]
    assert "mnist" in listing["datasets"] and "mnist5k" in listing["datasets"]


@pytest.fixture
def trained_file(tiny_data_dir, tmp_path, capsys):
    out = tmp_path / "tiny.keras"
    status, stdout, stderr = _run(["train", "atl_lenet", "--dataset", "tiny", "--data-dir", str(tiny_data_dir),
                                   "--epochs", "1", "--batch-size", "16", "--out", str(out)], capsys)
    assert status == 0, stderr
    summary = json.loads(stdout)  # progress went to stderr, so stdout is pure JSON
    assert summary["out"] == str(out) and summary["test"]["n_images"] == 16
    return out


def test_train_then_evaluate_prints_one_json_object(trained_file, tiny_data_dir, capsys):
    status, out, _ = _run(["evaluate", str(trained_file), "--dataset", "tiny", "--data-dir", str(tiny_data_dir),
                           "--json"], capsys)
    assert status == 0
    report = json.loads(out)
    assert {"accuracy", "psnr_db", "bytes_per_image", "compression_ratio", "n_images"} <= set(report)
    assert report["bytes_per_image"] == 200 and report["n_images"] == 16
    assert 23 < report["stream_bytes_per_image"] < 200  # `train` fitted entropy tables: real streams
    assert 0 <= report["accuracy"] <= 1 and report["psnr_db"] > 0


def test_train_adapts_the_model_to_rgb_images(tiny_data_dir, tmp_path, capsys):
    out = tmp_path / "rgb.keras"
    status, stdout, _ = _run(["train", "atl_lenet", "--dataset", "tiny_rgb", "--data-dir", str(tiny_data_dir),
                              "--epochs", "1", "--batch-size", "16", "--out", str(out)], capsys)
    assert status == 0
    assert json.loads(stdout)["test"]["bytes_per_image"] == 6 * 6 * 16 * 4 // 8


def test_train_does_not_overwrite_an_existing_file(trained_file, tiny_data_dir, capsys):
    before = trained_file.read_bytes()
    status, _, err = _run(["train", "atl_lenet", "--dataset", "tiny", "--data-dir", str(tiny_data_dir),
                           "--epochs", "1", "--out", str(trained_file)], capsys)
    assert status == 2 and "already exists" in err and "--overwrite" in err
    assert trained_file.read_bytes() == before


def _one_line_error(status, err):
    assert status == 2
    assert err.startswith("jointcomp: error: ") and err.count("\n") == 1, err
    return err


def test_evaluate_errors_are_one_line(trained_file, tiny_data_dir, tmp_path, capsys):
    cases = {
        "no such file": ["evaluate", str(tmp_path / "missing.keras"), "--dataset", "tiny",
                      "--data-dir", str(tiny_data_dir)],
        "no_such_set": ["evaluate", str(trained_file), "--dataset", "no_such_set",
                        "--data-dir", str(tiny_data_dir)],
        "do not fit": ["evaluate", str(trained_file), "--dataset", "tiny_rgb", "--data-dir", str(tiny_data_dir)],
    }
    for expected, argv in cases.items():
        err = _one_line_error(*_run(argv, capsys)[::2])
        assert expected in err


def test_unknown_model_error_is_one_line(capsys):
    err = _one_line_error(*_run(["train", "no_such_model"], capsys)[::2])
    assert "invalid choice: 'no_such_model'" in err and "atl_lenet" in err


def test_module_entry_point_exits_cleanly_without_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "keras_jointcomp", "evaluate", str(tmp_path / "x.keras")],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": REPO}, timeout=300)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"jointcomp: error: evaluate: argument model_file: no such file: {tmp_path / 'x.keras'} "
        f"(see jointcomp evaluate --help)"]


def test_atl_then_cross_domain_from_the_command_line(tiny_data_dir, tmp_path, capsys):
    atl_file = tmp_path / "atl.keras"
    common = ["--data-dir", str(tiny_data_dir), "--batch-size", "16", "--epochs", "1"]
    status, out, err = _run(["train", "atl_lenet", "--method", "atl", "--dataset", "tiny", "--epoch-sets", "1",
                             "--out", str(atl_file), *common], capsys)
    assert status == 0, err
    phases = [record["phase"] for record in json.loads(out)["history"]]
    assert phases == ["epoch set 1", "fine-tuned"]
    status, out, err = _run(["train", "atl_lenet", "--method", "cross-domain", "--source", str(atl_file),
                             "--dataset", "tiny", "--out", str(tmp_path / "cd.keras"), *common], capsys)
    assert status == 0, err
    assert json.loads(out)["history"][0]["phase"] == "classifier on frozen compressor"


@pytest.mark.parametrize("argv,message", [
    (["--method", "cross-domain"], "arguments are required: --source"),
    (["--method", "multi-domain"], "arguments are required: --domains"),
    (["--method", "multi-domain", "--domains", "tiny"], "the data set left out"),
    (["--method", "no-such-method"], "invalid choice: 'no-such-method'"),
    (["--method", "atl", "--epoch-sets", "0"], "--epoch-sets: must be at least 1"),
    (["--epoch-sets", "2"], "unrecognized arguments: --epoch-sets 2"),  # an option of another method
    (["--learning-rate", "-1"], "--learning-rate: must be greater than 0"),
    (["--learning-rate", "nan"], "--learning-rate: a finite number is needed"),
    (["--rounding-gap-weight", "-0.5"], "--rounding-gap-weight: must be at least 0"),
    (["--batch-size", "0"], "--batch-size: must be at least 1"),
    (["--epochs", "two"], "--epochs: a whole number is needed"),
    (["--resume"], "--resume needs --checkpoint-dir"),
])
def test_method_options_are_checked(tiny_data_dir, tmp_path, capsys, argv, message):
    err = _one_line_error(*_run(["train", "atl_lenet", "--dataset", "tiny", "--data-dir", str(tiny_data_dir),
                                 "--out", str(tmp_path / "x.keras"), *argv], capsys)[::2])
    assert message in err
    assert not (tmp_path / "x.keras").exists()


def test_multi_encoder_with_the_rounding_gap_loss(tiny_data_dir, tmp_path, capsys):
    status, out, err = _run(["train", "multi_encoder_mnist", "--dataset", "tiny", "--data-dir", str(tiny_data_dir),
                             "--epochs", "1", "--batch-size", "16", "--rounding-gap-weight", "1.0",
                             "--out", str(tmp_path / "bits.keras")], capsys)
    assert status == 0, err
    summary = json.loads(out)
    assert summary["test"]["bytes_per_image"] == 2 and summary["test"]["psnr_db"] is None
    assert summary["history"][0]["latent_loss"][0] > 0


@pytest.mark.slow  # the zoo sweep trains ce-t and ldr-ft from the command line in the default suite
def test_ce_t_then_ldr_ft_from_the_command_line(tiny_data_dir, tmp_path, capsys):
    common = ["--dataset", "tiny_rgb", "--data-dir", str(tiny_data_dir), "--epochs", "1", "--batch-size", "16"]
    base = tmp_path / "ce-t.keras"
    status, out, err = _run(["train", "ldr_resnet_small", "--method", "ce-t", "--out", str(base), *common], capsys)
    assert status == 0, err
    status, out, err = _run(["train", "ldr_resnet_small", "--method", "ldr-ft", "--from-model", str(base),
                             "--out", str(tmp_path / "ldr-ft.keras"), *common], capsys)
    assert status == 0, err
    phases = [record["phase"] for record in json.loads(out)["history"]]
    assert phases[0] == "encoder on the LDR loss" and len(phases) == 5
    err = _one_line_error(*_run(["train", "ldr_resnet_small", "--method", "duphil", "--from-model", str(base),
                                 "--dataset", "tiny", "--data-dir", str(tiny_data_dir),
                                 "--out", str(tmp_path / "x.keras")], capsys)[::2])
    assert "takes images of shape (32, 32, 3)" in err


def test_train_fast_uses_airbench_settings_and_flags_replace_them(tiny_data_dir, tmp_path, capsys, monkeypatch):
    from keras_jointcomp.training import phases

    made = []
    real_init = phases.PhaseRunner.__init__

    def record(self, model, config=None):
        made.append(config)
        real_init(self, model, config)

    monkeypatch.setattr(phases.PhaseRunner, "__init__", record)
    out = tmp_path / "fast.keras"
    status, stdout, stderr = _run(["train", "ldr_airbench", "--method", "ce-t", "--fast", "--dataset", "tiny_rgb",
                                   "--data-dir", str(tiny_data_dir), "--epochs", "1", "--batch-size", "16",
                                   "--weight-averaging", "0", "--out", str(out)], capsys)
    assert status == 0, stderr
    config = made[0]
    assert (config.optimizer, config.batch_size, config.weight_averaging, config.label_smoothing,
            config.augmentation) == ("sgd", 16, 0, 0.2, "flip-translate")
    assert json.loads(stdout)["test"]["n_images"] == 16 and out.exists()
