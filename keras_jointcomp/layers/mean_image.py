"""Remove a stored mean image before the encoder and add it back after the decoder.

Martin's convolutional autoencoder subtracts the mean image of each training batch before encoding and adds
it back before the loss. A deployed codec cannot do that (one image at a time has no batch, and the server
never sees the batch), so both sides store one mean image: `RemoveMeanImage` on the device, first layer of
the encoder, and `RestoreMeanImage` on the server, last layer of the decoder, each with its own copy as a
non-trainable weight (saved with the model; the parts stay disjoint). The batch-mean behaviour during
training and keeping both copies at the running mean of the training batches belong to the model that
holds the pair (`keras_jointcomp.models.faces_conv_ae.MeanCentredJointModel`).
"""

import keras
import numpy as np
from keras import ops

from keras_jointcomp.serialization import serializable


class _MeanImageLayer(keras.layers.Layer):
    """Holds ``mean``, one image of the input's shape (without the batch axis); zeros until set."""

    sign = 0.0

    def build(self, input_shape):
        self.mean = self.add_weight(shape=tuple(input_shape[1:]), initializer="zeros", trainable=False,
                                    name="mean")

    def call(self, images):
        return images + self.sign * ops.cast(self.mean, images.dtype)

    def set_mean(self, mean_image):
        """Store ``mean_image`` (a float array of one image's shape)."""
        self.mean.assign(np.reshape(np.asarray(mean_image, "float32"), self.mean.shape))

    def compute_output_shape(self, input_shape):
        return input_shape


@serializable
class RemoveMeanImage(_MeanImageLayer):
    """``images - mean``: the encoder side of mean-image removal."""

    sign = -1.0


@serializable
class RestoreMeanImage(_MeanImageLayer):
    """``images + mean``: the decoder side of mean-image removal."""

    sign = 1.0
