"""keras-tuner searches over the zoo: a HyperModel, search spaces, and tuner helpers.

    from keras_jointcomp import tuning
    hypermodel = tuning.ZooHyperModel("ldr_resnet_small", tuning.latent_screening((32, 64, 128)),
                                      network="classifier", input_shape=(32, 32, 3), num_classes=10)
    tuner = tuning.make_tuner("grid", hypermodel, "runs/screen", max_trials=3)
    tuner.search(x_train, y_train, validation_data=(x_val, y_val), epochs=5)      # uint8 images, int labels
    model, trial = tuning.best_joint_model(tuner, hypermodel)                        # the zoo JointModel

Not imported by ``import keras_jointcomp``: importing this subpackage imports keras-tuner. The scripts
``tuning/screen_latent.py`` and ``tuning/search.py`` at the repository root run whole searches.
"""

from keras_jointcomp.tuning.hypermodel import NETWORKS, OBJECTIVES, ZooHyperModel
from keras_jointcomp.tuning.spaces import (
    DEFINITIONS,
    LATENT_DIMS,
    MODEL_KNOBS,
    Knobs,
    generic,
    knobs_for,
    latent_screening,
)
from keras_jointcomp.tuning.tuners import TUNERS, best_joint_model, completed_trials, make_tuner, trial_rows

__all__ = [
    "DEFINITIONS",
    "Knobs",
    "LATENT_DIMS",
    "MODEL_KNOBS",
    "NETWORKS",
    "OBJECTIVES",
    "TUNERS",
    "ZooHyperModel",
    "best_joint_model",
    "completed_trials",
    "generic",
    "knobs_for",
    "latent_screening",
    "make_tuner",
    "trial_rows",
]
