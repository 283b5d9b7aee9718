"""How long TensorFlow takes to return from `fit` after the last epoch, outside the package: plain Keras on a
plain `keras.utils.PyDataset`, with one worker (Keras feeds it through tf.data with autotuning on) and with
two (Keras' own thread pool; tf.data's autotuning off), the setting `keras_jointcomp.data.feeding_defaults`
chose for TensorFlow.

    python benchmarks/tf_data_teardown.py                 # writes section "tf_data_teardown" of docs/results.md
    python benchmarks/tf_data_teardown.py --fits 3 --no-write

Each fit is one epoch of a small convolutional classifier (28x28x1, batch 512) on random images; teardown
is the time from the last callback (``on_train_end``) to `fit` returning, which is when Keras drops its
tf.data iterator. Each setting runs in a TensorFlow process of its own, whatever KERAS_BACKEND says.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402


def teardowns(workers, fits, images_count, batch_size=512):
    """Seconds of every fit's teardown and of every whole fit (the first fit, which traces, left out)."""
    import keras

    class Batches(keras.utils.PyDataset):
        def __init__(self, images, labels, **kwargs):
            super().__init__(**kwargs)
            self.images, self.labels = images, labels

        def __len__(self):
            return len(self.images) // batch_size

        def __getitem__(self, index):
            rows = slice(index * batch_size, (index + 1) * batch_size)
            return self.images[rows], self.labels[rows]

    class TrainEnd(keras.callbacks.Callback):
        def on_train_end(self, logs=None):
            self.at = time.perf_counter()

    rng = np.random.default_rng(0)
    data = Batches(rng.random((images_count, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, images_count),
                   workers=workers)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(16, 5, activation="relu"),
                              keras.layers.MaxPooling2D(), keras.layers.Conv2D(32, 5, activation="relu"),
                              keras.layers.Flatten(), keras.layers.Dense(10)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(data, epochs=1, verbose=0, shuffle=False)
    rows = []
    for _ in range(fits):
        end = TrainEnd()
        start = time.perf_counter()
        model.fit(data, epochs=1, verbose=0, shuffle=False, callbacks=[end])
        returned = time.perf_counter()
        rows.append({"teardown_s": returned - end.at, "fit_s": returned - start})
    return rows


def table(results, args):
    lines = ["## TensorFlow: the end of a fit, outside the package", "",
             f"Command: `{' '.join(['python benchmarks/tf_data_teardown.py', *args.argv])}`. Plain Keras, "
             f"a small convolutional classifier, {args.fits} one-epoch fits on {args.images:,} random 28x28 "
             "images at batch 512 per setting; teardown: `on_train_end` to `fit` returning.", "",
             "| PyDataset workers | tf.data autotuning | teardowns over 0.5 s | median teardown s | longest teardown s "
             "| median fit s |", "|---|---|---|---|---|---|"]
    for workers, rows in results.items():
        teardown = [row["teardown_s"] for row in rows]
        lines.append(f"| {workers} | {'on' if workers == 1 else 'off'} | {sum(t > 0.5 for t in teardown)} of "
                     f"{len(rows)} | {np.median(teardown):.2f} | {max(teardown):.2f} "
                     f"| {np.median([row['fit_s'] for row in rows]):.2f} |")
    return "\n".join(lines)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fits", type=int, default=10)
    parser.add_argument("--images", type=int, default=10_240)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/results.md alone")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.fits < 1 or args.images < 512:
        parser.error("--fits must be at least 1 and --images at least one batch (512)")
    args.argv = argv
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse(argv)
    if args.child:
        print(json.dumps(teardowns(args.child, args.fits, args.images)))
        return None
    results = {workers: report.run_child(__file__, ["--child", workers, "--fits", args.fits, "--images", args.images],
                                         "tensorflow") for workers in (1, 2)}
    report.publish("tf_data_teardown", table(results, args), {str(k): v for k, v in results.items()},
                   write=not args.no_write)
    return results


if __name__ == "__main__":
    main()
