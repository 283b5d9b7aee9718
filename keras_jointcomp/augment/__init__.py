"""PIL image augmentations for the input pipeline, the same on every backend.

Each op (`Rotate`, `Flip`, `ColorJitter`, `Equalize`, `ShearX`, ...) acts on one PIL image with some
probability and draws its strength from a numpy Generator, so a seed fixes the output. `Compose` applies
ops to a uint8 (B, H, W, 1 or 3) batch and is the `transform` hook of `data.batches`; `augment_views`
makes the n views per image of the self-supervised MCR^2 step, with their groups.

    from keras_jointcomp import augment, data
    train = data.batches(x, y, batch_size=128, shuffle=True, seed=0, transform=augment.cifar_policy())
    views, groups = augment.augment_views(x[:64], 4, augment.distortions(), rng=0)

Policies: `cifar_policy()` (the CIFAR-10 autoencoder-features study: contrast, equalisation, sharpness,
posterize, solarize, shear, translate, ...) and `distortions()` (rotation, flip and colour jitter of the
hierarchical study, Qi: its self-supervised views and its robustness test). `FlipTranslate` is the
fast-CIFAR recipe's whole-batch flip and shift (numpy, no PIL).
"""

from keras_jointcomp.augment.batch import FlipTranslate
from keras_jointcomp.augment.colour import (
    AutoContrast,
    Brightness,
    Color,
    ColorJitter,
    Contrast,
    Equalize,
    Hue,
    Posterize,
    Sharpness,
    Solarize,
)
from keras_jointcomp.augment.geometry import Flip, Rotate, ShearX, ShearY, TranslateX, TranslateY
from keras_jointcomp.augment.op import MagnitudeOp, Op
from keras_jointcomp.augment.pipeline import Compose, augment_views
from keras_jointcomp.augment.policies import cifar_policy, distortions

__all__ = [
    "AutoContrast",
    "Brightness",
    "Color",
    "ColorJitter",
    "Compose",
    "Contrast",
    "Equalize",
    "Flip",
    "FlipTranslate",
    "Hue",
    "MagnitudeOp",
    "Op",
    "Posterize",
    "Rotate",
    "Sharpness",
    "ShearX",
    "ShearY",
    "Solarize",
    "TranslateX",
    "TranslateY",
    "augment_views",
    "cifar_policy",
    "distortions",
]
