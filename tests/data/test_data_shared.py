"""The real data sets named by `$JOINTCOMP_DATA_DIR` (e.g. /work/shared/datasets), loaded through `load`.

Run with `JOINTCOMP_DATA_DIR=/work/shared/datasets python -m pytest tests/data -m shared_data`; each test
skips with the reason when the variable is unset or its file is missing.
"""

import numpy as np
import pytest

from keras_jointcomp import data

pytestmark = pytest.mark.shared_data


def test_real_mnist_from_npz(shared_file):
    shared_file("mnist.npz")
    images, labels = data.load("mnist", "test")  # found through $JOINTCOMP_DATA_DIR, not TFDS
    assert images.shape == (10000, 28, 28, 1) and images.dtype == np.uint8
    assert labels.dtype == np.int64 and set(labels.tolist()) == set(range(10))
    train_images, _ = data.load("mnist", "train")
    assert train_images.shape == (60000, 28, 28, 1)
    assert train_images.mean() == pytest.approx(33.32, abs=0.01)  # the published MNIST train mean


def test_real_cifar10_test_split_from_tarball(shared_file):
    shared_file("cifar10_jpg.tar.gz")
    images, labels = data.load("cifar10", "test")
    assert images.shape == (10000, 32, 32, 3) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [1000] * 10
    cached = data.load("cifar10", "test")  # second load: from the decode cache
    np.testing.assert_array_equal(cached.images, images)
    np.testing.assert_array_equal(cached.labels, labels)


def test_real_cmu_faces_holds_out_a_fifth_of_each_person_as_its_test_split(shared_file):
    shared_file("cmu_faces.npz")
    images, labels = data.load("cmu_faces", "train")
    assert images.shape == (504, 30, 32, 1) and labels.max() == 19
    test_images, test_labels = data.load("cmu_faces", "test")
    assert test_images.shape == (120, 30, 32, 1) and np.bincount(test_labels).tolist() == [6] * 20
    assert images.max() > 240  # each PGM scaled by its own maximum (the raw values stop near 155)
