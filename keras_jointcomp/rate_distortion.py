"""Rate-accuracy-distortion curves in real bytes: a learned model at several step scales, and the points of
classical codecs it is compared with.

Every row is one operating point measured on a test set:

    {"codec", "setting", "bytes_per_image", "accuracy", "psnr_db", "encode_ms", "decode_ms", "n_images"}

``bytes_per_image`` is the mean length of the actual streams, header included, each sent on its own; a learned
row also splits it into ``payload_bytes_per_image`` and ``header_bytes``, gives the entropy model's
``estimated_payload_bytes_per_image``, and ``compact_bytes_per_image``: what each image costs inside a
compact stream file of the whole test set (payload, its length, and a share of the one shared header); the times are wall-clock
milliseconds per image over the whole test set, encode = image to bytes, decode = bytes to reconstruction
and logits. `matched_budget_comparison` then asks, for every baseline point inside the learned curve's byte
range, how much more accurate the learned model is at that byte budget.
"""

import time

import numpy as np

from keras_jointcomp import metrics
from keras_jointcomp.codec import LatentCodec, fit_entropy_coding
from keras_jointcomp.codec.container import compact_framing_bytes
from keras_jointcomp.data import to_float
from keras_jointcomp.models.joint import LOGITS, RECONSTRUCTION

DEFAULT_STEP_SCALES = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)


def learned_curve(model, train_images, test_images, test_labels, step_scales=DEFAULT_STEP_SCALES,
                  batch_size=256, codec_name=None):
    """One row per step scale of ``model``, streaming the test images through real bitstreams.

    Tables are fitted on ``train_images`` for every scale the model's ``entropy_coding`` lacks (and added
    to it, so the model can be saved with all of them). Decoded symbols are checked to equal the encoded
    ones.
    """
    coding = model.entropy_coding
    missing = [scale for scale in step_scales if coding is None or not coding.covers(scale)]
    if missing:
        fitted = fit_entropy_coding(model, train_images, missing, batch_size)
        model.entropy_coding = fitted if coding is None else coding.merged(fitted)
    rows = []
    for scale in step_scales:
        codec = LatentCodec(model, scale, batch_size)
        start = time.perf_counter()
        streams = codec.compress(test_images)
        encode_seconds = time.perf_counter() - start
        start = time.perf_counter()
        symbols = codec.decompress(streams)
        outputs = codec.heads(symbols)
        decode_seconds = time.perf_counter() - start
        if not np.array_equal(symbols, codec.symbols(test_images)):
            raise RuntimeError(f"Streams at step scale {scale:g} did not decode to the encoded symbols.")
        payload = np.array([len(stream) for stream in streams]) - codec.header_bytes
        rows.append({
            "codec": codec_name or model.name,
            "setting": f"step_scale={scale:g}",
            "step_scale": scale,
            "bits_per_symbol": codec.header.num_bits or None,
            "bytes_per_image": float(np.mean([len(stream) for stream in streams])),
            "payload_bytes_per_image": float(payload.mean()),
            "estimated_payload_bytes_per_image": float(codec.estimated_bytes(symbols).mean()) - codec.header_bytes,
            "header_bytes": codec.header_bytes,
            "compact_bytes_per_image": float(payload.mean())
            + compact_framing_bytes(codec.header, payload) / len(payload),
            **_quality(outputs, test_images, test_labels),
            "encode_ms": 1000 * encode_seconds / len(test_images),
            "decode_ms": 1000 * decode_seconds / len(test_images),
            "n_images": int(len(test_images)),
        })
    return rows


def _quality(outputs, images, labels):
    return {
        "accuracy": float(metrics.accuracy(labels, outputs[LOGITS])) if LOGITS in outputs else None,
        "psnr_db": float(metrics.psnr(to_float(images), outputs[RECONSTRUCTION]))
        if RECONSTRUCTION in outputs else None,
    }


def matched_budget_comparison(rows, learned_codec):
    """For each baseline row whose bytes fall inside the learned curve's byte range: the learned accuracy
    at those bytes (linear interpolation between its two nearest points) and the margin over the baseline.

    Returns a list of ``{"codec", "setting", "bytes_per_image", "accuracy", "learned_accuracy", "margin"}``;
    baseline points outside the range are not matched (the learned curve says nothing there).
    """
    learned = sorted((row["bytes_per_image"], row["accuracy"]) for row in rows if row["codec"] == learned_codec)
    if len(learned) < 2:
        raise ValueError(f"The learned codec {learned_codec!r} needs at least two points to compare against.")
    learned_bytes, learned_accuracy = np.array(learned).T
    comparison = []
    for row in rows:
        if row["codec"] == learned_codec or row["accuracy"] is None:
            continue
        if not learned_bytes[0] <= row["bytes_per_image"] <= learned_bytes[-1]:
            continue
        at_budget = float(np.interp(row["bytes_per_image"], learned_bytes, learned_accuracy))
        comparison.append({
            "codec": row["codec"],
            "setting": row["setting"],
            "bytes_per_image": row["bytes_per_image"],
            "accuracy": row["accuracy"],
            "learned_accuracy": at_budget,
            "margin": at_budget - row["accuracy"],
        })
    return comparison
