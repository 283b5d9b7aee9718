"""GDN or plain ReLU in the learned codec's transforms: which gives the better rate-distortion-accuracy
point for the same training, measured.

    python benchmarks/codec_activation.py --data-dir ../shared/datasets   # writes "codec-activation"

Trains ``factorized_mnist`` twice with the ``rate-distortion`` recipe (same seed, data, lambda, beta and
epochs), once with GDN / IGDN and once with ReLU, and measures each on the MNIST test set through real
streams: payload bytes per image, PSNR and accuracy (no timings: this ran beside other training).
"""

import argparse
import json
import os
import sys

import keras

import keras_jointcomp as jc
from keras_jointcomp import training

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402


def measure(activation, train, test, args):
    keras.utils.set_random_seed(args.seed)
    model = jc.models.load("factorized_mnist", activation=activation)
    config = training.TrainingConfig(batch_size=64, seed=args.seed, verbose=0)
    training.train("rate-distortion", model, train, args.epochs, config, lmbda=args.lmbda, beta=args.beta)
    row = jc.rate.rate_curve(model, *train[:1], *test, step_scales=[1.0])[0]
    return {"activation": activation, "parameters": model.count_params(),
            "payload_bytes_per_image": row["payload_bytes_per_image"], "psnr_db": row["psnr_db"],
            "accuracy": row["accuracy"]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.environ.get("JOINTCOMP_DATA_DIR"))
    parser.add_argument("--train-images", type=int, default=20000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lmbda", type=float, default=1000.0)
    parser.add_argument("--beta", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    images, labels = jc.data.load("mnist", "train", data_dir=args.data_dir)
    train = (images[:args.train_images], labels[:args.train_images])
    test = jc.data.load("mnist", "test", data_dir=args.data_dir)
    rows = [measure(activation, train, test, args) for activation in ("gdn", "relu")]
    print(json.dumps(rows, indent=2))
    lines = [f"## Learned codec: GDN or ReLU ({keras.backend.backend()})", "",
             f"Command: `python benchmarks/codec_activation.py {' '.join(argv or sys.argv[1:])}` "
             f"(`factorized_mnist`, rate-distortion recipe, lambda {args.lmbda:g}, beta {args.beta:g}, "
             f"{args.epochs} epochs on {len(train[0])} MNIST training images, batch 64, seed {args.seed}; "
             "measured on the 10,000 test images through real streams).", "",
             "| activation | parameters | payload bytes/image | PSNR dB | accuracy % |",
             "|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['activation']} | {row['parameters']:,} | {row['payload_bytes_per_image']:.1f} | "
                     f"{row['psnr_db']:.2f} | {100 * row['accuracy']:.2f} |")
    report.write_section(f"codec-activation-{keras.backend.backend()}", "\n".join(lines))
    return rows


if __name__ == "__main__":
    main()
