"""`ZooHyperModel`: a keras-tuner HyperModel that builds a zoo model from a search space and trains it
with the project's own phase machinery.

    hp --space--> (builder kwargs, TrainingConfig overrides)
       --> models.load(name, ...) = JointModel --PhaseRunner.compile--> network ("classifier" or "joint")
       --> fit on data.batches(uint8 images, targets) at the hp's batch size --> val accuracy

The "classifier" network (image -> logits, cross-entropy only, side branch and decoder detached) is the
latent-dimension screening of Qi et al.; the "joint" network trains every output of the joint model with
the config's loss weights (joint autoencoder + classifier searches).
"""

import dataclasses
import weakref

import keras
import keras_tuner

from keras_jointcomp import models
from keras_jointcomp.data import batches
from keras_jointcomp.models.joint import JointModel
from keras_jointcomp.models.registry import spec
from keras_jointcomp.training.optimization import fit_schedule_to
from keras_jointcomp.training.phases import (Phase, PhaseRunner, TrainingConfig, adapt_to_data,
                                             resolve_augmentation, targets_for)

NETWORKS = ("classifier", "joint")
OBJECTIVES = {"classifier": "val_accuracy", "joint": "val_logits_accuracy"}


class ZooHyperModel(keras_tuner.HyperModel):
    """Builds zoo model ``model_name`` with the builder kwargs that ``space(hp)`` returns and compiles its
    ``network`` with `PhaseRunner` (Adam at the config's learning rate, the project's losses and metrics).

    Args:
        model_name: a registered zoo model (`keras_jointcomp.models.available()`).
        space: ``space(hp) -> (model_kwargs, training_overrides)`` (see `keras_jointcomp.tuning.spaces`).
        network: "classifier" (image -> logits, cross-entropy; objective "val_accuracy") or "joint" (all
            outputs with weighted losses; objective "val_logits_accuracy").
        input_shape, num_classes: passed to the builder when given (e.g. from the data set).
        config: the base `TrainingConfig`; the space's overrides replace its fields per trial.
        seed: when set, Keras' global seeds are reset to it before every build, so that trials differ only
            by their hyperparameters, not by their initialization.

    Example:
        hypermodel = ZooHyperModel("ldr_resnet_small", latent_screening(), input_shape=(32, 32, 3))
        tuner = keras_tuner.GridSearch(hypermodel, objective=hypermodel.objective, directory="runs/t")
        tuner.search(x_train, y_train, validation_data=(x_val, y_val), epochs=5)   # uint8 images
    """

    def __init__(self, model_name, space, network="classifier", input_shape=None, num_classes=None,
                 config=None, seed=None, name=None):
        if network not in NETWORKS:
            raise ValueError(f"network must be one of {NETWORKS}, got {network!r}.")
        spec(model_name)  # fail early on an unknown name
        super().__init__(name=name or model_name)
        self.model_name = model_name
        self.space = space
        self.network = network
        self.input_shape = None if input_shape is None else tuple(input_shape)
        self.num_classes = num_classes
        self.config = config or TrainingConfig()
        self.seed = seed
        self._joint_models = weakref.WeakKeyDictionary()  # classifier network -> its JointModel

    @property
    def objective(self):
        """The keras-tuner objective: validation accuracy of the logits, maximized."""
        return keras_tuner.Objective(OBJECTIVES[self.network], direction="max")

    @property
    def metric_name(self):
        """The accuracy's name in `evaluate` results: the objective without "val_"."""
        return OBJECTIVES[self.network].removeprefix("val_")

    def settings(self, hp):
        """The builder kwargs and the `TrainingConfig` that ``hp`` chooses."""
        model_kwargs, overrides = self.space(hp)
        return dict(model_kwargs), dataclasses.replace(self.config, **overrides)

    def build_joint(self, hp):
        """The zoo model with ``hp``'s builder kwargs, uncompiled."""
        model_kwargs, _ = self.settings(hp)
        shape = {"input_shape": self.input_shape} if self.input_shape is not None else {}
        classes = {"num_classes": self.num_classes} if self.num_classes is not None else {}
        if self.seed is not None:
            keras.utils.set_random_seed(self.seed)
        joint = models.load(self.model_name, **shape, **classes, **model_kwargs)
        if joint.classifier is None:
            raise ValueError(f"{self.model_name} has no classifier; searches maximize validation accuracy.")
        return joint

    def build(self, hp):
        """The network to train, compiled by `PhaseRunner` with every part trainable."""
        joint = self.build_joint(hp)
        _, config = self.settings(hp)
        network = PhaseRunner(joint, config).compile(Phase("search", self.network, tuple(joint.parts)))
        # Optimizer variables now, so that reloading a checkpoint (Hyperband's continued trials, a tuner's
        # `load_model`) restores Adam's moments too instead of skipping them.
        network.optimizer.build(network.trainable_variables)
        if network is not joint:
            self._joint_models[network] = joint
        return network

    def joint_model(self, network):
        """The `JointModel` whose layers ``network`` (returned by `build`, or by a tuner's `load_model` /
        `get_best_models`) shares: save this one. Parts outside the network (the side branch, or the
        decoder of a classifier network) keep their initial weights."""
        if isinstance(network, JointModel):
            return network
        if network not in self._joint_models:
            raise ValueError(f"Network {network.name!r} was not built by this hypermodel.")
        return self._joint_models[network]

    def fit(self, hp, model, x, y, validation_data=None, **kwargs):
        """Train ``model`` on uint8 images ``x`` and integer labels ``y``, batched by `data.batches` at
        ``hp``'s batch size; ``validation_data=(images, labels)`` is required (the objective reads it).
        Other keyword arguments (epochs, callbacks, verbose, ...) go to ``model.fit``."""
        if validation_data is None:
            raise ValueError(f"validation_data=(images, labels) is required: the objective is "
                             f"{OBJECTIVES[self.network]}.")
        _, config = self.settings(hp)
        joint = self.joint_model(model)
        adapt_to_data(joint, x)
        train = batches(x, targets_for(self.network, joint, y), config.batch_size, shuffle=True,
                        seed=config.seed, transform=resolve_augmentation(config.augmentation))
        val_images, val_labels = validation_data
        validation = batches(val_images, targets_for(self.network, joint, val_labels), config.batch_size)
        kwargs.setdefault("verbose", config.verbose)
        fit_schedule_to(model.optimizer, len(train) * (kwargs.get("epochs", 1) - kwargs.get("initial_epoch", 0)))
        return model.fit(train, validation_data=validation, **kwargs)

    def evaluate(self, hp, model, x, y):
        """Metrics of ``model`` on uint8 images ``x`` and labels ``y`` as a dict (accuracy under
        `metric_name`)."""
        _, config = self.settings(hp)
        data = batches(x, targets_for(self.network, self.joint_model(model), y), config.batch_size)
        return {name: float(value) for name, value in model.evaluate(data, verbose=0, return_dict=True).items()}
