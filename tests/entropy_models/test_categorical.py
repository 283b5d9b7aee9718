import numpy as np
import pytest

from keras_jointcomp.codec import RangeCoder
from keras_jointcomp.entropy_models import PRECISION, CategoricalEntropyModel


def skewed_symbols(n=500, shape=(3, 3, 4), seed=0, high=15):
    rng = np.random.default_rng(seed)
    return np.minimum(rng.geometric(0.4, size=(n, *shape)) - 1, high).astype(np.int32)


def test_fit_makes_integer_tables_that_sum_to_the_precision():
    model = CategoricalEntropyModel.fit(skewed_symbols(), symbol_range=(0, 15))
    assert model.channels == 4
    for low, table in model.integer_tables():
        assert low == 0 and len(table) == 17  # 16 symbols and the escape entry
        assert table.dtype == np.int64 and table.min() >= 1 and table.sum() == 2**PRECISION
        assert table[-1] == 1  # a bounded range never escapes


def test_likelihood_follows_the_training_frequencies():
    symbols = skewed_symbols()
    model = CategoricalEntropyModel.fit(symbols, symbol_range=(0, 15))
    probabilities = model.likelihood(symbols)
    assert probabilities.shape == symbols.shape
    zeros_in_channel_0 = symbols[..., 0] == 0
    np.testing.assert_allclose(probabilities[..., 0][zeros_in_channel_0], np.mean(zeros_in_channel_0), rtol=0.02)
    bits = model.estimated_bits(symbols)
    assert bits.shape == (len(symbols),)
    np.testing.assert_allclose(bits, -np.log2(probabilities).reshape(len(symbols), -1).sum(axis=1))


def test_unbounded_tables_cover_the_training_range_and_escape_beyond_it():
    symbols = skewed_symbols() - 3
    model = CategoricalEntropyModel.fit(symbols)
    low, table = model.integer_tables()[0]
    assert low == symbols[..., 0].min() - 2
    far = symbols[:1].copy()
    far[0, 0, 0, 0] = 10_000
    indices, escaped = model.table_indices(far)
    assert escaped[0, 0, 0, 0] and escaped.sum() == 1
    assert model.likelihood(far)[0, 0, 0, 0] < 2.0**-32


def test_config_round_trip_is_exact():
    model = CategoricalEntropyModel.fit(skewed_symbols())
    again = CategoricalEntropyModel.from_config(model.get_config())
    assert again == model and again.latent_shape == (3, 3, 4)


@pytest.mark.parametrize(
    "symbols, message",
    [(np.zeros((4, 3), np.float32), "integers"), (np.zeros((0, 3), np.int32), "non-empty"),
     (np.full((4, 3), 20, np.int32), "outside the quantizer's range")],
)
def test_fit_rejects_bad_symbols(symbols, message):
    with pytest.raises(ValueError, match=message):
        CategoricalEntropyModel.fit(symbols, symbol_range=(0, 15))


def test_invalid_tables_are_refused():
    with pytest.raises(ValueError, match="summing to 2"):
        CategoricalEntropyModel((2,), [0, 0], [[1, 2], [2**PRECISION - 1, 1]])
    with pytest.raises(ValueError, match="takes 2 tables"):
        CategoricalEntropyModel((2,), [0], [[2**PRECISION - 1, 1]])


def test_likelihood_checks_the_latent_shape():
    model = CategoricalEntropyModel.fit(skewed_symbols())
    with pytest.raises(ValueError, match="do not fit"):
        model.likelihood(np.zeros((2, 3, 4), np.int32))


def test_range_coder_round_trip_is_exact_and_close_to_the_estimate():
    symbols = skewed_symbols(n=300)
    model = CategoricalEntropyModel.fit(symbols, symbol_range=(0, 15))
    coder = RangeCoder(model)
    payloads = [coder.encode(image) for image in symbols]
    for payload, image in zip(payloads, symbols):
        np.testing.assert_array_equal(coder.decode(payload), image)
    actual = np.mean([len(payload) for payload in payloads])
    estimate = model.estimated_bits(symbols).mean() / 8
    assert estimate <= actual + 1 and actual <= estimate * 1.01 + 1.5


def test_range_coder_sends_escaped_values_exactly():
    train = skewed_symbols()
    model = CategoricalEntropyModel.fit(train)
    image = train[0].copy()
    image[0, 0, 0], image[1, 2, 3] = -2**31, 2**31 - 1
    coder = RangeCoder(model)
    np.testing.assert_array_equal(coder.decode(coder.encode(image)), image)
