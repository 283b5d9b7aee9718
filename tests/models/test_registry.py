import pytest

from keras_jointcomp import models


def test_available_lists_names_with_descriptions():
    listing = models.available()
    assert "atl_lenet" in listing
    assert all(isinstance(text, str) and text for text in listing.values())


def test_unknown_name_lists_the_available_ones():
    with pytest.raises(models.UnknownModelError, match="available models: .*atl_lenet"):
        models.load("no_such_model")


def test_overrides_reach_the_builder():
    model = models.load("atl_lenet", input_shape=(32, 32, 3), num_classes=5)
    assert model.input_shape == (None, 32, 32, 3)
    assert model.decoder.output_shape == (None, 32, 32, 3)
    assert model.num_classes == 5


@pytest.mark.parametrize("shape", [(30, 30, 1), (28, 28), (12, 12, 1)])
def test_atl_lenet_rejects_sizes_it_cannot_mirror(shape):
    with pytest.raises(ValueError, match="multiples of 4"):
        models.load("atl_lenet", input_shape=shape)


def test_names_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="already registered"):
        models.register("atl_lenet", "duplicate")(lambda: None)
