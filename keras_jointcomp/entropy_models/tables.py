"""What every probability model of a quantized latent freezes to: integer frequency tables.

An entropy coder turns symbols into about ``-log2 P(symbol)`` bits each, so encoder and decoder must agree
on P *exactly*: a table recomputed from floats on another machine or backend could differ in its last bit
and derail the decoder. An `EntropyModel` therefore codes with nothing but integers: for table ``t`` (a
latent channel, or a latent entry) the symbols ``low[t] .. low[t] + len(frequencies[t]) - 2`` and one
*escape* entry, with frequencies summing to ``2**PRECISION``. A symbol outside its table's range is sent as
the escape entry followed by its value in 32 raw bits, so no image is ever refused or clipped.

`EntropyModel` is the one interface of the package's probability models: ``latent_shape``,
`likelihood(symbols)` and `estimated_bits(symbols)` for rates, `integer_tables()` for the coder
(`keras_jointcomp.codec.RangeCoder` reads nothing else) and ``get_config`` to be saved with the model and
fingerprinted. Its tables hold one categorical distribution per latent channel (the last axis) or per latent
entry. Three models are built on it, each saved as its integer tables so that decoding never evaluates a
float density:

- `CategoricalEntropyModel`: symbol counts on the training set (any fixed quantizer);
- `GaussianEntropyModel`: the hierarchical study's independent Gaussians at per-entry steps;
- `LearnedEntropyModel`: the density an `EntropyBottleneck` learned in training, frozen.
"""

import numpy as np

PRECISION = 24
"""Bits of probability resolution: every table sums to ``2**PRECISION``, constriction's stream precision."""
ESCAPE_BITS = 32
"""Raw bits that follow an escape entry: the symbol's value as a 32-bit two's-complement integer."""
SMOOTHING = 0.5
"""Pseudo-count added to every in-range symbol when fitting (the Krichevsky-Trofimov estimator)."""
MARGIN = 2
"""Symbols beyond the training set's extremes that an unbounded channel's table still covers."""

_TOTAL = 2**PRECISION


class EntropyModel:
    """Independent categorical distributions over integer symbols, one per latent channel or entry.

    Args:
        latent_shape: shape of one image's latent.
        low: per table, the smallest symbol in it.
        frequencies: per table, positive integers summing to ``2**PRECISION``: the in-range symbols
            ``low, low + 1, ...`` followed by the escape entry. One table per channel (the latent's last
            axis: every position of a channel shares it) or one per latent entry (in C order).
    """

    kind = None  # the name a subclass is saved under (`entropy_model_from_config`)

    def __init__(self, latent_shape, low, frequencies):
        self.latent_shape = tuple(int(size) for size in latent_shape)
        if not self.latent_shape or min(self.latent_shape) < 1:
            raise ValueError(f"latent_shape must be a non-empty shape of positive sizes, got {latent_shape!r}.")
        self.low = np.asarray(low, np.int64).reshape(-1)
        self.frequencies = [np.asarray(table, np.int64).reshape(-1) for table in frequencies]
        size = int(np.prod(self.latent_shape))
        if len(self.low) != len(self.frequencies) or len(self.low) not in (self.latent_shape[-1], size):
            raise ValueError(
                f"A latent of shape {self.latent_shape} takes {self.latent_shape[-1]} tables (one per channel) or "
                f"{size} (one per entry); got {len(self.low)} lows and {len(self.frequencies)} tables."
            )
        for channel, table in enumerate(self.frequencies):
            if len(table) < 2 or table.min() < 1 or table.sum() != _TOTAL:
                raise ValueError(
                    f"Table of channel {channel} is invalid: it needs at least one symbol and the escape entry, "
                    f"all positive, summing to 2**{PRECISION}."
                )

    @classmethod
    def from_probabilities(cls, latent_shape, tables, **fields):
        """Integer tables from probabilities: ``tables`` holds ``(low, probabilities, escape)`` per table,
        the probabilities of the symbols ``low, low + 1, ...`` and the mass left to the escape entry (a
        density's tails). ``fields``: a subclass's own constructor arguments."""
        return cls(latent_shape, [low for low, _, _ in tables],
                   [_integer_frequencies(probabilities, escape) for _, probabilities, escape in tables], **fields)

    @property
    def channels(self):
        """Number of tables: the size of the latent's last axis, or of the whole latent."""
        return len(self.frequencies)

    def integer_tables(self):
        """What the coder needs: per channel ``(low, frequencies)``, frequencies ending with the escape."""
        return list(zip(self.low.tolist(), self.frequencies))


    def table_indices(self, symbols):
        """Index of each symbol in its channel's table (symbols (N, *latent_shape)); escapes get the last
        index. Returns ``(indices, escaped)``, both of the symbols' shape."""
        symbols = self._check_symbols(symbols)
        by_table = symbols.reshape(len(symbols), -1, self.channels)
        indices, escaped = table_indices(by_table, self.low, [len(table) - 1 for table in self.frequencies])
        return indices.reshape(symbols.shape), escaped.reshape(symbols.shape)

    def likelihood(self, symbols):
        """``P(symbol)`` under the tables, per element of symbols (N, *latent_shape), float64.

        An escaped symbol's probability is the escape entry's times ``2**-ESCAPE_BITS``, the cost of its raw
        value.
        """
        indices, escaped = self.table_indices(symbols)
        by_channel = indices.reshape(-1, self.channels)
        probabilities = np.empty(by_channel.shape, np.float64)
        for channel, table in enumerate(self.frequencies):
            probabilities[:, channel] = table[by_channel[:, channel]] / _TOTAL
        probabilities = probabilities.reshape(indices.shape)
        return np.where(escaped, probabilities * 2.0**-ESCAPE_BITS, probabilities)

    def estimated_bits(self, symbols):
        """The rate the coder pays by the integer tables: ``-sum log2 P`` over each image's symbols, one float
        per image (escapes included; a subclass's own ``likelihood`` may be a float density instead)."""
        probabilities = EntropyModel.likelihood(self, symbols)
        return -np.log2(probabilities).reshape(len(probabilities), -1).sum(axis=1)

    def _check_symbols(self, symbols):
        symbols = np.asarray(symbols)
        if not np.issubdtype(symbols.dtype, np.integer):
            raise ValueError(f"Symbols must be integers, got dtype {symbols.dtype}.")
        if symbols.shape[1:] != self.latent_shape:
            raise ValueError(
                f"Symbols of shape {symbols.shape[1:]} per image do not fit this entropy model's latent shape "
                f"{self.latent_shape}."
            )
        return symbols

    # --- Serialization ---------------------------------------------------------------------------------------

    def get_config(self):
        """Plain lists of integers: exact in JSON, so the tables reload bit for bit."""
        return {
            "latent_shape": list(self.latent_shape),
            "low": self.low.tolist(),
            "frequencies": [table.tolist() for table in self.frequencies],
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __eq__(self, other):
        return type(other) is type(self) and self.get_config() == other.get_config()

    def __repr__(self):
        return f"{type(self).__name__}(latent_shape={self.latent_shape})"


class CategoricalEntropyModel(EntropyModel):
    """Tables fitted on the symbol counts of a training set, one per channel: for any fixed quantizer."""

    kind = "categorical"

    @classmethod
    def fit(cls, symbols, symbol_range=None):
        """Fit the tables on integer symbols (N, *latent_shape) of the training set.

        Args:
            symbols: the quantizer's integer symbols of many images.
            symbol_range: ``(lowest, highest)`` when the quantizer bounds its symbols (a fixed number of
                bits): every table then covers exactly that range. ``None`` for unbounded symbols: each
                channel's table covers its training extremes widened by `MARGIN`.

        Frequencies are the symbol counts plus `SMOOTHING`, scaled to ``2**PRECISION`` in integers (each at
        least 1; the escape entry of a bounded range gets exactly 1).
        """
        symbols = np.asarray(symbols)
        if not np.issubdtype(symbols.dtype, np.integer):
            raise ValueError(f"Symbols must be integers, got dtype {symbols.dtype}.")
        if symbols.ndim < 2 or len(symbols) == 0:
            raise ValueError(f"Symbols must be a non-empty batch (N, *latent_shape), got shape {symbols.shape}.")
        by_channel = symbols.reshape(-1, symbols.shape[-1]).astype(np.int64)
        low, frequencies = [], []
        for column in by_channel.T:
            if symbol_range is None:
                lowest, highest = int(column.min()) - MARGIN, int(column.max()) + MARGIN
            else:
                lowest, highest = (int(value) for value in symbol_range)
                if lowest > highest or column.min() < lowest or column.max() > highest:
                    raise ValueError(f"Symbols fall outside the quantizer's range {lowest}..{highest}.")
            counts = np.bincount(column - lowest, minlength=highest - lowest + 1) + SMOOTHING
            low.append(lowest)
            frequencies.append(_integer_frequencies(counts, escape_count=0 if symbol_range else SMOOTHING))
        return cls(symbols.shape[1:], low, frequencies)


def table_indices(symbols, lows, sizes):
    """``(indices, escaped)`` of integer symbols whose last axis holds the channels, for tables starting at
    ``lows`` with ``sizes`` in-range symbols each: escaped symbols (outside their range) get index ``size``."""
    sizes = np.asarray(sizes, np.int64)
    offsets = np.asarray(symbols).astype(np.int64) - np.asarray(lows, np.int64)
    escaped = (offsets < 0) | (offsets >= sizes)
    return np.where(escaped, sizes, offsets), escaped


def _integer_frequencies(counts, escape_count):
    """Scale ``counts`` and the escape entry's count to positive integers summing to ``2**PRECISION``.

    Integer arithmetic after one float scaling: floor of the scaled counts, at least 1 each (so a bounded
    range's escape, counted 0, gets the least mass), and the remainder (positive or negative) taken from or
    given to the largest entry.
    """
    counts = np.append(np.asarray(counts, np.float64), float(escape_count))
    if len(counts) > _TOTAL // 2:
        raise ValueError(f"A table of {len(counts)} entries is too large for {PRECISION}-bit probabilities.")
    frequencies = np.maximum(np.floor(counts / counts.sum() * _TOTAL).astype(np.int64), 1)
    frequencies[np.argmax(frequencies)] += _TOTAL - frequencies.sum()
    return frequencies


class LearnedEntropyModel(EntropyModel):
    """The densities an `EntropyBottleneck` learned in rate-distortion training, frozen to integer tables
    (one per channel) by `freeze`; its likelihood is that of the frozen tables."""

    kind = "learned"

    @classmethod
    def freeze(cls, bottleneck, latent_shape):
        """The tables of ``bottleneck`` (at its step) for latents of ``latent_shape``."""
        return cls.from_probabilities(latent_shape, bottleneck.integer_tables())


def entropy_model_from_config(config, kind="categorical"):
    """The entropy model saved as ``config`` by a class of this ``kind`` (`EntropyModel.kind`)."""
    from keras_jointcomp.entropy_models.gaussian import GaussianEntropyModel

    kinds = {model.kind: model for model in (CategoricalEntropyModel, GaussianEntropyModel, LearnedEntropyModel)}
    if kind not in kinds:
        raise ValueError(f"unknown entropy model kind {kind!r}; known: {', '.join(sorted(kinds))}")
    return kinds[kind].from_config(config)
