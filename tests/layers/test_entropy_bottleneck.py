import math

import keras
import numpy as np
import pytest
from keras import ops

from keras_jointcomp.entropy_models import LearnedEntropyModel
from keras_jointcomp.layers import GDN, EntropyBottleneck, StraightThroughClip
from tests.gradients import gradient_of_sum


def _bottleneck(channels=3, **kwargs):
    layer = EntropyBottleneck(seed=1, **kwargs)
    layer.build((None, 4, 4, channels))
    return layer


def test_likelihoods_of_all_bins_sum_to_one_and_lie_in_zero_one():
    layer = _bottleneck()
    bins = np.arange(-400, 401, dtype="float32")
    values = np.broadcast_to(bins[:, None], (len(bins), 3)).copy()
    likelihood = ops.convert_to_numpy(layer.likelihood(values))
    assert np.all((likelihood > 0) & (likelihood <= 1))
    np.testing.assert_allclose(likelihood.sum(axis=0), np.ones(3), atol=1e-4)


def test_inference_rounds_around_the_medians_and_symbols_round_trip():
    layer = _bottleneck()
    layer.medians.assign(np.array([0.25, -0.5, 0.0], "float32"))
    x = np.array([[0.3, -0.1, 2.6], [1.7, -2.2, -0.4]], "float32")
    symbols = ops.convert_to_numpy(layer.to_symbols(x))
    np.testing.assert_array_equal(symbols, [[0, 0, 3], [1, -2, 0]])
    values = ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(values, symbols + np.array([0.25, -0.5, 0.0]), atol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(layer.from_symbols(symbols)), values, atol=1e-6)


def test_training_gradient_passes_straight_through_and_bits_are_per_image():
    layer = _bottleneck()
    x = np.random.default_rng(0).normal(size=(2, 4, 4, 3)).astype("float32")
    np.testing.assert_allclose(gradient_of_sum(lambda v: layer(v, training=True), x), np.ones_like(x))
    bits = ops.convert_to_numpy(layer(x, training=True, output="bits"))
    assert bits.shape == (2,) and np.all(bits > 0)
    gradient = gradient_of_sum(lambda v: layer(v, training=True, output="bits"), x)
    assert np.all(np.isfinite(gradient)) and np.abs(gradient).sum() > 0


def test_training_learns_the_entropy_of_gaussian_channels():
    keras.utils.set_random_seed(0)
    scales = np.array([0.5, 3.0, 10.0], "float32")
    layer = EntropyBottleneck(seed=1)
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layer(inputs, output="bits"))
    data = np.random.default_rng(0).normal(size=(4096, 3)).astype("float32") * scales
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=lambda _, bits: ops.mean(bits))
    model.fit(data, np.zeros(len(data)), epochs=12, batch_size=256, verbose=0)
    learned = float(np.mean(ops.convert_to_numpy(model(data))))
    symbols = np.round(data - ops.convert_to_numpy(layer.medians)).astype(int)
    empirical = sum(_entropy_bits(symbols[:, channel]) for channel in range(3))
    assert learned == pytest.approx(empirical, rel=0.05)


def test_frozen_tables_hold_the_density_and_code_what_it_estimates():
    keras.utils.set_random_seed(0)
    layer = _bottleneck()
    tables = layer.integer_tables()
    assert len(tables) == 3
    for low, probabilities, escape in tables:
        assert probabilities.sum() + escape == pytest.approx(1.0, abs=1e-9)
        assert 0 < escape < 1e-5
    model = LearnedEntropyModel.from_probabilities((4, 4, 3), tables)
    symbols = np.random.default_rng(1).integers(-3, 4, size=(50, 4, 4, 3))
    float_bits = -np.log2(ops.convert_to_numpy(layer.likelihood(
        (symbols + ops.convert_to_numpy(layer.medians)).astype("float32")))).reshape(50, -1).sum(axis=1)
    np.testing.assert_allclose(model.estimated_bits(symbols), float_bits, rtol=1e-3)


def test_a_coarser_step_shares_the_density_and_costs_fewer_bits():
    layer = _bottleneck()
    coarse = layer.with_step_scale(4.0)
    assert coarse.weights[0] is layer.weights[0] and coarse.step == 4.0
    fine_tables, coarse_tables = layer.integer_tables(), coarse.integer_tables()
    assert all(len(c[1]) < len(f[1]) for f, c in zip(fine_tables, coarse_tables))


def test_config_round_trip():
    layer = EntropyBottleneck(filters=(2, 2), init_scale=5.0, step=2.0, seed=3, name="eb")
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert (restored.filters, restored.init_scale, restored.step, restored.seed) == ((2, 2), 5.0, 2.0, 3)


@pytest.mark.parametrize("bad", [{"filters": (3, 0)}, {"init_scale": 0.0}, {"step": -1.0}])
def test_invalid_settings_are_rejected(bad):
    with pytest.raises(ValueError):
        EntropyBottleneck(**bad)


def test_gdn_and_its_inverse():
    x = np.random.default_rng(0).normal(size=(2, 3, 3, 4)).astype("float32")
    gdn, igdn = GDN(), GDN(inverse=True)
    y = ops.convert_to_numpy(gdn(x))
    norm = np.sqrt(1.0 + 0.1 * x**2 + 2.0**-18 * (x**2).sum(axis=-1, keepdims=True))
    np.testing.assert_allclose(y, x / norm, rtol=1e-3)
    np.testing.assert_allclose(ops.convert_to_numpy(igdn(y)), y * np.sqrt(1.0 + 0.1 * y**2), rtol=1e-2)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(igdn))
    assert restored.inverse


def test_straight_through_clip():
    clip = StraightThroughClip()
    x = np.array([-0.5, 0.3, 1.7], "float32")
    np.testing.assert_allclose(ops.convert_to_numpy(clip(x)), [0.0, 0.3, 1.0])
    np.testing.assert_allclose(gradient_of_sum(clip, x), np.ones(3))


def _entropy_bits(values):
    _, counts = np.unique(values, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum()) * math.prod(values.shape[1:])
