"""Rate-distortion-accuracy training of a model with a learned entropy bottleneck.

    loss = lambda * MSE(image, reconstruction) + bits per pixel + beta * cross-entropy(label, logits)

One phase trains every part end to end: the rate comes from the bottleneck's density at noisy latents, the
heads see latents rounded straight-through around the densities' medians (`EntropyBottleneck`). Afterwards
the densities are frozen into the integer tables that streams are coded with
(`keras_jointcomp.codec.freeze_entropy_coding`), saved with the model. ``lambda`` sets the operating point:
one model per rate, as Ballé et al. and CompressAI's zoo.
"""

import dataclasses

from keras_jointcomp.training.phases import Phase
from keras_jointcomp.training.recipes import run_phases


def rate_distortion(model, train, epochs, config, validation=None, callbacks=None, lmbda=1000.0, beta=4.0):
    """Train ``model`` on ``lmbda * distortion + rate + beta * cross-entropy`` and freeze its tables."""
    from keras_jointcomp.codec import freeze_entropy_coding

    weighted = dataclasses.replace(config, reconstruction_weight=lmbda, classification_weight=beta, rate_weight=1.0)
    phase = Phase("rate-distortion", "joint", tuple(model.parts), epochs)
    records = run_phases(model, [phase], train, weighted, validation, callbacks)
    model.entropy_coding = freeze_entropy_coding(model)
    return records
