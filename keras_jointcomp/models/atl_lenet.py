"""LeNet compressor, decompressor and classifier sharing one rounded latent (Forna, ATL study, Table 1).

    image 28x28x1 -> conv 6@5x5 -> pad 2 -> maxpool 2 -> conv 16@5x5 -> maxpool 2 -> 5x5x16 latent
    latent -> round to 0..15 (4 bits: 16x5x5x4 bits = 200 bytes, compression ratio 3.9)
    decompressor: upsample -> pad 2 -> conv 16@3x3 -> upsample -> pad 2 -> conv 6@3x3 -> pad 2 -> conv 1@3x3
    classifier: flatten 400 -> dense 120 -> dropout 0.5 -> dense 84 -> dropout 0.5 -> dense 10 (logits)

Any input whose height and width are multiples of 4 (at least 16) and any channel count work: a 32x32x3
image gives a 6x6x16 latent and a 32x32x3 reconstruction.

Reference: R. P. Forna, "Using Alternating Transfer Learning to Create Multi-Purpose Layers in Deep
Convolutional Neural Networks".
"""

import keras
from keras import layers

from keras_jointcomp.layers import Conv2D, MaxPooling2D, RoundingQuantizer, UpsamplingConv2D
from keras_jointcomp.models.joint import JointModel


def _check_input_shape(input_shape):
    if len(input_shape) != 3 or any(size % 4 or size < 16 for size in input_shape[:2]):
        raise ValueError(
            f"atl_lenet takes (height, width, channels) with height and width multiples of 4 and at least 16; "
            f"got {tuple(input_shape)}."
        )


def lenet_compressor(input_shape):
    """Images -> 16 feature maps at a quarter of the size minus 2 (5x5 for 28x28)."""
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            Conv2D(6, 5, activation="relu"),
            layers.ZeroPadding2D(2),
            MaxPooling2D(2),
            Conv2D(16, 5, activation="relu"),
            MaxPooling2D(2),
        ],
        name="compressor",
    )


def lenet_decompressor(latent_shape, channels, output_activation="sigmoid"):
    """Latent -> image, mirroring the compressor with upsampling and 3x3 convolutions. Each "upsample -> pad
    2 -> conv" is one `UpsamplingConv2D`: the same function and parameters, computed without the upsampled
    maps (half the multiply-adds or less; see `keras_jointcomp.layers.upsampling_conv`)."""
    return keras.Sequential(
        [
            keras.Input(shape=latent_shape),
            UpsamplingConv2D(16, 3, padding=2, activation="relu"),
            UpsamplingConv2D(6, 3, padding=2, activation="relu"),
            layers.ZeroPadding2D(2),
            Conv2D(channels, 3, activation=output_activation),
        ],
        name="decompressor",
    )


def lenet_classifier(latent_shape, num_classes, dropout=0.5):
    """Latent -> logits through LeNet's fully connected layers with dropout."""
    return keras.Sequential(
        [
            keras.Input(shape=latent_shape),
            layers.Flatten(),
            layers.Dense(120, activation="relu"),
            layers.Dropout(dropout),
            layers.Dense(84, activation="relu"),
            layers.Dropout(dropout),
            layers.Dense(num_classes),
        ],
        name="classifier",
    )


def atl_lenet(input_shape=(28, 28, 1), num_classes=10, num_bits=4, dropout=0.5, name="atl_lenet"):
    """Build the ATL study's joint LeNet. ``num_bits`` sets the rounding range 0..2**num_bits - 1."""
    input_shape = tuple(input_shape)
    _check_input_shape(input_shape)
    encoder = lenet_compressor(input_shape)
    latent_shape = encoder.output_shape[1:]
    return JointModel(
        encoder=encoder,
        quantizer=RoundingQuantizer(num_bits=num_bits, name="rounding"),
        decoder=lenet_decompressor(latent_shape, input_shape[-1]),
        classifier=lenet_classifier(latent_shape, num_classes, dropout),
        name=name,
    )
