"""Stream a test set through a trained model's codec and check the bytes and the decoding across backends.

    python benchmarks/bitstream_check.py runs/atl_full_ft10_mnist.keras --dataset mnist --data-dir ../shared/datasets

Fits entropy tables on the training split when the model has none for the step scale, compresses every
test image in this process (its backend), then decodes the stream file in a separate process under each
other backend and compares the symbols with the encoder's. Prints one JSON object: actual bytes per image
(mean, header included), the entropy model's estimate, the payload's excess over the estimate in percent,
the fixed-length size, and for each backend whether its decoding was bit-exact.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import keras
import numpy as np

from keras_jointcomp import codec, data, models

BACKENDS = ("tensorflow", "jax", "torch")
DECODE = """
import sys
import numpy as np
import keras_jointcomp as jc
model = jc.models.load_model(sys.argv[1])
streams = jc.codec.unpack_stream_file(open(sys.argv[2], "rb").read())
np.save(sys.argv[3], jc.codec.LatentCodec.for_stream(model, streams[0]).decompress(streams))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_file")
    parser.add_argument("--dataset", default=data.OFFLINE_DEFAULT)
    parser.add_argument("--data-dir")
    parser.add_argument("--step-scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    model = models.load_model(args.model_file)
    if model.entropy_coding is None or not model.entropy_coding.covers(args.step_scale):
        train = data.load(args.dataset, "train", data_dir=args.data_dir)
        fitted = codec.fit_entropy_coding(model, train.images, [args.step_scale])
        model.entropy_coding = fitted if model.entropy_coding is None else model.entropy_coding.merged(fitted)
    images = data.load(args.dataset, "test", data_dir=args.data_dir).images
    latent_codec = codec.LatentCodec(model, args.step_scale)
    streams = latent_codec.compress(images)
    symbols = latent_codec.symbols(images)
    actual = float(np.mean([len(stream) for stream in streams]))
    estimate = float(latent_codec.estimated_bytes(symbols).mean())
    header = latent_codec.header_bytes
    report = {
        "model_file": args.model_file, "dataset": args.dataset, "images": len(images),
        "step_scale": latent_codec.step_scale, "encoded_under": keras.backend.backend(),
        "bytes_per_image": actual, "estimated_bytes_per_image": estimate, "header_bytes": header,
        "payload_excess_percent": 100 * ((actual - header) / (estimate - header) - 1),
        "fixed_length_bytes_per_image": model.bytes_per_image, "bit_exact": {},
    }
    with tempfile.TemporaryDirectory() as folder:
        model_file = models.save_model(model, os.path.join(folder, "model.keras"))
        stream_file = os.path.join(folder, "streams.jcs")
        with open(stream_file, "wb") as file:
            file.write(codec.pack_stream_file(streams))
        for backend in BACKENDS:
            if backend == keras.backend.backend():
                continue
            decoded = os.path.join(folder, f"{backend}.npy")
            subprocess.run([sys.executable, "-c", DECODE, model_file, stream_file, decoded], check=True,
                           env={**os.environ, "KERAS_BACKEND": backend})
            report["bit_exact"][backend] = bool(np.array_equal(np.load(decoded), symbols))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
