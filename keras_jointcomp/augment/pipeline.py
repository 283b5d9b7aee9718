"""Apply ops to uint8 NHWC batches: the `transform` stage of `data.batches`, and self-supervised views."""

import numpy as np
from PIL import Image


class Compose:
    """Apply `ops` in order to every image of a uint8 (B, H, W, C) batch, C being 1 or 3.

    `compose(images, rng)` is a `transform` for `keras_jointcomp.data.batches`: it returns a new uint8 batch
    of the same shape. Each image goes through PIL as mode "L" (one channel) or "RGB" (three). `rng` is a
    numpy Generator or a seed; the same rng state gives the same batch.

    Example:
        augment = Compose([Flip(), Rotate(15), ColorJitter()])
        model.fit(data.batches(x, y, batch_size=128, shuffle=True, seed=0, transform=augment))
    """

    def __init__(self, ops):
        self.ops = tuple(ops)

    def __call__(self, images, rng):
        images = check_images(images)
        rng = np.random.default_rng(rng)
        augmented = np.empty_like(images)
        for index, image in enumerate(images):
            pil_image = Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image)
            for op in self.ops:
                pil_image = op(pil_image, rng)
            augmented[index] = np.asarray(pil_image).reshape(image.shape)
        return augmented

    def __repr__(self):
        return f"Compose([{', '.join(map(repr, self.ops))}])"


def augment_views(images, n, transform, rng):
    """`n` augmented views of each image, and each view's group: the index of the image it came from.

    Returns (views, groups): views of shape (n * B, H, W, C), the views of image i in rows i * n to
    i * n + n - 1, and groups = [0] * n + [1] * n + ...: the self-labelled partition of the MCR^2
    self-supervised step (Qi), where the views of one image form one group.
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n (views per image) must be a positive integer, got {n!r}")
    images = np.asarray(images)
    views = transform(np.repeat(images, n, axis=0), np.random.default_rng(rng))
    return views, np.repeat(np.arange(len(images)), n)


def check_images(images):
    """`images` as a uint8 array of shape (B, H, W, 1 or 3), or a ValueError naming what is wrong."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(f"images must be uint8, got dtype {images.dtype}")
    if images.ndim != 4:
        raise ValueError(f"images must be a batch of shape (B, H, W, C), got shape {images.shape}")
    if images.shape[-1] not in (1, 3):
        raise ValueError(f"images must have 1 (grayscale) or 3 (RGB) channels, got {images.shape[-1]}")
    return images
