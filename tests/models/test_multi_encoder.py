import numpy as np
import pytest
from keras import ops

from keras_jointcomp import models, training
from keras_jointcomp.evaluation import evaluate, soft_decisions
from tests.conftest import tiny_images


def test_mnist_model_emits_16_bits_and_classifies_decoded_bits():
    model = models.load("multi_encoder_mnist")
    assert model.output_keys == ("logits", "latent") and model.latent_shape == (16,)
    assert model.bits_per_element == 1 and model.bytes_per_image == 2
    images = np.random.default_rng(0).random((3, 28, 28, 1)).astype("float32")
    outputs = model(images)
    soft = ops.convert_to_numpy(outputs["latent"])
    assert soft.min() >= 0 and soft.max() <= 1
    bits = ops.convert_to_numpy(model.encode(images))
    np.testing.assert_array_equal(bits, np.round(soft))
    np.testing.assert_allclose(ops.convert_to_numpy(model.classify(bits)),
                               ops.convert_to_numpy(outputs["logits"]), atol=1e-5)


@pytest.mark.parametrize("overrides,bits", [
    ({"encoder": "conv"}, 24), ({"encoder": "conv_b"}, 24), ({"encoder": "alexnet", "width": 0.125}, 24),
    ({"encoder": "resnet18", "width": 0.125}, 24), ({"bits": 12}, 36),
    ({"encoder": "square", "bits": 16, "decoder": "square"}, 48),
    ({"split": "grid", "grid": (2, 2), "bits": 8}, 32),
])
def test_cifar_variants_build_and_run(overrides, bits):
    model = models.load("multi_encoder_cifar10", width=0.125, **{k: v for k, v in overrides.items() if k != "width"})
    assert model.latent_shape == (bits,)
    logits = model(np.zeros((2, 32, 32, 3), "float32"))["logits"]
    assert tuple(logits.shape) == (2, 10)


def test_soft_and_hard_accuracy_differ_only_by_the_rounding():
    model = models.load("multi_encoder_mnist")
    images, labels = tiny_images(20)
    hard = evaluate(model, images, labels)
    with soft_decisions(model):
        soft = evaluate(model, images, labels)
        soft_logits = ops.convert_to_numpy(model.predict(images.astype("float32") / 255, verbose=0)["logits"])
    again = evaluate(model, images, labels)
    assert again == hard
    hard_logits = ops.convert_to_numpy(model.predict(images.astype("float32") / 255, verbose=0)["logits"])
    assert not np.allclose(soft_logits, hard_logits)
    assert {soft["bytes_per_image"], hard["bytes_per_image"]} == {2}
    with pytest.raises(ValueError, match="soft mode"):
        with soft_decisions(models.load("atl_lenet")):
            pass


@pytest.mark.parametrize("trainable", [("encoder", "decoder", "classifier"), ("encoder", "decoder")])
def test_joint_and_pretrained_classifier_modes_with_rounding_gap(trainable):
    model = models.load("multi_encoder_mnist")
    images, labels = tiny_images(32)
    before = [ops.convert_to_numpy(w).copy() for w in model.classifier.weights]
    runner = training.PhaseRunner(model, training.TrainingConfig(batch_size=8, verbose=0, rounding_gap_weight=1.0))
    history = runner.run(training.Phase("p", "joint", trainable, epochs=1), images, labels)
    assert {"logits_loss", "latent_loss"} <= set(history.history)
    moved = any(not np.array_equal(b, ops.convert_to_numpy(w)) for b, w in zip(before, model.classifier.weights))
    assert moved == ("classifier" in trainable)


def test_round_trip_keeps_outputs(tmp_path):
    model = models.load("multi_encoder_cifar10", width=0.125, split="grid", grid=(2, 2))
    images = np.random.default_rng(1).random((2, 32, 32, 3)).astype("float32")
    restored = models.load_model(models.save_model(model, tmp_path / "m.keras"))
    for key, value in model(images).items():
        np.testing.assert_allclose(ops.convert_to_numpy(restored(images)[key]), ops.convert_to_numpy(value),
                                   atol=1e-6)


def test_pretrained_classifier_recipe_freezes_the_classifier_after_pretraining(monkeypatch):
    from keras_jointcomp.training import bit_encoders

    model = models.load("multi_encoder_mnist")
    images, labels = tiny_images(32)
    config = training.TrainingConfig(batch_size=8, verbose=0, rounding_gap_weight=1.0)
    pretrained, pretrain = {}, bit_encoders.pretrain_classifier

    def pretrain_and_remember(*args):
        history = pretrain(*args)
        pretrained["weights"] = [ops.convert_to_numpy(w).copy() for w in model.classifier.weights]
        return history

    monkeypatch.setattr(bit_encoders, "pretrain_classifier", pretrain_and_remember)
    records = training.get_recipe("pretrained-classifier")(model, (images, labels), 1, config)
    assert [r["phase"] for r in records] == ["classifier on images", "encoders and decoder for the frozen classifier"]
    assert "latent_loss" in records[1]
    for before, weight in zip(pretrained["weights"], model.classifier.weights):
        np.testing.assert_array_equal(before, ops.convert_to_numpy(weight))
    with pytest.raises(ValueError, match="decoded images"):
        training.get_recipe("pretrained-classifier")(models.load("atl_lenet"), (images, labels), 1, config)


def test_joint_hard_bits_keeps_the_best_rounded_epochs_and_restores_the_soft_mode():
    model = models.load("multi_encoder_mnist")
    images, labels = tiny_images(32)
    config = training.TrainingConfig(batch_size=8, verbose=0, learning_rate=1e-2)
    records = training.get_recipe("joint-hard-bits")(model, (images, labels), 2, config,
                                                     validation=(images[:16], labels[:16]), hard_bit_epochs=2)
    assert [r["phase"] for r in records] == ["joint", "end to end on hard bits"]
    best = max(records[1]["val_logits_accuracy"])
    assert evaluate(model, images[:16], labels[:16])["accuracy"] == pytest.approx(best, abs=1e-6)
    assert model.quantizer.straight_through is False


def test_the_hard_bit_phase_rounds_in_training_and_needs_binary_bits(monkeypatch):
    from keras_jointcomp.training import bit_encoders

    model = models.load("multi_encoder_mnist")
    images, labels = tiny_images(16)
    runner = training.PhaseRunner(model, training.TrainingConfig(batch_size=8, verbose=0))
    seen = []
    run = training.PhaseRunner.run

    def remember_mode(self, phase, *args, **kwargs):
        seen.append((model.quantizer.straight_through, phase.learning_rate_scale))
        return run(self, phase, *args, **kwargs)

    monkeypatch.setattr(training.PhaseRunner, "run", remember_mode)
    bit_encoders.train_on_soft_bits(runner, (images, labels), 1)
    bit_encoders.train_on_hard_bits(runner, (images, labels), 1)
    assert seen == [(False, 1.0), (True, 0.1)] and model.quantizer.straight_through is False
    with pytest.raises(ValueError, match="BinaryQuantizer"):
        with bit_encoders.straight_through(models.load("atl_lenet")):
            pass


def test_standardized_inputs_are_part_of_the_saved_model(tmp_path):
    model = models.load("multi_encoder_mnist")
    assert model.encoder.get_layer("standardize") is not None
    plain = models.load("multi_encoder_mnist", standardize=None)
    assert "standardize" not in [layer.name for layer in plain.encoder.layers]
    images = np.random.default_rng(2).random((2, 28, 28, 1)).astype("float32")
    restored = models.load_model(models.save_model(model, tmp_path / "m.keras"))
    np.testing.assert_allclose(ops.convert_to_numpy(restored(images)["logits"]),
                               ops.convert_to_numpy(model(images)["logits"]), atol=1e-5)
