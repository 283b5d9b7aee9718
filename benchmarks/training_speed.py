"""Training speed of one ATL epoch set on each Keras backend against a plain PyTorch loop, and the cost of
switching phases.

    python benchmarks/training_speed.py                   # all backends and the peer, writes docs/results.md
    python benchmarks/training_speed.py --backends jax --networks atl_lenet --images 2048 --no-write

One invocation runs, each in a subprocess of its own: every Keras backend (``--child``), then the plain
PyTorch peer (`torch_peer.py`, no Keras). Each times one ATL epoch set (Algorithm 1's four phases, one epoch
each, batch 512, Adam at 1e-3, and the two held-out measurements of the recipe on 1,000 images) for two
networks: ``atl_lenet`` on 28x28x1 images (60,000 by default, MNIST's training set size) and the bigger
``cifar_conv_ae`` on 32x32x3 images (5,120 by default, so the whole benchmark stays near 15 minutes on 2
cores), so the ratio is not LeNet's alone. Both sides draw the same random uint8 images from the same seed:
pixel values do not change the cost of a step.

The Keras side runs the package's own recipe (``training.get_recipe("atl")``) on a freshly built model and
times each whole phase (`PhaseRunner.run`: compile or optimizer restart, the frozen compressor's latents of
the classifier-only and decompressor-only phases, and the fit), not only its fit. For ``atl_lenet`` it also
keeps the older measurements: images per second of each phase over the second of two epochs (compilation
excluded; the frozen-compressor phases train on cached latents), and the overhead of one phase switch (the
first batch after a switch minus a steady batch).

The table gives each backend's phase and epoch-set seconds and the peer's epoch-set seconds divided by the
backend's ("x faster than the peer": above 1, the backend is faster). JSON of everything on stdout, progress
on stderr.
"""

import argparse
import contextlib
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import report  # noqa: E402

REPO = os.path.dirname(HERE)
BACKENDS = ("tensorflow", "jax", "torch")
PEER = "pytorch peer"
NETWORKS = {"atl_lenet": (28, 28, 1), "cifar_conv_ae": (32, 32, 3)}  # zoo name -> image shape (H, W, C)
PHASES = ("ae", "classifier_only", "cnn", "decoder_only")  # Algorithm 1's order
NUM_CLASSES = 10
HELD_OUT = 1_000  # the first images, also the recipe's held-out set
PHASE_TITLES = {"ae": "AE", "classifier_only": "classifier only", "cnn": "CNN",
                "decoder_only": "decompressor only"}
# (network, trainable parts) of each of the recipe's phases -> the peer's phase names.
RECIPE_PHASES = {("autoencoder", ("decoder", "encoder")): "ae", ("classifier", ("classifier",)): "classifier_only",
                 ("classifier", ("classifier", "encoder")): "cnn", ("autoencoder", ("decoder",)): "decoder_only"}


def random_images(count, shape, seed=0):
    """``count`` random uint8 images (N, H, W, C) and integer labels, the same on every side from the same
    seed: pixel values do not change the cost of a step, so the benchmark needs no data set."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (count, *shape), dtype=np.uint8), rng.integers(0, NUM_CLASSES, count)


# --- Keras side (runs in a child process per backend) -------------------------------------------------------


@contextlib.contextmanager
def timed_phases(runner_class):
    """Record ``(phase key, start, end)`` of every `PhaseRunner.run` while the block runs.

    The recipe builds its runner itself, so the whole phase (latents of a frozen compressor included, which
    a fit callback would miss) is timed by wrapping the class's ``run`` for the block, then restoring it."""
    log, original = [], runner_class.run

    def run(self, phase, *args, **kwargs):
        start = time.perf_counter()
        try:
            return original(self, phase, *args, **kwargs)
        finally:
            key = RECIPE_PHASES.get((phase.network, tuple(sorted(phase.trainable))), phase.name)
            log.append((key, start, time.perf_counter()))

    runner_class.run = run
    try:
        yield log
    finally:
        runner_class.run = original


def split_epoch_sets(log, start, end):
    """The phase log of a recipe run from ``start`` to ``end`` cut into epoch sets: each set's phase seconds
    and its wall seconds (from its first phase's start, the run's start for the first set, to the next set's
    first phase, or the run's end), which include the held-out measurements."""
    if len(log) % len(PHASES) or [key for key, _, _ in log[: len(PHASES)]] != list(PHASES):
        raise AssertionError(f"Unexpected phases in the ATL recipe: {[key for key, _, _ in log]}")
    sets = [log[index:index + len(PHASES)] for index in range(0, len(log), len(PHASES))]
    starts = [start] + [phases[0][1] for phases in sets[1:]]
    ends = starts[1:] + [end]
    return [{"phases_s": {key: stop - begin for key, begin, stop in phases}, "epoch_set_s": stop - begin}
            for phases, begin, stop in zip(sets, starts, ends)]


def keras_epoch_sets(name, count, batch_size, epoch_sets):
    """Time ``epoch_sets`` ATL epoch sets of zoo model ``name``, freshly built, through the package's recipe."""
    import keras

    from keras_jointcomp import models, training
    from keras_jointcomp.training.phases import PhaseRunner

    images, labels = random_images(count, NETWORKS[name])
    keras.utils.set_random_seed(0)
    model = models.load(name)
    config = training.TrainingConfig(batch_size=batch_size, verbose=0)
    recipe = training.get_recipe("atl")
    with timed_phases(PhaseRunner) as log:
        start = time.perf_counter()
        records = recipe(model, (images, labels), 0, config, validation=(images[:HELD_OUT], labels[:HELD_OUT]),
                         epoch_sets=epoch_sets, patience=epoch_sets)
        end = time.perf_counter()
    sets = split_epoch_sets(log, start, end)
    return {"images": count, "params": int(model.count_params()), "epoch_sets": sets, **sets[-1],
            "accuracy": records[-1]["accuracy"], "psnr_db": records[-1]["psnr_db"]}


def keras_rates(images_count, batch_size):
    """atl_lenet's images per second of each phase (second of two epochs) and the overhead of a phase switch."""
    import keras

    from keras_jointcomp import models, training

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds = time.perf_counter() - self.start

    images, labels = random_images(images_count, NETWORKS["atl_lenet"])
    keras.utils.set_random_seed(0)
    runner = training.PhaseRunner(models.load("atl_lenet"),
                                  training.TrainingConfig(batch_size=batch_size, verbose=0))
    phases = {
        "ae": training.Phase("ae", "autoencoder", ("encoder", "decoder"), epochs=2),
        "cnn": training.Phase("cnn", "classifier", ("encoder", "classifier"), epochs=2),
        "classifier_only": training.Phase("cls", "classifier", ("classifier",), epochs=2),
        "decoder_only": training.Phase("dec", "autoencoder", ("decoder",), epochs=2),
    }
    result = {"images": images_count}
    for name, phase in phases.items():
        timer = EpochTimer()
        runner.run(phase, images, labels, callbacks=[timer])
        result[f"{name}_images_per_s"] = images_count / timer.seconds

    one_batch = (images[:batch_size], labels[:batch_size])
    switches, steady = [], []
    for phase in [phases["ae"], phases["cnn"]] * 3:
        single = training.Phase(phase.name, phase.network, phase.trainable, epochs=1)
        start = time.perf_counter()
        runner.run(single, *one_batch)  # right after a switch: compile or restart, retrace, one batch
        switches.append(time.perf_counter() - start)
        start = time.perf_counter()
        runner.network(single.network).fit(*_targets(single, one_batch), batch_size=batch_size, epochs=1,
                                           verbose=0)
        steady.append(time.perf_counter() - start)
    result["switch_overhead_s"] = float(np.median(switches) - np.median(steady))
    return result


def _targets(phase, batch):
    images, labels = batch
    floats = images.astype("float32") / 255.0
    return (floats, floats) if phase.network == "autoencoder" else (floats, labels)


def measure(args):
    """Everything one backend measures (run in the child): epoch sets per network, then atl_lenet's rates."""
    import keras

    result = {"backend": keras.backend.backend(), "networks": {}}
    for name in args.networks.split(","):
        result["networks"][name] = keras_epoch_sets(name, image_count(args, name), args.batch_size, args.epoch_sets)
        print(f"[{result['backend']}] {name}: {json.dumps(result['networks'][name])}", file=sys.stderr, flush=True)
    if "atl_lenet" in args.networks.split(",") and args.rate_images:
        result["rates"] = keras_rates(args.rate_images, args.batch_size)
    return result


def image_count(args, name):
    """The training images of network ``name``: ``--images`` for atl_lenet, ``--cifar-images`` for the other."""
    return {"atl_lenet": args.images, "cifar_conv_ae": args.cifar_images}[name]


# --- The driver ---------------------------------------------------------------------------------------------


def sizes(args):
    """The size options a child or the peer gets, as arguments."""
    return ["--networks", args.networks, "--images", str(args.images), "--cifar-images", str(args.cifar_images),
            "--batch-size", str(args.batch_size), "--epoch-sets", str(args.epoch_sets)]


def run_all(args):
    """Each backend in a subprocess of its own, then the peer; returns their results in that order."""
    results = [report.run_child(__file__, ["--child", *sizes(args), "--rate-images", args.rate_images], backend,
                                PYTHONPATH=REPO) for backend in args.backends.split(",")]
    if not args.no_peer:
        results.append(report.run_child(os.path.join(HERE, "torch_peer.py"), sizes(args), PYTHONPATH=REPO))
    return results


def network_table(name, results):
    """One network's rows: phase seconds, epoch-set seconds and the peer's time over each backend's."""
    rows = [r for r in results if name in r["networks"]]
    peer = next((r["networks"][name] for r in rows if r["backend"] == PEER), None)
    first = rows[0]["networks"][name]
    several = len(first["epoch_sets"]) > 1
    height, width, channels = NETWORKS[name]
    lines = [f"**{name}** ({height}x{width}x{channels}, {first['params']:,} parameters, {first['images']:,} images"
             + (f"; the last of {len(first['epoch_sets'])} epoch sets" if several else "") + ")",
             "",
             "| backend | " + " | ".join(f"{PHASE_TITLES[p]} s" for p in PHASES)
             + (" | first epoch set s" if several else "") + " | epoch set s | x faster than the peer |",
             "|---|" + "---|" * (len(PHASES) + several + 2)]
    for r in rows:
        measured = r["networks"][name]
        ratio = "" if peer is None else f"{peer['epoch_set_s'] / measured['epoch_set_s']:.2f}"
        cells = [f"{measured['phases_s'][p]:.1f}" for p in PHASES]
        if several:
            cells.append(f"{measured['epoch_sets'][0]['epoch_set_s']:.1f}")
        lines.append(f"| {r['backend']} | " + " | ".join([*cells, f"{measured['epoch_set_s']:.1f}", ratio]) + " |")
    return lines


def rates_table(results):
    """atl_lenet's images per second per phase and phase-switch overhead, Keras backends only."""
    rows = [r for r in results if "rates" in r]
    if not rows:
        return []
    return [f"**atl_lenet per phase** (images/s over the second of two epochs on {rows[0]['rates']['images']:,} "
            "images; the classifier-only and decompressor-only phases train on latents computed once per phase, "
            "so the frozen compressor's forward pass is not in their images/s; the switch overhead is the first "
            "batch after a phase switch minus a steady batch)",
            "",
            "| backend | AE phase img/s | CNN phase img/s | classifier only img/s | decompressor only img/s "
            "| phase switch overhead s |",
            "|---|---|---|---|---|---|",
            *(f"| {r['backend']} | {r['rates']['ae_images_per_s']:,.0f} | {r['rates']['cnn_images_per_s']:,.0f} "
              f"| {r['rates']['classifier_only_images_per_s']:,.0f} "
              f"| {r['rates']['decoder_only_images_per_s']:,.0f} | {r['rates']['switch_overhead_s']:.2f} |"
              for r in rows)]


def table(results, args):
    """The Markdown section: the command, what is timed, one table per network, then the rates."""
    lines = [
        "## Training speed per backend against a plain PyTorch loop",
        "",
        f"Command: `{' '.join(['python benchmarks/training_speed.py', *args.argv])}`. One ATL epoch set: "
        f"Algorithm 1's four phases, one epoch each, batch {args.batch_size}, Adam at 1e-3, and the recipe's two "
        f"held-out measurements on the first {HELD_OUT:,} images, on random uint8 images (pixel values do not "
        "change the cost). Keras backends run the package's recipe on a freshly built model, in a process each; "
        "each phase's seconds are its whole `PhaseRunner.run` (compile, the frozen compressor's latents, fit). The "
        "peer is "
        "`benchmarks/torch_peer.py`: the same architectures as plain nn.Modules (equal parameter counts) in a "
        "hand-written loop with torch's default threads. x faster than the peer = peer epoch set s / backend "
        "epoch set s.",
        "",
    ]
    for name in args.networks.split(","):
        lines += network_table(name, results) + [""]
    return "\n".join(lines + rates_table(results)).rstrip()


def parse(argv):
    """The options, checked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated Keras backends")
    parser.add_argument("--networks", default=",".join(NETWORKS), help=f"comma-separated: {', '.join(NETWORKS)}")
    parser.add_argument("--images", type=int, default=60_000, help="atl_lenet's training images")
    parser.add_argument("--cifar-images", type=int, default=5_120, help="cifar_conv_ae's training images")
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--epoch-sets", type=int, default=1,
                        help="epoch sets per network; the table shows the last (and the first's total)")
    parser.add_argument("--rate-images", type=int, default=10_240,
                        help="images for atl_lenet's per-phase images/s on the Keras backends (0: skip)")
    parser.add_argument("--no-peer", action="store_true", help="skip the PyTorch peer (no ratio column values)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/results.md alone")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = set(args.networks.split(",")) - set(NETWORKS)
    if unknown:
        parser.error(f"unknown networks {sorted(unknown)}; choose from {', '.join(NETWORKS)}")
    if min(args.images, args.cifar_images, args.batch_size, args.epoch_sets) < 1:
        parser.error("--images, --cifar-images, --batch-size and --epoch-sets must be at least 1")
    args.argv = argv
    return args


def main(argv=None):
    """Measure every backend and the peer, print the table (and write it into docs/results.md unless
    ``--no-write``); returns the results."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse(argv)
    if args.child:
        print(json.dumps(measure(args)))
        return None
    results = run_all(args)
    report.publish("training_speed", table(results, args), results, write=not args.no_write)
    return results


if __name__ == "__main__":
    main()
