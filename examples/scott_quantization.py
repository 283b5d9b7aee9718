"""Reproduce Table 1 of Scott's multiple-encoder quantization study: MNIST rows 1-4, CIFAR-10 rows reduced.

    python examples/scott_quantization.py --data-dir ../shared/datasets            # MNIST rows + reduced CIFAR
    python examples/scott_quantization.py --data-dir ../shared/datasets --full     # CIFAR as in the study (GPU)
    python examples/scott_quantization.py --data-dir ../shared/datasets --fast --mnist none  # fast CIFAR (CPU)
    python examples/scott_quantization.py --quick --mnist mnist5k --cifar none     # offline smoke run

MNIST rows (4 fully connected encoders x 4 bits = 16 bits per image, 10 epochs, batch 100, Adam 1e-3):
1 "Simple 1D" (sigmoid, no batch norm, cross-entropy), 2 "Simple ReSigmoid" (batch norm, ReSigmoid x3),
3 "Simple Quantize" (straight-through rounding), 4 "Simple 1D" with batch norm and the rounding-gap loss
(alpha 1). CIFAR-10 rows: colour planes x 8 and x 12 bits (24 and 36 bits per image) with a convolutional
encoder and the rounding-gap loss; the reduced CPU form trains the smaller "conv_c" encoder on part of the
training set for a few epochs, `--full` the study's AlexNet encoder for 100 epochs, and `--fast` half-width
airbench encoders (`multi_encoder_airbench`) on all the training images for 10 epochs with the fast recipe's
schedule, label smoothing and flip-translate, but Adam 2e-3 at batch 256 in place of its SGD 1.5 (which
saturated the soft bits' sigmoids: chance accuracy after 3 epochs).

Each row holds out a tenth of the training images (stratified) and keeps the epoch whose rounded validation
accuracy is best (the study reports its rows at their best epoch, e.g. row 1 at epoch 9 "and then starts to
drop"); then the whole model is fine-tuned for ``--hard-bit-epochs`` on hard bits (straight-through, a tenth
of the learning rate; recipe "joint-hard-bits"), and the rounded test accuracy is measured again.

Writes `results.md` (train, unrounded and rounded test accuracy and the gap, bits per image, rounded accuracy
after the hard-bit fine-tuning, beside the study's numbers), `results.json`, and one histogram PNG of encoder
outputs per row into ``--out-dir``.
"""

import argparse
import contextlib
import json
import os
import sys
import time

import keras
import numpy as np

from keras_jointcomp import data, files, models, training
from keras_jointcomp.evaluation import evaluate, soft_decisions
from keras_jointcomp.models.multi_encoder import num_encoders
from keras_jointcomp.plots import save_bit_histograms
from keras_jointcomp.training import bit_encoders

# Table 1 rows: (training %, unrounded test %, rounded test %); None where the study has no number.
MNIST_ROWS = [
    ("1 Simple 1D", {"batch_norm": False}, 0.0, (98.775, 97.47, 93.66)),
    ("2 Simple ReSigmoid", {"stage": "resigmoid"}, 0.0, (98.6, 97.77, 93.35)),
    ("3 Simple Quantize", {"stage": "straight_through"}, 0.0, (97.46, None, 96.56)),
    ("4 Simple 1D + rounding gap", {}, 1.0, (98.83, 97.81, 94.24)),
]
CIFAR_STUDY = {8: ("16 AlexNetEncode, 24 bits", (99.222, 83.07, 81.04)), 12: ("11 1 Channel Conv, 36 bits",
                                                                              (97.114, 63.87, 53.84))}


CIFAR_FAST = (" (CIFAR: airbench encoders, TrainingConfig.fast() with Adam 2e-3 at batch 256 in place of its "
              "SGD: warmup-linear schedule, label smoothing 0.2, flip-translate)")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--mnist", default="mnist", help="MNIST data set name ('none' to skip)")
    parser.add_argument("--cifar", default="cifar10", help="CIFAR-10 data set name ('none' to skip)")
    parser.add_argument("--out-dir", default="runs/scott_quantization")
    parser.add_argument("--epochs", type=int, default=10, help="MNIST epochs (the study: 10)")
    parser.add_argument("--cifar-epochs", type=int, default=5)
    parser.add_argument("--cifar-train-images", type=int, default=10_000)
    parser.add_argument("--cifar-bits", default="8,12", help="bits per colour plane of the CIFAR rows (8: 24 bits)")
    parser.add_argument("--full", action="store_true", help="CIFAR as in the study: AlexNet encoder, 100 epochs")
    parser.add_argument("--fast", action="store_true",
                        help="CIFAR on airbench encoders, fast schedule with Adam, all training images, 10 epochs")
    parser.add_argument("--quick", action="store_true", help="1 epoch, 2,000 training images per data set")
    parser.add_argument("--hard-bit-epochs", type=int, default=3,
                        help="epochs of end-to-end fine-tuning on hard bits (0: none)")
    parser.add_argument("--seed", type=int, default=1, help="the study set its seed to one")
    args = parser.parse_args(argv)
    args.train_images = None
    if not set(args.cifar_bits.split(",")) <= {"8", "12"}:
        parser.error(f"--cifar-bits takes the study's rows, 8 and/or 12, got {args.cifar_bits}")
    if args.full:
        args.cifar_epochs, args.cifar_train_images = 100, None
    if args.fast:
        args.cifar_train_images = None
        args.cifar_epochs = args.cifar_epochs if "--cifar-epochs" in argv else 10
    if args.quick:
        args.epochs = args.cifar_epochs = 1
        args.train_images = args.cifar_train_images = 2_000
    return args


def run_row(label, model, train, test, epochs, config, args):
    """Train one configuration jointly, keep its best rounded-validation epoch, measure it both ways, then
    fine-tune on hard bits and measure again; returns the row."""
    keras.utils.set_random_seed(args.seed)
    fit_part, validation = data.train_validation_split(*train, validation_fraction=0.1, seed=args.seed)
    runner = training.PhaseRunner(model, config)
    training.adapt_to_data(model, fit_part[0])
    start = time.perf_counter()
    history = bit_encoders.train_on_soft_bits(runner, fit_part, epochs, validation)
    soft_seconds = time.perf_counter() - start
    best_epoch = int(np.argmax(history["val_logits_accuracy"]))
    rounded = evaluate(model, *test)
    with soft_decisions(model):
        unrounded = evaluate(model, *test)
    soft_bits = model.predict(data.batches(test.images[:2000]), verbose=0)["latent"]
    slug = label.split()[0] + "_" + model.name
    save_bit_histograms(soft_bits, num_encoders(model), os.path.join(args.out_dir, f"{slug}.png"), title=label)
    hard_bits = None
    if args.hard_bit_epochs:
        bit_encoders.train_on_hard_bits(runner, fit_part, args.hard_bit_epochs, validation)
        hard_bits = evaluate(model, *test)["accuracy"]
    models.save_model(model, os.path.join(args.out_dir, f"{slug}.keras"), overwrite=True)
    return {
        "row": label,
        "bits_per_image": int(model.latent_shape[0]),
        "best_epoch": best_epoch + 1,
        "train_accuracy": float(history["logits_accuracy"][best_epoch]),
        "unrounded_test_accuracy": unrounded["accuracy"],
        "rounded_test_accuracy": rounded["accuracy"],
        "gap": unrounded["accuracy"] - rounded["accuracy"],
        "hard_bit_test_accuracy": hard_bits,
        "epochs": epochs,
        "soft_bit_train_seconds": soft_seconds,
        "histogram": f"{slug}.png",
        "model_file": f"{slug}.keras",
    }


def _subset(labeled, count):
    return labeled if count is None else data.LabeledImages(labeled.images[:count], labeled.labels[:count])


def mnist_rows(args):
    train, test = (data.load(args.mnist, split, data_dir=args.data_dir) for split in ("train", "test"))
    train = _subset(train, args.train_images)
    rows = []
    for label, overrides, alpha, study in MNIST_ROWS:
        keras.utils.set_random_seed(args.seed)
        model = models.load("multi_encoder_mnist", input_shape=train.images.shape[1:], **overrides)
        config = training.TrainingConfig(batch_size=100, rounding_gap_weight=alpha, seed=args.seed, verbose=2)
        rows.append({**run_row(label, model, train, test, args.epochs, config, args), "study": study})
    return rows


def cifar_rows(args):
    train, test = (data.load(args.cifar, split, data_dir=args.data_dir) for split in ("train", "test"))
    order = np.random.default_rng(args.seed).permutation(len(train.images))  # image folders come class-sorted
    train = _subset(data.LabeledImages(train.images[order], train.labels[order]), args.cifar_train_images)
    name, encoder, width = ("multi_encoder_cifar10", "alexnet", 1.0) if args.full else \
        ("multi_encoder_airbench", "airbench", 0.5) if args.fast else ("multi_encoder_cifar10", "conv_c", 0.5)
    # The soft bits' sigmoid saturates under the fast recipe's SGD 1.5 (its batch norm's offset learns at 64x):
    # measured at chance after 3 epochs. The encoders keep the recipe's schedule, smoothing and augmentation
    # with Adam.
    fast = {"optimizer": "adam", "learning_rate": 2e-3, "bias_learning_rate_scale": 1.0, "weight_averaging": 0,
            "batch_size": 256}
    config = training.TrainingConfig.fast(**fast, rounding_gap_weight=1.0, seed=args.seed, verbose=2) if args.fast \
        else training.TrainingConfig(batch_size=100, rounding_gap_weight=1.0, seed=args.seed, verbose=2)
    rows = []
    for bits in (int(value) for value in args.cifar_bits.split(",")):
        keras.utils.set_random_seed(args.seed)
        model = models.load(name, bits=bits, encoder=encoder, width=width)
        label = f"CIFAR-10 colour planes x {bits} bits ({encoder})"
        row = run_row(label, model, train, test, args.cifar_epochs, config, args)
        study_label, study = CIFAR_STUDY[bits]
        rows.append({**row, "study": study, "study_row": study_label})
    return rows


def _percent(value):
    return "" if value is None else f"{100 * value:.2f}"


def markdown(rows, args):
    lines = [
        f"Command: `python examples/scott_quantization.py {' '.join(args.argv)}`  ",
        f"Backend: {keras.backend.backend()}; MNIST {args.epochs} epochs, CIFAR-10 {args.cifar_epochs} epochs on "
        f"{args.cifar_train_images or 'all'} training images (a tenth held out for validation); batch 100, "
        f"Adam 1e-3{CIFAR_FAST if args.fast else ''}, seed {args.seed}; best rounded-validation epoch; then "
        f"{args.hard_bit_epochs} epochs of end-to-end fine-tuning on hard bits (straight-through, a tenth of the "
        "learning rate).  ",
        "Soft-bit training wall time (s): " + ", ".join(f"{row['row'].split(' (')[0]} "
                                                        f"{row['soft_bit_train_seconds']:.0f}" for row in rows),
        "",
        "| row | bits/image | best epoch | train % | unrounded test % | rounded test % | gap (points) "
        "| rounded after hard-bit fine-tuning % | study train % | study unrounded % | study rounded % |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        study = [("" if value is None else f"{value:.2f}") for value in row["study"]]
        name = row["row"] + (f" (study: {row['study_row']})" if "study_row" in row else "")
        lines.append(f"| {name} | {row['bits_per_image']} | {row['best_epoch']} | {_percent(row['train_accuracy'])} "
                     f"| {_percent(row['unrounded_test_accuracy'])} | {_percent(row['rounded_test_accuracy'])} "
                     f"| {100 * row['gap']:.2f} | {_percent(row['hard_bit_test_accuracy'])} "
                     f"| {' | '.join(study)} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    args.argv = argv
    os.makedirs(args.out_dir, exist_ok=True)
    rows = []
    with contextlib.redirect_stdout(sys.stderr):
        if args.mnist != "none":
            rows += mnist_rows(args)
        if args.cifar != "none":
            rows += cifar_rows(args)
    files.write_text(os.path.join(args.out_dir, "results.md"), markdown(rows, args))
    files.write_text(os.path.join(args.out_dir, "results.json"), json.dumps(rows, indent=2))
    print(json.dumps(rows))
    return rows


if __name__ == "__main__":
    main()
