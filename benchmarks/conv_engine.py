"""Is the engine the cause? The atl_lenet decompressor outside the package, per backend.

    python benchmarks/conv_engine.py              # writes docs/results.md
    python benchmarks/conv_engine.py --no-write

JAX trains atl_lenet's AE and decompressor phases several times slower than TensorFlow and PyTorch on a
CPU. This measures the same work with no keras_jointcomp code in the way, each engine in its own process:

1. plain Keras: the decompressor's layers (upsample, pad, 3x3 convolutions 16 and 6 and 1 filters) as a
   `keras.Sequential`, `train_on_batch` at batch 512, on each backend;
2. the one operation that dominates: the weight gradient of its 16 -> 6 filter 3x3 convolution on a
   512 x 34 x 34 x 16 batch, in plain JAX (`jax.lax.conv_general_dilated` under `jax.grad`), plain
   TensorFlow (`tf.raw_ops.Conv2DBackpropFilter`) and plain PyTorch (`torch.nn.grad.conv2d_weight`);
3. the package's way around it: the decoder of 1. with each upsample-pad-convolution replaced by one
   `keras_jointcomp.layers.UpsamplingConv2D` (the same function and parameters; what atl_lenet uses).
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

BACKENDS = ("tensorflow", "jax", "torch")
BATCH, SIDE, IN_CHANNELS, OUT_CHANNELS = 512, 34, 16, 6


def plain_keras_decoder(repeats, folded=False):
    """ms per train_on_batch of the decompressor's layers in plain Keras (this process's backend), or with
    the package's `UpsamplingConv2D` for each upsample-pad-convolution (``folded``)."""
    import keras
    import numpy as np
    from keras import layers

    if folded:
        from keras_jointcomp.layers import UpsamplingConv2D

        upsampling_convs = [UpsamplingConv2D(16, 3, padding=2, activation="relu"),
                            UpsamplingConv2D(6, 3, padding=2, activation="relu")]
    else:
        upsampling_convs = [layers.UpSampling2D(2), layers.ZeroPadding2D(2), layers.Conv2D(16, 3, activation="relu"),
                            layers.UpSampling2D(2), layers.ZeroPadding2D(2), layers.Conv2D(6, 3, activation="relu")]
    decoder = keras.Sequential([keras.Input((5, 5, 16)), *upsampling_convs, layers.ZeroPadding2D(2),
                                layers.Conv2D(1, 3, activation="sigmoid")])
    decoder.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(0)
    latents = rng.random((BATCH, 5, 5, 16), dtype="float32")
    targets = rng.random((BATCH, 28, 28, 1), dtype="float32")
    return report.best_ms(lambda: decoder.train_on_batch(latents, targets), repeats)


def weight_gradient(framework, repeats):
    """ms of the 16 -> 6 3x3 convolution's weight gradient in the framework alone."""
    import numpy as np

    rng = np.random.default_rng(0)
    inputs = rng.random((BATCH, SIDE, SIDE, IN_CHANNELS), dtype="float32")
    upstream = rng.random((BATCH, SIDE - 2, SIDE - 2, OUT_CHANNELS), dtype="float32")
    if framework == "jax":
        import jax

        kernel = np.zeros((3, 3, IN_CHANNELS, OUT_CHANNELS), "float32")

        def conv(k, x):
            return jax.lax.conv_general_dilated(x, k, (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC"))

        gradient = jax.jit(lambda k, x, g: jax.vjp(lambda k: conv(k, x), k)[1](g)[0])
        x, g = jax.device_put(inputs), jax.device_put(upstream)
        return report.best_ms(lambda: gradient(kernel, x, g).block_until_ready(), repeats)
    if framework == "tensorflow":
        import tensorflow as tf

        gradient = tf.function(lambda x, g: tf.raw_ops.Conv2DBackpropFilter(
            input=x, filter_sizes=[3, 3, IN_CHANNELS, OUT_CHANNELS], out_backprop=g, strides=[1, 1, 1, 1],
            padding="VALID"))
        x, g = tf.constant(inputs), tf.constant(upstream)
        return report.best_ms(lambda: gradient(x, g).numpy(), repeats)
    import torch

    x = torch.from_numpy(inputs).permute(0, 3, 1, 2).contiguous()
    g = torch.from_numpy(upstream).permute(0, 3, 1, 2).contiguous()
    return report.best_ms(lambda: torch.nn.grad.conv2d_weight(x, (OUT_CHANNELS, IN_CHANNELS, 3, 3), g), repeats)


def table(results, args):
    keys = ("decoder_step_ms", "weight_gradient_ms", "folded_decoder_step_ms")
    fastest = {key: min(r[key] for r in results) for key in keys}
    lines = [
        "## Is the engine the cause? atl_lenet's decompressor outside the package",
        "",
        f"Command: `{' '.join(['python benchmarks/conv_engine.py', *args.argv])}` (best of {args.repeats}; each "
        "engine alone in its process). Decoder step: the decompressor's layers as a plain `keras.Sequential`, "
        f"one `train_on_batch` at batch {BATCH}. Weight gradient: the 16 -> 6 filter 3x3 convolution's kernel "
        f"gradient on a {BATCH} x {SIDE} x {SIDE} x {IN_CHANNELS} batch in the framework alone (JAX: "
        "`jax.lax.conv_general_dilated` under `jax.vjp`; TensorFlow: `Conv2DBackpropFilter`; PyTorch: "
        "`torch.nn.grad.conv2d_weight`). Folded decoder step: the decoder step with `layers.UpsamplingConv2D` "
        "for each upsample-pad-convolution (atl_lenet's decompressor); speed-up: plain step / folded step.",
        "",
        "| backend | plain-Keras decoder step ms | x the fastest | conv weight gradient ms | x the fastest "
        "| folded decoder step ms | x the fastest | speed-up from folding |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        cells = [f"{r[key]:.1f} | {r[key] / fastest[key]:.1f}" for key in keys]
        speed_up = r["decoder_step_ms"] / r["folded_decoder_step_ms"]
        lines.append(f"| {r['backend']} | {' | '.join(cells)} | {speed_up:.2f} |")
    return "\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/results.md alone")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.argv = argv
    if args.child:
        import keras

        backend = keras.backend.backend()
        print(json.dumps({"backend": backend, "decoder_step_ms": plain_keras_decoder(args.repeats),
                          "weight_gradient_ms": weight_gradient(backend, args.repeats),
                          "folded_decoder_step_ms": plain_keras_decoder(args.repeats, folded=True)}))
        return None
    results = [report.run_child(__file__, ["--child", "--repeats", args.repeats], backend)
               for backend in args.backends.split(",")]
    report.publish("conv_engine", table(results, args), results, write=not args.no_write)
    return results


if __name__ == "__main__":
    main()
