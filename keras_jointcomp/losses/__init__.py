"""Losses beyond Keras' own: the rounding-gap loss (and, as the zoo grows, MCR^2)."""

from keras_jointcomp.losses.rounding_gap import RoundingGap, rounding_gap

__all__ = ["RoundingGap", "rounding_gap"]
