"""`PatchWhitening` and `adapt_whitening`: airbench's frozen whitening convolution, and the identity init."""

import keras
import numpy as np
import pytest

from keras_jointcomp import models
from keras_jointcomp.initializers import PartialIdentity
from keras_jointcomp.layers import PatchWhitening, adapt_whitening


def _images(count=200):
    rng = np.random.default_rng(0)
    base = rng.random((count, 12, 12, 1))
    return np.clip(np.concatenate([base, 0.5 * base + 0.3 * rng.random(base.shape), rng.random(base.shape) * 0.2], -1), 0, 1)


def test_adapted_outputs_are_white_on_the_data_they_were_fitted_to():
    images = _images().astype("float32")
    layer = PatchWhitening(2, epsilon=1e-8)
    assert not layer.adapted
    layer.adapt(images)
    out = keras.ops.convert_to_numpy(layer(images)).reshape(-1, 24)
    assert layer.adapted and out.shape == (200 * 11 * 11, 24)
    whitened = out[:, :12]
    np.testing.assert_allclose(whitened.mean(0), 0, atol=1e-3)
    np.testing.assert_allclose(np.cov(whitened, rowvar=False, bias=True), np.eye(12), atol=2e-2)
    np.testing.assert_allclose(out[:, 12:], -whitened, atol=1e-4)  # the negatives, for the GELU after it


def test_fitted_filters_survive_a_save_and_reload(tmp_path):
    model = models.load("ldr_airbench", widths=(8, 8, 8))
    assert adapt_whitening(model.part("encoder"), np.random.default_rng(0).random((64, 32, 32, 3))) == 1
    assert adapt_whitening(model.part("encoder"), np.zeros((64, 32, 32, 3))) == 0  # fitted ones stay
    path = tmp_path / "m.keras"
    model.save(path)
    reloaded = models.load_model(path)
    x = np.random.default_rng(1).random((4, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(reloaded.encode(x)),
                               keras.ops.convert_to_numpy(model.encode(x)), atol=1e-5)


def test_every_encoder_of_a_multiple_encoder_model_is_fitted_to_its_own_plane():
    model = models.load("multi_encoder_airbench", width=0.25)
    images = np.random.default_rng(0).random((32, 32, 32, 3)) * np.array([1.0, 0.5, 0.1])
    assert adapt_whitening(model.part("encoder"), images) == 3
    layers = [layer for layer in model._flatten_layers() if isinstance(layer, PatchWhitening)]
    biases = [keras.ops.convert_to_numpy(layer.bias) for layer in layers]
    assert not np.allclose(biases[0], biases[2])


def test_adapt_names_a_bad_batch():
    with pytest.raises(ValueError, match=r"takes a batch \(N, H, W, C\)"):
        PatchWhitening().adapt(np.zeros((8, 8, 3)))


def test_partial_identity_passes_the_first_channels_through():
    kernel = keras.ops.convert_to_numpy(PartialIdentity(seed=0)((3, 3, 4, 6)))
    x = np.random.default_rng(0).random((1, 5, 5, 4)).astype("float32")
    y = keras.ops.convert_to_numpy(keras.ops.conv(x, kernel, padding="same"))
    np.testing.assert_allclose(y[..., :4], x, atol=1e-6)
    assert np.abs(kernel[..., 4:]).max() <= 1 / np.sqrt(36) + 1e-6 and np.abs(kernel[..., 4:]).max() > 0
