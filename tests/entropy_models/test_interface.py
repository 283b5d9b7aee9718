"""The three entropy models share one interface, and every one of them codes real bytes."""

import keras
import numpy as np
import pytest

from keras_jointcomp.codec import EntropyCoding, RangeCoder
from keras_jointcomp.entropy_models import (
    CategoricalEntropyModel,
    EntropyModel,
    GaussianEntropyModel,
    GaussianLatentModel,
    LearnedEntropyModel,
    entropy_model_from_config,
)
from keras_jointcomp.layers import EntropyBottleneck

SHAPE = (2, 2, 3)


def _symbols(n=40, seed=0):
    return np.random.default_rng(seed).normal(0, 2, size=(n, *SHAPE)).round().astype(np.int32)


def _models():
    symbols = _symbols()
    gaussian = GaussianLatentModel.fit(symbols.astype("float64"))
    keras.utils.set_random_seed(0)
    bottleneck = EntropyBottleneck(seed=0)
    bottleneck.build((None, *SHAPE))
    return {
        "categorical": CategoricalEntropyModel.fit(symbols),
        "gaussian": gaussian.entropy_model(1.0, SHAPE),
        "learned": LearnedEntropyModel.freeze(bottleneck, SHAPE),
    }


@pytest.mark.parametrize("kind", ["categorical", "gaussian", "learned"])
def test_every_model_codes_streams_and_its_estimate_matches_the_bytes(kind):
    model = _models()[kind]
    assert isinstance(model, EntropyModel) and model.kind == kind
    symbols = _symbols(seed=1)
    symbols[0, 0, 0, 0] = 900  # far outside every table: escaped, never refused
    coder = RangeCoder(model)
    payloads = [coder.encode(image) for image in symbols]
    decoded = np.stack([coder.decode(payload) for payload in payloads])
    np.testing.assert_array_equal(decoded, symbols)
    estimate = model.estimated_bits(symbols).sum() / 8
    actual = sum(len(payload) for payload in payloads)
    assert estimate - len(symbols) <= actual <= estimate + len(symbols)  # within a byte a stream


@pytest.mark.parametrize("kind", ["categorical", "gaussian", "learned"])
def test_every_model_saves_as_its_integer_tables(kind):
    model = _models()[kind]
    again = entropy_model_from_config(model.get_config(), kind)
    assert type(again) is type(model) and again == model
    coding = EntropyCoding.from_config(EntropyCoding({1.0: model}).get_config())
    assert coding.entropy_model(1.0) == model


def test_the_gaussian_model_has_one_table_per_entry_and_the_exact_likelihood():
    model = _models()["gaussian"]
    assert isinstance(model, GaussianEntropyModel) and model.channels == int(np.prod(SHAPE))
    symbols = _symbols(seed=2)
    np.testing.assert_allclose(model.likelihood(symbols), model.gaussian.likelihood(symbols, 1.0))
    tables = EntropyModel.likelihood(model, symbols)  # what the coder pays
    np.testing.assert_allclose(tables, model.likelihood(symbols), rtol=1e-3)


def test_unknown_kinds_are_named():
    with pytest.raises(ValueError, match="unknown entropy model kind 'laplace'"):
        entropy_model_from_config({}, "laplace")
