"""Is Keras' PyTorch backend the cause? cifar_conv_ae's autoencoder in Keras against plain PyTorch.

    python benchmarks/torch_batch_norm.py              # writes docs/results.md
    python benchmarks/torch_batch_norm.py --no-write

On the PyTorch backend the zoo trains cifar_conv_ae's autoencoder phase about 1.5x slower than the plain
PyTorch peer (`benchmarks/training_speed.py`), on the same convolution kernels. This times one training
step of the same autoencoder (the peer's encoder and decoder: 3x3 convolutions with batch norm and ReLU,
max pooling, stride-2 transposed convolutions) with no keras_jointcomp code in the way, in one process under
Keras' PyTorch backend:

- plain Keras: the layers as a `keras.Sequential`, `train_on_batch` (Adam, MSE);
- plain PyTorch: `torch_peer.cifar_conv_ae`'s compressor and decompressor, one hand-written Adam step;

with Keras' batch norm, with the package's `layers.BatchNormalization` (the same layer on PyTorch's fused
kernel, which the zoo's builders use) and without batch norms (the same network with them left out), so
that the gap's share that Keras' batch norm carries shows. Keras computes a batch norm on PyTorch from
``keras.ops`` (mean and variance by reductions, then element-wise arithmetic, each its own kernel and its
own backward); PyTorch's `nn.BatchNorm2d` is one fused kernel forward and one backward.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

SIDE, CHANNELS = 32, 3
NORMS = ("keras", "fused", "none")
"""Batch norms of the Keras network: Keras' own, the package's `layers.BatchNormalization`, or none."""


def keras_autoencoder(norm):
    """cifar_conv_ae's encoder and decoder as Keras layers (the zoo's defaults: 32 and 64 filters), with
    batch norm ``norm`` (one of `NORMS`)."""
    import keras
    from keras import layers

    from keras_jointcomp.layers import BatchNormalization

    batch_norm = {"keras": layers.BatchNormalization, "fused": BatchNormalization}.get(norm)

    def block(filters, transpose=False):
        conv = (layers.Conv2DTranspose(filters, 3, strides=2, padding="same", use_bias=False) if transpose
                else layers.Conv2D(filters, 3, padding="same", use_bias=False))
        return [conv, *([batch_norm(momentum=0.9)] if batch_norm else []), layers.ReLU()]

    return keras.Sequential([
        keras.Input((SIDE, SIDE, CHANNELS)),
        *block(32), *block(32), layers.MaxPooling2D(2), *block(64), *block(64), layers.MaxPooling2D(2),
        *block(64, True), *block(32, True), layers.Conv2D(CHANNELS, 3, padding="same", activation="sigmoid")])


def torch_autoencoder(batch_norm):
    """The peer's compressor and decompressor (`torch_peer.cifar_conv_ae`), batch norms left out if asked."""
    import torch_peer
    from torch import nn

    network = torch_peer.cifar_conv_ae(channels=CHANNELS)
    layers = [*network.compressor, *network.decompressor]
    return nn.Sequential(*(layer for layer in layers if batch_norm or not isinstance(layer, nn.BatchNorm2d)))


def step_times(batch, repeats):
    """ms per training step of each (engine, batch norm) pair, in this process (Keras on PyTorch)."""
    import keras
    import numpy as np
    import torch

    if keras.backend.backend() != "torch":
        raise RuntimeError("torch_batch_norm.py measures Keras' PyTorch backend: run it with KERAS_BACKEND=torch")
    images = np.random.default_rng(0).random((batch, SIDE, SIDE, CHANNELS), dtype="float32")
    rows = []
    for norm in NORMS:
        batch_norm = norm != "none"
        model = keras_autoencoder(norm)
        model.compile(optimizer="adam", loss="mse")
        keras_ms = report.best_ms(lambda: model.train_on_batch(images, images), repeats, warmups=2)

        network = torch_autoencoder(batch_norm).train()
        optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)
        tensor = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()

        def torch_step():
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(network(tensor), tensor)
            loss.backward()
            optimizer.step()

        torch_ms = report.best_ms(torch_step, repeats, warmups=2)
        rows.append({"norm": norm, "keras_ms": keras_ms, "torch_ms": torch_ms})
    return rows


def table(rows, args):
    lines = [
        "## Keras on PyTorch against plain PyTorch: cifar_conv_ae's autoencoder, with and without batch norm",
        "",
        f"Command: `{' '.join(['python benchmarks/torch_batch_norm.py', *args.argv])}` (one training step at batch "
        f"{args.batch}, Adam, MSE, best of {args.repeats}, in one process under Keras' PyTorch backend). Plain "
        "Keras: the encoder and decoder as a `keras.Sequential`; plain PyTorch: `torch_peer.cifar_conv_ae`'s "
        "compressor and decompressor (`nn.BatchNorm2d`). Batch norm in the Keras network: Keras' own "
        "`BatchNormalization`, the package's `layers.BatchNormalization` (PyTorch's fused kernel), or none (the "
        "same layers with the batch norms left out, in both networks).",
        "",
        "| batch norm in the Keras network | Keras ms | plain PyTorch ms | Keras / PyTorch |",
        "|---|---|---|---|",
    ]
    names = {"keras": "Keras' BatchNormalization", "fused": "layers.BatchNormalization", "none": "none"}
    for row in rows:
        lines.append(f"| {names[row['norm']]} | {row['keras_ms']:.1f} | {row['torch_ms']:.1f} | "
                     f"{row['keras_ms'] / row['torch_ms']:.2f} |")
    return "\n".join(lines)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/results.md alone")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.batch < 2 or args.repeats < 1:
        parser.error(f"--batch must be at least 2 (batch norm) and --repeats at least 1, got {args.batch} and "
                     f"{args.repeats}")
    args.argv = argv
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    if args.child:
        print(json.dumps(step_times(args.batch, args.repeats)))
        return None
    rows = report.run_child(__file__, ["--child", "--batch", args.batch, "--repeats", args.repeats], "torch")
    report.publish("torch_batch_norm", table(rows, args), rows, write=not args.no_write)
    return rows


if __name__ == "__main__":
    main()
