"""Custom layers: quantizers (rounding, binary, learned entropy bottleneck), GDN, bit-encoder output stages,
image split / merge, latent masks, batch-mean removal, airbench's patch whitening, Keras' batch norm on
PyTorch's fused kernel, Keras' convolution and max pooling without PyTorch's layout copies, and upsampling +
padding + convolution computed at the input's resolution."""

from keras_jointcomp.layers.batch_norm import BatchNormalization
from keras_jointcomp.layers.bits import BinaryQuantizer, ReSigmoid
from keras_jointcomp.layers.clip import StraightThroughClip
from keras_jointcomp.layers.convolution import Conv2D, MaxPooling2D
from keras_jointcomp.layers.entropy_bottleneck import EntropyBottleneck
from keras_jointcomp.layers.gdn import GDN
from keras_jointcomp.layers.mask import LatentMask
from keras_jointcomp.layers.mean_image import RemoveMeanImage, RestoreMeanImage
from keras_jointcomp.layers.portions import ImageMerge, ImageSplit, portion_shapes
from keras_jointcomp.layers.quantizers import EntropyStepQuantizer, RoundingQuantizer
from keras_jointcomp.layers.upsampling_conv import UpsamplingConv2D
from keras_jointcomp.layers.whitening import PatchWhitening, adapt_whitening

__all__ = [
    "BatchNormalization",
    "BinaryQuantizer",
    "Conv2D",
    "EntropyBottleneck",
    "EntropyStepQuantizer",
    "GDN",
    "ImageMerge",
    "ImageSplit",
    "LatentMask",
    "MaxPooling2D",
    "PatchWhitening",
    "ReSigmoid",
    "RemoveMeanImage",
    "RestoreMeanImage",
    "RoundingQuantizer",
    "StraightThroughClip",
    "UpsamplingConv2D",
    "adapt_whitening",
    "portion_shapes",
]
