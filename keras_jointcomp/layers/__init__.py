"""Custom layers: quantizers, bit-encoder output stages, and image split / merge."""

from keras_jointcomp.layers.bits import BinaryQuantizer, ReSigmoid
from keras_jointcomp.layers.portions import ImageMerge, ImageSplit, portion_shapes
from keras_jointcomp.layers.quantizers import RoundingQuantizer

__all__ = ["BinaryQuantizer", "ImageMerge", "ImageSplit", "ReSigmoid", "RoundingQuantizer", "portion_shapes"]
