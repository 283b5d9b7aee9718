"""Probability models of quantized latents: the rate of a latent, and the integer tables that code it.

One interface (`EntropyModel`: ``likelihood``, ``estimated_bits``, ``integer_tables``, ``get_config``), three
models: `CategoricalEntropyModel` (counts of a training set's symbols), `GaussianEntropyModel` (the
hierarchical study's per-entry Gaussians, from `GaussianLatentModel`), `LearnedEntropyModel` (an
`EntropyBottleneck`'s trained density, frozen). Every one streams through `keras_jointcomp.codec`.
"""

from keras_jointcomp.entropy_models.gaussian import GaussianEntropyModel, GaussianLatentModel
from keras_jointcomp.entropy_models.tables import (
    ESCAPE_BITS,
    PRECISION,
    CategoricalEntropyModel,
    EntropyModel,
    LearnedEntropyModel,
    entropy_model_from_config,
    table_indices,
)

__all__ = [
    "CategoricalEntropyModel",
    "ESCAPE_BITS",
    "EntropyModel",
    "GaussianEntropyModel",
    "GaussianLatentModel",
    "LearnedEntropyModel",
    "PRECISION",
    "entropy_model_from_config",
    "table_indices",
]
