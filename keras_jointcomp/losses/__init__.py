"""Losses beyond Keras' own: the rounding-gap loss and the MCR^2 (LDR) loss."""

from keras_jointcomp.losses.mcr2 import MCR2, class_coding_rate, coding_rate, mcr2
from keras_jointcomp.losses.rounding_gap import RoundingGap, rounding_gap

__all__ = ["MCR2", "RoundingGap", "class_coding_rate", "coding_rate", "mcr2", "rounding_gap"]
