"""Entropy-based latent quantization: one trained model, many rates, by scaling per-entry step sizes.

Qi et al. (hierarchical joint compression and classification, section 3.3) train a single autoencoder and
reach lower rates afterwards by quantizing each latent entry ``y_i`` with its own step

    q_i = s * H(y_i),        y_hat_i = round(y_i / q_i)  (integer symbols sent),  y_hat_i * q_i -> classifier

where ``H(y_i)`` is the entropy of the entry on the training set, modelled as a Gaussian, and the scalar
``s`` sets the overall level. Section 4.1 then reports accuracy against the total entropy of ``y_hat``
on the test set, again assuming one Gaussian per entry. `rate_accuracy_curve` measures exactly that curve;
`keras_jointcomp.layers.EntropyStepQuantizer` is the quantizer as a layer, and `with_entropy_quantizer`
puts it into a `JointModel` for saving and for `keras_jointcomp.evaluation.evaluate`.

The entropy H used for the steps (the study leaves it open; a Gaussian's differential entropy
``h_i = 0.5 log2(2 pi e std_i^2)`` is negative for ``std_i`` below 0.242 and cannot be a step size):

    H(y_i) = max(h_i, log2(e))      (bits; ``min_entropy_bits`` changes the floor)

Why the floor sits at ``log2(e) = 1/ln 2 = 1.443`` bits: at high resolution an entry costs about
``h_i - log2(q_i) = h_i - log2(s) - log2(H_i)`` bits, and with ``H_i = h_i`` that is increasing in ``h_i``
only for ``h_i >= 1/ln 2``. Below it, steps proportional to ``h_i`` shrink faster than the entry's spread,
so an entry with less information would cost *more* bits, and its resolution ``std_i / q_i`` would be
*finer* than that of richer entries, the opposite of the study's stated intent ("entries with higher entropy
are quantized with finer resolution"). With the floor, bits per entry and resolution both grow with the
entry's entropy everywhere; entries of ``std_i >= 0.66`` (``h_i >= log2 e``) get the study's step unchanged.
"""

import math

import numpy as np
from keras import ops

from keras_jointcomp.data import to_float
from keras_jointcomp.data.checks import as_uint8
from keras_jointcomp.entropy_models import GaussianLatentModel
from keras_jointcomp.layers import EntropyStepQuantizer
from keras_jointcomp.models.joint import JointModel

MIN_ENTROPY_BITS = math.log2(math.e)
"""Default floor of H(y_i) in bits: where q_i = s * h_i stops giving fewer bits to less informative entries."""


def entropy_steps(gaussian, scale, min_entropy_bits=MIN_ENTROPY_BITS):
    """The study's steps ``q_i = scale * max(h_i, min_entropy_bits)`` (module docstring), flat (d,) float64.

    Args:
        gaussian: a `GaussianLatentModel` fitted on the training set's float latents.
        scale: the study's ``s``, positive; larger means coarser steps and fewer bits.
        min_entropy_bits: floor on the Gaussian differential entropy in bits, positive.
    """
    if not (np.isfinite(scale) and scale > 0):
        raise ValueError(f"The scale s must be finite and positive, got {scale!r}.")
    if not (np.isfinite(min_entropy_bits) and min_entropy_bits > 0):
        raise ValueError(f"min_entropy_bits must be finite and positive, got {min_entropy_bits!r}.")
    return float(scale) * np.maximum(gaussian.differential_entropy_bits(), float(min_entropy_bits))


def with_entropy_quantizer(model, steps, name=None):
    """A new `JointModel` over the same encoder, decoder and classifier objects (shared weights) with an
    `EntropyStepQuantizer(steps)` as its quantizer, replacing the model's own quantizer if it has one.
    Training-only parts (a side branch) are left out: the result is for deployment and evaluation.

    ``steps`` may be flat (as `entropy_steps` returns them); they are reshaped to the model's latent shape.
    The result saves as ``.keras`` and runs through `keras_jointcomp.evaluation.evaluate`; its symbols are
    unbounded, meant for entropy coding, so it has no fixed-length ``bytes_per_image`` (None).
    """
    steps = np.asarray(steps, np.float64)
    if steps.size not in (1, math.prod(model.latent_shape)):
        raise ValueError(
            f"{steps.size} steps do not fit the latent of model {model.name!r}, of shape {model.latent_shape}."
        )
    return model.replace(quantizer=EntropyStepQuantizer(steps.reshape(model.latent_shape) if steps.size > 1 else steps),
                         side_branch=None, entropy_coding=None, name=name or f"{model.name}_entropy_quantized")


def rate_accuracy_curve(model, train_images, test_images, test_labels, scales, batch_size=256,
                        min_entropy_bits=MIN_ENTROPY_BITS):
    """The study's rate-accuracy curve (its Fig. 2, section 4.1), in real bytes: one `rate_curve` row per
    scale ``s``.

    The float latent is taken before the model's own quantizer, if any (entropy quantization replaces it,
    it is not stacked on it); the classifier must read the latent. Steps ``q_i = s * H(y_i)`` come from a
    Gaussian fitted on the training latents, which is also each rate's entropy model (a
    `keras_jointcomp.entropy_models.GaussianEntropyModel`, the study's assumption): its estimate of the test
    symbols' bits is ``estimated_payload_bytes_per_image``, the streams it codes give the actual bytes, and
    ``empirical_entropy_bits`` sums the entropies of the test symbols' histograms.

    Args:
        model: a `JointModel` with a classifier reading the latent (``classifier_input="latent"``).
        train_images, test_images: uint8 images (N, H, W, C) of the model's input shape, or floats in [0, 1].
        test_labels: integer labels of the test images.
        scales: positive scales ``s``.
        batch_size: images per forward pass.
        min_entropy_bits: floor of H(y_i), see `entropy_steps`.

    Returns rows of `keras_jointcomp.rate.curves.ROWS`, one per scale in order (``step_scale`` is ``s``).
    """
    from keras_jointcomp.codec import EntropyCoding
    from keras_jointcomp.rate.curves import rate_curve

    _check_model(model)
    scales = _check_scales(scales)
    train_images = as_uint8(train_images, model, where="training images")
    gaussian = GaussianLatentModel.fit(_float_latents(model, train_images, batch_size))
    quantized = with_entropy_quantizer(model, entropy_steps(gaussian, 1.0, min_entropy_bits))
    quantized.entropy_coding = EntropyCoding({
        scale: gaussian.entropy_model(entropy_steps(gaussian, scale, min_entropy_bits), model.latent_shape)
        for scale in scales})
    return rate_curve(quantized, train_images, test_images, test_labels, scales, batch_size,
                      codec_name=f"{model.name} entropy-quantized")


def _check_model(model):
    if not isinstance(model, JointModel):
        raise ValueError(f"rate_accuracy_curve needs a JointModel, got {type(model).__name__}.")
    if model.classifier is None or model.classifier_input != "latent":
        raise ValueError(
            f"Model {model.name!r} does not classify from the latent (classifier_input="
            f"{model.classifier_input!r}, classifier {'absent' if model.classifier is None else 'present'}); "
            "entropy-based quantization needs a classifier that reads the latent."
        )


def _check_scales(scales):
    scales = [scales] if np.ndim(scales) == 0 else list(scales)
    if not scales:
        raise ValueError("Give at least one scale s.")
    for scale in scales:
        if isinstance(scale, bool) or not isinstance(scale, (int, float, np.number)) or not (
            np.isfinite(scale) and scale > 0
        ):
            raise ValueError(f"Scales must be finite positive numbers, got {scale!r}.")
    return [float(scale) for scale in scales]


def _float_latents(model, images, batch_size):
    """The encoder's float latent (before any quantizer) of uint8 images, in inference mode."""
    return np.concatenate([
        ops.convert_to_numpy(model.encoder(to_float(images[start:start + batch_size]), training=False))
        for start in range(0, len(images), batch_size)
    ])
