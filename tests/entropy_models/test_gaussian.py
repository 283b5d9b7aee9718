import json
import math

import numpy as np
import pytest

from keras_jointcomp.entropy_models import GaussianLatentModel
from keras_jointcomp.entropy_models.gaussian import MAX_BINS, MIN_STD, TRUNCATION_STDS

HALF_LOG2_2PI_E = 0.5 * math.log2(2 * math.pi * math.e)


def _model(mean, std):
    return GaussianLatentModel(np.asarray(mean, float), np.asarray(std, float))


def test_fit_flattens_trailing_dims_and_takes_population_moments():
    latents = np.random.default_rng(0).normal(size=(50, 2, 3)) * 2.0 + 1.0
    fit = GaussianLatentModel.fit(latents)
    assert fit.dims == 6 and fit.mean.dtype == np.float64 and fit.std.dtype == np.float64
    np.testing.assert_allclose(fit.mean, latents.reshape(50, 6).mean(axis=0))
    np.testing.assert_allclose(fit.std, latents.reshape(50, 6).std(axis=0))


def test_differential_entropy_is_the_closed_form():
    fit = _model([0.0, 5.0, -1.0], [1.0, 4.0, 0.1])
    np.testing.assert_allclose(fit.differential_entropy_bits(),
                               [HALF_LOG2_2PI_E, HALF_LOG2_2PI_E + 2.0, HALF_LOG2_2PI_E - math.log2(10.0)])


def test_discrete_entropy_approaches_differential_minus_log_step_for_small_steps():
    fit = _model([0.3, -2.0], [1.0, 3.0])
    steps = 0.01 * fit.std
    np.testing.assert_allclose(fit.discrete_entropy_bits(steps), fit.differential_entropy_bits() - np.log2(steps),
                               atol=1e-4)


def test_high_resolution_formula_joins_the_exact_sum_and_gets_tiny_steps_right():
    fit = _model([0.0], [1.0])
    edge = 2 * TRUNCATION_STDS / MAX_BINS  # the step at which the exact sum would need MAX_BINS bins
    for step in [edge * 1.01, edge * 0.99, 1e-6]:  # exact sum, then the expansion
        expected = HALF_LOG2_2PI_E - math.log2(step) + step**2 / (24 * math.log(2))
        assert fit.discrete_entropy_bits(step)[0] == pytest.approx(expected, abs=1e-9)


def test_discrete_entropy_vanishes_for_huge_steps():
    fit = _model([0.0, 0.4], [1.0, 0.01])
    np.testing.assert_allclose(fit.discrete_entropy_bits([1e3, 10.0]), [0.0, 0.0], atol=1e-9)


def test_discrete_entropy_matches_monte_carlo():
    mean, std, step = 0.37, 1.3, 0.9
    samples = np.random.default_rng(1).normal(mean, std, size=400_000)
    _, counts = np.unique(np.round(samples / step), return_counts=True)
    p = counts / counts.sum()
    assert _model([mean], [std]).discrete_entropy_bits(step)[0] == pytest.approx(-(p * np.log2(p)).sum(), abs=0.01)


def test_likelihood_sums_to_one_over_the_integers_and_keeps_the_symbols_shape():
    fit = _model([0.2, -1.0, 3.0, 0.0], [1.0, 0.5, 2.0, 0.05])
    steps = np.array([0.5, 0.25, 1.0, 0.3])
    symbols = np.repeat(np.arange(-100, 101)[:, None], 4, axis=1).reshape(-1, 2, 2)
    probabilities = fit.likelihood(symbols, steps.reshape(2, 2))
    assert probabilities.shape == symbols.shape
    np.testing.assert_allclose(probabilities.reshape(-1, 4).sum(axis=0), 1.0, atol=1e-12)


def test_likelihood_keeps_far_tail_bins_positive():
    # P(9.5 < Z <= 10.5) is about 1e-21: a naive Phi(b) - Phi(a) in float64 returns exactly 0.
    probability = _model([0.0], [1.0]).likelihood(np.array([[10], [-10]]), 1.0)
    expected = 0.5 * (math.erfc(9.5 / math.sqrt(2)) - math.erfc(10.5 / math.sqrt(2)))
    np.testing.assert_allclose(probability[:, 0], expected, rtol=1e-10)


def test_constant_dimension_gets_a_floored_std_and_zero_entropy():
    fit = GaussianLatentModel.fit(np.full((10, 2), 3.0))
    np.testing.assert_array_equal(fit.std, MIN_STD)
    np.testing.assert_allclose(fit.discrete_entropy_bits(0.5), 0.0, atol=1e-12)


def test_config_is_json_ready_and_round_trips():
    fit = GaussianLatentModel.fit(np.random.default_rng(2).normal(size=(20, 3)))
    config = json.loads(json.dumps(fit.get_config()))
    restored = GaussianLatentModel.from_config(config)
    np.testing.assert_array_equal(restored.mean, fit.mean)
    np.testing.assert_array_equal(restored.std, fit.std)


@pytest.mark.parametrize("steps,match", [
    (0.0, "positive"), ([1.0, -1.0], "positive"), ([1.0, 1.0, 1.0], "2 elements"),
])
def test_bad_steps_are_rejected(steps, match):
    with pytest.raises(ValueError, match=match):
        _model([0.0, 0.0], [1.0, 1.0]).discrete_entropy_bits(steps)


def test_bad_latents_and_symbols_are_rejected():
    with pytest.raises(ValueError, match="non-empty batch"):
        GaussianLatentModel.fit(np.zeros(5))
    with pytest.raises(ValueError, match="NaN"):
        GaussianLatentModel.fit(np.array([[np.nan]]))
    with pytest.raises(ValueError, match="integers"):
        _model([0.0], [1.0]).likelihood(np.array([[0.5]]), 1.0)
