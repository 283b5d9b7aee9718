"""Read one split from a `<name>.npz` archive with the keys of Keras' own `mnist.npz`.

The archive holds `x_train`, `y_train`, `x_test`, `y_test`; other keys are ignored. Pickled (object)
arrays are refused, so a downloaded file can never run code while being read.
"""

import zipfile

import numpy as np

from keras_jointcomp.data.arrays import labeled_images
from keras_jointcomp.data.errors import DatasetFormatError

# What numpy raises for a truncated, non-zip or otherwise unreadable archive.
_READ_ERRORS = (OSError, ValueError, EOFError, zipfile.BadZipFile)


def read_npz(path, split, images_key=""):
    """Return the `split` ("train" or "test") of the archive at `path` as checked `LabeledImages`; the
    images from key `images_key` when given (the catalogue's for a set stored also otherwise decoded)."""
    keys = (images_key or f"x_{split}", f"y_{split}")
    try:
        archive = np.load(path, allow_pickle=False)
    except _READ_ERRORS as error:
        raise DatasetFormatError(f"cannot read {path} as an .npz archive (corrupt?): {error}") from error
    if isinstance(archive, np.ndarray):
        raise DatasetFormatError(f"{path} holds a single .npy array, not an .npz archive with {keys}")
    with archive:
        missing = [key for key in keys if key not in archive.files]
        if missing:
            raise DatasetFormatError(f"{path} lacks the keys {missing} (it has {sorted(archive.files)})")
        try:
            images, labels = archive[keys[0]], archive[keys[1]]
        except _READ_ERRORS as error:
            raise DatasetFormatError(f"cannot read {keys} from {path} (corrupt?): {error}") from error
    return labeled_images(images, labels, where=path)
