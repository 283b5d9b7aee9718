"""A plain PyTorch peer of one ATL epoch set: the yardstick the Keras backends' training speed is measured against.

    python benchmarks/torch_peer.py                          # both networks, JSON on stdout
    python benchmarks/torch_peer.py --networks atl_lenet --images 2048

Algorithm 1 of the ATL study (Forna) written by hand, the way a PyTorch user would write it without the zoo:
nn.Modules that mirror the zoo's Keras architectures layer for layer (same parameter counts), channels-first
tensors, a loop over a shuffled index permutation of a uint8 array (no DataLoader) turned into float / 255
per batch, a fresh Adam(lr=1e-3) per phase, MSE for the autoencoder and cross-entropy for the classifier.
A frozen compressor is frozen as a user would do it: ``requires_grad_(False)``, eval mode, and its forward
pass under ``torch.no_grad()`` in every batch. One epoch set is four phases of one epoch each:

    ae               compressor + decompressor            (MSE)
    classifier_only  classifier behind the frozen compressor (cross-entropy), then held-out accuracy
    cnn              compressor + classifier              (cross-entropy)
    decoder_only     decompressor behind the frozen compressor (MSE), then held-out accuracy and PSNR

The held-out measurements match what the zoo's ATL recipe measures after those two phases. Torch keeps its
default thread count. No Keras here: this file imports only NumPy and PyTorch.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The benchmark's workload (image shapes, phase names, the random images): plain NumPy, no Keras.
from training_speed import HELD_OUT, NETWORKS, NUM_CLASSES, PHASES, random_images  # noqa: E402


# --- The networks --------------------------------------------------------------------------------------------


class RoundingQuantizer(nn.Module):
    """The zoo's `RoundingQuantizer` (step 1, offset 0): ``clip(round(x), 0, 2**num_bits - 1)``, with the
    straight-through gradient ``x + (q - x).detach()`` in training mode and the plain rounded values in eval."""

    def __init__(self, num_bits=4):
        super().__init__()
        self.highest = float(2**num_bits - 1)

    def forward(self, x):
        rounded = torch.clamp(torch.round(x), 0.0, self.highest)
        return x + (rounded - x).detach() if self.training else rounded


class JointNet(nn.Module):
    """Compressor -> quantizer -> decompressor and classifier, as named parts."""

    def __init__(self, compressor, quantizer, decompressor, classifier):
        super().__init__()
        self.compressor, self.quantizer = compressor, quantizer
        self.decompressor, self.classifier = decompressor, classifier

    def latent(self, x):
        return self.quantizer(self.compressor(x))


def atl_lenet(channels=1, num_classes=NUM_CLASSES, num_bits=4, dropout=0.5):
    """`keras_jointcomp.models.atl_lenet`: LeNet compressor to a 16x5x5 latent rounded to 0..15, an
    upsampling decompressor and LeNet's fully connected classifier (Keras' valid convolutions: no padding
    but the explicit ZeroPad2d layers)."""
    compressor = nn.Sequential(
        nn.Conv2d(channels, 6, 5), nn.ReLU(), nn.ZeroPad2d(2), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
    decompressor = nn.Sequential(
        nn.Upsample(scale_factor=2, mode="nearest"), nn.ZeroPad2d(2), nn.Conv2d(16, 16, 3), nn.ReLU(),
        nn.Upsample(scale_factor=2, mode="nearest"), nn.ZeroPad2d(2), nn.Conv2d(16, 6, 3), nn.ReLU(),
        nn.ZeroPad2d(2), nn.Conv2d(6, channels, 3), nn.Sigmoid())
    classifier = nn.Sequential(
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(120, 84), nn.ReLU(), nn.Dropout(dropout), nn.Linear(84, num_classes))
    return JointNet(compressor, RoundingQuantizer(num_bits), decompressor, classifier)


def _conv_bn_relu(in_channels, out_channels, transpose=False):
    """A 3x3 (stride-2 transposed) convolution without bias, batch norm, ReLU: Keras' ``padding="same"``
    and its BatchNormalization(momentum=0.9, epsilon=1e-3), which is torch's momentum 0.1."""
    if transpose:
        conv = nn.ConvTranspose2d(in_channels, out_channels, 3, stride=2, padding=1, output_padding=1, bias=False)
    else:
        conv = nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False)
    return [conv, nn.BatchNorm2d(out_channels, eps=1e-3, momentum=0.1), nn.ReLU()]


def cifar_conv_ae(channels=3, num_classes=NUM_CLASSES, dropout=0.3):
    """`keras_jointcomp.models.cifar_conv_ae` with its defaults: a VGG-style encoder (two blocks of two
    conv-BN-ReLU at 32 and 64 filters, each block max-pooled) to an 8x8x64 float latent (no quantizer), a
    decoder of two stride-2 transposed convolutions and a 3x3 sigmoid convolution, and a classifier of two
    128-filter conv-BN-ReLU, max pooling, dropout and one dense layer."""
    compressor = nn.Sequential(
        *_conv_bn_relu(channels, 32), *_conv_bn_relu(32, 32), nn.MaxPool2d(2),
        *_conv_bn_relu(32, 64), *_conv_bn_relu(64, 64), nn.MaxPool2d(2))
    decompressor = nn.Sequential(
        *_conv_bn_relu(64, 64, transpose=True), *_conv_bn_relu(64, 32, transpose=True),
        nn.Conv2d(32, channels, 3, padding=1), nn.Sigmoid())
    classifier = nn.Sequential(
        *_conv_bn_relu(64, 128), *_conv_bn_relu(128, 128), nn.MaxPool2d(2), nn.Dropout(dropout),
        nn.Flatten(), nn.Linear(128 * 4 * 4, num_classes))
    return JointNet(compressor, nn.Identity(), decompressor, classifier)


def build(name, shape):
    """The peer of zoo model ``name`` for images of ``shape`` (H, W, C)."""
    builders = {"atl_lenet": atl_lenet, "cifar_conv_ae": cifar_conv_ae}
    if name not in builders:
        raise ValueError(f"Unknown network {name!r}; choose one of {', '.join(builders)}.")
    return builders[name](channels=shape[-1])


def count_params(module):
    """Parameters plus batch norms' running mean and variance: what Keras' ``count_params()`` counts (its
    moving statistics are non-trainable weights; torch keeps them as buffers)."""
    statistics = sum(buffer.numel() for name, buffer in module.named_buffers()
                     if name.endswith(("running_mean", "running_var")))
    return sum(p.numel() for p in module.parameters()) + statistics


# --- Algorithm 1 by hand ----------------------------------------------------------------------------------


def to_batch(images, labels, index):
    """One batch: the uint8 NCHW images at ``index`` as float / 255, and their labels."""
    return torch.from_numpy(images[index]).float().div_(255.0), torch.from_numpy(labels[index])


def set_phase(net, trainable):
    """Train the parts named in ``trainable``, freeze the others (no gradients, eval mode); returns a fresh
    Adam over the trainable parts."""
    parameters = []
    for name in ("compressor", "decompressor", "classifier"):
        part = getattr(net, name)
        part.requires_grad_(name in trainable)
        part.train(name in trainable)
        if name in trainable:
            parameters += list(part.parameters())
    net.quantizer.train("compressor" in trainable)  # straight-through only where gradients reach the compressor
    return torch.optim.Adam(parameters, lr=1e-3)


def train_epoch(net, phase, images, labels, batch_size, rng):
    """One epoch of ``phase`` over a shuffled permutation; returns the mean loss."""
    trainable = {"ae": ("compressor", "decompressor"), "classifier_only": ("classifier",),
                 "cnn": ("compressor", "classifier"), "decoder_only": ("decompressor",)}[phase]
    optimizer = set_phase(net, trainable)
    frozen_compressor = "compressor" not in trainable
    head = net.decompressor if phase in ("ae", "decoder_only") else net.classifier
    order, total = rng.permutation(len(images)), 0.0
    for start in range(0, len(order), batch_size):
        x, y = to_batch(images, labels, order[start:start + batch_size])
        if frozen_compressor:
            with torch.no_grad():
                latent = net.latent(x)
        else:
            latent = net.latent(x)
        output = head(latent)
        loss = F.mse_loss(output, x) if head is net.decompressor else F.cross_entropy(output, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(x)
    return total / len(images)


def held_out(net, images, labels, batch_size):
    """Accuracy and PSNR (dB, mean squared error over all pixels) of the joint net in eval mode."""
    net.eval()
    correct, squared, pixels = 0, 0.0, 0
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            x, y = to_batch(images, labels, np.arange(start, min(start + batch_size, len(images))))
            latent = net.latent(x)
            correct += int((net.classifier(latent).argmax(1) == y).sum())
            squared += float(((net.decompressor(latent) - x) ** 2).sum())
            pixels += x.numel()
    return {"accuracy": correct / len(images), "psnr_db": float(10 * np.log10(pixels / max(squared, 1e-12)))}


def epoch_set(net, images, labels, validation, batch_size, rng):
    """One ATL epoch set (the four phases, one epoch each, and the held-out measurements between them);
    returns the seconds of each phase, of the measurements and of the whole set, and the measured numbers."""
    phase_seconds, evaluation_s, measured = {}, 0.0, {}
    start_set = time.perf_counter()
    for phase in PHASES:
        start = time.perf_counter()
        train_epoch(net, phase, images, labels, batch_size, rng)
        phase_seconds[phase] = time.perf_counter() - start
        if phase in ("classifier_only", "decoder_only"):
            start = time.perf_counter()
            measured = held_out(net, *validation, max(batch_size, 256))
            evaluation_s += time.perf_counter() - start
    return {"phases_s": phase_seconds, "evaluation_s": evaluation_s,
            "epoch_set_s": time.perf_counter() - start_set, **measured}


def measure(name, count, batch_size, epoch_sets=1, seed=0):
    """Build the peer of ``name`` and time ``epoch_sets`` epoch sets on ``count`` random images (the first
    1,000, at most, are also the held-out set, as on the Keras side); the last set's numbers at the top."""
    shape = NETWORKS[name]
    images, labels = random_images(count, shape, seed)
    images = np.ascontiguousarray(images.transpose(0, 3, 1, 2))  # channels first once, as a loader would
    torch.manual_seed(seed)
    net = build(name, shape)
    validation = (images[:HELD_OUT], labels[:HELD_OUT])
    rng = np.random.default_rng(seed)
    sets = [epoch_set(net, images, labels, validation, batch_size, rng) for _ in range(epoch_sets)]
    return {"images": count, "params": count_params(net), "epoch_sets": sets, **sets[-1]}


def main(argv=None):
    """Time one epoch set per network; the JSON of all of them on stdout, one line per network on stderr."""
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", default=",".join(NETWORKS))
    parser.add_argument("--images", type=int, default=60_000, help="images for atl_lenet")
    parser.add_argument("--cifar-images", type=int, default=5_120, help="images for cifar_conv_ae")
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--epoch-sets", type=int, default=1)
    args = parser.parse_args(argv)
    counts = {"atl_lenet": args.images, "cifar_conv_ae": args.cifar_images}
    result = {"backend": "pytorch peer", "torch": torch.__version__, "threads": torch.get_num_threads(),
              "networks": {}}
    for name in args.networks.split(","):
        if name not in NETWORKS:
            parser.error(f"unknown network {name!r}; choose from {', '.join(NETWORKS)}")
        result["networks"][name] = measure(name, counts[name], args.batch_size, args.epoch_sets)
        print(f"[peer] {name}: {json.dumps(result['networks'][name])}", file=sys.stderr, flush=True)
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
