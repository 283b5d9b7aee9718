"""keras-jointcomp: a Keras 3 model zoo for joint image compression and classification.

An encoder turns each image into a small quantized latent; one head decodes it back into pixels, another
classifies it straight from the latent. The subpackages load on first use (importing Keras takes seconds):

    import keras_jointcomp as jc
    model = jc.models.load("atl_lenet")
    images, labels = jc.data.load("mnist", "test")
"""

from keras_jointcomp._lazy import attach
from keras_jointcomp.version import __version__

SUBPACKAGES = ("augment", "baselines", "codec", "data", "entropy_models", "evaluation", "export", "files", "layers",
               "losses", "metrics", "models", "plots", "rate", "reports", "training", "tuning")
__getattr__, __dir__ = attach(globals(), {name: f".{name}" for name in SUBPACKAGES})
__all__ = ["__version__", *SUBPACKAGES]
