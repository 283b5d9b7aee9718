"""Reproduce Tables 2-6 of Forna's Alternating Transfer Learning study with `atl_lenet`.

    python examples/forna_atl.py --data-dir ../shared/datasets                # the study's settings
    python examples/forna_atl.py --data-dir ../shared/datasets --quick        # minutes: 1 epoch, 2 epoch sets
    python examples/forna_atl.py --datasets mnist5k --quick                   # offline, no data needed

Per data set: the end-to-end baselines (Table 2), AE-driven compression (Table 3), classifier-driven
compression (Table 4), ATL (Table 5), and transfer of each ATL compressor to the other data sets (Table 6).
Writes `results.md` (measured numbers beside the study's), `results.json`, and one PNG per data set of test
images above their ATL reconstructions into ``--out-dir``. Progress goes to stderr; the JSON to stdout.
KMNIST comes through TFDS and is skipped with a note when it cannot be loaded.
"""

import argparse
import contextlib
import json
import os
import sys

import keras

from keras_jointcomp import data, files, models, training
from keras_jointcomp.evaluation import evaluate
from keras_jointcomp.plots import save_reconstruction_grid

# The study's Tables 2-6: (accuracy %, PSNR dB). Table 5 lists Fashion's baselines as 85.6 % and 18.1 dB.
STUDY = {
    "baseline-cnn": {"mnist": 98.6, "kmnist": 89.9, "fashion_mnist": 85.7},
    "baseline-ae": {"mnist": 22.8, "kmnist": 17.0, "fashion_mnist": 18.2},
    "ae-driven": {"mnist": 91.7, "kmnist": 70.7, "fashion_mnist": 79.8},
    "classifier-driven": {"mnist": 19.9, "kmnist": 15.4, "fashion_mnist": 17.8},
    "atl": {"mnist": (97.2, 22.8), "kmnist": (85.5, 17.6), "fashion_mnist": (85.2, 18.5)},
    "cross-domain": {  # (ATL domain, new domain): (accuracy %, PSNR dB)
        ("mnist", "kmnist"): (69.7, 16.8), ("mnist", "fashion_mnist"): (78.8, 18.6),
        ("kmnist", "mnist"): (75.0, 22.9), ("kmnist", "fashion_mnist"): (77.7, 19.2),
        ("fashion_mnist", "mnist"): (91.3, 21.3), ("fashion_mnist", "kmnist"): (62.3, 16.4),
    },
}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="mnist,fashion_mnist,kmnist")
    parser.add_argument("--data-dir")
    parser.add_argument("--out-dir", default="runs/forna_atl")
    parser.add_argument("--epochs", type=int, default=50, help="epochs per phase of the fixed recipes")
    parser.add_argument("--epoch-sets", type=int, default=25)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--train-images", type=int, help="use only the first N training images")
    parser.add_argument("--quick", action="store_true", help="1 epoch, 2 epoch sets, 10,000 training images")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs, args.epoch_sets = 1, 2
        args.train_images = args.train_images or 10_000
    return args


def load_datasets(args):
    loaded = {}
    for name in args.datasets.split(","):
        try:
            train, test = (data.load(name, split, data_dir=args.data_dir) for split in ("train", "test"))
        except (FileNotFoundError, ValueError) as error:
            print(f"skipping {name}: {str(error).splitlines()[0]}", file=sys.stderr)
            continue
        train = data.LabeledImages(train.images[: args.train_images], train.labels[: args.train_images])
        loaded[name] = (train, test)
    return loaded


def fresh_model(train, seed):
    keras.utils.set_random_seed(seed)
    return models.load("atl_lenet", input_shape=train.images.shape[1:], num_classes=int(train.labels.max()) + 1)


def run_dataset(name, train, test, args, config):
    """Tables 2-5 for one data set; returns the rows and the trained ATL model."""
    rows = []

    def row(method, model, study):
        report = evaluate(model, *test)
        rows.append({"dataset": name, "method": method, **report, "study": study})

    # Table 2 then Tables 3 and 4: each baseline, then a new head on its frozen compressor.
    for steps in (
        [("baseline-ae", "autoencoder", ("encoder", "decoder")), ("ae-driven", "classifier", ("classifier",))],
        [("baseline-cnn", "classifier", ("encoder", "classifier")), ("classifier-driven", "autoencoder", ("decoder",))],
    ):
        model = fresh_model(train, args.seed)
        runner = training.PhaseRunner(model, config)
        for method, network, trainable in steps:
            runner.run(training.Phase(method, network, trainable, args.epochs), *train)
            row(method, model, STUDY[method].get(name))

    # Table 5: Alternating Transfer Learning.
    atl_model = fresh_model(train, args.seed)
    history = training.get_recipe("atl")(atl_model, tuple(train), max(1, args.epochs // 25), config,
                                         epoch_sets=args.epoch_sets)
    row("atl", atl_model, STUDY["atl"].get(name))
    rows[-1]["epoch_sets"] = sum(1 for record in history if "epoch_set" in record)
    return rows, atl_model


def run_transfers(atl_models, datasets, args, config):
    """Table 6: each ATL compressor, frozen, with new heads trained on every other data set."""
    rows = []
    for source_name, source in atl_models.items():
        for name, (train, test) in datasets.items():
            if name == source_name or train.images.shape[1:] != source.input_shape[1:]:
                continue
            model = fresh_model(train, args.seed)
            training.get_recipe("cross-domain")(model, tuple(train), args.epochs, config, source=source)
            report = evaluate(model, *test)
            rows.append({"dataset": name, "method": f"cross-domain from {source_name}", **report,
                         "study": STUDY["cross-domain"].get((source_name, name))})
    return rows


def save_reconstructions(model, images, path, count=10):
    """A PNG with ``count`` test images in the top row and their reconstructions below."""
    reconstructions = model.predict(data.batches(images[:count]), verbose=0)["reconstruction"]
    save_reconstruction_grid(images[:count], reconstructions, path)


def _study_cells(row):
    study = row["study"]
    if study is None:
        return "", ""
    if isinstance(study, tuple):
        return f"{study[0]:.1f}", f"{study[1]:.1f}"
    return (f"{study:.1f}", "") if row["method"] in ("baseline-cnn", "ae-driven") else ("", f"{study:.1f}")


def markdown(rows, args):
    lines = [
        f"Command: `python examples/forna_atl.py {' '.join(args.argv)}`  ",
        f"Backend: {keras.backend.backend()}; epochs per phase {args.epochs}, epoch sets {args.epoch_sets}, "
        f"batch {args.batch_size}, training images {args.train_images or 'all'}.",
        "",
        "A baseline trains one head only: '-' marks the other head's measure, which is untrained.",
        "",
        "| data set | method | accuracy % | PSNR dB | bytes/image | study accuracy % | study PSNR dB |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        accuracy, psnr = _study_cells(row)
        measured_accuracy = f"{100 * row['accuracy']:.1f}" if row["method"] != "baseline-ae" else "-"
        measured_psnr = f"{row['psnr_db']:.1f}" if row["method"] != "baseline-cnn" else "-"
        lines.append(f"| {row['dataset']} | {row['method']} | {measured_accuracy} | {measured_psnr} "
                     f"| {row['bytes_per_image']} | {accuracy} | {psnr} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    args.argv = argv
    os.makedirs(args.out_dir, exist_ok=True)
    config = training.TrainingConfig(batch_size=args.batch_size, seed=args.seed, verbose=2)
    rows, atl_models = [], {}
    with contextlib.redirect_stdout(sys.stderr):
        datasets = load_datasets(args)
        if not datasets:
            raise SystemExit("No data set could be loaded; pass --data-dir or --datasets mnist5k.")
        for name, (train, test) in datasets.items():
            dataset_rows, atl_models[name] = run_dataset(name, train, test, args, config)
            rows += dataset_rows
            save_reconstructions(atl_models[name], test.images, os.path.join(args.out_dir, f"atl_{name}.png"))
        rows += run_transfers(atl_models, datasets, args, config)
    files.write_text(os.path.join(args.out_dir, "results.md"), markdown(rows, args))
    files.write_text(os.path.join(args.out_dir, "results.json"), json.dumps(rows, indent=2, default=str))
    print(json.dumps(rows, default=str))
    return rows


if __name__ == "__main__":
    main()
