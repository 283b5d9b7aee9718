"""Steps shared by the tuning scripts (``tuning/screen_latent.py``, ``tuning/search.py``): flags, data splits,
the search itself, the best model's file, and the results files."""

import json
import os

import keras
import numpy as np

from keras_jointcomp import data, files
from keras_jointcomp.models.saving import save_model
from keras_jointcomp.training.phases import TrainingConfig
from keras_jointcomp.tuning.tuners import TUNERS, best_joint_model, make_tuner

MODEL_FILE = "best_model.keras"
TUNER_PROJECT = "tuner"


def add_common_arguments(parser, out_dir, tuner="random"):
    """The flags both scripts take."""
    parser.add_argument("--model", default="ldr_resnet_small", help="zoo model name (default %(default)s)")
    parser.add_argument("--dataset", default="cifar10", help="data set name (default %(default)s)")
    parser.add_argument("--data-dir", help="folder holding <dataset>.npz or <dataset>/{train,test}/<class>/")
    parser.add_argument("--train-images", type=int,
                        help="use N training images drawn at random (before the validation split)")
    parser.add_argument("--validation-fraction", type=float, default=0.1,
                        help="fraction of each class held out of the training set for validation")
    parser.add_argument("--test-images", type=int,
                        help="evaluate each trial's best model on N random test images (default all; 0: none)")
    parser.add_argument("--epochs", type=int, default=5, help="epochs per trial (Hyperband: at most)")
    parser.add_argument("--tuner", choices=TUNERS, default=tuner, help="keras-tuner tuner (default %(default)s)")
    parser.add_argument("--batch-size", type=int, default=128, help="batch size unless tuned")
    parser.add_argument("--learning-rate", type=float, default=1e-3, help="Adam learning rate unless tuned")
    parser.add_argument("--model-kwargs", type=json.loads, default={},
                        help='fixed builder kwargs as JSON, e.g. \'{"width": 0.125}\'')
    parser.add_argument("--out-dir", default=out_dir,
                        help="results, best model and the tuner's trials (OUT/tuner) go here")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--overwrite", action="store_true",
                        help="start the tuner project afresh and replace OUT/best_model.keras")


def model_path(args):
    """OUT/best_model.keras; exits with a message when it exists and --overwrite was not given, before any
    training."""
    path = os.path.join(args.out_dir, MODEL_FILE)
    if os.path.exists(path) and not args.overwrite:
        raise SystemExit(f"{path} already exists; pass --overwrite to replace it (and rerun the search).")
    return path


def load_splits(args):
    """(train, validation, test) as (images, labels) pairs, and the number of classes; test is None with
    --test-images 0. --train-images and --test-images draw seeded random subsets (image folders load
    class-sorted, so the first N would be a few classes)."""
    train = data.load(args.dataset, "train", data_dir=args.data_dir)
    num_classes = int(train.labels.max()) + 1
    images, labels = subset(train, args.train_images, args.seed)
    train, validation = data.train_validation_split(images, labels, args.validation_fraction, seed=args.seed)
    test = None
    if args.test_images != 0:
        test = subset(data.load(args.dataset, "test", data_dir=args.data_dir), args.test_images, args.seed + 1)
    return train, validation, test, num_classes


def subset(labeled, count, seed):
    """``count`` (images, labels) drawn at random (seeded) in their original order; all of them for None."""
    images, labels = labeled
    if count is None or count >= len(images):
        return images, labels
    rows = np.sort(np.random.default_rng(seed).choice(len(images), size=count, replace=False))
    return images[rows], labels[rows]


def base_config(args):
    """The `TrainingConfig` that search spaces override per trial."""
    return TrainingConfig(batch_size=args.batch_size, learning_rate=args.learning_rate, seed=args.seed, verbose=2)


def search(hypermodel, args, train, validation, max_trials):
    """Run the search with the tuner of --tuner, its project kept in OUT/tuner; returns the tuner."""
    keras.utils.set_random_seed(args.seed)
    tuner = make_tuner(args.tuner, hypermodel, args.out_dir, project_name=TUNER_PROJECT, max_trials=max_trials,
                       max_epochs=args.epochs, seed=args.seed, overwrite=args.overwrite)
    tuner.search(*train, validation_data=validation, epochs=args.epochs, verbose=2)
    return tuner


def save_best(tuner, hypermodel, path, overwrite):
    """Save the best trial's zoo model to ``path``; returns that trial."""
    model, trial = best_joint_model(tuner, hypermodel)
    save_model(model, path, overwrite=overwrite)
    return trial


def write_results(out_dir, markdown, payload):
    """OUT/results.md and OUT/results.json."""
    files.write_text(os.path.join(out_dir, "results.md"), markdown)
    files.write_text(os.path.join(out_dir, "results.json"), json.dumps(payload, indent=2, default=str))


def split_counts(train, validation, test):
    """The number of training, validation and test images (0 without a test set), as result fields."""
    return {"train_images": len(train[0]), "validation_images": len(validation[0]),
            "test_images": 0 if test is None else len(test[0])}


def describe_counts(counts):
    """`split_counts` in words, for a table's heading."""
    return (f"{counts['train_images']} training, {counts['validation_images']} validation, "
            f"{counts['test_images']} test images")


def trial_table(rows, path):
    """Markdown lines ranking the trials (best first) with their accuracies and hyperparameters, then where
    the best model was saved."""
    names = list(rows[0]["hyperparameters"]) if rows else []
    lines = ["| rank | trial | val accuracy % | test accuracy % | " + " | ".join(names) + " |",
             "|---|---|---|---|" + "---|" * len(names)]
    for rank, row in enumerate(rows, 1):
        values = [_cell(row["hyperparameters"].get(name)) for name in names]
        lines.append(f"| {rank} | {row['trial']} | {percent(row['val_accuracy'])} "
                     f"| {percent(row['test_accuracy'])} | " + " | ".join(values) + " |")
    return lines + ["", f"Best model (rank 1) saved to `{path}`."]


def _cell(value):
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def percent(value):
    """A fraction as a percentage with one decimal, or "-" for None."""
    return "-" if value is None else f"{100 * value:.1f}"
