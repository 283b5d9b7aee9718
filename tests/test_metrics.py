import numpy as np
import pytest
from keras import ops

from keras_jointcomp import metrics


def test_accuracy_counts_argmax_matches():
    logits = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]], "float32")
    labels = np.array([1, 0, 0, 0])
    assert float(metrics.accuracy(labels, logits)) == pytest.approx(0.75)


def test_psnr_matches_numpy_and_is_scale_invariant():
    rng = np.random.default_rng(0)
    images = rng.random((3, 8, 8, 1)).astype("float32")
    noisy = np.clip(images + rng.normal(0, 0.05, images.shape), 0, 1).astype("float32")
    expected = 10 * np.log10(1.0 / np.mean((images.astype("float64") - noisy) ** 2))
    assert float(metrics.psnr(images, noisy)) == pytest.approx(expected, rel=1e-5)
    assert float(metrics.psnr(images * 255, noisy * 255, max_value=255)) == pytest.approx(expected, rel=1e-4)


def test_psnr_metric_over_batches_equals_function_on_whole_set():
    rng = np.random.default_rng(1)
    images = rng.random((10, 4, 4, 1)).astype("float32")
    recon = rng.random((10, 4, 4, 1)).astype("float32")
    metric = metrics.PSNR()
    for start in (0, 3, 7):
        stop = {0: 3, 3: 7, 7: 10}[start]
        metric.update_state(images[start:stop], recon[start:stop])
    assert float(metric.result()) == pytest.approx(float(metrics.psnr(images, recon)), rel=1e-5)
    metric.reset_state()
    metric.update_state(images[:2], images[:2] * 0.5)
    assert float(metric.result()) == pytest.approx(float(metrics.psnr(images[:2], images[:2] * 0.5)), rel=1e-5)


def test_accuracy_metric_matches_function():
    metric = metrics.Accuracy()
    metric.update_state(np.array([0, 1]), np.array([[1.0, 0.0], [1.0, 0.0]], "float32"))
    assert float(metric.result()) == pytest.approx(0.5)
    assert metrics.Accuracy.from_config(metric.get_config()).name == "accuracy"


def test_rate_of_the_atl_latent():
    assert metrics.bits_per_image((5, 5, 16), 4) == 1600
    assert metrics.bytes_per_image((5, 5, 16), 4) == 200
    assert metrics.compression_ratio((28, 28, 1), 200) == pytest.approx(3.92)
    assert metrics.bytes_per_image((3,), 3) == 2  # 9 bits round up to whole bytes


def test_psnr_is_infinite_for_identical_images():
    x = ops.ones((1, 2, 2, 1))
    assert np.isinf(float(metrics.psnr(x, x)))
