"""Maximal Coding Rate Reduction (MCR^2, Yu et al. 2020): the LDR loss that guides an encoder's features.

    L = -gamma * R(Z) + R_c(Z, Pi)
    R(Z)      = 1/2 logdet(I + d / (N eps^2) Z^T Z)
    R_c(Z, Pi) = sum_j N_j / (2N) logdet(I + d / (N_j eps^2) Z^T Pi_j Z)

Z holds the batch's N features of dimension d as rows, each scaled to unit length inside the loss; Pi_j is the
diagonal 0/1 mask of the N_j samples of group j. Minimising L spreads the whole batch over many directions (large
R) while squeezing each group into a low-dimensional subspace (small R_c): the linear discriminative
representations of the hierarchical joint compression and classification study (Qi et al.). Its equations
have gamma = 1 (its code defaults to 0.5; the MCR^2 self-supervised code uses 10).

The partition is given as integer group ids, one per sample:

- supervised LDR: the class labels, ``num_classes`` = the number of classes;
- self-supervised LDR-SSL: the index, within the batch, of the source image of each augmented view (B images
  with n views each give ids 0..B-1, each repeated n times) and ``num_classes`` = B, the groups per batch.

Precision: ``epsilon`` is the paper's eps, the allowed distortion; the formula uses eps^2. The reference code
(github.com/ryanchankh/mcr2 and the study's github.com/QiSiyu/MCR2-Guided-Image-Classification) takes eps^2
itself as its ``eps`` argument ("eps squared (default: 0.5)"), so its ``--eps 0.5`` is ``epsilon=0.5 ** 0.5``
here, the default. ``gamma`` is the reference's ``gam2`` (its ``gam1``, a factor inside R's logdet, is not
offered). Each logdet is taken on the d x d form by Cholesky, in float32 whatever the inputs' dtype, and all
groups at once from a (groups, d, d) stack: nothing of size N x N is built, so batches of thousands are cheap.
"""

import keras
from keras import ops

from keras_jointcomp.serialization import serializable

DEFAULT_EPSILON = 0.5**0.5  # eps^2 = 0.5: the MCR^2 paper's setting, the reference code's --eps 0.5


def coding_rate(features, epsilon=DEFAULT_EPSILON):
    """R(Z): the rate, in nats, to code the batch's unit-normalised features up to distortion ``epsilon``."""
    z = _unit_rows(features)
    n, d = _batch_size(z), z.shape[-1]
    return 0.5 * _logdet_identity_plus(d / (n * epsilon**2), ops.matmul(ops.transpose(z), z))


def class_coding_rate(features, labels, num_classes, epsilon=DEFAULT_EPSILON):
    """R_c(Z, Pi): the rate to code each group apart, groups weighted by their share of the batch.

    Groups absent from the batch contribute exactly 0; ``labels`` are integer ids in [0, num_classes), shaped
    (N,) or (N, 1) (any float dtype Keras hands a loss is cast back to integers).
    """
    z = _unit_rows(features)
    n, d = _batch_size(z), z.shape[-1]
    members = ops.one_hot(_group_ids(labels, z), num_classes, dtype="float32")  # (N, K)
    counts = ops.sum(members, axis=0)  # (K,)
    grams = ops.einsum("nk,nd,ne->kde", members, z, z)  # Z^T Pi_j Z for every group j
    # An absent group has a zero Gram matrix: any finite scale gives logdet(I) = 0, and its weight is 0 too.
    scales = d / (ops.maximum(counts, 1.0) * epsilon**2)
    logdets = _logdet_identity_plus(scales[:, None, None], grams)
    return ops.sum(counts / (2.0 * n) * logdets)


def mcr2(features, labels, num_classes, epsilon=DEFAULT_EPSILON, gamma=1.0):
    """The LDR loss -gamma * R(Z) + R_c(Z, Pi) of one batch, a float32 scalar (see the module docstring)."""
    return -gamma * coding_rate(features, epsilon) + class_coding_rate(features, labels, num_classes, epsilon)


@serializable
class MCR2(keras.losses.Loss):
    """`mcr2` as a Keras loss: ``y_true`` the group ids (N,) or (N, 1), ``y_pred`` the features (N, d).

    The loss is a property of the whole batch, not a mean over examples: `call` returns the scalar, which every
    Keras reduction passes through unchanged (a sample weight would only scale it by its mean: leave it out).
    For LDR-SSL pass the source-image index of each view as ``y_true`` and the images per batch as
    ``num_classes``::

        model.compile(loss={"features": MCR2(num_classes=10), "logits": "sparse_categorical_crossentropy"})
        MCR2(num_classes=batch_images)  # y_true = np.repeat(np.arange(batch_images), views_per_image)
    """

    def __init__(
        self,
        num_classes,
        epsilon=DEFAULT_EPSILON,
        gamma=1.0,
        name="mcr2",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.num_classes = num_classes
        self.epsilon = epsilon
        self.gamma = gamma

    def call(self, y_true, y_pred):
        return mcr2(y_pred, y_true, self.num_classes, self.epsilon, self.gamma)

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "epsilon": self.epsilon,
            "gamma": self.gamma,
        }


def _unit_rows(features):
    """Features as float32 rows of unit L2 norm; rank and feature dimension checked."""
    features = ops.cast(features, "float32")
    if len(features.shape) != 2 or features.shape[-1] is None:
        shape = tuple(features.shape)
        raise ValueError(f"MCR^2 expects features of shape (batch, dim) with a known dim; got {shape}.")
    # max() rather than adding an epsilon: an all-zero row stays zero and its gradient finite.
    squared_norms = ops.maximum(ops.sum(ops.square(features), axis=-1, keepdims=True), 1e-12)
    return features * ops.rsqrt(squared_norms)


def _batch_size(z):
    return ops.cast(ops.shape(z)[0], "float32")


def _group_ids(labels, z):
    """Labels as int32 of shape (N,), accepting (N,) or (N, 1)."""
    labels = ops.convert_to_tensor(labels)
    if len(labels.shape) == 2 and labels.shape[-1] == 1:
        labels = ops.squeeze(labels, axis=-1)
    if len(labels.shape) != 1:
        raise ValueError(f"MCR^2 expects labels of shape (batch,) or (batch, 1); got {tuple(labels.shape)}.")
    if labels.shape[0] is not None and z.shape[0] is not None and labels.shape[0] != z.shape[0]:
        raise ValueError(f"MCR^2 got {labels.shape[0]} labels for {z.shape[0]} feature rows.")
    return ops.cast(labels, "int32")


def _logdet_identity_plus(scale, gram):
    """logdet(I + scale * gram) for symmetric positive semi-definite ``gram`` (..., d, d), by Cholesky.

    With unit rows, trace(gram) is the group's size, so every eigenvalue of I + scale * gram lies in
    [1, 1 + d / eps^2]: well conditioned, safe to factorise in float32.
    """
    chol = ops.cholesky(ops.eye(gram.shape[-1], dtype="float32") + scale * gram)
    return 2.0 * ops.sum(ops.log(ops.diagonal(chol, axis1=-2, axis2=-1)), axis=-1)
