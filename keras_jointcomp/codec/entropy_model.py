"""The probability model of a quantized latent: one categorical distribution per latent channel, frozen as
integer frequency tables.

An entropy coder turns symbols into about ``-log2 P(symbol)`` bits each, so encoder and decoder must agree
on P *exactly*: a table recomputed from floats on another machine or backend could differ in its last bit
and derail the decoder. `CategoricalEntropyModel` therefore holds nothing but integers: for latent channel
``c`` (the last axis of the latent) the symbols ``low[c] .. low[c] + len(frequencies[c]) - 2`` and one
*escape* entry, with frequencies summing to ``2**PRECISION``. A symbol outside its channel's range is sent
as the escape entry followed by its value in 32 raw bits, so no image is ever refused or clipped.

The model is fitted once, on the training set's symbols, and saved with the model (`EntropyCoding`). Any
other probability model (a learned prior trained with a rate term) can take its place by offering the same
interface: ``latent_shape``, `likelihood(symbols)` and `estimated_bits(symbols)` for rates and losses,
`integer_tables()` for the coder (`RangeCoder` reads nothing else), and ``get_config`` to be saved and
fingerprinted. Neither the coder nor the stream container changes.
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


class CategoricalEntropyModel:
    """Independent categorical distributions over integer symbols, one per latent channel.

    Args:
        latent_shape: shape of one image's latent; its last axis holds the channels (a flat latent is one
            channel per entry).
        low: per channel, the smallest symbol in its table.
        frequencies: per channel, positive integers summing to ``2**PRECISION``: the in-range symbols
            ``low, low + 1, ...`` followed by the escape entry.

    Build one with `CategoricalEntropyModel.fit`.
    """

    def __init__(self, latent_shape, low, frequencies):
        self.latent_shape = tuple(int(size) for size in latent_shape)
        if not self.latent_shape or min(self.latent_shape) < 1:
            raise ValueError(f"latent_shape must be a non-empty shape of positive sizes, got {latent_shape!r}.")
        self.low = np.asarray(low, np.int64).reshape(-1)
        self.frequencies = [np.asarray(table, np.int64).reshape(-1) for table in frequencies]
        if not len(self.low) == len(self.frequencies) == self.channels:
            raise ValueError(
                f"A latent of shape {self.latent_shape} has {self.channels} channels; got {len(self.low)} lows "
                f"and {len(self.frequencies)} tables."
            )
        for channel, table in enumerate(self.frequencies):
            if len(table) < 2 or table.min() < 1 or table.sum() != _TOTAL:
                raise ValueError(
                    f"Table of channel {channel} is invalid: it needs at least one symbol and the escape entry, "
                    f"all positive, summing to 2**{PRECISION}."
                )

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

    @property
    def channels(self):
        """Number of channels: the size of the latent's last axis."""
        return self.latent_shape[-1]

    def integer_tables(self):
        """What the coder needs: per channel ``(low, frequencies)``, frequencies ending with the escape."""
        return list(zip(self.low.tolist(), self.frequencies))

    def table_indices(self, symbols):
        """Index of each symbol in its channel's table (symbols (N, *latent_shape)); escapes get the last
        index. Returns ``(indices, escaped)``, both of the symbols' shape."""
        symbols = self._check_symbols(symbols)
        return table_indices(symbols, self.low, [len(table) - 1 for table in self.frequencies])

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
        """The model's rate estimate: ``-sum log2 P`` over each image's symbols, one float per image."""
        probabilities = self.likelihood(symbols)
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
        return isinstance(other, CategoricalEntropyModel) and self.get_config() == other.get_config()

    def __repr__(self):
        return f"CategoricalEntropyModel(latent_shape={self.latent_shape})"


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
