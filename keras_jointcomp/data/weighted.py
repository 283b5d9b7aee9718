"""Batches with per-sample weights for chosen outputs: class weights for the classification loss only.

Keras 3 refuses ``class_weight`` for models with several (dict) outputs. The equivalent is a per-sample
weight, the class weight of each image's label, on the "logits" output alone. Keras 3.15 applies a dict of
sample weights output by output, on every backend, when the dict has **every** output of the model and each
weight broadcasts against that output's per-element loss (checked on TensorFlow, JAX and torch):

- a dict missing an output fails (``KeyError`` in the loss on every backend);
- ``None`` for an output fails on TensorFlow (the PyDataset's structure check);
- (B,) weights for an image output's loss, whose values are (B, H, W), fail on TensorFlow and on the other
  backends broadcast against the *width* axis: silently wrong when B == W.

So `WeightedBatches` gives each unweighted output ones of rank (B, 1, ...) matching its loss values, and the
weighted outputs their per-image weights. With Keras' default "sum_over_batch_size" reduction the weighted
cross-entropy of a batch is mean_i(w_i * ce_i), what ``class_weight`` computes for single-output models.

    weights = class_sample_weights(labels, data.class_weights(labels))
    train = weighted_batches(x, {"reconstruction": "images", "logits": labels}, {"logits": weights},
                             batch_size=64, shuffle=True, seed=0, transform=augment.cifar_policy())
    joint_model.fit(train, epochs=10)   # batches: (images, {output: targets}, {output: weights})
"""

import numpy as np

from keras_jointcomp.data.pipeline import ImageBatches


def class_sample_weights(labels, weights):
    """Per-image weights from ``weights`` = {class: weight} (e.g. `class_weights(labels)`); classes missing
    from ``weights`` weigh 1. Returns float32 (N,)."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D integer array, got shape {labels.shape} dtype {labels.dtype}")
    table = np.ones(max([int(labels.max(initial=-1)) + 1, *(int(key) + 1 for key in weights)]), np.float32)
    for label, weight in weights.items():
        table[int(label)] = weight
    return table[labels]


class WeightedBatches(ImageBatches):
    """An `ImageBatches` whose batches also carry sample weights: (images, targets, weights).

    ``sample_weight`` is a dict {output name: (N,) weights} for dict targets (outputs it does not name get
    weight 1, shaped to broadcast over their loss values: (B, 1, 1) for an image target, (B,) for labels),
    or one (N,) array for array targets. Everything else (shuffling, seeds, transform) is `ImageBatches`'.
    """

    def __init__(self, images, labels, sample_weight, batch_size=32, shuffle=False, seed=None, transform=None,
                 **kwargs):
        super().__init__(images, labels, batch_size=batch_size, shuffle=shuffle, seed=seed, transform=transform,
                         **kwargs)
        if self.targets is None:
            raise ValueError("WeightedBatches needs targets (labels): sample weights weigh their losses.")
        self.sample_weight = _check_weights(sample_weight, self.targets, len(self.images))

    def __getitem__(self, index):
        inputs, targets = super().__getitem__(index)
        rows = self.order[index * self.batch_size:(index + 1) * self.batch_size]
        if not isinstance(targets, dict):
            return inputs, targets, _broadcastable(self.sample_weight[rows], targets)
        weights = {key: _broadcastable(self.sample_weight[key][rows] if key in self.sample_weight
                                       else np.ones(len(rows), np.float32), value)
                   for key, value in targets.items()}
        return inputs, targets, weights


def weighted_batches(images, labels, sample_weight, batch_size=32, shuffle=False, seed=None, transform=None):
    """A `WeightedBatches` PyDataset: `data.batches` plus per-sample weights for chosen outputs.

    Example (class weights on the classification loss of a joint model only):
        weighted_batches(x, {"reconstruction": "images", "logits": y},
                         {"logits": class_sample_weights(y, class_weights(y))}, batch_size=64, shuffle=True)
    """
    return WeightedBatches(images, labels, sample_weight, batch_size=batch_size, shuffle=shuffle, seed=seed,
                           transform=transform)


def _broadcastable(weights, target):
    """``weights`` (B,) as float32 with trailing unit axes, one fewer than the target has: the rank of a loss
    that reduces the last axis ((B, H, W) for images (B, H, W, C)), (B,) for integer labels."""
    target_rank = np.ndim(target)
    return np.asarray(weights, np.float32).reshape((-1,) + (1,) * max(target_rank - 2, 0))


def _check_weights(sample_weight, targets, count):
    def check(array, what):
        array = np.asarray(array, np.float32)
        if array.shape != (count,):
            raise ValueError(f"{what} must have one weight per image ({count}), got shape {array.shape}")
        return array

    if isinstance(targets, dict):
        if not isinstance(sample_weight, dict):
            raise ValueError(f"Dict targets need dict sample weights {{output: weights}}; outputs: {sorted(targets)}")
        unknown = set(sample_weight) - set(targets)
        if unknown:
            raise ValueError(f"Sample weights for unknown outputs {sorted(unknown)}; outputs: {sorted(targets)}")
        return {key: check(value, f"sample weights of {key!r}") for key, value in sample_weight.items()}
    if isinstance(sample_weight, dict):
        raise ValueError("Single targets need one (N,) array of sample weights, not a dict.")
    return check(sample_weight, "sample weights")
