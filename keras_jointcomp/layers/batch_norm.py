"""Keras' batch normalization, computed by PyTorch's fused kernel on the PyTorch backend.

On PyTorch, Keras builds a batch norm from ``keras.ops``: the batch's mean and variance by reductions,
then subtraction, scaling and offset, each its own kernel with its own backward. PyTorch does all of it in
one fused kernel forward and one backward. On cifar_conv_ae's autoencoder that difference is most of the
gap between Keras on PyTorch and a plain PyTorch loop (`benchmarks/torch_batch_norm.py`). This layer is
`keras.layers.BatchNormalization` in every respect (arguments, weights, moving averages with Keras'
momentum and biased variance, saved files) and takes PyTorch's kernel where it computes the same thing:
the PyTorch backend, channels on the last axis, float32, no mask, no renormalization and no
synchronisation across devices. Everywhere else, and on TensorFlow and JAX (whose compilers fuse Keras'
ops themselves), it is Keras' own layer.
"""

import keras

from keras_jointcomp.serialization import serializable


@serializable
class BatchNormalization(keras.layers.BatchNormalization):
    """`keras.layers.BatchNormalization` with PyTorch's fused kernel on the PyTorch backend."""

    def call(self, inputs, training=None, mask=None):
        if not self._fused_on_torch(inputs, mask):
            return super().call(inputs, training=training, mask=mask)
        import torch

        channels_first = inputs.movedim(-1, 1)  # a view: PyTorch's kernel reads channels-last memory as is
        gamma = self.gamma.value if self.scale else None
        beta = self.beta.value if self.center else None
        if training and self.trainable:
            # The batch's statistics come out of the same kernel: mean and 1 / sqrt(biased variance + eps).
            outputs, mean, inverse_std = torch.native_batch_norm(channels_first, gamma, beta, None, None, True,
                                                                 0.0, self.epsilon)
            variance = inverse_std.detach().pow(-2) - self.epsilon
            self.moving_mean.assign(self.moving_mean.value * self.momentum + mean.detach() * (1.0 - self.momentum))
            self.moving_variance.assign(self.moving_variance.value * self.momentum + variance * (1.0 - self.momentum))
        else:
            outputs = torch.nn.functional.batch_norm(channels_first, self.moving_mean.value,
                                                     self.moving_variance.value, gamma, beta, training=False,
                                                     eps=self.epsilon)
        return outputs.movedim(1, -1)

    def _fused_on_torch(self, inputs, mask):
        return (keras.backend.backend() == "torch" and mask is None and not self.renorm and not self.synchronized
                and self.axis in (-1, len(inputs.shape) - 1) and len(inputs.shape) >= 2
                and keras.backend.standardize_dtype(inputs.dtype) == "float32" and self.compute_dtype == "float32")
