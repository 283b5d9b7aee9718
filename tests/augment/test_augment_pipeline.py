"""`Compose` on uint8 batches, inside `data.batches`, the ready-made policies, and `augment_views`."""

import numpy as np
import pytest

from keras_jointcomp import augment, data


def noisy_batch(count=8, channels=3, size=16, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (count, size, size, channels), dtype=np.uint8)


@pytest.mark.parametrize("policy", [augment.cifar_policy(0.5), augment.distortions()], ids=repr)
@pytest.mark.parametrize("channels", [3, 1])
def test_policies_keep_shape_and_dtype_and_leave_the_input_alone(policy, channels):
    images = noisy_batch(channels=channels)
    original = images.copy()
    augmented = policy(images, np.random.default_rng(0))
    assert augmented.shape == images.shape and augmented.dtype == np.uint8
    np.testing.assert_array_equal(images, original)


def test_policy_with_probability_zero_is_the_identity():
    images = noisy_batch()
    np.testing.assert_array_equal(augment.cifar_policy(probability=0.0)(images, 0), images)


def test_same_seed_same_batch_different_seed_different_batch():
    images, policy = noisy_batch(), augment.distortions()
    first = policy(images, np.random.default_rng(1))
    np.testing.assert_array_equal(policy(images, np.random.default_rng(1)), first)
    np.testing.assert_array_equal(policy(images, 1), first)  # a seed stands for default_rng(seed)
    assert not np.array_equal(policy(images, np.random.default_rng(2)), first)


def test_empty_batch():
    images = noisy_batch(count=0)
    assert augment.distortions()(images, 0).shape == images.shape


@pytest.mark.parametrize(
    "images, message",
    [
        (noisy_batch().astype(np.float32), "uint8"),
        (noisy_batch()[0], r"\(B, H, W, C\)"),
        (noisy_batch(channels=4), "channels"),
    ],
    ids=["dtype", "rank", "channels"],
)
def test_bad_batches_raise_value_error_naming_the_problem(images, message):
    with pytest.raises(ValueError, match=message):
        augment.distortions()(images, 0)


def test_compose_is_a_transform_for_data_batches():
    images, labels = noisy_batch(count=10), np.arange(10) % 3

    def first_batch(transform):
        dataset = data.batches(images, labels, batch_size=4, shuffle=True, seed=0, transform=transform)
        return dataset[0]

    plain_x, plain_y = first_batch(None)
    x, y = first_batch(augment.distortions())
    assert x.shape == plain_x.shape and x.dtype == np.float32
    np.testing.assert_array_equal(y, plain_y)
    assert not np.array_equal(x, plain_x)
    np.testing.assert_array_equal(first_batch(augment.distortions())[0], x)


def test_augment_views_shapes_and_groups():
    images = noisy_batch(count=3)
    views, groups = augment.augment_views(images, 4, augment.distortions(), rng=0)
    assert views.shape == (12, 16, 16, 3) and views.dtype == np.uint8
    np.testing.assert_array_equal(groups, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
    again, _ = augment.augment_views(images, 4, augment.distortions(), rng=0)
    np.testing.assert_array_equal(again, views)
    assert not np.array_equal(views[0], views[1])  # two views of one image differ


def test_augment_views_of_an_identity_transform_repeat_each_image():
    images = noisy_batch(count=2, channels=1)
    views, groups = augment.augment_views(images, 3, augment.Compose([]), rng=0)
    np.testing.assert_array_equal(views, images[groups])


@pytest.mark.parametrize("n", [0, -1, 2.5])
def test_augment_views_rejects_a_bad_number_of_views(n):
    with pytest.raises(ValueError, match="views per image"):
        augment.augment_views(noisy_batch(), n, augment.distortions(), rng=0)
