"""Generalized divisive normalization (Ballé et al. 2016), the activation of the learned codecs.

    GDN:   y_i = x_i / sqrt(beta_i + sum_j gamma_ij x_j^2)
    IGDN:  y_i = x_i * sqrt(beta_i + sum_j gamma_ij x_j^2)      (its approximate inverse, in decoders)

over the channels (last axis) at every position. ``beta`` and ``gamma`` stay non-negative by being stored as
square roots (plus a tiny pedestal that keeps ``beta`` away from zero).
"""

import keras
import numpy as np
from keras import ops

from keras_jointcomp.serialization import serializable

_PEDESTAL = 2.0**-18


@serializable
class GDN(keras.layers.Layer):
    """GDN over the last axis, or its inverse with ``inverse=True``.

    Args:
        inverse: IGDN (multiply) instead of GDN (divide).
        beta_init: initial ``beta`` of every channel.
        gamma_init: initial diagonal of ``gamma`` (off-diagonal entries start near zero).
    """

    def __init__(self, inverse=False, beta_init=1.0, gamma_init=0.1, **kwargs):
        super().__init__(**kwargs)
        self.inverse = bool(inverse)
        self.beta_init = float(beta_init)
        self.gamma_init = float(gamma_init)

    def build(self, input_shape):
        channels = input_shape[-1]
        self.beta_root = self.add_weight(shape=(channels,), name="beta_root",
                                         initializer=keras.initializers.Constant(np.sqrt(self.beta_init)))
        gamma = np.sqrt(self.gamma_init * np.eye(channels) + _PEDESTAL)
        self.gamma_root = self.add_weight(shape=(channels, channels), name="gamma_root",
                                          initializer=keras.initializers.Constant(gamma))

    def call(self, x):
        beta = ops.square(self.beta_root) + _PEDESTAL
        gamma = ops.square(self.gamma_root)
        norm = ops.sqrt(beta + ops.matmul(ops.square(x), gamma))
        return x * norm if self.inverse else x / norm

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"inverse": self.inverse, "beta_init": self.beta_init, "gamma_init": self.gamma_init})
        return config
