"""CIFAR-10 with autoencoder features: a classifier on frozen features vs a joint model, imbalanced training set.

    python examples/cifar10_ae_features.py --data-dir ../shared/datasets            # CPU scale (~15 min, 2 cores)
    python examples/cifar10_ae_features.py --data-dir ../shared/datasets --full     # the study's settings (GPU)
    python examples/cifar10_ae_features.py --data-dir ../shared/datasets --fast     # airbench classifier, all images
    python examples/cifar10_ae_features.py --quick --dataset tiny_rgb --data-dir D  # smoke run

Data as in the study: half of the bird, deer and truck training images removed (seeded), all others kept;
a stratified tenth of what remains is held out for validation (``--validation-fraction 0`` validates on the
test set, as the study did). The CPU default draws 8,000 training images (before the halving) and 2,000 test
images at random and trains 6 + 6 and 12 epochs; ``--full`` uses all images, 30 epochs for the autoencoder
and for the classifier on its features and 60 for the joint model (the study gives no epoch counts for its
final runs; these are this example's choice). ``--fast`` uses all images with `cifar_conv_ae_airbench` (the
same autoencoder, an airbench classifier on its latent) and the fast recipe's schedule: Adam at 2e-3 under the
warmup-linear schedule, batch 256, label smoothing 0.2, flip-translate for the autoencoder phase (the joint
model keeps the study's PIL policy and class weights); 10 + 20 and 20 epochs.

Two models of the same architecture (``--model``, default the VGG-style `cifar_conv_ae`, 8x8x64 latent):

1. "ae-features": the autoencoder trained on reconstruction (MSE), then the classifier on its frozen
   latents (study: 75 % test accuracy, autoencoder test MSE about 0.0007);
2. "joint-weighted": autoencoder and classifier trained together on
   ``reconstruction_weight * MSE + cross-entropy`` with the study's PIL augmentation, balanced class weights
   on the cross-entropy only, and the learning rate halved on validation-loss plateaus (study: 86 %).

Adam at 1e-3 and batch 64, as in the study. Both models also score anomalies by their per-image
reconstruction error: a threshold at the 99th percentile of the training images' errors, the fraction of
test images and of out-of-distribution images (``--anomalies``, default MNIST digits padded to 32x32 and
repeated over the colour channels) above it, and the AUROC between the two.

Writes `results.md` (numbers beside the study's, per-class recall of the halved classes, confusion matrix of
the joint model, anomaly scores) and `results.json` into ``--out-dir``; progress on stderr, JSON on stdout.
"""

import argparse
import contextlib
import dataclasses
import json
import os
import shlex
import sys
import time

import keras
import numpy as np

from keras_jointcomp import data, files, models, reports, training
from keras_jointcomp.data.errors import DatasetNotFoundError
from keras_jointcomp.models.joint import LOGITS, RECONSTRUCTION

CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
HALVED = {"bird": 2, "deer": 4, "truck": 9}
METHODS = {
    "ae-features": "classifier on frozen autoencoder features",
    "joint-weighted": "joint autoencoder + classifier (augmentation, class weights, LR on plateau)",
}
# The study's test numbers per model: accuracy of each method, MSE of the autoencoder trained alone.
STUDY = {
    "cifar_conv_ae": {"ae-features": 0.75, "joint-weighted": 0.86, "autoencoder_mse": 0.0007},
    "cifar_mlp_ae": {"ae-features": 0.50, "joint-weighted": None, "autoencoder_mse": 0.0018},
    "cifar_conv_ae_airbench": {"ae-features": 0.75, "joint-weighted": 0.86, "autoencoder_mse": 0.0007},
}
# CPU scale: 14 min 22 s measured with cifar_conv_ae under TensorFlow, at 59 % of 2 shared cores.
CPU_SCALE = {"train_images": 8000, "test_images": 2000, "ae_epochs": 6, "classifier_epochs": 6, "joint_epochs": 12}
FULL_SCALE = {"train_images": None, "test_images": None, "ae_epochs": 30, "classifier_epochs": 30,
              "joint_epochs": 60}
FAST_SCALE = {"train_images": None, "test_images": None, "ae_epochs": 10, "classifier_epochs": 20,
              "joint_epochs": 20}
FAST_SETTINGS = {"model": "cifar_conv_ae_airbench", "batch_size": 256, "learning_rate": 2e-3}
QUICK_SCALE = {"train_images": 2000, "test_images": 500, "ae_epochs": 1, "classifier_epochs": 1, "joint_epochs": 1}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--dataset", default="cifar10")
    parser.add_argument("--model", default="cifar_conv_ae", choices=sorted(STUDY))
    parser.add_argument("--model-kwargs", type=json.loads, default={},
                        help='builder kwargs as JSON, e.g. \'{"base_filters": 16}\'')
    parser.add_argument("--out-dir", default="runs/cifar10_ae_features")
    parser.add_argument("--train-images", type=int, help="random training images drawn before the halving")
    parser.add_argument("--test-images", type=int, help="random test images to evaluate on")
    parser.add_argument("--ae-epochs", type=int, help="epochs of the autoencoder alone")
    parser.add_argument("--classifier-epochs", type=int, help="epochs of the classifier on frozen features")
    parser.add_argument("--joint-epochs", type=int, help="epochs of the joint model")
    parser.add_argument("--batch-size", type=int, default=64, help="the study's joint models: 64")
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--reconstruction-weight", type=float, default=1.0,
                        help="weight of the MSE beside the cross-entropy (weight 1) in joint training")
    parser.add_argument("--no-augment", action="store_true", help="joint training without augmentation")
    parser.add_argument("--validation-fraction", type=float, default=0.1,
                        help="stratified fraction of the training set held out (0: validate on the test set)")
    parser.add_argument("--anomalies", default="mnist",
                        help="data set of out-of-distribution images for the anomaly scores ('none' to skip)")
    parser.add_argument("--anomaly-images", type=int, default=1000)
    parser.add_argument("--full", action="store_true", help="all images, 30 + 30 and 60 epochs")
    parser.add_argument("--fast", action="store_true",
                        help="all images, cifar_conv_ae_airbench, Adam 2e-3 warmup-linear, batch 256, label smoothing "
                             "0.2; 10 + 20 and 20 epochs (flags given after it replace these)")
    parser.add_argument("--quick", action="store_true", help="2,000 training images, one epoch per phase")
    parser.add_argument("--seed", type=int, default=0)
    if "--fast" in argv:
        parser.set_defaults(**FAST_SETTINGS)
    args = parser.parse_args(argv)
    scale = QUICK_SCALE if args.quick else FULL_SCALE if args.full else FAST_SCALE if args.fast else CPU_SCALE
    for key, value in scale.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


# --- Data -------------------------------------------------------------------------------------------------


def _sample(labeled, count, seed):
    """A random subset of ``count`` images (all with None), in a random order (image folders come sorted)."""
    order = np.random.default_rng(seed).permutation(len(labeled.images))[:count]
    return labeled.images[order], labeled.labels[order]


def load_data(args):
    """(train, validation, test) as (images, labels) pairs, the training set imbalanced as in the study."""
    train_set = data.load(args.dataset, "train", data_dir=args.data_dir)
    test_set = data.load(args.dataset, "test", data_dir=args.data_dir)
    images, labels = _sample(train_set, args.train_images, args.seed)
    images, labels = data.make_imbalanced(images, labels, tuple(HALVED.values()), keep_fraction=0.5, seed=args.seed)
    test = _sample(test_set, args.test_images, args.seed + 1)
    if args.validation_fraction == 0:
        return (images, labels), test, test
    train, validation = data.train_validation_split(images, labels, args.validation_fraction, seed=args.seed)
    return train, validation, test


def as_model_inputs(images, shape):
    """Images of another data set shaped like the model's inputs: centre-padded or cropped to its height and
    width, grey channels repeated to its channel count."""
    height, width, channels = shape
    for axis, size in ((1, height), (2, width)):
        extra = images.shape[axis] - size
        if extra > 0:
            images = np.take(images, np.arange(extra // 2, extra // 2 + size), axis=axis)
        elif extra < 0:
            padding = [(0, 0)] * 4
            padding[axis] = (-extra // 2, -extra - -extra // 2)
            images = np.pad(images, padding)
    if images.shape[-1] != channels:
        images = np.repeat(images[..., :1], channels, axis=-1)
    return images


def load_anomalies(args, shape):
    """Out-of-distribution images for the anomaly scores, or None (with a note) when unavailable."""
    if args.anomalies == "none":
        return None
    try:
        anomalies = data.load(args.anomalies, "test", data_dir=args.data_dir)
    except DatasetNotFoundError as error:
        print(f"No anomaly images: {str(error).splitlines()[0]}", file=sys.stderr)
        return None
    images, _ = _sample(anomalies, args.anomaly_images, args.seed + 2)
    return as_model_inputs(images, shape)


# --- Training and measurement -----------------------------------------------------------------------------


def predict(model, images):
    outputs = model.predict(data.batches(images, batch_size=256), verbose=0)
    return outputs[LOGITS], outputs[RECONSTRUCTION]


def measure(model, test, train_images, anomalies, class_names):
    """Test accuracy and MSE, the class-wise report, and the anomaly scores of ``model``."""
    logits, reconstructions = predict(model, test[0])
    report = reports.classification_report(test[1], np.argmax(logits, axis=-1), class_names)
    errors = reports.reconstruction_errors(test[0], reconstructions)
    reference = reports.reconstruction_errors(train_images, predict(model, train_images)[1])
    anomalous = None if anomalies is None else reports.reconstruction_errors(anomalies, predict(model, anomalies)[1])
    per_class = report["per_class"]
    return {"test_accuracy": report["accuracy"], "test_mse": float(np.mean(errors)),
            "halved_recall": {name: per_class[class_names[label]]["recall"] for name, label in HALVED.items()},
            "report": report, "anomaly": reports.anomaly_report(reference, errors, anomalous)}


def run_method(method, args, train, validation, test, anomalies, class_names):
    keras.utils.set_random_seed(args.seed)
    model = models.load(args.model, input_shape=train[0].shape[1:], num_classes=len(class_names), **args.model_kwargs)
    fast = {"learning_rate_schedule": "warmup-linear", "label_smoothing": 0.2} if args.fast else {}
    config = training.TrainingConfig(batch_size=args.batch_size, learning_rate=args.learning_rate,
                                     reconstruction_weight=args.reconstruction_weight, seed=args.seed, verbose=2,
                                     **fast)
    start = time.perf_counter()
    if method == "ae-features":
        augmentation = {"augmentation": "flip-translate"} if args.fast and not args.no_augment else {}
        history = training.train(method, model, train, args.classifier_epochs,
                                 dataclasses.replace(config, **augmentation), validation,
                                 autoencoder_epochs=args.ae_epochs, reduce_lr=not args.fast)
    else:
        history = training.train(method, model, train, args.joint_epochs, config, validation,
                                 transform="none" if args.no_augment else "cifar", reduce_lr=not args.fast)
    seconds = time.perf_counter() - start
    models.save_model(model, os.path.join(args.out_dir, f"{method}.keras"), overwrite=True)
    reference = train[0][: len(test[0])]
    return {"method": method, "description": METHODS[method], "train_seconds": seconds,
            **measure(model, test, reference, anomalies, class_names), "history": history,
            "latent_shape": list(model.latent_shape), "float_bytes_per_image": model.bytes_per_image,
            "compression_ratio": model.compression_ratio, "model_file": f"{method}.keras"}


# --- Report -----------------------------------------------------------------------------------------------


def _percent(value):
    return "-" if value is None else f"{100 * value:.1f}"


def markdown(result, args):
    study = STUDY[args.model]
    rows = result["methods"]
    kwargs = f" {json.dumps(args.model_kwargs)}" if args.model_kwargs else ""
    lines = [
        f"Command: `python examples/cifar10_ae_features.py {shlex.join(args.argv)}`  ",
        f"Backend: {result['backend']}; model {args.model}{kwargs}; {result['train_images']} training images "
        f"after halving bird, deer and truck ({result['validation_images']} validation), {result['test_images']} test "
        f"images; epochs: autoencoder {args.ae_epochs}, classifier on features {args.classifier_epochs}, "
        f"joint {args.joint_epochs}; Adam {args.learning_rate:g}"
        f"{' (warmup-linear schedule, label smoothing 0.2, flip-translate in the autoencoder phase)' if args.fast else ''}"
        f", batch {args.batch_size}, reconstruction "
        f"weight {args.reconstruction_weight:g}, seed {args.seed}.",
        "",
        "| method | test accuracy % | study % | test MSE | study AE MSE | recall % " + " / ".join(HALVED)
        + " | train time s |",
        "|---|---|---|---|---|---|---|",
    ]
    for method, row in rows.items():
        recall = " / ".join(_percent(row["halved_recall"].get(name)) for name in HALVED)
        study_mse = study["autoencoder_mse"] if method == "ae-features" else None
        lines.append(f"| {row['description']} | {_percent(row['test_accuracy'])} | {_percent(study[method])} "
                     f"| {row['test_mse']:.5f} | {'-' if study_mse is None else study_mse} | {recall} "
                     f"| {row['train_seconds']:.0f} |")
    counts = result["train_counts"]
    lines += ["", "Training images per class: " + ", ".join(f"{name} {count}" for name, count in counts.items())
              + ". Class weights of the joint model's cross-entropy: "
              + ", ".join(f"{name} {weight:.2f}" for name, weight in result["class_weights"].items()) + "."]
    for method, row in rows.items():
        per_class = row["report"]["per_class"]
        lines += ["", f"Per class, {row['description']}:", "",
                  "| class | precision % | recall % | test images |", "|---|---|---|---|"]
        lines += [f"| {name} | {_percent(scores['precision'])} | {_percent(scores['recall'])} | {scores['support']} |"
                  for name, scores in per_class.items()]
    joint = rows.get("joint-weighted")
    if joint is not None:
        lines += ["", "Confusion matrix of the joint model (test images):", "",
                  reports.confusion_markdown(joint["report"]["confusion"], joint["report"]["classes"]).rstrip()]
    lines += ["", f"Anomaly scores from the per-image reconstruction MSE (threshold: 99th percentile of "
                  f"{min(result['train_images'], result['test_images'])} training images' errors; out-of-distribution "
                  f"images: {args.anomalies}):", "",
              "| model | threshold | test flagged % | OOD flagged % | test mean MSE | OOD mean MSE | AUROC |",
              "|---|---|---|---|---|---|---|"]
    for row in rows.values():
        anomaly = row["anomaly"]
        ood_error, auroc = anomaly.get("anomalous_mean_error"), anomaly.get("auroc")
        lines.append(f"| {row['method']} | {anomaly['threshold']:.5f} | {_percent(anomaly['normal_flagged'])} "
                     f"| {_percent(anomaly.get('anomalous_flagged'))} | {anomaly['normal_mean_error']:.5f} "
                     f"| {'-' if ood_error is None else f'{ood_error:.5f}'} "
                     f"| {'-' if auroc is None else f'{auroc:.3f}'} |")
    first = next(iter(rows.values()))
    lines += ["", f"Rate: the latent is {'x'.join(map(str, first['latent_shape']))} floats, "
                  f"{first['float_bytes_per_image']} bytes per image at 32 bits (compression ratio "
                  f"{first['compression_ratio']:.3g}); the study measured features, not a rate."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    args.argv = argv
    os.makedirs(args.out_dir, exist_ok=True)
    with contextlib.redirect_stdout(sys.stderr):
        train, validation, test = load_data(args)
        num_classes = int(max(train[1].max(), test[1].max())) + 1
        class_names = CLASS_NAMES if num_classes == len(CLASS_NAMES) else tuple(map(str, range(num_classes)))
        anomalies = load_anomalies(args, train[0].shape[1:])
        methods = {method: run_method(method, args, train, validation, test, anomalies, class_names)
                   for method in METHODS}
    counts = np.bincount(train[1], minlength=num_classes)
    weights = data.class_weights(train[1], num_classes)
    result = {
        "command": ["examples/cifar10_ae_features.py", *argv], "backend": keras.backend.backend(),
        "model": args.model, "train_images": int(len(train[0])),
        "validation_images": 0 if validation is test else int(len(validation[0])),
        "test_images": int(len(test[0])), "anomaly_images": 0 if anomalies is None else int(len(anomalies)),
        "train_counts": {name: int(count) for name, count in zip(class_names, counts)},
        "class_weights": {class_names[label]: weight for label, weight in weights.items()},
        "study": STUDY[args.model], "methods": methods,
    }
    files.write_text(os.path.join(args.out_dir, "results.md"), markdown(result, args))
    files.write_text(os.path.join(args.out_dir, "results.json"), json.dumps(result, indent=2, default=float))
    print(json.dumps({key: value for key, value in result.items() if key != "methods"}
                     | {"methods": {name: {key: row[key] for key in ("test_accuracy", "test_mse", "halved_recall")}
                                    for name, row in methods.items()}}))
    return result


if __name__ == "__main__":
    main()
