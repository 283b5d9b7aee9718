"""Rate curves in real bytes: one function for every model at several rates, and one row schema for every
codec, learned or classical.

Every row is one operating point measured on a test set, with the keys of `ROWS` (None where a codec has no
such measure):

    codec, setting, step_scale, quality       what was measured (a model's step scale, a codec's quality)
    bytes_per_image                            mean length of the streams each sent on its own, header included
    payload_bytes_per_image, header_bytes      the same split into entropy-coded payload and header + checksum
    estimated_payload_bytes_per_image          the entropy model's estimate of the payload
    compact_bytes_per_image                    what each image costs inside one compact stream file of the set
    empirical_entropy_bits                     sum over latent entries of the entropy of their test symbols
    accuracy, psnr_db                          of the heads (or of a baseline's classifier and decoded images)
    encode_ms, decode_ms, n_images             wall milliseconds per image, over the whole test set

`rate_curve` measures a trained model at several step scales (``jointcomp rd``; the hierarchical study's
entropy-based quantization, `keras_jointcomp.rate.rate_accuracy_curve`); `baseline_point` in
`keras_jointcomp.baselines` measures JPEG and WebP in the same rows; `matched_budget_comparison` then asks,
for every baseline point inside a learned curve's byte range, how much more accurate the learned model is at
that byte budget.
"""

import time

import numpy as np

from keras_jointcomp import metrics
from keras_jointcomp.codec import LatentCodec, fit_entropy_coding
from keras_jointcomp.codec.container import compact_framing_bytes
from keras_jointcomp.data import as_uint8, check_labels, to_float
from keras_jointcomp.models.joint import LOGITS, RECONSTRUCTION

DEFAULT_STEP_SCALES = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
ROWS = ("codec", "setting", "step_scale", "quality", "bytes_per_image", "payload_bytes_per_image", "header_bytes",
        "estimated_payload_bytes_per_image", "compact_bytes_per_image", "empirical_entropy_bits", "accuracy",
        "psnr_db", "encode_ms", "decode_ms", "n_images")


def curve_row(**values):
    """A row with every key of `ROWS`, None where ``values`` has none (an unknown key is an error)."""
    unknown = sorted(set(values) - set(ROWS))
    if unknown:
        raise ValueError(f"rate-curve rows have no key {unknown[0]!r}; they have {', '.join(ROWS)}")
    return {key: values.get(key) for key in ROWS}


def rate_curve(model, train_images, test_images, test_labels, step_scales=DEFAULT_STEP_SCALES,
               batch_size=256, codec_name=None):
    """One row per step scale of ``model``, streaming the test images through real bitstreams.

    Tables are fitted on ``train_images`` for every scale the model's ``entropy_coding`` lacks (and added
    to it, so the model can be saved with all of them). Decoded symbols are checked to equal the encoded
    ones.
    """
    test_images = as_uint8(test_images, model)
    test_labels = check_labels(test_labels, model.num_classes, len(test_images))
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
        rows.append(curve_row(
            codec=codec_name or model.name,
            setting=f"step_scale={scale:g}",
            step_scale=scale,
            bytes_per_image=float(np.mean([len(stream) for stream in streams])),
            payload_bytes_per_image=float(payload.mean()),
            header_bytes=codec.header_bytes,
            estimated_payload_bytes_per_image=float(codec.estimated_bytes(symbols).mean()) - codec.header_bytes,
            compact_bytes_per_image=float(payload.mean()) + compact_framing_bytes(codec.header, payload) / len(payload),
            empirical_entropy_bits=empirical_entropy_bits(symbols),
            **_quality(outputs, test_images, test_labels),
            encode_ms=1000 * encode_seconds / len(test_images),
            decode_ms=1000 * decode_seconds / len(test_images),
            n_images=int(len(test_images)),
        ))
    return rows


def empirical_entropy_bits(symbols):
    """Sum over latent entries of the entropy in bits of each entry's symbol histogram, symbols (N, ...)."""
    symbols = np.asarray(symbols)
    total = 0.0
    for column in symbols.reshape(len(symbols), -1).T:
        _, counts = np.unique(column, return_counts=True)
        p = counts / counts.sum()
        total -= float((p * np.log2(p)).sum())
    return total


def _quality(outputs, images, labels):
    return {
        "accuracy": float(metrics.accuracy(labels, outputs[LOGITS])) if LOGITS in outputs else None,
        "psnr_db": float(metrics.psnr(to_float(images), outputs[RECONSTRUCTION]))
        if RECONSTRUCTION in outputs else None,
    }


def matched_budget_comparison(rows, learned_codec, bytes_key="bytes_per_image"):
    """For each baseline row whose bytes fall inside the learned curve's byte range: the learned accuracy
    and PSNR at those bytes (linear interpolation between its two nearest points) and the margins over the
    baseline. ``bytes_key`` says what the learned curve's images cost: "bytes_per_image" (streams sent one
    by one) or "compact_bytes_per_image" (in one compact stream file); a baseline's own bytes are the same
    in both.

    Returns a list of ``{"codec", "learned", "setting", "bytes_key", "bytes_per_image", "accuracy",
    "learned_accuracy", "margin", "psnr_db", "learned_psnr_db", "psnr_margin_db"}`` (None where a measure is
    missing); baseline points outside the range are not matched (the learned curve says nothing there).
    """
    learned = sorted((row[bytes_key], row["accuracy"], row["psnr_db"]) for row in rows
                     if row["codec"] == learned_codec)
    if len(learned) < 2:
        raise ValueError(f"The learned codec {learned_codec!r} needs at least two points to compare against.")
    learned_bytes = np.array([point[0] for point in learned])
    comparison = []
    for row in rows:
        if row["codec"] == learned_codec or row["step_scale"] is not None:
            continue
        if not learned_bytes[0] <= row["bytes_per_image"] <= learned_bytes[-1]:
            continue
        entry = {"codec": row["codec"], "learned": learned_codec, "setting": row["setting"], "bytes_key": bytes_key,
                 "bytes_per_image": row["bytes_per_image"]}
        for key, learned_key, margin_key, index in (("accuracy", "learned_accuracy", "margin", 1),
                                                    ("psnr_db", "learned_psnr_db", "psnr_margin_db", 2)):
            values = [point[index] for point in learned]
            at_budget = None if row[key] is None or None in values else float(
                np.interp(row["bytes_per_image"], learned_bytes, values))
            entry.update({key: row[key], learned_key: at_budget,
                          margin_key: None if at_budget is None else at_budget - row[key]})
        comparison.append(entry)
    return comparison
