"""The two errors the data loaders raise on purpose.

A missing data set and a broken one need different fixes (provide the files, or replace them), so they get
different exception types. Both messages are one line that names the dataset or file concerned.
"""


class DatasetNotFoundError(FileNotFoundError):
    """No source holds the requested data set.

    The message names the dataset, every place searched (the actual paths tried, and TFDS's data dir for
    TFDS names) and how to provide it: a local folder (`data_dir=`, `$JOINTCOMP_DATA_DIR`) or, for TFDS
    names, `download=True`; it is raised at once rather than after a download attempt nobody asked for.
    Subclasses `FileNotFoundError` so callers that already handle missing files keep working.
    """


class DatasetFormatError(ValueError):
    """A source was found but its content is unusable.

    Raised for corrupt or truncated `.npz` / `.tar.gz` files, undecodable images, images of different sizes
    within one split, float pixels, or images and labels of different lengths. The message names the file.
    """
