import numpy as np
import pytest
from keras import ops

from keras_jointcomp import models

TINY_CONV = {"base_filters": 4, "classifier_filters": (8,)}


def _images(n=2, seed=0):
    return np.random.default_rng(seed).random((n, 32, 32, 3)).astype("float32")


def test_conv_autoencoder_has_the_study_latent_and_both_heads():
    model = models.load("cifar_conv_ae")
    assert model.latent_shape == (8, 8, 64)
    assert model.output_keys == ("reconstruction", "logits")
    assert sorted(model.parts) == ["classifier", "decoder", "encoder"]
    assert model.bytes_per_image == 8 * 8 * 64 * 4 and model.compression_ratio == pytest.approx(3072 / 16384)
    assert any(type(layer).__name__ == "Conv2DTranspose" for layer in model.decoder.layers)


def test_conv_autoencoder_shapes_follow_blocks_and_filters():
    model = models.load("cifar_conv_ae", input_shape=(16, 16, 3), num_classes=4, base_filters=4, blocks=3,
                        convs_per_block=1, classifier_filters=(8,))
    assert model.latent_shape == (2, 2, 16)
    outputs = model(np.zeros((3, 16, 16, 3), "float32"))
    assert tuple(outputs["reconstruction"].shape) == (3, 16, 16, 3) and tuple(outputs["logits"].shape) == (3, 4)


def test_mlp_autoencoder_features_are_batch_normalised():
    model = models.load("cifar_mlp_ae", features=32, hidden_units=8)
    assert model.latent_shape == (32,)
    assert [type(layer).__name__ for layer in model.encoder.layers] == ["Flatten", "Dense", "BatchNormalization"]
    outputs = model(_images())
    assert tuple(outputs["reconstruction"].shape) == (2, 32, 32, 3)
    reconstruction = ops.convert_to_numpy(outputs["reconstruction"])
    assert reconstruction.min() >= 0 and reconstruction.max() <= 1


@pytest.mark.parametrize("name,kwargs", [("cifar_conv_ae", TINY_CONV), ("cifar_mlp_ae", {"features": 16})])
def test_round_trip_keeps_outputs(tmp_path, name, kwargs):
    model = models.load(name, **kwargs)
    images = _images(seed=1)
    restored = models.load_model(models.save_model(model, tmp_path / f"{name}.keras"))
    assert restored.output_keys == model.output_keys and restored.latent_shape == model.latent_shape
    for key, value in model.predict(images, verbose=0).items():
        np.testing.assert_allclose(restored.predict(images, verbose=0)[key], value, atol=1e-5)


def test_encode_classify_decode_match_the_joint_outputs():
    model = models.load("cifar_conv_ae", **TINY_CONV)
    images = _images(seed=2)
    outputs = model.predict(images, verbose=0)
    latent = model.encode(images)
    np.testing.assert_allclose(ops.convert_to_numpy(model.classify(latent)), outputs["logits"], atol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(model.decode(latent)), outputs["reconstruction"], atol=1e-5)


def test_bad_sizes_are_named():
    with pytest.raises(ValueError, match="multiples of 4"):
        models.load("cifar_conv_ae", input_shape=(30, 30, 3))
    with pytest.raises(ValueError, match="convs_per_block"):
        models.load("cifar_conv_ae", convs_per_block=0)
    with pytest.raises(ValueError, match="features"):
        models.load("cifar_mlp_ae", features=0)


def test_both_models_are_registered():
    assert {"cifar_conv_ae", "cifar_mlp_ae"} <= set(models.available())


def test_batch_norm_can_be_removed_and_its_momentum_set():
    def norms(model):
        return [layer for part in model.parts.values() for layer in part.layers
                if type(layer).__name__ == "BatchNormalization"]

    assert not norms(models.load("cifar_conv_ae", batch_norm=False, **TINY_CONV))
    assert {layer.momentum for layer in norms(models.load("cifar_conv_ae", bn_momentum=0.8, **TINY_CONV))} == {0.8}
