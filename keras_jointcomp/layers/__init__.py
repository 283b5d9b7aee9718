"""Custom layers: quantizers, bit-encoder output stages, image split / merge, latent masks and
batch-mean removal."""

from keras_jointcomp.layers.bits import BinaryQuantizer, ReSigmoid
from keras_jointcomp.layers.mask import LatentMask
from keras_jointcomp.layers.mean_image import RemoveMeanImage, RestoreMeanImage
from keras_jointcomp.layers.portions import ImageMerge, ImageSplit, portion_shapes
from keras_jointcomp.layers.quantizers import RoundingQuantizer

__all__ = [
    "BinaryQuantizer",
    "ImageMerge",
    "ImageSplit",
    "LatentMask",
    "ReSigmoid",
    "RemoveMeanImage",
    "RestoreMeanImage",
    "RoundingQuantizer",
    "portion_shapes",
]
