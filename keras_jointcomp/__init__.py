"""keras-jointcomp: a Keras 3 model zoo for joint image compression and classification.

An encoder turns each image into a small quantized latent; one head decodes it back into pixels, another
classifies it straight from the latent. Import the subpackages you need:

    import keras_jointcomp as jc
    model = jc.models.load("atl_lenet")
    images, labels = jc.data.load("mnist", "test")
"""

from keras_jointcomp.version import __version__
from keras_jointcomp import augment, codec, data, layers, losses, metrics, models, rate, training

__all__ = ["__version__", "augment", "codec", "data", "layers", "losses", "metrics", "models", "rate", "training"]
