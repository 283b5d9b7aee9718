"""Joint models: the core `JointModel`, the zoo registry, saving, and one module per model family.

The registry (`available`, `load`, `register`) needs no Keras; the rest loads on first use.
"""

from keras_jointcomp._lazy import attach
from keras_jointcomp.models.registry import UnknownModelError, available, load, register

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
    "register",
    "save_model",
]
