"""Multiple-encoder binary quantization (Scott): one encoder per image portion, each emitting a few bits.

    image -> split (chunks | grid | channels) -> encoder_i -> soft bits_i ─┐
                                                                          concat -> binary quantizer (the link)
    bits -> decoder (dense merge + reshape, or convolutional for square bit grids) -> image-shaped input
         -> classifier -> logits

Encoders end in an output stage: optional batch norm -> sigmoid (soft bits), optionally sharpened by
`ReSigmoid`. The quantizer passes soft bits in training (or rounds them straight-through) and rounds at
inference. The joint model also exposes the soft bits as "latent" for the rounding-gap loss.

Reference: Z. Scott, "Exploring Use of Neural Networks to Train a Multiple Encoder Quantization System for
Classification".
"""

import math

import keras
from keras import layers

from keras_jointcomp.layers import BinaryQuantizer, Conv2D, ImageSplit, MaxPooling2D, ReSigmoid, portion_shapes
from keras_jointcomp.models.airbench import AIRBENCH93_WIDTHS, airbench_features
from keras_jointcomp.models.joint import JointModel
from keras_jointcomp.models.resnet import batch_norm, resnet_features

ENCODERS = ("fc", "conv", "conv_b", "conv_c", "alexnet", "resnet18", "airbench", "square")
STAGES = ("sigmoid", "resigmoid", "straight_through")


def output_stage(normalize=True, stage="sigmoid", resigmoid_times=3):
    """Dense-free tail of a bit encoder: [batch norm] -> sigmoid [-> ReSigmoid x times]."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, got {stage!r}.")
    tail = [batch_norm()] if normalize else []
    tail.append(layers.Activation("sigmoid"))
    if stage == "resigmoid":
        tail.append(ReSigmoid(resigmoid_times))
    return tail


def _lenet_features(channels_first=6, channels_second=16):
    """The PyTorch tutorial's convolutions: 5x5 conv -> max-pool -> ReLU, twice."""
    return [Conv2D(channels_first, 5), MaxPooling2D(2), layers.ReLU(),
            Conv2D(channels_second, 5), MaxPooling2D(2), layers.ReLU(), layers.Flatten()]


def _alexnet_features(width=1.0):
    """AlexNet scaled to 32x32 inputs: five 3x3 convolutions, three max-pools, two dense layers of 1024."""
    w = lambda n: max(8, int(n * width))  # noqa: E731
    return [Conv2D(w(64), 3, padding="same", activation="relu"), MaxPooling2D(2),
            Conv2D(w(192), 3, padding="same", activation="relu"), MaxPooling2D(2),
            Conv2D(w(384), 3, padding="same", activation="relu"),
            Conv2D(w(256), 3, padding="same", activation="relu"),
            Conv2D(w(256), 3, padding="same", activation="relu"), MaxPooling2D(2),
            layers.Flatten(), layers.Dropout(0.5), layers.Dense(w(1024), activation="relu"),
            layers.Dropout(0.5), layers.Dense(w(1024), activation="relu")]


def bit_encoder(family, portion_shape, bits, batch_norm=True, stage="sigmoid", width=1.0, name=None):
    """One encoder of ``family`` from a portion to ``bits`` soft bits (a flat vector)."""
    inputs = keras.Input(shape=portion_shape)
    tail = output_stage(batch_norm, stage)
    if family == "fc":
        body = [layers.Flatten(), layers.Dense(200, activation="relu"), layers.Dense(bits)]
    elif family == "conv":  # "1 Channel Conv": the tutorial classifier with `bits` outputs
        body = _lenet_features() + [layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"),
                                    layers.Dense(bits)]
    elif family == "conv_b":  # one dense layer straight to the bits, followed by a ReLU, as in the study
        body = _lenet_features() + [layers.Dense(bits), layers.ReLU()]
    elif family == "conv_c":  # conv_b with the 84-unit hidden layer back
        body = _lenet_features() + [layers.Dense(84, activation="relu"), layers.Dense(bits)]
    elif family == "alexnet":
        body = _alexnet_features(width) + [layers.Dense(bits)]
    elif family in ("resnet18", "airbench"):
        if family == "resnet18":
            features = resnet_features(inputs, 18, width)
        else:
            features = airbench_features(inputs, tuple(max(8, int(w * width)) for w in AIRBENCH93_WIDTHS))
        x = layers.Dense(bits)(features)
        for layer in tail:
            x = layer(x)
        return keras.Model(inputs, x, name=name)
    elif family == "square":  # fully convolutional: a side x side x 1 map of bits
        side = math.isqrt(bits)
        if side * side != bits or portion_shape[0] % side or portion_shape[1] % side:
            raise ValueError(f"The square encoder needs a square number of bits whose side divides the "
                             f"portion; got {bits} bits for a {portion_shape} portion.")
        pool = (portion_shape[0] // side, portion_shape[1] // side)
        body = [Conv2D(6, 5, padding="same", activation="relu"),
                Conv2D(16, 5, padding="same", activation="relu"),
                layers.AveragePooling2D(pool), Conv2D(1, 3, padding="same"), layers.Flatten()]
    else:
        raise ValueError(f"Unknown encoder family {family!r}; choose one of {ENCODERS}.")
    return keras.Sequential([inputs, *body, *tail], name=name)


def multi_encoder(image_shape, split, bits, family, batch_norm=True, stage="sigmoid", width=1.0,
                  num_chunks=None, grid=None, standardize=None):
    """Images -> concatenated soft bits of one encoder per portion. ``standardize = (mean, std)`` (scalars or
    one per channel) standardizes the [0, 1] images first, as the study's PyTorch input pipeline did."""
    shapes = portion_shapes(split, image_shape, num_chunks, grid)
    images = keras.Input(shape=image_shape)
    inputs = images
    if standardize is not None:
        mean, std = standardize
        variance = [value ** 2 for value in std] if isinstance(std, (list, tuple)) else std ** 2
        inputs = layers.Normalization(mean=mean, variance=variance, name="standardize")(images)
    portions = ImageSplit(split, num_chunks=num_chunks, grid=grid, name="split")(inputs)
    bits_out = [bit_encoder(family, shape, bits, batch_norm, stage, width, name=f"encoder_{i}")(portion)
                for i, (shape, portion) in enumerate(zip(shapes, portions))]
    return keras.Model(images, layers.Concatenate(name="bits")(bits_out), name="encoders")


def num_encoders(model):
    """How many portion encoders a multiple-encoder joint model has."""
    return sum(1 for layer in model.encoder.layers if layer.name.startswith("encoder_"))


def dense_decoder(num_bits, image_shape):
    """The study's decoder: one dense layer without nonlinearity, reshaped to the classifier's input."""
    return keras.Sequential([keras.Input(shape=(num_bits,)), layers.Dense(math.prod(image_shape)),
                             layers.Reshape(image_shape)], name="decoder")


def square_decoder(num_encoders, side, image_shape):
    """For square bit grids: stack the grids as channels, upsample to the image size, three 5x5 convs."""
    scale = image_shape[0] // side
    return keras.Sequential([
        keras.Input(shape=(num_encoders * side * side,)),
        layers.Reshape((num_encoders, side, side)), layers.Permute((2, 3, 1)),
        layers.UpSampling2D(scale),
        Conv2D(6, 5, padding="same", activation="relu"),
        Conv2D(16, 5, padding="same", activation="relu"),
        Conv2D(image_shape[-1], 5, padding="same"),
    ], name="decoder")


def mlp_classifier(image_shape, num_classes, hidden=1000):
    """The MNIST tutorial classifier: dense -> ReLU -> dense (1000 hidden units, as the study found best)."""
    return keras.Sequential([keras.Input(shape=image_shape), layers.Flatten(),
                             layers.Dense(hidden, activation="relu"), layers.Dense(num_classes)],
                            name="classifier")


def cnn_classifier(image_shape, num_classes, width=1.0):
    """A VGG-style CIFAR classifier (three blocks of two 3x3 convolutions with batch norm)."""
    stack = [keras.Input(shape=image_shape)]
    for filters in (64, 128, 256):
        filters = max(8, int(filters * width))
        for _ in range(2):
            stack += [Conv2D(filters, 3, padding="same", use_bias=False), batch_norm(),
                      layers.ReLU()]
        stack.append(MaxPooling2D(2))
    stack += [layers.GlobalAveragePooling2D(), layers.Dropout(0.3), layers.Dense(num_classes)]
    return keras.Sequential(stack, name="classifier")


def multi_encoder_model(input_shape, num_classes, split="chunks", num_portions=4, grid=(2, 2), bits=4,
                        encoder="fc", batch_norm=True, stage="sigmoid", decoder="dense", classifier="mlp",
                        width=1.0, standardize=None, name="multi_encoder"):
    """Build a multiple-encoder joint model (see the module docstring for the dataflow)."""
    input_shape = tuple(input_shape)
    encoders = multi_encoder(input_shape, split, bits, encoder, batch_norm, stage, width,
                             num_chunks=num_portions if split == "chunks" else None,
                             grid=grid if split == "grid" else None, standardize=standardize)
    total_bits = encoders.output_shape[-1]
    if decoder == "dense":
        merge = dense_decoder(total_bits, input_shape)
    elif decoder == "square":
        merge = square_decoder(total_bits // bits, math.isqrt(bits), input_shape)
    else:
        raise ValueError(f"decoder must be 'dense' or 'square', got {decoder!r}.")
    if classifier == "mlp":
        head = mlp_classifier(input_shape, num_classes)
    elif classifier == "cnn":
        head = cnn_classifier(input_shape, num_classes, width)
    else:
        raise ValueError(f"classifier must be 'mlp' or 'cnn', got {classifier!r}.")
    return JointModel(encoder=encoders, quantizer=BinaryQuantizer(straight_through=stage == "straight_through",
                                                                  name="binarizer"),
                      decoder=merge, classifier=head, classifier_input="decoded", expose_latent=True, name=name)


# Inputs standardized by the usual per-channel statistics of each data set, as the study's PyTorch pipeline
# did: the larger pre-activations let the soft bits saturate (rounded accuracy +5 points on row 1).
MNIST_STATISTICS = (0.1307, 0.3081)
CIFAR10_STATISTICS = ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))


def multi_encoder_mnist(input_shape=(28, 28, 1), num_classes=10, **overrides):
    return multi_encoder_model(input_shape, num_classes, **{"split": "chunks", "num_portions": 4, "bits": 4,
                                                            "encoder": "fc", "classifier": "mlp",
                                                            "standardize": MNIST_STATISTICS,
                                                            "name": "multi_encoder_mnist", **overrides})


def multi_encoder_cifar10(input_shape=(32, 32, 3), num_classes=10, **overrides):
    return multi_encoder_model(input_shape, num_classes, **{"split": "channels", "bits": 8, "encoder": "conv_c",
                                                            "classifier": "cnn", "standardize": CIFAR10_STATISTICS,
                                                            "name": "multi_encoder_cifar10",
                                                            **overrides})


def multi_encoder_airbench(input_shape=(32, 32, 3), num_classes=10, **overrides):
    """Colour planes at 8 bits each on half-width airbench encoders (three cost about one airbench93), for
    the fast CIFAR recipe (``jointcomp train --fast``); the images need no standardising (the encoders'
    whitening layers centre them)."""
    return multi_encoder_model(input_shape, num_classes, **{"split": "channels", "bits": 8, "encoder": "airbench",
                                                            "width": 0.5, "classifier": "mlp",
                                                            "name": "multi_encoder_airbench", **overrides})
