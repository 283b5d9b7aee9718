"""Entropy coding of one image's integer symbols with constriction's range coder.

The integer tables of an `EntropyModel` go to constriction as exact dyadic probabilities
(``frequency / 2**24``, representable without rounding), so the coder's own fixed-point model is a
deterministic function of the saved integers on every machine. Symbols are coded table by table (all
positions of channel 0, then channel 1, ...; a model with one table per entry codes each entry once), then
the raw values of escaped symbols in 16-bit halves.

constriction emits 32-bit words and seals the stream with up to a few bytes more than the information
needs. The encoder here drops trailing bytes while the stream still decodes to the same symbols when the
decoder pads it with ``0xFF`` bytes, which brings the overhead down to well under a byte on average (the
encoder checks every stream it returns by decoding it).
"""

import numpy as np

import constriction
from keras_jointcomp.entropy_models.tables import PRECISION, table_indices

_RAW_HALF = 2**16
_PAD = b"\xff"


class CodingError(ValueError):
    """A payload that does not decode under the entropy model."""


class RangeCoder:
    """Encode and decode one image's symbols under an entropy model.

    The coder reads only the model's ``latent_shape`` and ``integer_tables()`` (per channel: the lowest
    symbol and the integer frequencies, the escape entry last, summing to ``2**PRECISION``), so any
    probability model that offers them, fitted or learned, codes through it unchanged.
    """

    def __init__(self, entropy_model):
        self.latent_shape = tuple(entropy_model.latent_shape)
        tables = entropy_model.integer_tables()
        self._lows = np.array([low for low, _ in tables], np.int64)
        self._sizes = np.array([len(frequencies) - 1 for _, frequencies in tables], np.int64)
        self._models = [
            constriction.stream.model.Categorical(np.asarray(frequencies) / 2.0**PRECISION, perfect=False)
            for _, frequencies in tables
        ]
        self._raw = constriction.stream.model.Uniform(_RAW_HALF)
        self._positions = int(np.prod(self.latent_shape, dtype=np.int64)) // len(tables)

    def encode(self, symbols):
        """The payload bytes of one image's symbols (of the entropy model's latent shape)."""
        symbols = np.asarray(symbols)
        if symbols.shape != self.latent_shape or not np.issubdtype(symbols.dtype, np.integer):
            raise ValueError(f"One image's symbols must be integers of shape {self.latent_shape}, got "
                             f"{symbols.dtype} {symbols.shape}.")
        by_channel = symbols.reshape(self._positions, -1)
        indices, escaped = table_indices(by_channel, self._lows, self._sizes)
        indices = indices.astype(np.int32)
        encoder = constriction.stream.queue.RangeEncoder()
        for channel, model in enumerate(self._models):
            encoder.encode(indices[:, channel], model)
        raw = _raw_halves(by_channel[escaped])
        if len(raw):
            encoder.encode(raw, self._raw)
        payload = encoder.get_compressed().astype(">u4").tobytes()
        return self._shortest(payload, symbols)

    def decode(self, payload):
        """Symbols (int32, of the latent shape) of one payload; `CodingError` if it cannot be decoded."""
        try:
            decoder = constriction.stream.queue.RangeDecoder(_words(payload))
            indices = np.stack([decoder.decode(model, self._positions) for model in self._models], axis=1)
            escaped = indices == self._sizes
            symbols = (indices + self._lows).astype(np.int64)
            if escaped.any():
                symbols[escaped] = _from_raw_halves(decoder.decode(self._raw, 2 * int(escaped.sum())))
        except (ValueError, RuntimeError, AssertionError) as error:
            raise CodingError(f"the payload does not decode ({error})") from error
        return symbols.astype(np.int32).reshape(self.latent_shape)

    def _shortest(self, payload, symbols):
        """``payload`` without the trailing bytes that decoding does not need (checked by decoding)."""
        if not np.array_equal(self.decode(payload), symbols):
            raise CodingError("the range coder's output does not decode to its input")
        while payload:
            try:
                shorter_decodes = np.array_equal(self.decode(payload[:-1]), symbols)
            except CodingError:
                shorter_decodes = False
            if not shorter_decodes:
                break
            payload = payload[:-1]
        return payload


def _words(payload):
    """The coder's 32-bit words from payload bytes: padded with 0xFF to whole words, plus one word more."""
    padded = bytes(payload) + _PAD * (-len(payload) % 4 + 4)
    return np.frombuffer(padded, ">u4").astype(np.uint32)


def _raw_halves(values):
    """int32 values as uint32 bit patterns, each split into its high and low 16 bits."""
    unsigned = np.asarray(values, np.int64).astype(np.int32).view(np.uint32).astype(np.int64)
    return np.stack([unsigned >> 16, unsigned & 0xFFFF], axis=-1).reshape(-1).astype(np.int32)


def _from_raw_halves(halves):
    halves = np.asarray(halves, np.int64).reshape(-1, 2)
    return ((halves[:, 0] << 16) | halves[:, 1]).astype(np.uint32).view(np.int32)
