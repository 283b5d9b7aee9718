import keras
import numpy as np
import pytest
from keras import ops

from keras_jointcomp.losses import MCR2, class_coding_rate, coding_rate, mcr2
from tests.gradients import gradient_of_sum

EPSILON = 0.5**0.5


def reference_rates(features, labels, num_classes, epsilon=EPSILON):
    """R and R_c in float64 on the N x N form (the d x d form's Sylvester twin), one class at a time."""
    z = np.asarray(features, "float64")
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    n, d = z.shape
    labels = np.asarray(labels).reshape(-1)

    def logdet(matrix):
        sign, value = np.linalg.slogdet(matrix)
        assert sign > 0
        return value

    rate = 0.5 * logdet(np.eye(n) + d / (n * epsilon**2) * z @ z.T)
    class_rate = 0.0
    for j in range(num_classes):
        zj = z[labels == j]
        if len(zj):
            class_rate += len(zj) / (2 * n) * logdet(np.eye(len(zj)) + d / (len(zj) * epsilon**2) * zj @ zj.T)
    return rate, class_rate


def value(x):
    return float(ops.convert_to_numpy(x))


@pytest.mark.parametrize(
    "n, d, num_classes, present",
    [
        (12, 5, 3, None),
        (40, 16, 4, None),
        (7, 20, 3, None),  # d > N: rank-deficient Gram matrices
        (15, 6, 5, [0, 2, 3]),  # classes 1 and 4 absent from the batch
    ],
)
def test_matches_float64_reference(n, d, num_classes, present):
    rng = np.random.default_rng(n + d)
    features = rng.normal(size=(n, d)).astype("float32")
    labels = rng.choice(present or num_classes, size=n)
    rate, class_rate = reference_rates(features, labels, num_classes)

    assert value(coding_rate(features)) == pytest.approx(rate, rel=1e-4)
    assert value(class_coding_rate(features, labels, num_classes)) == pytest.approx(class_rate, rel=1e-4)
    assert value(mcr2(features, labels, num_classes)) == pytest.approx(class_rate - rate, rel=1e-4)
    assert value(mcr2(features, labels, num_classes, epsilon=0.3, gamma=0.5)) == pytest.approx(
        np.dot([-0.5, 1], reference_rates(features, labels, num_classes, epsilon=0.3)), rel=1e-4
    )
    # The Keras loss: labels as Keras hands them (float, shape (N, 1)), the scalar through the reduction.
    loss = MCR2(num_classes)(labels[:, None].astype("float32"), features)
    assert value(loss) == pytest.approx(class_rate - rate, rel=1e-4)


def test_absent_classes_contribute_exactly_zero():
    rng = np.random.default_rng(1)
    features = rng.normal(size=(9, 4)).astype("float32")
    labels = np.array([0, 1, 2] * 3)
    assert value(class_coding_rate(features, labels, 3)) == value(class_coding_rate(features, labels, 8))


def test_half_precision_features_are_computed_in_float32():
    features = np.random.default_rng(2).normal(size=(10, 6)).astype("float16")
    labels = np.arange(10) % 3
    loss = mcr2(features, labels, 3)
    assert ops.convert_to_numpy(loss).dtype == np.float32
    rate, class_rate = reference_rates(features, labels, 3)
    assert value(loss) == pytest.approx(class_rate - rate, rel=1e-4)


def test_gradient_is_finite_and_matches_finite_differences():
    rng = np.random.default_rng(3)
    features = rng.normal(size=(6, 3)).astype("float32")
    labels = np.array([0, 0, 1, 1, 1, 3])  # class 2 absent
    grad = gradient_of_sum(lambda f: mcr2(f, labels, 4), features)
    assert np.all(np.isfinite(grad))

    def reference(f):
        rate, class_rate = reference_rates(f, labels, 4)
        return class_rate - rate

    step, expected = 1e-6, np.zeros(features.shape)
    for index in np.ndindex(features.shape):
        delta = np.zeros(features.shape)
        delta[index] = step
        expected[index] = (reference(features + delta) - reference(features - delta)) / (2 * step)
    np.testing.assert_allclose(grad, expected, rtol=1e-3, atol=1e-3 * np.abs(expected).max())


def test_large_batch_stays_small():
    """1,000 x 128 features and 10 classes: the d x d form keeps every intermediate far below N x N."""
    rng = np.random.default_rng(4)
    features = rng.normal(size=(1000, 128)).astype("float32")
    labels = rng.integers(0, 10, size=1000)
    assert np.isfinite(value(mcr2(features, labels, 10)))


@pytest.mark.skipif(keras.backend.backend() != "jax", reason="a jaxpr lists every intermediate's shape")
def test_no_intermediate_has_two_batch_axes():
    import jax

    n = 300
    labels = np.arange(n) % 5

    def shapes(jaxpr):
        for eqn in jaxpr.eqns:
            yield from (v.aval.shape for v in eqn.outvars)
            for param in eqn.params.values():
                inner = getattr(param, "jaxpr", param)  # a ClosedJaxpr wraps the Jaxpr of a nested call
                if hasattr(inner, "eqns"):
                    yield from shapes(inner)

    closed = jax.make_jaxpr(jax.grad(lambda f: mcr2(f, labels, 5)))(np.ones((n, 8), "float32"))
    seen = list(shapes(closed.jaxpr))
    assert (5, 8, 8) in seen  # the walk does reach the per-class stack
    assert not [s for s in seen if list(s).count(n) > 1]


def test_orthogonal_group_subspaces_score_below_random_features():
    """The objective's sense: groups on orthogonal directions beat features unrelated to the groups."""
    labels = np.arange(12) % 4
    orthogonal = np.eye(4, dtype="float32")[labels]
    random = np.random.default_rng(5).normal(size=(12, 4)).astype("float32")
    assert value(mcr2(orthogonal, labels, 4)) < value(mcr2(random, labels, 4))


def test_positive_scaling_of_features_leaves_the_loss_unchanged():
    rng = np.random.default_rng(6)
    features = rng.normal(size=(10, 5)).astype("float32")
    labels = np.arange(10) % 3
    scales = rng.uniform(0.01, 100.0, size=(10, 1)).astype("float32")
    assert value(mcr2(features * scales, labels, 3)) == pytest.approx(value(mcr2(features, labels, 3)), rel=1e-5)


@pytest.mark.parametrize(
    "features_shape, labels_shape, message",
    [
        ((2, 3, 4), (2,), r"\(2, 3, 4\)"),
        ((5,), (5,), r"\(5,\)"),
        ((4, 3), (4, 2), r"\(4, 2\)"),
        ((4, 3), (5,), "5 labels for 4"),
    ],
)
def test_bad_shapes_are_rejected(features_shape, labels_shape, message):
    with pytest.raises(ValueError, match=message):
        mcr2(np.ones(features_shape, "float32"), np.zeros(labels_shape, "int32"), 3)


def test_fit_reports_the_batch_loss():
    """Two steps of `fit` (learning rate 0, so both batches see the same weights) report the mean batch loss."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(16, 6)).astype("float32")
    y = np.arange(16) % 3
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(4)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss=MCR2(num_classes=3))
    history = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    features = ops.convert_to_numpy(model(x))
    expected = np.mean([value(mcr2(features[i : i + 8], y[i : i + 8], 3)) for i in (0, 8)])
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-5)


def test_serializes_alone_and_in_a_saved_model(tmp_path):
    loss = MCR2(num_classes=7, epsilon=0.3, gamma=0.5)
    restored = MCR2.from_config(loss.get_config())
    assert restored.get_config() == loss.get_config()

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss=loss)
    model.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras")
    assert isinstance(reloaded.loss, MCR2)
    assert reloaded.loss.get_config() == loss.get_config()
