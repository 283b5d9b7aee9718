"""Losses beyond Keras' own: the rounding-gap loss, the MCR^2 (LDR) loss and the rate in bits per pixel."""

from keras_jointcomp.losses.mcr2 import MCR2, class_coding_rate, coding_rate, mcr2
from keras_jointcomp.losses.rate import BitsPerPixel
from keras_jointcomp.losses.rounding_gap import RoundingGap, rounding_gap

__all__ = ["BitsPerPixel", "MCR2", "RoundingGap", "class_coding_rate", "coding_rate", "mcr2", "rounding_gap"]
