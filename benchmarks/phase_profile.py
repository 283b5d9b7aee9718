"""Where the time of each ATL phase goes on one Keras backend: train steps, input pipeline, the frozen
compressor's latents, and everything else.

    python benchmarks/phase_profile.py                       # each backend in its own process, writes docs/results.md
    python benchmarks/phase_profile.py --backends tensorflow --images 10240 --no-write

For atl_lenet at batch 512 on random uint8 images, each backend runs Algorithm 1's four phases twice through
`PhaseRunner.run` (the second pass reuses the compiled steps, as every ATL epoch set after the first does)
and splits each phase of the second pass into: the sum of the train steps (timed from Keras'
``on_train_batch_begin`` to ``on_train_batch_end``, which under every backend includes fetching that batch
from the PyDataset), the first step, and the rest of the phase (latents of the frozen compressor, compile or
optimizer restart, fit's set-up). Two more figures separate the input pipeline from the step: the PyDataset
alone (every batch of an epoch, no model), and one AE epoch fed from in-memory float arrays (Keras' array
adapter) against the same epoch from the package's PyDataset.
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
PHASES = (("ae", "autoencoder", ("encoder", "decoder")), ("classifier_only", "classifier", ("classifier",)),
          ("cnn", "classifier", ("encoder", "classifier")), ("decoder_only", "autoencoder", ("decoder",)))


def profile(images_count, batch_size):
    """The second pass's split of every phase, and the input-pipeline figures (run in the child)."""
    import keras

    from keras_jointcomp import models, training
    from keras_jointcomp.data import batches

    class StepTimer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.steps = []

        def on_train_batch_begin(self, batch, logs=None):
            self.started = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            self.steps.append(time.perf_counter() - self.started)

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (images_count, 28, 28, 1), dtype=np.uint8)
    labels = rng.integers(0, 10, images_count)
    keras.utils.set_random_seed(0)
    runner = training.PhaseRunner(models.load("atl_lenet"), training.TrainingConfig(batch_size=batch_size, verbose=0))
    phases = {key: training.Phase(key, network, trainable) for key, network, trainable in PHASES}
    result = {"backend": keras.backend.backend(), "images": images_count, "phases": {}}
    with counting_train_steps(keras) as traces:
        for _ in range(2):
            for key, phase in phases.items():
                timer = StepTimer()
                traced_before = traces["calls"]
                start = time.perf_counter()
                runner.run(phase, images, labels, callbacks=[timer])
                whole = time.perf_counter() - start
                steps = np.array(timer.steps)
                result["phases"][key] = {
                    "whole_s": whole, "steps_s": float(steps.sum()), "first_step_s": float(steps[0]),
                    "median_step_ms": float(1000 * np.median(steps)), "rest_s": whole - float(steps.sum()),
                    "traces": None if result["backend"] == "torch" else traces["calls"] - traced_before}
    data = batches(images, "images", batch_size, shuffle=True, seed=1)
    start = time.perf_counter()
    for index in range(len(data)):
        data[index]
    result["pipeline_alone_s"] = time.perf_counter() - start
    autoencoder = runner.compile(phases["ae"])  # the AE phase's trainable parts again (the last phase froze some)
    floats = images.astype("float32") / 255.0
    autoencoder.fit(floats, floats, batch_size=batch_size, epochs=1, verbose=0)  # compile for arrays
    start = time.perf_counter()
    autoencoder.fit(floats, floats, batch_size=batch_size, epochs=1, verbose=0)
    result["ae_epoch_from_arrays_s"] = time.perf_counter() - start
    start = time.perf_counter()
    runner.latents(images)
    result["latents_s"] = time.perf_counter() - start
    return result


@contextlib.contextmanager
def counting_train_steps(keras):
    """Count Python calls of every model's ``train_step`` inside the block: under TensorFlow and JAX Keras
    calls it only to trace (compile) the step, so the count is the number of traces; PyTorch runs it
    eagerly every step."""
    counter = {"calls": 0}
    own = keras.Model.__dict__.get("train_step")  # None: inherited from the backend's trainer
    original = keras.Model.train_step

    def counted(self, *args, **kwargs):
        counter["calls"] += 1
        return original(self, *args, **kwargs)

    keras.Model.train_step = counted
    try:
        yield counter
    finally:
        if own is None:
            del keras.Model.train_step
        else:
            keras.Model.train_step = own


def table(results, args):
    """The Markdown section."""
    lines = ["## Where an ATL phase's time goes (atl_lenet, per backend)", "",
             f"Command: `{' '.join(['python benchmarks/phase_profile.py', *args.argv])}`. {args.images:,} random "
             f"images, batch {args.batch_size}, the second of two passes over the four phases (compiled steps "
             "reused). Steps: the sum of the train steps (each fetching its batch); rest: the phase's time "
             "outside them (the frozen compressor's latents, optimizer restart, fit's set-up); traces: times the "
             "train step was traced in the phase (PyTorch runs eagerly: -).", "",
             "| backend | phase | whole s | steps s | first step s | median step ms | rest s | traces |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        for key, phase in r["phases"].items():
            lines.append(f"| {r['backend']} | {key} | {phase['whole_s']:.2f} | {phase['steps_s']:.2f} "
                         f"| {phase['first_step_s']:.2f} | {phase['median_step_ms']:.1f} | {phase['rest_s']:.2f} "
                         f"| {'-' if phase['traces'] is None else phase['traces']} |")
    lines += ["", "| backend | PyDataset alone, one epoch s | AE epoch from the PyDataset s | AE epoch from arrays s "
                  "| latents of all images s |", "|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['backend']} | {r['pipeline_alone_s']:.2f} | {r['phases']['ae']['whole_s']:.2f} "
                     f"| {r['ae_epoch_from_arrays_s']:.2f} | {r['latents_s']:.2f} |")
    return "\n".join(lines)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated Keras backends")
    parser.add_argument("--images", type=int, default=60_000)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/results.md alone")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.images, args.batch_size) < 1:
        parser.error("--images and --batch-size must be at least 1")
    unknown = set(args.backends.split(",")) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backends {sorted(unknown)}; choose from {', '.join(BACKENDS)}")
    args.argv = argv
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse(argv)
    if args.child:
        print(json.dumps(profile(args.images, args.batch_size)))
        return None
    results = [report.run_child(__file__, ["--child", "--images", str(args.images), "--batch-size",
                                           str(args.batch_size)], backend, PYTHONPATH=REPO)
               for backend in args.backends.split(",")]
    report.publish("phase_profile", table(results, args), results, write=not args.no_write)
    return results


if __name__ == "__main__":
    main()
