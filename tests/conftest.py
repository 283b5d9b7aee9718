"""Shared fixtures: tiny labelled image sets written as the loader expects them."""

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


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
