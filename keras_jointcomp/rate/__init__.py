"""Rate: curves in real bytes, entropy-based quantization and latent truncation.

    from keras_jointcomp import rate
    rows = rate.rate_curve(model, x_train, x_test, y_test, step_scales=[1, 2, 4])      # any quantized model
    rows = rate.rate_accuracy_curve(model, x_train, x_test, y_test, scales=[0.1, 0.3, 1.0])  # Qi et al.
    quantized = rate.with_entropy_quantizer(model, rate.entropy_steps(gaussian, 0.3))
    truncated = rate.truncate_latent(model, keep=32)

Every curve has the rows of `curves.ROWS`, which JPEG and WebP points (`keras_jointcomp.baselines`) share.
"""

from keras_jointcomp.rate.curves import (
    ROWS,
    curve_row,
    empirical_entropy_bits,
    matched_budget_comparison,
    rate_curve,
)
from keras_jointcomp.rate.entropy_quantization import (
    MIN_ENTROPY_BITS,
    entropy_steps,
    rate_accuracy_curve,
    with_entropy_quantizer,
)
from keras_jointcomp.rate.truncation import truncate_latent, with_latent_mask

__all__ = [
    "MIN_ENTROPY_BITS",
    "ROWS",
    "curve_row",
    "empirical_entropy_bits",
    "entropy_steps",
    "matched_budget_comparison",
    "rate_accuracy_curve",
    "rate_curve",
    "truncate_latent",
    "with_entropy_quantizer",
    "with_latent_mask",
]
