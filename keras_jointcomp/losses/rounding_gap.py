"""The rounding-gap loss of the multiple-encoder study (Scott): how far soft bits are from hard ones.

    L = cross-entropy + alpha * mean over encoders of MSE(encoder output, rounded encoder output)

This module is the second term. Applied to a joint model's "latent" output (the encoders' concatenated soft
bits, every encoder emitting the same number of bits) the mean over all bits equals the mean over encoders of
each encoder's MSE; alpha is that output's loss weight (`TrainingConfig.rounding_gap_weight`). The rounded
value is a constant target, so the gradient, 2 (x - round(x)), pushes each output toward its nearer bit.
"""

import keras
from keras import ops

from keras_jointcomp.serialization import serializable


def rounding_gap(y_true, y_pred):
    """Per-example mean of (y_pred - round(y_pred))**2; ``y_true`` is ignored (the target is the rounding)."""
    del y_true
    y_pred = ops.reshape(y_pred, (ops.shape(y_pred)[0], -1))
    return ops.mean(ops.square(y_pred - ops.stop_gradient(ops.round(y_pred))), axis=-1)


@serializable
class RoundingGap(keras.losses.Loss):
    """`rounding_gap` as a Keras loss, for ``compile(loss={"logits": ..., "latent": RoundingGap()})``."""

    def __init__(self, name="rounding_gap", reduction="sum_over_batch_size", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return rounding_gap(y_true, y_pred)
