"""keras-tuner search for the CIFAR-10 autoencoder + classifier: depth, filters, learning rate, batch size and
the reconstruction loss weight (the study's proposed next step).

    python tuning/cifar_ae_search.py --data-dir ../shared/datasets --train-images 10000 --max-trials 10
    python tuning/cifar_ae_search.py --tuner bayesian --epochs 10 --data-dir ../shared/datasets
    python tuning/cifar_ae_search.py --model cifar_mlp_ae --data-dir ../shared/datasets

Each trial trains the joint model as the "joint-weighted" recipe does: on the training set with bird, deer
and truck halved (``--halve none`` keeps it balanced), balanced class weights on the cross-entropy only and
the study's PIL augmentation (``--no-augment`` turns it off); the objective is the validation accuracy of
the logits (val_logits_accuracy) on a stratified held-out part of the training set. The space
(`cifar_ae_space`): for `cifar_conv_ae` the convolutions per encoder block (depth, 1-3) and the first
block's filters (16, 32, 64; the second block has twice as many), for `cifar_mlp_ae` the feature units; for
both the learning rate (log scale), batch size and reconstruction weight relative to cross-entropy.

Prints a markdown table of the trials (best first), writes it to OUT/results.md with details in
OUT/results.json, and saves the best model to OUT/best_model.keras (never replaced without --overwrite).
"""

import argparse
import contextlib
import shlex
import sys

import keras
import numpy as np

from keras_jointcomp import data
from keras_jointcomp.training.autoencoder_features import joint_weighted_batches
from keras_jointcomp.training.phases import targets_for
from keras_jointcomp.tuning import DEFINITIONS, ZooHyperModel, trial_rows
from keras_jointcomp.tuning import runs

HALVED_CLASSES = (2, 4, 9)  # bird, deer, truck
MODEL_KNOBS = {
    "cifar_conv_ae": {"convs_per_block": lambda hp: hp.Int("convs_per_block", 1, 3),
                      "base_filters": lambda hp: hp.Choice("base_filters", (16, 32, 64))},
    "cifar_mlp_ae": {"features": lambda hp: hp.Choice("features", (384, 768, 1536))},
}
TRAINING_KNOBS = ("learning_rate", "batch_size", "reconstruction_weight")


def cifar_ae_space(model_name="cifar_conv_ae", fixed=None):
    """``space(hp) -> (builder kwargs, TrainingConfig overrides)`` for a `ZooHyperModel`: the model's knobs
    (`MODEL_KNOBS`) and learning rate, batch size and reconstruction weight (`tuning.DEFINITIONS`); ``fixed``
    builder kwargs pass through and are not tuned."""
    if model_name not in MODEL_KNOBS:
        raise ValueError(f"No search space for {model_name!r}; choose one of {sorted(MODEL_KNOBS)}.")
    fixed = dict(fixed or {})

    def space(hp):
        model_kwargs = {**fixed, **{name: define(hp) for name, define in MODEL_KNOBS[model_name].items()
                                    if name not in fixed}}
        return model_kwargs, {name: DEFINITIONS[name](hp) for name in TRAINING_KNOBS}

    return space


class WeightedJointHyperModel(ZooHyperModel):
    """`ZooHyperModel` of the joint network whose trials train like the "joint-weighted" recipe: class weights
    on the cross-entropy only (per-sample weights of "logits") and an optional augmentation."""

    def __init__(self, model_name, space, class_weight="balanced", transform="cifar", **kwargs):
        super().__init__(model_name, space, network="joint", **kwargs)
        self.class_weight = class_weight
        self.transform = transform

    def fit(self, hp, model, x, y, validation_data=None, **kwargs):
        if validation_data is None:
            raise ValueError("validation_data=(images, labels) is required: the objective is val_logits_accuracy.")
        _, config = self.settings(hp)
        train = joint_weighted_batches(model, x, y, config.batch_size, self.class_weight, self.transform,
                                       seed=config.seed)
        val_images, val_labels = validation_data
        validation = data.batches(val_images, targets_for("joint", model, val_labels), config.batch_size)
        kwargs.setdefault("verbose", config.verbose)
        return model.fit(train, validation_data=validation, **kwargs)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-trials", type=int, default=10, help="trials of grid, random and bayesian")
    parser.add_argument("--halve", default="2,4,9",
                        help="comma-separated classes whose training images are halved ('none': keep all)")
    parser.add_argument("--no-augment", action="store_true", help="train trials without augmentation")
    runs.add_common_arguments(parser, out_dir="runs/cifar_ae_search", tuner="random")
    parser.set_defaults(model="cifar_conv_ae")
    args = parser.parse_args(argv)
    if args.model not in MODEL_KNOBS:
        parser.error(f"--model must be one of {sorted(MODEL_KNOBS)}")
    args.halved = () if args.halve == "none" else tuple(int(label) for label in args.halve.split(","))
    return args


def load_splits(args):
    """(train, validation, test) as (images, labels) and the number of classes. Training and test images are
    drawn at random (image folders come class-sorted); the training set is then imbalanced and split."""
    train_set = data.load(args.dataset, "train", data_dir=args.data_dir)
    num_classes = int(train_set.labels.max()) + 1
    order = np.random.default_rng(args.seed).permutation(len(train_set.images))[: args.train_images]
    images, labels = train_set.images[order], train_set.labels[order]
    if args.halved:
        images, labels = data.make_imbalanced(images, labels, args.halved, keep_fraction=0.5, seed=args.seed)
    train, validation = data.train_validation_split(images, labels, args.validation_fraction, seed=args.seed)
    test = None
    if args.test_images != 0:
        test_set = data.load(args.dataset, "test", data_dir=args.data_dir)
        rows = np.random.default_rng(args.seed + 1).permutation(len(test_set.images))[: args.test_images]
        test = (test_set.images[rows], test_set.labels[rows])
    return train, validation, test, num_classes


def markdown(rows, args, sizes, path):
    lines = [
        f"Command: `python tuning/cifar_ae_search.py {shlex.join(args.argv)}`  ",
        f"Backend: {keras.backend.backend()}; model {args.model} (joint network, class-weighted cross-entropy, "
        f"{'no augmentation' if args.no_augment else 'augmentation'}); data set {args.dataset} ({sizes}); "
        f"halved classes: {', '.join(map(str, args.halved)) or 'none'}; tuner {args.tuner}, {args.epochs} "
        "epoch(s) per trial.",
        "",
        *runs.trial_table(rows, path),
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    args.argv = argv
    path = runs.model_path(args)
    with contextlib.redirect_stdout(sys.stderr):  # Keras and keras-tuner report progress on stdout
        train, validation, test, num_classes = load_splits(args)
        space = cifar_ae_space(args.model, args.model_kwargs)
        hypermodel = WeightedJointHyperModel(
            args.model, space, transform=None if args.no_augment else "cifar", input_shape=train[0].shape[1:],
            num_classes=num_classes, config=runs.base_config(args), seed=args.seed)
        tuner = runs.search(hypermodel, args, train, validation, max_trials=args.max_trials)
        runs.save_best(tuner, hypermodel, path, args.overwrite)
        rows = trial_rows(tuner, hypermodel, test)
    counts = runs.split_counts(train, validation, test)
    table = markdown(rows, args, runs.describe_counts(counts), path)
    result = {"command": ["tuning/cifar_ae_search.py", *argv], "backend": keras.backend.backend(),
              "model": args.model, "objective": hypermodel.objective.name, "dataset": args.dataset,
              "halved_classes": list(args.halved), "augmentation": not args.no_augment, "tuner": args.tuner,
              "epochs": args.epochs, **counts, "model_file": path, "trials": rows}
    runs.write_results(args.out_dir, table, result)
    print(table)
    return result


if __name__ == "__main__":
    main()
