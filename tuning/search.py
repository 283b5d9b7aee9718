"""Hyperparameter search over any zoo model: builder knobs, learning rate, batch size and loss weights.

    python tuning/search.py --model atl_lenet --dataset mnist --data-dir ../shared/datasets --max-trials 20
    python tuning/search.py --model ldr_resnet_small --network classifier --tuner hyperband --epochs 9
    python tuning/search.py --model multi_encoder_cifar10 --knobs bits,learning_rate --tuner bayesian

The space (`keras_jointcomp.tuning.generic`) holds only the knobs that apply to the model: the builder
kwargs it takes and that change it (`MODEL_KNOBS`), the learning rate (log scale) and batch size, and with
``--network joint`` the weight of each other loss (reconstruction, MCR^2, rounding gap) relative to
cross-entropy; ``--knobs`` narrows it. ``--network joint`` trains every output of the joint model
(objective val_logits_accuracy); ``--network classifier`` trains image -> logits on cross-entropy alone
(objective val_accuracy). Prints a markdown table of the trials (best first: validation and test accuracy,
hyperparameters), writes it to OUT/results.md with details in OUT/results.json, and saves the best model to
OUT/best_model.keras (never replaced without --overwrite). The tuner's trials live in OUT/tuner.
"""

import argparse
import contextlib
import shlex
import sys

import keras

from keras_jointcomp.tuning import NETWORKS, ZooHyperModel, generic, knobs_for, trial_rows
from keras_jointcomp.tuning import runs


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", choices=NETWORKS, default="joint",
                        help="train the joint model (all losses) or its classification network (default %(default)s)")
    parser.add_argument("--max-trials", type=int, default=10, help="trials of grid, random and bayesian")
    parser.add_argument("--knobs", type=lambda text: tuple(text.split(",")),
                        help="comma-separated knobs to tune (default: all that apply to the model)")
    runs.add_common_arguments(parser, out_dir="runs/search", tuner="random")
    args = parser.parse_args(argv)
    try:
        args.space = generic(args.model, args.network, knobs=args.knobs, fixed=args.model_kwargs)
    except ValueError as error:
        parser.error(str(error))
    return args


def markdown(rows, args, sizes, path):
    lines = [
        f"Command: `python tuning/search.py {shlex.join(args.argv)}`  ",
        f"Backend: {keras.backend.backend()}; model {args.model} ({args.network} network), data set "
        f"{args.dataset} ({sizes}); tuner {args.tuner}, {args.epochs} epoch(s) per trial.",
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
        print(f"Knobs that apply to {args.model} ({args.network} network): "
              f"{', '.join(knobs_for(args.model, args.network))}")
        train, validation, test, num_classes = runs.load_splits(args)
        hypermodel = ZooHyperModel(args.model, args.space, network=args.network, input_shape=train[0].shape[1:],
                                   num_classes=num_classes, config=runs.base_config(args), seed=args.seed)
        tuner = runs.search(hypermodel, args, train, validation, max_trials=args.max_trials)
        runs.save_best(tuner, hypermodel, path, args.overwrite)
        rows = trial_rows(tuner, hypermodel, test)
    counts = runs.split_counts(train, validation, test)
    table = markdown(rows, args, runs.describe_counts(counts), path)
    result = {"command": ["tuning/search.py", *argv], "backend": keras.backend.backend(), "model": args.model,
              "network": args.network, "objective": hypermodel.objective.name, "dataset": args.dataset,
              "tuner": args.tuner, "epochs": args.epochs, **counts, "model_file": path, "trials": rows}
    runs.write_results(args.out_dir, table, result)
    print(table)
    return result


if __name__ == "__main__":
    main()
