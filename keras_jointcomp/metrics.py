"""Accuracy, PSNR and rate measures, as plain functions and as Keras metrics.

Conventions, used everywhere in the package:

- Images are float in [0, 1] inside models, so PSNR uses a peak of ``max_value=1.0`` by default. That is the
  same number as the ATL study's ``MAX = 255`` on 8-bit images (PSNR is scale-invariant). Pass
  ``max_value=255`` when you hand in 8-bit values.
- PSNR is ``10 log10(max_value**2 / MSE)`` with the MSE taken over every pixel of every image given (the
  study's "conversion of MSE into decibels"), not the mean of per-image PSNRs. The `PSNR` metric accumulates
  squared errors over batches, so it reports exactly what `psnr` returns on the whole set.
- Rate is counted on the quantized latent: elements x bits per element, against the raw image at 8 bits
  per value.
"""

import math

import keras
from keras import ops

from keras_jointcomp.serialization import serializable

RAW_BITS_PER_VALUE = 8


def accuracy(labels, logits):
    """Fraction of rows whose largest logit is at the integer label."""
    labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
    predicted = ops.cast(ops.argmax(logits, axis=-1), "int32")
    return ops.mean(ops.cast(ops.equal(predicted, labels), "float32"))


def psnr(images, reconstructions, max_value=1.0):
    """Peak signal-to-noise ratio in dB of the mean squared error over all given pixels."""
    images = ops.cast(images, "float32")
    reconstructions = ops.cast(reconstructions, "float32")
    mse = ops.mean(ops.square(images - reconstructions))
    return _decibels(mse, max_value)


def _decibels(mse, max_value):
    return 10.0 * ops.log(float(max_value) ** 2 / mse) / math.log(10.0)


def bits_per_image(latent_shape, bits_per_element):
    """Bits of one image's latent stored at a fixed length: elements x bits per element."""
    return math.prod(latent_shape) * bits_per_element


def bytes_per_image(latent_shape, bits_per_element):
    """Bytes of one image's latent at a fixed length, rounded up to whole bytes."""
    return math.ceil(bits_per_image(latent_shape, bits_per_element) / 8)


def compression_ratio(image_shape, num_bytes):
    """Raw 8-bit image size divided by the compressed size (the ATL study's 784 / 200 = 3.9)."""
    raw_bytes = math.prod(image_shape) * RAW_BITS_PER_VALUE / 8
    return raw_bytes / num_bytes


@serializable
class Accuracy(keras.metrics.MeanMetricWrapper):
    """Classification accuracy from integer labels and logits, as a Keras metric."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


@serializable
class PSNR(keras.metrics.Metric):
    """PSNR in dB over everything seen since the last reset, as a Keras metric."""

    def __init__(self, max_value=1.0, name="psnr", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.max_value = max_value
        self.squared_error = self.add_variable(shape=(), initializer="zeros", name="squared_error")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            raise ValueError("PSNR does not take sample weights: it measures every pixel alike.")
        error = ops.square(ops.cast(y_true, "float32") - ops.cast(y_pred, "float32"))
        self.squared_error.assign_add(ops.sum(error))
        self.count.assign_add(ops.cast(ops.size(error), "float32"))

    def result(self):
        return _decibels(self.squared_error / ops.maximum(self.count, 1.0), self.max_value)

    def get_config(self):
        return {"max_value": self.max_value, "name": self.name, "dtype": self.dtype}
