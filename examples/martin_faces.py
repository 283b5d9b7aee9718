"""Reproduce Martin's distinctiveness pruning of a convolutional autoencoder on the CMU faces.

    python examples/martin_faces.py --data-dir ../shared/datasets            # CPU settings, about 12 minutes
    python examples/martin_faces.py --data-dir ../shared/datasets --study    # the study's 1,200+ epochs (GPU)
    python examples/martin_faces.py --data-dir ../shared/datasets --quick    # smoke run, seconds

Two copies of the `faces_conv_ae` autoencoder with the same initial weights train on the same batches (L1
loss, Adam, batch 48; each batch centred on its own mean image): network A, the control, unpruned; network B
loses one latent unit, of the least distinct pair (smallest angle between activation vectors over the
training set), every ``--prune-every`` epochs until ``--units-to-prune`` (12) of its 128 are gone, and
trains on after the last. The study trained 1,200 epochs at a learning rate of 1e-4 and pruned one unit
every 100 (4 gone after 400 epochs, 12 after 1,200); ``--study`` runs that schedule with a last 100 epochs
after the twelfth unit: 13 intervals of 100 epochs. The default CPU settings shrink it five times, to 13
intervals of 20 epochs (260 epochs, the twelfth unit going after epoch 240), at a learning rate of 3e-3,
which in 300-epoch trials of the control reached a validation L1 of 0.031 against 0.033 at 1e-3 (0.074
after 60 epochs at the study's 1e-4). About 1.3 s an epoch on two busy CPU cores with TensorFlow.

Data: the 624 usable 30x32 CMU faces as the package loads them: each PGM scaled to [0, 1] by its own
maximum, and a fixed stratified fifth of each person's faces held out as the test split, which is the
validation set here (the study: 588 training and 52 validation images of 640). The model pads the images
to 32x32 and crops back, so losses cover the 960 real pixels; the study's L1 also averaged over its two
padding rows, which makes a loss 30/32 of ours if the padding came back exact
(reported as "padded-frame L1").

Writes into ``--out-dir``: `results.md` and `results.json` (validation L1 of both networks beside the
study's 0.0273 and 0.0287, the units removed with their epochs and angles, the issue's done-criteria),
`loss_curves.png` (training and validation L1 per epoch, pruning epochs marked), `faces_control.png` and
`faces_pruned.png` (validation faces above their reconstructions) and both models as `.keras` files.
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
from keras_jointcomp.plots import save_reconstruction_grid

STUDY = {"control": 0.0273, "pruned": 0.0287, "units_pruned": 12, "units": 128}
DONE_L1 = 0.03
DONE_RELATIVE_GAP = 0.10
GRID_FACES = 8


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--dataset", default="cmu_faces",
                        help="a data set with a test split, held out here for validation")
    parser.add_argument("--out-dir", default="runs/martin_faces")
    parser.add_argument("--epochs", type=int, default=260)
    parser.add_argument("--prune-every", type=int, default=20)
    parser.add_argument("--units-to-prune", type=int, default=STUDY["units_pruned"])
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--cosine-decay", action="store_true",
                        help="decay the learning rate along a cosine to 1/100 of it by the last epoch")
    parser.add_argument("--batch-size", type=int, default=48)
    parser.add_argument("--normalisation", choices=training.pruning.NORMALISATIONS, default="none",
                        help="of the activations before the angle (the study: none)")
    parser.add_argument("--hidden-channels", type=int, default=256, help="of the first convolution (the study: 256)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--study", action="store_true", help="1,300 epochs at 1e-4, one unit every 100")
    parser.add_argument("--quick", action="store_true", help="4 epochs, 2 units pruned")
    args = parser.parse_args(argv)
    if args.study:
        args.epochs, args.prune_every, args.learning_rate = 1300, 100, 1e-4
    if args.quick:
        args.epochs, args.prune_every, args.units_to_prune = 4, 1, 2
    return args


def load_faces(name, data_dir):
    """The training and held-out faces, uint8 (N, H, W, 1) with person labels, from the package's loader."""
    train, validation = (data.load(name, split, data_dir=data_dir) for split in ("train", "test"))
    if not len(validation.images):
        raise SystemExit(f"data set {name!r} has no test split to validate on")
    return train, validation


def _schedule(args):
    """The learning rate per epoch for ``--cosine-decay`` (both networks alike), else None: constant."""
    if not args.cosine_decay:
        return None
    floor = args.learning_rate / 100

    def cosine(epoch, _):
        return floor + (args.learning_rate - floor) * 0.5 * (1 + np.cos(np.pi * epoch / args.epochs))

    return [keras.callbacks.LearningRateScheduler(cosine)]


def train_network(label, units_to_prune, train, validation, args):
    keras.utils.set_random_seed(args.seed)  # both networks start from the same weights
    model = models.load("faces_conv_ae", input_shape=train[0].shape[1:], hidden_channels=args.hidden_channels)
    model.set_mean_image(data.to_float(train[0]).mean(axis=0))
    config = training.TrainingConfig(batch_size=args.batch_size, learning_rate=args.learning_rate,
                                     reconstruction_loss="l1", seed=args.seed, verbose=2)
    print(f"{label}: {args.epochs} epochs, pruning {units_to_prune} units", file=sys.stderr)
    start = time.time()
    record, = training.get_recipe("distinctiveness-pruning")(
        model, train, args.epochs, config, validation=validation, prune_every=args.prune_every,
        units_to_prune=units_to_prune, normalisation=args.normalisation, callbacks=_schedule(args))
    seconds = time.time() - start
    for entry in record["pruned"]:
        print(f"  epoch {entry['epoch']}: unit {entry['unit']} removed (angle {entry['angle']:.2f} degrees to "
              f"unit {entry['partner']})", file=sys.stderr)
    reconstructions = model.predict(data.batches(validation[0], batch_size=256), verbose=0)["reconstruction"]
    l1 = float(np.mean(np.abs(reconstructions - data.to_float(validation[0]))))
    picks = np.linspace(0, len(validation[0]) - 1, min(GRID_FACES, len(validation[0]))).astype(int)
    save_reconstruction_grid(validation[0][picks], reconstructions[picks],
                             os.path.join(args.out_dir, f"faces_{label}.png"))
    models.save_model(model, os.path.join(args.out_dir, f"{label}.keras"), overwrite=True)
    latents = model.encode(data.to_float(train[0]))
    live = training.pruning.active_mask(model) & ~training.pruning.dead_units(keras.ops.convert_to_numpy(latents))
    best = int(np.argmin(record["val_loss"]))
    height, width = train[0].shape[1:3]
    return {
        "network": label,
        "units_pruned": units_to_prune,
        "active_units": model.active_latent_units,
        "live_units": int(live.sum()),
        "latent_shape": list(model.latent_shape),
        "validation_l1": l1,
        "validation_l1_padded_frame": l1 * height * width / 32 ** 2,
        "final_train_l1": record["loss"][-1],
        "best_validation_l1": record["val_loss"][best],
        "best_epoch": best + 1,
        "seconds": seconds,
        "pruned": record["pruned"],
        "history": {"loss": record["loss"], "val_loss": record["val_loss"]},
        "study_validation_l1": STUDY["pruned" if units_to_prune else "control"],
    }


def save_loss_curves(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axis = pyplot.subplots(figsize=(7, 4))
    for row, colour in zip(rows, ("tab:blue", "tab:orange")):
        epochs = np.arange(1, len(row["history"]["loss"]) + 1)
        name = f"{row['network']} ({row['units_pruned']} units pruned)"
        axis.plot(epochs, row["history"]["loss"], color=colour, alpha=0.5, linestyle="--",
                  label=f"{name}, training")
        axis.plot(epochs, row["history"]["val_loss"], color=colour, label=f"{name}, validation")
        for entry in row["pruned"]:
            axis.axvline(entry["epoch"], color=colour, alpha=0.2, linewidth=0.8)
    axis.axhline(DONE_L1, color="grey", linestyle=":", label=f"L1 {DONE_L1}")
    axis.set_yscale("log")
    axis.set_xlabel("epoch")
    axis.set_ylabel("L1 loss")
    axis.grid(alpha=0.3, which="both")
    axis.legend(fontsize=8)
    axis.set_title("Distinctiveness pruning of a convolutional autoencoder (CMU faces)")
    figure.tight_layout()
    with files.atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=80)
    pyplot.close(figure)


def criteria(rows):
    control, pruned = rows
    gap = pruned["validation_l1"] / control["validation_l1"] - 1
    return {"control_validation_l1_at_most_0.03": control["validation_l1"] <= DONE_L1,
            "pruned_validation_l1_at_most_0.03": pruned["validation_l1"] <= DONE_L1,
            "pruned_relative_gap": gap, "pruned_within_10_percent": gap <= DONE_RELATIVE_GAP}


def markdown(rows, checks, args, sizes):
    lines = [
        f"Command: `python examples/martin_faces.py {' '.join(args.argv)}`  ",
        f"Backend: {keras.backend.backend()}; {sizes[0]} training / {sizes[1]} validation faces; "
        f"{args.epochs} epochs, Adam {args.learning_rate:g}"
        f"{' with cosine decay to 1/100' if args.cosine_decay else ''}, batch {args.batch_size}, L1 loss, seed "
        f"{args.seed}; network B loses one unit every {args.prune_every} epochs, {args.units_to_prune} in all "
        f"(activations normalised: {args.normalisation}).",
        "",
        "| network | units pruned | latent values sent | of them live | validation L1 | padded-frame L1 "
        "| best validation L1 (epoch) | final training L1 | study L1 | minutes |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(f"| {row['network']} | {row['units_pruned']} | {row['active_units']} | {row['live_units']} "
                     f"| {row['validation_l1']:.4f} "
                     f"| {row['validation_l1_padded_frame']:.4f} | {row['best_validation_l1']:.4f} "
                     f"({row['best_epoch']}) | {row['final_train_l1']:.4f} | {row['study_validation_l1']} "
                     f"| {row['seconds'] / 60:.1f} |")
    lines += ["", f"Pruned network's validation L1 is {100 * checks['pruned_relative_gap']:+.1f} % of the "
              f"control's (done-criterion: within 10 %: {checks['pruned_within_10_percent']}); control at most "
              f"{DONE_L1}: {checks['control_validation_l1_at_most_0.03']}; pruned at most {DONE_L1}: "
              f"{checks['pruned_validation_l1_at_most_0.03']}.", "",
              "| after epoch | unit removed (row, column, channel) | partner | angle (degrees) | dead units left "
              "| validation L1 just after |", "|---|---|---|---|---|---|"]
    for entry in rows[1]["pruned"]:
        position = tuple(int(i) for i in np.unravel_index(entry["unit"], rows[1]["latent_shape"]))
        lines.append(f"| {entry['epoch']} | {entry['unit']} {position} | {entry['partner']} | {entry['angle']:.2f} "
                     f"| {entry['dead_units']} | {entry.get('val_loss_after_pruning', float('nan')):.4f} |")
    lines += ["", "Live units: active units that are not zero on every training face (dead ReLU units are never "
              "chosen by the angle, which they do not have, and still cross the link).", "",
              "Pictures: `loss_curves.png`, `faces_control.png`, `faces_pruned.png` (validation faces above "
              "their reconstructions)."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    args.argv = argv
    os.makedirs(args.out_dir, exist_ok=True)
    train, validation = load_faces(args.dataset, args.data_dir)
    with contextlib.redirect_stdout(sys.stderr):
        rows = [train_network("control", 0, train, validation, args),
                train_network("pruned", args.units_to_prune, train, validation, args)]
    save_loss_curves(rows, os.path.join(args.out_dir, "loss_curves.png"))
    checks = criteria(rows)
    sizes = (len(train[0]), len(validation[0]))
    files.write_text(os.path.join(args.out_dir, "results.md"), markdown(rows, checks, args, sizes))
    results = {"settings": {key: value for key, value in vars(args).items()}, "backend": keras.backend.backend(),
               "train_images": sizes[0], "validation_images": sizes[1], "study": STUDY, "criteria": checks,
               "networks": rows}
    files.write_text(os.path.join(args.out_dir, "results.json"), json.dumps(results, indent=2))
    print(json.dumps({"criteria": checks, "networks": [
        {key: value for key, value in row.items() if key != "history"} for row in rows]}))
    return results


if __name__ == "__main__":
    main()
