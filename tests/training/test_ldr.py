import numpy as np
import pytest
from keras import ops

from keras_jointcomp import augment, models, training
from keras_jointcomp.training.ldr import ViewBatches
from tests.conftest import tiny_images


def _snapshot(part):
    return [ops.convert_to_numpy(w).copy() for w in part.weights]


def _moved(before, part):
    return any(not np.array_equal(b, ops.convert_to_numpy(w)) for b, w in zip(before, part.weights))


def _setup(n=32):
    model = models.load("ldr_resnet_small", width=0.125, latent_dim=8, feature_dim=8, hidden_units=16)
    images, labels = tiny_images(n, (32, 32, 3), num_classes=4)
    return model, images, labels, training.TrainingConfig(batch_size=16, verbose=0, learning_rate=1e-2)


def test_duphil_trains_the_encoder_on_ldr_then_only_the_classifier():
    model, images, labels, config = _setup()
    before = {name: _snapshot(part) for name, part in model.parts.items()}
    runner = training.PhaseRunner(model, config)
    ldr_phase, ce_phase = training.ldr.duphil_phases(4)
    history = runner.run(ldr_phase, images, labels)
    assert _moved(before["encoder"], model.encoder) and _moved(before["side_branch"], model.side_branch)
    assert not _moved(before["classifier"], model.classifier)
    losses = history.history["loss"]
    assert min(losses[1:]) < losses[0] < 0  # MCR^2 of the side features falls (noisily, on 32 random images)
    after_ldr = {name: _snapshot(part) for name, part in model.parts.items()}
    runner.run(ce_phase, images, labels)
    assert not _moved(after_ldr["encoder"], model.encoder)
    assert _moved(after_ldr["classifier"], model.classifier)


def test_ldr_ft_runs_its_five_phases_and_the_last_at_a_tenth_of_the_rate(monkeypatch):
    model, images, labels, config = _setup()
    rates = []
    compile_ = training.PhaseRunner.compile

    def remember_rate(self, phase, network=None, loss=None):
        rates.append(self.config.learning_rate * phase.learning_rate_scale)
        return compile_(self, phase, network, loss)

    monkeypatch.setattr(training.PhaseRunner, "compile", remember_rate)
    records = training.get_recipe("ldr-ft")(model, (images, labels), 1, config, views=2)
    assert [r["phase"] for r in records] == [
        "encoder on the LDR loss", "classifier on cross-entropy", "encoder on the LDR-SSL loss",
        "classifier on cross-entropy after LDR-SSL", "end to end on cross-entropy, lower learning rate"]
    assert rates[-1] == pytest.approx(config.learning_rate / 10) and rates[0] == config.learning_rate
    assert all(np.isfinite(r["loss"]).all() for r in records)


def test_ce_t_trains_encoder_and_classifier_but_not_the_side_branch():
    model, images, labels, config = _setup()
    before = {name: _snapshot(part) for name, part in model.parts.items()}
    records = training.get_recipe("ce-t")(model, (images, labels), 1, config)
    assert "accuracy" in records[0]
    assert _moved(before["encoder"], model.encoder) and _moved(before["classifier"], model.classifier)
    assert not _moved(before["side_branch"], model.side_branch)


def test_view_batches_group_the_views_of_each_image():
    images, _ = tiny_images(10, (8, 8, 3))
    dataset = ViewBatches(images, images_per_batch=4, views=3, transform=augment.distortions(), seed=0)
    assert len(dataset) == 3
    views, groups = dataset[0]
    assert views.shape == (12, 8, 8, 3) and views.dtype == np.float32
    np.testing.assert_array_equal(groups, np.repeat(np.arange(4), 3))
    np.testing.assert_array_equal(dataset[0][0], views)  # reproducible
    assert dataset[2][0].shape[0] == 6


def test_ldr_recipes_need_a_side_branch():
    images, labels = tiny_images(8)
    config = training.TrainingConfig(batch_size=4, verbose=0)
    for name in ("duphil", "ldr-ft"):
        with pytest.raises(ValueError, match="side branch"):
            training.get_recipe(name)(models.load("atl_lenet"), (images, labels), 1, config)


def test_robustness_reports_each_distortion_reproducibly():
    from keras_jointcomp.evaluation import robustness

    model, images, labels, _ = _setup(16)
    result = robustness(model, images, labels)
    assert list(result) == ["none", "rotation", "flip", "colour jitter", "all"]
    assert all(0.0 <= value <= 1.0 for value in result.values())
    assert robustness(model, images, labels) == result  # seeded
    with pytest.raises(ValueError, match="uint8"):
        robustness(model, images.astype("float32"), labels)
