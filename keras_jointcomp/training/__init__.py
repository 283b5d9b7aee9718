"""Training: phase machinery (freeze, recompile, fit one phase) and named recipes built from phases."""

from keras_jointcomp.training.phases import (
    Phase,
    PhaseRunner,
    TrainingConfig,
    part_variables,
    set_trainable,
    targets_for,
)
from keras_jointcomp.training.recipes import RECIPES, get_recipe, recipe, run_phases

__all__ = [
    "ATLSchedule",
    "Phase",
    "PhaseRunner",
    "RECIPES",
    "TrainingConfig",
    "get_recipe",
    "part_variables",
    "recipe",
    "run_phases",
    "set_trainable",
    "targets_for",
]

# Recipe modules register themselves on import.
from keras_jointcomp.training import atl, autoencoder_features, bit_encoders, ldr, pruning  # noqa: E402  (isort: skip)
from keras_jointcomp.training.atl import ATLSchedule  # noqa: E402  (isort: skip)
