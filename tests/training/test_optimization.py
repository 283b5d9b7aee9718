"""The fast-CIFAR optimization tricks: schedule, faster batch-norm offsets, weight averaging, the config's
checks, and a --fast run through a recipe."""

import keras
import numpy as np
import pytest

from keras_jointcomp import models, training
from keras_jointcomp.training.optimization import AirbenchSGD, WarmupLinearDecay, fit_schedule_to, make_optimizer
from tests.conftest import tiny_images


def test_warmup_linear_schedule_rises_then_falls_to_its_end():
    schedule = WarmupLinearDecay(2.0, total_steps=100)
    values = [float(keras.ops.convert_to_numpy(schedule(step))) for step in (0, 23, 100, 200)]
    np.testing.assert_allclose(values, [0.4, 2.0, 0.14, 0.14], rtol=1e-5)
    assert float(keras.ops.convert_to_numpy(schedule(11))) == pytest.approx(0.4 + 1.6 * 11 / 23, rel=1e-5)


def test_a_phase_stretches_the_schedule_over_its_steps():
    optimizer = make_optimizer(training.TrainingConfig.fast())
    fit_schedule_to(optimizer, 490)
    assert optimizer._learning_rate.total_steps == 490


def _one_step(scale):
    """The change of a batch norm's offset and of a dense kernel after one SGD step."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.BatchNormalization(),
                              keras.layers.Dense(1)])
    before = [keras.ops.convert_to_numpy(v).copy() for v in model.trainable_variables]
    model.compile(AirbenchSGD(scale, learning_rate=0.01), "mse")
    x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
    model.train_on_batch(x, np.ones((8, 1), "float32"))
    return [(v.path.endswith("/beta"), keras.ops.convert_to_numpy(v) - b)
            for v, b in zip(model.trainable_variables, before)]


def test_batch_norm_offsets_step_further_by_the_scale_and_nothing_else_does():
    plain, scaled = _one_step(1.0), _one_step(64.0)
    for (offset, step), (_, scaled_step) in zip(plain, scaled):
        np.testing.assert_allclose(scaled_step, (64.0 if offset else 1.0) * step, rtol=1e-4, atol=1e-7)
    assert any(offset and np.abs(step).max() > 0 for offset, step in plain)


def test_lookahead_pulls_the_weights_back_every_k_steps_at_a_rising_decay_and_ends_on_the_slow_ones():
    weight = keras.Variable(0.0)
    optimizer = AirbenchSGD(lookahead_every=5, lookahead_decay=0.5, total_steps=10, learning_rate=1.0,
                            momentum=0.0)
    values = []
    for _ in range(10):
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(-1.0), weight)])
        values.append(float(keras.ops.convert_to_numpy(weight)))
    # Step 5: d = 0.5 * (5 / 10)**3 = 0.0625, slow 0 -> 0.9375 * 5; step 10: d = 0.5 between 4.6875 and 9.6875.
    np.testing.assert_allclose(values[3:6], [4.0, 4.6875, 5.6875], rtol=1e-6)
    np.testing.assert_allclose(values[-1], 7.1875, rtol=1e-6)
    optimizer.apply_gradients([(keras.ops.convert_to_tensor(-1.0), weight)])
    optimizer.finalize_variable_values([weight])
    assert float(keras.ops.convert_to_numpy(weight)) == pytest.approx(7.1875)


def test_a_phase_stretches_the_lookahead_too():
    optimizer = make_optimizer(training.TrainingConfig.fast())
    fit_schedule_to(optimizer, 123)
    assert optimizer.lookahead_every == 5 and optimizer.total_steps == 123


@pytest.mark.parametrize("settings, message", [
    ({"optimizer": "rmsprop"}, "optimizer must be one of adam, sgd"),
    ({"learning_rate_schedule": "cosine"}, "learning_rate_schedule must be one of"),
    ({"bias_learning_rate_scale": 64.0}, "needs optimizer 'sgd'"),
    ({"weight_averaging": 5}, "needs optimizer 'sgd'"),
    ({"label_smoothing": 1.0}, "label_smoothing must be a number in [0, 1)"),
    ({"weight_averaging": -1}, "weight_averaging must be a whole number"),
    ({"weight_decay": -0.1}, "weight_decay must be a number of at least 0"),
    ({"augmentation": "cutout"}, "augmentation must be one of none, flip-translate"),
])
def test_bad_settings_are_named(settings, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace(")", r"\)")):
        training.TrainingConfig(**settings)


def test_fast_settings_can_each_be_replaced():
    config = training.TrainingConfig.fast(weight_averaging=0, batch_size=64)
    assert (config.optimizer, config.weight_averaging, config.batch_size, config.label_smoothing) == \
        ("sgd", 0, 64, 0.2)


def test_a_fast_run_fits_the_whitening_and_learns_a_separable_task():
    """Two classes told apart by brightness: the airbench model with every trick on learns them."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    labels = np.arange(128) % 2
    images = (rng.integers(0, 100, (128, 32, 32, 3)) + 120 * labels[:, None, None, None]).astype(np.uint8)
    model = models.load("ldr_airbench", num_classes=2, widths=(16, 16, 16), hidden_units=0)
    config = training.TrainingConfig.fast(batch_size=32, verbose=0)
    records = training.train("ce-t", model, (images, labels), 3, config)
    whitening = [layer for layer in model._flatten_layers() if type(layer).__name__ == "PatchWhitening"]
    assert len(whitening) == 1 and whitening[0].adapted
    assert np.isfinite(records[0]["loss"]).all()
    logits = keras.ops.convert_to_numpy(model.predict(images.astype("float32") / 255, verbose=0)["logits"])
    assert (logits.argmax(-1) == labels).mean() > 0.9
