"""``jointcomp decompress MODEL.keras STREAMS.jcs --out-dir DIR``: PNG reconstructions and predicted labels.

Writes ``DIR/image_00000.png`` ... (when the model has a decoder) and ``DIR/labels.json`` with the predicted
label of every image (when it has a classifier). A damaged stream file, or one written by another model,
stops it with a one-line error before anything is written.
"""

import json
import os

from keras_jointcomp import files
from keras_jointcomp.cli import inputs
from keras_jointcomp.cli.models import add_model_arguments, model_from
from keras_jointcomp.cli.inputs import check_new_path


def add_parser(subparsers, name, argv=(), **kwargs):
    parser = subparsers.add_parser(name, help="decode a file of bitstreams to PNG images and labels", **kwargs)
    add_model_arguments(parser, "the .keras model the streams were written with")
    parser.add_argument("stream_file", type=inputs.existing_file, help="a file written by `jointcomp compress`")
    parser.add_argument("--out-dir", required=True, help="folder for the PNG images and labels.json")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing folder, whole")


def run(args, results):
    check_new_path(args.out_dir, args.overwrite)
    if os.path.exists(args.out_dir) and not os.path.isdir(args.out_dir):
        raise FileExistsError(f"--out-dir {args.out_dir} is a file, not a folder")
    import numpy as np
    from PIL import Image

    from keras_jointcomp import codec
    from keras_jointcomp.models.joint import LOGITS, RECONSTRUCTION

    model = model_from(args)
    with open(args.stream_file, "rb") as file:
        streams = codec.unpack_stream_file(file.read())
    if not streams:
        raise codec.BitstreamError(f"{args.stream_file} holds no streams")
    latent_codec = codec.LatentCodec.for_stream(model, streams[0])
    outputs = latent_codec.heads(latent_codec.decompress(streams))
    written = []
    summary = {"out_dir": args.out_dir, "n_images": len(streams), "step_scale": latent_codec.step_scale}
    with files.atomic_directory(args.out_dir) as folder:  # the folder appears, or replaces the old one, whole
        if RECONSTRUCTION in outputs:
            pixels = np.clip(np.round(outputs[RECONSTRUCTION] * 255.0), 0, 255).astype(np.uint8)
            for index, image in enumerate(pixels):
                name = f"image_{index:05d}.png"
                Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(os.path.join(folder, name))
                written.append(os.path.join(args.out_dir, name))
        if LOGITS in outputs:
            summary["labels"] = np.argmax(outputs[LOGITS], axis=-1).tolist()
            files.write_text(os.path.join(folder, "labels.json"), json.dumps({"labels": summary["labels"]}))
    summary["images_written"] = len(written)
    print(json.dumps(summary), file=results)
    return 0
