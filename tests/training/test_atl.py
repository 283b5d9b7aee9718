import keras
import numpy as np
import pytest
from keras import ops

from keras_jointcomp import models, training
from tests.conftest import tiny_images

CONFIG = training.TrainingConfig(batch_size=8, verbose=0)


def _weights(part):
    return [ops.convert_to_numpy(w).copy() for w in part.weights]


def _same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.fixture
def train():
    return tiny_images(40)


@pytest.mark.parametrize("method,phases", [
    ("baseline-ae", ["autoencoder"]),
    ("baseline-cnn", ["cnn"]),
    ("ae-driven", ["autoencoder", "classifier on frozen compressor"]),
    ("classifier-driven", ["cnn", "decompressor on frozen compressor"]),
])
def test_fixed_recipes_run_their_phases(method, phases, train):
    records = training.get_recipe(method)(models.load("atl_lenet"), train, 1, CONFIG)
    assert [record["phase"] for record in records] == phases
    assert all(np.isfinite(record["loss"][-1]) for record in records)


def test_ae_driven_leaves_the_compressor_of_the_autoencoder_phase(train):
    model = models.load("atl_lenet")
    runner = training.PhaseRunner(model, CONFIG)
    runner.run(training.Phase("ae", "autoencoder", ("encoder", "decoder")), *train)
    compressor = _weights(model.encoder)
    runner.run(training.Phase("cls", "classifier", ("classifier",)), *train)
    assert _same(compressor, _weights(model.encoder))


def test_atl_records_every_epoch_set_then_fine_tunes(train):
    records = training.get_recipe("atl")(models.load("atl_lenet"), train, 1, CONFIG, epoch_sets=2, patience=10,
                                         validation_fraction=0.25)
    assert [record["phase"] for record in records] == ["epoch set 1", "epoch set 2", "fine-tuned"]
    for record in records:
        assert 0 <= record["accuracy"] <= 1 and np.isfinite(record["psnr_db"])


def test_atl_stops_when_neither_measure_improves(train, monkeypatch):
    from keras_jointcomp.training import atl

    monkeypatch.setattr(atl, "_measure", lambda runner, images, labels: {"accuracy": 0.5, "psnr_db": 10.0})
    records = atl.alternating_transfer_learning(models.load("atl_lenet"), train, 0, CONFIG, epoch_sets=10, patience=2,
                                                validation_fraction=0.25)
    assert [record["epoch_set"] for record in records] == [1, 2, 3]  # set 1 improves, 2 and 3 do not


def test_cross_domain_transfers_and_freezes_the_compressor(train):
    source = models.load("atl_lenet")
    for weight in source.encoder.weights:
        weight.assign(ops.convert_to_numpy(weight) * 3.0)
    target = models.load("atl_lenet", num_classes=5)
    records = training.get_recipe("cross-domain")(target, (train[0], train[1] % 5), 1, CONFIG, source=source)
    assert _same(_weights(source.encoder), _weights(target.encoder))
    assert [r["phase"] for r in records] == ["classifier on frozen compressor", "decompressor on frozen compressor"]
    with pytest.raises(ValueError, match="--source"):
        training.get_recipe("cross-domain")(target, train, 1, CONFIG)
    with pytest.raises(ValueError, match="images but this data set has"):
        training.get_recipe("cross-domain")(models.load("atl_lenet", input_shape=(32, 32, 3)), train, 1, CONFIG,
                                            source=source)


def test_multi_domain_alternates_over_domains_then_transfers(train):
    keras.utils.set_random_seed(0)
    domains = {"a": tiny_images(32, seed=5), "b": tiny_images(32, seed=6)}
    model = models.load("atl_lenet")
    records = training.get_recipe("multi-domain")(model, train, 1, CONFIG, domains=domains, epoch_sets=2,
                                                  validation_fraction=0.25)
    assert [(r["phase"], r.get("domain")) for r in records[:4]] == [
        ("epoch set 1", "a"), ("epoch set 1", "b"), ("epoch set 2", "a"), ("epoch set 2", "b")]
    assert [r["phase"] for r in records[4:]] == ["classifier on frozen compressor",
                                                 "decompressor on frozen compressor"]
