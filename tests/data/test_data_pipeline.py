"""`batches`: a PyDataset driving a real `fit` / `evaluate` / `predict` on the current Keras backend."""

import keras
import numpy as np
import pytest

from keras_jointcomp import data


def toy(num_examples=20, num_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (num_examples, 4, 4, 1)).astype(np.uint8)
    return images, np.arange(num_examples) % num_classes


def first_pixels(dataset):
    """The first pixel of every image of one pass, in order (recovers the batch order)."""
    return np.concatenate([dataset[i][0][:, 0, 0, 0] for i in range(len(dataset))])


def test_batches_are_float_in_unit_range():
    images, labels = toy()
    dataset = data.batches(images, labels, batch_size=8)
    assert isinstance(dataset, keras.utils.PyDataset)
    assert len(dataset) == 3
    x, y = dataset[2]
    assert x.dtype == np.float32 and x.shape == (4, 4, 4, 1)
    np.testing.assert_allclose(x, images[16:] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, labels[16:])


def test_shuffle_changes_each_epoch_and_repeats_for_a_seed():
    images = np.arange(10, dtype=np.uint8).reshape(10, 1, 1, 1)
    dataset = data.batches(images, np.arange(10), batch_size=4, shuffle=True, seed=7)
    epoch0 = first_pixels(dataset)
    dataset.on_epoch_end()
    epoch1 = first_pixels(dataset)
    assert sorted(epoch0.round(4).tolist()) == sorted(epoch1.round(4).tolist())
    assert not np.array_equal(epoch0, epoch1)
    again = data.batches(images, np.arange(10), batch_size=4, shuffle=True, seed=7)
    np.testing.assert_array_equal(first_pixels(again), epoch0)
    x, y = again[0]
    np.testing.assert_array_equal(np.round(x[:, 0, 0, 0] * 255).astype(int), y)  # pairs stay together


def test_no_shuffle_keeps_order():
    images = np.arange(10, dtype=np.uint8).reshape(10, 1, 1, 1)
    dataset = data.batches(images, batch_size=3)
    np.testing.assert_allclose(np.concatenate([dataset[i] for i in range(4)]).ravel() * 255, np.arange(10))


def test_transform_gets_uint8_batch_and_seeded_rng():
    images, labels = toy(8)
    seen = []

    def invert(batch, rng):
        assert batch.dtype == np.uint8
        seen.append(rng.integers(1 << 30))
        return 255 - batch

    dataset = data.batches(images, labels, batch_size=8, seed=1, transform=invert)
    x, _ = dataset[0]
    np.testing.assert_allclose(x, (255 - images) / 255.0, rtol=1e-6)
    dataset[0]
    assert seen[0] == seen[1]  # same seed, epoch and batch: same randomness
    dataset.on_epoch_end()
    dataset[0]
    assert seen[2] != seen[0]


def test_transform_must_return_uint8():
    images, labels = toy(4)
    dataset = data.batches(images, labels, transform=lambda batch, rng: batch / 255.0)
    with pytest.raises(ValueError, match="uint8"):
        dataset[0]


def test_dict_targets_with_images_as_target():
    images, labels = toy(6)
    dataset = data.batches(images, {"reconstruction": "images", "logits": labels}, batch_size=4)
    x, y = dataset[0]
    assert set(y) == {"reconstruction", "logits"}
    np.testing.assert_array_equal(y["reconstruction"], x)
    np.testing.assert_array_equal(y["logits"], labels[:4])


def test_images_as_the_only_target():
    images, _ = toy(6)
    x, y = data.batches(images, "images", batch_size=4)[1]
    assert x.shape == (2, *images.shape[1:])
    np.testing.assert_array_equal(y, x)


@pytest.mark.parametrize(
    "images, labels, error",
    [
        (np.full((4, 2, 2, 1), 255, np.float32), None, ValueError),  # floats are [0, 1]
        (np.zeros((4, 2, 2, 1), np.uint8), np.zeros(3), ValueError),
        (np.zeros((4, 2, 2, 1), np.uint8), {"out": "labels"}, ValueError),
        (np.zeros((4, 2, 2, 1), np.uint8), "labels", ValueError),
    ],
)
def test_bad_arguments_are_refused(images, labels, error):
    with pytest.raises(error):
        data.batches(images, labels)


def classifier(num_classes=3):
    model = keras.Sequential(
        [keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(num_classes)]
    )
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def test_fit_evaluate_predict_on_current_backend():
    keras.utils.set_random_seed(0)
    images, labels = toy(20)
    model = classifier()
    history = model.fit(data.batches(images, labels, batch_size=8, shuffle=True, seed=0), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()
    results = model.evaluate(data.batches(images, labels, batch_size=8), verbose=0, return_dict=True)
    assert np.isfinite(float(results["loss"]))
    predictions = model.predict(data.batches(images, batch_size=8), verbose=0)
    assert predictions.shape == (20, 3)


def test_fit_with_class_weights():
    images, labels = toy(20)
    model = classifier()
    weights = data.class_weights(labels)
    history = model.fit(data.batches(images, labels, batch_size=8), epochs=1, class_weight=weights, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_fit_autoencoder_with_images_as_target():
    keras.utils.set_random_seed(0)
    images, labels = toy(12)
    inputs = keras.Input((4, 4, 1))
    code = keras.layers.Dense(2)(keras.layers.Flatten()(inputs))
    reconstruction = keras.layers.Reshape((4, 4, 1), name="reconstruction")(keras.layers.Dense(16)(code))
    logits = keras.layers.Dense(3, name="logits")(code)
    model = keras.Model(inputs, {"reconstruction": reconstruction, "logits": logits})
    model.compile(
        optimizer="adam",
        loss={
            "reconstruction": "mse",
            "logits": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        },
    )
    dataset = data.batches(images, {"reconstruction": "images", "logits": labels}, batch_size=4, shuffle=True)
    history = model.fit(dataset, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_the_backends_feeding_defaults_give_a_fit_and_a_predict_exactly_what_one_worker_does():
    """TensorFlow's data sets read through two threads (`data.feeding_defaults`, which avoids tf.data's
    autotuner); the batches, their order and so the trained weights must not change. (Under JAX and PyTorch
    Keras' thread pool would start the epochs one data-set epoch earlier, so they keep one worker.)"""
    images, labels = toy(num_examples=40)

    def flip_half(batch, rng):
        return batch[:, :, ::-1] if rng.random() < 0.5 else batch

    def trained(**workers):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(3)])
        model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        train = data.ImageBatches(images, labels, 8, shuffle=True, seed=3, transform=flip_half, **workers)
        model.fit(train, epochs=3, verbose=0, shuffle=False)
        outputs = model.predict(data.ImageBatches(images, batch_size=8, **workers), verbose=0)
        return [keras.ops.convert_to_numpy(w) for w in model.weights], outputs

    (one_worker, outputs), (defaults, default_outputs) = trained(workers=1), trained()
    for a, b in zip(one_worker + [outputs], defaults + [default_outputs]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    expected = {"workers": 2} if keras.backend.backend() == "tensorflow" else {}
    assert data.feeding_defaults() == expected
    assert data.batches(images).workers == expected.get("workers", 1)
