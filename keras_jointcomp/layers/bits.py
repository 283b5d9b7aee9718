"""Output stages of bit encoders (the multiple-encoder study, Scott).

An encoder ends in a sigmoid (optionally after batch normalisation) whose value in (0, 1) is a soft bit.
`ReSigmoid` sharpens it toward 0 or 1 while keeping a gradient; `BinaryQuantizer` makes the hard decision.
"""

import keras
from keras import ops

from keras_jointcomp.serialization import serializable


@serializable
class ReSigmoid(keras.layers.Layer):
    """R(x) = 1 / (1 + exp(-(14 x - 7))) applied ``times`` times: sigmoid outputs pushed toward 0 and 1.

    The sigmoid maps [-7, 7] onto nearly all of (0, 1), so rescaling (0, 1) to (-7, 7) and applying it again
    saturates the soft decision; three times gives a nearly hard decision with a nonzero gradient.
    """

    def __init__(self, times=3, **kwargs):
        super().__init__(**kwargs)
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}.")
        self.times = int(times)

    def call(self, x):
        for _ in range(self.times):
            x = ops.sigmoid(14.0 * x - 7.0)
        return x

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"times": self.times})
        return config


@serializable
class BinaryQuantizer(keras.layers.Layer):
    """Soft bits in [0, 1] -> hard bits {0, 1}.

    In training the value passes unchanged (a soft decision), or, with ``straight_through=True``, it is
    rounded in the forward pass and the gradient passes through unchanged (the study's "Simple Quantize").
    At inference it rounds when ``hard`` is True (the default) and passes the soft value when False, so one
    model measures both rounded and unrounded accuracy (see `keras_jointcomp.evaluation.soft_decisions`).
    Each symbol costs one bit.
    """

    bits_per_element = 1
    symbol_range = (0, 1)

    def __init__(self, straight_through=False, hard=True, **kwargs):
        super().__init__(**kwargs)
        self.straight_through = bool(straight_through)
        self.hard = bool(hard)

    def call(self, x, training=False):
        if training:
            if self.straight_through:
                return x + ops.stop_gradient(ops.round(x) - x)
            return x
        return ops.round(x) if self.hard else x

    def to_symbols(self, x):
        """Hard bits (int32) of soft bits."""
        return ops.cast(ops.round(x), "int32")

    def from_symbols(self, symbols):
        """Float bits of integer bits."""
        return ops.cast(symbols, self.compute_dtype)

    def with_step_scale(self, scale):
        """Bits have no step to coarsen: only scale 1 (this quantizer) exists."""
        if scale != 1:
            raise ValueError(f"A binary quantizer has one rate (step scale 1), got step scale {scale!r}.")
        return self

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"straight_through": self.straight_through, "hard": self.hard})
        return config
