"""Nearest-neighbour upsampling, zero padding and a convolution, computed at the input's resolution.

A decoder that doubles its maps with ``UpSampling2D(2)``, pads them and convolves them spends most of its
time on the upsampled copies: the convolution reads every value four times, and each backend also copies
the upsampled and padded maps and sums the gradient back through them. On nearest-neighbour upsampling the
same output comes from one convolution of the padded *input*: each of the four output phases (even or odd
row, even or odd column) sees a fixed sum of the kernel's taps, so a k x k kernel folds into four
(k + 1)/2 x (k + 1)/2 kernels stacked along the output channels, and interleaving those channels back into
space gives the result (the sub-pixel convolution of Shi et al. 2016, exact here). For k = 3 that is 4
multiply-adds per output value and input channel where the upsampled form does 9, and no upsampled maps.

`UpsamplingConv2D` keeps the k x k kernel and the bias of the `Conv2D` it replaces (same shapes, same
initialisers), so the function, the parameters and their gradients are those of ``UpSampling2D(2) ->
ZeroPadding2D(padding) -> Conv2D(filters, kernel_size)``; only the arithmetic order differs (float rounding).
"""

import numpy as np

import keras
from keras import ops

from keras_jointcomp.layers.convolution import conv2d
from keras_jointcomp.serialization import serializable


def _phase_folds(kernel_size):
    """(2, folded, kernel_size) 0/1 matrices: for output phase r, which folded tap each kernel tap adds to."""
    folded = (kernel_size + 1) // 2
    folds = np.zeros((2, folded, kernel_size), np.float32)
    for phase in range(2):
        for tap in range(kernel_size):
            folds[phase, (phase + tap) // 2, tap] = 1.0
    return folds


@serializable
class UpsamplingConv2D(keras.layers.Layer):
    """``UpSampling2D(2)``, ``ZeroPadding2D(padding)`` and a "valid" ``Conv2D(filters, kernel_size)`` in one
    layer, computed without building the upsampled maps (channels-last images, odd kernel sizes).

    Args:
        filters: output channels.
        kernel_size: odd side of the square kernel, as the replaced `Conv2D`'s.
        padding: zeros added on every side of the upsampled maps (the replaced `ZeroPadding2D`'s).
        activation, use_bias, kernel_initializer, bias_initializer: as `keras.layers.Conv2D`'s.
    """

    def __init__(self, filters, kernel_size=3, padding=0, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if isinstance(kernel_size, (tuple, list)):
            if len(set(kernel_size)) != 1:
                raise ValueError(f"kernel_size must be square, got {kernel_size!r}.")
            kernel_size = kernel_size[0]
        if int(kernel_size) != kernel_size or kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be an odd whole number, got {kernel_size!r}.")
        if int(padding) != padding or padding < 0:
            raise ValueError(f"padding must be a whole number of at least 0, got {padding!r}.")
        if int(filters) != filters or filters < 1:
            raise ValueError(f"filters must be a whole number of at least 1, got {filters!r}.")
        self.filters, self.kernel_size, self.padding = int(filters), int(kernel_size), int(padding)
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self._folds = _phase_folds(self.kernel_size)
        self._input_padding = (self.padding + 1) // 2  # padding the input by P pads the upsampled maps by 2P
        self._crop = 2 * self._input_padding - self.padding  # 0 or 1 row and column too many on each side

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(f"UpsamplingConv2D takes (batch, height, width, channels) with known channels, "
                             f"got {tuple(input_shape)}.")
        size = self.kernel_size
        self.kernel = self.add_weight(name="kernel", shape=(size, size, input_shape[-1], self.filters),
                                      initializer=self.kernel_initializer)
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer) \
            if self.use_bias else None

    def folded_kernel(self):
        """The (k+1)/2-square kernel whose output channels are the four phases' (row phase, column phase,
        filter), the filter fastest."""
        folds = ops.convert_to_tensor(self._folds, self.compute_dtype)
        kernel = ops.einsum("rpa,sqb,abio->pqirso", folds, folds, ops.cast(self.kernel, self.compute_dtype))
        size = (self.kernel_size + 1) // 2
        return ops.reshape(kernel, (size, size, -1, 4 * self.filters))

    def call(self, inputs):
        pad = self._input_padding
        x = ops.pad(inputs, ((0, 0), (pad, pad), (pad, pad), (0, 0))) if pad else inputs
        # Every phase adds the same bias, so it goes into the convolution, once per phase.
        bias = ops.tile(ops.cast(self.bias, self.compute_dtype), (4,)) if self.use_bias else None
        y = conv2d(x, self.folded_kernel(), bias)
        batch, height, width = ops.shape(y)[0], ops.shape(y)[1], ops.shape(y)[2]
        y = ops.reshape(y, (batch, height, width, 2, 2, self.filters))
        y = ops.reshape(ops.transpose(y, (0, 1, 3, 2, 4, 5)), (batch, 2 * height, 2 * width, self.filters))
        if self._crop:
            y = y[:, self._crop:-self._crop, self._crop:-self._crop, :]
        return self.activation(y)  # keras.activations.get(None) is the identity

    def compute_output_shape(self, input_shape):
        def side(size):
            return None if size is None else 2 * size + 2 * self.padding - self.kernel_size + 1

        return (input_shape[0], side(input_shape[1]), side(input_shape[2]), self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "padding": self.padding, "activation": keras.activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer)}
