"""Single augmentation ops on tiny RGB and grayscale images: shape, probability, seeding, arguments."""

import numpy as np
import pytest

from keras_jointcomp import augment

# Probability 1 and a magnitude large enough that one draw visibly changes a noisy image.
OPS = [
    augment.AutoContrast(),
    augment.Equalize(),
    augment.Contrast(0.5),
    augment.Brightness(0.5),
    augment.Sharpness(0.5),
    augment.Color(0.5),
    augment.Hue(0.25),
    augment.Posterize(3),
    augment.Solarize(128),
    augment.ColorJitter(hue=0.1),
    augment.Rotate(30),
    augment.Flip(probability=1.0),
    augment.ShearX(0.5),
    augment.ShearY(0.5),
    augment.TranslateX(0.3),
    augment.TranslateY(0.3),
]
COLOUR_ONLY = (augment.Color, augment.Hue)


def noisy_batch(channels, seed=0):
    """Two images of noise in [40, 200): neither flat, symmetric, nor spanning the full range.

    32x32: Pillow's `equalize` returns an image unchanged when fewer than 255 of its pixels lie below its
    brightest level.
    """
    return np.random.default_rng(seed).integers(40, 200, (2, 32, 32, channels), dtype=np.uint8)


def apply(op, images, seed=0):
    return augment.Compose([op])(images, np.random.default_rng(seed))


def with_probability(op, probability):
    """A copy of `op` with another probability, rebuilt from its config."""
    return type(op)(**{**op.get_config(), "probability": probability})


@pytest.mark.parametrize("channels", [3, 1])
@pytest.mark.parametrize("op", OPS, ids=repr)
def test_op_keeps_shape_and_dtype(op, channels):
    images = noisy_batch(channels)
    augmented = apply(op, images)
    assert augmented.shape == images.shape and augmented.dtype == np.uint8


@pytest.mark.parametrize("channels", [3, 1])
@pytest.mark.parametrize("op", OPS, ids=repr)
def test_probability_zero_leaves_images_unchanged(op, channels):
    images = noisy_batch(channels)
    np.testing.assert_array_equal(apply(with_probability(op, 0.0), images), images)


@pytest.mark.parametrize("channels", [3, 1])
@pytest.mark.parametrize("op", OPS, ids=repr)
def test_probability_one_changes_every_image(op, channels):
    if channels == 1 and isinstance(op, COLOUR_ONLY):
        pytest.skip("colour-only op: grayscale images stay as they are")
    images = noisy_batch(channels)
    augmented = apply(op, images)
    for before, after in zip(images, augmented):
        assert not np.array_equal(before, after)


@pytest.mark.parametrize("op", [augment.Color(0.9), augment.Hue(0.5)], ids=repr)
def test_colour_only_ops_leave_grayscale_unchanged(op):
    images = noisy_batch(1)
    np.testing.assert_array_equal(apply(op, images), images)


@pytest.mark.parametrize("op", OPS, ids=repr)
def test_same_seed_same_output(op):
    images = noisy_batch(3)
    np.testing.assert_array_equal(apply(op, images, seed=5), apply(op, images, seed=5))


def test_known_outputs():
    images = noisy_batch(3)
    np.testing.assert_array_equal(apply(augment.Flip(probability=1.0), images), images[:, :, ::-1])
    np.testing.assert_array_equal(apply(augment.Solarize(0), images), 255 - images)
    np.testing.assert_array_equal(apply(augment.Posterize(1), images), images & 0x80)
    for op in [augment.Rotate(0), augment.ShearX(0), augment.TranslateY(0), augment.ColorJitter(0, 0, 0, 0)]:
        np.testing.assert_array_equal(apply(op, images), images)


def test_repr_and_config_mirror_the_constructor():
    assert repr(augment.Rotate(30)) == "Rotate(max_degrees=30.0, probability=1.0)"
    assert repr(augment.Posterize(4, 0.2)) == "Posterize(bits=4, probability=0.2)"
    jitter = augment.ColorJitter(brightness=0.2, hue=0.05, probability=0.8)
    assert jitter.get_config() == {
        "brightness": 0.2,
        "contrast": 0.4,
        "saturation": 0.4,
        "hue": 0.05,
        "probability": 0.8,
    }


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: augment.Flip(probability=1.5), "Flip: probability"),
        (lambda: augment.Rotate(-5), "Rotate: max_degrees"),
        (lambda: augment.Contrast(1.5), "Contrast: magnitude"),
        (lambda: augment.Hue(0.6), "Hue: magnitude"),
        (lambda: augment.ColorJitter(brightness=2.0), "Brightness: magnitude"),
        (lambda: augment.Posterize(9), "Posterize: bits"),
        (lambda: augment.Posterize(4.5), "Posterize: bits"),
        (lambda: augment.Solarize(300), "Solarize: threshold"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(build, message):
    with pytest.raises(ValueError, match=message):
        build()
