"""Quantizers for the bottleneck: what turns an encoder's float output into symbols that cost bits.

A quantizer is a layer with explicit modes. In training its forward pass already rounds, and the gradient
goes straight through (``x + stop_gradient(q(x) - x)``), so the decoder and classifier learn on the values
they will see at inference. At inference it returns the exact dequantized values. ``to_symbols`` and
``from_symbols`` convert to and from the integer symbols themselves, which is what a device sends.
"""

import math

import keras
from keras import ops

from keras_jointcomp.serialization import serializable


@serializable
class RoundingQuantizer(keras.layers.Layer):
    """Uniform scalar quantizer: ``symbol = clip(round((x - offset) / step), 0, 2**num_bits - 1)``.

    The ATL study (Forna) rounds the LeNet bottleneck to integers 0..15: ``num_bits=4``, ``step=1``,
    ``offset=0``, i.e. 16x5x5 values x 4 bits = 200 bytes per image.

    Args:
        num_bits: bits per latent element; ``None`` leaves the symbols unbounded (no clipping), for rate
            control that counts entropy rather than a fixed length.
        step: quantization step size (a scalar).
        offset: value that maps to symbol 0.
    """

    def __init__(self, num_bits=4, step=1.0, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        if num_bits is not None and (int(num_bits) != num_bits or not 1 <= num_bits <= 16):
            raise ValueError(f"num_bits must be an integer in 1..16 or None, got {num_bits!r}.")
        if not step > 0:
            raise ValueError(f"step must be positive, got {step!r}.")
        self.num_bits = None if num_bits is None else int(num_bits)
        self.step = float(step)
        self.offset = float(offset)

    @property
    def bits_per_element(self):
        """Fixed-length cost of one symbol (None when unbounded)."""
        return self.num_bits

    @property
    def symbol_range(self):
        """``(lowest, highest)`` symbol, or None when unbounded."""
        return None if self.num_bits is None else (0, 2**self.num_bits - 1)

    def with_step_scale(self, scale):
        """A new quantizer with ``scale`` times the step over the same value range, for another rate from
        the same trained model: ``num_bits`` shrinks (or grows) to the fewest bits whose levels cover this
        quantizer's largest value to within one new step (scale 2 on 0..15: 3 bits, levels 0, 2, ..., 14)."""
        if not (math.isfinite(scale) and scale > 0):
            raise ValueError(f"The step scale must be finite and positive, got {scale!r}.")
        num_bits = None
        if self.num_bits is not None:
            levels = math.floor((2**self.num_bits - 1) / scale + 1e-9) + 1
            num_bits = max(1, math.ceil(math.log2(levels)))
            if num_bits > 16:
                raise ValueError(f"Step scale {scale} would need {num_bits} bits per symbol (at most 16).")
        return RoundingQuantizer(num_bits=num_bits, step=self.step * scale, offset=self.offset)

    def _symbols(self, x):
        symbols = ops.round((x - self.offset) / self.step)
        if self.num_bits is not None:
            symbols = ops.clip(symbols, 0.0, float(2**self.num_bits - 1))
        return symbols

    def call(self, x, training=False):
        x = ops.cast(x, self.compute_dtype)
        dequantized = self._symbols(x) * self.step + self.offset
        if training:
            return x + ops.stop_gradient(dequantized - x)
        return dequantized

    def to_symbols(self, x):
        """Integer symbols (int32) of a float latent."""
        return ops.cast(self._symbols(ops.cast(x, self.compute_dtype)), "int32")

    def from_symbols(self, symbols):
        """Float latent values of integer symbols."""
        return ops.cast(symbols, self.compute_dtype) * self.step + self.offset

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"num_bits": self.num_bits, "step": self.step, "offset": self.offset})
        return config
