"""Training recipes by name, each a sequence of phases over a `JointModel`.

A recipe is a function ``recipe(model, train, epochs, config, validation=None, callbacks=None, **options)``
taking images and integer labels as ``train = (images, labels)``; it trains the model in place and returns a
list of ``{"phase": name, **history}`` records. `keras_jointcomp.training.methods` names them, with their
options and what they need of a model; `train` runs one by name after checking both.
"""

import dataclasses

from keras_jointcomp.data import check_images, check_labels
from keras_jointcomp.training.methods import check_options, get_method, unmet_needs
from keras_jointcomp.training.phases import Phase, PhaseRunner, adapt_to_data


def get_recipe(name):
    """The recipe function of method ``name``, or an error listing the known ones."""
    return get_method(name).load_recipe()


def train(method, model, train_set, epochs, config, validation=None, callbacks=None, **options):
    """Train ``model`` in place by the method named ``method``; returns the recipe's records.

    Checks everything before the first step: the method's options (names, choices, ranges), that the model
    has what the method needs, the number of epochs, and the images and labels against the model (shape,
    dtype, range, labels within its classes). A model with `layers.PatchWhitening` layers not yet fitted
    (a new airbench model) has them fitted to the first training images. With ``config.checkpoint`` the run saves itself after every
    epoch and, made with ``resume=True``, goes on from where it stopped.
    """
    method = get_method(method)
    checked = check_options(method, options)
    missing = unmet_needs(method, model)
    if missing:
        raise ValueError(f"method {method.name} needs a model with {' and '.join(missing)}; {model.name!r} has "
                         f"parts {', '.join(sorted(model.parts))}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < (0 if method.name == "atl" else 1):
        raise ValueError(f"epochs must be a whole number of at least 1, got {epochs!r}")
    for images, labels, where in [(*train_set, "training"), *([(*validation, "validation")] if validation else [])]:
        check_images(images, model.input_shape[1:], where=f"{where} images")
        check_labels(labels, model.num_classes, len(images), where=f"{where} labels")
    adapt_to_data(model, train_set[0])
    records = method.load_recipe()(model, tuple(train_set), epochs, config, validation=validation,
                                   callbacks=callbacks, **_fields(checked))
    if config.checkpoint is not None:
        config.checkpoint.finish(model)
    return records


def _fields(options):
    """The options as keyword arguments (not `dataclasses.asdict`, which would copy models and data sets)."""
    return {field.name: getattr(options, field.name) for field in dataclasses.fields(options)}


def run_phases(model, phases, train, config, validation=None, callbacks=None):
    """Run ``phases`` in order on one `PhaseRunner`; the per-phase histories, in order."""
    runner = PhaseRunner(model, config)
    records = []
    for phase in phases:
        history = runner.run(phase, *train, validation=validation, callbacks=callbacks)
        records.append({"phase": phase.name, **history.history})
    return records


def train_joint(model, train, epochs, config, validation=None, callbacks=None):
    """Both heads and the encoder together, on the weighted sum of their losses."""
    phase = Phase("joint", "joint", tuple(model.parts), epochs)
    return run_phases(model, [phase], train, config, validation, callbacks)
