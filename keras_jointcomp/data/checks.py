"""The package's one input contract for images and labels, checked where values are concrete.

Images: canonical images are what `data.load` returns, uint8 (N, H, W, C) with values 0..255. Float images
(any float dtype) are accepted too and mean values in [0, 1], i.e. the uint8 images divided by 255; they give
the same results as the uint8 images they came from. Every numpy entry point (`JointModel.encode`,
`evaluation.evaluate` and `robustness`, `codec.LatentCodec.compress`, `data.batches`) runs `check_images`, so
a wrong array fails at once with one line instead of scoring silently wrong; inside a model graph
`JointModel.call` scales integer inputs by 1/255 and passes floats through.

Labels: integer class indices, one per image (`check_labels`).

Every refusal is an `ImageInputError` (a `ValueError`) with a one-line message that says what was wrong and
what to pass instead.
"""

import keras
import numpy as np

CONTRACT = "pass uint8 images 0..255 (as data.load returns them) or float images in [0, 1]"


class ImageInputError(ValueError):
    """Images or labels that do not follow the input contract (see `keras_jointcomp.data.checks`)."""


def check_images(images, input_shape=None, where="images"):
    """``images`` as a numpy array after checking them against the input contract, or an `ImageInputError`.

    Accepted: uint8 (N, H, W, C) images 0..255; any other integer dtype holding values 0..255 (returned as
    uint8, losslessly); finite float images in [0, 1] (returned unchanged). Refused, each with one line:
    bool, complex, object or string arrays; integers outside 0..255; NaN or infinite values; floats outside
    [0, 1] (usually 0..255 images not divided by 255); a single (H, W, C) image or any rank but 4; an empty
    batch; and, when ``input_shape`` is given, images whose height, width or channels differ from it.

    Args:
        images: an array-like or a tensor of the current backend.
        input_shape: (height, width, channels), or a 4-tuple with a leading batch entry such as
            ``model.input_shape`` (None entries match anything), or a Keras model, whose input shape is used
            and whose name the message gives.
        where: what the message calls the images (e.g. "test images").
    """
    array = _as_numpy(images, where)
    dtype = array.dtype
    if dtype == np.bool_ or dtype.kind not in "uif":
        raise ImageInputError(f"{where} have dtype {dtype}; {CONTRACT}")
    if array.ndim != 4:
        raise ImageInputError(f"{where} have shape {array.shape}; {_rank_hint(array.shape)}")
    if len(array) == 0:
        raise ImageInputError(f"{where}: no images (the batch of shape {array.shape} is empty)")
    _check_shape(array.shape[1:], input_shape, where)
    if dtype.kind in "ui":
        if dtype != np.uint8:
            low, high = array.min(), array.max()
            if low < 0 or high > 255:
                raise ImageInputError(f"{where} of dtype {dtype} hold values {low}..{high}; integer images must be "
                                      "8-bit values 0..255")
            array = array.astype(np.uint8)
        return array
    finite = np.isfinite(array)
    if not finite.all():
        first = int(np.argwhere(~finite)[0][0])
        raise ImageInputError(f"{where} contain NaN or infinite values (first in image {first}); images must be "
                              "finite")
    low, high = array.min(), array.max()
    if high > 1:
        raise ImageInputError(f"{where}: float images must be in [0, 1] (got max {high}); pass uint8 0..255 or "
                              "divide by 255")
    if low < 0:
        raise ImageInputError(f"{where}: float images must be in [0, 1] (got min {low}); pass uint8 0..255 or "
                              "float images scaled to [0, 1]")
    return array


def as_uint8(images, input_shape=None, where="images"):
    """``images`` checked by `check_images` (same arguments) and returned as a uint8 array.

    uint8 images come back as they are (no copy); float images in [0, 1] become ``np.rint(x * 255)``. So the
    pipeline (`data.batches`), `evaluate` and the codec read float images as 8-bit data: floats that came from
    uint8 images (x / 255) give back exactly those images, and finer float values are rounded to the nearest
    of the 256 levels, as any 8-bit image format would store them.
    """
    array = check_images(images, input_shape, where)
    if array.dtype == np.uint8:
        return array
    return np.rint(array * 255).astype(np.uint8)


def check_labels(labels, num_classes=None, count=None, where="labels"):
    """``labels`` as an int64 array of class indices, or an `ImageInputError` naming the problem.

    Labels must be integers (float labels are refused, never truncated), of rank 1 (one class index per
    image; one-hot rows are refused with a hint), ``count`` of them when given, and within
    0..num_classes-1 when ``num_classes`` is given (else at least 0); the message names the first bad value
    and its index.
    """
    array = _as_numpy(labels, where)
    dtype = array.dtype
    if dtype == np.bool_ or dtype.kind not in "ui":
        hint = " (convert whole-number floats with .astype(int) yourself)" if dtype.kind == "f" else ""
        raise ImageInputError(f"{where} have dtype {dtype}; labels must be integer class indices{hint}")
    if array.ndim != 1:
        hint = "; for one-hot rows pass labels.argmax(-1)" if array.ndim == 2 else ""
        raise ImageInputError(f"{where} have shape {array.shape}; labels must be one class index per image "
                              f"(rank 1){hint}")
    if count is not None and len(array) != count:
        raise ImageInputError(f"{where}: {len(array)} labels for {count} images; give one label per image")
    if len(array) == 0:
        raise ImageInputError(f"{where}: no labels (the array is empty)")
    high = None if num_classes is None else int(num_classes) - 1
    bad = (array < 0) if high is None else (array < 0) | (array > high)
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        allowed = "at least 0" if high is None else f"within 0..{high} ({num_classes} classes)"
        raise ImageInputError(f"{where}[{index}] is {array[index]}; class indices must be {allowed}")
    return array.astype(np.int64)


def _as_numpy(values, where):
    """``values`` as a numpy array: tensors of the current backend through keras, the rest through numpy;
    ragged nesting and the like become one-line errors."""
    try:
        if keras.ops.is_tensor(values):
            return np.asarray(keras.ops.convert_to_numpy(values))
        return np.asarray(values)
    except (TypeError, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ImageInputError(f"{where} cannot be read as one array ({first_line})") from None


def _rank_hint(shape):
    if len(shape) == 3:
        return ("images are a batch (N, H, W, C): for one image add the batch axis (images[None]); for "
                "grayscale images without a channel axis add it (images[..., None])")
    return "images must be a batch of shape (N, H, W, C)"


def _check_shape(shape, input_shape, where):
    """Height, width and channels against ``input_shape`` (a shape or a model), None entries matching all."""
    if input_shape is None:
        return
    model_name = None
    if hasattr(input_shape, "input_shape"):
        model_name, input_shape = getattr(input_shape, "name", None), input_shape.input_shape
    expected = tuple(input_shape)
    if len(expected) == 4:
        expected = expected[1:]
    fits = len(expected) == len(shape) and all(e is None or e == s for e, s in zip(expected, shape))
    if fits:
        return
    shape, expected = tuple(int(s) for s in shape), tuple(e if e is None else int(e) for e in expected)
    taker = "the input shape" if model_name is None else f"model {model_name!r}, which takes"
    raise ImageInputError(f"{where} of shape {shape} do not fit {taker} {expected} (height, width, channels)")
