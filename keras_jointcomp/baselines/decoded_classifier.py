"""Rate-accuracy points of a classical codec, classified by the learned model's own architecture.

    image --codec.encode--> bytes --codec.decode--> decoded image --encoder--quantizer--classifier--> logits
                                                    (server)      (the learned model's classification network,
                                                                   trained from scratch on decoded images)

A learned codec sends its latent and classifies it on the server; a baseline point sends a JPEG or WebP
stream instead, decodes it on the server and runs the same classification network there, trained like the
"baseline-cnn" recipe but on images that went through the codec. The two then differ only in what crosses
the link, so accuracy at matched bytes compares the codecs, not the classifiers.
"""

import time
import warnings

import numpy as np

from keras_jointcomp import metrics
from keras_jointcomp.baselines.pillow_codecs import PillowCodec
from keras_jointcomp.data import batches, to_float
from keras_jointcomp.data.checks import as_uint8
from keras_jointcomp.models.joint import JointModel
from keras_jointcomp.rate.curves import curve_row
from keras_jointcomp.training import get_recipe


def baseline_point(model_factory, codec, train, test, epochs, config, batch_size=None):
    """Train a fresh model's classification network on ``codec``-decoded images and measure it.

    Args:
        model_factory: a function returning a new, untrained `JointModel` of the learned model's
            architecture; its classifier must read the latent.
        codec: a `PillowCodec` (anything with ``format``, ``quality``, ``shared_bytes``, ``encode`` and
            ``decode(streams, channels)``).
        train, test: ``(uint8 images (N, H, W, C), integer labels)``.
        epochs: training epochs of the classification network (encoder + classifier); 0 measures only the
            codec (bytes and PSNR; accuracy None), with no classifier trained.
        config: a `TrainingConfig` for training (batch size, learning rate, verbosity).
        batch_size: inference batch size on the test set; default ``max(config.batch_size, 256)``.

    Returns a row of `keras_jointcomp.rate.curves.ROWS`: ``codec``, ``setting`` ("quality=10"), ``quality``,
    ``bytes_per_image`` (mean stream length over the test set; the codec's ``shared_bytes``, agreed once,
    are not counted, as a model's tables are not), ``accuracy`` and ``psnr_db``
    (decoded test images against the originals, over all pixels), ``encode_ms`` (codec per image),
    ``decode_ms`` (codec decode plus the classifier's forward pass, per image; the forward pass is timed
    after a first, untimed one, so tracing and compilation are left out) and ``n_images`` (test images).
    """
    model = model_factory()
    _check_model(model)
    (train_images, train_labels), (test_images, test_labels) = train, test
    train_images, test_images = as_uint8(train_images, model), as_uint8(test_images, model)
    channels = np.shape(test_images)[-1]

    if epochs:
        decoded_train = codec.decode(codec.encode(train_images), channels)
        history, = get_recipe("baseline-cnn")(model, (decoded_train, np.asarray(train_labels)), epochs, config)
        _warn_if_training_stalled(history, model.num_classes, codec)

    start = time.perf_counter()
    streams = codec.encode(test_images)
    encode_s = time.perf_counter() - start
    start = time.perf_counter()
    decoded = codec.decode(streams, channels)
    decode_s = time.perf_counter() - start
    accuracy, classify_s = None, 0.0
    if epochs:
        network = model.classification_network()
        inputs = batches(decoded, batch_size=batch_size or max(config.batch_size, 256))
        network.predict(inputs, verbose=0)  # traces and compiles
        start = time.perf_counter()
        logits = network.predict(inputs, verbose=0)
        classify_s = time.perf_counter() - start
        accuracy = float(metrics.accuracy(np.asarray(test_labels), logits))

    count = len(test_images)
    lengths = np.array([len(stream) for stream in streams])
    return curve_row(
        codec=codec.format,
        setting=f"quality={codec.quality}",
        quality=codec.quality,
        bytes_per_image=float(lengths.mean()),
        compact_bytes_per_image=float(lengths.mean()),  # the codec's own file: nothing to share
        accuracy=accuracy,
        psnr_db=float(metrics.psnr(to_float(test_images), to_float(decoded))),
        encode_ms=1000.0 * encode_s / count,
        decode_ms=1000.0 * (decode_s + classify_s) / count,
        n_images=count,
    )


def baseline_curve(model_factory, format, qualities, train, test, epochs, config, batch_size=None):
    """`baseline_point` of a `PillowCodec` of ``format`` ("jpeg" or "webp") at each of ``qualities``, in
    order: one fresh model per point."""
    return [baseline_point(model_factory, PillowCodec(format, quality), train, test, epochs, config, batch_size)
            for quality in qualities]


def _warn_if_training_stalled(history, num_classes, codec):
    """A baseline whose classifier never left chance measures its training, not its codec: say so.

    It happens with a rounding bottleneck whose random initial latent rounds to all zeros (seen once in
    three seeds on Fashion-MNIST); another seed trains normally.
    """
    final = history["accuracy"][-1]
    if final < 1.5 / num_classes:
        warnings.warn(f"The {codec.name} baseline's classifier stayed at chance in training (accuracy "
                      f"{final:.3f}); its point measures a failed training, not the codec. Try another seed.",
                      RuntimeWarning, stacklevel=3)


def _check_model(model):
    """A one-line error unless ``model`` is a `JointModel` whose classifier reads its latent."""
    if not isinstance(model, JointModel):
        raise ValueError(f"model_factory must return a JointModel, got {type(model).__name__}.")
    if model.classifier is None:
        raise ValueError(f"Model {model.name!r} has no classifier, so it cannot classify decoded images.")
    if model.classifier_input == "decoded":
        raise ValueError(
            f"Model {model.name!r} classifies its decoder's output (classifier_input='decoded'); a codec "
            "baseline trains encoder and classifier on decoded images, which needs a classifier of the latent."
        )
