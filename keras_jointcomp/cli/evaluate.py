"""``jointcomp evaluate MODEL.keras --dataset NAME``: accuracy, PSNR and rate of a saved model.

The rate is the fixed-length size of the quantized latent and, when the model carries entropy tables, the
mean size of its actual streams (``stream_bytes_per_image``, header included).
"""

import json

from keras_jointcomp.cli import inputs
from keras_jointcomp.cli.models import add_model_arguments, model_from


def add_parser(subparsers, name, argv=(), **kwargs):
    parser = subparsers.add_parser(name, help="evaluate a saved .keras model on a data set", **kwargs)
    add_model_arguments(parser, "a .keras file saved by `jointcomp train` or the Python API")
    inputs.add_data_arguments(parser)
    parser.add_argument("--split", default="test", choices=("train", "test"))
    parser.add_argument("--batch-size", type=inputs.POSITIVE_INT, default=256, help="images per inference step")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args, results):
    from keras_jointcomp.evaluation import measure

    model = model_from(args)
    images, labels = inputs.load_split(args, args.split)
    report = {"model_file": args.model_file, "preset": args.preset, "dataset": args.dataset, "split": args.split,
              **measure(model, images, labels, batch_size=args.batch_size)}
    if args.json:
        print(json.dumps(report), file=results)
    else:
        for key, value in report.items():
            print(f"{key:>22}: {value}", file=results)
    return 0
