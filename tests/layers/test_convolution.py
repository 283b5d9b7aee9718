"""layers.Conv2D and layers.MaxPooling2D: Keras' layers, run by PyTorch on channels-last memory as it is."""

from unittest import mock

import keras
import numpy as np
import pytest

from keras_jointcomp.layers import Conv2D, MaxPooling2D, UpsamplingConv2D

CONVOLUTIONS = [
    {"filters": 5, "kernel_size": 3},
    {"filters": 5, "kernel_size": 3, "padding": "same", "activation": "relu"},
    {"filters": 4, "kernel_size": (3, 5), "padding": "same", "dilation_rate": 2},
    {"filters": 6, "kernel_size": 3, "groups": 2},
    {"filters": 3, "kernel_size": 2, "strides": 2, "use_bias": False},
    {"filters": 5, "kernel_size": 5, "strides": 2, "padding": "same"},  # uneven padding: Keras' own path
]
POOLINGS = [{"pool_size": 2}, {"pool_size": 3, "strides": 2}, {"pool_size": 2, "padding": "same"}]


def _network(conv_class, pool_class, options, pool_options):
    keras.utils.set_random_seed(3)
    network = keras.Sequential([keras.Input((9, 9, 4)),
                                conv_class(**options, bias_initializer="glorot_uniform", name="conv"),
                                pool_class(**pool_options, name="pool"), keras.layers.Flatten(),
                                keras.layers.Dense(2, name="dense")], name="network")
    network.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    return network


@pytest.mark.parametrize("options,pool_options", zip(CONVOLUTIONS, POOLINGS * 2))
def test_outputs_and_training_match_keras_layers(options, pool_options):
    rng = np.random.default_rng(0)
    images = rng.normal(size=(6, 9, 9, 4)).astype("float32")
    targets = rng.normal(size=(6, 2)).astype("float32")
    reference = _network(keras.layers.Conv2D, keras.layers.MaxPooling2D, options, pool_options)
    ours = _network(Conv2D, MaxPooling2D, options, pool_options)
    np.testing.assert_allclose(ours.predict(images, verbose=0), reference.predict(images, verbose=0), atol=1e-5)
    for _ in range(3):
        np.testing.assert_allclose(ours.train_on_batch(images, targets), reference.train_on_batch(images, targets),
                                   rtol=1e-5)
    for theirs, mine in zip(reference.weights, ours.weights):
        assert theirs.path == mine.path
        np.testing.assert_allclose(np.asarray(mine), np.asarray(theirs), rtol=1e-5, atol=1e-6, err_msg=mine.path)


def test_pytorch_backend_skips_keras_layout_copies_and_other_cases_take_keras_path():
    """On PyTorch the supported cases never reach Keras' convolution or pooling op; the others always do."""
    from keras.src import backend  # the active backend's modules: every Keras op ends there

    images = np.random.default_rng(0).normal(size=(2, 8, 8, 4)).astype("float32")
    on_torch = keras.backend.backend() == "torch"
    cases = [(Conv2D(3, 3), "conv", on_torch), (Conv2D(3, 3, padding="same"), "conv", on_torch),
             (UpsamplingConv2D(3, 3, padding=2), "conv", on_torch),
             (Conv2D(3, 4, padding="same"), "conv", False),  # even kernel: Keras pads unevenly
             (Conv2D(3, 3, dtype="float16"), "conv", False),
             (MaxPooling2D(2), "max_pool", on_torch), (MaxPooling2D(2, padding="same"), "max_pool", False)]
    for layer, op, direct in cases:
        with mock.patch.object(backend.nn, op, wraps=getattr(backend.nn, op)) as keras_op:
            layer(images)
        assert (keras_op.call_count == 0) is direct, (layer.get_config(), op)


def test_saved_and_loaded_with_their_classes_and_keras_configs(tmp_path):
    network = _network(Conv2D, MaxPooling2D, {"filters": 3, "kernel_size": 3, "padding": "same"}, {"pool_size": 2})
    path = str(tmp_path / "conv.keras")
    network.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded.get_layer("conv")) is Conv2D and type(loaded.get_layer("pool")) is MaxPooling2D
    images = np.random.default_rng(0).random((2, 9, 9, 4)).astype("float32")
    np.testing.assert_allclose(loaded.predict(images, verbose=0), network.predict(images, verbose=0), atol=1e-6)
    for ours, theirs in ((Conv2D(4, 3, strides=2), keras.layers.Conv2D(4, 3, strides=2)),
                         (MaxPooling2D(3), keras.layers.MaxPooling2D(3))):
        assert {k: v for k, v in ours.get_config().items() if k != "name"} == \
            {k: v for k, v in theirs.get_config().items() if k != "name"}
