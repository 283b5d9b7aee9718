"""Ready-made augmentation policies of the studies, each a `Compose`."""

from keras_jointcomp.augment.colour import (
    AutoContrast,
    Brightness,
    Color,
    ColorJitter,
    Contrast,
    Equalize,
    Posterize,
    Sharpness,
    Solarize,
)
from keras_jointcomp.augment.geometry import Flip, Rotate, ShearX, ShearY, TranslateX, TranslateY
from keras_jointcomp.augment.pipeline import Compose


def cifar_policy(probability=0.1):
    """The PIL augmentations of the CIFAR-10 autoencoder-features study, each applied with `probability`.

    The study added contrast, histogram equalisation, sharpness and similar PIL operations to Keras'
    image generator to fight overfitting; the magnitudes here are moderate (enhancement factors within
    [0.6, 1.4], shears up to 0.2, shifts up to a tenth of the image). With the default probability an
    image goes through about one operation on average.
    """
    return Compose(
        [
            AutoContrast(probability),
            Contrast(0.4, probability),
            Equalize(probability),
            Sharpness(0.4, probability),
            Brightness(0.4, probability),
            Color(0.4, probability),
            Posterize(5, probability),
            Solarize(192, probability),
            ShearX(0.2, probability),
            ShearY(0.2, probability),
            TranslateX(0.1, probability),
            TranslateY(0.1, probability),
        ]
    )


def distortions(max_degrees=15.0, jitter=0.4, hue=0.1):
    """Rotation, horizontal flip and colour jitter: the distortions of the hierarchical study (Qi).

    They make the n views of each image in the self-supervised MCR^2 step (see `augment_views`) and distort
    the test sets of the robustness evaluation. `jitter` is the brightness, contrast and saturation
    magnitude. As in the CIFAR setup of the MCR^2 code that the study builds on (torchvision's
    `RandomApply([ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8)`), jitter touches 80% of the images.
    """
    return Compose(
        [
            Rotate(max_degrees),
            Flip(),
            ColorJitter(brightness=jitter, contrast=jitter, saturation=jitter, hue=hue, probability=0.8),
        ]
    )
