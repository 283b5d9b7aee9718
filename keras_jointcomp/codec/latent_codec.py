"""Images to bitstreams and back through a trained `JointModel`, at one of the rates it is set up for.

    codec = LatentCodec(model)                   # the model's own quantization (step scale 1)
    streams = codec.compress(images)             # one `bytes` per image: header, payload, checksum
    symbols = codec.decompress(streams)          # int32 (N, *latent_shape): exactly what the encoder sent
    outputs = codec.heads(symbols)               # {"reconstruction": ..., "logits": ...}

The device side needs only the encoder and the tables; the server side only the tables, decoder and
classifier. Both sides must hold the same trained model: every stream carries the model's fingerprint, and
a stream from another model, or for another rate, is refused before its payload is read.

Images follow the package's input contract (`keras_jointcomp.data.checks`): uint8 0..255 as `data.load`
returns them, or float images in [0, 1], which are read as 8-bit data (`data.as_uint8`), so floats that came
from uint8 images (x / 255) give exactly the same symbols and streams.
"""

import hashlib
import json
import struct

import numpy as np
from keras import ops

from keras_jointcomp.codec.container import FINGERPRINT_BYTES, BitstreamError, StreamHeader, pack, unpack
from keras_jointcomp.codec.range_coding import CodingError, RangeCoder
from keras_jointcomp.codec.rates import as_step_scale, latent_symbols, requantized
from keras_jointcomp.models.joint import LOGITS, RECONSTRUCTION

DEPLOYED_PARTS = ("encoder", "quantizer", "decoder", "classifier")


class LatentCodec:
    """Compress images to streams and decompress streams to symbols and the heads' outputs.

    Args:
        model: a trained `JointModel` with a quantizer and fitted tables in ``model.entropy_coding``.
        step_scale: which of the model's rates to stream at (see `keras_jointcomp.codec.rates`).
        batch_size: images per forward pass.
    """

    def __init__(self, model, step_scale=1.0, batch_size=256):
        coding = getattr(model, "entropy_coding", None)
        if coding is None:
            raise ValueError(
                f"Model {model.name!r} has no entropy tables; fit them on its training set first "
                "(keras_jointcomp.codec.fit_entropy_coding, or `jointcomp fit-entropy`)."
            )
        self.step_scale = as_step_scale(step_scale)
        self.model = requantized(model, self.step_scale)
        self.entropy_model = coding.entropy_model(self.step_scale)
        if self.entropy_model.latent_shape != tuple(model.latent_shape):
            raise ValueError(
                f"The entropy tables are for latents of shape {self.entropy_model.latent_shape}, the model's "
                f"latent has shape {tuple(model.latent_shape)}."
            )
        self.batch_size = batch_size
        self.coder = RangeCoder(self.entropy_model)
        self.header = StreamHeader(
            fingerprint=model_fingerprint(self.model, self.entropy_model, self.step_scale),
            latent_shape=tuple(model.latent_shape),
            num_bits=self.model.quantizer.bits_per_element or 0,
            step_scale=self.step_scale,
        )

    @classmethod
    def for_stream(cls, model, stream, batch_size=256):
        """The codec at the rate ``stream`` was written at (read from its checked header)."""
        header, _ = unpack(stream)
        return cls(model, header.step_scale, batch_size)

    # --- Device side --------------------------------------------------------------------------------------

    def symbols(self, images):
        """The integer symbols of images (N, H, W, C), uint8 or float in [0, 1], at this codec's rate; images
        that break the contract or do not fit the model are a one-line `ImageInputError`."""
        return latent_symbols(self.model, images, self.batch_size)  # checks the images (`data.as_uint8`)

    def compress(self, images):
        """One stream (`bytes`) per image (uint8, or float in [0, 1] read as 8-bit data)."""
        return self.compress_symbols(self.symbols(images))

    def compress_symbols(self, symbols):
        """One stream per image of symbols already computed by `symbols` (N x latent shape)."""
        return [pack(self.header, self.coder.encode(image_symbols)) for image_symbols in symbols]

    # --- Server side --------------------------------------------------------------------------------------

    def decompress(self, streams):
        """Symbols (int32, N x latent shape) of streams written by this model at this rate; `BitstreamError`
        naming the first stream that is corrupt, truncated, or not this codec's."""
        if not len(streams):
            raise BitstreamError("no streams to decompress")
        decoded = []
        for index, stream in enumerate(streams):
            try:
                decoded.append(self._decode_one(stream))
            except BitstreamError as error:
                raise BitstreamError(f"stream {index}: {error}") from error
        return np.stack(decoded)

    def _decode_one(self, stream):
        header, payload = unpack(stream)
        expected = self.header
        if header.latent_shape != expected.latent_shape:
            raise BitstreamError(f"stream holds a latent of shape {header.latent_shape}, this model's is "
                                 f"{expected.latent_shape}: it was written by another model")
        if (header.step_scale, header.num_bits) != (expected.step_scale, expected.num_bits):
            raise BitstreamError(
                f"stream was written at step scale {header.step_scale:g} ({header.num_bits} bits), this codec "
                f"reads step scale {expected.step_scale:g} ({expected.num_bits} bits); use "
                "LatentCodec.for_stream"
            )
        if header.fingerprint != expected.fingerprint:
            raise BitstreamError(f"stream was written by another model (fingerprint {header.fingerprint.hex()}, "
                                 f"this model's is {expected.fingerprint.hex()})")
        try:
            return self.coder.decode(payload)
        except CodingError as error:
            raise BitstreamError(str(error)) from error

    def heads(self, symbols):
        """The heads' outputs from symbols: ``{"reconstruction": images, "logits": logits}``, each present
        when the model has that head (a decoder feeding the classifier gives no reconstruction output)."""
        outputs = {}
        if self.model.decoder is not None and self.model.classifier_input == "latent":
            outputs[RECONSTRUCTION] = self._batched(self.model.decode, symbols)
        if self.model.classifier is not None:
            outputs[LOGITS] = self._batched(self.model.classify, symbols)
        return outputs

    def _batched(self, function, symbols):
        return np.concatenate([
            ops.convert_to_numpy(function(symbols[start:start + self.batch_size]))
            for start in range(0, len(symbols), self.batch_size)
        ])

    # --- Rate -----------------------------------------------------------------------------------------------

    @property
    def header_bytes(self):
        """Bytes of every stream that are not payload: header and checksum."""
        return self.header.size

    def estimated_bytes(self, symbols):
        """The entropy model's estimate per image: payload bits / 8 plus the header, float (N,)."""
        return self.entropy_model.estimated_bits(symbols) / 8.0 + self.header_bytes


def model_fingerprint(model, entropy_model, step_scale):
    """First bytes of a SHA-256 over what decoding depends on: the deployed parts' weights (shape, dtype,
    little-endian bytes, in the model's own order), the quantizer's settings, the tables and the rate.

    Computed from saved values only, so a model reloaded under any backend has the same fingerprint.
    """
    digest = hashlib.sha256()
    for name in DEPLOYED_PARTS:
        part = getattr(model, name)
        if part is None:
            continue
        digest.update(name.encode())
        for weight in part.weights:
            values = np.ascontiguousarray(ops.convert_to_numpy(weight))
            values = values.astype(values.dtype.newbyteorder("<"))
            digest.update(f"{values.dtype.str}{values.shape}".encode() + values.tobytes())
    settings = {key: value for key, value in model.quantizer.get_config().items() if key != "name"}
    digest.update(json.dumps([type(model.quantizer).__name__, settings, model.classifier_input],
                             sort_keys=True).encode())
    digest.update(json.dumps(entropy_model.get_config(), sort_keys=True).encode())
    digest.update(struct.pack(">f", step_scale))
    return digest.digest()[:FINGERPRINT_BYTES]
