"""Run as a script that imports only TensorFlow and NumPy: call every signature of a SavedModel.

Usage: python serve_with_tensorflow.py SAVED_MODEL_DIR INPUTS.npz OUTPUTS.npz

Each signature gets the input of its name from INPUTS.npz ("images" or "latent"). OUTPUTS.npz holds one
array per output, named "<signature>.<output>", and "signatures", the sorted signature names. This is what
a TF Serving client sees: no keras_jointcomp, no custom Keras objects.
"""

import sys

import numpy as np
import tensorflow as tf


def main(saved_model_dir, inputs_path, outputs_path):
    inputs = np.load(inputs_path)
    signatures = tf.saved_model.load(saved_model_dir).signatures
    outputs = {}
    for name, function in signatures.items():
        _, input_specs = function.structured_input_signature
        results = function(**{key: tf.constant(inputs[key]) for key in input_specs})
        outputs.update({f"{name}.{key}": value.numpy() for key, value in results.items()})
    np.savez(outputs_path, signatures=np.array(sorted(signatures)), **outputs)
    assert "keras_jointcomp" not in sys.modules, "serving must not need keras_jointcomp"


if __name__ == "__main__":
    main(*sys.argv[1:])
