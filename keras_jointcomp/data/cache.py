"""A disk cache for arrays that are slow to decode (60,000 JPEGs take a minute, their .npz a second).

Entries live in `$JOINTCOMP_CACHE_DIR` (default `~/.cache/keras_jointcomp`) and are keyed by the source
file's absolute path, size and modification time, so replacing the source invalidates its entries. Writes go
to a temporary file first and are renamed into place, so a crash or a concurrent reader never sees half a
file. An unreadable entry is treated as missing and rebuilt; an unwritable cache directory only warns.
"""

import hashlib
import os
import warnings
import zipfile
from pathlib import Path

import numpy as np

from keras_jointcomp import files
from keras_jointcomp.data.arrays import LabeledImages

CACHE_DIR_VARIABLE = "JOINTCOMP_CACHE_DIR"
DEFAULT_CACHE_DIR = "~/.cache/keras_jointcomp"
_FORMAT_VERSION = 1


def cache_dir():
    """The cache directory: `$JOINTCOMP_CACHE_DIR` if set, else `~/.cache/keras_jointcomp`."""
    return Path(os.environ.get(CACHE_DIR_VARIABLE) or DEFAULT_CACHE_DIR).expanduser()


def entry_path(source, tag):
    """Where the cached arrays of `source` (a file) for `tag` (e.g. the split) are stored."""
    source = Path(source).resolve()
    status = source.stat()
    key = f"{source}|{status.st_size}|{status.st_mtime_ns}|{tag}|v{_FORMAT_VERSION}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    return cache_dir() / f"{source.name}.{tag}.{digest}.npz"


def read(path):
    """Return the cached `LabeledImages` at `path`, or None if absent or unreadable."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            return LabeledImages(archive["images"], archive["labels"])
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
        return None


def write(path, labeled):
    """Store `labeled` at `path` all at once (`keras_jointcomp.files`); warn instead of failing."""
    try:
        with files.atomic_write(path, "wb") as file:
            np.savez(file, images=labeled.images, labels=labeled.labels)
    except OSError as error:
        warnings.warn(f"could not write the data cache {path}: {error}", stacklevel=2)
