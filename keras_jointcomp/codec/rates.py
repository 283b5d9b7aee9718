"""One trained model, several rates: coarser quantization steps, each with its own fitted entropy model.

A model's quantizer can be re-instantiated with its step times a *step scale* (`with_step_scale` on the
quantizer layers): scale 1 is the model as trained, scale 2 halves the number of levels over the same value
range, and so on. The encoder, decoder and classifier stay the same objects; only the symbols change.
`EntropyCoding` holds, for every step scale a model is set up to stream at, the probability tables fitted on
the training set's symbols at that scale. It is saved with the model (``JointModel.entropy_coding``).

    coding = fit_entropy_coding(model, train_images, step_scales=[1, 2, 4])
    model.entropy_coding = coding                    # then save: the tables travel in the .keras file
"""

import struct

import numpy as np
from keras import ops

from keras_jointcomp.entropy_models import CategoricalEntropyModel, LearnedEntropyModel, entropy_model_from_config
from keras_jointcomp.data import to_float
from keras_jointcomp.data.checks import as_uint8
from keras_jointcomp.serialization import serializable


def as_step_scale(scale):
    """A step scale as the float32 value the stream header carries (so lookups match after a round trip)."""
    if isinstance(scale, bool) or not isinstance(scale, (int, float, np.number)) or not (
        np.isfinite(scale) and scale > 0
    ):
        raise ValueError(f"A step scale must be a finite positive number, got {scale!r}.")
    return struct.unpack(">f", struct.pack(">f", float(scale)))[0]


def requantized(model, step_scale):
    """``model`` itself at step scale 1; otherwise a new `JointModel` over the same encoder, decoder and
    classifier objects with the quantizer's step times ``step_scale``. Training-only parts are left out."""
    quantizer = model.quantizer
    if quantizer is None or not hasattr(quantizer, "with_step_scale"):
        raise ValueError(
            f"Model {model.name!r} has no quantizer with a step ({type(quantizer).__name__}); streaming needs "
            "integer symbols."
        )
    step_scale = as_step_scale(step_scale)
    if step_scale == 1.0:
        return model
    return model.replace(quantizer=quantizer.with_step_scale(step_scale), side_branch=None, expose_latent=False,
                         name=f"{model.name}_step_x{step_scale:g}")


def latent_symbols(model, images, batch_size=256):
    """The integer symbols (int32, N x latent shape) of images (uint8, or floats in [0, 1]), in inference
    mode."""
    images = as_uint8(images, model)
    return np.concatenate([
        ops.convert_to_numpy(model.encode(to_float(images[start:start + batch_size])))
        for start in range(0, len(images), batch_size)
    ]).astype(np.int32)


@serializable
class EntropyCoding:
    """The step scales a model streams at, each with its entropy model (`keras_jointcomp.entropy_models`).

    Args:
        entropy_models: ``{step_scale: EntropyModel}``.
    """

    def __init__(self, entropy_models):
        if not entropy_models:
            raise ValueError("An EntropyCoding needs at least one step scale.")
        self.entropy_models = {as_step_scale(scale): model for scale, model in sorted(entropy_models.items())}

    @property
    def step_scales(self):
        return list(self.entropy_models)

    def covers(self, step_scale):
        """Whether this coding has tables for ``step_scale``."""
        return as_step_scale(step_scale) in self.entropy_models

    def merged(self, other):
        """A new coding with the rates of both (``other``'s tables where both have a scale)."""
        return EntropyCoding({**self.entropy_models, **other.entropy_models})

    def entropy_model(self, step_scale):
        """The tables for ``step_scale``, or an error naming the scales this model streams at."""
        step_scale = as_step_scale(step_scale)
        if not self.covers(step_scale):
            raise ValueError(
                f"This model has no entropy tables for step scale {step_scale:g}; it streams at step scales "
                f"{', '.join(f'{scale:g}' for scale in self.step_scales)} (fit more with fit_entropy_coding)."
            )
        return self.entropy_models[step_scale]

    def get_config(self):
        return {"rates": [{"step_scale": scale, "kind": model.kind, "entropy_model": model.get_config()}
                          for scale, model in self.entropy_models.items()]}

    @classmethod
    def from_config(cls, config):
        # Files saved before there were several kinds hold categorical tables.
        return cls({rate["step_scale"]: entropy_model_from_config(rate["entropy_model"],
                                                                  rate.get("kind", "categorical"))
                    for rate in config["rates"]})

    def __repr__(self):
        return f"EntropyCoding(step_scales={self.step_scales})"


def fit_entropy_coding(model, images, step_scales=(1.0,), batch_size=256):
    """One `CategoricalEntropyModel` per step scale: fitted on the symbols of ``images`` (the training set),
    or, for a model whose quantizer learned its own density, that density frozen (``images`` unused)."""
    if getattr(model.quantizer, "estimates_rate", False):
        return freeze_entropy_coding(model, step_scales)
    models = {}
    for scale in step_scales:
        quantized = requantized(model, scale)
        symbols = latent_symbols(quantized, images, batch_size)
        models[scale] = CategoricalEntropyModel.fit(symbols, quantized.quantizer.symbol_range)
    return EntropyCoding(models)


def freeze_entropy_coding(model, step_scales=(1.0,)):
    """The learned densities of ``model``'s `EntropyBottleneck` frozen to integer tables at each step scale
    (also fixing the bottleneck's medians to the float64 ones the tables are centred on)."""
    if not getattr(model.quantizer, "estimates_rate", False):
        raise ValueError(f"Model {model.name!r} has no learned entropy bottleneck to freeze; fit tables on its "
                         "training symbols instead (fit_entropy_coding).")
    models = {}
    for scale in step_scales:
        models[scale] = LearnedEntropyModel.freeze(requantized(model, scale).quantizer, model.latent_shape)
    return EntropyCoding(models)
