"""Split images into portions, one per encoder, and merge portions back into images.

The multiple-encoder study (Scott) sends each portion of an image through its own encoder: flat chunks of
the flattened image, tiles of a grid (quadrants are the 2x2 grid), or colour planes. `ImageSplit` returns the
portions as a list; `ImageMerge` is its exact inverse.
"""

import keras
from keras import ops

from keras_jointcomp.serialization import serializable

MODES = ("chunks", "grid", "channels")


def _check_mode(mode, num_chunks, grid):
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}.")
    if mode == "chunks" and (num_chunks is None or num_chunks < 1):
        raise ValueError("mode='chunks' needs num_chunks >= 1.")
    if mode == "grid" and (grid is None or len(grid) != 2 or min(grid) < 1):
        raise ValueError("mode='grid' needs grid=(rows, cols) with both at least 1.")


def portion_shapes(mode, image_shape, num_chunks=None, grid=None):
    """Shapes (without batch axis) of the portions of an (H, W, C) image; errors when it does not divide."""
    _check_mode(mode, num_chunks, grid)
    height, width, channels = image_shape
    if mode == "chunks":
        size = height * width * channels
        if size % num_chunks:
            raise ValueError(f"{size} values per image do not split into {num_chunks} equal chunks.")
        return [(size // num_chunks,)] * num_chunks
    if mode == "grid":
        rows, cols = grid
        if height % rows or width % cols:
            raise ValueError(f"A {height}x{width} image does not split into a {rows}x{cols} grid.")
        return [(height // rows, width // cols, channels)] * (rows * cols)
    return [(height, width, 1)] * channels


@serializable
class ImageSplit(keras.layers.Layer):
    """Images (N, H, W, C) -> list of portions: "chunks" of the flattened image (N, H*W*C / num_chunks),
    "grid" tiles (N, H/rows, W/cols, C) in row-major order, or "channels" planes (N, H, W, 1)."""

    def __init__(self, mode="chunks", num_chunks=None, grid=None, **kwargs):
        super().__init__(**kwargs)
        _check_mode(mode, num_chunks, grid)
        self.mode = mode
        self.num_chunks = num_chunks
        self.grid = None if grid is None else tuple(grid)

    def call(self, images):
        shapes = portion_shapes(self.mode, tuple(images.shape[1:]), self.num_chunks, self.grid)
        if self.mode == "chunks":
            return ops.split(ops.reshape(images, (-1, shapes[0][0] * len(shapes))), len(shapes), axis=1)
        if self.mode == "channels":
            return ops.split(images, len(shapes), axis=-1)
        rows, cols = self.grid
        return [tile for band in ops.split(images, rows, axis=1) for tile in ops.split(band, cols, axis=2)]

    def compute_output_shape(self, input_shape):
        shapes = portion_shapes(self.mode, tuple(input_shape[1:]), self.num_chunks, self.grid)
        return [(input_shape[0], *shape) for shape in shapes]

    def get_config(self):
        config = super().get_config()
        config.update({"mode": self.mode, "num_chunks": self.num_chunks, "grid": self.grid})
        return config


@serializable
class ImageMerge(keras.layers.Layer):
    """List of portions -> images of ``image_shape`` (H, W, C): the inverse of `ImageSplit`."""

    def __init__(self, image_shape, mode="chunks", grid=None, **kwargs):
        super().__init__(**kwargs)
        self.image_shape = tuple(image_shape)
        self.mode = mode
        self.grid = None if grid is None else tuple(grid)

    def call(self, portions):
        if self.mode == "chunks":
            return ops.reshape(ops.concatenate(portions, axis=1), (-1, *self.image_shape))
        if self.mode == "channels":
            return ops.concatenate(portions, axis=-1)
        rows, cols = self.grid
        bands = [ops.concatenate(portions[row * cols:(row + 1) * cols], axis=2) for row in range(rows)]
        return ops.concatenate(bands, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], *self.image_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"image_shape": self.image_shape, "mode": self.mode, "grid": self.grid})
        return config
