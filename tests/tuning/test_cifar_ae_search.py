import json

import keras_tuner
import pytest

from keras_jointcomp import models

from tests.scripts import load_script


def _load_script():
    return load_script("tuning/cifar_ae_search.py")


def test_space_tunes_depth_filters_and_training_knobs_and_passes_fixed_kwargs():
    search = _load_script()
    hp = keras_tuner.HyperParameters()
    model_kwargs, overrides = search.cifar_ae_space()(hp)
    assert set(model_kwargs) == {"convs_per_block", "base_filters"}
    assert set(overrides) == {"learning_rate", "batch_size", "reconstruction_weight"}
    hp = keras_tuner.HyperParameters()
    model_kwargs, _ = search.cifar_ae_space(fixed={"base_filters": 4})(hp)
    assert model_kwargs["base_filters"] == 4 and "base_filters" not in [p.name for p in hp.space]
    with pytest.raises(ValueError, match="No search space"):
        search.cifar_ae_space("atl_lenet")


@pytest.mark.parametrize("name,knob,low,high", [("cifar_conv_ae", "convs_per_block", 1, 3),
                                                 ("cifar_conv_ae", "base_filters", 4, 8),
                                                 ("cifar_mlp_ae", "features", 8, 16)])
def test_every_model_knob_changes_the_model(name, knob, low, high):
    assert knob in _load_script().MODEL_KNOBS[name]
    small = {"base_filters": 4, "classifier_filters": (4,)} if name == "cifar_conv_ae" else {"features": 8}
    assert (models.load(name, **{**small, knob: high}).count_params()
            > models.load(name, **{**small, knob: low}).count_params())


def test_tiny_search_trains_class_weighted_trials_and_saves_the_best(tiny_data_dir, tmp_path):
    out = tmp_path / "search"
    result = _load_script().main([
        "--dataset", "tiny_rgb", "--data-dir", str(tiny_data_dir), "--out-dir", str(out), "--max-trials", "1",
        "--epochs", "1", "--validation-fraction", "0.2", "--test-images", "8", "--no-augment",
        "--model-kwargs", '{"base_filters": 4, "convs_per_block": 1, "classifier_filters": [4]}'])
    assert result["objective"] == "val_logits_accuracy" and len(result["trials"]) == 1
    assert result["halved_classes"] == [2, 4, 9] and result["test_images"] == 8
    assert set(result["trials"][0]["hyperparameters"]) == {"learning_rate", "batch_size", "reconstruction_weight"}
    best = models.load_model(out / "best_model.keras")
    assert best.latent_shape == (8, 8, 8)
    assert "| 1 |" in (out / "results.md").read_text()
    assert json.loads((out / "results.json").read_text())["model"] == "cifar_conv_ae"
