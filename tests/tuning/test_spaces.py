import json

import keras_tuner
import pytest

from keras_jointcomp import models
from keras_jointcomp.tuning import DEFINITIONS, MODEL_KNOBS, generic, knobs_for, latent_screening


def _sample(space, **values):
    """The space's (model kwargs, overrides) at its defaults, with ``values`` set after registration."""
    hp = keras_tuner.HyperParameters()
    space(hp)
    hp.values.update(values)
    return space(hp)


def test_latent_screening_chooses_latent_dim_and_passes_fixed_kwargs():
    space = latent_screening((8, 16), fixed={"width": 0.125})
    assert _sample(space) == ({"width": 0.125, "latent_dim": 8}, {})
    assert _sample(space, latent_dim=16)[0]["latent_dim"] == 16
    hp = keras_tuner.HyperParameters()
    space(hp)
    assert hp.space[0].values == [8, 16]
    with pytest.raises(ValueError, match="positive"):
        latent_screening((0, 8))


def test_generic_space_splits_builder_kwargs_from_training_overrides():
    model_kwargs, overrides = _sample(generic("ldr_resnet_small", "joint"), latent_dim=128, learning_rate=3e-3)
    assert set(model_kwargs) == {"latent_dim", "depth", "width", "hidden_units"}
    assert model_kwargs["latent_dim"] == 128
    assert set(overrides) == {"learning_rate", "batch_size", "ldr_weight"}
    assert overrides["learning_rate"] == 3e-3


def test_loss_weights_are_tuned_for_the_joint_network_only():
    assert knobs_for("atl_lenet", "joint") == ("num_bits", "dropout", "learning_rate", "batch_size",
                                               "reconstruction_weight")
    assert "reconstruction_weight" not in knobs_for("atl_lenet", "classifier")
    assert knobs_for("multi_encoder_mnist", "joint")[-1] == "rounding_gap_weight"


def test_knobs_that_do_not_apply_are_refused_and_fixed_ones_not_tuned():
    with pytest.raises(ValueError, match="depth cannot be tuned for atl_lenet.*num_bits"):
        generic("atl_lenet", knobs=("depth",))
    with pytest.raises(ValueError, match="reconstruction_weight"):
        generic("atl_lenet", "classifier", knobs=("reconstruction_weight",))
    space = generic("ldr_resnet_small", "classifier", knobs=("width", "batch_size"), fixed={"width": 0.125})
    hp = keras_tuner.HyperParameters()
    assert space(hp) == ({"width": 0.125}, {"batch_size": 32})
    assert [p.name for p in hp.space] == ["batch_size"]


def test_a_model_missing_from_the_table_gets_the_training_knobs_only():
    assert knobs_for("some_future_model") == ("learning_rate", "batch_size")


def test_the_knob_table_names_registered_models_and_defined_knobs():
    assert set(MODEL_KNOBS) <= set(models.available())
    for knobs in MODEL_KNOBS.values():
        assert set(knobs.model + knobs.loss_weights) <= set(DEFINITIONS)


@pytest.mark.parametrize("name,input_shape", [("atl_lenet", (28, 28, 1)), ("ldr_resnet_small", (32, 32, 3)),
                                              ("multi_encoder_mnist", (28, 28, 1)),
                                              ("multi_encoder_cifar10", (32, 32, 3)),
                                              ("cifar_conv_ae", (32, 32, 3)), ("cifar_mlp_ae", (32, 32, 3))])
def test_every_listed_builder_knob_is_accepted_and_changes_the_model(name, input_shape):
    hp = keras_tuner.HyperParameters()
    knobs = MODEL_KNOBS[name].model
    defaults, _ = generic(name, "classifier", knobs=knobs)(hp)  # first choices: the smallest widths
    reference = json.dumps(models.load(name, input_shape=input_shape, **defaults).get_config(), default=str)
    for parameter in hp.space:
        if parameter.name == "width":
            continue  # checked below with a cheaper second width than the largest
        other = list(parameter.values)[-1]
        changed = models.load(name, input_shape=input_shape, **{**defaults, parameter.name: other})
        assert json.dumps(changed.get_config(), default=str) != reference, parameter.name
    if "width" in knobs:
        wide = models.load(name, input_shape=input_shape, **{**defaults, "width": 0.25})
        narrow = models.load(name, input_shape=input_shape, **defaults)
        assert wide.count_params() > narrow.count_params()
