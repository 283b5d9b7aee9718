"""Custom layers: quantizers (rounding, binary, learned entropy bottleneck), GDN, bit-encoder output stages,
image split / merge, latent masks and batch-mean removal."""

from keras_jointcomp.layers.bits import BinaryQuantizer, ReSigmoid
from keras_jointcomp.layers.clip import StraightThroughClip
from keras_jointcomp.layers.entropy_bottleneck import EntropyBottleneck
from keras_jointcomp.layers.gdn import GDN
from keras_jointcomp.layers.mask import LatentMask
from keras_jointcomp.layers.mean_image import RemoveMeanImage, RestoreMeanImage
from keras_jointcomp.layers.portions import ImageMerge, ImageSplit, portion_shapes
from keras_jointcomp.layers.quantizers import EntropyStepQuantizer, RoundingQuantizer

__all__ = [
    "BinaryQuantizer",
    "EntropyBottleneck",
    "EntropyStepQuantizer",
    "GDN",
    "ImageMerge",
    "ImageSplit",
    "LatentMask",
    "ReSigmoid",
    "RemoveMeanImage",
    "RestoreMeanImage",
    "RoundingQuantizer",
    "StraightThroughClip",
    "portion_shapes",
]
