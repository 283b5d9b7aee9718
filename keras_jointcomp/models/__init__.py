"""Joint models: the core `JointModel`, the zoo registry, saving, and one module per model family."""

from keras_jointcomp.models.joint import FEATURES, LATENT, LOGITS, PART_NAMES, RECONSTRUCTION, JointModel
from keras_jointcomp.models.registry import UnknownModelError, available, load, register
from keras_jointcomp.models.saving import ModelFileError, load_model, save_model

# Families register themselves on import.
from keras_jointcomp.models import atl_lenet, cifar_autoencoders, faces_conv_ae, ldr_resnet, multi_encoder  # noqa: F401  (isort: skip)

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
