"""``jointcomp fit-entropy MODEL.keras --dataset NAME``: fit the entropy tables a model streams with.

The tables (one per step scale) are fitted on the training split and saved inside a copy of the model
(``--out``), or into the model file itself with ``--overwrite``.
"""

import json

from keras_jointcomp import codec, data, models
from keras_jointcomp.cli.inputs import check_new_path, parse_step_scales


def add_parser(subparsers, name):
    parser = subparsers.add_parser(name, help="fit entropy tables on a training set and save them with the model")
    parser.add_argument("model_file", help="a trained .keras model with a quantizer")
    parser.add_argument("--dataset", default=data.OFFLINE_DEFAULT, help="its training split is fitted on")
    parser.add_argument("--data-dir", help="folder holding <name>.npz or <name>/{train,test}/<class>/")
    parser.add_argument("--step-scales", default="1", help="comma-separated step scales to stream at")
    parser.add_argument("--out", help="the .keras file to write (default: the model file, with --overwrite)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output file")


def run(args, results):
    out = args.out or args.model_file
    check_new_path(out, args.overwrite)
    model = models.load_model(args.model_file)
    train = data.load(args.dataset, "train", data_dir=args.data_dir)
    model.entropy_coding = codec.fit_entropy_coding(model, train.images, parse_step_scales(args.step_scales))
    models.save_model(model, out, overwrite=args.overwrite)
    print(json.dumps({"out": out, "dataset": args.dataset, "step_scales": model.entropy_coding.step_scales}),
          file=results)
    return 0
