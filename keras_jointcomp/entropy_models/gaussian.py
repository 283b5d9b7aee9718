"""A per-dimension Gaussian model of a float latent: its entropies and the likelihood of quantized symbols.

The hierarchical joint-compression study (Qi et al., section 3.3) treats every latent entry ``y_i`` as an
independent Gaussian: its entropy sets the entry's quantization step, and the total entropy of the quantized
latent under that assumption is the rate it reports. `GaussianLatentModel` is that assumption as its own
component: fitted once, saved as a plain dict beside a model, and asked for the probability of integer
symbols, which is also what an entropy coder needs.

    fit = GaussianLatentModel.fit(latents)          # latents (N, ...) -> d = prod(...) Gaussians
    fit.discrete_entropy_bits(steps)                # bits of round(y_i / q_i), per dimension
    fit.likelihood(symbols, steps)                  # P(round(y / q) = symbol), per element
    fit.entropy_model(steps, latent_shape)          # a GaussianEntropyModel: the same, frozen for streaming

Only numpy and the standard library are used (no scipy): the normal CDF comes from `math.erfc`, always
evaluated in the tail it is small in, so bin masses far from the mean keep their relative precision.
"""

import math

import numpy as np

from keras_jointcomp.entropy_models.tables import EntropyModel

MIN_STD = 1e-12
"""Floor on a fitted standard deviation, so a constant latent entry still has a (very narrow) density."""
TRUNCATION_STDS = 8.0
"""Bins beyond mean +- 8 std hold under 1e-15 of the mass and are left out of entropy sums."""
MAX_BINS = 20_000
"""Above this many bins per dimension the discrete entropy uses the high-resolution formula (see below)."""

_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def _upper_tail(z):
    """P(Z > z) for a standard normal Z."""
    return 0.5 * _erfc(np.asarray(z, np.float64) / math.sqrt(2.0))


def _interval_mass(lower, upper):
    """P(lower < Z <= upper) for a standard normal Z, elementwise, accurate in both tails.

    Intervals centred below zero are mirrored above it; then either both ends lie in the upper tail
    (a difference of two small tail masses) or the interval straddles zero (one minus two tails).
    """
    lower, upper = np.broadcast_arrays(np.asarray(lower, np.float64), np.asarray(upper, np.float64))
    mirror = lower + upper < 0
    lower, upper = np.where(mirror, -upper, lower), np.where(mirror, -lower, upper)
    inside_tail = _upper_tail(np.maximum(lower, 0.0)) - _upper_tail(upper)
    straddling = 1.0 - _upper_tail(np.maximum(-lower, 0.0)) - _upper_tail(upper)
    return np.maximum(np.where(lower >= 0, inside_tail, straddling), 0.0)


def _symbol_range(mean, std, step):
    """The lowest and highest symbols whose bins lie within mean +- `TRUNCATION_STDS` std."""
    return (math.floor((mean - TRUNCATION_STDS * std) / step + 0.5),
            math.ceil((mean + TRUNCATION_STDS * std) / step - 0.5))


def _entropy_bits(probabilities):
    p = probabilities[probabilities > 0]
    return float(-(p * np.log2(p)).sum())


class GaussianLatentModel:
    """Independent Gaussians ``N(mean_i, std_i)``, one per flattened latent dimension.

    Args:
        mean: per-dimension means, shape (d,).
        std: per-dimension standard deviations, shape (d,); floored at `MIN_STD`.

    Build one with `GaussianLatentModel.fit(latents)`. Steps ``q`` given to the methods may be a scalar or
    hold one value per dimension, in any shape with d elements (e.g. the latent's own shape).
    """

    def __init__(self, mean, std):
        mean = np.asarray(mean, np.float64).reshape(-1)
        std = np.asarray(std, np.float64).reshape(-1)
        if mean.shape != std.shape:
            raise ValueError(f"mean and std must have the same length, got {mean.size} and {std.size}.")
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std)) and np.all(std >= 0)):
            raise ValueError("mean and std must be finite, std non-negative.")
        self.mean = mean
        self.std = np.maximum(std, MIN_STD)

    @classmethod
    def fit(cls, latents):
        """Fit mean and (population) std of each dimension of float latents (N, ...) over the N rows."""
        latents = np.asarray(latents, np.float64)
        if latents.ndim < 2 or len(latents) == 0:
            raise ValueError(f"Latents must be a non-empty batch (N, ...), got shape {latents.shape}.")
        if not np.all(np.isfinite(latents)):
            raise ValueError("Latents contain NaN or infinite values.")
        flat = latents.reshape(len(latents), -1)
        return cls(flat.mean(axis=0), flat.std(axis=0))

    @property
    def dims(self):
        """Number of latent dimensions d."""
        return self.mean.size

    # --- Entropies -------------------------------------------------------------------------------------------

    def differential_entropy_bits(self):
        """``0.5 log2(2 pi e std_i^2)`` per dimension (negative for std below about 0.242)."""
        return 0.5 * np.log2(2.0 * math.pi * math.e * self.std**2)

    def discrete_entropy_bits(self, steps):
        """Entropy in bits of the symbol ``round(y_i / q_i)`` for ``y_i ~ N(mean_i, std_i)``, per dimension.

        The bins ``[(k - 1/2) q, (k + 1/2) q)`` within mean +- 8 std are summed exactly (their masses
        renormalised to one). When a dimension would need more than `MAX_BINS` bins (``q < std / 1250``)
        the high-resolution expansion ``h - log2 q + (q / std)^2 / (24 ln 2)`` is used instead; its error
        is then below 1e-9 bits.
        """
        steps = self._flat_steps(steps)
        entropies = np.empty(self.dims)
        for i, (mean, std, step) in enumerate(zip(self.mean, self.std, steps)):
            low, high = _symbol_range(mean, std, step)
            if high - low + 1 > MAX_BINS:
                differential = 0.5 * math.log2(2.0 * math.pi * math.e * std**2)
                entropies[i] = differential - math.log2(step) + (step / std) ** 2 / (24.0 * math.log(2.0))
                continue
            masses = self._bin_masses(np.arange(low, high + 1), mean, std, step)
            entropies[i] = _entropy_bits(masses / masses.sum())
        return entropies

    # --- Likelihood ------------------------------------------------------------------------------------------

    def likelihood(self, symbols, steps):
        """``P(round(y_i / q_i) = symbol)`` for integer symbols (N, ...) with d elements per row.

        Returns float64 probabilities of the symbols' shape: the mass of ``N(mean_i, std_i)`` on the bin
        ``[(k - 1/2) q_i, (k + 1/2) q_i)``, exact (no truncation), so over all integers it sums to one.
        """
        symbols = np.asarray(symbols)
        if not np.issubdtype(symbols.dtype, np.integer):
            raise ValueError(f"Symbols must be integers, got dtype {symbols.dtype}.")
        if symbols.ndim < 1 or symbols[0:1].size != self.dims:
            raise ValueError(f"Symbols must be rows of {self.dims} elements, got shape {symbols.shape}.")
        flat = symbols.reshape(len(symbols), self.dims).astype(np.float64)
        masses = self._bin_masses(flat, self.mean, self.std, self._flat_steps(steps))
        return masses.reshape(symbols.shape)

    @staticmethod
    def _bin_masses(symbols, mean, std, step):
        return _interval_mass(((symbols - 0.5) * step - mean) / std, ((symbols + 0.5) * step - mean) / std)

    def _flat_steps(self, steps):
        steps = np.asarray(steps, np.float64)
        if steps.size == 1:
            steps = np.full(self.dims, float(steps.reshape(())))
        if steps.size != self.dims:
            raise ValueError(f"Steps must be a scalar or have {self.dims} elements, got shape {steps.shape}.")
        steps = steps.reshape(-1)
        if not np.all(np.isfinite(steps) & (steps > 0)):
            raise ValueError("Quantization steps must be finite and positive.")
        return steps

    def entropy_model(self, steps, latent_shape):
        """These Gaussians quantized at ``steps`` as a `GaussianEntropyModel` for latents of
        ``latent_shape`` (d entries): one integer table per entry, for streaming."""
        return GaussianEntropyModel.from_gaussian(self, steps, latent_shape)

    # --- Serialization ---------------------------------------------------------------------------------------

    def get_config(self):
        """A JSON-ready dict of plain lists, to save beside a model."""
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"GaussianLatentModel(dims={self.dims})"


class GaussianEntropyModel(EntropyModel):
    """Independent Gaussians per latent entry at fixed steps, the hierarchical study's rate model, with one
    integer table per entry (its bins within mean +- 8 std, the rest through the escape) for the coder.

    ``likelihood`` is the exact Gaussian bin mass (what the study's rates measure); the coder uses only the
    tables, saved as integers, so decoding never evaluates the normal CDF. Build one with
    `GaussianLatentModel.entropy_model`.
    """

    kind = "gaussian"

    def __init__(self, latent_shape, low, frequencies, mean, std, steps):
        super().__init__(latent_shape, low, frequencies)
        self.gaussian = GaussianLatentModel(mean, std)
        self.steps = self.gaussian._flat_steps(steps)

    @classmethod
    def from_gaussian(cls, gaussian, steps, latent_shape):
        steps = gaussian._flat_steps(steps)
        if math.prod(latent_shape) != gaussian.dims:
            raise ValueError(f"A latent of shape {tuple(latent_shape)} has {math.prod(latent_shape)} entries; "
                             f"the Gaussian model has {gaussian.dims}.")
        tables = []
        for mean, std, step in zip(gaussian.mean, gaussian.std, steps):
            low, high = _symbol_range(mean, std, step)
            if high - low + 1 > MAX_BINS:
                raise ValueError(f"A step of {step:g} for a std of {std:g} needs {high - low + 1} symbols per table "
                                 f"(at most {MAX_BINS}); choose coarser steps.")
            masses = GaussianLatentModel._bin_masses(np.arange(low, high + 1), mean, std, step)
            tables.append((low, masses, max(1.0 - masses.sum(), 0.0)))
        return cls.from_probabilities(latent_shape, tables, mean=gaussian.mean, std=gaussian.std, steps=steps)

    def likelihood(self, symbols):
        """The exact Gaussian probability of each symbol's bin (float64), as the study measures rates."""
        symbols = self._check_symbols(symbols)
        return self.gaussian.likelihood(symbols, self.steps)

    def get_config(self):
        return {**super().get_config(), "mean": self.gaussian.mean.tolist(), "std": self.gaussian.std.tolist(),
                "steps": self.steps.tolist()}
