import keras
import numpy as np
import pytest
from keras import ops

from keras_jointcomp.losses import RoundingGap, rounding_gap
from tests.gradients import gradient_of_sum


def test_rounding_gap_matches_numpy():
    soft = np.array([[0.1, 0.6, 0.9, 0.5], [0.0, 1.0, 0.3, 0.7]], "float32")
    expected = np.mean((soft - np.round(soft)) ** 2, axis=-1)
    np.testing.assert_allclose(ops.convert_to_numpy(rounding_gap(None, soft)), expected, rtol=1e-6)
    assert float(RoundingGap()(np.zeros(2), soft)) == pytest.approx(expected.mean(), rel=1e-6)


def test_gradient_pushes_bits_toward_the_nearer_value():
    soft = np.array([[0.2, 0.8]], "float32")
    grad = gradient_of_sum(lambda v: rounding_gap(None, v), soft)
    np.testing.assert_allclose(grad, [[2 * 0.2 / 2, 2 * (0.8 - 1) / 2]], rtol=1e-5)


def test_serializes():
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(RoundingGap()))
    assert isinstance(restored, RoundingGap)
