"""Search spaces: small functions ``space(hp) -> (model_kwargs, training_overrides)``.

``model_kwargs`` go to the zoo builder (`keras_jointcomp.models.load(name, **model_kwargs)`);
``training_overrides`` replace fields of `keras_jointcomp.training.TrainingConfig` (learning rate, batch size,
loss weights). A space only asks ``hp`` for values (``hp.Choice``, ``hp.Float``, ...), so it needs no
keras-tuner import and works with every tuner.

- `latent_screening(dims)`: the latent dimension d_y alone, the initial cross-entropy screening of Qi et al.
  (d_y in {32, 64, 128, 256, 512}, section 3.2).
- `generic(model_name, network)`: the knobs that ``model_name``'s builder really takes (`MODEL_KNOBS`),
  plus learning rate (log scale), batch size and, for joint training, the weight of every other loss
  relative to cross-entropy (the knobs of the CIFAR-10 autoencoder study's keras-tuner searches).
"""

import dataclasses

from keras_jointcomp.training.phases import TrainingConfig

# Hyperparameter definitions by name. Builder kwargs first, then TrainingConfig fields.
LATENT_DIMS = (32, 64, 128, 256, 512)
DEFINITIONS = {
    # builder kwargs
    "latent_dim": lambda hp: hp.Choice("latent_dim", LATENT_DIMS),
    "depth": lambda hp: hp.Choice("depth", (10, 18, 34)),
    "width": lambda hp: hp.Choice("width", (0.125, 0.25, 0.5, 1.0)),
    "hidden_units": lambda hp: hp.Choice("hidden_units", (128, 256, 512)),
    "num_bits": lambda hp: hp.Int("num_bits", 2, 8),
    "dropout": lambda hp: hp.Choice("dropout", (0.0, 0.25, 0.5)),
    "bits": lambda hp: hp.Choice("bits", (2, 4, 8, 16)),
    "convs_per_block": lambda hp: hp.Int("convs_per_block", 1, 3),
    "base_filters": lambda hp: hp.Choice("base_filters", (16, 32, 64)),
    "features": lambda hp: hp.Choice("features", (384, 768, 1536)),
    # training: optimisation
    "learning_rate": lambda hp: hp.Float("learning_rate", 1e-4, 1e-2, sampling="log"),
    "batch_size": lambda hp: hp.Choice("batch_size", (32, 64, 128, 256)),
    # training: loss weights of the joint network, relative to cross-entropy (classification_weight = 1)
    "reconstruction_weight": lambda hp: hp.Float("reconstruction_weight", 0.1, 10.0, sampling="log"),
    "ldr_weight": lambda hp: hp.Float("ldr_weight", 0.01, 1.0, sampling="log"),
    "rounding_gap_weight": lambda hp: hp.Float("rounding_gap_weight", 0.01, 1.0, sampling="log"),
}
TRAINING_KNOBS = ("learning_rate", "batch_size")


@dataclasses.dataclass(frozen=True)
class Knobs:
    """What can be tuned for one zoo model: builder kwargs that change the model, and the loss weights of
    its joint network's other outputs (reconstruction, MCR^2 features, rounding gap)."""

    model: tuple = ()
    loss_weights: tuple = ()


_LDR = Knobs(("latent_dim", "depth", "width", "hidden_units"), ("ldr_weight",))
# Per registered model: only kwargs the builder accepts *and* that change the model. multi_encoder_mnist
# takes `width` too, but its fully connected encoders and MLP classifier ignore it, so it is not listed.
MODEL_KNOBS = {
    "atl_lenet": Knobs(("num_bits", "dropout"), ("reconstruction_weight",)),
    "ldr_resnet_small": _LDR,
    "ldr_resnet18": _LDR,
    "ldr_resnet34": _LDR,
    "multi_encoder_mnist": Knobs(("bits",), ("rounding_gap_weight",)),
    "multi_encoder_cifar10": Knobs(("bits", "width"), ("rounding_gap_weight",)),
    "cifar_conv_ae": Knobs(("convs_per_block", "base_filters", "dropout"), ("reconstruction_weight",)),
    "cifar_mlp_ae": Knobs(("features", "hidden_units", "dropout"), ("reconstruction_weight",)),
}


def knobs_for(model_name, network="joint"):
    """Names ``generic`` may tune for ``model_name`` trained as ``network``: builder kwargs, learning rate,
    batch size, and (joint network only) loss weights. A model missing from `MODEL_KNOBS` gets the training
    knobs only."""
    knobs = MODEL_KNOBS.get(model_name, Knobs())
    weights = knobs.loss_weights if network == "joint" else ()
    return knobs.model + TRAINING_KNOBS + weights


def latent_screening(dims=LATENT_DIMS, fixed=None):
    """Space of the latent-dimension screening: ``latent_dim`` (d_y) chosen from ``dims``; ``fixed``
    builder kwargs (e.g. ``{"width": 0.125}``) pass through unchanged."""
    dims = tuple(int(dim) for dim in dims)
    if not dims or min(dims) < 1:
        raise ValueError(f"dims must be positive latent dimensions, got {dims}.")
    fixed = dict(fixed or {})

    def space(hp):
        return {**fixed, "latent_dim": hp.Choice("latent_dim", dims)}, {}

    return space


def generic(model_name, network="joint", knobs=None, fixed=None):
    """Space over ``knobs`` (default: all of `knobs_for(model_name, network)`), each defined in
    `DEFINITIONS`; ``fixed`` builder kwargs or TrainingConfig fields are set, not tuned. Naming a knob that
    does not apply to the model raises ValueError listing those that do."""
    applicable = knobs_for(model_name, network)
    knobs = applicable if knobs is None else tuple(knobs)
    wrong = [name for name in knobs if name not in applicable]
    if wrong:
        raise ValueError(f"{', '.join(wrong)} cannot be tuned for {model_name} ({network} network); "
                         f"knobs that apply: {', '.join(applicable)}.")
    fixed = dict(fixed or {})
    knobs = tuple(name for name in knobs if name not in fixed)
    config_fields = {field.name for field in dataclasses.fields(TrainingConfig)}

    def space(hp):
        values = {**fixed, **{name: DEFINITIONS[name](hp) for name in knobs}}
        model_kwargs = {name: value for name, value in values.items() if name not in config_fields}
        overrides = {name: value for name, value in values.items() if name in config_fields}
        return model_kwargs, overrides

    return space
