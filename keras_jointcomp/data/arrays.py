"""The container every loader returns, and the checks that make all sources look alike.

Sources disagree on details (Keras' MNIST has no channel axis, labels come as uint8 or (N, 1), TFDS gives
int64 pixels in some mocks); `labeled_images` turns each into one shape and dtype contract so that models
never see the difference, and rejects what cannot be fixed safely (float pixels, mismatched lengths).
"""

from typing import NamedTuple

import numpy as np

from keras_jointcomp.data.errors import DatasetFormatError


class LabeledImages(NamedTuple):
    """Images with one integer label each; unpacks as `images, labels = ...`.

    images: np.uint8 array (N, H, W, C), C = 1 for grayscale.
    labels: np.int64 array (N,).
    """

    images: np.ndarray
    labels: np.ndarray


def labeled_images(images, labels, where):
    """Check and normalise one split read from `where` (a path or a short description of the source).

    Integer pixels within 0..255 are cast to uint8, a grayscale (N, H, W) array gets a channel axis, labels
    of shape (N, 1) are flattened and cast to int64. Anything else raises `DatasetFormatError` naming `where`.
    """
    return LabeledImages(_as_uint8_images(images, where), _as_int64_labels(labels, images, where))


def _as_uint8_images(images, where):
    images = np.asarray(images)
    if images.dtype != np.uint8:
        if not np.issubdtype(images.dtype, np.integer):
            raise DatasetFormatError(
                f"{where}: images must be uint8 (or integers within 0..255), got dtype {images.dtype}"
            )
        if images.size and (images.min() < 0 or images.max() > 255):
            raise DatasetFormatError(
                f"{where}: integer images must lie within 0..255, got {images.min()}..{images.max()} "
                f"(dtype {images.dtype})"
            )
        images = images.astype(np.uint8)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4:
        raise DatasetFormatError(
            f"{where}: images must have shape (N, H, W) or (N, H, W, C), got {images.shape}"
        )
    return images


def _as_int64_labels(labels, images, where):
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise DatasetFormatError(f"{where}: labels must have shape (N,), got {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise DatasetFormatError(f"{where}: labels must be integers, got dtype {labels.dtype}")
    if len(labels) != len(images):
        raise DatasetFormatError(f"{where}: {len(images)} images but {len(labels)} labels")
    return labels.astype(np.int64)
