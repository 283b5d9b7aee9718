"""`SmoothedSparseCrossentropy`: label smoothing on integer labels."""

import keras
import numpy as np
import pytest

from keras_jointcomp.losses import SmoothedSparseCrossentropy, classification_loss


def test_smoothed_loss_is_the_cross_entropy_against_smoothed_one_hot_targets():
    logits = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    labels = np.array([0, 1, 2, 3, 1])
    targets = np.full((5, 4), 0.2 / 4) + 0.8 * np.eye(4)[labels]
    log_softmax = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    expected = -(targets * log_softmax).sum(-1).mean()
    assert float(SmoothedSparseCrossentropy(0.2)(labels, logits)) == pytest.approx(expected, rel=1e-5)


def test_no_smoothing_is_keras_sparse_cross_entropy():
    loss = classification_loss(0.0)
    assert isinstance(loss, keras.losses.SparseCategoricalCrossentropy)
    logits = np.random.default_rng(1).normal(size=(3, 5)).astype("float32")
    labels = np.array([[4], [0], [2]])
    assert float(SmoothedSparseCrossentropy(0.0)(labels, logits)) == pytest.approx(float(loss(labels, logits)),
                                                                                  rel=1e-5)


def test_a_smoothed_loss_reloads_with_its_setting():
    restored = keras.losses.deserialize(keras.losses.serialize(SmoothedSparseCrossentropy(0.3)))
    assert isinstance(restored, SmoothedSparseCrossentropy) and restored.label_smoothing == 0.3
    with pytest.raises(ValueError, match=r"label_smoothing must lie in \[0, 1\)"):
        SmoothedSparseCrossentropy(1.5)
