"""Keras' 2D convolution and max pooling, run by PyTorch on channels-last memory as it is.

On the PyTorch backend, Keras 3 computes a channels-last convolution by copying its input to a contiguous
channels-first tensor and then copying that back to PyTorch's channels-last memory format (two copies of
every feature map, forward and backward, that end in the layout the map started in); it adds the bias in a
kernel of its own, and copies every max-pooling input to channels-first. PyTorch's convolution and max
pooling read channels-last memory directly through a permuted view, and its convolution adds the bias
itself. On atl_lenet's compressor the copies and the separate bias cost about as much as the convolutions
(`benchmarks/training_speed.py`, docs/results.md).

`Conv2D` and `MaxPooling2D` are Keras' layers in every respect (arguments, weights, saved files) and take
that direct path where it computes the same thing: the PyTorch backend, channels last, float32, and a
padding PyTorch applies symmetrically ("valid"; for the convolution also "same" at stride 1 with odd
kernels). Everywhere else, and on TensorFlow and JAX, they are Keras' own layers. `conv2d` is the same
operation as a function, for layers that convolve with a kernel of their own (`UpsamplingConv2D`).
"""

import keras
from keras import ops

from keras_jointcomp.serialization import serializable


def _on_torch(inputs):
    return keras.backend.backend() == "torch" and len(inputs.shape) == 4


def _torch_padding(inputs, padding, kernel_size, strides, dilation_rate):
    """PyTorch's padding where PyTorch's convolution computes what Keras' does on ``inputs`` (the PyTorch
    backend, float32 images, a padding PyTorch applies symmetrically); None elsewhere."""
    if not _on_torch(inputs) or keras.backend.standardize_dtype(inputs.dtype) != "float32":
        return None
    if padding == "valid":
        return (0, 0)
    if all(stride == 1 for stride in strides) and all(size % 2 == 1 for size in kernel_size):
        return tuple(rate * (size - 1) // 2 for size, rate in zip(kernel_size, dilation_rate))
    return None  # Keras pads unevenly


def _torch_conv2d(inputs, kernel, bias, strides, torch_padding, dilation_rate, groups):
    import torch

    outputs = torch.nn.functional.conv2d(inputs.permute(0, 3, 1, 2), kernel.permute(3, 2, 0, 1), bias,
                                         stride=strides, padding=torch_padding, dilation=dilation_rate,
                                         groups=groups)
    return outputs.permute(0, 2, 3, 1)


def conv2d(inputs, kernel, bias=None, strides=(1, 1), padding="valid", dilation_rate=(1, 1), groups=1):
    """``ops.conv`` of channels-last ``inputs`` with a (height, width, in / groups, out) ``kernel``, plus
    ``bias``; on PyTorch without layout copies and with the bias inside the convolution."""
    torch_padding = _torch_padding(inputs, padding, kernel.shape[:2], strides, dilation_rate)
    if torch_padding is None:
        outputs = ops.conv(inputs, kernel, strides=strides, padding=padding, dilation_rate=dilation_rate,
                           data_format="channels_last")
        return outputs if bias is None else outputs + bias
    return _torch_conv2d(inputs, kernel, bias, strides, torch_padding, dilation_rate, groups)


@serializable
class Conv2D(keras.layers.Conv2D):
    """`keras.layers.Conv2D`, computed by PyTorch on channels-last memory without copies on that backend."""

    def call(self, inputs):
        torch_padding = None if self.data_format != "channels_last" else \
            _torch_padding(inputs, self.padding, self.kernel_size, self.strides, self.dilation_rate)
        if torch_padding is None:
            return super().call(inputs)
        bias = ops.convert_to_tensor(self.bias) if self.use_bias else None
        outputs = _torch_conv2d(inputs, ops.convert_to_tensor(self.kernel), bias, self.strides, torch_padding,
                                self.dilation_rate, self.groups)
        return self.activation(outputs)  # keras.activations.get(None) is the identity


@serializable
class MaxPooling2D(keras.layers.MaxPooling2D):
    """`keras.layers.MaxPooling2D`, computed by PyTorch on channels-last memory without a copy on that
    backend."""

    def call(self, inputs):
        if self.data_format != "channels_last" or self.padding != "valid" or not _on_torch(inputs):
            return super().call(inputs)
        import torch

        outputs = torch.nn.functional.max_pool2d(inputs.permute(0, 3, 1, 2), self.pool_size, self.strides)
        return outputs.permute(0, 2, 3, 1)
