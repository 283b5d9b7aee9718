import keras
import numpy as np
import pytest
from keras import ops

from keras_jointcomp import data
from keras_jointcomp.evaluation import evaluate
from keras_jointcomp.entropy_models import GaussianLatentModel
from keras_jointcomp.layers import EntropyStepQuantizer, RoundingQuantizer
from keras_jointcomp.models import JointModel
from keras_jointcomp.rate import (
    MIN_ENTROPY_BITS,
    ROWS,
    empirical_entropy_bits,
    entropy_steps,
    rate_accuracy_curve,
    with_entropy_quantizer,
)
from tests.conftest import tiny_images
from tests.gradients import gradient_of_sum

SHAPE = (4, 4, 1)
SCALES = [0.05, 0.2, 1.0, 5.0]


def _tiny_model(classifier_input="latent"):
    """Dense encoder to a 4-dim latent, Dense classifier to 3 classes (and a decoder for "decoded")."""
    encoder = keras.Sequential([keras.Input(SHAPE), keras.layers.Flatten(), keras.layers.Dense(4)], name="encoder")
    if classifier_input == "decoded":
        decoder = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16), keras.layers.Reshape(SHAPE)],
                                   name="decoder")
        classifier = keras.Sequential([keras.Input(SHAPE), keras.layers.Flatten(), keras.layers.Dense(3)],
                                      name="classifier")
        return JointModel(encoder=encoder, decoder=decoder, classifier=classifier, classifier_input="decoded")
    classifier = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)], name="classifier")
    return JointModel(encoder=encoder, classifier=classifier)


@pytest.fixture(scope="module")
def trained():
    """A tiny latent classifier trained two steps on random images, with train and test splits."""
    keras.utils.set_random_seed(0)
    model = _tiny_model()
    train, test = tiny_images(64, SHAPE, num_classes=3, seed=1), tiny_images(48, SHAPE, num_classes=3, seed=2)
    model.compile(optimizer="adam", loss={"logits": keras.losses.SparseCategoricalCrossentropy(from_logits=True)})
    model.fit(data.batches(train[0], {"logits": train[1]}, batch_size=32), epochs=1, verbose=0)
    return model, train, test


# --- EntropyStepQuantizer -----------------------------------------------------------------------------------

def test_inference_rounds_each_entry_by_its_own_step():
    quantizer = EntropyStepQuantizer([0.5, 2.0])
    x = np.array([[0.3, 2.9], [-0.8, -3.1]], "float32")
    symbols = quantizer.to_symbols(x)
    assert "int32" in str(symbols.dtype)
    np.testing.assert_array_equal(ops.convert_to_numpy(symbols), [[1, 1], [-2, -2]])
    np.testing.assert_allclose(ops.convert_to_numpy(quantizer.from_symbols(symbols)), [[0.5, 2.0], [-1.0, -4.0]])
    np.testing.assert_allclose(ops.convert_to_numpy(quantizer(x)), [[0.5, 2.0], [-1.0, -4.0]])
    np.testing.assert_allclose(ops.convert_to_numpy(quantizer(x, training=True)), [[0.5, 2.0], [-1.0, -4.0]])


def test_flat_steps_take_the_latent_shape_as_a_non_trainable_weight():
    quantizer = EntropyStepQuantizer(np.arange(1.0, 7.0))
    x = np.ones((2, 2, 3), "float32") * 2.4
    expected_symbols = np.round(2.4 / np.arange(1.0, 7.0).reshape(2, 3))
    np.testing.assert_array_equal(ops.convert_to_numpy(quantizer.to_symbols(x))[0], expected_symbols)
    assert tuple(quantizer.steps.shape) == (2, 3)
    assert quantizer.trainable_weights == [] and len(quantizer.non_trainable_weights) == 1


def test_gradient_passes_straight_through_in_training():
    quantizer = EntropyStepQuantizer([0.5, 2.0, 0.1])
    x = np.array([[0.3, 2.7, -9.1]], "float32")
    np.testing.assert_allclose(gradient_of_sum(lambda v: quantizer(v, training=True), x), np.ones((1, 3)))


@pytest.mark.parametrize("steps", [[1.0, 0.0], [-1.0], [np.nan], []])
def test_invalid_steps_are_rejected(steps):
    with pytest.raises(ValueError, match="positive steps"):
        EntropyStepQuantizer(steps)


def test_steps_that_do_not_fit_the_latent_are_rejected():
    with pytest.raises(ValueError, match=r"3 steps do not fit a latent of shape \(4,\)"):
        EntropyStepQuantizer([1.0, 2.0, 3.0])(np.zeros((1, 4), "float32"))
    with pytest.raises(ValueError, match="do not fit the latent"):
        with_entropy_quantizer(_tiny_model(), [1.0, 2.0, 3.0])


def test_config_keeps_the_steps_as_a_list():
    quantizer = EntropyStepQuantizer([[0.5, 2.0]], name="q")
    config = quantizer.get_config()
    assert config["steps"] == [[0.5, 2.0]]
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(quantizer))
    assert isinstance(restored, EntropyStepQuantizer) and restored.name == "q"
    np.testing.assert_array_equal(ops.convert_to_numpy(restored(np.array([[1.1, 1.1]], "float32"))), [[1.0, 2.0]])


def test_quantized_joint_model_survives_a_keras_round_trip(tmp_path):
    keras.utils.set_random_seed(1)
    model = _tiny_model()
    quantized = with_entropy_quantizer(model, [0.1, 0.2, 0.3, 0.4])
    assert quantized.encoder is model.encoder and quantized.classifier is model.classifier
    images = np.random.default_rng(0).random((5, *SHAPE)).astype("float32")
    path = tmp_path / "quantized.keras"
    quantized.save(path)
    restored = keras.saving.load_model(path)
    assert isinstance(restored.quantizer, EntropyStepQuantizer)
    np.testing.assert_allclose(ops.convert_to_numpy(restored.quantizer.steps), [0.1, 0.2, 0.3, 0.4], rtol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(restored(images)["logits"]),
                               ops.convert_to_numpy(quantized(images)["logits"]), atol=1e-6)
    symbols = ops.convert_to_numpy(restored.encode(images))
    assert symbols.dtype == np.int32
    np.testing.assert_allclose(ops.convert_to_numpy(restored.classify(symbols)),
                               ops.convert_to_numpy(quantized(images)["logits"]), atol=1e-5)


# --- Steps and the rate-accuracy curve ----------------------------------------------------------------------

def test_steps_are_scale_times_the_floored_differential_entropy():
    fit = GaussianLatentModel([0.0, 0.0, 0.0], [4.0, 0.5, 0.01])  # h = 4.05, 1.05, -4.6 bits
    h = fit.differential_entropy_bits()
    np.testing.assert_allclose(entropy_steps(fit, 0.5), 0.5 * np.array([h[0], MIN_ENTROPY_BITS, MIN_ENTROPY_BITS]))
    floored_low = entropy_steps(fit, 2.0, min_entropy_bits=1e-3)
    np.testing.assert_allclose(floored_low, 2.0 * np.array([h[0], h[1], 1e-3]))
    with pytest.raises(ValueError, match="positive"):
        entropy_steps(fit, 0.0)


def test_curve_streams_real_bytes_falling_with_the_scale(trained):
    model, (x_train, _), (x_test, y_test) = trained
    rows = rate_accuracy_curve(model, x_train, x_test, y_test, SCALES, batch_size=16)
    assert [row["step_scale"] for row in rows] == SCALES
    assert all(set(row) == set(ROWS) for row in rows)
    payload = [row["payload_bytes_per_image"] for row in rows]
    estimated = [row["estimated_payload_bytes_per_image"] for row in rows]
    empirical = [row["empirical_entropy_bits"] for row in rows]
    assert all(a > b for a, b in zip(estimated, estimated[1:])), estimated
    assert all(a >= b for a, b in zip(payload, payload[1:])), payload
    assert all(a >= b for a, b in zip(empirical, empirical[1:])), empirical
    assert all(abs(actual - estimate) <= 1.0 for actual, estimate in zip(payload, estimated))
    assert all(0.0 <= row["accuracy"] <= 1.0 for row in rows)
    assert empirical[0] <= 4 * np.log2(len(x_test))  # a histogram of 48 symbols holds at most log2(48) bits


def test_curve_measures_what_the_quantized_model_evaluates_to(trained):
    model, (x_train, _), (x_test, y_test) = trained
    scale = 0.2
    row = rate_accuracy_curve(model, x_train, x_test, y_test, [scale])[0]
    latents = ops.convert_to_numpy(model.encoder(data.to_float(x_train), training=False))
    steps = entropy_steps(GaussianLatentModel.fit(latents), scale)
    quantized = with_entropy_quantizer(model, steps)
    assert evaluate(quantized, x_test, y_test)["accuracy"] == pytest.approx(row["accuracy"])
    symbols = ops.convert_to_numpy(quantized.encode(data.to_float(x_test)))
    assert empirical_entropy_bits(symbols) == pytest.approx(row["empirical_entropy_bits"])


def test_curve_rejects_models_whose_classifier_does_not_read_the_latent(trained):
    _, (x_train, _), (x_test, y_test) = trained
    with pytest.raises(ValueError, match="does not classify from the latent"):
        rate_accuracy_curve(_tiny_model("decoded"), x_train, x_test, y_test, [1.0])


@pytest.mark.parametrize("scales", [[0.0], [1.0, -2.0], [float("nan")], [], ["1"]])
def test_curve_rejects_bad_scales(trained, scales):
    model, (x_train, _), (x_test, y_test) = trained
    with pytest.raises(ValueError, match="(?i)scale"):
        rate_accuracy_curve(model, x_train, x_test, y_test, scales)


def test_curve_rejects_bad_images_and_labels(trained):
    model, (x_train, _), (x_test, y_test) = trained
    with pytest.raises(ValueError, match=r"float images must be in \[0, 1\]"):
        rate_accuracy_curve(model, x_train.astype("float32"), x_test, y_test, [1.0])
    with pytest.raises(ValueError, match="do not fit"):
        rate_accuracy_curve(model, x_train, x_test[:, :2], y_test, [1.0])
    with pytest.raises(ValueError, match="labels"):
        rate_accuracy_curve(model, x_train, x_test, y_test[:-1], [1.0])


def test_curve_reads_the_latent_before_the_models_own_quantizer(trained):
    model, (x_train, _), (x_test, y_test) = trained
    coarse = JointModel(encoder=model.encoder, classifier=model.classifier,
                        quantizer=RoundingQuantizer(num_bits=None, step=1e3))  # would zero every latent entry
    measured = ("bytes_per_image", "estimated_payload_bytes_per_image", "empirical_entropy_bits", "accuracy")
    expected = rate_accuracy_curve(model, x_train, x_test, y_test, [0.2])[0]
    row = rate_accuracy_curve(coarse, x_train, x_test, y_test, [0.2])[0]
    assert [row[key] for key in measured] == [expected[key] for key in measured]
