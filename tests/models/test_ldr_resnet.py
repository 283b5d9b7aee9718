import numpy as np
import pytest
from keras import ops

from keras_jointcomp import models


def test_ldr_models_output_logits_and_side_features_from_a_float_latent():
    model = models.load("ldr_resnet_small", width=0.125, latent_dim=16, feature_dim=8)
    assert model.output_keys == ("logits", "features")
    assert sorted(model.parts) == ["classifier", "encoder", "side_branch"]
    assert model.latent_shape == (16,) and model.bytes_per_image == 64
    images = np.random.default_rng(0).random((3, 32, 32, 3)).astype("float32")
    outputs = model(images)
    assert tuple(outputs["features"].shape) == (3, 8) and tuple(outputs["logits"].shape) == (3, 10)
    np.testing.assert_allclose(ops.convert_to_numpy(model.classify(model.encode(images))),
                               ops.convert_to_numpy(model.predict(images, verbose=0)["logits"]), atol=1e-5)
    side = model.side_network()
    np.testing.assert_allclose(ops.convert_to_numpy(side(images)), ops.convert_to_numpy(outputs["features"]),
                               atol=1e-5)


@pytest.mark.parametrize("name,blocks", [("ldr_resnet18", 8), ("ldr_resnet34", 16)])
def test_registered_resnets_have_the_study_depths(name, blocks):
    model = models.load(name, width=0.125)
    adds = [layer for layer in model.encoder.layers if layer.__class__.__name__ == "Add"]
    assert len(adds) == blocks
    assert model.latent_shape == ((64,) if name == "ldr_resnet18" else (128,))


def test_round_trip_keeps_the_side_branch(tmp_path):
    model = models.load("ldr_resnet_small", width=0.125, latent_dim=8)
    images = np.random.default_rng(1).random((2, 32, 32, 3)).astype("float32")
    restored = models.load_model(models.save_model(model, tmp_path / "ldr.keras"))
    assert restored.output_keys == model.output_keys
    for key, value in model(images).items():
        np.testing.assert_allclose(ops.convert_to_numpy(restored(images)[key]), ops.convert_to_numpy(value),
                                   atol=1e-5)


def test_bad_sizes_and_depths_are_named():
    with pytest.raises(ValueError, match="latent_dim"):
        models.load("ldr_resnet_small", latent_dim=0)
    with pytest.raises(ValueError, match="depth"):
        models.load("ldr_resnet_small", depth=50)
