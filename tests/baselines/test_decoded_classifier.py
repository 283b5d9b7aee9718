import math
import warnings

import keras
import pytest
from PIL import features

from keras_jointcomp import baselines, models, training
from keras_jointcomp.models import JointModel
from keras_jointcomp.rate.curves import ROWS
from tests.conftest import tiny_images

CONFIG = training.TrainingConfig(batch_size=20, verbose=0)
KEYS = set(ROWS)


def _data():
    return tiny_images(40, seed=1), tiny_images(20, seed=2)


def test_baseline_point_on_tiny_data():
    train, test = _data()
    point = baselines.baseline_point(lambda: models.load("atl_lenet"), baselines.PillowCodec("jpeg", 10),
                                     train, test, epochs=1, config=CONFIG, batch_size=20)
    assert set(point) == KEYS
    assert (point["codec"], point["setting"], point["quality"]) == ("jpeg", "quality=10", 10)
    assert point["n_images"] == 20
    assert point["bytes_per_image"] > 0 and point["payload_bytes_per_image"] is None
    assert 0.0 <= point["accuracy"] <= 1.0
    assert math.isfinite(point["psnr_db"]) and point["psnr_db"] > 0
    assert point["encode_ms"] > 0 and point["decode_ms"] > 0


@pytest.mark.skipif(not features.check("webp"), reason="Pillow built without WebP")
def test_baseline_curve_gives_one_point_per_quality():
    train, test = _data()
    curve = baselines.baseline_curve(lambda: models.load("atl_lenet"), "webp", [0, 50], train, test, epochs=1,
                                     config=CONFIG)
    assert [point["setting"] for point in curve] == ["quality=0", "quality=50"]
    assert curve[0]["bytes_per_image"] < curve[1]["bytes_per_image"]
    assert baselines.PillowCodec("webp", 0).shared_bytes == 0


def _tiny_joint(classifier_input="latent", with_classifier=True):
    encoder = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(4)])
    decoder = keras.Sequential([keras.Input((4,)), keras.layers.Dense(784), keras.layers.Reshape((28, 28, 1))])
    classifier_input_shape = (28, 28, 1) if classifier_input == "decoded" else (4,)
    classifier = keras.Sequential([keras.Input(classifier_input_shape), keras.layers.Flatten(),
                                   keras.layers.Dense(10)])
    return JointModel(encoder, decoder, classifier if with_classifier else None, classifier_input=classifier_input)


@pytest.mark.parametrize("factory,match", [
    (lambda: _tiny_joint(with_classifier=False), "has no classifier"),
    (lambda: _tiny_joint("decoded"), "classifier_input='decoded'"),
    (lambda: keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten()]), "must return a JointModel"),
])
def test_models_that_cannot_classify_decoded_images_are_refused(factory, match):
    train, test = _data()
    with pytest.raises(ValueError, match=match):
        baselines.baseline_point(factory, baselines.PillowCodec("jpeg", 10), train, test, 1, CONFIG)


def test_images_of_the_wrong_shape_are_refused():
    train, _ = _data()
    test = tiny_images(4, shape=(32, 32, 3))
    with pytest.raises(ValueError, match="do not fit model"):
        baselines.baseline_point(lambda: models.load("atl_lenet"), baselines.PillowCodec("jpeg", 10), train, test,
                                 1, CONFIG)


def test_a_classifier_that_never_left_chance_is_reported():
    from keras_jointcomp.baselines.decoded_classifier import _warn_if_training_stalled

    codec = baselines.PillowCodec("jpeg", 10)
    with pytest.warns(RuntimeWarning, match="jpeg q10 baseline's classifier stayed at chance"):
        _warn_if_training_stalled({"accuracy": [0.10, 0.11]}, 10, codec)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _warn_if_training_stalled({"accuracy": [0.10, 0.62]}, 10, codec)


def test_zero_epochs_measure_the_codec_alone():
    train, test = _data()
    point = baselines.baseline_point(lambda: models.load("atl_lenet"), baselines.PillowCodec("jpeg", 10),
                                     train, test, epochs=0, config=CONFIG)
    assert point["accuracy"] is None and point["psnr_db"] > 0 and point["bytes_per_image"] > 0
