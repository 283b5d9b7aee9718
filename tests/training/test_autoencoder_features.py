import keras
import numpy as np
import pytest
from keras import ops

from keras_jointcomp import data, models, training
from keras_jointcomp.data.weighted import class_sample_weights, weighted_batches
from keras_jointcomp.training import autoencoder_features
from tests.conftest import tiny_images


def _model(seed=0):
    keras.utils.set_random_seed(seed)
    return models.load("cifar_conv_ae", base_filters=4, classifier_filters=(8,), num_classes=4)


def _rgb(n=16, seed=0):
    return tiny_images(n, (32, 32, 3), num_classes=4, seed=seed)


def _snapshot(part):
    return [ops.convert_to_numpy(w).copy() for w in part.weights]


def _moved(before, part):
    return any(not np.array_equal(b, ops.convert_to_numpy(w)) for b, w in zip(before, part.weights))


def test_halving_three_cifar_classes_keeps_half_of_each_and_weights_them_up():
    labels = np.repeat(np.arange(10), 20)
    images = np.zeros((200, 2, 2, 3), np.uint8)
    kept_images, kept = data.make_imbalanced(images, labels, (2, 4, 9), keep_fraction=0.5, seed=0)
    counts = np.bincount(kept, minlength=10)
    assert counts.tolist() == [20, 20, 10, 20, 10, 20, 20, 20, 20, 10] and len(kept_images) == 170
    weights = data.class_weights(kept, 10)
    assert weights[2] == pytest.approx(170 / (10 * 10)) and weights[0] == pytest.approx(170 / (10 * 20))
    again = data.make_imbalanced(images, labels, (2, 4, 9), keep_fraction=0.5, seed=0)[1]
    np.testing.assert_array_equal(again, kept)  # seeded


def test_weighted_batches_weigh_only_the_named_output_with_broadcastable_shapes():
    images, labels = _rgb(10)
    weights = class_sample_weights(labels, {0: 2.0, 3: 0.5})
    assert weights.dtype == np.float32 and weights[labels == 1].tolist() == [1.0] * 3  # missing classes weigh 1
    dataset = weighted_batches(images, {"reconstruction": "images", "logits": labels}, {"logits": weights},
                               batch_size=4, shuffle=True, seed=3)
    seen = []
    for index in range(len(dataset)):
        x, y, w = dataset[index]
        assert w["reconstruction"].shape == (len(x), 1, 1) and np.all(w["reconstruction"] == 1)
        assert w["logits"].shape == (len(x),)
        np.testing.assert_array_equal(w["logits"], class_sample_weights(y["logits"], {0: 2.0, 3: 0.5}))
        seen.extend(y["logits"])
    assert sorted(seen) == sorted(labels)
    x, y, w = weighted_batches(images, labels, weights, batch_size=4)[0]
    np.testing.assert_array_equal(w, weights[:4])


def test_weighted_batches_refuse_mismatched_weights():
    images, labels = _rgb(4)
    with pytest.raises(ValueError, match="unknown outputs"):
        weighted_batches(images, {"logits": labels}, {"latent": np.ones(4)})
    with pytest.raises(ValueError, match="one weight per image"):
        weighted_batches(images, {"logits": labels}, {"logits": np.ones(3)})
    with pytest.raises(ValueError, match="needs targets"):
        weighted_batches(images, None, np.ones(4))


def test_class_weights_scale_the_cross_entropy_only():
    model = _model()
    images, labels = _rgb(12)
    weights = {0: 3.0, 1: 0.25, 2: 1.0, 3: 2.0}
    config = training.TrainingConfig(batch_size=12, reconstruction_weight=2.0, classification_weight=0.5, verbose=0)
    network = training.PhaseRunner(model, config).compile(training.Phase("j", "joint", tuple(model.parts)))
    dataset = autoencoder_features.joint_weighted_batches(model, images, labels, 12, weights, transform=None,
                                                          shuffle=False)
    result = network.evaluate(dataset, verbose=0, return_dict=True)

    floats = data.to_float(images)
    outputs = model.predict(floats, verbose=0)
    mse = np.mean((floats - outputs["reconstruction"]) ** 2)
    logits = outputs["logits"].astype("float64")
    log_softmax = logits - logits.max(1, keepdims=True)
    log_softmax -= np.log(np.exp(log_softmax).sum(1, keepdims=True))
    cross_entropy = -log_softmax[np.arange(12), labels]
    weighted = np.mean(class_sample_weights(labels, weights) * cross_entropy)
    assert result["reconstruction_loss"] == pytest.approx(mse, rel=1e-4)
    assert result["logits_loss"] == pytest.approx(weighted, rel=1e-4)
    assert result["loss"] == pytest.approx(2.0 * mse + 0.5 * weighted, rel=1e-4)
    assert weighted != pytest.approx(np.mean(cross_entropy), rel=1e-3)  # the weights do change the loss


def test_ae_features_trains_the_autoencoder_then_only_the_classifier():
    model = _model()
    images, labels = _rgb(16)
    config = training.TrainingConfig(batch_size=8, learning_rate=1e-2, verbose=0)
    runner = training.PhaseRunner(model, config)
    autoencoder, classifier = autoencoder_features.feature_phases(1, 1)
    before = {name: _snapshot(part) for name, part in model.parts.items()}
    runner.run(autoencoder, images, labels)
    assert _moved(before["encoder"], model.encoder) and _moved(before["decoder"], model.decoder)
    assert not _moved(before["classifier"], model.classifier)
    before = {name: _snapshot(part) for name, part in model.parts.items()}
    runner.run(classifier, images, labels)
    assert not _moved(before["encoder"], model.encoder) and not _moved(before["decoder"], model.decoder)
    assert _moved(before["classifier"], model.classifier)


def test_ae_features_recipe_records_both_phases_with_the_plateau_learning_rate():
    images, labels = _rgb(16)
    recipe = training.get_recipe("ae-features")
    records = recipe(_model(), (images, labels), 1, training.TrainingConfig(batch_size=8, verbose=0),
                     validation=_rgb(8, seed=1), autoencoder_epochs=2)
    assert [record["phase"] for record in records] == ["autoencoder on reconstruction",
                                                       "classifier on frozen autoencoder features"]
    assert len(records[0]["val_loss"]) == 2 and "val_accuracy" in records[1]
    assert records[0]["learning_rate"] == pytest.approx([1e-3, 1e-3])


def test_joint_weighted_trains_every_part_and_reduces_the_learning_rate_on_plateau():
    model = _model()
    images, labels = _rgb(16)
    before = {name: _snapshot(part) for name, part in model.parts.items()}
    config = training.TrainingConfig(batch_size=8, learning_rate=1e-2, verbose=0)
    records = training.get_recipe("joint-weighted")(model, (images, labels), 2, config,
                                                    reduce_lr={"patience": 1, "min_delta": 1e9})
    assert all(_moved(before[name], part) for name, part in model.parts.items())
    assert records[0]["learning_rate"] == pytest.approx([1e-2, 1e-2])  # logged before the callback acts
    assert float(ops.convert_to_numpy(model.optimizer.learning_rate)) == pytest.approx(5e-3)
    assert {"loss", "logits_loss", "reconstruction_loss", "logits_accuracy"} <= set(records[0])


def test_joint_weighted_refuses_bad_options_and_models_without_classifier():
    images, labels = _rgb(8)
    config = training.TrainingConfig(batch_size=8, verbose=0)
    with pytest.raises(ValueError, match="class_weight"):
        training.get_recipe("joint-weighted")(_model(), (images, labels), 1, config, class_weight="inverse")
    with pytest.raises(ValueError, match="transform"):
        training.get_recipe("joint-weighted")(_model(), (images, labels), 1, config, transform="imagenet")
    autoencoder = models.JointModel(encoder=_model().encoder, decoder=_model(1).decoder)
    with pytest.raises(ValueError, match="classifier"):
        training.get_recipe("joint-weighted")(autoencoder, (images, labels), 1, config)
