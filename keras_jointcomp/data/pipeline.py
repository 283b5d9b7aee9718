"""Feed numpy images to `model.fit` / `evaluate` / `predict` on any backend as float32 batches.

`batches(images, labels)` returns an `ImageBatches`, a `keras.utils.PyDataset`: Keras drives it the same
way on TensorFlow, JAX and PyTorch. Images follow the package's input contract (`data.checks`): uint8
0..255 as `data.load` returns them, or float images in [0, 1]. Float images are converted once, at
construction, to 8-bit data (`as_uint8`: np.rint(x * 255)), so floats that came from uint8 images give exactly
the same batches. Images stay uint8 in memory (4x smaller) and are scaled to [0, 1] one batch at a time, after
an optional `transform` hook meant for PIL-style augmentations.

Targets (`labels`) may be:
- None: batches are images only (for `predict`);
- an array with one entry per image: batches are (images, targets);
- the string "images": batches are (images, images), an autoencoder's input and target;
- a dict {output name: array or "images"}: batches are (images, {name: targets}), where the string
  "images" stands for the (transformed, scaled) input batch itself, e.g. an autoencoder's target:
  `batches(x, {"reconstruction": "images", "logits": y})`.
"""

import keras
import numpy as np

from keras_jointcomp.data.checks import as_uint8
from keras_jointcomp.data.preprocessing import to_float

IMAGES = "images"


class ImageBatches(keras.utils.PyDataset):
    """Batches of float32 [0, 1] images (and targets) drawn from uint8 arrays.

    Images: uint8 (N, H, W, C) 0..255, or float images in [0, 1], held as uint8 (`data.as_uint8`: floats are
    read as 8-bit data); anything else is an `ImageInputError` (a ValueError) naming the problem.

    Shuffling: with `shuffle=True` the order of epoch e is `default_rng([seed, e])`'s permutation, and
    `on_epoch_end` (called by Keras) moves to the next epoch, so every epoch differs and a run with the same
    seed repeats exactly. `seed=None` draws a fresh seed once, at construction.

    Transform: `transform(batch_images, rng)` receives the uint8 batch (B, H, W, C) and a numpy Generator
    seeded by (seed, epoch, batch index), and must return a uint8 array with B images; its output is
    then scaled to [0, 1]. Seeding per batch keeps results reproducible even with several workers.

    Extra keyword arguments (`workers`, `use_multiprocessing`, `max_queue_size`) go to `PyDataset`, over
    `feeding_defaults()`.
    """

    def __init__(
        self, images, labels=None, batch_size=32, shuffle=False, seed=None, transform=None, **kwargs
    ):
        super().__init__(**{**feeding_defaults(), **kwargs})
        self.images = as_uint8(images)
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.targets = _check_targets(labels, len(self.images))
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.seed = np.random.SeedSequence().entropy if seed is None else int(seed)
        self.transform = transform
        self.replicas = replicas()
        self.epoch = 0
        self.order = self._epoch_order()

    def __len__(self):
        return batch_count(len(self.images), self.batch_size, self.shuffle, self.replicas)

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"batch index {index} out of range for {len(self)} batches")
        rows = batch_rows(self.order, index, self.batch_size, self.shuffle, self.replicas)
        batch = self.images[rows]
        if self.transform is not None:
            batch = self._apply_transform(batch, index)
        inputs = to_float(batch)
        if self.targets is None:
            return inputs
        if isinstance(self.targets, str):
            return inputs, inputs
        if isinstance(self.targets, dict):
            return inputs, {
                key: inputs if isinstance(value, str) else value[rows] for key, value in self.targets.items()
            }
        return inputs, self.targets[rows]

    def on_epoch_end(self):
        """Move to the next epoch: a new (seeded) order when shuffling."""
        self.epoch += 1
        self.order = self._epoch_order()

    def start_at_epoch(self, epoch):
        """Order the batches as epoch ``epoch`` (a training resumed there sees what it would have seen)."""
        self.epoch = int(epoch)
        self.order = self._epoch_order()

    def _epoch_order(self):
        if not self.shuffle:
            return np.arange(len(self.images))
        return np.random.default_rng([self.seed, self.epoch]).permutation(len(self.images))

    def _apply_transform(self, batch, index):
        rng = np.random.default_rng([self.seed, self.epoch, index])
        transformed = np.asarray(self.transform(batch, rng))
        if transformed.dtype != np.uint8 or len(transformed) != len(batch):
            raise ValueError(
                f"transform must return {len(batch)} uint8 images, got {len(transformed)} of dtype "
                f"{transformed.dtype}"
            )
        return transformed


class ArrayBatches(keras.utils.PyDataset):
    """Batches of ``(inputs, targets)`` float arrays (a head's latents and targets), in an order drawn from
    ``(seed, epoch)`` when shuffling, so that every epoch differs and a fit resumed at any epoch sees the
    batches an uninterrupted one would have."""

    def __init__(self, inputs, targets, batch_size, shuffle=False, seed=0, **kwargs):
        super().__init__(**{**feeding_defaults(), **kwargs})
        self.inputs, self.targets = inputs, targets
        self.batch_size, self.shuffle, self.seed = int(batch_size), shuffle, int(seed)
        self.replicas = replicas()
        self.start_at_epoch(0)

    def __len__(self):
        return batch_count(len(self.inputs), self.batch_size, self.shuffle, self.replicas)

    def __getitem__(self, index):
        rows = batch_rows(self.order, index, self.batch_size, self.shuffle, self.replicas)
        return self.inputs[rows], self.targets[rows]

    def on_epoch_end(self):
        self.start_at_epoch(self.epoch + 1)

    def start_at_epoch(self, epoch):
        """Order the batches as epoch ``epoch``."""
        self.epoch = int(epoch)
        count = len(self.inputs)
        self.order = (np.random.default_rng([self.seed, self.epoch]).permutation(count) if self.shuffle
                      else np.arange(count))


def feeding_defaults():
    """The `PyDataset` settings (workers) every data set of the package starts from on this backend.

    TensorFlow gets two worker threads. Keras feeds a one-worker PyDataset (or arrays) to TensorFlow through
    a tf.data pipeline with autotuning on, and destroying that pipeline when a fit ends waits for the
    autotuner's thread: up to 2 s after about half of all fits, whatever the model (docs/results.md,
    "TensorFlow: the end of a fit, outside the package"). With more than one worker Keras reads the batches
    through its own ordered thread pool and turns tf.data's autotuning off; the batches and their order stay
    the same (every batch is drawn from (seed, epoch, index)). JAX and PyTorch keep one worker: there Keras'
    thread pool would start a fit one data-set epoch earlier than one worker does, and nothing stalls."""
    return {"workers": 2} if keras.backend.backend() == "tensorflow" else {}


def replicas():
    """The devices each batch is split between under the active Keras distribution (JAX data-parallel,
    `training.data_parallel`), which shards every batch evenly; 1 without one."""
    distribution = keras.distribution.distribution()
    return int(getattr(distribution, "num_model_replicas", 1)) if distribution is not None else 1


def batch_count(count, batch_size, shuffle, replicas=1):
    """Batches of an epoch over ``count`` items: a training epoch (``shuffle``) drops a last batch smaller
    than ``replicas``, which cannot be split between them."""
    full, rest = divmod(count, batch_size)
    return full + (rest >= (replicas if shuffle else 1))


def batch_rows(order, index, batch_size, shuffle, replicas=1):
    """The rows of batch ``index``, a multiple of ``replicas`` long: a training epoch's last batch loses
    its last few rows (the next epoch draws a new order), an inference batch repeats its last row (`predict`
    cuts those outputs; a fit's validation metrics count those at most ``replicas - 1`` images twice)."""
    rows = order[index * batch_size:(index + 1) * batch_size]
    extra = len(rows) % replicas
    if not extra:
        return rows
    if shuffle:
        return rows[:len(rows) - extra]
    return np.concatenate([rows, np.repeat(rows[-1:], replicas - extra)])


def predict(network, images, batch_size):
    """``network.predict`` over ``images`` in batches of ``batch_size``, on the devices of the active
    distribution too: there the last batch is padded to split evenly (and its extra outputs cut), and a
    compiled predict step made before the latest change of trainable parts is dropped, since under a
    distribution JAX fixes the layout of the model's state in it rather than tracing again."""
    if replicas() > 1:
        network.predict_function = None
    return _trim_outputs(network.predict(batches(images, batch_size=batch_size), verbose=0), len(images))


def _trim_outputs(outputs, count):
    if isinstance(outputs, dict):
        return {key: value[:count] for key, value in outputs.items()}
    if isinstance(outputs, (list, tuple)):
        return type(outputs)(value[:count] for value in outputs)
    return outputs[:count]


def batches(images, labels=None, batch_size=32, shuffle=False, seed=None, transform=None):
    """Return an `ImageBatches` PyDataset over `images` (uint8 0..255, or floats in [0, 1] read as 8-bit
    data) and optional targets `labels`.

    `labels` may be None, an array, "images", or a dict {output name: array or "images"} (see the module
    docstring).

    Example:
        model.fit(batches(x, y, batch_size=128, shuffle=True, seed=0), epochs=5)
        model.predict(batches(x_test))
    """
    return ImageBatches(
        images, labels, batch_size=batch_size, shuffle=shuffle, seed=seed, transform=transform
    )


def _check_targets(labels, count):
    """None, "images", one array of `count` targets, or a dict of them (values arrays or "images")."""
    if labels is None:
        return None
    if isinstance(labels, str):
        return _check_image_target(labels, "labels")
    if not isinstance(labels, dict):
        return _check_target_array(np.asarray(labels), "labels", count)
    targets = {}
    for key, value in labels.items():
        if isinstance(value, str):
            targets[key] = _check_image_target(value, f"target {key!r}")
        else:
            targets[key] = _check_target_array(np.asarray(value), f"target {key!r}", count)
    return targets


def _check_image_target(value, what):
    if value != IMAGES:
        raise ValueError(f"{what}: the only string allowed is {IMAGES!r}, got {value!r}")
    return value


def _check_target_array(array, what, count):
    if array.ndim == 0 or len(array) != count:
        raise ValueError(f"{what} must have one entry per image ({count}), got shape {array.shape}")
    return array
