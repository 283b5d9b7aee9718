import keras
import numpy as np
import pytest
from keras import ops

from keras_jointcomp.layers import RoundingQuantizer
from tests.gradients import gradient_of_sum


def test_forward_rounds_and_clips_to_the_bit_range():
    quantizer = RoundingQuantizer(num_bits=4)
    x = np.array([-1.2, 0.4, 0.6, 7.49, 15.2, 40.0], "float32")
    expected = np.array([0, 0, 1, 7, 15, 15], "float32")
    np.testing.assert_array_equal(ops.convert_to_numpy(quantizer(x)), expected)
    np.testing.assert_array_equal(ops.convert_to_numpy(quantizer(x, training=True)), expected)
    symbols = quantizer.to_symbols(x)
    assert "int32" in str(symbols.dtype)
    np.testing.assert_array_equal(ops.convert_to_numpy(symbols), expected.astype("int32"))
    np.testing.assert_array_equal(ops.convert_to_numpy(quantizer.from_symbols(symbols)), expected)


def test_step_offset_and_unbounded_symbols():
    quantizer = RoundingQuantizer(num_bits=None, step=0.5, offset=-1.0)
    x = np.array([-3.0, -1.0, 0.26, 100.0], "float32")
    np.testing.assert_array_equal(ops.convert_to_numpy(quantizer.to_symbols(x)), [-4, 0, 3, 202])
    np.testing.assert_allclose(ops.convert_to_numpy(quantizer(x)), [-3.0, -1.0, 0.5, 100.0])
    assert quantizer.bits_per_element is None


def test_gradient_passes_straight_through_in_training():
    quantizer = RoundingQuantizer(num_bits=4)
    x = np.array([0.3, 2.7, 9.1], "float32")
    np.testing.assert_allclose(gradient_of_sum(lambda v: quantizer(v, training=True), x), np.ones(3))


@pytest.mark.parametrize("bad", [{"num_bits": 0}, {"num_bits": 2.5}, {"num_bits": 17}, {"step": 0}])
def test_invalid_settings_are_rejected(bad):
    with pytest.raises(ValueError):
        RoundingQuantizer(**bad)


def test_config_round_trip_through_keras_serialization():
    quantizer = RoundingQuantizer(num_bits=3, step=0.25, offset=1.0, name="q")
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(quantizer))
    assert isinstance(restored, RoundingQuantizer)
    assert (restored.num_bits, restored.step, restored.offset, restored.name) == (3, 0.25, 1.0, "q")
