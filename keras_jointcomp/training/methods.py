"""The training methods by name: what each needs of a model, the options it takes, and where its recipe is.

This module imports no Keras, so the command line lists the methods and builds a flag for every option
(``jointcomp train --method atl --help``) in a fraction of a second. Each method's recipe is a function
``recipe(model, train, epochs, config, validation=None, callbacks=None, **options)`` whose keyword options
are the fields of the method's options dataclass; ``epochs`` is the number of epochs of each of its phases.

An option's type says how the command line reads it: ``int``, ``float``, ``str`` (with ``choices`` in its
field metadata when only some values are allowed), ``bool`` (``--x`` / ``--no-x``), `ModelFile` (a ``.keras``
file, loaded) and `DatasetNames` (comma-separated data set names, their training splits loaded).
"""

import dataclasses
import importlib
import typing


# The choices of `TrainingConfig`'s optimizer, learning-rate schedule and whole-batch augmentation, here (no
# Keras) for the command line; `training.optimization` and `training.phases` implement them.
OPTIMIZERS = ("adam", "sgd")
SCHEDULES = ("constant", "warmup-linear")
AUGMENTATIONS = ("none", "flip-translate")


class ModelFile(str):
    """An option naming a `.keras` file; the command line passes the loaded model."""


class DatasetNames(str):
    """An option naming data sets, comma-separated; the command line passes {name: training split}."""


def option(default, help, choices=None, minimum=None):
    """A field of an options dataclass with its help text, allowed values and smallest allowed number."""
    return dataclasses.field(default=default, metadata={"help": help, "choices": choices, "minimum": minimum})


@dataclasses.dataclass
class NoOptions:
    """The method takes no options besides the shared training settings."""


@dataclasses.dataclass
class ATLOptions:
    """Algorithm 1's epochs per phase of one epoch set, its stopping rule and its held-out share."""

    epoch_sets: int = option(25, "maximum number of epoch sets", minimum=1)
    k_ae: int = option(1, "epochs of the whole autoencoder per set", minimum=1)
    j_class: int = option(1, "epochs of the classifier alone per set", minimum=1)
    k_class: int = option(1, "epochs of the whole CNN per set", minimum=1)
    j_ae: int = option(1, "epochs of the decompressor alone per set", minimum=1)
    patience: int = option(3, "epoch sets without a new best held-out accuracy or PSNR before stopping",
                           minimum=1)
    validation_fraction: float = option(0.1, "share of the training images held out to measure each set",
                                        minimum=0.0)


@dataclasses.dataclass
class CrossDomainOptions:
    """The trained model whose compressor is transferred."""

    source: ModelFile = option(None, "trained .keras model (e.g. by --method atl) whose compressor is frozen "
                                     "and reused")


@dataclasses.dataclass
class MultiDomainOptions:
    """The data sets ATL alternates over, and its epoch sets."""

    domains: DatasetNames = option(None, "comma-separated data sets to alternate over (not --dataset, the one "
                                         "left out for the transfer)")
    epoch_sets: int = option(25, "number of epoch sets", minimum=1)
    validation_fraction: float = option(0.1, "share of each domain held out to measure it", minimum=0.0)


@dataclasses.dataclass
class HardBitOptions:
    hard_bit_epochs: int = option(3, "epochs end to end on hard bits after the soft-bit phase (0: none)",
                                  minimum=0)


@dataclasses.dataclass
class LDRFineTuneOptions:
    views: int = option(4, "augmented views of each image in the self-supervised step", minimum=2)


@dataclasses.dataclass
class PruningOptions:
    prune_every: int = option(100, "epochs between two removals", minimum=1)
    units_to_prune: int = option(12, "latent units to switch off in all (0: the unpruned control)", minimum=0)
    normalisation: str = option("none", "how activations are scaled before their angles are taken",
                                choices=("none", "range", "centred"))
    complementary: bool = option(False, "also count pairs near 180 degrees as non-distinct")


@dataclasses.dataclass
class AutoencoderFeaturesOptions:
    autoencoder_epochs: typing.Optional[int] = option(None, "epochs of the autoencoder phase (default: --epochs)",
                                                      minimum=1)
    reduce_lr: bool = option(True, "halve the learning rate on plateaus of the validation loss")


@dataclasses.dataclass
class JointWeightedOptions:
    class_weight: str = option("balanced", "class weights on the cross-entropy", choices=("balanced", "none"))
    transform: str = option("cifar", "augmentation of the training images: the study's PIL policy, whole-batch "
                                     "flips and shifts, or none", choices=("cifar", "flip-translate", "none"))
    reduce_lr: bool = option(True, "halve the learning rate on plateaus of the validation loss")


@dataclasses.dataclass
class RateDistortionOptions:
    """The weights of ``lambda * distortion + rate + beta * cross-entropy`` (rate in bits per pixel)."""

    lmbda: float = option(1000.0, "weight of the distortion (MSE of images in [0, 1]) against the rate in bits "
                                 "per pixel: larger means more bytes and better images", minimum=0.0)
    beta: float = option(4.0, "weight of the classifier's cross-entropy", minimum=0.0)


# What a method needs of a model, each checked by `unmet_needs`.
NEEDS = {
    "decoder": "a decoder",
    "classifier": "a classifier",
    "side_branch": "a side branch (MCR^2 features)",
    "binary_quantizer": "a BinaryQuantizer",
    "decoded_classifier": "a classifier that reads decoded images",
    "latent_classifier": "a classifier that reads the latent (so that both heads are outputs to measure)",
    "latent_mask": "a LatentMask ending its encoder",
    "learned_rate": "a quantizer that learns its own rate (an EntropyBottleneck)",
}


@dataclasses.dataclass(frozen=True)
class Method:
    """A training method: its name, a one-line description, its recipe ("module:function"), its options
    dataclass and what it needs of a model."""

    name: str
    description: str
    recipe: str
    options: type = NoOptions
    needs: tuple = ()

    def load_recipe(self):
        """The recipe function (imports Keras)."""
        module, function = self.recipe.split(":")
        return getattr(importlib.import_module(module), function)


class UnknownMethodError(ValueError):
    """Raised for a training method name that is not registered."""


METHODS = {}


def register_method(method):
    """Add a `Method` under its name."""
    if method.name in METHODS:
        raise ValueError(f"Training method {method.name!r} is already registered.")
    METHODS[method.name] = method
    return method


def get_method(name):
    """The method ``name``, or an error listing the known ones."""
    if name not in METHODS:
        raise UnknownMethodError(f"unknown training method {name!r}; available: {', '.join(sorted(METHODS))}")
    return METHODS[name]


def available():
    """Method names mapped to their one-line descriptions, sorted by name."""
    return {name: METHODS[name].description for name in sorted(METHODS)}


def unmet_needs(method, model):
    """What ``method`` needs of ``model`` that the model lacks, as readable phrases (empty: it can train)."""
    parts = getattr(model, "parts", {})
    checks = {
        "decoder": lambda: "decoder" in parts,
        "classifier": lambda: "classifier" in parts,
        "side_branch": lambda: "side_branch" in parts,
        "binary_quantizer": lambda: type(parts.get("quantizer")).__name__ == "BinaryQuantizer",
        "decoded_classifier": lambda: getattr(model, "classifier_input", None) == "decoded",
        "latent_classifier": lambda: getattr(model, "classifier_input", None) == "latent",
        "latent_mask": lambda: type(getattr(parts.get("encoder"), "layers", [None])[-1]).__name__ == "LatentMask",
        "learned_rate": lambda: getattr(parts.get("quantizer"), "estimates_rate", False),
    }
    return [NEEDS[need] for need in method.needs if not checks[need]()]


def check_options(method, options):
    """The options dataclass of ``method`` filled from the dict ``options``, each value checked against its
    field's choices and minimum; one-line errors name the option."""
    fields = {field.name: field for field in dataclasses.fields(method.options)}
    unknown = sorted(set(options) - set(fields))
    if unknown:
        known = ", ".join(fields) or "none"
        raise ValueError(f"{method.name} has no option {unknown[0]!r}; its options: {known}")
    for name, value in options.items():
        metadata = fields[name].metadata
        if metadata.get("choices") and value not in metadata["choices"]:
            raise ValueError(f"option {name} of {method.name} must be one of {', '.join(metadata['choices'])}, "
                             f"got {value!r}")
        minimum = metadata.get("minimum")
        if minimum is not None and isinstance(value, (int, float)) and not isinstance(value, bool) \
                and not value >= minimum:
            raise ValueError(f"option {name} of {method.name} must be at least {minimum}, got {value}")
    return method.options(**options)


_RECIPES = "keras_jointcomp.training."
_TWO_HEADS = ("decoder", "classifier")
for _method in [
    Method("joint", "both heads and the encoder together, on the weighted sum of their losses",
           "recipes:train_joint"),
    Method("baseline-ae", "the full autoencoder (compressor + decompressor) from random initialisation",
           "atl:baseline_autoencoder", needs=("decoder",)),
    Method("baseline-cnn", "the full classification CNN (compressor + classifier) from random initialisation",
           "atl:baseline_cnn", needs=("classifier",)),
    Method("ae-driven", "train the autoencoder, freeze the compressor, train only the classifier",
           "atl:ae_driven", needs=_TWO_HEADS),
    Method("classifier-driven", "train the CNN, freeze the compressor, train only the decompressor",
           "atl:classifier_driven", needs=_TWO_HEADS),
    Method("atl", "Alternating Transfer Learning (Algorithm 1): alternate AE and CNN training of one compressor "
                  "for up to --epoch-sets sets, then fine-tune each head for --epochs",
           "atl:alternating_transfer_learning", ATLOptions, (*_TWO_HEADS, "latent_classifier")),
    Method("cross-domain", "freeze the compressor of a trained model (--source) and train new heads on another "
                           "data set", "atl:cross_domain", CrossDomainOptions, _TWO_HEADS),
    Method("multi-domain", "ATL alternating over the AE and classifier tasks of several data sets (--domains), "
                           "then transfer of the shared compressor to the data set left out",
           "atl:multi_domain", MultiDomainOptions, (*_TWO_HEADS, "latent_classifier")),
    Method("pretrained-classifier", "train the classifier on images, freeze it, then train encoders and decoder "
                                    "to feed it", "bit_encoders:pretrained_classifier",
           needs=("decoded_classifier",)),
    Method("joint-hard-bits", "joint training on soft bits, then end to end on hard bits (straight-through) at a "
                              "tenth of the learning rate; best rounded validation epochs kept when validation "
                              "data is given", "bit_encoders:joint_then_hard_bits", HardBitOptions,
           ("binary_quantizer",)),
    Method("ce-t", "the CE-trained baseline: encoder and classifier end to end on cross-entropy",
           "ldr:ce_trained", needs=("classifier",)),
    Method("duphil", "DuPHiL: encoder on the MCR^2 loss through the side branch, then the classifier on "
                     "cross-entropy behind the frozen encoder", "ldr:duphil", needs=("side_branch", "classifier")),
    Method("ldr-ft", "three steps: DuPHiL with labels, DuPHiL with the self-supervised augmentation partition, "
                     "then end to end on cross-entropy at a tenth of the learning rate", "ldr:ldr_fine_tuned",
           LDRFineTuneOptions, ("side_branch", "classifier")),
    Method("distinctiveness-pruning", "train the autoencoder and every --prune-every epochs switch off one of the "
                                      "two least distinct latent units, --units-to-prune in all (0: the "
                                      "unpruned control)", "pruning:distinctiveness_pruning", PruningOptions,
           ("latent_mask",)),
    Method("ae-features", "the autoencoder on reconstruction, then the classifier on the frozen encoder's latents",
           "autoencoder_features:autoencoder_features", AutoencoderFeaturesOptions, _TWO_HEADS),
    Method("joint-weighted", "autoencoder and classifier together on the weighted sum of their losses, with the "
                             "study's augmentation, class weights on the cross-entropy only and learning-rate "
                             "reduction on plateaus", "autoencoder_features:joint_weighted", JointWeightedOptions,
           ("classifier",)),
    Method("rate-distortion", "encoder, entropy bottleneck and both heads end to end on lambda * MSE + bits per "
                              "pixel + beta * cross-entropy, then the learned densities frozen to integer tables",
           "rate_distortion:rate_distortion", RateDistortionOptions, ("learned_rate",)),
]:
    register_method(dataclasses.replace(_method, recipe=_RECIPES + _method.recipe))
