"""`augment.FlipTranslate`: airbench's whole-batch flips and shifts."""

import numpy as np
import pytest

from keras_jointcomp.augment import FlipTranslate


def _images(count=16, shape=(8, 8, 3)):
    return np.random.default_rng(1).integers(0, 256, (count, *shape), dtype=np.uint8)


def test_every_output_is_a_shifted_crop_of_the_reflected_or_mirrored_image():
    images = _images()
    out = FlipTranslate(pad=2)(images, np.random.default_rng(0))
    assert out.shape == images.shape and out.dtype == np.uint8
    for image, result in zip(images, out):
        candidates = []
        for source in (image, image[:, ::-1]):
            padded = np.pad(source, ((2, 2), (2, 2), (0, 0)), mode="reflect")
            candidates += [padded[top:top + 8, left:left + 8] for top in range(5) for left in range(5)]
        assert any(np.array_equal(result, candidate) for candidate in candidates)


def test_the_draws_vary_over_the_batch_and_repeat_for_a_seed():
    images = _images(64)
    first = FlipTranslate()(images, 3)
    np.testing.assert_array_equal(first, FlipTranslate()(images, 3))
    assert not np.array_equal(first, FlipTranslate()(images, 4))
    changed = [not np.array_equal(a, b) for a, b in zip(images, first)]
    assert 0 < sum(changed) < len(images) or sum(changed) == len(images)


def test_flip_alone_mirrors_about_half_and_nothing_else():
    images = _images(200)
    out = FlipTranslate(pad=0)(images, 0)
    mirrored = np.array([np.array_equal(o, i[:, ::-1]) for o, i in zip(out, images)])
    kept = np.array([np.array_equal(o, i) for o, i in zip(out, images)])
    assert (mirrored | kept).all() and 70 < mirrored.sum() < 130
    np.testing.assert_array_equal(FlipTranslate(pad=0, flip=False)(images, 0), images)


@pytest.mark.parametrize("images, pad, message", [
    (np.zeros((2, 8, 8, 3), np.float32), 2, "images must be uint8"),
    (np.zeros((2, 2, 2, 3), np.uint8), 2, "pad 2 needs images larger than 2 pixels"),
])
def test_bad_input_is_named(images, pad, message):
    with pytest.raises(ValueError, match=message):
        FlipTranslate(pad=pad)(images, 0)
    with pytest.raises(ValueError, match="pad must be a whole number"):
        FlipTranslate(pad=-1)
