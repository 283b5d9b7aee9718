import importlib.util
import json
import os

import pytest

from keras_jointcomp import models

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:keras_tuner.src.engine.oracle")


def _load_script(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(REPO, "tuning", f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tiny_flags(data_dir, out):
    return ["--data-dir", str(data_dir), "--epochs", "1", "--train-images", "30", "--validation-fraction", "0.34",
            "--batch-size", "20", "--out-dir", str(out)]


def _screening_argv(data_dir, out, *extra):
    return ["--dataset", "tiny_rgb", "--dims", "8,16", "--model-kwargs", '{"width": 0.125}',
            *_tiny_flags(data_dir, out), *extra]


def test_screening_writes_table_json_and_best_model_and_never_overwrites_it(tiny_data_dir, tmp_path, capsys):
    screen = _load_script("screen_latent")
    out = tmp_path / "screen"
    argv = _screening_argv(tiny_data_dir, out, "--test-images", "0")
    result = screen.main(argv)
    assert [row["latent_dim"] for row in result["rows"]] == [8, 16]
    assert [row["bytes_per_image"] for row in result["rows"]] == [32, 64]
    assert all(0.0 <= row["val_accuracy"] <= 1.0 and row["test_accuracy"] is None for row in result["rows"])
    assert result["train_images"] + result["validation_images"] == 30 and result["test_images"] == 0
    table = capsys.readouterr().out
    assert "| d_y | bytes/image (float32) | val accuracy % | test accuracy % |" in table
    assert f"| **{result['best_latent_dim']}** |" in table and " | - |" in table
    assert (out / "results.md").read_text().strip() == table.strip()
    assert json.loads((out / "results.json").read_text())["best_latent_dim"] == result["best_latent_dim"]
    assert (out / "tuner" / "oracle.json").exists()
    best = models.load_model(out / "best_model.keras")
    assert best.latent_shape == (result["best_latent_dim"],) and best.num_classes == 10
    with pytest.raises(SystemExit, match="already exists; pass --overwrite"):
        screen.main(argv)


@pytest.mark.slow
def test_screening_measures_test_accuracy_and_replaces_the_model_with_overwrite(tiny_data_dir, tmp_path):
    screen = _load_script("screen_latent")
    out = tmp_path / "screen"
    first = screen.main(_screening_argv(tiny_data_dir, out, "--tuner", "random"))
    assert all(0.0 <= row["test_accuracy"] <= 1.0 for row in first["rows"]) and first["test_images"] == 16
    before = (out / "best_model.keras").stat().st_mtime_ns
    second = screen.main(_screening_argv(tiny_data_dir, out, "--dims", "8", "--overwrite"))
    assert [row["latent_dim"] for row in second["rows"]] == [8] and second["best_latent_dim"] == 8
    assert (out / "best_model.keras").stat().st_mtime_ns > before
    assert models.load_model(out / "best_model.keras").latent_shape == (8,)


def test_screening_refuses_models_without_a_latent_dim(capsys):
    with pytest.raises(SystemExit):
        _load_script("screen_latent").main(["--model", "atl_lenet"])
    assert "atl_lenet takes no latent_dim" in capsys.readouterr().err


@pytest.mark.slow  # the screening script's test runs the same search machinery in the default suite
def test_generic_search_over_a_joint_model(tiny_data_dir, tmp_path, capsys):
    search = _load_script("search")
    out = tmp_path / "search"
    result = search.main(["--model", "atl_lenet", "--dataset", "tiny", "--network", "joint", "--max-trials", "1",
                          "--knobs", "num_bits,reconstruction_weight", *_tiny_flags(tiny_data_dir, out)])
    assert result["objective"] == "val_logits_accuracy" and len(result["trials"]) == 1
    assert set(result["trials"][0]["hyperparameters"]) == {"num_bits", "reconstruction_weight"}
    table = capsys.readouterr().out
    assert "| rank | trial | val accuracy % | test accuracy % | num_bits | reconstruction_weight |" in table
    best = models.load_model(out / "best_model.keras")
    assert best.quantizer.num_bits == result["trials"][0]["hyperparameters"]["num_bits"]


def test_search_refuses_knobs_that_do_not_apply(capsys):
    with pytest.raises(SystemExit):
        _load_script("search").main(["--model", "atl_lenet", "--knobs", "latent_dim"])
    assert "latent_dim cannot be tuned for atl_lenet" in capsys.readouterr().err
