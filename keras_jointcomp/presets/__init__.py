"""Presets: trained models that ship inside the package and load offline on every backend.

A preset is a folder of keras-hub's file names plus our metadata:

    config.json         the model's Keras config (architecture, quantizer, entropy tables' settings)
    model.weights.h5    its weights
    metadata.json       zoo name, weights name, description, data set, the command and commit that trained
                        it, its measured test numbers, parameter count, the sha256 of every other file, and
                        probe outputs (a fixed input's outputs on the backend that made it)

Shipped presets live in ``keras_jointcomp/presets/shipped/<model>/<weights>/``; any other folder of the
same files is a preset too, so users share their own (``jointcomp train ... --save-preset DIR``):

    m = keras_jointcomp.models.load("atl_lenet", weights="mnist")        # shipped
    m = keras_jointcomp.models.load("atl_lenet", weights="path/to/dir")  # a folder of the same files

Every file is checked against its sha256 before Keras reads it: a damaged or altered preset is a one-line
`PresetError`, never a model with wrong weights.
"""

from keras_jointcomp.presets.store import (
    METADATA,
    PresetError,
    available,
    describe,
    load,
    preset_folder,
    probe_images,
    probe_outputs,
    save,
)

__all__ = ["METADATA", "PresetError", "available", "describe", "load", "preset_folder", "probe_images",
           "probe_outputs", "save"]
