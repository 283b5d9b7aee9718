"""``jointcomp save-preset MODEL.keras --model NAME --dataset D --recipe R --command CMD --out DIR``: package a
trained `.keras` file as a preset folder, its test numbers measured now and the command that trained it
written down (`jointcomp train ... --save-preset DIR` does the same straight after training)."""

import json
import os

from keras_jointcomp.cli import inputs
from keras_jointcomp.models import registry


def add_parser(subparsers, name, argv=(), **kwargs):
    parser = subparsers.add_parser(name, help="package a trained .keras model as a preset folder", **kwargs)
    parser.add_argument("model_file", type=inputs.existing_file, help="the trained .keras model")
    parser.add_argument("--model", required=True, choices=sorted(registry.available()), metavar="MODEL",
                        help="the zoo name that built it (files saved before models recorded it lack it)")
    inputs.add_data_arguments(parser, "the data set it was trained on; its test split is measured")
    parser.add_argument("--recipe", required=True, help="the training method (e.g. atl, rate-distortion)")
    parser.add_argument("--command", dest="training_command", required=True,
                        help="the exact command that trained it")
    parser.add_argument("--commit", help="the commit it was trained at (default: this source tree's)")
    parser.add_argument("--description", help="one line on the preset (default: model, recipe and data set)")
    parser.add_argument("--out", required=True, help="the preset folder to write")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing preset folder")


def run(args, results):
    check_new_folder(args.out, args.overwrite)
    from keras_jointcomp.cli.models import load_joint_model
    from keras_jointcomp.evaluation import measure

    model = load_joint_model(args.model_file)
    recorded = (model.zoo or {}).get("name")
    if recorded not in (None, args.model):
        raise ValueError(f"{args.model_file} was built as {recorded!r}, not {args.model!r}")
    if recorded is None:
        model.zoo = {"name": args.model, "arguments": {}}
    test = measure(model, *inputs.load_split(args, "test"))
    write_preset(model, args.out, dataset=args.dataset, recipe=args.recipe, command=args.training_command,
                 description=args.description, commit=args.commit, test=test, overwrite=args.overwrite)
    print(json.dumps({"out": args.out, "model": args.model, "test": test}), file=results)
    return 0


def check_new_folder(path, overwrite):
    """Refuse at once an existing folder (unless ``overwrite``), before any work."""
    if os.path.exists(path) and not overwrite:
        raise ValueError(f"{path} already exists; pass --overwrite to replace it")


def write_preset(model, folder, *, dataset, recipe, command, description, test, commit=None, overwrite=False):
    """``model`` as a preset folder with the metadata the command line knows."""
    from keras_jointcomp import presets, version

    name = model.zoo["name"]
    presets.save(model, folder, {
        "weights": os.path.basename(os.path.normpath(folder)),
        "description": description or f"{name} trained by {recipe} on {dataset}",
        "dataset": dataset, "recipe": recipe, "command": command, "commit": commit or version.commit(),
        "test": test}, overwrite=overwrite)
