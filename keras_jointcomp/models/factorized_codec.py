"""A learned rate-distortion-accuracy codec: convolutional transforms around a learned entropy bottleneck,
with a classifier that reads the quantized latent.

    image -> [conv 5x5 /2 -> GDN] x (d - 1) -> conv 5x5 /2 -> latent (H/2^d x W/2^d x M)
    latent -> entropy bottleneck (per-channel learned density; rounding around its medians)
           -> decoder: [deconv 5x5 x2 -> IGDN] x (d - 1) -> deconv 5x5 x2 -> clip to [0, 1] -> reconstruction
           -> classifier: conv 3x3 -> conv 3x3 -> max-pool -> dense -> logits (never decodes the image)

The transforms are those of Ballé et al. 2018's factorized-prior model ("bmshj2018-factorized" in
CompressAI), scaled to small images: two downsamplings for 28x28 and 32x32 inputs. Trained by the
``rate-distortion`` recipe on ``lambda * MSE + bits per pixel + beta * cross-entropy``, one model per
lambda; `keras_jointcomp.codec.freeze_entropy_coding` then turns the density into the integer tables the
streams are coded with.

References: J. Ballé, V. Laparra, E. P. Simoncelli, "End-to-end optimized image compression", ICLR 2017;
J. Ballé, D. Minnen, S. Singh, S. J. Hwang, N. Johnston, "Variational image compression with a scale
hyperprior", ICLR 2018.
"""

import keras
from keras import layers

from keras_jointcomp.layers import GDN, Conv2D, EntropyBottleneck, MaxPooling2D, StraightThroughClip
from keras_jointcomp.models.joint import JointModel

ACTIVATIONS = ("gdn", "relu")


def _activation(kind, inverse, name):
    if kind == "gdn":
        return GDN(inverse=inverse, name=name)
    return layers.ReLU(name=name)


def analysis_transform(input_shape, filters, latent_channels, downsamplings, activation):
    """Images -> latent at 1 / 2**downsamplings of the size, ``latent_channels`` deep."""
    stack = [keras.Input(shape=input_shape)]
    for index in range(downsamplings):
        last = index == downsamplings - 1
        stack.append(Conv2D(latent_channels if last else filters, 5, strides=2, padding="same",
                                   name=f"analysis_conv_{index}"))
        if not last:
            stack.append(_activation(activation, False, f"analysis_{activation}_{index}"))
    return keras.Sequential(stack, name="encoder")


def synthesis_transform(latent_shape, output_shape, filters, downsamplings, activation):
    """Latent -> images of ``output_shape`` in [0, 1] (a linear output clipped straight-through: a sigmoid
    saturates on black backgrounds before the latent carries anything); cropped when the input size is not a multiple of
    2**downsamplings (28x28 from a 7x7 latent needs no crop)."""
    stack = [keras.Input(shape=latent_shape)]
    for index in range(downsamplings):
        last = index == downsamplings - 1
        stack.append(layers.Conv2DTranspose(output_shape[-1] if last else filters, 5, strides=2, padding="same",
                                            activation=None, name=f"synthesis_conv_{index}"))
        if not last:
            stack.append(_activation(activation, True, f"synthesis_{activation}_{index}"))
    height, width = latent_shape[0] * 2**downsamplings, latent_shape[1] * 2**downsamplings
    crop = ((0, height - output_shape[0]), (0, width - output_shape[1]))
    if any(sum(pair) for pair in crop):
        stack.append(layers.Cropping2D(crop, name="crop_to_input"))
    stack.append(StraightThroughClip(name="clip_to_unit"))
    return keras.Sequential(stack, name="decoder")


def latent_classifier(latent_shape, num_classes, width, dropout):
    """Quantized latent -> logits: two 3x3 convolutions, pooling and a dense layer."""
    return keras.Sequential([
        keras.Input(shape=latent_shape),
        Conv2D(width, 3, padding="same", activation="relu"),
        Conv2D(width, 3, padding="same", activation="relu"),
        MaxPooling2D(2, padding="same"),
        layers.Flatten(),
        layers.Dropout(dropout),
        layers.Dense(2 * width, activation="relu"),
        layers.Dense(num_classes),
    ], name="classifier")


def factorized_codec(input_shape=(28, 28, 1), num_classes=10, filters=64, latent_channels=16, downsamplings=2,
                     activation="gdn", classifier_width=64, dropout=0.25, seed=None, name="factorized_codec"):
    """Build the learned codec for images of ``input_shape``.

    Args:
        filters: channels of the hidden transform layers (N in Ballé et al.).
        latent_channels: channels of the latent (M); the bottleneck learns one density per channel.
        downsamplings: stride-2 convolutions in the encoder (and upsamplings in the decoder).
        activation: "gdn" (GDN / IGDN, as the papers) or "relu".
        classifier_width: channels of the classifier's convolutions.
        seed: seeds the bottleneck's training noise.
    """
    input_shape = tuple(input_shape)
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    if downsamplings < 1 or min(input_shape[:2]) < 2**downsamplings:
        raise ValueError(f"{name} needs images of at least {2**downsamplings} pixels a side for {downsamplings} "
                         f"downsamplings, got {input_shape}")
    encoder = analysis_transform(input_shape, filters, latent_channels, downsamplings, activation)
    latent_shape = encoder.output_shape[1:]
    return JointModel(
        encoder=encoder,
        quantizer=EntropyBottleneck(seed=seed, name="entropy_bottleneck"),
        decoder=synthesis_transform(latent_shape, input_shape, filters, downsamplings, activation),
        classifier=latent_classifier(latent_shape, num_classes, classifier_width, dropout),
        name=name,
    )


def factorized_mnist(input_shape=(28, 28, 1), num_classes=10, **options):
    """The learned codec for 28x28 gray images (MNIST, Fashion-MNIST): 7x7x16 latent."""
    return factorized_codec(input_shape, num_classes, **{"name": "factorized_mnist", **options})


def factorized_cifar(input_shape=(32, 32, 3), num_classes=10, **options):
    """The learned codec for 32x32 colour images (CIFAR-10): 8x8x32 latent, 96 filters."""
    defaults = {"filters": 96, "latent_channels": 32, "classifier_width": 128, "name": "factorized_cifar"}
    return factorized_codec(input_shape, num_classes, **{**defaults, **options})
