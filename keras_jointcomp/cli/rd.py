"""``jointcomp rd MODEL.keras [MODEL.keras ...] --dataset NAME``: rate-accuracy-distortion curves in real
bytes, with JPEG and WebP at matched bytes.

Every model streams the test split at every ``--step-scales`` (tables fitted on the training split, or a
learned bottleneck's own frozen tables); several models make one curve together when they share a
``--label`` (one model per lambda), else one curve each (the file name). Each baseline quality encodes and
decodes the images with Pillow and trains a fresh ``--baseline-model`` (a zoo name; default: the first
model's architecture) on the decoded training images for ``--baseline-epochs`` (0: the codecs' bytes and PSNR
only, no classifiers; empty quality lists skip a codec).
Writes ``OUT.json`` ({"name", "description", "results", "comparison"}) and ``OUT.png``.
"""

import json

from keras_jointcomp import files
from keras_jointcomp.cli import inputs
from keras_jointcomp.cli.inputs import check_new_path
from keras_jointcomp.models import registry

DEFAULT_STEP_SCALES = "1,2,4"
DEFAULT_JPEG_QUALITIES = "1,5,10,20,30,50"
DEFAULT_WEBP_QUALITIES = "0,5,10,20,30,50"


def add_parser(subparsers, name, argv=(), **kwargs):
    parser = subparsers.add_parser(name, help="rate-accuracy-distortion curve of a saved model, against JPEG "
                                              "and WebP", **kwargs)
    parser.add_argument("model_files", type=inputs.existing_file, nargs="+", metavar="MODEL_FILE",
                        help="trained .keras models with a quantizer")
    inputs.add_data_arguments(parser)
    parser.add_argument("--step-scales", type=inputs.step_scales, default=DEFAULT_STEP_SCALES,
                        help="comma-separated step scales of the learned curve")
    parser.add_argument("--jpeg-qualities", type=inputs.qualities, default=DEFAULT_JPEG_QUALITIES,
                        help="comma-separated, '' for none")
    parser.add_argument("--webp-qualities", type=inputs.qualities, default=DEFAULT_WEBP_QUALITIES,
                        help="comma-separated, '' for none")
    parser.add_argument("--baseline-epochs", type=inputs.NON_NEGATIVE_INT, default=5,
                        help="epochs to train each baseline's classifier on decoded images (0: the codecs' bytes and "
                             "PSNR only)")
    parser.add_argument("--batch-size", type=inputs.POSITIVE_INT, default=256, help="images per inference step")
    parser.add_argument("--learning-rate", type=inputs.POSITIVE_FLOAT, default=1e-3,
                        help="Adam's learning rate for the baselines' classifiers")
    parser.add_argument("--label", action="append",
                        help="name of a model's curve in the JSON and plot, once per model in order (default: "
                             "the file name without .keras); models with the same label form one curve")
    parser.add_argument("--baseline-model", choices=sorted(registry.available()), metavar="MODEL",
                        help="zoo model whose classification network is trained on each baseline's decoded "
                             "images (default: the first model's architecture)")
    parser.add_argument("--max-test", type=inputs.POSITIVE_INT, help="only the first N test images")
    parser.add_argument("--seed", type=inputs.NON_NEGATIVE_INT, default=0, help="seeds the baselines' training")
    parser.add_argument("--out", default="rd", help="output prefix: writes OUT.json and OUT.png")
    parser.add_argument("--overwrite", action="store_true", help="replace existing output files")


def run(args, results):
    labels = args.label or []
    if len(labels) not in (0, len(args.model_files)):
        raise ValueError(f"give --label once per model file ({len(args.model_files)}), or not at all")
    for path in (f"{args.out}.json", f"{args.out}.png"):
        check_new_path(path, args.overwrite)
    import os

    from keras_jointcomp import plots, rate
    from keras_jointcomp.cli.models import load_joint_model

    labels = labels or [os.path.splitext(os.path.basename(path))[0] for path in args.model_files]
    train = inputs.load_split(args, "train")
    test = inputs.load_split(args, "test")
    test_images, test_labels = test.images[:args.max_test], test.labels[:args.max_test]
    learned, models = [], []
    for path, label in zip(args.model_files, labels):
        model = load_joint_model(path)
        models.append(model)
        for row in rate.rate_curve(model, train.images, test_images, test_labels, args.step_scales,
                                   args.batch_size, label):
            learned.append({**row, "setting": f"{os.path.basename(path)} {row['setting']}"})
    baselines = {"jpeg": args.jpeg_qualities, "webp": args.webp_qualities}
    baseline = _baseline_rows(models[0], baselines, (train.images, train.labels), (test_images, test_labels), args)
    rows = learned + baseline
    curves = list(dict.fromkeys(labels))
    report = {
        "name": f"{', '.join(curves)} on {args.dataset}",
        "description": (
            f"{', '.join(args.model_files)} streamed at step scales {','.join(map(str, args.step_scales))} (entropy "
            f"tables fitted on the training split or frozen from a learned bottleneck), against JPEG (abbreviated "
            f"streams: tables shared in advance) and WebP, each decoded and classified by "
            f"{args.baseline_model or 'the first model' + chr(39) + 's architecture'} trained {args.baseline_epochs} "
            f"epochs on its decoded training images; {len(test_images)} test images."
        ),
        "results": rows,
        "comparison": [entry for curve in curves if sum(row["codec"] == curve for row in learned) > 1
                       for bytes_key in ("bytes_per_image", "compact_bytes_per_image")
                       for entry in rate.matched_budget_comparison(rows, curve, bytes_key)] if baseline else [],
    }
    files.write_text(f"{args.out}.json", json.dumps(report, indent=2))
    plots.save_rate_distortion_curves(rows, f"{args.out}.png", title=report["name"])
    print(json.dumps(report, indent=2), file=results)
    return 0


def _baseline_rows(model, baselines, train, test, args):
    import keras

    from keras_jointcomp import training
    from keras_jointcomp.baselines import baseline_curve
    from keras_jointcomp.models.joint import JointModel

    def fresh_architecture():
        keras.utils.set_random_seed(args.seed)
        if args.baseline_model:
            return registry.load(args.baseline_model, input_shape=model.input_shape[1:],
                                 num_classes=model.num_classes)
        return JointModel.from_config(model.get_config())

    config = training.TrainingConfig(batch_size=args.batch_size, learning_rate=args.learning_rate, seed=args.seed)
    rows = []
    for codec_format, qualities in baselines.items():
        if qualities:
            rows += baseline_curve(fresh_architecture, codec_format, qualities, train, test,
                                   args.baseline_epochs, config)
    return rows
