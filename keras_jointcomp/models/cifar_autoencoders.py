"""CIFAR-10 autoencoders with a classifier on their features (the CIFAR-10 autoencoder-features study).

MLP autoencoder (the study's first trial; its features are the batch-normalised code layer):

    image 32x32x3 -> flatten 3072 -> dense 768 relu ("features") -> batch norm = latent (768)
    latent -> dense 3072 sigmoid -> reshape 32x32x3
    classifier: dense 256 relu -> dropout -> dense 10 (logits)

VGG-style convolutional autoencoder (the study's second trial and its joint model):

    image 32x32x3 -> [conv 32@3x3 x2 -> maxpool 2] -> [conv 64@3x3 x2 -> maxpool 2] = latent 8x8x64
    latent -> [transposed conv 64@3x3 stride 2] -> [transposed conv 32@3x3 stride 2] -> conv 3@3x3 sigmoid
    classifier: [conv 128@3x3 x2 -> maxpool 2 -> dropout] -> flatten -> dense 10 (logits)

The study replaced upsampling by transposed convolutions in the decoder ("converged faster", test MSE about
0.0007), and trained the classifier first on the frozen autoencoder's features (75 % test accuracy), then
jointly with the autoencoder as one two-output model (86 % with augmentation and class weights). Batch norm
after each convolution is this implementation's choice (``batch_norm=False`` removes it), with a momentum
of 0.9 so that short CPU runs get usable inference statistics.

There is no quantizer: the latent is float. At a fixed length of 32 bits per element the conv latent is
16,384 bytes, more than the 3,072 bytes of the raw image (ratio 0.19); the MLP's 768 floats are 3,072 bytes
(ratio 1). The study measured features for classification, not a rate; quantize the latent (e.g. with
`keras_jointcomp.rate`) to compress.

Reference: "CIFAR-10 classification using autoencoder features" (study notes in the project's seeds).
"""

import math

import keras
from keras import layers

from keras_jointcomp.layers import BatchNormalization, Conv2D, MaxPooling2D
from keras_jointcomp.models.joint import JointModel


BN_MOMENTUM = 0.9


def _check_input_shape(input_shape, multiple, name):
    if len(input_shape) != 3 or any(size % multiple or size < multiple for size in input_shape[:2]):
        raise ValueError(f"{name} takes (height, width, channels) with height and width multiples of {multiple}; "
                         f"got {tuple(input_shape)}.")


def _conv(filters, bn_momentum, transpose=False, strides=1):
    """A 3x3 (transposed) convolution with ReLU, batch-normalised before the activation (with this momentum)
    unless ``bn_momentum`` is None."""
    conv = layers.Conv2DTranspose if transpose else layers.Conv2D
    if bn_momentum is None:
        return [conv(filters, 3, strides=strides, padding="same", activation="relu")]
    return [conv(filters, 3, strides=strides, padding="same", use_bias=False),
            BatchNormalization(momentum=bn_momentum), layers.ReLU()]


# --- VGG-style convolutional autoencoder -------------------------------------------------------------------


def block_filters(base_filters, blocks):
    """Filters of each encoder block: ``base_filters`` doubling per block (32, 64 by default)."""
    return tuple(base_filters * 2**index for index in range(blocks))


def vgg_encoder(input_shape, base_filters=32, blocks=2, convs_per_block=2, bn_momentum=BN_MOMENTUM):
    """Images -> a latent at 1 / 2**blocks of the size with ``base_filters * 2**(blocks - 1)`` channels."""
    stack = [keras.Input(shape=input_shape)]
    for filters in block_filters(base_filters, blocks):
        for _ in range(convs_per_block):
            stack += _conv(filters, bn_momentum)
        stack.append(MaxPooling2D(2))
    return keras.Sequential(stack, name="encoder")


def transposed_decoder(latent_shape, channels, base_filters=32, blocks=2, bn_momentum=BN_MOMENTUM):
    """Latent -> image: one stride-2 transposed convolution per encoder block, widest first, then a 3x3
    convolution to ``channels`` with a sigmoid."""
    stack = [keras.Input(shape=latent_shape)]
    for filters in reversed(block_filters(base_filters, blocks)):
        stack += _conv(filters, bn_momentum, transpose=True, strides=2)
    stack.append(Conv2D(channels, 3, padding="same", activation="sigmoid"))
    return keras.Sequential(stack, name="decoder")


def conv_classifier(latent_shape, num_classes, filters=(128,), dropout=0.3, bn_momentum=BN_MOMENTUM):
    """Latent -> logits: per entry of ``filters`` two 3x3 convolutions, max pooling and dropout; then one
    dense layer (the study's joint Adam model)."""
    stack = [keras.Input(shape=latent_shape)]
    for width in filters:
        stack += _conv(width, bn_momentum) + _conv(width, bn_momentum)
        stack += [MaxPooling2D(2), layers.Dropout(dropout)]
    stack += [layers.Flatten(), layers.Dense(num_classes)]
    return keras.Sequential(stack, name="classifier")


def cifar_conv_ae(input_shape=(32, 32, 3), num_classes=10, base_filters=32, blocks=2, convs_per_block=2,
                  classifier_filters=(128,), dropout=0.3, batch_norm=True, bn_momentum=BN_MOMENTUM,
                  name="cifar_conv_ae"):
    """Build the convolutional autoencoder + classifier. The defaults give the study's 8x8x64 latent on
    32x32 images; ``convs_per_block`` sets the depth and ``base_filters`` the width of the encoder.
    ``batch_norm=False`` builds the plain convolutions of the study; ``bn_momentum`` is the batch norms'
    moving-average momentum (0.9: their inference statistics settle within tens of steps, where Keras'
    0.99 left the test MSE of a 4-epoch, 190-step autoencoder eight times its training loss)."""
    input_shape = tuple(input_shape)
    _check_input_shape(input_shape, 2**blocks, "cifar_conv_ae")
    if min(base_filters, blocks, convs_per_block) < 1:
        raise ValueError(f"base_filters, blocks and convs_per_block must be at least 1, got {base_filters}, "
                         f"{blocks} and {convs_per_block}.")
    momentum = bn_momentum if batch_norm else None
    encoder = vgg_encoder(input_shape, base_filters, blocks, convs_per_block, momentum)
    latent_shape = encoder.output_shape[1:]
    return JointModel(
        encoder=encoder,
        decoder=transposed_decoder(latent_shape, input_shape[-1], base_filters, blocks, momentum),
        classifier=conv_classifier(latent_shape, num_classes, tuple(classifier_filters), dropout, momentum),
        name=name,
    )


# --- MLP autoencoder ---------------------------------------------------------------------------------------


def mlp_encoder(input_shape, features=768):
    """Images -> dense ``features`` with ReLU -> batch norm (the study's classifier converged only on the
    batch-normalised features)."""
    return keras.Sequential([keras.Input(shape=input_shape), layers.Flatten(),
                             layers.Dense(features, activation="relu", name="features"),
                             BatchNormalization(momentum=BN_MOMENTUM)], name="encoder")


def mlp_decoder(features, output_shape):
    """Latent -> one dense layer with a sigmoid, reshaped to the image."""
    return keras.Sequential([keras.Input(shape=(features,)),
                             layers.Dense(math.prod(output_shape), activation="sigmoid"),
                             layers.Reshape(output_shape)], name="decoder")


def mlp_classifier(features, num_classes, hidden_units=256, dropout=0.5):
    """Latent -> dense ``hidden_units`` with ReLU -> dropout -> logits."""
    return keras.Sequential([keras.Input(shape=(features,)), layers.Dense(hidden_units, activation="relu"),
                             layers.Dropout(dropout), layers.Dense(num_classes)], name="classifier")


def cifar_mlp_ae(input_shape=(32, 32, 3), num_classes=10, features=768, hidden_units=256, dropout=0.5,
                 name="cifar_mlp_ae"):
    """Build the MLP autoencoder + classifier on ``features`` batch-normalised code units."""
    input_shape = tuple(input_shape)
    _check_input_shape(input_shape, 1, "cifar_mlp_ae")
    if features < 1:
        raise ValueError(f"features must be positive, got {features}.")
    return JointModel(
        encoder=mlp_encoder(input_shape, features),
        decoder=mlp_decoder(features, input_shape),
        classifier=mlp_classifier(features, num_classes, hidden_units, dropout),
        name=name,
    )
