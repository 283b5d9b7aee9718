"""Training recipes by name, each a sequence of phases over a `JointModel`.

A recipe is a function ``recipe(model, train, epochs, config, validation=None, **options)`` taking uint8
images and integer labels as ``train = (images, labels)``; it trains the model in place and returns a list
of ``{"phase": name, **history}`` records. The CLI's ``--method`` chooses one by name.
"""

from keras_jointcomp.training.phases import Phase, PhaseRunner

RECIPES = {}


def recipe(name, description):
    """Decorator that registers a training recipe under ``name``."""

    def decorate(function):
        function.description = description
        RECIPES[name] = function
        return function

    return decorate


def get_recipe(name):
    """The recipe ``name``, or an error listing the known ones."""
    if name not in RECIPES:
        raise ValueError(f"Unknown training method {name!r}; available: {', '.join(sorted(RECIPES))}.")
    return RECIPES[name]


def run_phases(model, phases, train, config, validation=None):
    """Run ``phases`` in order on one `PhaseRunner`; the per-phase histories, in order."""
    runner = PhaseRunner(model, config)
    records = []
    for phase in phases:
        history = runner.run(phase, *train, validation=validation)
        records.append({"phase": phase.name, **history.history})
    return records


@recipe("joint", "both heads and the encoder together, on the weighted sum of their losses")
def train_joint(model, train, epochs, config, validation=None):
    phase = Phase("joint", "joint", tuple(model.parts), epochs)
    return run_phases(model, [phase], train, config, validation)
