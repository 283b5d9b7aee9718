"""``jointcomp decompress MODEL.keras STREAMS.jcs --out-dir DIR``: PNG reconstructions and predicted labels.

Writes ``DIR/image_00000.png`` ... (when the model has a decoder) and ``DIR/labels.json`` with the predicted
label of every image (when it has a classifier). A damaged stream file, or one written by another model,
stops it with a one-line error before anything is written.
"""

import json
import os

import numpy as np
from PIL import Image

from keras_jointcomp import codec, models
from keras_jointcomp.cli.inputs import check_new_path
from keras_jointcomp.models.joint import LOGITS, RECONSTRUCTION


def add_parser(subparsers, name):
    parser = subparsers.add_parser(name, help="decode a file of bitstreams to PNG images and labels")
    parser.add_argument("model_file", help="the .keras model the streams were written with")
    parser.add_argument("stream_file", help="a file written by `jointcomp compress`")
    parser.add_argument("--out-dir", required=True, help="folder for the PNG images and labels.json")
    parser.add_argument("--overwrite", action="store_true", help="write into an existing folder")


def run(args, results):
    check_new_path(args.out_dir, args.overwrite)
    model = models.load_model(args.model_file)
    with open(args.stream_file, "rb") as file:
        streams = codec.unpack_stream_file(file.read())
    if not streams:
        raise codec.BitstreamError(f"{args.stream_file} holds no streams")
    latent_codec = codec.LatentCodec.for_stream(model, streams[0])
    outputs = latent_codec.heads(latent_codec.decompress(streams))
    os.makedirs(args.out_dir, exist_ok=True)
    written = []
    if RECONSTRUCTION in outputs:
        pixels = np.clip(np.round(outputs[RECONSTRUCTION] * 255.0), 0, 255).astype(np.uint8)
        for index, image in enumerate(pixels):
            path = os.path.join(args.out_dir, f"image_{index:05d}.png")
            Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(path)
            written.append(path)
    summary = {"out_dir": args.out_dir, "n_images": len(streams), "step_scale": latent_codec.step_scale,
               "images_written": len(written)}
    if LOGITS in outputs:
        labels = np.argmax(outputs[LOGITS], axis=-1).tolist()
        with open(os.path.join(args.out_dir, "labels.json"), "w") as file:
            json.dump({"labels": labels}, file)
        summary["labels"] = labels
    print(json.dumps(summary), file=results)
    return 0
