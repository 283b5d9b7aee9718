"""Small array helpers between loading and training: scaling, splits, imbalance, class weights.

They work on numpy arrays on the host, before any backend sees the data, so they behave the same on
TensorFlow, JAX and PyTorch. Every random choice takes a seed and is reproducible for it.
"""

import numpy as np


def to_float(images):
    """Scale uint8 images to float32 in [0, 1]; any other dtype raises TypeError naming it.

    Refusing other dtypes catches double scaling (floats already in [0, 1] divided again by 255).
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(f"to_float expects uint8 images, got dtype {images.dtype}")
    return images.astype(np.float32) / np.float32(255.0)


def train_validation_split(images, labels, validation_fraction=0.1, seed=0):
    """Split off a stratified validation set: ((x_train, y_train), (x_val, y_val)).

    Each class gives round(count * validation_fraction) randomly chosen examples (seeded) to validation,
    so class proportions are the same in both parts. Both parts keep the original order of the examples.
    """
    labels = _check_labels(images, labels)
    if not 0.0 < validation_fraction < 1.0:
        raise ValueError(f"validation_fraction must lie strictly between 0 and 1, got {validation_fraction}")
    rng = np.random.default_rng(seed)
    in_validation = np.zeros(len(labels), dtype=bool)
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        count = int(round(len(rows) * validation_fraction))
        in_validation[rng.choice(rows, size=count, replace=False)] = True
    if not in_validation.any():
        raise ValueError(
            f"A validation fraction of {validation_fraction} holds out no image of {len(labels)}: each class "
            "needs about 1 / fraction examples."
        )
    images = np.asarray(images)
    return (images[~in_validation], labels[~in_validation]), (images[in_validation], labels[in_validation])


def make_imbalanced(images, labels, classes, keep_fraction=0.5, seed=0):
    """Keep only `keep_fraction` of the examples of each class in `classes`, all examples of the others.

    Used to build imbalanced training sets, e.g. halving bird, deer and truck (labels 2, 4, 9) of CIFAR-10.
    The kept examples are chosen at random (seeded), round(count * keep_fraction) per listed class, and
    keep their original order. Returns (images, labels).
    """
    labels = _check_labels(images, labels)
    if not 0.0 <= keep_fraction <= 1.0:
        raise ValueError(f"keep_fraction must lie within [0, 1], got {keep_fraction}")
    rng = np.random.default_rng(seed)
    keep = np.ones(len(labels), dtype=bool)
    for label in classes:
        rows = np.flatnonzero(labels == label)
        if len(rows) == 0:
            raise ValueError(f"class {label} has no examples in labels")
        dropped = len(rows) - int(round(len(rows) * keep_fraction))
        keep[rng.choice(rows, size=dropped, replace=False)] = False
    return np.asarray(images)[keep], labels[keep]


def class_weights(labels, num_classes=None):
    """Balanced class weights {class: n / (K * count_class)}, usable as Keras' `class_weight`.

    n is the number of labels and K is `num_classes` if given, else the number of distinct labels (the
    'balanced' convention of scikit-learn). Keys are plain ints, values plain floats; classes without any
    example get no entry (Keras then weighs them 1.0, and they never occur anyway).
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D integer array, got shape {labels.shape} dtype {labels.dtype}")
    if len(labels) == 0:
        raise ValueError("labels is empty")
    if labels.min() < 0 or (num_classes is not None and labels.max() >= num_classes):
        raise ValueError(f"labels must lie within 0..num_classes-1, got {labels.min()}..{labels.max()}")
    present, counts = np.unique(labels, return_counts=True)
    num_classes = len(present) if num_classes is None else num_classes
    return {int(label): float(len(labels) / (num_classes * count)) for label, count in zip(present, counts)}


def _check_labels(images, labels):
    """Labels as a 1-D array with one entry per image."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(f"need one label per image: {len(images)} images, labels of shape {labels.shape}")
    return labels
