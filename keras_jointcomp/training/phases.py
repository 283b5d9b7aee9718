"""Phase machinery: train chosen parts of a `JointModel` while the others stay frozen.

Every recipe of the zoo (end-to-end baselines, fixed transfers, Alternating Transfer Learning, DuPHiL,
fine-tuning after truncation) is a sequence of phases. A phase names the network it trains (the joint model,
its autoencoder, its classification network, or its side network that feeds the MCR^2 loss) and the parts
that learn. Freezing is real: the other parts get ``trainable=False`` and the network is compiled again
with a *new* optimizer, because Keras keeps the trainable set of a compiled model (TensorFlow silently goes
on training a frozen part, JAX raises).

The networks are built once per `PhaseRunner` and reused, so switching phases costs a compile and the
first step's retrace, not a rebuild. When a phase trains one head behind a frozen encoder, the latents are
computed once for the phase and the head is trained on them directly, which is what a frozen compressor
means (the ATL study's "compress all the images, then train the classifier on the compressed images") and
skips the encoder's forward pass in every step.
"""

import dataclasses

import keras
import numpy as np

from keras_jointcomp.data import batches
from keras_jointcomp.losses import MCR2, RoundingGap
from keras_jointcomp.losses.mcr2 import DEFAULT_EPSILON
from keras_jointcomp.metrics import PSNR, Accuracy
from keras_jointcomp.models.joint import FEATURES, LATENT, LOGITS, RECONSTRUCTION

NETWORKS = ("joint", "autoencoder", "classifier", "side")


def set_trainable(model, trainable_parts):
    """Make exactly ``trainable_parts`` (names such as "encoder", "decoder") trainable, freeze the rest."""
    unknown = set(trainable_parts) - set(model.parts)
    if unknown:
        raise ValueError(f"Unknown parts {sorted(unknown)}; this model has {sorted(model.parts)}.")
    model.trainable = True
    for name, part in model.parts.items():
        _set_trainable_throughout(part, name in trainable_parts)


def _set_trainable_throughout(layer, trainable):
    """``layer.trainable = trainable`` on the layer and every layer inside it, explicitly.

    Keras propagates the flag itself, except into a Sequential rebuilt from the config of a frozen one (a
    saved model whose last phase froze that part): its inner layers stay frozen. Setting each one fixes
    that, for models loaded from files and copies built from configs alike.
    """
    layer.trainable = trainable
    for inner in getattr(layer, "layers", ()):
        _set_trainable_throughout(inner, trainable)


def part_variables(model):
    """Variable paths of each part; checks that the parts are disjoint and hold all of the model's variables."""
    groups = {name: {v.path for v in part.weights} for name, part in model.parts.items()}
    seen = set()
    for name, paths in groups.items():
        shared = seen & paths
        if shared:
            raise AssertionError(f"Part {name!r} shares variables with another part: {sorted(shared)[:3]}")
        seen |= paths
    missing = {v.path for v in model.weights} - seen
    if missing:
        raise AssertionError(f"Variables outside every part: {sorted(missing)[:3]}")
    return groups


@dataclasses.dataclass(frozen=True)
class Phase:
    """One stage of a recipe: train ``trainable`` parts of ``network`` for ``epochs`` epochs, at the
    config's learning rate times ``learning_rate_scale``."""

    name: str
    network: str
    trainable: tuple
    epochs: int = 1
    learning_rate_scale: float = 1.0

    def __post_init__(self):
        if self.network not in NETWORKS:
            raise ValueError(f"Unknown network {self.network!r}; choose one of {NETWORKS}.")


@dataclasses.dataclass
class TrainingConfig:
    """Settings shared by the phases of a recipe.

    The loss weights apply to the joint model's outputs: ``reconstruction_weight`` to "reconstruction",
    ``classification_weight`` to "logits", ``rounding_gap_weight`` (the rounding-gap loss's alpha) to
    "latent", present when the model exposes its latent; ``ldr_weight`` to "features", the side branch's
    MCR^2 loss, in joint training (the "side" network trains on that loss alone). ``ldr_epsilon`` is the
    MCR^2 precision epsilon (see `keras_jointcomp.losses.mcr2`).
    """

    batch_size: int = 512
    learning_rate: float = 1e-3
    reconstruction_loss: str = "mse"
    reconstruction_weight: float = 1.0
    classification_weight: float = 1.0
    rounding_gap_weight: float = 0.0
    ldr_weight: float = 0.0
    ldr_epsilon: float = DEFAULT_EPSILON
    seed: int = 0
    verbose: int = 1


class PhaseRunner:
    """Runs phases on one `JointModel`, building each network once and recompiling on every switch."""

    def __init__(self, model, config=None):
        self.model = model
        self.config = config or TrainingConfig()
        self._networks = {}
        self._phases_run = 0

    def network(self, kind):
        """The joint model, its autoencoder, classification or bottleneck network, or one of its heads
        ("decoder", "classification_head"), built on first use."""
        if kind == "joint":
            return self.model
        if kind not in self._networks:
            build = {"autoencoder": self.model.autoencoder, "classifier": self.model.classification_network,
                     "side": self.model.side_network, "bottleneck": self.model.bottleneck_network,
                     "classification_head": self.model.classification_head,
                     "decoder": lambda: self.model.part("decoder")}
            self._networks[kind] = build[kind]()
        return self._networks[kind]

    def compile(self, phase, network=None, loss=None):
        """Freeze all but the phase's parts and compile its network (or ``network``, one of its heads) with
        a fresh optimizer, and the network's usual losses (or ``loss``)."""
        set_trainable(self.model, phase.trainable)
        network = network or self.network(phase.network)
        losses = _losses_and_metrics(phase.network, self.model, self.config)
        if loss is not None:
            losses = {"loss": loss}
        network.compile(
            optimizer=keras.optimizers.Adam(self.config.learning_rate * phase.learning_rate_scale), **losses)
        return network

    def run(self, phase, images, labels, validation=None, callbacks=None):
        """Train one phase on uint8 ``images`` and integer ``labels``; returns the Keras `History`."""
        self._phases_run += 1
        if phase.network in ("autoencoder", "classifier") and "encoder" not in phase.trainable:
            return self._run_on_latents(phase, images, labels, validation, callbacks)
        network = self.compile(phase)
        config = self.config
        # A shuffling seed of its own per phase, so alternating phases do not all replay one order.
        train = batches(images, targets_for(phase.network, self.model, labels), config.batch_size,
                        shuffle=True, seed=config.seed * 100_003 + self._phases_run)
        validation_data = None
        if validation is not None:
            val_images, val_labels = validation
            validation_data = batches(val_images, targets_for(phase.network, self.model, val_labels),
                                      config.batch_size)
        return network.fit(train, epochs=phase.epochs, validation_data=validation_data,
                           callbacks=callbacks, verbose=config.verbose)

    def _run_on_latents(self, phase, images, labels, validation, callbacks):
        head_kind = "decoder" if phase.network == "autoencoder" else "classification_head"
        head = self.compile(phase, self.network(head_kind))

        def inputs_and_targets(images, labels):
            latents = self.latents(images)
            targets = images.astype("float32") / 255.0 if head_kind == "decoder" else np.asarray(labels)
            return latents, targets

        validation_data = None if validation is None else inputs_and_targets(*validation)
        return head.fit(*inputs_and_targets(images, labels), batch_size=self.config.batch_size,
                        epochs=phase.epochs, shuffle=True, validation_data=validation_data,
                        callbacks=callbacks, verbose=self.config.verbose)

    def latents(self, images):
        """The (dequantized) latents the heads see at inference, for uint8 ``images``."""
        bottleneck = self.network("bottleneck")
        return bottleneck.predict(batches(images, batch_size=max(self.config.batch_size, 256)), verbose=0)


def targets_for(kind, model, labels):
    """Targets of a network kind: the images themselves, the labels, or a dict per joint-model output (the
    latent's target is unused by its loss: zeros)."""
    if kind == "autoencoder":
        return "images"
    if kind in ("classifier", "side"):
        return labels
    by_output = {RECONSTRUCTION: "images", LOGITS: labels, LATENT: np.zeros(len(labels), "float32"),
                 FEATURES: labels}
    return {key: by_output[key] for key in model.output_keys}


def _losses_and_metrics(kind, model, config):
    reconstruction = ({"mse": "mean_squared_error", "l1": "mean_absolute_error"}
                      .get(config.reconstruction_loss, config.reconstruction_loss))
    classification = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    if kind == "autoencoder":
        return {"loss": reconstruction, "metrics": [PSNR()]}
    if kind == "classifier":
        return {"loss": classification, "metrics": [Accuracy()]}
    ldr = MCR2(model.num_classes, epsilon=config.ldr_epsilon) if FEATURES in model.output_keys else None
    if kind == "side":
        return {"loss": ldr}
    by_output = {
        RECONSTRUCTION: (reconstruction, config.reconstruction_weight, [PSNR()]),
        LOGITS: (classification, config.classification_weight, [Accuracy()]),
        LATENT: (RoundingGap(), config.rounding_gap_weight, []),
        FEATURES: (ldr, config.ldr_weight, []),
    }
    keys = model.output_keys
    return {"loss": {key: by_output[key][0] for key in keys},
            "loss_weights": {key: by_output[key][1] for key in keys},
            "metrics": {key: by_output[key][2] for key in keys}}
