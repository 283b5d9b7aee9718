"""The fast CIFAR recipe measured: training images/s of the airbench backbone per backend and width, and an
ablation that switches each trick off in turn.

    python benchmarks/fast_cifar.py speed                                        # writes "fast-cifar-speed"
    python benchmarks/fast_cifar.py ablation --data-dir ../shared/datasets       # writes "fast-cifar-ablation"

speed: one subprocess per backend (TensorFlow, JAX, PyTorch) trains `ldr_airbench` by cross-entropy on random
32x32 images at airbench93's widths (64-128-128) and airbench94's (64-256-256), batch 512, and reports
images/s over the second of two epochs. Run alone on the machine.

ablation: `ldr_airbench` trained by "ce-t" on CIFAR-10 with `TrainingConfig.fast()` for ``--epochs`` epochs,
then once more per trick with that trick off (whitening, identity initialisation, Nesterov SGD and its
batch-norm offset scale -> Adam 1e-3, schedule, offset scale, lookahead, label smoothing, flip-translate);
test accuracy of each.
"""

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

BACKENDS = ("tensorflow", "jax", "torch")
WIDTHS = {"airbench93": (64, 128, 128), "airbench94": (64, 256, 256)}
ABLATIONS = {
    "all tricks (TrainingConfig.fast())": ({}, {}),
    "no patch whitening (trainable 2x2 conv)": ({"whitening": False}, {}),
    "no identity initialisation": ({"identity_init": False}, {}),
    "Adam 1e-3 instead of Nesterov SGD": ({}, {"optimizer": "adam", "learning_rate": 1e-3,
                                                "bias_learning_rate_scale": 1.0, "weight_averaging": 0}),
    "constant learning rate": ({}, {"learning_rate_schedule": "constant"}),
    "batch-norm offsets at the base rate": ({}, {"bias_learning_rate_scale": 1.0}),
    "no lookahead": ({}, {"weight_averaging": 0}),
    "no label smoothing": ({}, {"label_smoothing": 0.0}),
    "no flip-translate": ({}, {"augmentation": None}),
}


def speed_one(widths, batch=512, batches=6):
    """Images/s of one training epoch of ``batches`` batches (after one warm-up epoch), this backend."""
    import keras
    import numpy as np

    from keras_jointcomp import models, training
    from keras_jointcomp.training.phases import Phase, PhaseRunner

    keras.utils.set_random_seed(0)
    model = models.load("ldr_airbench", widths=widths)
    images = np.random.default_rng(0).integers(0, 256, (batch * batches, 32, 32, 3), dtype=np.uint8)
    labels = np.arange(len(images)) % 10
    training.adapt_to_data(model, images)
    runner = PhaseRunner(model, training.TrainingConfig.fast(batch_size=batch, verbose=0, augmentation=None))
    phase = Phase("speed", "classifier", ("encoder", "classifier"), epochs=1)
    runner.run(phase, images[: 2 * batch], labels[: 2 * batch])
    start = time.perf_counter()
    runner.run(phase, images, labels)
    return len(images) / (time.perf_counter() - start)


def speed(args):
    rows = []
    for backend in BACKENDS:
        for name, widths in WIDTHS.items():
            code = f"import sys; sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r}); " \
                   f"import fast_cifar; print(fast_cifar.speed_one({widths!r}))"
            env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
            result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
            if result.returncode:
                raise RuntimeError(f"{backend}: {result.stderr[-2000:]}")
            rows.append((backend, name, float(result.stdout.strip().splitlines()[-1])))
            print(rows[-1], file=sys.stderr)
    lines = ["## Fast CIFAR: airbench backbone training speed per backend", "",
             "Command: `python benchmarks/fast_cifar.py speed` (ldr_airbench trained by cross-entropy with "
             "TrainingConfig.fast() on random 32x32 images, batch 512, images/s over one epoch of 3,072 images "
             "after a warm-up epoch; run alone on the machine).", "",
             "| backend | " + " | ".join(f"{name} {'-'.join(map(str, widths))} img/s" for name, widths in WIDTHS.items())
             + " |", "|---|" + "---|" * len(WIDTHS)]
    for backend in BACKENDS:
        lines.append(f"| {backend} | " + " | ".join(f"{value:.0f}" for b, _, value in rows if b == backend) + " |")
    report.write_section("fast-cifar-speed", "\n".join(lines))


def ablation(args):
    import keras

    from keras_jointcomp import data, models, training
    from keras_jointcomp.evaluation import evaluate

    train = data.load("cifar10", "train", data_dir=args.data_dir)
    test = data.load("cifar10", "test", data_dir=args.data_dir)
    rows = []
    for label, (model_changes, config_changes) in ABLATIONS.items():
        keras.utils.set_random_seed(args.seed)
        model = models.load("ldr_airbench", **model_changes)
        config = training.TrainingConfig.fast(seed=args.seed, verbose=0, **config_changes)
        start = time.perf_counter()
        training.train("ce-t", model, (train.images, train.labels), args.epochs, config)
        seconds = time.perf_counter() - start
        rows.append((label, evaluate(model, *test)["accuracy"], seconds))
        print(json.dumps(rows[-1]), file=sys.stderr)
    lines = ["## Fast CIFAR: what each trick buys (ablation)", "",
             f"Command: `python benchmarks/fast_cifar.py ablation --epochs {args.epochs}` (ldr_airbench by "
             f"ce-t on all 50,000 CIFAR-10 training images, {args.epochs} epochs, seed {args.seed}, TensorFlow; "
             "test accuracy on the 10,000 test images, no test-time augmentation).", "",
             "| setting | test accuracy % | change (points) | wall time s |", "|---|---|---|---|"]
    reference = rows[0][1]
    for label, accuracy, seconds in rows:
        lines.append(f"| {label} | {100 * accuracy:.2f} | {100 * (accuracy - reference):+.2f} | {seconds:.0f} |")
    report.write_section("fast-cifar-ablation", "\n".join(lines))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("speed", "ablation"))
    parser.add_argument("--data-dir")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    {"speed": speed, "ablation": ablation}[args.what](args)


if __name__ == "__main__":
    main()
