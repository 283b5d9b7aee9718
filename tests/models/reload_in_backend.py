"""Run as a script under another KERAS_BACKEND: reload a .keras file, predict, and resume training.

Usage: python reload_in_backend.py MODEL.keras INPUTS.npz OUTPUTS.npz
"""

import sys

import numpy as np


def main(model_path, inputs_path, outputs_path):
    import keras

    from keras_jointcomp import models, training

    model = models.load_model(model_path)
    images = np.load(inputs_path)["images"]
    outputs = {key: keras.ops.convert_to_numpy(value) for key, value in model(images).items()}
    runner = training.PhaseRunner(model, training.TrainingConfig(batch_size=4, verbose=0))
    phase = training.Phase("resume", "joint", tuple(model.parts), epochs=1)
    history = runner.run(phase, (images * 255).astype("uint8"), np.arange(len(images)) % 10)
    np.savez(outputs_path, backend=keras.backend.backend(), loss=history.history["loss"][-1], **outputs)


if __name__ == "__main__":
    main(*sys.argv[1:])
