"""Martin's convolutional autoencoder of 32x32 faces, with batch-mean removal and a latent mask for pruning.

    image 30x32x1 - mean image -> zero-pad to 32x32
      -> pad 1, conv 256@3x3 stride 3, ReLU (11x11) -> maxpool 2 (5x5)
      -> pad 1, conv 32@3x3 stride 2, ReLU (3x3)    -> maxpool 2 stride 1 (2x2)
      -> latent 2x2x32 = 128 values -> 0/1 latent mask (distinctiveness pruning switches units off)
    latent -> transposed conv 256@3x3 stride 2, ReLU (5x5)
           -> transposed conv 32@5x5 stride 3, ReLU, crop 1 (15x15)
           -> transposed conv 1@4x4 stride 2, tanh (32x32) -> crop to 30x32 -> + mean image

The study (Section 2) gives the channel counts (1 -> 256 -> 32), the ReLU and max-pooling after each encoder
convolution, three transposed convolutions in the decoder, 128 latent values for a 32x32 input and a
compression ratio of 8:1. It models the network on the PyTorch "beginner" convolutional autoencoder (its
reference [7]); the kernels, strides and paddings here are that network's, with its 16 and 8 channels
replaced by the study's 256 and 32 and the last kernel widened from 2 (padding 1) to 4 so that 2x2 grows
back to 32x32 rather than 28x28. The 128 values are thus 32 channels x 2 x 2 positions, with no dense layer.

Choices the text leaves open, and why:
- Output activation: tanh, not ReLU. The text says all three transposed convolutions are followed by a
  ReLU, but the decoder reconstructs the image minus the mean image, and a ReLU cannot output pixels darker
  than the mean: on the CMU faces that alone costs an L1 of about 0.065 (0.037 on the unscaled PGM values), above
  the study's reported 0.0273. The network of reference [7] ends in tanh, whose range [-1, 1] covers the
  mean-removed residual. ``output_activation`` takes any Keras activation ("relu" for the text's reading).
- Padding: the study padded the 32 wide x 30 high images vertically to 32x32 before training. Here the pad
  (one row above and one below) and the crop back are layers inside the model, so the model takes the data
  set's 30x32 images, and the loss and pictures cover only real pixels. The pad comes after mean removal
  and is zero, which is what black padding rows become once their mean (also zero) is removed. (The
  study's L1 also averaged over its two padding rows; with them reproduced exactly that average is 30/32 of
  the L1 over real pixels.) Any input up to 32x32 is padded to 32x32 the same way.
- Batch-mean removal: during training `MeanCentredJointModel` centres each batch on its own mean image and
  adds that mean back before the loss, as the study does. With one image at a time there is no batch mean,
  and the decoder on the server never sees the batch, so at inference both sides use a stored mean image:
  the running mean of the training batches (momentum ``mean_momentum``, like batch normalisation's moving
  mean), which `set_mean_image` can also set directly, e.g. to the training set's mean image. Encoder and
  decoder each keep a copy (`RemoveMeanImage`, `RestoreMeanImage`), saved with the model.

Reference: J. Martin, "Convolutional Autoencoders and the Distinctiveness Measure", Research School of
Computer Science, Australian National University.
"""

import keras
import numpy as np
from keras import layers, ops

from keras_jointcomp.layers import Conv2D, LatentMask, MaxPooling2D
from keras_jointcomp.layers.mean_image import RemoveMeanImage, RestoreMeanImage
from keras_jointcomp.models.joint import RECONSTRUCTION, JointModel
from keras_jointcomp.serialization import serializable

FRAME = 32  # the study's square input, which the 2x2 latent and the decoder's strides assume


@serializable
class MeanCentredJointModel(JointModel):
    """A `JointModel` whose encoder starts with `RemoveMeanImage` and whose decoder ends with
    `RestoreMeanImage`, and which removes each training batch's own mean image.

    In training (``training=True``, as in ``fit``) a batch ``x`` with mean image ``m_b`` is reconstructed as
    ``m_b + decoder(encoder(x - m_b))``, and both stored copies ``m`` move to
    ``mean_momentum * m + (1 - mean_momentum) * m_b``. At inference the reconstruction is
    ``m + decoder(encoder(x - m))``, image by image.

    The batch-mean behaviour belongs to this model's own call: networks rebuilt over its parts
    (``autoencoder()``, or a new model from `rate.with_latent_mask`) remove the stored mean in training too.
    """

    def __init__(self, *args, mean_momentum=0.99, **kwargs):
        super().__init__(*args, **kwargs)
        if not 0.0 <= mean_momentum <= 1.0:
            raise ValueError(f"mean_momentum must lie in [0, 1], got {mean_momentum}.")
        self.mean_momentum = mean_momentum
        self.mean_layers()  # fail early without the pair

    def mean_layers(self):
        """The encoder's `RemoveMeanImage` and the decoder's `RestoreMeanImage`."""
        found = []
        for part, kind in ((self.encoder, RemoveMeanImage), (self.decoder, RestoreMeanImage)):
            matches = [] if part is None else [
                layer for layer in part._flatten_layers(include_self=False) if isinstance(layer, kind)]
            if len(matches) != 1:
                raise ValueError(f"A MeanCentredJointModel needs exactly one {kind.__name__} in its "
                                 f"{'encoder' if kind is RemoveMeanImage else 'decoder'}; found {len(matches)}.")
            found.append(matches[0])
        return tuple(found)

    @property
    def mean_image(self):
        """The stored mean image (numpy), what inference removes and adds back."""
        return ops.convert_to_numpy(self.mean_layers()[0].mean)

    def set_mean_image(self, mean_image):
        """Store ``mean_image`` (float, [0, 1], one image's shape) on both sides, e.g. the training set's
        mean: ``model.set_mean_image(data.to_float(x_train).mean(axis=0))``."""
        for layer in self.mean_layers():
            layer.set_mean(mean_image)

    def call(self, inputs, training=None, mask=None):
        if not training:
            return super().call(inputs, training=training, mask=mask)
        remove, restore = self.mean_layers()
        inputs = ops.convert_to_tensor(inputs, self.compute_dtype)
        batch_mean = ops.stop_gradient(ops.mean(inputs, axis=0))
        # The parts remove and restore the stored means; shift the batch so that they act as its own mean.
        encoder_mean = ops.cast(remove.mean, inputs.dtype)
        decoder_mean = ops.cast(restore.mean, inputs.dtype)
        outputs = dict(super().call(inputs - batch_mean + encoder_mean, training=training, mask=mask))
        outputs[RECONSTRUCTION] = outputs[RECONSTRUCTION] - decoder_mean + batch_mean
        running = self.mean_momentum * encoder_mean + (1.0 - self.mean_momentum) * batch_mean
        remove.mean.assign(running)
        restore.mean.assign(running)
        return outputs

    def get_config(self):
        return {**super().get_config(), "mean_momentum": self.mean_momentum}

    def _extra_fields(self):
        return {"mean_momentum": self.mean_momentum}


def _frame_padding(size):
    """(before, after) zeros that bring ``size`` to the 32-pixel frame."""
    if not 0 < size <= FRAME:
        raise ValueError(f"faces_conv_ae takes images of at most {FRAME}x{FRAME} (padded to that frame); "
                         f"got a side of {size}.")
    before = (FRAME - size) // 2
    return before, FRAME - size - before


def conv_encoder(input_shape, hidden_channels=256, latent_channels=32):
    """Images -> mean removed -> padded to 32x32 -> 2 x 2 x ``latent_channels`` latent."""
    padding = tuple(_frame_padding(size) for size in input_shape[:2])
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            RemoveMeanImage(name="remove_mean"),
            layers.ZeroPadding2D(padding, name="pad_to_frame"),
            layers.ZeroPadding2D(1),
            Conv2D(hidden_channels, 3, strides=3, activation="relu"),
            MaxPooling2D(2),
            layers.ZeroPadding2D(1),
            Conv2D(latent_channels, 3, strides=2, activation="relu"),
            MaxPooling2D(2, strides=1),
        ],
        name="conv_encoder",
    )


def conv_decoder(latent_shape, output_shape, hidden_channels=256, output_activation="tanh"):
    """2 x 2 latent -> three transposed convolutions to 32x32 -> cropped to ``output_shape`` -> + mean."""
    cropping = tuple(_frame_padding(size) for size in output_shape[:2])
    return keras.Sequential(
        [
            keras.Input(shape=latent_shape),
            layers.Conv2DTranspose(hidden_channels, 3, strides=2, activation="relu"),
            layers.Conv2DTranspose(latent_shape[-1], 5, strides=3, activation="relu"),
            layers.Cropping2D(1),
            layers.Conv2DTranspose(output_shape[-1], 4, strides=2, activation=output_activation),
            layers.Cropping2D(cropping, name="crop_to_image"),
            RestoreMeanImage(name="restore_mean"),
        ],
        name="conv_decoder",
    )


def faces_conv_ae(input_shape=(30, 32, 1), hidden_channels=256, latent_channels=32, output_activation="tanh",
                  latent_mask=True, mean_momentum=0.99, name="faces_conv_ae"):
    """Build the study's autoencoder (a `MeanCentredJointModel` with a decoder and no classifier).

    ``latent_mask`` ends the encoder with an all-ones `LatentMask` over the 2 x 2 x ``latent_channels``
    latent, laid out as `rate.with_latent_mask` lays it out, so that pruning can switch units off in place.
    ``hidden_channels`` (the study: 256) is there to build small copies for tests.
    """
    input_shape = tuple(input_shape)
    if len(input_shape) != 3:
        raise ValueError(f"faces_conv_ae takes (height, width, channels), got {input_shape}.")
    encoder = conv_encoder(input_shape, hidden_channels, latent_channels)
    latent_shape = encoder.output_shape[1:]
    decoder = conv_decoder(latent_shape, input_shape, hidden_channels, output_activation)
    if latent_mask:
        encoder = keras.Sequential([encoder, LatentMask(np.ones(latent_shape, "float32"), name="latent_mask")],
                                   name=f"{encoder.name}_masked")
    return MeanCentredJointModel(encoder=encoder, decoder=decoder, mean_momentum=mean_momentum, name=name)
