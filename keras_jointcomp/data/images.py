"""Decode image files with Pillow and stack them into one array.

Shared by the image-folder and tarball sources, so both accept the same file types and produce the same
error messages. Only 8-bit grayscale ("L") and RGB images are kept as they are; palette, RGBA, CMYK and
other 8-bit modes are converted to RGB, and 16-bit or float images are refused rather than silently clipped.
"""

import numpy as np
from PIL import Image

from keras_jointcomp.data.errors import DatasetFormatError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".pgm")


def is_image_file(filename):
    """True when `filename` has one of the accepted image suffixes (case-insensitive)."""
    return filename.lower().endswith(IMAGE_SUFFIXES)


def decode(file, where):
    """Decode one image (a path or a binary file object) to uint8 (H, W) or (H, W, 3); `where` names it."""
    try:
        image = Image.open(file)
        image.load()
    except (OSError, SyntaxError, ValueError) as error:
        raise DatasetFormatError(f"cannot decode image {where}: {error}") from error
    with image:
        if image.mode in ("I", "F") or image.mode.startswith("I;"):
            raise DatasetFormatError(f"{where}: {image.mode!r} images (16-bit or float) are not supported")
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
        return np.asarray(image, dtype=np.uint8)


def stack(arrays, names, where):
    """Stack decoded images into one array; all must share one shape, else the first odd one is named."""
    if not arrays:
        raise DatasetFormatError(f"{where}: no images found")
    expected = arrays[0].shape
    for array, name in zip(arrays, names):
        if array.shape != expected:
            raise DatasetFormatError(
                f"{where}: images in one split must share one size; {names[0]} is {expected} "
                f"but {name} is {array.shape}"
            )
    return np.stack(arrays)
