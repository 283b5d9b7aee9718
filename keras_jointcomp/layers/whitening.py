"""`PatchWhitening`: airbench's first layer, a small valid convolution whose frozen filters whiten the
image's patches, fitted to training images by `adapt` before training.

Its filters are the eigenvectors of the covariance of all ``patch_size`` x ``patch_size`` patches, each
scaled by 1 / sqrt(eigenvalue + epsilon), and their negatives (so that a following GELU keeps both signs):
2 * channels * patch_size**2 filters. The patches are centred first (the offset goes into the bias), so
the layer works on [0, 1] images without a separate normalisation. The kernel never trains; the bias does.
"""

import keras
import numpy as np
from keras import ops

from keras_jointcomp.serialization import serializable


@serializable
class PatchWhitening(keras.layers.Layer):
    """Valid ``patch_size`` convolution with frozen whitening filters (see the module docstring)."""

    def __init__(self, patch_size=2, epsilon=5e-4, **kwargs):
        super().__init__(**kwargs)
        if isinstance(patch_size, bool) or not isinstance(patch_size, int) or patch_size < 1:
            raise ValueError(f"patch_size must be a whole number of at least 1, got {patch_size!r}")
        self.patch_size = patch_size
        self.epsilon = float(epsilon)
        self._recorded = None

    def build(self, input_shape):
        channels = input_shape[-1]
        self.filters = 2 * channels * self.patch_size**2
        self.kernel = self.add_weight(shape=(self.patch_size, self.patch_size, channels, self.filters),
                                      initializer="zeros", trainable=False, name="kernel")
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")

    def call(self, images):
        if self._recorded is not None:  # eager calls under `adapt_whitening` only
            self._recorded.append(ops.convert_to_numpy(images))
        return ops.conv(images, self.kernel, padding="valid") + self.bias

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        shrink = self.patch_size - 1
        return (batch, None if height is None else height - shrink, None if width is None else width - shrink,
                2 * channels * self.patch_size**2)

    @property
    def adapted(self):
        """Whether `adapt` has set the filters (a model loaded from a file keeps its own)."""
        return self.built and bool(np.any(ops.convert_to_numpy(self.kernel)))

    def adapt(self, images):
        """Fit the filters to float ``images`` (N, H, W, C) as this layer receives them (some thousands
        suffice; airbench uses 5,000)."""
        images = np.asarray(images, "float64")
        if images.ndim != 4:
            raise ValueError(f"PatchWhitening.adapt takes a batch (N, H, W, C), got shape {images.shape}")
        if not self.built:
            self.build(images.shape)
        size = self.patch_size
        windows = np.lib.stride_tricks.sliding_window_view(images, (size, size), axis=(1, 2))
        patches = windows.transpose(0, 1, 2, 4, 5, 3).reshape(-1, size * size * images.shape[-1])
        mean = patches.mean(axis=0)
        covariance = np.cov(patches, rowvar=False, bias=True)
        eigenvalues, eigenvectors = np.linalg.eigh(covariance)
        order = np.argsort(eigenvalues)[::-1]
        filters = eigenvectors[:, order] / np.sqrt(np.maximum(eigenvalues[order], 0.0) + self.epsilon)
        filters = np.concatenate([filters, -filters], axis=1)
        self.kernel.assign(filters.reshape(self.kernel.shape).astype("float32"))
        self.bias.assign((-mean @ filters).astype("float32"))

    def get_config(self):
        return {**super().get_config(), "patch_size": self.patch_size, "epsilon": self.epsilon}


ADAPT_IMAGES = 5000


def adapt_whitening(network, images, count=ADAPT_IMAGES):
    """Fit every `PatchWhitening` layer of ``network`` not yet fitted to what reaches it when the first
    ``count`` of ``images`` (float, as ``network`` takes them) go through ``network``; returns how many
    layers were fitted. A trained model's layers are left as they are."""
    pending = [layer for layer in network._flatten_layers() if isinstance(layer, PatchWhitening)
               and not layer.adapted]
    if not pending:
        return 0
    for layer in pending:
        layer._recorded = []
    try:
        sample = np.asarray(images[:count])
        for start in range(0, len(sample), 500):
            network(sample[start:start + 500], training=False)
    finally:
        recorded = {id(layer): layer._recorded for layer in pending}
        for layer in pending:
            layer._recorded = None
    for layer in pending:
        layer.adapt(np.concatenate(recorded[id(layer)]))
    return len(pending)
