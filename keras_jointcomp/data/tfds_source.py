"""Load a split from TensorFlow Datasets, the fallback for names such as "kmnist" or "cifar100".

`tensorflow_datasets` is imported only here and only when needed: it pulls in TensorFlow, which users of the
JAX or PyTorch backend with local files should not pay for. TFDS keeps prepared data sets in its own data
directory (`~/tensorflow_datasets`, or `$TFDS_DATA_DIR`).

TFDS downloads only when the caller asks (`download=True`). By default it is asked only for data it has
already prepared: on a machine without network a download retries unreachable servers for minutes, prints
dozens of warnings and leaves empty folders behind, all to end in an error the user could have had at once.
Measured with TFDS 4.9.10 and no network: `tfds.load(..., download=False)` and `tfds.builder(name)` each
answer in about 0.2 s for a data set that is not prepared, without network access and without creating any
folder, so nothing has to be cleaned up after a failed look-up.

The split is read in batches and concatenated instead of with `batch_size=-1`: with TFDS 4.9 a mocked
data set (`tfds.testing.mock_data`, used by the tests) has no example count, and `batch_size=-1` then asks
TensorFlow for a batch of `sys.maxsize` examples, which aborts the whole process.
"""

import numpy as np

_BATCH_SIZE = 4096


class NotPreparedError(FileNotFoundError):
    """TFDS has no prepared copy of the data set and was not allowed to download one.

    `where` is the folder TFDS looked in (`<TFDS data dir>/<name>/<version>`), so that `loading.load` can
    list it among the places searched.
    """

    def __init__(self, name, where):
        super().__init__(f"TFDS has not prepared {name!r} in {where} and download=False")
        self.name = name
        self.where = where


def load_tfds(name, split, data_dir=None, download=False):
    """Return (images, labels) numpy arrays of TFDS data set `name`, split `split`.

    download: False (the default) reads only data TFDS has already prepared in `data_dir` (None: TFDS's
        own data directory) and raises `NotPreparedError` at once when there is none; True lets TFDS
        download and prepare it first (needs the network, can take minutes).

    Other failures (TFDS missing, a broken prepared copy, no network with `download=True`) propagate;
    `loading.load` turns every failure into a `DatasetNotFoundError` that lists the local places searched.
    """
    import tensorflow_datasets as tfds

    try:
        dataset = tfds.load(
            name, split=split, as_supervised=True, batch_size=_BATCH_SIZE, data_dir=data_dir, download=download,
        )
    except Exception:
        if download:
            raise
        # Asked afterwards rather than before: `tfds.testing.mock_data` serves data sets that are not
        # prepared on disk, so a check before `tfds.load` would refuse them.
        builder = tfds.builder(name, data_dir=data_dir)
        if builder.is_prepared():
            raise  # a prepared copy that failed to load: its own error says why
        raise NotPreparedError(name, builder.data_dir) from None
    batches = list(tfds.as_numpy(dataset))
    if not batches:
        raise ValueError(f"TFDS returned no examples for {name!r}, split {split!r}")
    images = np.concatenate([batch_images for batch_images, _ in batches])
    labels = np.concatenate([batch_labels for _, batch_labels in batches])
    return images, labels
