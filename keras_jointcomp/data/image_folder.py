"""Read one split from an image-folder tree `<root>/{train,test}/<class>/<image files>`.

Classes are the sorted folder names found under train/ and test/ together, numbered 0..K-1, so both splits
agree on the labels even when one split lacks a class. Examples come in class order, then file-name order:
shuffle before training (`batches(..., shuffle=True)` does).
"""

from pathlib import Path

import numpy as np

from keras_jointcomp.data import images as image_files
from keras_jointcomp.data.arrays import labeled_images

SPLITS = ("train", "test")


def class_names(root):
    """Sorted names of the class folders under `root`/train and `root`/test."""
    root = Path(root)
    names = set()
    for split in SPLITS:
        if (root / split).is_dir():
            names.update(entry.name for entry in (root / split).iterdir() if entry.is_dir())
    return sorted(names)


def read_image_folder(root, split):
    """Decode every image of `root`/`split`/<class>/ into checked `LabeledImages`."""
    root = Path(root)
    arrays, labels, names = [], [], []
    for label, class_name in enumerate(class_names(root)):
        class_dir = root / split / class_name
        if not class_dir.is_dir():
            continue
        for path in sorted(class_dir.iterdir()):
            if path.is_file() and image_files.is_image_file(path.name):
                arrays.append(image_files.decode(path, where=path))
                labels.append(label)
                names.append(str(path))
    where = f"{root / split}/<class>/"
    images = image_files.stack(arrays, names, where=where)
    return labeled_images(images, np.asarray(labels, dtype=np.int64), where=where)
