import numpy as np
import pytest
from keras import ops

from keras_jointcomp import models, rate, training
from keras_jointcomp.training import pruning


def _reference_angles(vectors):
    """Angles in degrees between the columns, straight from the definition."""
    units = vectors.shape[1]
    angles = np.zeros((units, units))
    for i in range(units):
        for j in range(units):
            a, b = vectors[:, i], vectors[:, j]
            angles[i, j] = np.degrees(np.arccos(np.clip(a @ b / np.linalg.norm(a) / np.linalg.norm(b), -1, 1)))
    return angles


def test_angles_match_the_definition_and_identical_units_are_the_least_distinct():
    # Columns: two units computing the same function (one twice as strong), one at 90 degrees, one at 45.
    activations = np.array([[1.0, 2.0, 0.0, 1.0], [0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
    angles = pruning.distinctiveness_angles(activations)
    np.testing.assert_allclose(angles, _reference_angles(activations), atol=1e-6)
    np.testing.assert_allclose(angles[0, 1:], [0.0, 90.0, 45.0], atol=1e-6)
    i, j, angle = pruning.least_distinct_pair(angles)
    assert (i, j) == (0, 1) and angle == pytest.approx(0.0, abs=1e-6)
    assert pruning.unit_to_remove(activations, i, j) == 0  # the weaker of the two
    random = np.random.default_rng(0).normal(size=(50, 6))
    np.testing.assert_allclose(pruning.distinctiveness_angles(random), _reference_angles(random), atol=1e-6)


def test_pruned_and_dead_units_are_never_chosen():
    activations = np.array([[1.0, 1.0, 0.0, 3.0], [0.0, 0.1, 0.0, 1.0], [2.0, 2.0, 0.0, 0.5]])
    angles = pruning.distinctiveness_angles(activations)
    assert np.isnan(angles[2]).all() and np.isnan(angles[:, 2]).all()  # unit 2 never fires
    np.testing.assert_array_equal(pruning.dead_units(activations), [False, False, True, False])
    assert pruning.least_distinct_pair(angles)[:2] == (0, 1)
    assert pruning.least_distinct_pair(angles, [True, False, True, True])[:2] == (0, 3)
    with pytest.raises(ValueError, match="defined angle"):
        pruning.least_distinct_pair(angles, [True, False, True, False])


def test_normalisations_and_complementary_pairs():
    activations = np.array([[0.0, 4.0, 1.0], [1.0, 2.0, 3.0], [2.0, 0.0, 2.0]])
    ranged = pruning.normalise_activations(activations, "range")
    assert ranged.min() == -0.5 and ranged.max() == 0.5
    np.testing.assert_allclose(pruning.normalise_activations(activations, "centred").mean(axis=0), 0, atol=1e-12)
    angles = pruning.distinctiveness_angles(activations, "centred")
    assert angles[0, 1] == pytest.approx(180.0)  # unit 1 falls as unit 0 rises
    assert pruning.least_distinct_pair(angles)[:2] != (0, 1)
    assert pruning.least_distinct_pair(angles, complementary=True)[:2] == (0, 1)
    with pytest.raises(ValueError, match="normalisation"):
        pruning.normalise_activations(activations, "softmax")


def test_prune_least_distinct_switches_off_one_of_two_identical_units_in_place():
    model = models.load("faces_conv_ae", hidden_channels=4)
    activations = np.random.default_rng(1).uniform(size=(40, 128))
    activations[:, 9] = activations[:, 7]
    record = pruning.prune_least_distinct(model, activations)
    assert record["unit"] in (7, 9) and {record["unit"], record["partner"]} == {7, 9}
    assert record["angle"] == pytest.approx(0.0, abs=1e-4) and record["active_units"] == 127
    assert record["dead_units"] == 0
    assert model.active_latent_units == 127 and not pruning.active_mask(model)[record["unit"]]
    with pytest.raises(ValueError, match="already pruned"):
        pruning.remove_unit(model, record["unit"])


def test_pruning_schedule():
    assert pruning.pruning_epochs(13, 1, 12) == list(range(1, 13))
    assert pruning.pruning_epochs(5, 2, 0) == []
    with pytest.raises(ValueError, match="more than 12 epochs"):
        pruning.pruning_epochs(12, 1, 12)


def _tiny_faces(n=16, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 30, 32, 1), dtype=np.uint8)
    return images, np.arange(n) % 4


def test_recipe_prunes_the_requested_units_at_the_right_epochs():
    model = models.load("faces_conv_ae", hidden_channels=4)
    images, labels = _tiny_faces()
    config = training.TrainingConfig(batch_size=8, reconstruction_loss="l1", verbose=0)
    records = training.get_recipe("distinctiveness-pruning")(
        model, (images, labels), 5, config, validation=_tiny_faces(8, seed=1), prune_every=1, units_to_prune=3)
    record, = records
    assert [entry["epoch"] for entry in record["pruned"]] == [1, 2, 3]
    assert [entry["active_units"] for entry in record["pruned"]] == [127, 126, 125]
    assert len(record["loss"]) == len(record["val_loss"]) == 5 and record["epoch"] == [1, 2, 3, 4, 5]
    assert all(0 <= entry["angle"] <= 90 and np.isfinite(entry["val_loss_after_pruning"])
               for entry in record["pruned"])
    units = [entry["unit"] for entry in record["pruned"]]
    assert len(set(units)) == 3 and record["active_units"] == model.active_latent_units == 125
    mask = ops.convert_to_numpy(model.encoder.layers[-1].mask).reshape(-1)  # kept through the later fits
    assert mask.sum() == 125 and (mask[units] == 0).all()
    latent = ops.convert_to_numpy(model.encode(images[:4].astype("float32") / 255)).reshape(4, -1)
    assert (latent[:, units] == 0).all()


def test_control_run_prunes_nothing_and_needs_no_mask():
    model = models.load("faces_conv_ae", hidden_channels=4, latent_mask=False)
    images, labels = _tiny_faces()
    config = training.TrainingConfig(batch_size=8, reconstruction_loss="l1", verbose=0)
    recipe = training.get_recipe("distinctiveness-pruning")
    record, = recipe(model, (images, labels), 2, config, units_to_prune=0)
    assert record["pruned"] == [] and record["active_units"] == 128 and len(record["loss"]) == 2
    assert record["phase"] == "unpruned control"
    with pytest.raises(ValueError, match="LatentMask"):
        recipe(model, (images, labels), 3, config, prune_every=1, units_to_prune=1)
