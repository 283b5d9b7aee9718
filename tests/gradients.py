"""Gradients in the current backend: the one backend-specific helper of the test suite."""

import keras
import numpy as np


def gradient_of_sum(function, x):
    """d(sum(function(x)))/dx as a numpy array, computed by the active Keras backend."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.Variable(x)
        with tf.GradientTape() as tape:
            total = tf.reduce_sum(function(x))
        return tape.gradient(total, x).numpy()
    if backend == "jax":
        import jax

        return np.asarray(jax.grad(lambda v: function(v).sum())(x))
    if backend == "torch":
        import torch

        x = torch.tensor(x, requires_grad=True)
        function(x).sum().backward()
        return x.grad.numpy()
    raise NotImplementedError(f"No gradient helper for backend {backend!r}.")
