"""Hierarchical joint compression and classification (Qi et al.): screening, CE-T, DuPHiL, LDR-FT, rate control.

    python examples/qi_ldr.py --data-dir ../shared/datasets            # CPU scale (small ResNet, part of CIFAR-10)
    python examples/qi_ldr.py --data-dir ../shared/datasets --full     # the study's settings (GPU)
    python examples/qi_ldr.py --data-dir ../shared/datasets --fast     # airbench backbone, all of CIFAR-10 (CPU)
    python examples/qi_ldr.py --quick --dataset tiny_rgb --data-dir D  # smoke run

Steps, as in the study: (1) screen the latent dimension d_y by a short cross-entropy training of one model per
d_y (keras-tuner, `keras_jointcomp.tuning`); (2) train the chosen d_y by cross-entropy: the CE-T baseline;
(3) from copies of CE-T, train DuPHiL (LDR loss on the encoder through the side branch, then cross-entropy on
the classifier) and LDR-FT (DuPHiL with labels, DuPHiL with the self-supervised augmentation partition, then
end to end at a tenth of the learning rate); (4) sweep entropy-based quantization (q_i = s x H(y_i)) over
each model for a rate-accuracy curve; (5) truncate the last half of CE-T's latent and fine-tune it by
cross-entropy and by LDR-FT; (6) accuracy under rotation, flip and colour jitter; (7) each latent entry's
standard deviation on the test set.

`--full` is ResNet-18 on all of CIFAR-10, 200 epochs of CE-T, d_y screened over {32, 64, 128}. The CPU
scale trains `ldr_resnet_small` on part of the training set for a few epochs. `--fast` trains `ldr_airbench`
on all of CIFAR-10 with airbench's recipe (`TrainingConfig.fast()`), the study's accuracy on a CPU in
minutes per recipe. Writes results.md,
results.json, rate_accuracy.png, rate_accuracy_truncated.png and latent_std.png into ``--out-dir``.
"""

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time

import keras
import numpy as np

from keras_jointcomp import data, files, models, rate, training, tuning
from keras_jointcomp.evaluation import evaluate, robustness
from keras_jointcomp.plots import save_latent_spread, save_rate_accuracy_curves

FAST = {"model": "ldr_airbench", "epochs": 10, "ldr_epochs": 2, "screen_epochs": 2, "train_images": None,
        "test_images": None, "batch_size": 1024, "learning_rate": 1.5, "ldr_learning_rate": 1e-4}
SCALES = (0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6)
STUDY = ("CIFAR-10, ResNet-18, d_y = 64: CE-T 90.92 %, LDR-FT 91.03 %; LDR-FT loses 0.39 points from 71.68 to "
         "13.93 bits of total entropy, CE-T 2.09 points from 86.02 to 14.64 bits.")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--data-dir")
    parser.add_argument("--model", default="ldr_resnet_small")
    parser.add_argument("--dims", default="32,64,128", help="latent dimensions to screen")
    parser.add_argument("--screen-epochs", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=8, help="CE-T epochs")
    parser.add_argument("--ldr-epochs", type=int, default=2, help="epochs per phase of DuPHiL and LDR-FT")
    parser.add_argument("--train-images", type=int, default=10_000)
    parser.add_argument("--test-images", type=int, default=2_000)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--ldr-learning-rate", type=float,
                        help="Adam's learning rate for DuPHiL, LDR-FT and the truncated models' fine-tuning, which "
                             "start from the trained CE-T (default: --learning-rate; 1e-4 with --fast)")
    parser.add_argument("--out-dir", default="runs/qi_ldr")
    parser.add_argument("--full", action="store_true",
                        help="ResNet-18 on all of the data, 200 CE-T epochs, 20 per LDR phase")
    parser.add_argument("--fast", action="store_true",
                        help="ldr_airbench with airbench's recipe on all of the data: CE-T by batch 1024, Nesterov "
                             f"SGD 1.5, {FAST['epochs']} epochs; the LDR phases by Adam {FAST['ldr_learning_rate']}, "
                             f"{FAST['ldr_epochs']} epochs each (flags given after it replace these)")
    parser.add_argument("--ce-t-model", help="a trained CE-T .keras file to start from (skips the screening and "
                                             "CE-T training; its d_y is used)")
    parser.add_argument("--quick", action="store_true", help="1 epoch everywhere on 200 images")
    parser.add_argument("--seed", type=int, default=0)
    if "--fast" in argv:
        parser.set_defaults(**FAST)
    args = parser.parse_args(argv)
    if args.full:
        args.model, args.epochs, args.ldr_epochs, args.screen_epochs = "ldr_resnet18", 200, 20, 200
        args.train_images = args.test_images = None
    if args.quick:
        args.epochs = args.ldr_epochs = args.screen_epochs = 1
        args.train_images, args.test_images = 200, 100
    args.dims = [int(d) for d in args.dims.split(",")]
    return args


def _load(args):
    train = data.load(args.dataset, "train", data_dir=args.data_dir)
    test = data.load(args.dataset, "test", data_dir=args.data_dir)
    order = np.random.default_rng(args.seed).permutation(len(train.images))  # image folders come class-sorted
    train = data.LabeledImages(train.images[order][:args.train_images], train.labels[order][:args.train_images])
    order = np.random.default_rng(args.seed + 1).permutation(len(test.images))
    test = data.LabeledImages(test.images[order][:args.test_images], test.labels[order][:args.test_images])
    return train, test


def _copy(model, folder, name):
    """An independent copy of ``model`` (same weights), through a .keras file."""
    return models.load_model(models.save_model(model, os.path.join(folder, f"{name}.keras")))


def measure(label, model, train, test, args):
    """Rate-accuracy curve, robustness and latent spread of one trained model."""
    curve = rate.rate_accuracy_curve(model, train.images, test.images, test.labels, SCALES)
    std = np.asarray(model.encoder.predict(data.batches(test.images, batch_size=256), verbose=0)).std(axis=0)
    return {"model": label, "accuracy": evaluate(model, *test)["accuracy"], "curve": curve,
            "robustness": robustness(model, test.images, test.labels, seed=args.seed),
            "latent_std": std.tolist(), "active_units": model.active_latent_units}


def screen(args, train, num_classes, config):
    """One cross-entropy training per latent dimension (keras-tuner grid search), a tenth of the training set
    held out; rows of d_y and best validation accuracy."""
    fit_part, validation = data.train_validation_split(*train, validation_fraction=0.1, seed=args.seed)
    hypermodel = tuning.ZooHyperModel(args.model, tuning.latent_screening(args.dims), network="classifier",
                                      input_shape=train.images.shape[1:], num_classes=num_classes, config=config,
                                      seed=args.seed)
    tuner = tuning.make_tuner("grid", hypermodel, os.path.join(args.out_dir, "screening"),
                              max_trials=len(args.dims), seed=args.seed, overwrite=True)
    tuner.search(*fit_part, validation_data=validation, epochs=args.screen_epochs, verbose=2)
    rows = [{"latent_dim": row["hyperparameters"]["latent_dim"], "val_accuracy": row["val_accuracy"]}
            for row in tuning.trial_rows(tuner, hypermodel)]
    return sorted(rows, key=lambda row: row["latent_dim"])


def run(args):
    train, test = _load(args)
    num_classes = int(train.labels.max()) + 1
    make = training.TrainingConfig.fast if args.fast else training.TrainingConfig
    config = make(batch_size=args.batch_size, learning_rate=args.learning_rate, seed=args.seed, verbose=2)
    fine_tuning = fine_tuning_config(config, args)
    history, seconds = {}, {}
    if args.ce_t_model:
        screening, ce_t = [], models.load_model(args.ce_t_model)
        latent_dim = ce_t.latent_shape[0]
    else:
        screening = screen(args, train, num_classes, config)
        latent_dim = max(screening, key=lambda row: row["val_accuracy"])["latent_dim"]
        keras.utils.set_random_seed(args.seed)
        ce_t = models.load(args.model, input_shape=train.images.shape[1:], num_classes=num_classes,
                           latent_dim=latent_dim)

    def train_by(label, recipe, model, epochs, config):
        start = time.perf_counter()
        history[label] = training.train(recipe, model, train, epochs, config)
        seconds[label] = time.perf_counter() - start

    if not args.ce_t_model:
        train_by("CE-T", "ce-t", ce_t, args.epochs, config)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        trained = {"CE-T": ce_t}
        for method, recipe in (("DuPHiL", "duphil"), ("LDR-FT", "ldr-ft")):
            trained[method] = _copy(ce_t, folder, method)
            train_by(method, recipe, trained[method], args.ldr_epochs, fine_tuning)
        for method, model in trained.items():
            results.append(measure(f"{method}, d_y = {latent_dim}", model, train, test, args))
        half = max(1, latent_dim // 2)
        for method, recipe, epochs in (("CE-T", "ce-t", args.ldr_epochs), ("LDR-FT", "ldr-ft", args.ldr_epochs)):
            truncated = rate.truncate_latent(_copy(ce_t, folder, f"truncated-{method}"), half)
            train_by(f"truncated {method}", recipe, truncated, epochs, fine_tuning)
            results.append(measure(f"{method} truncated to {half} of {latent_dim}", truncated, train, test, args))
    return {"screening": screening, "latent_dim": latent_dim, "results": results, "history": history,
            "train_seconds": seconds}


def fine_tuning_config(config, args):
    """The training settings of DuPHiL, LDR-FT and the truncated models: Adam at ``--ldr-learning-rate`` with
    ``config``'s batch, label smoothing and augmentation.

    They all start from the trained CE-T, and the study's LDR phases are gentle updates of a trained encoder.
    The fast recipe's SGD at 1.5 is made for training from scratch: under it DuPHiL's MCR^2 phase threw the
    CE-T encoder so far off that its classifier read 44 % (docs/results.md).
    """
    return training.TrainingConfig(batch_size=config.batch_size,
                                   learning_rate=args.ldr_learning_rate or config.learning_rate,
                                   label_smoothing=config.label_smoothing, augmentation=config.augmentation,
                                   seed=config.seed, verbose=config.verbose)


def _pct(value):
    return f"{100 * value:.2f}"


def _optimizer(args):
    ldr = f"LDR phases and truncation fine-tuning Adam {args.ldr_learning_rate or args.learning_rate}"
    if args.fast:
        return f"CE-T airbench's recipe (TrainingConfig.fast(), Nesterov SGD {args.learning_rate}), {ldr}"
    return f"CE-T Adam {args.learning_rate}, {ldr}"


def markdown(outcome, args):
    lines = [f"Command: `python examples/qi_ldr.py {' '.join(args.argv)}`  ",
             f"Backend: {keras.backend.backend()}; model {args.model}; {args.train_images or 'all'} training and "
             f"{args.test_images or 'all'} test images; CE-T {args.epochs} epochs, {args.ldr_epochs} per LDR "
             f"phase; batch {args.batch_size}, {_optimizer(args)}, seed {args.seed}.  ",
             "Training wall time (s): " + ", ".join(f"{label} {value:.0f}" for label, value in
                                                    outcome["train_seconds"].items()) + ".  ",
             *([f"CE-T: {args.ce_t_model} (trained beforehand, see results.md)  "] if args.ce_t_model else []),
             f"Study: {STUDY}", "", "Screening (cross-entropy, validation accuracy):", "",
             "| d_y | float32 bytes/image | validation % |", "|---|---|---|"]
    for row in outcome["screening"]:
        lines.append(f"| {row['latent_dim']} | {4 * row['latent_dim']} | {_pct(row['val_accuracy'])} |")
    lines += ["", f"Rate-accuracy (entropy-based quantization, q_i = s x H(y_i); bits: actual payload per image "
              f"of streams coded by the per-entry Gaussian model); chosen d_y = {outcome['latent_dim']}:", "",
              "| model | float accuracy % | " + " | ".join(f"s = {s}" for s in SCALES) + " |",
              "|---|---|" + "---|" * len(SCALES)]
    for result in outcome["results"]:
        cells = [f"{_pct(row['accuracy'])} @ {8 * row['payload_bytes_per_image']:.1f} b" for row in result["curve"]]
        lines.append(f"| {result['model']} | {_pct(result['accuracy'])} | " + " | ".join(cells) + " |")
    distortions = list(outcome["results"][0]["robustness"])
    lines += ["", "Robustness (test accuracy % under each distortion):", "",
              "| model | " + " | ".join(distortions) + " |", "|---|" + "---|" * len(distortions)]
    for result in outcome["results"]:
        lines.append(f"| {result['model']} | " + " | ".join(_pct(result["robustness"][d]) for d in distortions)
                     + " |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    args.argv = argv
    os.makedirs(args.out_dir, exist_ok=True)
    with contextlib.redirect_stdout(sys.stderr):
        outcome = run(args)
    full = [r for r in outcome["results"] if "truncated" not in r["model"]]
    truncated = [r for r in outcome["results"] if "truncated" in r["model"]]
    save_rate_accuracy_curves({r["model"]: r["curve"] for r in full}, os.path.join(args.out_dir, "rate_accuracy.png"),
                              title=f"{args.dataset}: entropy-based quantization")
    save_rate_accuracy_curves({r["model"]: r["curve"] for r in truncated},
                              os.path.join(args.out_dir, "rate_accuracy_truncated.png"),
                              title=f"{args.dataset}: half the latent truncated, then fine-tuned")
    save_latent_spread({r["model"]: r["latent_std"] for r in outcome["results"]},
                       os.path.join(args.out_dir, "latent_std.png"))
    files.write_text(os.path.join(args.out_dir, "results.md"), markdown(outcome, args))
    files.write_text(os.path.join(args.out_dir, "results.json"), json.dumps(outcome, indent=2, default=float))
    print(json.dumps({"latent_dim": outcome["latent_dim"],
                      "accuracy": {r["model"]: r["accuracy"] for r in outcome["results"]}}))
    return outcome


if __name__ == "__main__":
    main()
