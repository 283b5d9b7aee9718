"""Random arrays into `encode`, `decode` and `classify`: a correct result or one clear error, never a
traceback of another kind or a plausible answer to nonsense."""

import functools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from keras import ops

from keras_jointcomp import models

SETTINGS = settings(max_examples=60, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
DTYPES = st.sampled_from(["uint8", "int16", "int64", "float16", "float32", "float64", "bool"])


@functools.lru_cache(maxsize=None)
def _model():
    return models.load("atl_lenet")


def _shapes(correct):
    """The right shape with a batch axis, or one wrong in a single place (rank or a size)."""
    right = st.integers(1, 3).map(lambda n: (n, *correct))
    wrong_size = st.tuples(st.integers(1, 3), *[st.sampled_from([size, size - 1, size + 1]) for size in correct])
    wrong_rank = st.sampled_from([tuple(correct), (1, *correct, 1), (2, *correct[:-1])])
    return st.one_of(right, wrong_size, wrong_rank)


def _floats(dtype, low, high):
    """Floats of ``dtype`` in [low, high], or NaN, or an infinity."""
    width = {"float16": 16, "float32": 32}.get(dtype, 64)
    return st.one_of(st.floats(low, high, width=width), st.sampled_from([np.nan, np.inf, -np.inf]))


def _is_one_line(error):
    text = str(error)
    return "\n" not in text and 0 < len(text) <= 300


@SETTINGS
@given(data=st.data(), dtype=DTYPES)
def test_encode_answers_or_refuses_in_one_line(data, dtype):
    model = _model()
    shape = data.draw(_shapes((28, 28, 1)))
    elements = {"bool": st.booleans(), "uint8": st.integers(0, 255), "int16": st.integers(-300, 300),
                "int64": st.integers(-(2**40), 2**40)}.get(dtype, _floats(dtype, -2, 300))
    images = data.draw(hnp.arrays(dtype, shape, elements=elements))
    valid = (len(shape) == 4 and shape[1:] == (28, 28, 1) and dtype != "bool" and np.isfinite(images).all()
             and (images.min() >= 0) and (images.max() <= (1 if images.dtype.kind == "f" else 255)))
    try:
        symbols = ops.convert_to_numpy(model.encode(images))
    except ValueError as error:
        assert not valid, f"refused valid images: {error}"
        assert _is_one_line(error), str(error)
        return
    assert valid, f"encoded invalid {dtype} images of shape {shape}"
    assert symbols.shape == (shape[0], 5, 5, 16) and symbols.min() >= 0 and symbols.max() <= 15


@SETTINGS
@given(data=st.data(), dtype=DTYPES, head=st.sampled_from(["decode", "classify"]))
def test_decode_and_classify_answer_or_refuse_in_one_line(data, dtype, head):
    model = _model()
    shape = data.draw(_shapes((5, 5, 16)))
    elements = {"bool": st.booleans(), "uint8": st.integers(0, 20), "int16": st.integers(-3, 20),
                "int64": st.integers(-3, 20)}.get(dtype, _floats(dtype, -3, 20))
    latents = data.draw(hnp.arrays(dtype, shape, elements=elements))
    valid = (len(shape) == 4 and shape[1:] == (5, 5, 16) and np.issubdtype(latents.dtype, np.integer)
             and latents.min() >= 0 and latents.max() <= 15)
    try:
        output = getattr(model, head)(latents)
    except ValueError as error:
        assert not valid, f"refused valid symbols: {error}"
        assert _is_one_line(error), str(error)
        return
    assert valid, f"{head} answered invalid {dtype} latents of shape {shape}"
    expected = (shape[0], 28, 28, 1) if head == "decode" else (shape[0], 10)
    assert tuple(output.shape) == expected
