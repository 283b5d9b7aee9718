"""The fast CIFAR backbone of airbench (K. Jordan, "94 % on CIFAR-10 in 3.29 seconds on a single GPU",
2024) as Keras parts, and the three CIFAR studies' joint models on it.

    image -> PatchWhitening 2x2 (frozen, fitted to the data) -> GELU
          -> 3 x [conv 3x3 -> max-pool 2 -> BN -> GELU -> conv 3x3 -> BN -> GELU]   (widths 64, 128, 128)
          -> global max-pool -> features

Batch norms have no scale (``scale=False``: airbench freezes it at one) and momentum 0.6; convolutions start
as partial identities (`initializers.PartialIdentity`). The widths (64, 128, 128) are airbench93's
(0.57 M parameters with its linear head); (64, 256, 256) is airbench94's. ``whitening=False`` and
``identity_init=False`` switch those two tricks off (a trainable 2x2 convolution; PyTorch's default draw).
The training tricks (Nesterov SGD, schedule, faster batch-norm offsets, weight averaging, label smoothing,
flip-and-translate) are `TrainingConfig` settings; ``jointcomp train --fast`` sets them all.

Zoo models:
- ``ldr_airbench``: hierarchical LDR (Qi): features -> dense d_y = 64 with batch norm = latent y;
  classifier dense -> BN -> GELU -> logits; MCR^2 side branch dense 128.
- ``multi_encoder_airbench`` (in `models.multi_encoder`, encoder family "airbench"): multiple-encoder
  quantization (Scott), one half-width backbone per colour plane, 8 bits each (24 bits).
- ``cifar_conv_ae_airbench``: the CIFAR-10 autoencoder-features study's conv autoencoder (8x8x64 latent)
  with an airbench classifier on its latent (two conv groups on the 8x8 latent).
"""

import keras
from keras import layers

from keras_jointcomp.initializers import PartialIdentity
from keras_jointcomp.layers import BatchNormalization, Conv2D, MaxPooling2D, PatchWhitening
from keras_jointcomp.models.joint import JointModel

AIRBENCH93_WIDTHS = (64, 128, 128)
AIRBENCH94_WIDTHS = (64, 256, 256)
BN_MOMENTUM = 0.6
LOGIT_SCALE = 1.0 / 9.0


def norm(momentum=BN_MOMENTUM):
    """airbench's batch norm: an offset, no scale."""
    return BatchNormalization(momentum=momentum, epsilon=1e-5, scale=False)


def conv(filters, identity_init=True):
    """A bias-free 3x3 'same' convolution, started as a partial identity unless ``identity_init=False``."""
    initializer = PartialIdentity() if identity_init else keras.initializers.VarianceScaling(1 / 3, "fan_in",
                                                                                              "uniform")
    return Conv2D(filters, 3, padding="same", use_bias=False, kernel_initializer=initializer)


def conv_group(x, filters, identity_init=True, momentum=BN_MOMENTUM):
    """conv -> max-pool 2 -> BN -> GELU -> conv -> BN -> GELU: halves the size, sets the width."""
    x = MaxPooling2D(2)(conv(filters, identity_init)(x))
    x = layers.Activation("gelu")(norm(momentum)(x))
    x = conv(filters, identity_init)(x)
    return layers.Activation("gelu")(norm(momentum)(x))


def airbench_features(inputs, widths=AIRBENCH93_WIDTHS, whitening=True, identity_init=True, momentum=BN_MOMENTUM):
    """The airbench stack on ``inputs`` -> globally max-pooled features of ``widths[-1]`` values."""
    channels = inputs.shape[-1]
    first = PatchWhitening(2) if whitening else Conv2D(2 * channels * 4, 2, padding="valid")
    x = layers.Activation("gelu")(first(inputs))
    for filters in widths:
        x = conv_group(x, filters, identity_init, momentum)
    return layers.GlobalMaxPooling2D()(x)


def linear_head(inputs, num_classes, hidden_units=0):
    """Logits: [dense -> BN -> GELU] -> bias-free dense scaled by 1/9 (airbench's head; the small scale keeps
    the logits sane under its large learning rate)."""
    x = inputs
    if hidden_units:
        x = layers.Activation("gelu")(norm()(layers.Dense(hidden_units, use_bias=False)(x)))
    return layers.Rescaling(LOGIT_SCALE)(layers.Dense(num_classes, use_bias=False)(x))


def _widths(widths):
    widths = tuple(int(width) for width in widths)
    if not widths or min(widths) < 1:
        raise ValueError(f"widths must be one or more positive numbers of channels, got {widths!r}")
    return widths


def ldr_airbench(input_shape=(32, 32, 3), num_classes=10, latent_dim=64, widths=AIRBENCH93_WIDTHS,
                 hidden_units=256, feature_dim=128, whitening=True, identity_init=True, name="ldr_airbench"):
    """Hierarchical LDR on the airbench backbone: a ``latent_dim`` latent, classifier and MCR^2 side branch."""
    if latent_dim < 1 or feature_dim < 1:
        raise ValueError(f"latent_dim and feature_dim must be positive, got {latent_dim} and {feature_dim}.")
    images = keras.Input(shape=tuple(input_shape))
    features = airbench_features(images, _widths(widths), whitening, identity_init)
    latent = norm()(layers.Dense(latent_dim, use_bias=False, name="bottleneck")(features))
    encoder = keras.Model(images, latent, name="encoder")
    latent_input = keras.Input(shape=(latent_dim,))
    classifier = keras.Model(latent_input, linear_head(latent_input, num_classes, hidden_units), name="classifier")
    side_branch = keras.Sequential([keras.Input(shape=(latent_dim,)), layers.Dense(feature_dim)],
                                   name="side_branch")
    return JointModel(encoder=encoder, classifier=classifier, side_branch=side_branch, name=name)


def airbench_latent_classifier(latent_shape, num_classes, widths=(128, 256), identity_init=True):
    """Logits from a convolutional latent: airbench conv groups on it, global max-pool, the linear head."""
    latent = keras.Input(shape=tuple(latent_shape))
    x = latent
    for filters in _widths(widths):
        x = conv_group(x, filters, identity_init)
    return keras.Model(latent, linear_head(layers.GlobalMaxPooling2D()(x), num_classes), name="classifier")


def cifar_conv_ae_airbench(input_shape=(32, 32, 3), num_classes=10, classifier_widths=(128, 256),
                           identity_init=True, name="cifar_conv_ae_airbench"):
    """The autoencoder-features study's conv autoencoder with an airbench classifier on its 8x8x64 latent."""
    from keras_jointcomp.models.cifar_autoencoders import cifar_conv_ae

    model = cifar_conv_ae(input_shape, num_classes, name=name)
    return model.replace(classifier=airbench_latent_classifier(model.latent_shape, num_classes,
                                                               classifier_widths, identity_init))
