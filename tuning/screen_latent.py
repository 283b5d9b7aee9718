"""Latent-dimension screening (Qi et al., section 3.2): short cross-entropy training per d_y, best one kept.

    python tuning/screen_latent.py --data-dir ../shared/datasets                      # cifar10, all five d_y
    python tuning/screen_latent.py --data-dir ../shared/datasets --train-images 5000 --epochs 2
    python tuning/screen_latent.py --dims 32,64 --tuner random --model ldr_resnet18 --out-dir runs/s18

Each trial builds the zoo model (default ``ldr_resnet_small``) with ``latent_dim = d_y`` and trains its
classification network (image -> latent -> logits, cross-entropy only, the MCR^2 side branch detached) on
the training set minus a stratified validation split. Prints a markdown table (d_y, bytes per image of the
float32 latent = 4 d_y, validation and test accuracy of each d_y's best trial), writes it to
OUT/results.md with the details in OUT/results.json, and saves the best model to OUT/best_model.keras
(never replaced without --overwrite). The tuner's trials live in OUT/tuner: without --overwrite an
interrupted screening resumes there.
"""

import argparse
import contextlib
import shlex
import sys

import keras

from keras_jointcomp.tuning import MODEL_KNOBS, Knobs, ZooHyperModel, latent_screening, trial_rows
from keras_jointcomp.tuning import runs

DIMS = (32, 64, 128, 256, 512)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=lambda text: tuple(int(d) for d in text.split(",")), default=DIMS,
                        help="latent dimensions d_y to screen, comma-separated (default 32,64,128,256,512)")
    parser.add_argument("--max-trials", type=int,
                        help="random / bayesian: number of trials (default: one per d_y)")
    runs.add_common_arguments(parser, out_dir="runs/screen_latent", tuner="grid")
    args = parser.parse_args(argv)
    if "latent_dim" not in MODEL_KNOBS.get(args.model, Knobs()).model:
        screenable = [name for name, knobs in MODEL_KNOBS.items() if "latent_dim" in knobs.model]
        parser.error(f"{args.model} takes no latent_dim; models with one: {', '.join(screenable)}")
    return args


def rows_by_dim(dims, trials):
    """One row per d_y from its best completed trial (trials come best first); None values when none ran."""
    rows = []
    for dim in dims:
        best = next((trial for trial in trials if trial["hyperparameters"].get("latent_dim") == dim), {})
        rows.append({"latent_dim": dim, "bytes_per_image": 4 * dim, "val_accuracy": best.get("val_accuracy"),
                     "test_accuracy": best.get("test_accuracy"), "trial": best.get("trial")})
    return rows


def markdown(rows, best_dim, args, sizes, path):
    lines = [
        f"Command: `python tuning/screen_latent.py {shlex.join(args.argv)}`  ",
        f"Backend: {keras.backend.backend()}; model {args.model}, data set {args.dataset} ({sizes}); "
        f"{args.epochs} epoch(s) of cross-entropy per trial, tuner {args.tuner}.",
        "",
        "| d_y | bytes/image (float32) | val accuracy % | test accuracy % |",
        "|---|---|---|---|",
    ]
    for row in rows:
        dim = f"**{row['latent_dim']}**" if row["latent_dim"] == best_dim else str(row["latent_dim"])
        lines.append(f"| {dim} | {row['bytes_per_image']} | {runs.percent(row['val_accuracy'])} "
                     f"| {runs.percent(row['test_accuracy'])} |")
    lines += ["", f"Best: d_y = {best_dim} (highest validation accuracy), saved to `{path}`."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    args.argv = argv
    path = runs.model_path(args)
    with contextlib.redirect_stdout(sys.stderr):  # Keras and keras-tuner report progress on stdout
        train, validation, test, num_classes = runs.load_splits(args)
        hypermodel = ZooHyperModel(args.model, latent_screening(args.dims, fixed=args.model_kwargs),
                                   network="classifier", input_shape=train[0].shape[1:], num_classes=num_classes,
                                   config=runs.base_config(args), seed=args.seed)
        tuner = runs.search(hypermodel, args, train, validation, max_trials=args.max_trials or len(args.dims))
        best_trial = runs.save_best(tuner, hypermodel, path, args.overwrite)
        trials = trial_rows(tuner, hypermodel, test)
    best_dim = best_trial.hyperparameters.values["latent_dim"]
    rows = rows_by_dim(args.dims, trials)
    counts = runs.split_counts(train, validation, test)
    table = markdown(rows, best_dim, args, runs.describe_counts(counts), path)
    result = {"command": ["tuning/screen_latent.py", *argv], "backend": keras.backend.backend(),
              "model": args.model, "dataset": args.dataset, "tuner": args.tuner, "epochs": args.epochs,
              **counts, "best_latent_dim": best_dim,
              "model_file": path, "rows": rows, "trials": trials}
    runs.write_results(args.out_dir, table, result)
    print(table)
    return result


if __name__ == "__main__":
    main()
