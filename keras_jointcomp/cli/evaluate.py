"""``jointcomp evaluate MODEL.keras --dataset NAME``: accuracy, PSNR and rate of a saved model.

The rate is the fixed-length size of the quantized latent and, when the model carries entropy tables, the
mean size of its actual streams (``stream_bytes_per_image``, header included).
"""

import json

from keras_jointcomp.cli import inputs


def add_parser(subparsers, name, argv=(), **kwargs):
    parser = subparsers.add_parser(name, help="evaluate a saved .keras model on a data set", **kwargs)
    parser.add_argument("model_file", type=inputs.existing_file,
                        help="a .keras file saved by `jointcomp train` or the Python API")
    inputs.add_data_arguments(parser)
    parser.add_argument("--split", default="test", choices=("train", "test"))
    parser.add_argument("--batch-size", type=inputs.POSITIVE_INT, default=256, help="images per inference step")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args, results):
    import numpy as np

    from keras_jointcomp import codec
    from keras_jointcomp.cli.models import load_joint_model
    from keras_jointcomp.evaluation import evaluate

    model = load_joint_model(args.model_file)
    images, labels = inputs.load_split(args, args.split)
    report = {"model_file": args.model_file, "dataset": args.dataset, "split": args.split,
              **evaluate(model, images, labels, batch_size=args.batch_size)}
    if getattr(model, "entropy_coding", None) is not None:
        streams = codec.LatentCodec(model, batch_size=args.batch_size).compress(images)
        report["stream_bytes_per_image"] = float(np.mean([len(stream) for stream in streams]))
    if args.json:
        print(json.dumps(report), file=results)
    else:
        for key, value in report.items():
            print(f"{key:>22}: {value}", file=results)
    return 0
