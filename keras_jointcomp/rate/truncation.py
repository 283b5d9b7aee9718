"""Latent truncation: lower a trained model's rate by switching off its last latent entries for good.

The hierarchical LDR study truncates the last half of the bottleneck of a trained model and fine-tunes it
(by cross-entropy or by its three-step LDR recipe); the kept entries are all that crosses the link. The
encoder is wrapped with a `LatentMask`, so the removed entries are exactly zero, the heads never see them
and the mask is saved with the model.
"""

import math

import keras
import numpy as np

from keras_jointcomp.layers import LatentMask


def with_latent_mask(model, mask, name=None):
    """A new `JointModel` over the same parts (shared weights) whose encoder output is multiplied by the 0/1
    ``mask`` (the latent's shape); a mask already on the encoder is replaced."""
    encoder = model.encoder
    if isinstance(encoder.layers[-1], LatentMask):
        encoder = encoder.layers[0]
    masked = keras.Sequential([encoder, LatentMask(np.reshape(mask, model.latent_shape), name="latent_mask")],
                              name=f"{encoder.name}_masked")
    return model.replace(encoder=masked, entropy_coding=None, name=name or model.name)


def truncate_latent(model, keep):
    """``model`` with only the first ``keep`` entries of its (flattened) latent left."""
    size = math.prod(model.latent_shape)
    if not 0 < keep <= size:
        raise ValueError(f"keep must lie in 1..{size} (the latent's size), got {keep}.")
    mask = np.zeros(size, "float32")
    mask[:keep] = 1.0
    return with_latent_mask(model, mask, name=f"{model.name}_truncated_{keep}")
