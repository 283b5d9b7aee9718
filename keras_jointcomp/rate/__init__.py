"""Rate control on a trained model: entropy-based quantization and truncation.

    from keras_jointcomp import rate
    from keras_jointcomp.entropy_models import GaussianLatentModel
    rows = rate.rate_accuracy_curve(model, x_train, x_test, y_test, scales=[0.1, 0.3, 1.0])
    fit = GaussianLatentModel.fit(latents)
    quantized = rate.with_entropy_quantizer(model, rate.entropy_steps(fit, 0.3))
"""

from keras_jointcomp.rate.entropy_quantization import (
    MIN_ENTROPY_BITS,
    empirical_entropy_bits,
    entropy_steps,
    rate_accuracy_curve,
    with_entropy_quantizer,
)
from keras_jointcomp.rate.truncation import active_units, truncate_latent, with_latent_mask

__all__ = [
    "MIN_ENTROPY_BITS",
    "empirical_entropy_bits",
    "entropy_steps",
    "rate_accuracy_curve",
    "active_units",
    "truncate_latent",
    "with_entropy_quantizer",
    "with_latent_mask",
]
