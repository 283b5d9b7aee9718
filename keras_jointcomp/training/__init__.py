"""Training: phase machinery (freeze, recompile, fit one phase), named methods with their options and
recipes, resumable checkpoints, and data-parallel training on several devices.

The method catalogue (`methods`) needs no Keras; the rest loads on first use.
"""

from keras_jointcomp._lazy import attach
from keras_jointcomp.training.methods import METHODS, Method, UnknownMethodError, get_method, register_method

__getattr__, __dir__ = attach(globals(), {
    **{name: ".phases" for name in ("Phase", "PhaseRunner", "TrainingConfig", "adapt_to_data", "part_variables",
                                    "set_trainable", "targets_for")},
    **{name: ".recipes" for name in ("get_recipe", "run_phases", "train")},
    **{name: ".checkpoint" for name in ("CheckpointError", "TrainingCheckpoint")},
    "data_parallel": ".distribution",
    **{module: f".{module}" for module in ("atl", "autoencoder_features", "bit_encoders", "checkpoint",
                                           "distribution", "ldr", "optimization", "phases", "pruning", "recipes")},
})

__all__ = [
    "CheckpointError",
    "METHODS",
    "Method",
    "Phase",
    "PhaseRunner",
    "TrainingCheckpoint",
    "TrainingConfig",
    "UnknownMethodError",
    "adapt_to_data",
    "data_parallel",
    "get_method",
    "get_recipe",
    "part_variables",
    "register_method",
    "run_phases",
    "set_trainable",
    "targets_for",
    "train",
]
