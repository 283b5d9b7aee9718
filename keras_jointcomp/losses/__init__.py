"""Losses beyond Keras' own: the rounding-gap loss, the MCR^2 (LDR) loss, the rate in bits per pixel and
label-smoothed cross-entropy on integer labels."""

from keras_jointcomp.losses.mcr2 import MCR2, class_coding_rate, coding_rate, mcr2
from keras_jointcomp.losses.rate import BitsPerPixel
from keras_jointcomp.losses.rounding_gap import RoundingGap, rounding_gap
from keras_jointcomp.losses.smoothing import SmoothedSparseCrossentropy, classification_loss

__all__ = ["BitsPerPixel", "MCR2", "RoundingGap", "SmoothedSparseCrossentropy", "class_coding_rate",
           "classification_loss", "coding_rate", "mcr2", "rounding_gap"]
