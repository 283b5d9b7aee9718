"""A fixed 0/1 mask over latent units: truncated or pruned units are zero and cost no bytes.

Latent truncation (hierarchical LDR training: drop the last entries, then fine-tune) and distinctiveness
pruning (remove one of the two most similar units, train on) both switch units off for good. The mask is a
non-trainable weight, so it is saved with the model and a reloaded model sends the same units.
"""

import numpy as np
from keras import ops

import keras

from keras_jointcomp.serialization import serializable


@serializable
class LatentMask(keras.layers.Layer):
    """Multiplies the latent by a fixed 0/1 ``mask`` of the latent's shape (without the batch axis)."""

    def __init__(self, mask, **kwargs):
        super().__init__(**kwargs)
        mask = np.asarray(mask, dtype="float32")
        if not np.isin(mask, (0.0, 1.0)).all():
            raise ValueError("A latent mask holds only 0 (unit removed) and 1 (unit kept).")
        self._initial_mask = mask

    def build(self, input_shape):
        if tuple(input_shape[1:]) != self._initial_mask.shape:
            raise ValueError(f"Mask of shape {self._initial_mask.shape} does not fit latents of shape "
                             f"{tuple(input_shape[1:])}.")
        self.mask = self.add_weight(shape=self._initial_mask.shape, initializer="zeros", trainable=False,
                                    name="mask")
        self.mask.assign(self._initial_mask)

    def call(self, x):
        return x * ops.cast(self.mask, x.dtype)

    @property
    def active_units(self):
        """How many latent units are kept."""
        return int(np.count_nonzero(ops.convert_to_numpy(self.mask) if self.built else self._initial_mask))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        mask = ops.convert_to_numpy(self.mask) if self.built else self._initial_mask
        config.update({"mask": mask.tolist()})
        return config
