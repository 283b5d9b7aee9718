"""Class-wise reports and reconstruction-error anomaly scores, in numpy.

    labels, predicted = test.labels, logits.argmax(-1)
    report = reports.classification_report(labels, predicted, class_names)   # confusion, precision, recall
    print(reports.confusion_markdown(report["confusion"], class_names))
    errors = reports.reconstruction_errors(images, reconstructions)          # per-image MSE on [0, 1]
    threshold = reports.anomaly_threshold(train_errors, percentile=99)       # flag the top 1 % of training
    reports.auroc(errors_normal, errors_anomalous)                           # 1.0: perfect separation

The CIFAR-10 autoencoder-features study printed a confusion matrix and class-wise scores (its imbalanced
classes bird, deer and truck) and proposed the autoencoder's reconstruction error to detect anomalous inputs
that the classifier would still put into one of its classes.
"""

import numpy as np


def confusion_matrix(labels, predictions, num_classes=None):
    """Counts (K, K): row = true class, column = predicted class. K is ``num_classes`` or one more than the
    largest label or prediction."""
    labels, predictions = _integer_vector(labels, "labels"), _integer_vector(predictions, "predictions")
    if len(labels) != len(predictions):
        raise ValueError(f"{len(labels)} labels but {len(predictions)} predictions.")
    largest = max(labels.max(initial=-1), predictions.max(initial=-1))
    num_classes = int(largest) + 1 if num_classes is None else int(num_classes)
    if min(labels.min(initial=0), predictions.min(initial=0)) < 0 or largest >= num_classes:
        raise ValueError(f"labels and predictions must lie within 0..{num_classes - 1}.")
    matrix = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def precision_recall(confusion):
    """Per-class precision (correct / predicted as the class), recall (correct / true members) and F1 from a
    confusion matrix, as float arrays; NaN where the class was never predicted (precision) or never occurs
    (recall)."""
    confusion = np.asarray(confusion, np.float64)
    correct = np.diag(confusion)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = correct / confusion.sum(axis=0)
        recall = correct / confusion.sum(axis=1)
        f1 = 2 * precision * recall / (precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1}


def classification_report(labels, predictions, class_names=None, num_classes=None):
    """Accuracy, confusion matrix and per-class precision, recall, F1 and support, as plain Python values
    (JSON-ready; NaN becomes None). ``class_names`` (one per class) label the per-class entries."""
    num_classes = len(class_names) if class_names is not None and num_classes is None else num_classes
    confusion = confusion_matrix(labels, predictions, num_classes)
    names = list(class_names) if class_names is not None else [str(index) for index in range(len(confusion))]
    if len(names) != len(confusion):
        raise ValueError(f"{len(names)} class names for {len(confusion)} classes.")
    scores = precision_recall(confusion)
    per_class = {name: {"precision": _number(scores["precision"][index]), "recall": _number(scores["recall"][index]),
                        "f1": _number(scores["f1"][index]), "support": int(confusion[index].sum())}
                 for index, name in enumerate(names)}
    return {"accuracy": float(np.trace(confusion) / max(confusion.sum(), 1)), "confusion": confusion.tolist(),
            "classes": names, "per_class": per_class}


def confusion_markdown(confusion, class_names=None):
    """A markdown table of the confusion matrix: rows true classes, columns predicted."""
    confusion = np.asarray(confusion)
    names = list(class_names) if class_names is not None else [str(index) for index in range(len(confusion))]
    lines = ["| true \\ predicted | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    lines += [f"| {name} | " + " | ".join(str(int(count)) for count in row) + " |"
              for name, row in zip(names, confusion)]
    return "\n".join(lines) + "\n"


# --- Anomaly scores from reconstruction error ----------------------------------------------------------------


def reconstruction_errors(images, reconstructions):
    """Per-image mean squared error on [0, 1] pixels. ``images`` may be uint8 (scaled by 1/255) or float in
    [0, 1]; ``reconstructions`` are float in [0, 1] (a model's "reconstruction" output)."""
    images = np.asarray(images)
    images = images.astype(np.float32) / 255.0 if images.dtype == np.uint8 else images.astype(np.float32)
    reconstructions = np.asarray(reconstructions, np.float32)
    if images.shape != reconstructions.shape:
        raise ValueError(f"images {images.shape} and reconstructions {reconstructions.shape} differ in shape.")
    return np.mean(np.square(images - reconstructions).reshape(len(images), -1), axis=1)


def anomaly_threshold(errors, percentile=99.0):
    """The ``percentile``-th percentile of reference errors (e.g. of the training images): errors above it
    are flagged as anomalies, so about (100 - percentile) % of reference-like images are false alarms."""
    errors = np.asarray(errors, np.float64)
    if errors.ndim != 1 or len(errors) == 0:
        raise ValueError(f"errors must be a non-empty 1-D array, got shape {errors.shape}.")
    if not 0.0 <= percentile <= 100.0:
        raise ValueError(f"percentile must lie within [0, 100], got {percentile}.")
    return float(np.percentile(errors, percentile))


def flag_anomalies(errors, threshold):
    """Boolean array: True where an error exceeds ``threshold``."""
    return np.asarray(errors) > threshold


def auroc(normal_scores, anomalous_scores):
    """Area under the ROC curve of a score that should be larger for anomalies: the probability that a random
    anomalous score exceeds a random normal one, ties counting half (the Mann-Whitney U statistic)."""
    normal = np.sort(np.asarray(normal_scores, np.float64).ravel())
    anomalous = np.asarray(anomalous_scores, np.float64).ravel()
    if len(normal) == 0 or len(anomalous) == 0:
        raise ValueError("auroc needs at least one normal and one anomalous score.")
    below = np.searchsorted(normal, anomalous, side="left")
    not_above = np.searchsorted(normal, anomalous, side="right")
    return float(np.sum(below + 0.5 * (not_above - below)) / (len(normal) * len(anomalous)))


def anomaly_report(reference_errors, normal_errors, anomalous_errors=None, percentile=99.0):
    """Threshold at ``percentile`` of the reference (training) errors, the fraction of normal (test) images
    above it, and with anomalous errors the fraction of them above it and the AUROC of normal vs anomalous."""
    threshold = anomaly_threshold(reference_errors, percentile)
    report = {"percentile": float(percentile), "threshold": threshold,
              "normal_mean_error": float(np.mean(normal_errors)),
              "normal_flagged": float(np.mean(flag_anomalies(normal_errors, threshold)))}
    if anomalous_errors is not None:
        report.update(anomalous_mean_error=float(np.mean(anomalous_errors)),
                      anomalous_flagged=float(np.mean(flag_anomalies(anomalous_errors, threshold))),
                      auroc=auroc(normal_errors, anomalous_errors))
    return report


def _integer_vector(values, what):
    values = np.asarray(values)
    if values.ndim != 1 or not np.issubdtype(values.dtype, np.integer):
        raise ValueError(f"{what} must be a 1-D integer array, got shape {values.shape} dtype {values.dtype}.")
    return values.astype(np.int64)


def _number(value):
    return None if np.isnan(value) else float(value)
