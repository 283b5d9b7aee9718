"""Saving and loading `.keras` files with clear errors, no silent overwrites and no half-written files.

A `.keras` file saved under any backend reloads under the others. `load_model` imports the package's custom
objects first (Keras can only rebuild registered classes); to use `keras.saving.load_model` directly, call
`register_custom_objects()` once. Files are saved without optimizer state: they hold a trained model, and
resumable training keeps its own checkpoints (`keras_jointcomp.training.checkpoint`). `load_model` loads
without compiling by default: compile again to train.
"""

import contextlib
import importlib
import os
import re
import warnings
import zipfile

import keras

from keras_jointcomp import files

# The modules that define the package's serializable classes.
_CUSTOM_OBJECT_MODULES = ("keras_jointcomp.layers", "keras_jointcomp.losses", "keras_jointcomp.codec",
                          "keras_jointcomp.initializers", "keras_jointcomp.models.airbench",
                          "keras_jointcomp.models.atl_lenet", "keras_jointcomp.models.cifar_autoencoders",
                          "keras_jointcomp.models.faces_conv_ae", "keras_jointcomp.models.ldr_resnet",
                          "keras_jointcomp.models.multi_encoder", "keras_jointcomp.rate")


class ModelFileError(ValueError):
    """A model file that is missing, not a `.keras` file, corrupt, or in the way of a save."""


def register_custom_objects():
    """Import every module that registers a custom Keras object of the package."""
    for module in _CUSTOM_OBJECT_MODULES:
        importlib.import_module(module)


def check_model_path(path, overwrite=False):
    """Raise a one-line error unless a model can be saved at ``path``: a `.keras` name, not in the way of an
    existing file (unless ``overwrite``), in a writable folder."""
    path = os.fspath(path)
    if not path.endswith(".keras"):
        raise ModelFileError(f"model files must end in .keras, got {path!r}")
    if os.path.exists(path) and not overwrite:
        raise ModelFileError(f"{path} already exists; pass overwrite=True (CLI: --overwrite) to replace it")
    if os.path.isdir(path):
        raise ModelFileError(f"{path} is a folder; give a file name ending in .keras")
    files.check_writable(path)
    return path


def save_model(model, path, overwrite=False):
    """Save ``model`` to a `.keras` file; an existing file is replaced only with ``overwrite=True``, and only
    once the new file is complete."""
    path = check_model_path(path, overwrite)
    with files.atomic_path(path) as temporary, _optimizer_left_out(model):
        model.save(temporary)
    return path


@contextlib.contextmanager
def _optimizer_left_out(model):
    """Within the block ``model`` and every model inside it (a head compiled for a training phase) look
    uncompiled, so the file holds no optimizer state: a trained model's file has no use for it, and leaving
    it out spares every later load a warning about unmatched optimizer variables. Each is compiled again,
    as it was, on exit."""
    compiled = [layer for layer in [model, *model._flatten_layers(include_self=False)]
                if isinstance(layer, keras.Model) and getattr(layer, "optimizer", None) is not None]
    saved = [(layer, layer.optimizer, layer.compiled, getattr(layer, "_compile_config", None)) for layer in compiled]
    for layer in compiled:
        layer.optimizer, layer.compiled, layer._compile_config = None, False, None
    try:
        yield
    finally:
        for layer, optimizer, was_compiled, compile_config in saved:
            layer.optimizer, layer.compiled, layer._compile_config = optimizer, was_compiled, compile_config


def load_model(path, compile=False):
    """Load a `.keras` file, raising `ModelFileError` with a one-line reason when it cannot be read."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ModelFileError(f"model file not found: {path}")
    if not path.endswith(".keras") or not zipfile.is_zipfile(path):
        raise ModelFileError(f"{path} is not a .keras model file (a zip archive ending in .keras)")
    register_custom_objects()
    try:
        with warnings.catch_warnings():
            # Files saved by older versions hold optimizer state, which an uncompiled load skips with a warning.
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            return keras.saving.load_model(path, compile=compile)
    except Exception as error:  # Keras raises many types for damaged archives; report them as one.
        raise ModelFileError(f"cannot load model file {path}: {_reason(error)}") from error


def _reason(error):
    """Why Keras could not load a file, in a short line: its message's first sentence, or for a class it
    cannot find (Keras then appends the whole model config), the class's name."""
    text = " ".join(str(error).split()) or type(error).__name__
    missing = re.search(r"Could not locate (?:class|function) '([^']+)'", text)
    if missing:
        return (f"it needs {missing.group(1)!r}, which neither Keras nor keras_jointcomp defines (a file saved "
                f"with other code, or by a newer keras_jointcomp)")
    return text if len(text) <= 160 else text[:157] + "..."
