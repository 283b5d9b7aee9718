"""``jointcomp evaluate MODEL.keras --dataset NAME``: accuracy, PSNR and rate of a saved model.

The rate is the fixed-length size of the quantized latent and, when the model carries entropy tables, the
mean size of its actual streams (``stream_bytes_per_image``, header included).
"""

import json

import numpy as np

from keras_jointcomp import codec, data, models
from keras_jointcomp.evaluation import evaluate


def add_parser(subparsers, name):
    parser = subparsers.add_parser(name, help="evaluate a saved .keras model on a data set")
    parser.add_argument("model_file", help="a .keras file saved by `jointcomp train` or the Python API")
    parser.add_argument("--dataset", default=data.OFFLINE_DEFAULT)
    parser.add_argument("--split", default="test", choices=("train", "test"))
    parser.add_argument("--data-dir", help="folder holding <name>.npz or <name>/{train,test}/<class>/")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args, results):
    model = models.load_model(args.model_file)
    images, labels = data.load(args.dataset, args.split, data_dir=args.data_dir)
    report = {"model_file": args.model_file, "dataset": args.dataset, "split": args.split,
              **evaluate(model, images, labels, batch_size=args.batch_size)}
    if getattr(model, "entropy_coding", None) is not None:
        streams = codec.LatentCodec(model, batch_size=args.batch_size).compress(images)
        report["stream_bytes_per_image"] = float(np.mean([len(stream) for stream in streams]))
    if args.json:
        print(json.dumps(report), file=results)
    else:
        for key, value in report.items():
            print(f"{key:>18}: {value}", file=results)
    return 0
