"""The rate term of rate-distortion training: bits per pixel of the latent under its learned density.

Applied to a joint model's "rate" output (bits per image, from `keras_jointcomp.layers.EntropyBottleneck`),
divided by the pixels of one image, so that ``lambda * MSE + rate`` reads as in Ballé et al. with MSE on
images in [0, 1] and the rate in bits per pixel, whatever the image size.
"""

import keras
from keras import ops

from keras_jointcomp.serialization import serializable


@serializable
class BitsPerPixel(keras.losses.Loss):
    """Mean bits per pixel of a batch from its bits per image; ``y_true`` is ignored.

    Args:
        pixels: pixels of one image (height x width).
    """

    def __init__(self, pixels, name="bits_per_pixel", reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if int(pixels) != pixels or pixels < 1:
            raise ValueError(f"pixels must be a positive whole number, got {pixels!r}.")
        self.pixels = int(pixels)

    def call(self, y_true, y_pred):
        del y_true
        return ops.convert_to_tensor(y_pred) / float(self.pixels)

    def get_config(self):
        return {**super().get_config(), "pixels": self.pixels}
