"""Custom layers: quantizers (and, as the zoo grows, image split/merge and latent masks)."""

from keras_jointcomp.layers.quantizers import RoundingQuantizer

__all__ = ["RoundingQuantizer"]
