"""``jointcomp fit-entropy MODEL.keras --dataset NAME``: fit the entropy tables a model streams with.

The tables (one per step scale) are fitted on the training split and saved inside a copy of the model
(``--out``), or into the model file itself with ``--overwrite``.
"""

import json

from keras_jointcomp.cli import inputs
from keras_jointcomp.cli.inputs import check_new_path


def add_parser(subparsers, name, argv=(), **kwargs):
    parser = subparsers.add_parser(name, help="fit entropy tables on a training set and save them with the model",
                                   **kwargs)
    parser.add_argument("model_file", type=inputs.existing_file, help="a trained .keras model with a quantizer")
    inputs.add_data_arguments(parser, "data set whose training split is fitted on")
    parser.add_argument("--step-scales", type=inputs.step_scales, default=[1.0],
                        help="comma-separated step scales to stream at")
    parser.add_argument("--out", help="the .keras file to write (default: the model file, with --overwrite)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output file")


def run(args, results):
    out = args.out or args.model_file
    check_new_path(out, args.overwrite)
    from keras_jointcomp import codec, models
    from keras_jointcomp.cli.models import load_joint_model

    model = load_joint_model(args.model_file)
    train = inputs.load_split(args, "train")
    model.entropy_coding = codec.fit_entropy_coding(model, train.images, args.step_scales)
    models.save_model(model, out, overwrite=args.overwrite)
    print(json.dumps({"out": out, "dataset": args.dataset, "step_scales": model.entropy_coding.step_scales}),
          file=results)
    return 0
