"""``jointcomp train MODEL``: build a zoo model for a data set, train it by a named method, save it."""

import json

import keras

from keras_jointcomp import codec, data, models, training
from keras_jointcomp.cli.inputs import check_new_path
from keras_jointcomp.evaluation import evaluate


def add_parser(subparsers, name):
    parser = subparsers.add_parser(name, help="train a zoo model and save it as a .keras file")
    parser.add_argument("model", help="zoo model name (see `jointcomp list`)")
    parser.add_argument("--method", default="joint", help="training method (see `jointcomp list`)")
    parser.add_argument("--dataset", default=data.OFFLINE_DEFAULT,
                        help=f"data set name (default {data.OFFLINE_DEFAULT}, which works offline)")
    parser.add_argument("--data-dir", help="folder holding <name>.npz or <name>/{train,test}/<class>/")
    parser.add_argument("--epochs", type=int, default=5,
                        help="epochs per phase (for atl and multi-domain: of the fine-tuning / transfer phases)")
    parser.add_argument("--epoch-sets", type=int, default=25, help="atl, multi-domain: maximum epoch sets")
    parser.add_argument("--from-model", help="a trained .keras model: for cross-domain, the one whose compressor is "
                                             "transferred; for other methods, the model to train further (e.g. "
                                             "a ce-t model for duphil or ldr-ft)")
    parser.add_argument("--domains", help="multi-domain: comma-separated data sets to alternate over")
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--rounding-gap-weight", type=float, default=0.0,
                        help="alpha of the rounding-gap loss, for models that expose their latent")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="output .keras file (default <model>-<dataset>.keras)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output file")


def run(args, results):
    out = args.out or f"{args.model}-{args.dataset}.keras"
    check_new_path(out, args.overwrite)
    if min(args.epochs, args.epoch_sets, args.batch_size) < 1:
        raise ValueError("--epochs, --epoch-sets and --batch-size must be at least 1")
    recipe = training.get_recipe(args.method)
    keras.utils.set_random_seed(args.seed)
    train_set = data.load(args.dataset, "train", data_dir=args.data_dir)
    test_set = data.load(args.dataset, "test", data_dir=args.data_dir)
    model = _starting_model(args, train_set)
    config = training.TrainingConfig(batch_size=args.batch_size, learning_rate=args.learning_rate,
                                     rounding_gap_weight=args.rounding_gap_weight, seed=args.seed)
    epochs, options = _method_arguments(args)
    history = recipe(model, train_set, epochs, config, **options)
    if hasattr(model.quantizer, "with_step_scale"):  # integer symbols: ready to stream at the trained rate
        model.entropy_coding = codec.fit_entropy_coding(model, train_set.images)
    models.save_model(model, out, overwrite=args.overwrite)
    summary = {
        "model": args.model,
        "method": args.method,
        "dataset": args.dataset,
        "out": out,
        "test": evaluate(model, *test_set) if len(test_set.images) else None,
        "history": history,
    }
    print(json.dumps(summary, indent=2, default=float), file=results)
    return 0


def _starting_model(args, train_set):
    """A new zoo model sized for the data, or the trained model to go on from."""
    if args.from_model and args.method != "cross-domain":
        model = models.load_model(args.from_model)
        if tuple(model.input_shape[1:]) != train_set.images.shape[1:]:
            raise ValueError(f"{args.from_model} takes images of shape {tuple(model.input_shape[1:])}, but "
                             f"{args.dataset} has {train_set.images.shape[1:]}")
        return model
    return models.load(args.model, input_shape=train_set.images.shape[1:],
                       num_classes=int(train_set.labels.max()) + 1)


def _method_arguments(args):
    """The epoch count and the extra keyword arguments that ``args.method`` takes."""
    if args.method == "atl":
        return args.epoch_sets, {"schedule": training.ATLSchedule(finetune_epochs=args.epochs)}
    if args.method == "cross-domain":
        if not args.from_model:
            raise ValueError("--method cross-domain needs --from-model FILE.keras (a trained ATL model)")
        return args.epochs, {"source": models.load_model(args.from_model)}
    if args.method == "multi-domain":
        names = [name for name in (args.domains or "").split(",") if name]
        if not names:
            raise ValueError("--method multi-domain needs --domains a,b (the data sets to alternate over)")
        if args.dataset in names:
            raise ValueError(f"--dataset {args.dataset} is the domain left out; do not list it in --domains")
        domains = {name: data.load(name, "train", data_dir=args.data_dir) for name in names}
        return args.epoch_sets, {"domains": domains, "transfer_epochs": args.epochs}
    return args.epochs, {}
