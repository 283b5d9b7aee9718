"""Clipping to the image range whose gradient passes straight through.

A decoder ending in a sigmoid learns slowly on mostly-black images (MNIST): its outputs saturate at 0 and
the gradient vanishes before the latent carries anything. A linear output clipped to [0, 1] in the forward
pass, with the identity as its gradient (``x + stop_gradient(clip(x) - x)``), always gives valid pixels and
never stops learning.
"""

import keras
from keras import ops

from keras_jointcomp.serialization import serializable


@serializable
class StraightThroughClip(keras.layers.Layer):
    """``clip(x, low, high)`` forward, identity backward."""

    def __init__(self, low=0.0, high=1.0, **kwargs):
        super().__init__(**kwargs)
        if not low < high:
            raise ValueError(f"low must be below high, got {low!r} and {high!r}.")
        self.low, self.high = float(low), float(high)

    def call(self, x):
        return x + ops.stop_gradient(ops.clip(x, self.low, self.high) - x)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "low": self.low, "high": self.high}
