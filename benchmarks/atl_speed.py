"""Training speed of atl_lenet's phases on each Keras backend, and the cost of switching phases.

    python benchmarks/atl_speed.py                       # all three backends, writes docs/results.md
    python benchmarks/atl_speed.py --backends jax --images 2048 --no-write

For each backend (one subprocess each): images per second of the AE phase (compressor + decompressor) and
the CNN phase (compressor + classifier), timed on the second epoch so compilation is excluded; the same for
the two frozen-compressor phases (classifier only, decompressor only), which train on cached latents; the
overhead of one phase switch (recompile + retrace: the first batch after a switch minus a steady batch);
and the wall time of one ATL epoch set (Algorithm 1's four phases, one epoch each) on 60,000 images.
Pixel values do not change the cost, so the images are random; batch 512 as in the study.
"""

import argparse
import json
import os
import subprocess
import sys
import time

BACKENDS = ("tensorflow", "jax", "torch")
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def measure(images_count, epoch_set_images, batch_size):
    """Run in one backend; returns a dict of measurements."""
    import keras
    import numpy as np

    from keras_jointcomp import models, training

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds = time.perf_counter() - self.start

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (images_count, 28, 28, 1), dtype=np.uint8)
    labels = rng.integers(0, 10, images_count)
    keras.utils.set_random_seed(0)
    model = models.load("atl_lenet")
    runner = training.PhaseRunner(model, training.TrainingConfig(batch_size=batch_size, verbose=0))
    result = {"backend": keras.backend.backend()}
    phases = {
        "ae": training.Phase("ae", "autoencoder", ("encoder", "decoder"), epochs=2),
        "cnn": training.Phase("cnn", "classifier", ("encoder", "classifier"), epochs=2),
        "classifier_only": training.Phase("cls", "classifier", ("classifier",), epochs=2),
        "decoder_only": training.Phase("dec", "autoencoder", ("decoder",), epochs=2),
    }
    for name, phase in phases.items():
        timer = EpochTimer()
        runner.run(phase, images, labels, callbacks=[timer])
        result[f"{name}_images_per_s"] = images_count / timer.seconds

    one_batch = (images[:batch_size], labels[:batch_size])
    switches, steady = [], []
    for phase in [phases["ae"], phases["cnn"]] * 3:
        single = training.Phase(phase.name, phase.network, phase.trainable, epochs=1)
        start = time.perf_counter()
        runner.run(single, *one_batch)  # right after a switch: compile + retrace + one batch
        switches.append(time.perf_counter() - start)
        start = time.perf_counter()
        runner.network(single.network).fit(*_targets(runner, single, one_batch), batch_size=batch_size,
                                           epochs=1, verbose=0)
        steady.append(time.perf_counter() - start)
    result["switch_overhead_s"] = float(np.median(switches) - np.median(steady))

    big = rng.integers(0, 256, (epoch_set_images, 28, 28, 1), dtype=np.uint8)
    big_labels = rng.integers(0, 10, epoch_set_images)
    start = time.perf_counter()
    training.get_recipe("atl")(model, (big, big_labels), 0, runner.config,
                               validation=(images[:1000], labels[:1000]), epoch_sets=1)
    result["atl_epoch_set_s"] = time.perf_counter() - start
    result["atl_epoch_set_images"] = epoch_set_images
    return result


def _targets(runner, phase, batch):
    images, labels = batch
    floats = images.astype("float32") / 255.0
    return (floats, floats) if phase.network == "autoencoder" else (floats, labels)


def table(results, args):
    lines = [
        "## atl_lenet training speed per backend",
        "",
        f"Command: `{' '.join(['python benchmarks/atl_speed.py', *args.argv])}` (batch {args.batch_size}; images/s "
        f"over the second of two epochs on {args.images:,} images; ATL epoch set on "
        f"{args.epoch_set_images:,} images). The classifier-only and decompressor-only phases train on latents "
        "computed once per phase (the frozen compressor's forward pass is not in their images/s); the switch "
        "overhead is the first batch after a phase switch (recompile and retrace) minus a steady batch.",
        "",
        "| backend | AE phase img/s | CNN phase img/s | classifier only img/s | decompressor only img/s "
        "| phase switch overhead s | one ATL epoch set s |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r['backend']} | {r['ae_images_per_s']:,.0f} | {r['cnn_images_per_s']:,.0f} "
                     f"| {r['classifier_only_images_per_s']:,.0f} | {r['decoder_only_images_per_s']:,.0f} "
                     f"| {r['switch_overhead_s']:.2f} | {r['atl_epoch_set_s']:.0f} |")
    return "\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--images", type=int, default=10_240)
    parser.add_argument("--epoch-set-images", type=int, default=60_000)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/results.md alone")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.argv = argv
    if args.child:
        print(json.dumps(measure(args.images, args.epoch_set_images, args.batch_size)))
        return None
    results = []
    for backend in args.backends.split(","):
        command = [sys.executable, os.path.abspath(__file__), "--child", "--images", str(args.images),
                   "--epoch-set-images", str(args.epoch_set_images), "--batch-size", str(args.batch_size)]
        env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": REPO}
        output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), file=sys.stderr)
    markdown = table(results, args)
    if not args.no_write:
        sys.path.insert(0, HERE)
        from report import write_section

        write_section("atl_speed", markdown)
    print(markdown)
    return results


if __name__ == "__main__":
    main()
