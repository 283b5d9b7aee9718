"""A TensorFlow SavedModel of a `JointModel` with one signature per stage of the data path, for TF Serving.

    images --encode--> latent --decode----> reconstruction
                              +--classify--> logits

Signatures, with the names of their inputs and outputs (what TF Serving clients and ``saved_model_cli``
see; ``N`` is any batch size, ``latent_shape`` the model's ``latent_shape``):

    encode           images  float32 (N, H, W, C) in [0, 1]  ->  latent          (N, *latent_shape)
    decode           latent  (N, *latent_shape)              ->  reconstruction  float32 (N, H, W, C)
    classify         latent  (N, *latent_shape)              ->  logits          float32 (N, num_classes)
    serving_default  images  float32 (N, H, W, C)            ->  latent, reconstruction, logits

Image dtype: the image endpoints (``encode``, ``serving_default``) take float32 images in [0, 1], the float
form of the package's image contract (`keras_jointcomp.data.checks`): a client holding uint8 images 0..255,
as `data.load` returns them, sends ``images / 255`` (`data.to_float`) and gets exactly what
``model.encode(uint8 images)`` and ``model(uint8 images)`` return in Keras. The signatures stay float32 so
that existing clients keep working; a traced endpoint cannot check values, so 0..255 floats must not be sent.

The latent is int32 symbols when the model has a quantizer (what a device sends) and the float32 latent
when it has none. ``decode`` exists only when the model has a decoder, ``classify`` only when it has a
classifier. ``serving_default`` outputs the heads the model itself outputs: a model whose classifier reads
decoded images has ``decode`` but no "reconstruction" there, as in its own call. ``serving_default``'s
"latent" is the same symbols ``encode`` returns, not the float latent before quantization that a
JointModel built with ``expose_latent=True`` outputs under that name; training-only outputs ("features")
are never exported.

Writing needs the TensorFlow backend (`keras.export.ExportArchive` traces the endpoints as `tf.function`s);
``jointcomp export`` runs itself under TensorFlow when started under another backend.
"""

import os

import keras
from keras import ops

from keras_jointcomp import files
from keras_jointcomp.models.joint import LATENT, LOGITS, RECONSTRUCTION, JointModel

IMAGES = "images"
ENCODE, DECODE, CLASSIFY, SERVING_DEFAULT = "encode", "decode", "classify", "serving_default"


class ExportError(ValueError):
    """A model or an output folder that cannot be exported to, or a backend that cannot export."""


def export_saved_model(model, out_dir, overwrite=False):
    """Write ``model`` as a SavedModel in ``out_dir`` with the signatures in the module docstring.

    An existing ``out_dir`` is replaced only with ``overwrite=True``, and only if it holds a SavedModel
    (or nothing). Returns the signatures as ``{name: {"inputs": {...}, "outputs": {...}}}``, each tensor
    given as ``{"dtype": ..., "shape": [...]}`` with ``None`` for the batch axis.
    """
    if keras.backend.backend() != "tensorflow":
        raise ExportError(f"SavedModel export needs the TensorFlow backend (KERAS_BACKEND=tensorflow); this "
                          f"process runs {keras.backend.backend()}. `jointcomp export` switches by itself.")
    if not isinstance(model, JointModel):
        raise ExportError(f"Only a JointModel can be exported, got {type(model).__name__}.")
    out_dir = os.fspath(out_dir)
    check_out_dir(out_dir, overwrite)
    archive = keras.export.ExportArchive()
    archive.track(model)
    functions = {name: archive.add_endpoint(name, fn, [spec]) for name, fn, spec in _endpoints(model)}
    with files.atomic_directory(out_dir) as folder:  # an older export is replaced only once this one is whole
        os.rmdir(folder)  # write_out creates the folder itself
        archive.write_out(folder, verbose=False)
    return {name: _describe(function) for name, function in functions.items()}


def check_out_dir(out_dir, overwrite=False):
    """Refuse an existing ``out_dir`` without ``overwrite``, and one that is not a SavedModel folder at all
    (so that a mistyped path never deletes unrelated files)."""
    out_dir = os.fspath(out_dir)
    if not os.path.exists(out_dir):
        return
    if not overwrite:
        raise ExportError(f"{out_dir} already exists; pass overwrite=True (CLI: --overwrite) to replace it.")
    replaceable = os.path.isdir(out_dir) and (
        not os.listdir(out_dir) or os.path.exists(os.path.join(out_dir, "saved_model.pb")))
    if not replaceable:
        raise ExportError(f"{out_dir} exists and is not a SavedModel folder; refusing to replace it.")


def _endpoints(model):
    """(name, function, input spec) of each signature the model supports, with dict outputs for stable names.
    Images are float32 in [0, 1] (see the module docstring); `JointModel.encode` passes them through."""
    image_spec = keras.InputSpec(shape=(None, *model.input_shape[1:]), dtype="float32", name=IMAGES)
    latent_dtype = "float32" if model.quantizer is None else "int32"
    latent_spec = keras.InputSpec(shape=(None, *model.latent_shape), dtype=latent_dtype, name=LATENT)

    def encode(images):
        return {LATENT: _encode(model, images)}

    def decode(latent):
        return {RECONSTRUCTION: _float32(model.decode(latent))}

    def classify(latent):
        return {LOGITS: _float32(model.classify(latent))}

    def serving_default(images):
        latent = _encode(model, images)
        outputs = {LATENT: latent}
        if RECONSTRUCTION in model.output_keys:
            outputs.update(decode(latent))
        if model.classifier is not None:
            outputs.update(classify(latent))
        return outputs

    endpoints = [(ENCODE, encode, image_spec)]
    if model.decoder is not None:
        endpoints.append((DECODE, decode, latent_spec))
    if model.classifier is not None:
        endpoints.append((CLASSIFY, classify, latent_spec))
    endpoints.append((SERVING_DEFAULT, serving_default, image_spec))
    return endpoints


def _encode(model, images):
    latent = model.encode(images)
    return latent if model.quantizer is not None else _float32(latent)


def _float32(x):
    return ops.cast(x, "float32")


def _describe(function):
    """Input and output specs of a traced endpoint, as JSON-ready dicts."""
    concrete = function.get_concrete_function()
    args, _ = concrete.structured_input_signature
    inputs = {spec.name: _spec(spec) for spec in args}
    outputs = {name: _spec(tensor) for name, tensor in concrete.structured_outputs.items()}
    return {"inputs": inputs, "outputs": outputs}


def _spec(tensor):
    return {"dtype": tensor.dtype.name, "shape": tensor.shape.as_list()}
