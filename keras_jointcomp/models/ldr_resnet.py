"""ResNet joint models of hierarchical LDR training (Qi et al.): a bottleneck latent, a classifier behind it,
and a side branch that only the MCR^2 (LDR) loss reads.

    image -> ResNet -> pooled features -> dense d_y = y  ──> classifier (the study's "decoder") -> logits
                                                         └─> side branch -> features  (training only)

The latent y is a float vector of ``latent_dim`` (the study's d_y); its rate is set after training by
entropy-based quantization or truncation (`keras_jointcomp.rate`). There is no reconstruction head: the
server only classifies.

Reference: S. Qi, A. Wijesinghe, L. D. Chamain, Z. Ding, "A Principled Hierarchical Deep Learning Approach to
Joint Image Compression and Classification".
"""

import keras
from keras import layers

from keras_jointcomp.models.joint import JointModel
from keras_jointcomp.models.resnet import resnet_features


def ldr_resnet(input_shape, num_classes, latent_dim=64, depth=18, width=1.0, hidden_units=256, feature_dim=128,
               name="ldr_resnet"):
    """Build a ResNet-``depth`` joint model with a ``latent_dim`` bottleneck and an MCR^2 side branch."""
    if latent_dim < 1 or feature_dim < 1:
        raise ValueError(f"latent_dim and feature_dim must be positive, got {latent_dim} and {feature_dim}.")
    images = keras.Input(shape=tuple(input_shape))
    latent = layers.Dense(latent_dim, name="bottleneck")(resnet_features(images, depth, width))
    encoder = keras.Model(images, latent, name="encoder")
    classifier = keras.Sequential([keras.Input(shape=(latent_dim,)), layers.Dense(hidden_units, activation="relu"),
                                   layers.Dense(num_classes)], name="classifier")
    side_branch = keras.Sequential([keras.Input(shape=(latent_dim,)), layers.Dense(feature_dim)],
                                   name="side_branch")
    return JointModel(encoder=encoder, classifier=classifier, side_branch=side_branch, name=name)


def ldr_resnet18(input_shape=(32, 32, 3), num_classes=10, **overrides):
    return ldr_resnet(input_shape, num_classes, **{"latent_dim": 64, "depth": 18, "name": "ldr_resnet18",
                                                   **overrides})


def ldr_resnet34(input_shape=(32, 32, 3), num_classes=100, **overrides):
    return ldr_resnet(input_shape, num_classes, **{"latent_dim": 128, "depth": 34, "name": "ldr_resnet34",
                                                   **overrides})


def ldr_resnet_small(input_shape=(32, 32, 3), num_classes=10, **overrides):
    return ldr_resnet(input_shape, num_classes, **{"latent_dim": 64, "depth": 10, "width": 0.25,
                                                   "hidden_units": 128, "name": "ldr_resnet_small", **overrides})
