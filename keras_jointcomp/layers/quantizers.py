"""Quantizers for the bottleneck: what turns an encoder's float output into symbols that cost bits.

A quantizer is a layer with explicit modes. In training its forward pass already rounds, and the gradient
goes straight through (``x + stop_gradient(q(x) - x)``), so the decoder and classifier learn on the values
they will see at inference. At inference it returns the exact dequantized values. ``to_symbols`` and
``from_symbols`` convert to and from the integer symbols themselves, which is what a device sends.

`RoundingQuantizer` (a fixed step and bit depth), `EntropyStepQuantizer` (a step per latent entry, from the
hierarchical study's entropy-based quantization, `keras_jointcomp.rate`); the binary quantizer of the
multiple-encoder study is in `bits`, the learned entropy bottleneck in `entropy_bottleneck`.
"""

import math

import keras
import numpy as np
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


@serializable
class EntropyStepQuantizer(keras.layers.Layer):
    """Per-entry uniform quantizer ``symbol_i = round(y_i / q_i)``, dequantized as ``symbol_i * q_i``.

    Training: the forward pass rounds and the gradient goes straight through
    (``y + stop_gradient(round(y / q) * q - y)``). Inference: the exact dequantized values. The symbols are
    unbounded integers, meant for an entropy coder rather than a fixed-length code.

    Args:
        steps: positive step sizes ``q``, one per latent entry, with as many elements as one image's latent
            (e.g. `entropy_steps` reshaped to the latent's shape; a flat vector is reshaped to it in
            C order, the order `GaussianLatentModel.fit` flattens in), or a single step for all entries.

    The steps are kept as a non-trainable weight of the latent's shape (created when the layer is built),
    and in the config as a list, so a model holding this layer saves to and loads from ``.keras``.
    """

    def __init__(self, steps, **kwargs):
        super().__init__(**kwargs)
        steps = np.asarray(steps, np.float64)
        if steps.size == 0 or not np.all(np.isfinite(steps) & (steps > 0)):
            raise ValueError("EntropyStepQuantizer needs finite, positive steps.")
        self._initial_steps = steps

    def build(self, input_shape):
        shape = tuple(input_shape[1:])
        if any(size is None for size in shape):
            raise ValueError(f"EntropyStepQuantizer needs a fully known latent shape, got {shape}.")
        if self._initial_steps.size not in (1, math.prod(shape)):
            raise ValueError(
                f"{self._initial_steps.size} steps do not fit a latent of shape {shape} "
                f"({math.prod(shape)} entries)."
            )
        self.steps = self.add_weight(shape=shape, initializer="ones", trainable=False, name="steps")
        self.steps.assign(np.broadcast_to(self._initial_steps.reshape(-1), (math.prod(shape),)).reshape(shape))

    def _ensure_built(self, x):
        if not self.built:
            self.build(tuple(x.shape))

    def _symbols(self, x):
        return ops.round(x / ops.cast(self.steps, self.compute_dtype))

    def call(self, x, training=False):
        x = ops.cast(x, self.compute_dtype)
        dequantized = self._symbols(x) * ops.cast(self.steps, self.compute_dtype)
        if training:
            return x + ops.stop_gradient(dequantized - x)
        return dequantized

    def to_symbols(self, x):
        """Integer symbols (int32) of a float latent (N, *latent_shape)."""
        self._ensure_built(x)
        return ops.cast(self._symbols(ops.cast(x, self.compute_dtype)), "int32")

    def from_symbols(self, symbols):
        """Float latent values ``symbols * q`` of integer symbols (N, *latent_shape)."""
        self._ensure_built(symbols)
        return ops.cast(symbols, self.compute_dtype) * ops.cast(self.steps, self.compute_dtype)

    symbol_range = None  # unbounded symbols
    bits_per_element = None

    def with_step_scale(self, scale):
        """A new quantizer with every step times ``scale`` (the study's ``s`` times ``scale``)."""
        if not (math.isfinite(scale) and scale > 0):
            raise ValueError(f"The step scale must be finite and positive, got {scale!r}.")
        steps = ops.convert_to_numpy(self.steps) if self.built else self._initial_steps
        return EntropyStepQuantizer(np.asarray(steps, np.float64) * scale)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"steps": self._initial_steps.tolist()})
        return config
