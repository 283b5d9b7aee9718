"""Measure a trained model on labelled images: accuracy, PSNR and fixed-length rate.

Images follow the package's input contract (`keras_jointcomp.data.checks`): uint8 0..255 as `data.load`
returns them, or float images in [0, 1], read as 8-bit data (`data.as_uint8`), so both give the same numbers.
Images and labels are checked first; a wrong array is a one-line `ImageInputError`, never a silent 0 %.
"""

import contextlib

import numpy as np

from keras_jointcomp import metrics
from keras_jointcomp.data import as_uint8, check_labels, predict
from keras_jointcomp.models.joint import LOGITS, RECONSTRUCTION


def evaluate(model, images, labels, batch_size=256):
    """Accuracy, PSNR (dB, peak 1.0 on [0, 1] images), bytes per image and compression ratio.

    ``images``: uint8 (N, H, W, C) or floats in [0, 1], of the model's input shape. ``labels``: integer class
    indices 0..num_classes-1, one per image (checked when the model has a classifier; float labels and
    labels outside the classes are refused rather than scored).

    Returns a dict with ``accuracy`` (None without a classifier), ``psnr_db`` (None without a decoder),
    ``bytes_per_image``, ``compression_ratio`` and ``n_images``.
    """
    images = as_uint8(images, model)
    if model.num_classes is not None:
        labels = check_labels(labels, model.num_classes, count=len(images))
    outputs = predict(model, images, batch_size)
    result = {"accuracy": None, "psnr_db": None}
    if LOGITS in outputs:
        result["accuracy"] = float(metrics.accuracy(labels, outputs[LOGITS]))
    if RECONSTRUCTION in outputs:
        result["psnr_db"] = float(metrics.psnr(images.astype("float32") / 255.0, outputs[RECONSTRUCTION]))
    result.update(
        bytes_per_image=model.bytes_per_image,
        compression_ratio=model.compression_ratio,
        n_images=int(len(images)),
    )
    return result


def measure(model, images, labels, batch_size=256):
    """`evaluate`, and for a model with entropy tables the mean size of its real streams
    (``stream_bytes_per_image``, header included): the numbers `jointcomp evaluate` prints and presets
    record."""
    report = evaluate(model, images, labels, batch_size=batch_size)
    if getattr(model, "entropy_coding", None) is not None:
        from keras_jointcomp import codec

        streams = codec.LatentCodec(model, batch_size=batch_size).compress(images)
        report["stream_bytes_per_image"] = float(np.mean([len(stream) for stream in streams]))
    return report


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
    is applied to every image, drawn with ``seed``; returns ``{distortion: accuracy}`` with "none" first.
    Images and labels as for `evaluate` (float images are distorted as 8-bit data)."""
    from keras_jointcomp import augment  # the augmentations import Pillow; only this function needs them

    images = as_uint8(images, model)  # the distortions work on uint8 images
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
