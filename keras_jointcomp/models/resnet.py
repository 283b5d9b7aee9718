"""ResNet backbones with basic blocks and the CIFAR stem (3x3 convolution, no max-pool), shared by the zoo.

Batch norm uses momentum 0.9 (PyTorch's default, in Keras' convention): with Keras' 0.99 the moving
statistics of a short run lag far behind the batch statistics and inference accuracy collapses.
"""

from keras import layers

from keras_jointcomp.layers import BatchNormalization, Conv2D

BLOCKS = {10: (1, 1, 1, 1), 18: (2, 2, 2, 2), 34: (3, 4, 6, 3)}
STAGE_FILTERS = (64, 128, 256, 512)


def batch_norm():
    """Batch normalisation with PyTorch's default momentum."""
    return BatchNormalization(momentum=0.9)


def scaled(filters, width):
    """``filters`` scaled by ``width``, at least 8."""
    return max(8, int(filters * width))


def basic_block(x, filters, stride):
    """Two 3x3 convolutions with batch norm and a (projected when needed) shortcut."""
    shortcut = x
    y = Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
    y = layers.ReLU()(batch_norm()(y))
    y = batch_norm()(Conv2D(filters, 3, padding="same", use_bias=False)(y))
    if stride != 1 or shortcut.shape[-1] != filters:
        shortcut = batch_norm()(Conv2D(filters, 1, strides=stride, use_bias=False)(shortcut))
    return layers.ReLU()(layers.Add()([y, shortcut]))


def resnet_features(inputs, depth=18, width=1.0):
    """ResNet-``depth`` (10, 18 or 34) on ``inputs`` -> global average pooled features."""
    if depth not in BLOCKS:
        raise ValueError(f"ResNet depth must be one of {sorted(BLOCKS)}, got {depth!r}.")
    x = Conv2D(scaled(64, width), 3, padding="same", use_bias=False)(inputs)
    x = layers.ReLU()(batch_norm()(x))
    for stage, (blocks, filters) in enumerate(zip(BLOCKS[depth], STAGE_FILTERS)):
        for block in range(blocks):
            x = basic_block(x, scaled(filters, width), stride=2 if stage > 0 and block == 0 else 1)
    return layers.GlobalAveragePooling2D()(x)
