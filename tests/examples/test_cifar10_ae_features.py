import json

import numpy as np
import pytest

from tests.scripts import load_script

TINY = '{"base_filters": 4, "classifier_filters": [8]}'


def _load_example():
    return load_script("examples/cifar10_ae_features.py")


@pytest.mark.one_backend("tensorflow")
def test_quick_run_reports_both_methods_beside_the_study(tiny_data_dir, tmp_path, capsys):
    out = tmp_path / "out"
    result = _load_example().main(["--quick", "--dataset", "tiny_rgb", "--anomalies", "tiny", "--data-dir",
                                   str(tiny_data_dir), "--model-kwargs", TINY, "--out-dir", str(out)])
    # 6 images per class, bird, deer and truck halved to 3, then a tenth of each class held out (6 -> 5, 3 -> 3)
    assert list(result["train_counts"].values()) == [5, 5, 3, 5, 3, 5, 5, 5, 5, 3]
    assert result["class_weights"]["bird"] > result["class_weights"]["cat"]
    assert result["test_images"] == 16 and result["anomaly_images"] == 16
    for method in ("ae-features", "joint-weighted"):
        row = result["methods"][method]
        assert 0 <= row["test_accuracy"] <= 1 and row["test_mse"] > 0
        assert set(row["halved_recall"]) == {"bird", "deer", "truck"}
        assert np.sum(row["report"]["confusion"]) == 16
        assert 0 <= row["anomaly"]["auroc"] <= 1
        assert row["latent_shape"] == [8, 8, 8]
    markdown = (out / "results.md").read_text()
    assert "| classifier on frozen autoencoder features |" in markdown and "| 75.0 |" in markdown
    assert "| true \\ predicted | airplane |" in markdown
    assert json.loads((out / "results.json").read_text())["study"]["joint-weighted"] == 0.86
    assert json.loads(capsys.readouterr().out)["methods"]["joint-weighted"]["test_accuracy"] == \
        result["methods"]["joint-weighted"]["test_accuracy"]


def test_other_data_sets_are_shaped_like_the_model_inputs():
    example = _load_example()
    digits = np.arange(2 * 28 * 28).reshape(2, 28, 28, 1).astype(np.uint8)
    shaped = example.as_model_inputs(digits, (32, 32, 3))
    assert shaped.shape == (2, 32, 32, 3)
    np.testing.assert_array_equal(shaped[:, 2:30, 2:30, 1], digits[..., 0])
    assert shaped[:, :2].max() == 0
    assert example.as_model_inputs(np.zeros((1, 40, 36, 3), np.uint8), (32, 32, 3)).shape == (1, 32, 32, 3)


@pytest.mark.one_backend("jax")
def test_fast_run_uses_the_airbench_classifier_and_a_schedule(tiny_data_dir, tmp_path, capsys):
    out = tmp_path / "out"
    result = _load_example().main(["--fast", "--quick", "--dataset", "tiny_rgb", "--anomalies", "none",
                                   "--data-dir", str(tiny_data_dir), "--batch-size", "16", "--out-dir", str(out)])
    assert set(result["methods"]) == {"ae-features", "joint-weighted"}
    text = (out / "results.md").read_text()
    assert "model cifar_conv_ae_airbench" in text and "warmup-linear schedule" in text
