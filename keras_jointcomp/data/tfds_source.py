"""Load a split from TensorFlow Datasets, the fallback for names such as "kmnist" or "cifar100".

`tensorflow_datasets` is imported only here and only when needed: it pulls in TensorFlow, which users of the
JAX or PyTorch backend with local files should not pay for. TFDS downloads on first use (network needed) into
its own data directory (`~/tensorflow_datasets`, or `$TFDS_DATA_DIR`).

The split is read in batches and concatenated instead of with `batch_size=-1`: with TFDS 4.9 a mocked
data set (`tfds.testing.mock_data`, used by the tests) has no example count, and `batch_size=-1` then asks
TensorFlow for a batch of `sys.maxsize` examples, which aborts the whole process.
"""

import os

import numpy as np

_BATCH_SIZE = 4096
OFFLINE_VARIABLE = "JOINTCOMP_OFFLINE"


def downloads_allowed():
    """False when `$JOINTCOMP_OFFLINE` is set to a true value: TFDS then uses only data it already prepared,
    instead of retrying unreachable servers for minutes before failing."""
    return os.environ.get(OFFLINE_VARIABLE, "").lower() not in ("1", "true", "yes")


def load_tfds(name, split, data_dir=None):
    """Return (images, labels) numpy arrays of TFDS data set `name`, split `split`.

    Any failure (TFDS missing, no network, unknown name) propagates; `loading.load` turns it into a
    `DatasetNotFoundError` that lists the local places searched too.
    """
    import tensorflow_datasets as tfds

    dataset = tfds.load(
        name, split=split, as_supervised=True, batch_size=_BATCH_SIZE, data_dir=data_dir,
        download=downloads_allowed(),
    )
    batches = list(tfds.as_numpy(dataset))
    if not batches:
        raise ValueError(f"TFDS returned no examples for {name!r}, split {split!r}")
    images = np.concatenate([batch_images for batch_images, _ in batches])
    labels = np.concatenate([batch_labels for _, batch_labels in batches])
    return images, labels
