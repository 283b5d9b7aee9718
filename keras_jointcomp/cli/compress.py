"""``jointcomp compress MODEL.keras (--images FILE ... | --dataset NAME) --out STREAMS.jcs``.

Writes one stream file holding a bitstream per image, and prints the bytes they took next to the entropy
model's estimate. ``--framing compact`` (the default) writes the stream header once and a length and payload
per image; ``--framing indexed`` keeps every stream whole, with its index, so a reader can say which stream
was dropped, repeated or swapped (see `keras_jointcomp.codec.container`).
"""

import json
import os

from keras_jointcomp import files
from keras_jointcomp.cli import inputs
from keras_jointcomp.cli.models import add_model_arguments, model_from
from keras_jointcomp.cli.inputs import add_image_arguments, check_new_path, read_images


def add_parser(subparsers, name, argv=(), **kwargs):
    parser = subparsers.add_parser(name, help="compress images into a file of bitstreams", **kwargs)
    add_model_arguments(parser, "a .keras model with entropy tables (see fit-entropy)")
    add_image_arguments(parser)
    parser.add_argument("--step-scale", type=inputs.POSITIVE_FLOAT, default=1.0,
                        help="which of the model's rates to use")
    parser.add_argument("--framing", choices=("compact", "indexed"), default="compact",
                        help="compact: one shared header, a few bytes per image; indexed: whole streams, indexed")
    parser.add_argument("--out", required=True, help="the stream file to write")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output file")


def run(args, results):
    inputs.check_image_source(args)
    check_new_path(args.out, args.overwrite)
    import numpy as np

    from keras_jointcomp import codec

    model = model_from(args)
    latent_codec = codec.LatentCodec(model, args.step_scale)
    images = read_images(args)
    symbols = latent_codec.symbols(images)
    streams = latent_codec.compress_symbols(symbols)
    files.write_bytes(args.out, codec.pack_stream_file(streams, compact=args.framing == "compact"))
    lengths = np.array([len(stream) for stream in streams])
    summary = {
        "out": args.out,
        "n_images": len(streams),
        "step_scale": latent_codec.step_scale,
        "framing": args.framing,
        "bytes_per_image": float(lengths.mean()),
        "payload_bytes_per_image": float(lengths.mean()) - latent_codec.header_bytes,
        "estimated_bytes_per_image": float(latent_codec.estimated_bytes(symbols).mean()),
        "header_bytes": latent_codec.header_bytes,
        "fixed_length_bytes_per_image": model.bytes_per_image,
        "file_bytes": os.path.getsize(args.out),
        "file_bytes_per_image": os.path.getsize(args.out) / len(streams),
    }
    print(json.dumps(summary), file=results)
    return 0
