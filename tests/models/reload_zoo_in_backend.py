"""Run as a script under another KERAS_BACKEND: reload every ``<name>.keras`` of a folder, call it on
``<name>.npz``'s images and write its outputs to ``<name>.out.npz``.

Usage: python reload_zoo_in_backend.py FOLDER
"""

import os
import sys

import numpy as np


def main(folder):
    import keras

    from keras_jointcomp import models

    for file in sorted(os.listdir(folder)):
        if file.endswith(".keras"):
            name = file[: -len(".keras")]
            model = models.load_model(os.path.join(folder, file))
            images = np.load(os.path.join(folder, f"{name}.npz"))["images"]
            outputs = {key: keras.ops.convert_to_numpy(value) for key, value in model(images).items()}
            np.savez(os.path.join(folder, f"{name}.out.npz"), backend=keras.backend.backend(), **outputs)


if __name__ == "__main__":
    main(*sys.argv[1:])
