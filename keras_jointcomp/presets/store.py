"""Reading, checking and writing preset folders (see `keras_jointcomp.presets`)."""

import hashlib
import json
import os

import numpy as np

from keras_jointcomp import files

SHIPPED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shipped")
CONFIG, WEIGHTS, METADATA = "config.json", "model.weights.h5", "metadata.json"
CHECKED_FILES = (CONFIG, WEIGHTS)
PROBE_IMAGES = 4


class PresetError(ValueError):
    """A preset that is unknown, incomplete, damaged or altered, or that belongs to another model."""


def available():
    """Every shipped preset as ``{"model/weights": metadata}``, sorted; reads only the metadata files (no
    Keras)."""
    found = {}
    if os.path.isdir(SHIPPED):
        for model in sorted(os.listdir(SHIPPED)):
            folder = os.path.join(SHIPPED, model)
            for weights in sorted(os.listdir(folder)) if os.path.isdir(folder) else ():
                path = os.path.join(folder, weights, METADATA)
                if os.path.isfile(path):
                    found[f"{model}/{weights}"] = _read_metadata(os.path.dirname(path))
    return found


def describe(metadata):
    """One line on a preset: its description, data set and measured test numbers."""
    test = metadata.get("test", {})
    numbers = []
    if test.get("accuracy") is not None:
        numbers.append(f"accuracy {100 * test['accuracy']:.2f} %")
    if test.get("psnr_db") is not None:
        numbers.append(f"PSNR {test['psnr_db']:.2f} dB")
    if test.get("stream_bytes_per_image") is not None:
        numbers.append(f"{test['stream_bytes_per_image']:.1f} bytes/image")
    elif test.get("bytes_per_image") is not None:
        numbers.append(f"{test['bytes_per_image']:.0f} bytes/image (fixed length)")
    return f"{metadata.get('description', '')} [{metadata.get('dataset')}: {', '.join(numbers)}]"


def preset_folder(model, weights):
    """The folder of preset ``weights`` of zoo model ``model``: a shipped one by name, or a folder path; an
    unknown name is one line listing the known ones."""
    weights = os.fspath(weights)
    if os.path.isdir(weights):
        return weights
    folder = os.path.join(SHIPPED, model, weights)
    if os.sep in weights or "/" in weights or not os.path.isfile(os.path.join(folder, METADATA)):
        shipped = list(available())
        listing = ", ".join(name.split("/", 1)[1] for name in shipped if name.startswith(f"{model}/")) or "none"
        everything = ", ".join(shipped) or "none"
        raise PresetError(f"unknown preset {weights!r} for {model} (its presets: {listing}; all presets: "
                          f"{everything}); or give a folder of config.json, model.weights.h5 and metadata.json")
    return folder


def load(model, weights):
    """The trained model of preset ``weights`` (a shipped name or a folder) of zoo model ``model``, every file
    checked against the sha256 in its metadata first."""
    folder = preset_folder(model, weights)
    metadata = _read_metadata(folder)
    if metadata.get("model") != model:
        raise PresetError(f"preset {folder} holds a {metadata.get('model')!r} model, not {model!r}")
    for name in CHECKED_FILES:
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            raise PresetError(f"preset {folder} has no {name}")
        expected = metadata.get("sha256", {}).get(name)
        if expected != _sha256(path):
            raise PresetError(f"preset {folder}: {name} does not match its sha256 in metadata.json (damaged or "
                              f"altered); reinstall the package or fetch the preset again")
    import keras

    from keras_jointcomp.models.saving import register_custom_objects

    register_custom_objects()
    with open(os.path.join(folder, CONFIG)) as file:
        built = keras.saving.deserialize_keras_object(json.load(file))
    built.load_weights(os.path.join(folder, WEIGHTS))
    return built


def save(model, folder, metadata, overwrite=False):
    """Write ``model`` as a preset folder with ``metadata`` (its data set, recipe, command, test numbers...);
    the zoo name, parameter count, probe outputs and checksums are added here. An existing folder is
    replaced only with ``overwrite=True``, and only once the new one is complete."""
    import keras

    folder = os.fspath(folder)
    if os.path.exists(folder) and not overwrite:
        raise PresetError(f"{folder} already exists; pass overwrite=True (CLI: --overwrite) to replace it")
    zoo = getattr(model, "zoo", None)
    if not zoo:
        raise PresetError("a preset needs a model built by keras_jointcomp.models.load (it records the zoo name "
                          "and builder arguments)")
    with files.atomic_directory(folder) as temporary:
        with open(os.path.join(temporary, CONFIG), "w") as file:
            json.dump(keras.saving.serialize_keras_object(model), file)
        model.save_weights(os.path.join(temporary, WEIGHTS))
        complete = {**metadata, "model": zoo["name"], "builder_arguments": zoo["arguments"],
                    "parameters": int(model.count_params()), "backend": keras.backend.backend(),
                    "keras_version": keras.__version__, "probe": _listed(probe_outputs(model)),
                    "sha256": {name: _sha256(os.path.join(temporary, name)) for name in CHECKED_FILES}}
        with open(os.path.join(temporary, METADATA), "w") as file:
            json.dump(complete, file, indent=2)
    return folder


def probe_images(shape):
    """The fixed uint8 images whose outputs a preset records: seeded noise of the model's input shape."""
    return np.random.default_rng(20261202).integers(0, 256, (PROBE_IMAGES, *shape), dtype=np.uint8)


def probe_outputs(model):
    """``model``'s inference outputs on `probe_images`, as float64 numpy arrays by output name."""
    import keras

    outputs = model(probe_images(model.input_shape[1:]), training=False)
    return {name: np.asarray(keras.ops.convert_to_numpy(value), "float64") for name, value in outputs.items()}


def _listed(outputs):
    return {name: value.tolist() for name, value in outputs.items()}


def _read_metadata(folder):
    path = os.path.join(folder, METADATA)
    try:
        with open(path) as file:
            return json.load(file)
    except FileNotFoundError:
        raise PresetError(f"{folder} is not a preset: it has no {METADATA}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PresetError(f"preset {folder}: {METADATA} is not valid JSON ({error})") from None


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
