"""Images per second of data-parallel training on one and two devices, per engine.

    python benchmarks/scale.py                    # JAX and TensorFlow, 1 and 2 devices, writes docs/results.md
    python benchmarks/scale.py --devices 1,2,4 --no-write

Each (backend, devices) pair runs in its own process (JAX reads its device count, TensorFlow splits its
CPU, only before starting), inside `training.data_parallel(devices)`: atl_lenet's AE phase and CNN phase
at batch 512, images/s over the second of two epochs (compilation excluded). On a CPU the "devices" are
slices of the same cores, so this measures the engines' overhead of splitting a step, not added hardware;
on a machine with several accelerators the same command measures the speed-up.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKENDS = ("jax", "tensorflow")


def measure(devices, images_count, batch_size):
    """Run in one process; the images/s of each phase on ``devices`` devices."""
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
    result = {"backend": keras.backend.backend(), "devices": devices}
    with training.data_parallel(devices) as engine:
        keras.utils.set_random_seed(0)
        model = models.load("atl_lenet")
        runner = training.PhaseRunner(model, training.TrainingConfig(batch_size=batch_size, verbose=0))
        for name, phase in {"ae": training.Phase("ae", "autoencoder", ("encoder", "decoder"), epochs=2),
                            "cnn": training.Phase("cnn", "classifier", ("encoder", "classifier"), epochs=2)}.items():
            timer = EpochTimer()
            runner.run(phase, images, labels, callbacks=[timer])
            result[f"{name}_images_per_s"] = images_count / timer.seconds
        result["engine"] = type(engine).__name__ if engine is not None else "none"
    return result


def table(results, args):
    lines = [
        "## Data-parallel training: one and two devices per engine",
        "",
        f"Command: `{' '.join(['python benchmarks/scale.py', *args.argv])}` (atl_lenet, batch {args.batch_size}, "
        f"images/s over the second of two epochs on {args.images:,} images; each run alone in its process). "
        "On this CPU the devices are slices of the same two cores, so the column measures what splitting a "
        "step costs each engine, not a speed-up.",
        "",
        "| backend | engine | devices | AE phase img/s | CNN phase img/s | AE vs 1 device | CNN vs 1 device |",
        "|---|---|---|---|---|---|---|",
    ]
    single = {r["backend"]: r for r in results if r["devices"] == 1}
    for r in results:
        base = single.get(r["backend"])
        ratios = [f"{r[key] / base[key]:.2f}x" if base else "-" for key in ("ae_images_per_s", "cnn_images_per_s")]
        lines.append(f"| {r['backend']} | {r['engine']} | {r['devices']} | {r['ae_images_per_s']:,.0f} "
                     f"| {r['cnn_images_per_s']:,.0f} | {ratios[0]} | {ratios[1]} |")
    return "\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--devices", default="1,2", help="device counts to measure")
    parser.add_argument("--images", type=int, default=10_240)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/results.md alone")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.argv = argv
    if args.child:
        print(json.dumps(measure(args.child, args.images, args.batch_size)))
        return None
    results = [report.run_child(__file__, ["--child", devices, "--images", args.images, "--batch-size",
                                           args.batch_size], backend, PYTHONPATH=REPO,
                                **({"XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}"}
                                   if backend == "jax" else {}))
               for backend in args.backends.split(",") for devices in map(int, args.devices.split(","))]
    report.publish("scale", table(results, args), results, write=not args.no_write)
    return results


if __name__ == "__main__":
    main()
