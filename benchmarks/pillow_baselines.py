"""JPEG and WebP rate-accuracy baselines: bytes, PSNR and the learned model's accuracy on decoded images.

    KERAS_BACKEND=tensorflow python benchmarks/pillow_baselines.py --dataset mnist \
        --data-dir /work/shared/datasets --epochs 5 --out runs/pillow_baselines_mnist.json

For each codec setting (`keras_jointcomp.baselines.baseline_point`): the train and test images go through
the codec, a fresh model of the learned architecture (``--model``) trains its classification network
(encoder + classifier, from scratch, the "baseline-cnn" recipe) on the decoded training images, and is
measured on the decoded test images. Bytes per image are the mean stream length on the test set, with JPEG's
tables agreed in advance (abbreviated streams; ``shared_bytes`` once per codec). ``framing_bytes`` is the
part of each stream that is the same for every image of the data set (JPEG: SOI, JFIF, frame and scan
headers and EOI; WebP: RIFF, chunk and VP8 frame headers): not sent by a learned codec of fixed image size.
Every point starts from the same initial weights (``--seed``). Results as JSON on stdout (and ``--out``),
progress and a Markdown table on stderr.
"""

import argparse
import json
import os
import sys
import time


def parse_qualities(text):
    """"1,5,10" -> [1, 5, 10]; an empty string -> []."""
    return [int(part) for part in text.split(",") if part.strip()]


def framing_bytes(format, stream):
    """Bytes of one stream outside its entropy-coded data: constant for every image of one size."""
    if format == "webp":
        if stream[12:16] != b"VP8 ":
            raise ValueError(f"Expected a simple lossy WebP file (VP8 chunk), got chunk {stream[12:16]!r}.")
        return 12 + 8 + 10  # RIFF header, VP8 chunk header, VP8 key frame header
    offset = 2  # SOI
    while True:
        marker = stream[offset:offset + 2]
        length = int.from_bytes(stream[offset + 2:offset + 4], "big")
        offset += 2 + length
        if marker == b"\xff\xda":  # start of scan: the entropy-coded data follows its header
            return offset + 2  # + EOI


def measure(args):
    """All points of the run, as a list of dicts."""
    import keras

    from keras_jointcomp import baselines, data, models, training

    train = data.load(args.dataset, "train", data_dir=args.data_dir)
    test = data.load(args.dataset, "test", data_dir=args.data_dir)
    if args.limit:
        train, test = ([part[: args.limit] for part in split] for split in (train, test))
    train, test = tuple(train), tuple(test)
    config = training.TrainingConfig(batch_size=args.batch_size, learning_rate=args.learning_rate,
                                      seed=args.seed, verbose=0)

    def factory():
        keras.utils.set_random_seed(args.seed)  # the same initial weights at every point
        return models.load(args.model)

    print(f"{args.dataset}: {len(train[0])} train, {len(test[0])} test images; {args.model}; "
          f"backend {keras.backend.backend()}", file=sys.stderr)
    settings = [("jpeg", q) for q in args.jpeg_qualities] + [("webp", q) for q in args.webp_qualities]
    results = []
    for format, quality in settings:
        codec = baselines.PillowCodec(format, quality)
        start = time.perf_counter()
        point = baselines.baseline_point(factory, codec, train, test, args.epochs, config)
        point.update(framing_bytes=framing_bytes(format, codec.encode(test[0][:1])[0]), dataset=args.dataset,
                     model=args.model, epochs=args.epochs, backend=keras.backend.backend(),
                     wall_s=time.perf_counter() - start)
        results.append(point)
        print(json.dumps(point), file=sys.stderr)
    return results


def table(results):
    """The points as a Markdown table."""
    lines = ["| codec | setting | bytes/image | framing bytes | shared bytes | PSNR dB | accuracy | encode ms "
             "| decode + classify ms |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['codec']} | {r['setting']} | {r['bytes_per_image']:.1f} | {r['framing_bytes']} "
                     f"| {r['shared_bytes']} | {r['psnr_db']:.2f} | {r['accuracy']:.4f} | {r['encode_ms']:.3f} "
                     f"| {r['decode_ms']:.3f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--data-dir", default=None, help="where <dataset>.npz lies (else the loader's default)")
    parser.add_argument("--model", default="atl_lenet", help="the learned model's architecture (registry name)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--jpeg-qualities", type=parse_qualities, default=[1, 5, 10, 20, 30, 50])
    parser.add_argument("--webp-qualities", type=parse_qualities, default=[0, 5, 10, 20, 30, 50])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0, help="use only the first N train and test images")
    parser.add_argument("--out", default=None, help="also write the JSON results to this path")
    args = parser.parse_args(argv)
    results = measure(args)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as file:
            json.dump(results, file, indent=1)
    print(table(results), file=sys.stderr)
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    main()
