"""``jointcomp train MODEL``: build a zoo model for a data set, train it by a named method, save it.

The method's own options become flags (``jointcomp train MODEL --method atl --help`` lists them), checked
with everything else before the data is read. ``--checkpoint-dir`` saves the run after every epoch;
the same command with ``--resume`` goes on after a crash or a kill.
"""

import argparse
import dataclasses
import json
import shlex
import typing

from keras_jointcomp.cli import inputs
from keras_jointcomp.cli.save_preset import check_new_folder, write_preset
from keras_jointcomp.models import registry
from keras_jointcomp.training import methods
from keras_jointcomp.training.distribution import request_host_devices
from keras_jointcomp.training.methods import AUGMENTATIONS, OPTIMIZERS, SCHEDULES

DEFAULT_METHOD = "joint"


def add_parser(subparsers, name, argv=(), **kwargs):
    method = _method_in(argv)
    parser = subparsers.add_parser(name, help="train a zoo model and save it as a .keras file", **kwargs)
    parser.add_argument("model", choices=sorted(registry.available()), metavar="MODEL",
                        help="zoo model name (see `jointcomp list`)")
    parser.add_argument("--method", default=DEFAULT_METHOD, choices=sorted(methods.METHODS), metavar="METHOD",
                        help="training method (see `jointcomp list`); its options follow below")
    inputs.add_data_arguments(parser)
    parser.add_argument("--model-args", type=inputs.json_object, default={}, metavar="JSON",
                        help="builder arguments of a new model, e.g. '{\"dropout\": 0}' (recorded in its zoo entry)")
    parser.add_argument("--devices", type=inputs.POSITIVE_INT, default=1,
                        help="train data-parallel on this many devices, each batch split between them (JAX: "
                             "keras.distribution.DataParallel, TensorFlow: MirroredStrategy; on a CPU it is "
                             "split into that many devices)")
    parser.add_argument("--epochs", type=inputs.POSITIVE_INT, default=5,
                        help="epochs of each phase (atl: of the final fine-tuning of each head)")
    parser.add_argument("--from-model", type=inputs.existing_file,
                        help="a trained .keras model to train further instead of a new one (e.g. a ce-t model "
                             "for duphil or ldr-ft)")
    parser.add_argument("--batch-size", default=argparse.SUPPRESS, type=inputs.POSITIVE_INT,
                        help="images per training step (default 512; 1024 with --fast)")
    parser.add_argument("--learning-rate", default=argparse.SUPPRESS, type=inputs.POSITIVE_FLOAT,
                        help="the optimizer's learning rate (default 0.001; 1.5 with --fast)")
    _add_optimization_arguments(parser)
    parser.add_argument("--rounding-gap-weight", type=inputs.NON_NEGATIVE_FLOAT, default=0.0,
                        help="alpha of the rounding-gap loss, for models that expose their latent")
    parser.add_argument("--seed", type=inputs.NON_NEGATIVE_INT, default=0,
                        help="seeds the weights, the data order and every random draw")
    parser.add_argument("--out", help="output .keras file (default: <model>-<dataset>.keras)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output file (and preset)")
    parser.add_argument("--save-preset", metavar="DIR",
                        help="also write the trained model as a preset folder (config.json, model.weights.h5, "
                             "metadata.json with the command, commit and test numbers); load it with "
                             "models.load(MODEL, weights=DIR)")
    parser.add_argument("--description", help="the preset's one-line description (default: model, method, data)")
    parser.add_argument("--checkpoint-dir", help="save the run here after every epoch, so it can resume")
    parser.add_argument("--resume", action="store_true",
                        help="go on with the run saved in --checkpoint-dir (the same command, plus --resume)")
    if method is not None:
        _add_method_options(parser, method)


def _add_optimization_arguments(parser):
    group = parser.add_argument_group(
        "optimization", "the studies' plain Adam by default; --fast sets airbench's values for all of these "
                        "(see keras_jointcomp.training.optimization), and any flag given replaces its value")
    group.add_argument("--fast", action="store_true",
                       help="airbench's recipe: batch 1024, Nesterov SGD 1.5, momentum 0.85, weight decay 0.0089, "
                            "warmup-linear schedule, batch-norm offsets 64x, weight averaging every 5 steps, "
                            "label smoothing 0.2, flip-translate")
    group.add_argument("--optimizer", default=argparse.SUPPRESS, choices=OPTIMIZERS, help="adam or Nesterov sgd")
    group.add_argument("--momentum", default=argparse.SUPPRESS, type=inputs.number(float, minimum=0),
                       help="SGD's momentum")
    group.add_argument("--weight-decay", default=argparse.SUPPRESS, type=inputs.NON_NEGATIVE_FLOAT,
                       help="decoupled weight decay (each step: w *= 1 - decay * learning rate)")
    group.add_argument("--lr-schedule", default=argparse.SUPPRESS, dest="learning_rate_schedule",
                       choices=SCHEDULES,
                       help="constant, or warmup-linear over each phase")
    group.add_argument("--bias-lr-scale", default=argparse.SUPPRESS, dest="bias_learning_rate_scale",
                       type=inputs.POSITIVE_FLOAT,
                       help="learning-rate factor of the batch norms' offsets (sgd only)")
    group.add_argument("--weight-averaging", default=argparse.SUPPRESS, type=inputs.NON_NEGATIVE_INT,
                       help="steps between lookahead averagings of the weights (0: off; sgd only)")
    group.add_argument("--label-smoothing", default=argparse.SUPPRESS, type=inputs.number(float, minimum=0),
                       help="of the cross-entropy")
    group.add_argument("--augment", default=argparse.SUPPRESS, dest="augmentation", choices=AUGMENTATIONS,
                       help="whole-batch augmentation of the training images")


OPTIMIZATION_FLAGS = ("batch_size", "learning_rate", "optimizer", "momentum", "weight_decay",
                      "learning_rate_schedule", "bias_learning_rate_scale", "weight_averaging", "label_smoothing",
                      "augmentation")


def training_config(args, **settings):
    """The `TrainingConfig` of the command line: plain or --fast, with every optimization flag given."""
    from keras_jointcomp import training

    given = {name: getattr(args, name) for name in OPTIMIZATION_FLAGS if hasattr(args, name)}
    make = training.TrainingConfig.fast if args.fast else training.TrainingConfig
    return make(**given, **settings)


def _method_in(argv):
    """The method named on the command line (default "joint"), or None when it is not a known one (argparse
    then reports it)."""
    name = DEFAULT_METHOD
    for index, word in enumerate(argv):
        if word == "--method" and index + 1 < len(argv):
            name = argv[index + 1]
        elif word.startswith("--method="):
            name = word.split("=", 1)[1]
    return methods.METHODS.get(name)


def _add_method_options(parser, method):
    group = parser.add_argument_group(f"options of --method {method.name}", method.description)
    hints = typing.get_type_hints(method.options)
    for field in dataclasses.fields(method.options):
        flag = "--" + field.name.replace("_", "-")
        kind = hints[field.name]
        kind = next((arg for arg in typing.get_args(kind) if arg is not type(None)), kind)  # Optional[x] -> x
        metadata = field.metadata
        if kind is bool:
            group.add_argument(flag, action=argparse.BooleanOptionalAction, default=field.default,
                               help=metadata["help"])
            continue
        if kind in (int, float):
            kind = inputs.number(kind, minimum=metadata.get("minimum"))
        elif kind is methods.ModelFile:
            kind = inputs.existing_file
        else:
            kind = str
        group.add_argument(flag, type=kind, default=field.default, choices=metadata.get("choices"),
                           required=field.default is None and field.type in (methods.ModelFile, methods.DatasetNames),
                           help=metadata["help"])


def run(args, results):
    request_host_devices(args.devices)  # before any backend starts: JAX reads it once
    out = args.out or f"{args.model}-{args.dataset}.keras"
    if args.resume and not args.checkpoint_dir:
        raise ValueError("--resume needs --checkpoint-dir (the folder of the run to go on with)")
    from keras_jointcomp import models

    models.saving.check_model_path(out, args.overwrite)  # before any work: a bad output fails at once
    if args.save_preset:
        check_new_folder(args.save_preset, args.overwrite)
    if args.model_args and args.from_model:
        raise ValueError("--model-args builds a new model; --from-model's model has its arguments already")
    from keras_jointcomp import training

    method = methods.get_method(args.method)
    options = _method_options(args, method)
    with training.data_parallel(args.devices):
        return _train_and_save(args, results, out, method, options)


def _train_and_save(args, results, out, method, options):
    """Load the data, build or load the model, train it, save it (and its preset), print the summary."""
    import keras

    from keras_jointcomp import codec, models, training
    from keras_jointcomp.data import catalog
    from keras_jointcomp.evaluation import measure

    keras.utils.set_random_seed(args.seed)
    train_set = inputs.load_split(args, "train")
    test_set = inputs.load_split(args, "test")
    model = _starting_model(args, train_set, catalog.class_count(args.dataset, train_set.labels))
    checkpoint = None
    if args.checkpoint_dir:
        checkpoint = training.TrainingCheckpoint(args.checkpoint_dir, resume=args.resume,
                                                 fingerprint=_fingerprint(args, options))
    config = training_config(args, rounding_gap_weight=args.rounding_gap_weight, seed=args.seed,
                             checkpoint=checkpoint)
    history = training.train(method.name, model, train_set, args.epochs, config, **options)
    if hasattr(model.quantizer, "with_step_scale"):  # integer symbols: ready to stream at the trained rate
        model.entropy_coding = codec.fit_entropy_coding(model, train_set.images)
    models.save_model(model, out, overwrite=args.overwrite)
    test = measure(model, *test_set) if len(test_set.images) else None
    if args.save_preset:
        _save_preset(model, args, test)
    summary = {
        "model": args.model,
        "method": args.method,
        "dataset": args.dataset,
        "out": out,
        "preset": args.save_preset,
        "test": test,
        "history": history,
    }
    print(json.dumps(summary, indent=2, default=float), file=results)
    return 0


def _save_preset(model, args, test):
    write_preset(model, args.save_preset, dataset=args.dataset, recipe=args.method,
                 command="jointcomp " + shlex.join(args.argv), description=args.description, test=test,
                 overwrite=args.overwrite)


def _method_options(args, method):
    """The method's options from the flags, files and data set names loaded."""
    from keras_jointcomp import models

    options = {}
    for field in dataclasses.fields(method.options):
        value = getattr(args, field.name)
        if field.type is methods.ModelFile:
            value = models.load_model(value)
        elif field.type is methods.DatasetNames:
            names = [name for name in value.split(",") if name]
            if args.dataset in names:
                raise ValueError(f"--dataset {args.dataset} is the data set left out; do not list it in "
                                 f"--{field.name.replace('_', '-')}")
            value = {name: inputs.load_split(args, "train", name) for name in names}
        options[field.name] = value
    return options


def _fingerprint(args, options):
    """What makes two runs the same run: the command's settings (not where it writes)."""
    settings = {key: value for key, value in sorted(vars(args).items())
                if key not in ("out", "overwrite", "checkpoint_dir", "resume", "verbose", "command", "argv",
                               "save_preset", "description", "devices")}
    return json.dumps(settings, default=str, sort_keys=True)


def _starting_model(args, train_set, num_classes):
    """A new zoo model sized for the data, or the trained model to go on from."""
    from keras_jointcomp import models

    if args.from_model:
        model = models.load_model(args.from_model)
        if not isinstance(model, models.JointModel):
            raise ValueError(f"{args.from_model} holds a {type(model).__name__}, not a keras_jointcomp JointModel")
        if tuple(model.input_shape[1:]) != train_set.images.shape[1:]:
            raise ValueError(f"{args.from_model} takes images of shape {tuple(model.input_shape[1:])}, but "
                             f"{args.dataset} has {train_set.images.shape[1:]}")
        if model.zoo is None:  # saved before models recorded their zoo entry
            model.zoo = {"name": args.model, "arguments": {}}
        return model
    spec = registry.spec(args.model)
    sizes = {"input_shape": train_set.images.shape[1:]}
    if spec.takes_num_classes:
        sizes["num_classes"] = num_classes
    return registry.load(args.model, **sizes, **args.model_args)
