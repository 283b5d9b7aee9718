import keras
import numpy as np
import pytest
from keras import ops

from keras_jointcomp.layers import ImageMerge, ImageSplit, portion_shapes

IMAGES = np.arange(2 * 4 * 6 * 3, dtype="float32").reshape(2, 4, 6, 3)


@pytest.mark.parametrize("mode,kwargs,expected", [
    ("chunks", {"num_chunks": 4}, [(2, 18)] * 4),
    ("grid", {"grid": (2, 2)}, [(2, 2, 3, 3)] * 4),
    ("grid", {"grid": (1, 3)}, [(2, 4, 2, 3)] * 3),
    ("channels", {}, [(2, 4, 6, 1)] * 3),
])
def test_split_shapes_and_exact_merge(mode, kwargs, expected):
    split = ImageSplit(mode, **kwargs)
    portions = split(IMAGES)
    assert [tuple(p.shape) for p in portions] == expected
    assert split.compute_output_shape(IMAGES.shape) == expected
    merged = ImageMerge(IMAGES.shape[1:], mode, grid=kwargs.get("grid"))(portions)
    np.testing.assert_array_equal(ops.convert_to_numpy(merged), IMAGES)


def test_portions_are_the_right_pixels():
    top_left, top_right, bottom_left, _ = ImageSplit("grid", grid=(2, 2))(IMAGES)
    np.testing.assert_array_equal(ops.convert_to_numpy(top_right), IMAGES[:, :2, 3:])
    np.testing.assert_array_equal(ops.convert_to_numpy(bottom_left), IMAGES[:, 2:, :3])
    first, second = ImageSplit("chunks", num_chunks=2)(IMAGES)
    np.testing.assert_array_equal(ops.convert_to_numpy(second), IMAGES.reshape(2, -1)[:, 36:])
    red, _, blue = ImageSplit("channels")(IMAGES)
    np.testing.assert_array_equal(ops.convert_to_numpy(blue)[..., 0], IMAGES[..., 2])


@pytest.mark.parametrize("mode,kwargs,message", [
    ("chunks", {"num_chunks": 5}, "equal chunks"),
    ("grid", {"grid": (3, 2)}, "does not split"),
    ("tiles", {}, "mode must be"),
    ("chunks", {}, "num_chunks"),
])
def test_bad_splits_are_named(mode, kwargs, message):
    with pytest.raises(ValueError, match=message):
        portion_shapes(mode, (4, 6, 3), kwargs.get("num_chunks"), kwargs.get("grid"))


def test_split_and_merge_serialize():
    for layer in (ImageSplit("grid", grid=(2, 3), name="s"), ImageMerge((4, 6, 3), "grid", grid=(2, 3))):
        restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
        assert restored.get_config() == layer.get_config()
