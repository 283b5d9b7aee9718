"""The airbench backbone's zoo models: sizes, outputs, and the switches of its two architectural tricks."""

import keras
import numpy as np
import pytest

from keras_jointcomp import models
from keras_jointcomp.layers import PatchWhitening


def test_ldr_airbench_is_airbench93_sized_with_a_latent_and_side_branch():
    model = models.load("ldr_airbench")
    assert model.latent_shape == (64,) and set(model.parts) == {"encoder", "classifier", "side_branch"}
    assert 0.55e6 < model.count_params() < 0.65e6
    out = model(np.zeros((2, 32, 32, 3), "float32"))
    assert out["logits"].shape == (2, 10) and out["features"].shape == (2, 128)


def test_the_architectural_tricks_switch_off():
    plain = models.load("ldr_airbench", whitening=False, identity_init=False, widths=(8, 8, 8))
    assert not any(isinstance(layer, PatchWhitening) for layer in plain._flatten_layers())
    conv = next(layer for layer in plain.part("encoder").layers if isinstance(layer, keras.layers.Conv2D)
                and layer.kernel.shape[0] == 3)
    kernel = keras.ops.convert_to_numpy(conv.kernel)
    assert not np.allclose(kernel[1, 1, :, :8], np.eye(kernel.shape[2], 8), atol=0.05)


def test_multi_encoder_airbench_sends_24_bits_from_three_planes():
    model = models.load("multi_encoder_airbench")
    assert model.latent_shape == (24,)
    assert sum(isinstance(layer, PatchWhitening) for layer in model._flatten_layers()) == 3
    assert model(np.zeros((1, 32, 32, 3), "float32"))["logits"].shape == (1, 10)


def test_cifar_conv_ae_airbench_keeps_the_study_autoencoder():
    model = models.load("cifar_conv_ae_airbench")
    out = model(np.zeros((1, 32, 32, 3), "float32"))
    assert model.latent_shape == (8, 8, 64) and out["reconstruction"].shape == (1, 32, 32, 3)
    assert out["logits"].shape == (1, 10)


@pytest.mark.parametrize("overrides, message", [({"widths": ()}, "widths must be one or more"),
                                                ({"latent_dim": 0}, "latent_dim and feature_dim must be positive")])
def test_bad_sizes_are_named(overrides, message):
    with pytest.raises(ValueError, match=message):
        models.load("ldr_airbench", **overrides)
