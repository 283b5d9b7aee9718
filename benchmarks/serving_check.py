"""Export a trained model for TF Serving and measure how far each endpoint, called from TensorFlow alone,
is from the Keras model on real test images.

    python benchmarks/serving_check.py runs/rd/cd_mnist.keras --dataset mnist --data-dir ../shared/datasets

Exports with ``jointcomp export`` into a temporary folder, computes the Keras outputs in this process (any
backend), calls every signature in a separate process that imports only TensorFlow and NumPy
(examples/serve_with_tensorflow.py), and prints one JSON object: per output, the largest absolute
difference (integer latents: the number of differing symbols).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import keras
import numpy as np
from keras import ops

from keras_jointcomp import data, models
from keras_jointcomp.cli import main as jointcomp

CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "serve_with_tensorflow.py")


def keras_outputs(model, images):
    latent = ops.convert_to_numpy(model.encode(images))
    outputs = {"encode.latent": latent, "serving_default.latent": latent}
    if model.decoder is not None:
        outputs["decode.reconstruction"] = ops.convert_to_numpy(model.decode(latent))
    if model.classifier is not None:
        outputs["classify.logits"] = ops.convert_to_numpy(model.classify(latent))
    outputs.update({f"serving_default.{key}": ops.convert_to_numpy(value)
                    for key, value in model(images, training=False).items()})
    return outputs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_file")
    parser.add_argument("--dataset", default=data.OFFLINE_DEFAULT)
    parser.add_argument("--data-dir")
    parser.add_argument("--count", type=int, default=512)
    args = parser.parse_args(argv)
    model = models.load_model(args.model_file)
    images = data.to_float(data.load(args.dataset, "test", data_dir=args.data_dir).images[:args.count])
    expected = keras_outputs(model, images)
    with tempfile.TemporaryDirectory() as folder:
        saved_model = os.path.join(folder, "saved_model")
        if jointcomp(["export", args.model_file, saved_model]) != 0:
            raise SystemExit("export failed")
        np.savez(os.path.join(folder, "inputs.npz"), images=images, latent=expected["encode.latent"])
        subprocess.run([sys.executable, CLIENT, saved_model, os.path.join(folder, "inputs.npz"),
                        os.path.join(folder, "outputs.npz")], check=True)
        with np.load(os.path.join(folder, "outputs.npz")) as served:
            report = {key: (int(np.sum(served[key] != value)) if value.dtype.kind == "i"
                            else float(np.max(np.abs(served[key] - value)))) for key, value in expected.items()}
    print(json.dumps({"model_file": args.model_file, "backend": keras.backend.backend(), "images": len(images),
                      "max_abs_difference": report}, indent=2))


if __name__ == "__main__":
    main()
