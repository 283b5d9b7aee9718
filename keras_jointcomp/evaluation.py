"""Measure a trained model on labelled uint8 images: accuracy, PSNR and fixed-length rate."""

import contextlib

import numpy as np

from keras_jointcomp import metrics
from keras_jointcomp.data import batches
from keras_jointcomp.models.joint import LOGITS, RECONSTRUCTION


def check_images(model, images):
    """Raise a one-line error when ``images`` are not uint8 NHWC of the model's input shape."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(f"Images must be uint8 (0..255), got dtype {images.dtype}.")
    expected = tuple(model.input_shape[1:])
    if images.ndim != 4 or images.shape[1:] != expected:
        raise ValueError(
            f"Images of shape {images.shape[1:]} do not fit model {model.name!r}, which takes {expected} "
            "(height, width, channels)."
        )
    if len(images) == 0:
        raise ValueError("No images to evaluate.")


def evaluate(model, images, labels, batch_size=256):
    """Accuracy, PSNR (dB, peak 1.0 on [0, 1] images), bytes per image and compression ratio.

    Returns a dict with ``accuracy`` (None without a classifier), ``psnr_db`` (None without a decoder),
    ``bytes_per_image``, ``compression_ratio`` and ``n_images``.
    """
    check_images(model, images)
    outputs = model.predict(batches(images, batch_size=batch_size), verbose=0)
    result = {"accuracy": None, "psnr_db": None}
    if LOGITS in outputs:
        result["accuracy"] = float(metrics.accuracy(np.asarray(labels), outputs[LOGITS]))
    if RECONSTRUCTION in outputs:
        result["psnr_db"] = float(metrics.psnr(images.astype("float32") / 255.0, outputs[RECONSTRUCTION]))
    result.update(
        bytes_per_image=model.bytes_per_image,
        compression_ratio=model.compression_ratio,
        n_images=int(len(images)),
    )
    return result


@contextlib.contextmanager
def soft_decisions(model):
    """Within this block the model's binary quantizer passes soft bits at inference (unrounded accuracy).

    The compiled predict and test functions are dropped on entry and exit, since the backends trace the
    quantizer's mode into them.
    """
    quantizer = model.part("quantizer")
    if not hasattr(quantizer, "hard"):
        raise ValueError(f"{type(quantizer).__name__} has no soft mode; soft decisions need a BinaryQuantizer.")
    was_hard, quantizer.hard = quantizer.hard, False
    model.predict_function = model.test_function = None
    try:
        yield model
    finally:
        quantizer.hard = was_hard
        model.predict_function = model.test_function = None


def robustness(model, images, labels, seed=0, batch_size=256):
    """Accuracy on the test images distorted by rotation (up to 15 degrees), horizontal flip, colour jitter,
    and all three at once (`augment.distortions`): the hierarchical study's robustness test. Each distortion
    is applied to every image, drawn with ``seed``; returns ``{distortion: accuracy}`` with "none" first."""
    from keras_jointcomp import augment  # the augmentations import Pillow; only this function needs them

    check_images(model, images)
    cases = {
        "rotation": augment.Compose([augment.Rotate(15.0)]),
        "flip": augment.Compose([augment.Flip(probability=1.0)]),
        "colour jitter": augment.Compose([augment.ColorJitter(0.4, 0.4, 0.4, 0.1)]),
        "all": augment.distortions(),
    }
    result = {"none": evaluate(model, images, labels, batch_size)["accuracy"]}
    for name, transform in cases.items():
        distorted = transform(images, np.random.default_rng(seed))
        result[name] = evaluate(model, distorted, labels, batch_size)["accuracy"]
    return result
