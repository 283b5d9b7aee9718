"""Initializers of the zoo: `PartialIdentity`, airbench's identity ("Dirac") initialisation of convolutions."""

import keras
import numpy as np

from keras_jointcomp.serialization import serializable


@serializable
class PartialIdentity(keras.initializers.Initializer):
    """A convolution kernel (kh, kw, in, out) whose first ``min(in, out)`` filters pass their own input channel
    through unchanged (a one at the kernel's centre), the other filters drawn as PyTorch draws them
    (uniform within 1 / sqrt(fan-in)). A deep stack so initialised starts close to the identity, which
    airbench found to save training epochs."""

    def __init__(self, seed=None):
        self.seed = seed

    def __call__(self, shape, dtype=None):
        if len(shape) != 4:
            raise ValueError(f"PartialIdentity initialises 2D convolution kernels (kh, kw, in, out), got shape "
                             f"{tuple(shape)}")
        drawn = keras.initializers.VarianceScaling(1.0 / 3.0, "fan_in", "uniform", seed=self.seed)(shape, dtype)
        kh, kw, inputs, outputs = shape
        passed = min(inputs, outputs)
        identity = np.zeros(shape, "float32")
        identity[kh // 2, kw // 2, np.arange(passed), np.arange(passed)] = 1.0
        keep = np.ones(shape, "float32")
        keep[..., :passed] = 0.0
        return drawn * keras.ops.convert_to_tensor(keep, dtype) + keras.ops.convert_to_tensor(identity, dtype)

    def get_config(self):
        return {"seed": self.seed}
