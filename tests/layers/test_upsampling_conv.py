"""layers.UpsamplingConv2D: UpSampling2D(2) -> ZeroPadding2D -> Conv2D, computed at the input's resolution."""

import keras
import numpy as np
import pytest
from keras import layers

from keras_jointcomp.layers import UpsamplingConv2D
from keras_jointcomp.models import load_model, save_model


def _networks(kernel_size, padding, input_shape=(5, 5, 3), filters=4):
    """The same network twice: a 1x1 convolution (so the input gradient is checked through its update), then
    the three Keras layers or the fused layer, with equal weights."""
    def front():
        return layers.Conv2D(input_shape[-1], 1, name="front")

    keras.utils.set_random_seed(0)
    reference = keras.Sequential([keras.Input(input_shape), front(), layers.UpSampling2D(2),
                                  layers.ZeroPadding2D(padding), layers.Conv2D(filters, kernel_size, activation="tanh")])
    fused = keras.Sequential([keras.Input(input_shape), front(),
                              UpsamplingConv2D(filters, kernel_size, padding=padding, activation="tanh")])
    fused.set_weights(reference.get_weights())
    for network in (reference, fused):
        network.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return reference, fused


@pytest.mark.parametrize("kernel_size,padding", [(3, 2), (3, 0), (3, 1), (5, 3), (1, 0)])
def test_outputs_and_training_match_upsampling_padding_and_convolution(kernel_size, padding):
    reference, fused = _networks(kernel_size, padding)
    rng = np.random.default_rng(1)
    images = rng.normal(size=(6, 5, 5, 3)).astype("float32")
    expected = reference.predict(images, verbose=0)
    assert fused.output_shape == reference.output_shape == (None, *expected.shape[1:])
    np.testing.assert_allclose(fused.predict(images, verbose=0), expected, atol=1e-5)
    targets = rng.normal(size=expected.shape).astype("float32")
    for _ in range(3):
        np.testing.assert_allclose(fused.train_on_batch(images, targets), reference.train_on_batch(images, targets),
                                   rtol=1e-5)
    for theirs, mine in zip(reference.get_weights(), fused.get_weights()):  # front's update needs the input gradient
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-6)
    assert not np.allclose(fused.get_weights()[0], _networks(kernel_size, padding)[1].get_weights()[0])  # trained


def test_saves_and_reloads_with_its_settings(tmp_path):
    _, fused = _networks(3, 2)
    images = np.random.default_rng(2).normal(size=(2, 5, 5, 3)).astype("float32")
    reloaded = load_model(save_model(fused, tmp_path / "fused.keras"))
    layer = reloaded.layers[-1]
    assert isinstance(layer, UpsamplingConv2D)
    assert (layer.filters, layer.kernel_size, layer.padding) == (4, 3, 2)
    np.testing.assert_allclose(reloaded.predict(images, verbose=0), fused.predict(images, verbose=0), atol=1e-6)


@pytest.mark.parametrize("options,message", [({"kernel_size": 4}, "odd"), ({"kernel_size": (3, 5)}, "square"),
                                             ({"padding": -1}, "padding"), ({"filters": 0}, "filters")])
def test_bad_settings_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        UpsamplingConv2D(**{"filters": 2, **options})


def test_images_without_four_axes_are_refused():
    with pytest.raises(ValueError, match="batch, height, width, channels"):
        UpsamplingConv2D(2).build((None, 5, 3))
