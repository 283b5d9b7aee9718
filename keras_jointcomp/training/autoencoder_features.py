"""Classification on autoencoder features (the CIFAR-10 autoencoder-features study): two recipes.

- "ae-features": the autoencoder (encoder + decoder) trained on reconstruction alone, then the classifier
  trained on the frozen encoder's latents (the study's 75 % on CIFAR-10). The second phase is a
  `PhaseRunner` classifier phase with only the classifier trainable: it computes the latents once and
  trains the classifier on them.
- "joint-weighted": autoencoder and classifier trained together as one two-output model on the weighted sum
  ``reconstruction_weight * MSE + classification_weight * CE`` (`TrainingConfig`), with augmentation (the
  study's PIL policy, `augment.cifar_policy`), balanced class weights on the cross-entropy only, and the
  learning rate reduced on plateaus (the study's 86 % with Adam). Keras 3 has no ``class_weight`` for
  dict-output models, so the class weights travel as per-sample weights of the "logits" output
  (`keras_jointcomp.data.weighted`).

Both reduce the learning rate on plateaus of the validation loss (of the training loss without validation
data), as the study did.
"""

import keras

from keras_jointcomp import augment
from keras_jointcomp.data import batches, class_weights
from keras_jointcomp.data.weighted import class_sample_weights, weighted_batches
from keras_jointcomp.models.joint import LOGITS
from keras_jointcomp.training.phases import Phase, PhaseRunner, resolve_augmentation, targets_for

PLATEAU = {"factor": 0.5, "patience": 3, "min_lr": 1e-5}
STUDY_POLICY = "cifar"


def plateau_callback(validation, **overrides):
    """`keras.callbacks.ReduceLROnPlateau` on the validation loss (the training loss without validation
    data), halving the learning rate after 3 epochs without improvement, down to 1e-5 (``overrides``
    replace these)."""
    return keras.callbacks.ReduceLROnPlateau(monitor="loss" if validation is None else "val_loss",
                                             **{**PLATEAU, **overrides})


def _callbacks(validation, reduce_lr, callbacks):
    if not reduce_lr:
        return list(callbacks or [])
    overrides = reduce_lr if isinstance(reduce_lr, dict) else {}
    return [plateau_callback(validation, **overrides), *(callbacks or [])]


def feature_phases(autoencoder_epochs, classifier_epochs):
    """The autoencoder on reconstruction, then the classifier behind the frozen encoder."""
    return [Phase("autoencoder on reconstruction", "autoencoder", ("encoder", "decoder"), autoencoder_epochs),
            Phase("classifier on frozen autoencoder features", "classifier", ("classifier",), classifier_epochs)]


def autoencoder_features(model, train, epochs, config, validation=None, callbacks=None, autoencoder_epochs=None,
                         reduce_lr=True):
    """Train ``model``'s autoencoder for ``autoencoder_epochs`` (default ``epochs``), then its classifier for
    ``epochs`` on the frozen latents. ``reduce_lr``: True, False, or ReduceLROnPlateau keyword arguments."""
    _check_plateau(reduce_lr, config)
    runner = PhaseRunner(model, config)
    records = []
    for phase in feature_phases(epochs if autoencoder_epochs is None else autoencoder_epochs, epochs):
        history = runner.run(phase, *train, validation=validation,
                             callbacks=_callbacks(validation, reduce_lr, callbacks))
        records.append({"phase": phase.name, **history.history})
    return records


def _check_plateau(reduce_lr, config):
    if reduce_lr and config.learning_rate_schedule != "constant":
        raise ValueError(f"reduce_lr halves a constant learning rate; with the {config.learning_rate_schedule} "
                         "schedule pass reduce_lr=False (--no-reduce-lr)")


def resolve_class_weights(class_weight, labels, num_classes):
    """{class: weight} from ``class_weight``: "balanced" (`data.class_weights`), a dict, or None (no weights)."""
    if class_weight in (None, "none") or isinstance(class_weight, dict):
        return None if class_weight == "none" else class_weight
    if class_weight == "balanced":
        return class_weights(labels, num_classes)
    raise ValueError(f'class_weight must be "balanced", a dict or None, got {class_weight!r}.')


def resolve_transform(transform):
    """The augmentation of ``transform``: "cifar" (the study's PIL policy), "flip-translate" (the fast
    recipe's whole-batch flips and shifts), None or "none" (none), or a callable."""
    if transform == STUDY_POLICY:
        return augment.cifar_policy()
    try:
        return resolve_augmentation(transform)
    except ValueError:
        raise ValueError(f'transform must be "{STUDY_POLICY}", "flip-translate", None or a callable, got '
                         f'{transform!r}.') from None


def joint_weighted_batches(model, images, labels, batch_size, class_weight="balanced", transform=STUDY_POLICY,
                           shuffle=True, seed=0):
    """Training batches of the joint model: targets for every output, the class weight of each image's label
    as the sample weight of "logits" (weight 1 for the other outputs), and the augmentation applied to the
    input (which is also the reconstruction target)."""
    targets = targets_for("joint", model, labels)
    weights = resolve_class_weights(class_weight, labels, model.num_classes)
    sample_weight = {} if weights is None else {LOGITS: class_sample_weights(labels, weights)}
    return weighted_batches(images, targets, sample_weight, batch_size, shuffle=shuffle, seed=seed,
                            transform=resolve_transform(transform))


def joint_weighted(model, train, epochs, config, validation=None, callbacks=None, class_weight="balanced",
                   transform=STUDY_POLICY, reduce_lr=True):
    """Train every part of ``model`` on its joint loss (weights from ``config``) for ``epochs``.

    ``class_weight``: "balanced" (default; from the training labels), a dict {class: weight}, or None
    ("none").
    ``transform``: "cifar" (default; `augment.cifar_policy()`), None ("none"), or a `data.batches` transform.
    ``reduce_lr``: True, False, or ReduceLROnPlateau keyword arguments. Validation is unweighted and
    unaugmented.
    """
    if LOGITS not in model.output_keys:
        raise ValueError(f"joint-weighted needs a model with a classifier; {model.name!r} outputs "
                         f"{model.output_keys}.")
    _check_plateau(reduce_lr, config)
    phase = Phase("joint, class-weighted cross-entropy", "joint", tuple(model.parts), epochs)
    runner = PhaseRunner(model, config)
    network = runner.compile(phase)
    images, labels = train
    dataset = joint_weighted_batches(model, images, labels, config.batch_size, class_weight, transform,
                                     seed=config.seed * 100_003 + 1)
    validation_data = None
    if validation is not None:
        val_images, val_labels = validation
        validation_data = batches(val_images, targets_for("joint", model, val_labels), config.batch_size)
    history = runner.fit(phase, network, dataset, validation_data=validation_data,
                         callbacks=_callbacks(validation, reduce_lr, callbacks))
    return [{"phase": phase.name, **history.history}]
