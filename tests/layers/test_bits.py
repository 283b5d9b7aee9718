import keras
import numpy as np
import pytest
from keras import ops

from keras_jointcomp.layers import BinaryQuantizer, ReSigmoid
from tests.gradients import gradient_of_sum

SOFT = np.array([0.1, 0.49, 0.51, 0.93], "float32")


def test_resigmoid_is_the_study_formula_applied_n_times():
    x = np.array([0.0, 0.3, 0.5, 0.8, 1.0], "float32")
    once = 1 / (1 + np.exp(-(14 * x - 7)))
    thrice = x
    for _ in range(3):
        thrice = 1 / (1 + np.exp(-(14 * thrice - 7)))
    np.testing.assert_allclose(ops.convert_to_numpy(ReSigmoid(1)(x)), once, rtol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(ReSigmoid(3)(x)), thrice, rtol=1e-5, atol=1e-7)
    assert np.all(gradient_of_sum(lambda v: ReSigmoid(3)(v), np.array([0.45, 0.55], "float32")) > 0)
    with pytest.raises(ValueError):
        ReSigmoid(0)


def test_binary_quantizer_modes():
    soft = BinaryQuantizer()
    np.testing.assert_array_equal(ops.convert_to_numpy(soft(SOFT)), [0, 0, 1, 1])
    np.testing.assert_allclose(ops.convert_to_numpy(soft(SOFT, training=True)), SOFT)
    np.testing.assert_allclose(ops.convert_to_numpy(BinaryQuantizer(hard=False)(SOFT)), SOFT)
    straight = BinaryQuantizer(straight_through=True)
    np.testing.assert_array_equal(ops.convert_to_numpy(straight(SOFT, training=True)), [0, 0, 1, 1])
    np.testing.assert_allclose(gradient_of_sum(lambda v: straight(v, training=True), SOFT), np.ones(4))
    symbols = soft.to_symbols(SOFT)
    assert "int32" in str(symbols.dtype)
    np.testing.assert_array_equal(ops.convert_to_numpy(soft.from_symbols(symbols)), [0, 0, 1, 1])
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(straight))
    assert restored.straight_through and restored.hard
