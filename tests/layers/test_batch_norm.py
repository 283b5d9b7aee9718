"""layers.BatchNormalization: Keras' batch norm, on PyTorch's fused kernel where the backend is PyTorch."""

from unittest import mock

import keras
import numpy as np
import pytest

from keras_jointcomp.layers import BatchNormalization


def _network(norm_class, **options):
    keras.utils.set_random_seed(1)
    network = keras.Sequential([keras.Input((5, 5, 4)), keras.layers.Conv2D(4, 3, padding="same", name="conv"),
                                norm_class(momentum=0.8, name="norm", **options), keras.layers.Dense(2, name="dense")],
                               name="network")
    network.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return network


@pytest.mark.parametrize("options", [{}, {"scale": False, "epsilon": 1e-5}, {"center": False}])
def test_training_matches_keras_batch_norm_weights_moving_statistics_and_outputs(options):
    rng = np.random.default_rng(0)
    images = rng.normal(2.0, 3.0, (8, 5, 5, 4)).astype("float32")
    targets = rng.normal(size=(8, 5, 5, 2)).astype("float32")
    reference, ours = _network(keras.layers.BatchNormalization, **options), _network(BatchNormalization, **options)
    for _ in range(3):
        expected, got = reference.train_on_batch(images, targets), ours.train_on_batch(images, targets)
        np.testing.assert_allclose(got, expected, rtol=1e-5)
    for theirs, mine in zip(reference.weights, ours.weights):
        assert theirs.path == mine.path
        np.testing.assert_allclose(np.asarray(mine), np.asarray(theirs), rtol=1e-5, atol=1e-6, err_msg=mine.path)
    assert not np.allclose(np.asarray(ours.get_layer("norm").moving_mean), 0.0)  # the moving averages moved
    np.testing.assert_allclose(ours.predict(images, verbose=0), reference.predict(images, verbose=0), atol=1e-5)


def test_pytorch_backend_takes_the_fused_kernel_and_keras_path_otherwise():
    layer = BatchNormalization()
    images = np.random.default_rng(0).normal(size=(4, 3, 3, 2)).astype("float32")
    layer.build(images.shape)
    on_torch = keras.backend.backend() == "torch"
    assert layer._fused_on_torch(keras.ops.convert_to_tensor(images), None) is on_torch
    if on_torch:
        import torch

        with mock.patch.object(torch, "native_batch_norm", wraps=torch.native_batch_norm) as fused:
            layer(images, training=True)
        assert fused.call_count == 1
    # Masks, renormalisation, channels first and float16 go through Keras' own layer on every backend.
    assert not layer._fused_on_torch(keras.ops.convert_to_tensor(images), np.ones((4, 3, 3), bool))
    channels_first = BatchNormalization(axis=1)
    channels_first.build(images.shape)
    assert not channels_first._fused_on_torch(keras.ops.convert_to_tensor(images), None)
    renorm = BatchNormalization(renorm=True)
    renorm.build(images.shape)
    assert not renorm._fused_on_torch(keras.ops.convert_to_tensor(images), None)
    half = BatchNormalization(dtype="float16")
    half.build(images.shape)
    assert not half._fused_on_torch(keras.ops.convert_to_tensor(images.astype("float16")), None)


def test_a_masked_batch_is_normalised_like_keras():
    images = np.random.default_rng(0).normal(size=(2, 6, 3)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 0]], bool)
    reference, ours = keras.layers.BatchNormalization(), BatchNormalization()
    np.testing.assert_allclose(keras.ops.convert_to_numpy(ours(images, training=True, mask=mask)),
                               keras.ops.convert_to_numpy(reference(images, training=True, mask=mask)), atol=1e-5)


def test_saved_and_loaded_with_its_class_and_the_same_config_as_keras(tmp_path):
    network = _network(BatchNormalization, epsilon=1e-5)
    path = str(tmp_path / "norm.keras")
    network.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded.get_layer("norm")) is BatchNormalization
    images = np.random.default_rng(0).random((2, 5, 5, 4)).astype("float32")
    np.testing.assert_allclose(loaded.predict(images, verbose=0), network.predict(images, verbose=0), atol=1e-6)
    ours = BatchNormalization(momentum=0.8).get_config()
    keras_own = keras.layers.BatchNormalization(momentum=0.8).get_config()
    assert {k: v for k, v in ours.items() if k != "name"} == {k: v for k, v in keras_own.items() if k != "name"}
