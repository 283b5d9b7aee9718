"""Joint models: the core `JointModel`, the zoo registry, saving, and one module per model family.

The registry (`available`, `load`, `register`) and the list of trained presets (`presets`) need no Keras;
the rest loads on first use. ``load(name, weights=PRESET)`` loads a trained preset (`keras_jointcomp.presets`).
"""

from keras_jointcomp._lazy import attach
from keras_jointcomp.models.registry import UnknownModelError, available, load, register
from keras_jointcomp.presets import available as presets

__getattr__, __dir__ = attach(globals(), {
    **{name: ".joint" for name in ("FEATURES", "JointModel", "LATENT", "LOGITS", "PART_NAMES", "RECONSTRUCTION")},
    **{name: ".saving" for name in ("ModelFileError", "load_model", "save_model")},
    **{family: f".{family}" for family in ("atl_lenet", "cifar_autoencoders", "faces_conv_ae", "ldr_resnet",
                                           "multi_encoder", "joint", "saving", "resnet")},
})

__all__ = [
    "FEATURES",
    "JointModel",
    "LATENT",
    "LOGITS",
    "ModelFileError",
    "PART_NAMES",
    "RECONSTRUCTION",
    "UnknownModelError",
    "available",
    "load",
    "load_model",
    "presets",
    "register",
    "save_model",
]
