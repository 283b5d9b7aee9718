"""Saving and loading `.keras` files with clear errors and no silent overwrites.

A `.keras` file saved under any backend reloads under the others (the package must be imported first so
its custom objects are registered, which importing this module does). Files saved under torch name a torch
optimizer in their compile config, so `load_model` loads without compiling by default: compile again to
resume training.
"""

import os
import zipfile

import keras


class ModelFileError(ValueError):
    """A model file that is missing, not a `.keras` file, corrupt, or in the way of a save."""


def save_model(model, path, overwrite=False):
    """Save ``model`` to a `.keras` file; an existing file is replaced only with ``overwrite=True``."""
    path = os.fspath(path)
    if not path.endswith(".keras"):
        raise ModelFileError(f"Model files must end in .keras, got {path!r}.")
    if os.path.exists(path) and not overwrite:
        raise ModelFileError(f"{path} already exists; pass overwrite=True (CLI: --overwrite) to replace it.")
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    model.save(path)
    return path


def load_model(path, compile=False):
    """Load a `.keras` file, raising `ModelFileError` with a one-line reason when it cannot be read."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ModelFileError(f"Model file not found: {path}")
    if not path.endswith(".keras") or not zipfile.is_zipfile(path):
        raise ModelFileError(f"{path} is not a .keras model file (a zip archive ending in .keras).")
    try:
        return keras.saving.load_model(path, compile=compile)
    except Exception as error:  # Keras raises many types for damaged archives; report them as one.
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelFileError(f"Cannot load model file {path}: {reason}") from error
