import keras
import numpy as np
import pytest
from keras import ops

from keras_jointcomp import models, training
from tests.conftest import tiny_images


def _snapshot(part):
    return [ops.convert_to_numpy(w).copy() for w in part.weights]


def _moved(before, part):
    return any(not np.array_equal(b, ops.convert_to_numpy(w)) for b, w in zip(before, part.weights))


def _model_with_a_live_latent():
    keras.utils.set_random_seed(0)
    model = models.load("atl_lenet")
    for weight in model.encoder.weights:  # a latent spread over many symbols, so every part gets gradients
        weight.assign(ops.convert_to_numpy(weight) * 4.0)
    return model


PHASES = [
    ("autoencoder", ("encoder", "decoder")),
    ("autoencoder", ("decoder",)),
    ("classifier", ("encoder", "classifier")),
    ("classifier", ("classifier",)),
    ("joint", ("decoder", "classifier")),
]


@pytest.mark.parametrize("network,trainable", PHASES)
def test_frozen_parts_do_not_move_and_trained_parts_do(network, trainable):
    model = _model_with_a_live_latent()
    images, labels = tiny_images(16)
    before = {name: _snapshot(part) for name, part in model.parts.items()}
    runner = training.PhaseRunner(model, training.TrainingConfig(batch_size=8, verbose=0, learning_rate=1e-2))
    runner.run(training.Phase("p", network, trainable, epochs=1), images, labels)
    for name, part in model.parts.items():
        if not part.weights:
            continue
        in_network = network == "joint" or name in {"encoder", "decoder" if network == "autoencoder" else
                                                    "classifier"}
        assert _moved(before[name], part) == (name in trainable and in_network), name


def test_switching_phases_back_and_forth_keeps_freezing_real():
    model = _model_with_a_live_latent()
    images, labels = tiny_images(16)
    runner = training.PhaseRunner(model, training.TrainingConfig(batch_size=8, verbose=0, learning_rate=1e-2))
    for network, trainable, frozen in [
        ("autoencoder", ("encoder", "decoder"), "classifier"),
        ("classifier", ("classifier",), "encoder"),
        ("classifier", ("encoder", "classifier"), "decoder"),
        ("autoencoder", ("decoder",), "encoder"),
    ]:
        before = _snapshot(model.parts[frozen])
        runner.run(training.Phase(network, network, trainable), images, labels)
        assert not _moved(before, model.parts[frozen])
    assert runner.network("classifier") is runner.network("classifier")  # built once, reused


def test_a_network_coming_back_keeps_its_compiled_step_with_a_restarted_optimizer_and_real_freezing():
    model = _model_with_a_live_latent()
    images, labels = tiny_images(16)
    runner = training.PhaseRunner(model, training.TrainingConfig(batch_size=8, verbose=0, learning_rate=1e-2))
    epoch_set = [("autoencoder", ("encoder", "decoder"), "classifier"), ("classifier", ("classifier",), "encoder"),
                 ("classifier", ("encoder", "classifier"), "decoder"), ("autoencoder", ("decoder",), "encoder")]
    steps = {}
    for round_ in range(2):
        for network, trainable, frozen in epoch_set:
            before = _snapshot(model.parts[frozen])
            runner.run(training.Phase(network, network, trainable), images, labels)
            assert not _moved(before, model.parts[frozen]), (round_, network, trainable)
            compiled = runner.network(network) if "encoder" in trainable else \
                runner.network("decoder" if network == "autoencoder" else "classification_head")
            assert int(ops.convert_to_numpy(compiled.optimizer.iterations)) == 2  # restarted: one phase's steps
            if round_ == 0:
                steps[network, trainable] = (compiled.optimizer, compiled.train_function)
            else:  # the same optimizer and compiled step: neither a compile nor a retrace
                assert steps[network, trainable] == (compiled.optimizer, compiled.train_function)


def test_other_trainable_parts_or_a_phase_length_schedule_compile_again():
    model = _model_with_a_live_latent()
    images, labels = tiny_images(16)
    runner = training.PhaseRunner(model, training.TrainingConfig(batch_size=8, verbose=0))
    runner.run(training.Phase("a", "joint", ("encoder", "decoder")), images, labels)
    first = model.optimizer
    runner.run(training.Phase("b", "joint", ("classifier",)), images, labels)
    assert model.optimizer is not first
    scheduled = training.PhaseRunner(model, training.TrainingConfig(batch_size=8, verbose=0,
                                                                    learning_rate_schedule="warmup-linear"))
    scheduled.run(training.Phase("c", "joint", ("classifier",)), images, labels)
    first = model.optimizer
    scheduled.run(training.Phase("c", "joint", ("classifier",)), images, labels)
    assert model.optimizer is not first


def test_part_variables_partition_the_model():
    groups = training.part_variables(models.load("atl_lenet"))
    assert set(groups) == {"encoder", "quantizer", "decoder", "classifier"}
    assert groups["quantizer"] == set()
    assert sum(map(len, groups.values())) == len(models.load("atl_lenet").weights)


def test_set_trainable_rejects_unknown_parts_and_networks():
    with pytest.raises(ValueError, match="Unknown parts"):
        training.set_trainable(models.load("atl_lenet"), ["encoder", "head"])
    with pytest.raises(ValueError, match="Unknown network"):
        training.Phase("p", "gan", ("encoder",))


def test_joint_recipe_learns_on_real_digits():
    from keras_jointcomp import data
    from keras_jointcomp.evaluation import evaluate

    keras.utils.set_random_seed(0)
    train = data.load(data.OFFLINE_DEFAULT, "train")
    test = data.load(data.OFFLINE_DEFAULT, "test")
    model = models.load("atl_lenet")
    config = training.TrainingConfig(batch_size=64, verbose=0)
    records = training.get_recipe("joint")(model, (train.images[:2000], train.labels[:2000]), 2, config)
    assert records[0]["phase"] == "joint" and len(records[0]["loss"]) == 2
    assert records[0]["loss"][1] < records[0]["loss"][0]
    report = evaluate(model, test.images[:500], test.labels[:500])
    assert report["accuracy"] > 0.3 and report["psnr_db"] > 10  # chance is 0.1
    assert report["bytes_per_image"] == 200 and report["n_images"] == 500


def test_unknown_recipe_lists_the_known_ones():
    with pytest.raises(ValueError, match="available: .*joint"):
        training.get_recipe("nope")


def test_parts_frozen_when_saved_can_be_trained_again(tmp_path):
    model = models.load("atl_lenet")
    training.set_trainable(model, ("decoder",))  # as after the classifier-driven recipe's last phase
    reloaded = models.load_model(models.save_model(model, tmp_path / "frozen.keras"))
    copy = models.JointModel.from_config(model.get_config())
    for again in (reloaded, copy):
        training.set_trainable(again, ("encoder", "classifier"))
        assert len(again.trainable_weights) == len(again.encoder.weights) + len(again.classifier.weights)
