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


@pytest.mark.parametrize("shape", [(30, 30, 1), (12, 12, 1)])
def test_atl_lenet_rejects_sizes_it_cannot_mirror(shape):
    with pytest.raises(ValueError, match="multiples of 4"):
        models.load("atl_lenet", input_shape=shape)


@pytest.mark.parametrize("overrides,message", [
    ({"input_shape": (28, 28)}, "input_shape of atl_lenet is \\(height, width, channels\\)"),
    ({"input_shape": (28, 0, 1)}, "three positive whole numbers"),
    ({"num_classes": 0}, "num_classes of atl_lenet is a whole number of at least 2, got 0"),
    ({"num_classes": 2.5}, "num_classes of atl_lenet is a whole number"),
    ({"num_class": 3}, "atl_lenet takes no argument 'num_class'"),
])
def test_builder_errors_name_the_argument(overrides, message):
    with pytest.raises(ValueError, match=message):
        models.load("atl_lenet", **overrides)
    for name in models.available():  # every builder shares the checks
        if "num_classes" in overrides and not models.registry.spec(name).takes_num_classes:
            continue
        with pytest.raises(ValueError, match=message.replace("atl_lenet", name)):
            models.load(name, **overrides)


def test_names_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="already registered"):
        models.register("atl_lenet", "duplicate")(lambda: None)
