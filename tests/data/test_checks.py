"""The input contract: `check_images`, `as_uint8` and `check_labels` accept what they promise and refuse the
rest with one readable line (an `ImageInputError`, which is a `ValueError`)."""

import numpy as np
import pytest
from keras import ops

from keras_jointcomp import data
from keras_jointcomp.data import ImageInputError, as_uint8, check_images, check_labels


def uint8_images(n=3, shape=(4, 4, 1), seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, *shape)).astype(np.uint8)


def refused(function, *args, match, **kwargs):
    """The one-line message of the `ImageInputError` that ``function`` raises."""
    with pytest.raises(ImageInputError, match=match) as error:
        function(*args, **kwargs)
    message = str(error.value)
    assert isinstance(error.value, ValueError) and "\n" not in message, message
    return message


def test_exported_from_data():
    for name in ("ImageInputError", "as_uint8", "check_images", "check_labels"):
        assert name in data.__all__ and getattr(data, name) is not None


def test_uint8_images_come_back_as_they_are():
    images = uint8_images()
    checked = check_images(images, (4, 4, 1))
    assert checked.dtype == np.uint8 and np.shares_memory(checked, images)
    assert as_uint8(images) is images or np.shares_memory(as_uint8(images), images)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_images_in_unit_range_are_accepted_and_read_as_the_uint8_they_came_from(dtype):
    images = uint8_images(5)
    floats = (images / 255).astype(dtype)
    checked = check_images(floats)
    assert checked.dtype == dtype
    converted = as_uint8(floats)
    assert converted.dtype == np.uint8
    np.testing.assert_array_equal(converted, images)


def test_every_uint8_level_round_trips_through_float32():
    levels = np.arange(256, dtype=np.uint8).reshape(1, 16, 16, 1)
    np.testing.assert_array_equal(as_uint8(levels.astype(np.float32) / np.float32(255)), levels)
    np.testing.assert_array_equal(as_uint8(levels / 255), levels)


def test_other_integer_dtypes_within_8_bits_are_accepted_as_uint8():
    images = uint8_images()
    checked = check_images(images.astype(np.int64))
    assert checked.dtype == np.uint8
    np.testing.assert_array_equal(checked, images)
    message = refused(check_images, np.full((2, 4, 4, 1), 256, np.int64), match="0..255")
    assert "int64" in message
    refused(check_images, np.full((2, 4, 4, 1), -1, np.int16), match="8-bit values 0..255")


def test_backend_tensors_and_lists_are_read_as_arrays():
    images = uint8_images()
    np.testing.assert_array_equal(check_images(ops.convert_to_tensor(images)), images)
    np.testing.assert_array_equal(check_images(images.tolist()), images)


@pytest.mark.parametrize("images, match", [
    (np.zeros((2, 4, 4, 1), bool), "dtype bool"),
    (np.zeros((2, 4, 4, 1), np.complex64), "dtype complex64"),
    (np.zeros((2, 4, 4, 1), object), "dtype object"),
    (np.full((2, 4, 4, 1), "a"), "dtype <U1"),
])
def test_non_numeric_dtypes_are_refused(images, match):
    message = refused(check_images, images, match=match)
    assert "uint8" in message and "[0, 1]" in message


def test_floats_outside_the_unit_range_are_refused_with_the_fix():
    images = uint8_images().astype(np.float32)
    images[0, 0, 0, 0] = 255.0
    message = refused(check_images, images, match=r"float images must be in \[0, 1\] \(got max 255.0\)")
    assert "pass uint8 0..255 or divide by 255" in message
    refused(check_images, np.full((2, 4, 4, 1), -0.5), match=r"got min -0.5")
    refused(as_uint8, images, match="divide by 255")


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_nan_and_infinity_are_refused(value):
    images = np.zeros((3, 4, 4, 1), np.float32)
    images[2, 1, 1, 0] = value
    refused(check_images, images, match="NaN or infinite values .first in image 2.")


def test_a_single_image_is_refused_with_the_batch_axis_hint():
    message = refused(check_images, uint8_images()[0], match=r"shape \(4, 4, 1\)")
    assert "images[None]" in message


@pytest.mark.parametrize("shape", [(), (3,), (3, 4), (1, 2, 4, 4, 1)])
def test_other_ranks_are_refused(shape):
    refused(check_images, np.zeros(shape, np.uint8), match=r"\(N, H, W, C\)")


def test_an_empty_batch_is_refused():
    refused(check_images, np.zeros((0, 4, 4, 1), np.uint8), match="no images")


def test_ragged_input_is_refused_in_one_line():
    refused(check_images, [np.zeros((4, 4, 1)), np.zeros((5, 4, 1))], match="cannot be read as one array")


def test_the_input_shape_is_checked_naming_both_shapes():
    images = uint8_images(shape=(4, 4, 3))
    refused(check_images, images, (4, 4, 1), match=r"shape \(4, 4, 3\) do not fit the input shape \(4, 4, 1\)")
    refused(check_images, images, (None, 5, 4, 3), match=r"\(4, 4, 3\) .*\(5, 4, 3\)")
    assert check_images(images, (None, None, None, 3)) is not None  # model.input_shape style, free size


def test_a_model_as_the_input_shape_is_named():
    class Model:
        name, input_shape = "tiny", (None, 4, 4, 1)

    refused(check_images, uint8_images(shape=(4, 4, 3)), Model(), match="do not fit model 'tiny', which takes")
    check_images(uint8_images(), Model())


def test_where_names_the_images_in_the_message():
    refused(check_images, np.zeros((0, 4, 4, 1), np.uint8), where="test images", match="^test images: no images")


# --- Labels -------------------------------------------------------------------------------------------------


def test_integer_labels_come_back_as_int64():
    labels = check_labels(np.array([0, 2, 1], np.uint8), num_classes=3, count=3)
    assert labels.dtype == np.int64 and labels.tolist() == [0, 2, 1]
    assert check_labels([0, 5, 7]).tolist() == [0, 5, 7]


@pytest.mark.parametrize("labels, match", [
    (np.array([0.0, 1.0, 2.0]), "dtype float64; labels must be integer class indices"),
    (np.array([0.5, 1.0]), "dtype float64"),
    (np.array([True, False]), "dtype bool"),
    (np.array(["0", "1"]), "dtype <U1"),
])
def test_non_integer_labels_are_refused_not_truncated(labels, match):
    refused(check_labels, labels, match=match)


def test_label_rank_count_and_emptiness_are_checked():
    assert "argmax" in refused(check_labels, np.eye(3, dtype=np.int64), match=r"shape \(3, 3\).*rank 1")
    refused(check_labels, np.int64(3), match=r"shape \(\)")
    refused(check_labels, [0, 1], count=3, match="2 labels for 3 images")
    refused(check_labels, np.zeros(0, np.int64), match="no labels")


def test_labels_outside_the_classes_name_the_first_bad_value_and_its_index():
    refused(check_labels, [0, 1, 10, 12], num_classes=10, match=r"labels\[2\] is 10; .*0..9 \(10 classes\)")
    refused(check_labels, [0, -1, 3], num_classes=10, match=r"labels\[1\] is -1")
    refused(check_labels, [0, -1, 3], match=r"labels\[1\] is -1; class indices must be at least 0")
    refused(check_labels, [5], num_classes=3, where="test labels", match=r"^test labels\[0\] is 5")
