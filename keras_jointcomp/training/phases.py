"""Phase machinery: train chosen parts of a `JointModel` while the others stay frozen.

Every recipe of the zoo (end-to-end baselines, fixed transfers, Alternating Transfer Learning, DuPHiL,
fine-tuning after truncation) is a sequence of phases. A phase names the network it trains (the joint model,
its autoencoder, its classification network, or its side network that feeds the MCR^2 loss) and the parts
that learn. Freezing is real: the other parts get ``trainable=False`` and the network is compiled again
with a *new* optimizer, because Keras keeps the trainable set of a compiled model (TensorFlow silently goes
on training a frozen part, JAX raises).

The networks are built once per `PhaseRunner` and reused. A network that comes back with the same trainable
parts (every epoch set of ATL) keeps its compiled train step and gets its optimizer restarted in place
(zero moments, step 0: what a new instance would hold), so the switch costs neither a compile nor a
retrace; a network whose trainable parts change, or whose optimizer depends on the phase's length (a
schedule, lookahead), is compiled again with a new optimizer. When a phase trains one head behind a frozen
encoder, the latents are computed once for the phase and the head is trained on them directly, which is
what a frozen compressor means (the ATL study's "compress all the images, then train the classifier on the
compressed images") and skips the encoder's forward pass in every step.
"""

import dataclasses
import json
import sys

import keras
import numpy as np

from keras_jointcomp.augment import FlipTranslate
from keras_jointcomp.data import ArrayBatches, as_uint8, batches, check_labels, predict
from keras_jointcomp.data.preprocessing import to_float
from keras_jointcomp.layers.whitening import ADAPT_IMAGES, adapt_whitening
from keras_jointcomp.losses import MCR2, BitsPerPixel, RoundingGap, classification_loss
from keras_jointcomp.losses.mcr2 import DEFAULT_EPSILON
from keras_jointcomp.metrics import PSNR, Accuracy
from keras_jointcomp.models.joint import FEATURES, LATENT, LOGITS, RATE, RECONSTRUCTION
from keras_jointcomp.training.checkpoint import SaveEveryEpoch
from keras_jointcomp.training.methods import AUGMENTATIONS, OPTIMIZERS, SCHEDULES
from keras_jointcomp.training.optimization import fit_schedule_to, make_optimizer, restart, restartable

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


def adapt_to_data(model, images):
    """Fit the layers of ``model`` that are fitted to data before training (airbench's `PatchWhitening`) to
    the first training ``images``, unless they already are (a trained model)."""
    adapt_whitening(model.part("encoder"), to_float(as_uint8(images[:ADAPT_IMAGES])))


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
    """Settings shared by the phases of a recipe, checked when made.

    The loss weights apply to the joint model's outputs: ``reconstruction_weight`` to "reconstruction",
    ``classification_weight`` to "logits", ``rounding_gap_weight`` (the rounding-gap loss's alpha) to
    "latent", present when the model exposes its latent; ``ldr_weight`` to "features", the side branch's
    MCR^2 loss, in joint training (the "side" network trains on that loss alone). ``ldr_epsilon`` is the
    MCR^2 precision epsilon (see `keras_jointcomp.losses.mcr2`). ``rate_weight`` weighs "rate", the bits per
    pixel of a model with a learned entropy bottleneck (rate-distortion training sets it to 1 and the others
    to lambda and beta). ``checkpoint``: a
    `keras_jointcomp.training.TrainingCheckpoint` that saves the run after every epoch and lets it resume.

    The optimizer settings (``optimizer``, ``momentum``, ``weight_decay``, ``learning_rate_schedule``,
    ``bias_learning_rate_scale``, ``weight_averaging``, ``averaging_decay``; see
    `keras_jointcomp.training.optimization`), ``label_smoothing`` of the cross-entropy and ``augmentation``
    of the training images ("flip-translate" for `augment.FlipTranslate`, or any `data.batches` transform)
    default to the studies' plain Adam; `TrainingConfig.fast()` sets airbench's values for all of them.
    """

    batch_size: int = 512
    learning_rate: float = 1e-3
    reconstruction_loss: str = "mse"
    reconstruction_weight: float = 1.0
    classification_weight: float = 1.0
    rounding_gap_weight: float = 0.0
    ldr_weight: float = 0.0
    rate_weight: float = 1.0
    ldr_epsilon: float = DEFAULT_EPSILON
    optimizer: str = "adam"
    momentum: float = 0.9
    weight_decay: float = 0.0
    learning_rate_schedule: str = "constant"
    bias_learning_rate_scale: float = 1.0
    weight_averaging: int = 0
    averaging_decay: float = 0.95**5
    label_smoothing: float = 0.0
    augmentation: object = None
    seed: int = 0
    verbose: int = 1
    checkpoint: object = None

    @classmethod
    def fast(cls, **overrides):
        """airbench's settings (Jordan 2024, scaled to a mean loss): batch 1024, Nesterov SGD at 1.5 with
        momentum 0.85 and decoupled weight decay, the warmup-linear schedule, batch-norm offsets 64x faster,
        weights averaged every 5 steps, label smoothing 0.2, flips and 2-pixel shifts; ``overrides`` replace
        any of them."""
        settings = {"batch_size": 1024, "learning_rate": 1.5, "optimizer": "sgd", "momentum": 0.85,
                    "weight_decay": 0.0089, "learning_rate_schedule": "warmup-linear",
                    "bias_learning_rate_scale": 64.0, "weight_averaging": 5, "label_smoothing": 0.2,
                    "augmentation": "flip-translate"}
        return cls(**{**settings, **overrides})

    def __post_init__(self):
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, (int, np.integer)) \
                or self.batch_size < 1:
            raise ValueError(f"batch_size must be a whole number of at least 1, got {self.batch_size!r}")
        for name in ("learning_rate", "ldr_epsilon"):
            if not _finite(getattr(self, name)) or getattr(self, name) <= 0:
                raise ValueError(f"{name} must be a positive number, got {getattr(self, name)!r}")
        for name, allowed in (("optimizer", OPTIMIZERS), ("learning_rate_schedule", SCHEDULES)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {getattr(self, name)!r}")
        for name in ("momentum", "averaging_decay", "label_smoothing"):
            if not _finite(getattr(self, name)) or not 0 <= getattr(self, name) < 1:
                raise ValueError(f"{name} must be a number in [0, 1), got {getattr(self, name)!r}")
        if isinstance(self.weight_averaging, bool) or not isinstance(self.weight_averaging, (int, np.integer)) \
                or self.weight_averaging < 0:
            raise ValueError(f"weight_averaging must be a whole number of steps (0: off), got "
                             f"{self.weight_averaging!r}")
        if not _finite(self.bias_learning_rate_scale) or self.bias_learning_rate_scale <= 0:
            raise ValueError(f"bias_learning_rate_scale must be a positive number, got "
                             f"{self.bias_learning_rate_scale!r}")
        if self.bias_learning_rate_scale != 1 and self.optimizer != "sgd":
            raise ValueError("bias_learning_rate_scale needs optimizer 'sgd' (Adam ignores a gradient's scale)")
        if self.weight_averaging and self.optimizer != "sgd":
            raise ValueError("weight_averaging (airbench's lookahead) needs optimizer 'sgd'")
        resolve_augmentation(self.augmentation)
        for name in ("reconstruction_weight", "classification_weight", "rounding_gap_weight", "ldr_weight",
                     "rate_weight", "weight_decay"):
            if not _finite(getattr(self, name)) or getattr(self, name) < 0:
                raise ValueError(f"{name} must be a number of at least 0, got {getattr(self, name)!r}")
        if isinstance(self.reconstruction_loss, str) and self.reconstruction_loss not in RECONSTRUCTION_LOSSES:
            raise ValueError(f"reconstruction_loss must be one of {', '.join(RECONSTRUCTION_LOSSES)} or a Keras "
                             f"loss, got {self.reconstruction_loss!r}")


RECONSTRUCTION_LOSSES = ("mse", "l1", "mean_squared_error", "mean_absolute_error")


def resolve_augmentation(augmentation):
    """The `data.batches` transform of a config's ``augmentation``: None or "none" (none), "flip-translate"
    (`augment.FlipTranslate`), or a callable used as it is."""
    if augmentation is None or augmentation == "none":
        return None
    if augmentation == "flip-translate":
        return FlipTranslate()
    if callable(augmentation):
        return augmentation
    raise ValueError(f"augmentation must be one of {', '.join(AUGMENTATIONS)} or a data.batches transform, got "
                     f"{augmentation!r}")


def _finite(value):
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool) and np.isfinite(value)


class PhaseRunner:
    """Runs phases on one `JointModel`, building each network once and recompiling on every switch.

    Every fit of every recipe goes through `fit`, which announces the phase, adds the run's checkpoint and
    returns the same records whether the epochs were trained now or restored from a checkpoint.
    """

    def __init__(self, model, config=None):
        self.model = model
        self.config = config or TrainingConfig()
        self._networks = {}
        self._compiled_for = {}  # id(network) -> the phase settings it was last compiled with
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
        settings = (phase.network, tuple(sorted(phase.trainable)), phase.learning_rate_scale,
                    _traced_modes(self.model))
        if loss is None and self._compiled_for.get(id(network)) == settings and restartable(network.optimizer):
            restart(network.optimizer)
            return network
        losses = _losses_and_metrics(phase.network, self.model, self.config)
        if loss is not None:
            losses = {"loss": loss}
        network.compile(optimizer=make_optimizer(self.config, phase.learning_rate_scale), **losses)
        self._compiled_for[id(network)] = settings if loss is None else None
        return network

    def run(self, phase, images, labels, validation=None, callbacks=None):
        """Train one phase on ``images`` and integer ``labels`` (checked against the model's classes: a label
        out of range would train silently on one backend and fail or be clipped on the others); returns the
        Keras `History`."""
        labels = check_labels(labels, self.model.num_classes, len(images))
        self._phases_run += 1
        if phase.network in ("autoencoder", "classifier") and "encoder" not in phase.trainable:
            return self._run_on_latents(phase, images, labels, validation, callbacks)
        network = self.compile(phase)
        config = self.config
        # A shuffling seed of its own per phase, so alternating phases do not all replay one order.
        train = batches(images, targets_for(phase.network, self.model, labels), config.batch_size,
                        shuffle=True, seed=config.seed * 100_003 + self._phases_run,
                        transform=resolve_augmentation(config.augmentation))
        validation_data = None
        if validation is not None:
            val_images, val_labels = validation
            validation_data = batches(val_images, targets_for(phase.network, self.model, val_labels),
                                      config.batch_size)
        return self.fit(phase, network, train, validation_data=validation_data, callbacks=callbacks)

    def _run_on_latents(self, phase, images, labels, validation, callbacks):
        head_kind = "decoder" if phase.network == "autoencoder" else "classification_head"
        head = self.compile(phase, self.network(head_kind))
        checkpoint = self.config.checkpoint

        def inputs_and_targets(images, labels):
            latents = self.latents(images)
            targets = as_uint8(images).astype("float32") / 255.0 if head_kind == "decoder" else np.asarray(labels)
            return latents, targets

        if checkpoint is not None:
            if checkpoint.next_fit_complete():
                return self.fit(phase, head, None)  # nothing to compute: the fit is skipped
            checkpoint.restore_weights_if_pending(self.model)  # before the latents are computed
        validation_data = None if validation is None else ArrayBatches(*inputs_and_targets(*validation),
                                                                       self.config.batch_size)
        train = ArrayBatches(*inputs_and_targets(images, labels), self.config.batch_size, shuffle=True,
                             seed=self.config.seed * 100_003 + self._phases_run)
        return self.fit(phase, head, train, validation_data=validation_data, callbacks=callbacks)

    def fit(self, phase, network, data, *, validation_data=None, callbacks=None, epochs=None, initial_epoch=0):
        """``network.fit`` on ``data`` (a PyDataset) for the phase's epochs (or epochs ``initial_epoch`` to
        ``epochs``), announced by the phase's name and saved to the run's checkpoint after every epoch;
        returns a `History` of the epochs of this fit."""
        epochs = phase.epochs if epochs is None else epochs
        if data is not None:
            fit_schedule_to(network.optimizer, len(data) * (epochs - initial_epoch))
        name = phase.name if (initial_epoch, epochs) == (0, phase.epochs) else \
            f"{phase.name} (epochs {initial_epoch + 1}-{epochs})"
        checkpoint = self.config.checkpoint
        callbacks = list(callbacks or [])
        recorded = {}
        if checkpoint is not None:
            index, done, recorded = checkpoint.start_fit(name, epochs - initial_epoch)
            if checkpoint.is_complete(index):
                self._announce(name, phase, "done, restored from the checkpoint")
                return _history(recorded)
            checkpoint.restore_weights_if_pending(self.model)
            if done:
                checkpoint.restore_optimizer(index, network.optimizer, network.trainable_variables)
            callbacks.append(SaveEveryEpoch(checkpoint, index, self.model, recorded, initial_epoch))
            initial_epoch += done
        _start_data_at(data, initial_epoch)
        self._announce(name, phase, "" if not recorded else f"resumed after epoch {initial_epoch}")
        # shuffle=False: the data sets order their batches themselves, from (seed, epoch), so that a resumed
        # fit sees what an uninterrupted one saw; Keras' own shuffling of batch indices draws from Python's
        # global generator, which does not resume.
        history = network.fit(data, epochs=epochs, initial_epoch=initial_epoch, validation_data=validation_data,
                              callbacks=callbacks, verbose=self.config.verbose, shuffle=False)
        if checkpoint is not None:
            checkpoint.complete(index)
            history.history = _joined(recorded, history.history)
        return history

    def recorded(self, key, compute):
        """``compute()``, remembered in the run's checkpoint under ``key`` so that a resumed run takes the
        same value (and repeats no side effect of computing it); without a checkpoint just ``compute()``."""
        if self.config.checkpoint is None:
            return compute()
        return self.config.checkpoint.recorded(key, compute, self.model)

    def _announce(self, name, phase, note):
        if self.config.verbose:
            trains = ", ".join(phase.trainable)
            print(f"[phase] {name}: {phase.network} network, training {trains}"
                  f"{f' ({note})' if note else ''}", file=sys.stderr, flush=True)

    def latents(self, images):
        """The (dequantized) latents the heads see at inference, for ``images``."""
        bottleneck = self.network("bottleneck")
        return predict(bottleneck, images, max(self.config.batch_size, 256))


def _traced_modes(model):
    """The quantizer's settings, which the backends trace into a compiled step (straight-through or soft
    bits): a network compiled under other ones must be compiled again."""
    quantizer = model.parts.get("quantizer")
    return None if quantizer is None else json.dumps(quantizer.get_config(), sort_keys=True, default=str)


def _history(recorded):
    history = keras.callbacks.History()
    history.history = {key: list(values) for key, values in recorded.items()}
    return history


def _joined(recorded, new):
    joined = {key: list(values) for key, values in recorded.items()}
    for key, values in new.items():
        joined.setdefault(key, []).extend(float(value) for value in values)
    return joined


def _start_data_at(data, epoch):
    """Put a data set that orders its batches by epoch (`ImageBatches` and its kin) at ``epoch`` before a fit
    that starts there, so that every fit starting at an epoch sees the same batches, resumed or not."""
    if hasattr(data, "start_at_epoch"):
        data.start_at_epoch(epoch)


def targets_for(kind, model, labels):
    """Targets of a network kind: the images themselves, the labels, or a dict per joint-model output (the
    latent's target is unused by its loss: zeros)."""
    if kind == "autoencoder":
        return "images"
    if kind in ("classifier", "side"):
        return labels
    unused = np.zeros(len(labels), "float32")
    by_output = {RECONSTRUCTION: "images", LOGITS: labels, LATENT: unused, FEATURES: labels, RATE: unused}
    return {key: by_output[key] for key in model.output_keys}


def _losses_and_metrics(kind, model, config):
    reconstruction = ({"mse": "mean_squared_error", "l1": "mean_absolute_error"}
                      .get(config.reconstruction_loss, config.reconstruction_loss))
    classification = classification_loss(config.label_smoothing)
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
        RATE: (BitsPerPixel(model.input_shape[1] * model.input_shape[2]), config.rate_weight, []),
    }
    keys = model.output_keys
    return {"loss": {key: by_output[key][0] for key in keys},
            "loss_weights": {key: by_output[key][1] for key in keys},
            "metrics": {key: by_output[key][2] for key in keys}}
