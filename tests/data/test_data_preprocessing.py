"""Array helpers: scaling, stratified validation split, imbalance, balanced class weights."""

import numpy as np
import pytest

from keras_jointcomp import data


def toy(counts, shape=(2, 2, 1)):
    """Images whose first pixel is their row index (mod 256) and labels with `counts[k]` examples of k."""
    labels = np.repeat(np.arange(len(counts)), counts)
    images = np.zeros((len(labels), *shape), np.uint8)
    images[:, 0, 0, 0] = np.arange(len(labels)) % 256
    return images, labels


def test_to_float_range_and_dtype():
    scaled = data.to_float(np.array([[0, 128, 255]], np.uint8))
    assert scaled.dtype == np.float32
    np.testing.assert_allclose(scaled, [[0.0, 128 / 255, 1.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.uint16])
def test_to_float_refuses_other_dtypes_naming_them(dtype):
    with pytest.raises(TypeError, match=np.dtype(dtype).name):
        data.to_float(np.zeros(3, dtype))


def test_train_validation_split_is_stratified():
    images, labels = toy([100, 50, 20])
    (x_train, y_train), (x_val, y_val) = data.train_validation_split(images, labels, 0.2, seed=3)
    assert np.bincount(y_val).tolist() == [20, 10, 4]
    assert np.bincount(y_train).tolist() == [80, 40, 16]
    assert len(x_train) == len(y_train) and len(x_val) == len(y_val)
    # Each image keeps its own label, and no image lands in both parts.
    np.testing.assert_array_equal(labels[x_train[:, 0, 0, 0]], y_train)
    assert not set(x_train[:, 0, 0, 0].tolist()) & set(x_val[:, 0, 0, 0].tolist())


def test_train_validation_split_is_deterministic_per_seed():
    images, labels = toy([30, 30])
    first = data.train_validation_split(images, labels, 0.3, seed=1)
    again = data.train_validation_split(images, labels, 0.3, seed=1)
    other = data.train_validation_split(images, labels, 0.3, seed=2)
    np.testing.assert_array_equal(first[1][0], again[1][0])
    assert not np.array_equal(first[1][0], other[1][0])


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5])
def test_train_validation_split_refuses_fractions_outside_0_1(fraction):
    images, labels = toy([10, 10])
    with pytest.raises(ValueError, match="validation_fraction"):
        data.train_validation_split(images, labels, fraction)


def test_make_imbalanced_keeps_the_fraction_of_listed_classes():
    images, labels = toy([10] * 10)
    kept_images, kept_labels = data.make_imbalanced(images, labels, classes=[2, 4, 9], keep_fraction=0.5)
    assert np.bincount(kept_labels).tolist() == [10, 10, 5, 10, 5, 10, 10, 10, 10, 5]
    np.testing.assert_array_equal(labels[kept_images[:, 0, 0, 0]], kept_labels)
    assert np.all(np.diff(kept_images[:, 0, 0, 0].astype(int)) > 0)  # original order kept


def test_make_imbalanced_is_deterministic_and_checks_arguments():
    images, labels = toy([8, 8])
    first = data.make_imbalanced(images, labels, [1], 0.25, seed=5)
    again = data.make_imbalanced(images, labels, [1], 0.25, seed=5)
    np.testing.assert_array_equal(first[0], again[0])
    with pytest.raises(ValueError, match="keep_fraction"):
        data.make_imbalanced(images, labels, [1], 1.5)
    with pytest.raises(ValueError, match="class 7"):
        data.make_imbalanced(images, labels, [7])


def test_class_weights_balanced_values():
    labels = np.array([0] * 6 + [1] * 3 + [2] * 1)
    weights = data.class_weights(labels)
    assert weights == pytest.approx({0: 10 / (3 * 6), 1: 10 / (3 * 3), 2: 10 / (3 * 1)})
    assert all(type(key) is int and type(value) is float for key, value in weights.items())
    # Weighted, every class contributes the same total: n / K.
    assert 6 * weights[0] == pytest.approx(1 * weights[2])


def test_class_weights_with_num_classes():
    weights = data.class_weights(np.array([0, 0, 2, 2]), num_classes=4)
    assert weights == pytest.approx({0: 0.5, 2: 0.5})
    with pytest.raises(ValueError, match="num_classes"):
        data.class_weights(np.array([0, 5]), num_classes=3)


def test_train_validation_split_refuses_to_hold_out_nothing():
    images = np.zeros((6, 2, 2, 1), np.uint8)
    with pytest.raises(ValueError, match="holds out no image"):
        data.train_validation_split(images, np.arange(6), 0.1)
