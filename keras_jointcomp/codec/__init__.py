"""Real bitstreams: entropy-coded latents whose bytes can be counted, sent and decoded elsewhere.

    from keras_jointcomp import codec
    model.entropy_coding = codec.fit_entropy_coding(model, train_images, step_scales=[1, 2, 4])
    streams = codec.LatentCodec(model, step_scale=2).compress(images)      # list of bytes
    symbols = codec.LatentCodec.for_stream(model, streams[0]).decompress(streams)

Parts: the integer tables of an entropy model (`keras_jointcomp.entropy_models`), `RangeCoder` (constriction),
the stream container (`container`: header, checksum, stream files), `rates` (one model at several step
scales, `EntropyCoding`), `LatentCodec` (all of it for one model and rate).
"""

from keras_jointcomp.codec.container import (
    FORMAT_VERSION,
    BitstreamError,
    StreamHeader,
    pack_stream_file,
    unpack_stream_file,
)
from keras_jointcomp.codec.latent_codec import LatentCodec, model_fingerprint
from keras_jointcomp.codec.range_coding import RangeCoder
from keras_jointcomp.codec.rates import (
    EntropyCoding,
    fit_entropy_coding,
    freeze_entropy_coding,
    latent_symbols,
    requantized,
)

__all__ = [
    "BitstreamError",
    "EntropyCoding",
    "FORMAT_VERSION",
    "LatentCodec",
    "RangeCoder",
    "StreamHeader",
    "fit_entropy_coding",
    "freeze_entropy_coding",
    "latent_symbols",
    "model_fingerprint",
    "pack_stream_file",
    "requantized",
    "unpack_stream_file",
]
