"""Whole-batch augmentations in numpy: airbench's random flips and translations, one vectorised indexing
per batch instead of one PIL call per image, so augmentation costs next to nothing beside a training step."""

import numpy as np

from keras_jointcomp.augment.pipeline import check_images


class FlipTranslate:
    """Mirror each image left-right with probability one half and shift it by up to ``pad`` pixels in each
    direction, filling the uncovered border by reflection (airbench: ``pad=2``).

    A `transform` for `keras_jointcomp.data.batches`: ``transform(images, rng)`` takes a uint8
    (B, H, W, C) batch and returns a new one of the same shape.
    """

    def __init__(self, pad=2, flip=True):
        if isinstance(pad, bool) or not isinstance(pad, (int, np.integer)) or pad < 0:
            raise ValueError(f"pad must be a whole number of at least 0, got {pad!r}")
        self.pad = int(pad)
        self.flip = bool(flip)

    def __call__(self, images, rng):
        images = check_images(images)
        rng = np.random.default_rng(rng)
        count, height, width, _ = images.shape
        if self.flip:
            mirrored = rng.random(count) < 0.5
            images = np.where(mirrored[:, None, None, None], images[:, :, ::-1], images)
        if not self.pad:
            return images
        if self.pad >= min(height, width):
            raise ValueError(f"pad {self.pad} needs images larger than {self.pad} pixels, got {height}x{width}")
        padded = np.pad(images, ((0, 0), (self.pad, self.pad), (self.pad, self.pad), (0, 0)), mode="reflect")
        top, left = rng.integers(0, 2 * self.pad + 1, size=(2, count))
        rows = top[:, None] + np.arange(height)
        columns = left[:, None] + np.arange(width)
        return padded[np.arange(count)[:, None, None], rows[:, :, None], columns[:, None, :]]

    def __repr__(self):
        return f"FlipTranslate(pad={self.pad}, flip={self.flip})"
