"""A learned entropy bottleneck: the latent's quantizer and its learned, per-channel probability model.

Ballé et al. (2017; "Variational image compression with a scale hyperprior", 2018, appendix 6.1) model each
latent channel ``c`` with its own non-parametric density, given by a monotone cumulative function

    F_c(x) = sigmoid(f_K(... f_1(x))),   f_k(x) = h_k(H_k x + b_k),   h_k(x) = x + tanh(a_k) tanh(x)

with ``H_k = softplus(matrix_k)`` positive, so ``F_c`` increases in ``x``. The probability of the
quantization bin around ``x`` is ``F_c(x + 1/2) - F_c(x - 1/2)``, the *likelihood* the rate is measured in.

    training:   rate from  y + u,  u ~ U(-1/2, 1/2)          (differentiable, as the papers)
                heads see  m + round(y - m),  gradient straight through   (m: the channel's median)
    inference:  symbols    round((y - m) / step)   ->   heads see  m + step * symbol

The layer is a quantizer like the others (`to_symbols`, `from_symbols`, ``call``), and also measures the
rate: ``layer(y, output="bits")`` returns the bits of each image, which `JointModel` exposes as its "rate"
output for the rate term of ``lambda * distortion + rate + beta * cross-entropy``. The medians follow the
density during training (found by bisection, no auxiliary loss) and are kept in a weight for inference.

After training, `integer_tables` freezes the density into integer frequency tables (float64 numpy: the
median and tails by bisection, as CompressAI now finds them, the bin masses in between and an escape entry
for the tails), the form the range coder reads; `keras_jointcomp.codec.freeze_entropy_coding` saves them with
the model, so decoding never evaluates a float density and is bit-exact on every backend.
"""

import math

import keras
import numpy as np
from keras import ops

from keras_jointcomp.serialization import serializable

DEFAULT_FILTERS = (3, 3, 3)
TAIL_MASS = 2**-20
"""Probability left outside each channel's table (both tails together), sent through the escape entry."""
MEDIAN_SEARCH_RANGE = 2.0**10
"""Medians are searched in [-1024, 1024] during training; a latent channel centred further out is not expected."""
MEDIAN_SEARCH_STEPS = 32
LIKELIHOOD_FLOOR = 1e-9


def cumulative_logits(x, matrices, biases, factors, backend):
    """The logits of ``F_c`` at x (channels, 1, n) for every channel at once, with ``backend`` providing
    ``matmul``, ``softplus`` and ``tanh``: `keras.ops` in training, `_Float64` when freezing the tables."""
    logits = x
    for index, (matrix, bias) in enumerate(zip(matrices, biases)):
        logits = backend.matmul(backend.softplus(matrix), logits) + bias
        if index < len(factors):
            logits = logits + backend.tanh(factors[index]) * backend.tanh(logits)
    return logits


class _Float64:
    """numpy in float64, with the three functions `cumulative_logits` needs."""

    matmul = staticmethod(np.matmul)
    tanh = staticmethod(np.tanh)

    @staticmethod
    def softplus(x):
        return np.logaddexp(0.0, x)


@serializable
class EntropyBottleneck(keras.layers.Layer):
    """Quantizer of a (N, ..., channels) latent with a learned factorized density per channel.

    Args:
        filters: widths of the hidden layers of each channel's cumulative MLP (Ballé et al.: 3, 3, 3).
        init_scale: initial spread of the densities (their support starts about this wide).
        step: quantization step, 1 as trained; a coarser step gives another rate from the same model
            (`with_step_scale`), its tables found from the same density.
        seed: seeds the training noise.
    """

    estimates_rate = True
    symbol_range = None  # unbounded symbols, for an entropy coder
    bits_per_element = None

    def __init__(self, filters=DEFAULT_FILTERS, init_scale=10.0, step=1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.filters = tuple(int(width) for width in filters)
        if any(width < 1 for width in self.filters):
            raise ValueError(f"filters must be positive widths, got {filters!r}.")
        if not (math.isfinite(init_scale) and init_scale > 0):
            raise ValueError(f"init_scale must be a positive number, got {init_scale!r}.")
        if not (math.isfinite(step) and step > 0):
            raise ValueError(f"step must be a positive number, got {step!r}.")
        self.init_scale = float(init_scale)
        self.step = float(step)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None:
            raise ValueError("EntropyBottleneck needs the latent's channel count (its last axis) to be known.")
        widths = (1, *self.filters, 1)
        scale = self.init_scale ** (1.0 / (len(widths) - 1))
        self.matrices, self.biases, self.factors = [], [], []
        for index in range(len(widths) - 1):
            fan_in, fan_out = widths[index], widths[index + 1]
            init = math.log(math.expm1(1.0 / scale / fan_out))
            self.matrices.append(self.add_weight(shape=(channels, fan_out, fan_in), name=f"matrix_{index}",
                                                 initializer=keras.initializers.Constant(init)))
            self.biases.append(self.add_weight(shape=(channels, fan_out, 1), name=f"bias_{index}",
                                               initializer=keras.initializers.RandomUniform(-0.5, 0.5)))
            if index < len(widths) - 2:
                self.factors.append(self.add_weight(shape=(channels, fan_out, 1), name=f"factor_{index}",
                                                    initializer="zeros"))
        self.medians = self.add_weight(shape=(channels,), name="medians", initializer="zeros", trainable=False)

    @property
    def channels(self):
        return int(self.medians.shape[0])

    # --- The density ------------------------------------------------------------------------------------

    def _logits(self, x):
        """Cumulative logits of values (channels, 1, n), in the compute dtype."""
        cast = lambda weights: [ops.cast(weight, self.compute_dtype) for weight in weights]  # noqa: E731
        return cumulative_logits(x, cast(self.matrices), cast(self.biases), cast(self.factors), ops)

    def likelihood(self, values):
        """``F(v + step/2) - F(v - step/2)`` for every element of values (N, ..., channels), floored at 1e-9."""
        by_channel = ops.transpose(ops.reshape(values, (-1, self.channels)))[:, None, :]
        lower = self._logits(by_channel - 0.5 * self.step)
        upper = self._logits(by_channel + 0.5 * self.step)
        # Differences of sigmoids on the side where both are small, for precision in the tails (never a sign
        # of 0: a bin centred exactly on the median would get probability 0).
        sign = ops.stop_gradient(ops.where(lower + upper > 0, -1.0, 1.0))
        probability = ops.abs(ops.sigmoid(sign * upper) - ops.sigmoid(sign * lower))
        probability = ops.reshape(ops.transpose(probability[:, 0, :]), ops.shape(values))
        return ops.maximum(probability, LIKELIHOOD_FLOOR)

    def _live_medians(self):
        """Each channel's median by bisection of its cumulative logits (no gradient: an offset, not a loss)."""
        low = ops.full((self.channels, 1, 1), -MEDIAN_SEARCH_RANGE, self.compute_dtype)
        high = ops.full((self.channels, 1, 1), MEDIAN_SEARCH_RANGE, self.compute_dtype)
        for _ in range(MEDIAN_SEARCH_STEPS):
            middle = 0.5 * (low + high)
            below = self._logits(middle) < 0
            low, high = ops.where(below, middle, low), ops.where(below, high, middle)
        return ops.stop_gradient(ops.reshape(0.5 * (low + high), (self.channels,)))

    # --- Quantizer ----------------------------------------------------------------------------------------

    def call(self, x, training=False, output="values"):
        """``output="values"``: what the heads see (straight-through rounding in training, the dequantized
        values at inference). ``output="bits"``: bits per image (N,), from noisy values in training."""
        x = ops.cast(x, self.compute_dtype)
        if training:
            medians = self._live_medians()
            self.medians.assign(medians)
        else:
            medians = ops.cast(self.medians, self.compute_dtype)
        if output == "bits":
            if training:
                noise = keras.random.uniform(ops.shape(x), -0.5, 0.5, dtype=self.compute_dtype,
                                             seed=self.seed_generator)
                values = x + self.step * noise
            else:
                values = self._dequantize(self._rounded(x, medians), medians)
            bits = -ops.log(self.likelihood(values)) / math.log(2.0)
            return ops.sum(ops.reshape(bits, (ops.shape(x)[0], -1)), axis=1)
        if output != "values":
            raise ValueError(f'output must be "values" or "bits", got {output!r}.')
        dequantized = self._dequantize(self._rounded(x, medians), medians)
        if training:
            return x + ops.stop_gradient(dequantized - x)
        return dequantized

    def _rounded(self, x, medians):
        return ops.round((x - medians) / self.step)

    def _dequantize(self, symbols, medians):
        return symbols * self.step + medians

    def to_symbols(self, x):
        """Integer symbols (int32) of a float latent: ``round((x - median) / step)`` per channel."""
        return ops.cast(self._rounded(ops.cast(x, self.compute_dtype), ops.cast(self.medians, self.compute_dtype)),
                        "int32")

    def from_symbols(self, symbols):
        """The values the heads see for integer symbols."""
        return self._dequantize(ops.cast(symbols, self.compute_dtype), ops.cast(self.medians, self.compute_dtype))

    def with_step_scale(self, scale):
        """A bottleneck over the same density weights (shared) with ``scale`` times the step: another rate
        of the trained model, whose tables `integer_tables` derives from the same density."""
        if not (math.isfinite(scale) and scale > 0):
            raise ValueError(f"The step scale must be finite and positive, got {scale!r}.")
        scaled = EntropyBottleneck(self.filters, self.init_scale, self.step * scale, self.seed,
                                   name=f"{self.name}_step_x{scale:g}")
        scaled.matrices, scaled.biases, scaled.factors = self.matrices, self.biases, self.factors
        scaled.medians = self.medians
        scaled.built = True
        return scaled

    # --- Frozen tables ------------------------------------------------------------------------------------

    def float64_parameters(self):
        """The density's weights as float64 numpy arrays: (matrices, biases, factors)."""
        as_numpy = lambda weights: [np.asarray(ops.convert_to_numpy(w), np.float64) for w in weights]  # noqa
        return as_numpy(self.matrices), as_numpy(self.biases), as_numpy(self.factors)

    def integer_tables(self, tail_mass=TAIL_MASS):
        """The density frozen for the range coder: per channel ``(low, probabilities, escape)`` in float64,
        over the symbols ``low .. low + len(probabilities) - 1`` at this layer's step, whose bins hold all
        but ``tail_mass`` of the density; `keras_jointcomp.codec.LearnedEntropyModel` turns them into
        integers. Also sets the medians weight to the float64 medians the tables are centred on."""
        parameters = self.float64_parameters()
        logits = lambda x: cumulative_logits(x, *parameters, _Float64)  # noqa: E731
        medians = _bisect(logits, 0.0, self.channels)
        target = math.log(2.0 / tail_mass - 1.0)
        lower, upper = _bisect(logits, -target, self.channels), _bisect(logits, target, self.channels)
        self.medians.assign(medians.astype("float32"))
        medians = np.asarray(ops.convert_to_numpy(self.medians), np.float64)  # what the encoder will use
        tables = []
        for channel in range(self.channels):
            low = math.floor((lower[channel] - medians[channel]) / self.step)
            high = math.ceil((upper[channel] - medians[channel]) / self.step)
            centres = medians[channel] + self.step * np.arange(low, high + 1, dtype=np.float64)
            masses = _bin_masses(logits, channel, self.channels, centres, self.step)
            tables.append((low, masses, max(1.0 - masses.sum(), 0.0)))
        return tables

    def get_config(self):
        config = super().get_config()
        config.update({"filters": list(self.filters), "init_scale": self.init_scale, "step": self.step,
                       "seed": self.seed})
        return config


def _bisect(logits, target, channels, steps=200):
    """Per channel, the x where the cumulative logits equal ``target`` (float64; the bracket widens first)."""
    low = np.full((channels, 1, 1), -1.0)
    high = np.full((channels, 1, 1), 1.0)
    while np.any(logits(low) > target):
        low = np.where(logits(low) > target, 2.0 * low, low)
    while np.any(logits(high) < target):
        high = np.where(logits(high) < target, 2.0 * high, high)
    for _ in range(steps):
        middle = 0.5 * (low + high)
        below = logits(middle) < target
        low, high = np.where(below, middle, low), np.where(below, high, middle)
    return (0.5 * (low + high)).reshape(-1)


def _bin_masses(logits, channel, channels, centres, step):
    """Probability of each bin ``[c - step/2, c + step/2)`` of one channel, float64, stable in the tails."""
    values = np.zeros((channels, 1, len(centres)))
    values[channel, 0] = centres
    lower = logits(values - 0.5 * step)[channel, 0]
    upper = logits(values + 0.5 * step)[channel, 0]
    sign = np.where(lower + upper > 0, -1.0, 1.0)
    return np.abs(_sigmoid(sign * upper) - _sigmoid(sign * lower))


def _sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -x))
