"""Shared fixtures (tiny labelled image sets written as the loader expects them) and the ``one_backend``
marker.

``@pytest.mark.one_backend`` (or ``one_backend("torch")``) runs a heavy test under one of the three Keras
backends only, so that the suite, run once per backend, runs it once: what it checks beyond the backend is
the same everywhere (an example script's tables, a command line's files, a kill -9), and the backend-specific
parts under it are tested on every backend by tests of their own. Without a named backend, the test's id
picks one, spreading a parametrized test's cases over the three. ``JOINTCOMP_TEST_EVERY_BACKEND=1`` runs
them all under the current backend.
"""

import os
import zlib

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BACKENDS = ("tensorflow", "jax", "torch")


def one_backend_of(item):
    """The backend a ``one_backend`` test runs under: the marker's argument, else one drawn from its id."""
    marker = item.get_closest_marker("one_backend")
    if marker.args:
        if marker.args[0] not in BACKENDS:
            raise ValueError(f"{item.nodeid}: one_backend({marker.args[0]!r}) names no backend of {BACKENDS}")
        return marker.args[0]
    return BACKENDS[zlib.crc32(item.nodeid.encode()) % len(BACKENDS)]


def pytest_collection_modifyitems(config, items):
    if os.environ.get("JOINTCOMP_TEST_EVERY_BACKEND") == "1":
        return
    current = os.environ.get("KERAS_BACKEND", "tensorflow")
    for item in items:
        if item.get_closest_marker("one_backend") is None:
            continue
        backend = one_backend_of(item)
        if backend != current:
            item.add_marker(pytest.mark.skip(reason=f"one_backend: runs in the {backend} suite "
                                                    "(JOINTCOMP_TEST_EVERY_BACKEND=1 runs it here)"))


def tiny_images(n=24, shape=(28, 28, 1), num_classes=10, seed=0):
    """Random uint8 images with labels that cycle through the classes."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, *shape), dtype=np.uint8)
    labels = np.arange(n, dtype=np.int64) % num_classes
    return images, labels


@pytest.fixture
def tiny_data_dir(tmp_path):
    """A data folder holding ``tiny.npz`` (28x28 grayscale) and ``tiny_rgb.npz`` (32x32 RGB)."""
    for name, shape in [("tiny", (28, 28)), ("tiny_rgb", (32, 32, 3))]:
        x_train, y_train = tiny_images(60, shape, seed=1)
        x_test, y_test = tiny_images(16, shape, seed=2)
        np.savez(tmp_path / f"{name}.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return tmp_path
