"""One input contract everywhere: uint8 images 0..255 (what `data.load` returns) and float images in [0, 1]
made from them (x / 255) give the same results in the model's call, `predict`, `encode`, the single-task
networks, `evaluate`, `robustness`, `data.batches` and the codec; wrong images and labels are refused."""

import keras
import numpy as np
import pytest
from keras import ops

from keras_jointcomp import codec, data, models
from keras_jointcomp.evaluation import evaluate, robustness
from tests.conftest import tiny_images

TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def model():
    """A tiny atl_lenet whose encoder kernels are scaled up so that its symbols span several levels."""
    keras.utils.set_random_seed(0)
    model = models.load("atl_lenet")
    for weight in model.encoder.weights:
        weight.assign(ops.convert_to_numpy(weight) * 10.0)
    return model


@pytest.fixture(scope="module")
def images():
    return tiny_images(8, seed=5)


def _numpy(outputs):
    return {key: ops.convert_to_numpy(value) for key, value in outputs.items()}


def _assert_same(actual, expected):
    assert sorted(actual) == sorted(expected)
    for key in expected:
        np.testing.assert_allclose(actual[key], expected[key], rtol=0, atol=TOLERANCE, err_msg=key)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_call_predict_and_encode_give_the_same_on_uint8_and_its_floats(model, images, dtype):
    x = images[0]
    floats = (x / 255).astype(dtype)
    _assert_same(_numpy(model(x)), _numpy(model(floats)))
    _assert_same(model.predict(x, verbose=0), model.predict(floats, verbose=0))
    symbols = ops.convert_to_numpy(model.encode(x))
    assert symbols.dtype == np.int32 and len(np.unique(symbols)) > 2
    np.testing.assert_array_equal(symbols, ops.convert_to_numpy(model.encode(floats)))
    # The uint8 path is the float path: the same numbers the model gave on floats before the contract.
    _assert_same(_numpy(model(x)), _numpy(model(data.to_float(x))))


def test_encode_of_backend_tensors_scales_uint8_too(model, images):
    x = images[0]
    np.testing.assert_array_equal(ops.convert_to_numpy(model.encode(ops.convert_to_tensor(x))),
                                  ops.convert_to_numpy(model.encode(x / 255)))


def test_single_task_networks_take_the_same_images(model, images):
    x = images[0]
    for network in (model.autoencoder(), model.classification_network(), model.bottleneck_network()):
        np.testing.assert_allclose(ops.convert_to_numpy(network(x)), ops.convert_to_numpy(network(x / 255)),
                                   atol=TOLERANCE, err_msg=network.name)
        np.testing.assert_allclose(network.predict(x, verbose=0), network.predict(x / 255, verbose=0),
                                   atol=TOLERANCE, err_msg=network.name)
    np.testing.assert_allclose(ops.convert_to_numpy(model.classification_network()(x)),
                               ops.convert_to_numpy(model(x)["logits"]), atol=1e-5)


def test_encode_refuses_images_that_break_the_contract(model, images):
    x = images[0]
    with pytest.raises(data.ImageInputError, match=r"got max 255.0\); pass uint8 0..255 or divide by 255"):
        model.encode(x.astype("float32"))
    with pytest.raises(data.ImageInputError, match="do not fit model 'atl_lenet'"):
        model.encode(tiny_images(2, shape=(32, 32, 3))[0])
    with pytest.raises(data.ImageInputError, match=r"images\[None\]"):
        model.encode(x[0])


def test_a_saved_model_loads_and_takes_uint8_images(model, images, tmp_path):
    """The scaling is code in `call`, not a layer: the saved config is the one older files have, and a
    reloaded model scales uint8 images the same way."""
    x = images[0]
    path = models.save_model(model, tmp_path / "m.keras")
    reloaded = models.load_model(path)
    assert [layer.name for layer in reloaded.layers] == [layer.name for layer in model.layers]
    _assert_same(_numpy(reloaded(x)), _numpy(model(x / 255)))
    np.testing.assert_array_equal(ops.convert_to_numpy(reloaded.encode(x)), ops.convert_to_numpy(model.encode(x)))


def test_evaluate_gives_the_same_on_floats(model, images):
    x, y = images
    expected = evaluate(model, x, y)
    assert evaluate(model, x / 255, y) == expected
    assert evaluate(model, (x / 255).astype("float32"), y) == expected
    assert evaluate(model, x.astype("int64"), y.astype("int32")) == expected


def test_robustness_gives_the_same_on_floats(model, images):
    x, y = images
    assert robustness(model, x / 255, y) == robustness(model, x, y)


def test_evaluate_refuses_bad_images_and_labels_instead_of_scoring(model, images):
    x, y = images
    with pytest.raises(data.ImageInputError, match=r"labels\[3\] is 10; class indices must be within 0..9"):
        evaluate(model, x, np.where(np.arange(len(y)) == 3, 10, y))
    with pytest.raises(data.ImageInputError, match="dtype float64; labels must be integer class indices"):
        evaluate(model, x, y.astype("float64"))
    with pytest.raises(data.ImageInputError, match="7 labels for 8 images"):
        evaluate(model, x, y[:7])
    with pytest.raises(data.ImageInputError, match="got max 255.0"):
        evaluate(model, x.astype("float32"), y)


@pytest.mark.parametrize("labels", ["labels", "images", None])
def test_batches_of_floats_equal_batches_of_uint8(images, labels):
    x, y = images
    targets = y if labels == "labels" else labels
    from_uint8 = data.batches(x, targets, batch_size=3, shuffle=True, seed=1)
    from_floats = data.batches(x / 255, targets, batch_size=3, shuffle=True, seed=1)
    assert from_floats.images.dtype == np.uint8 and len(from_floats) == len(from_uint8) == 3
    for index in range(len(from_uint8)):
        for a, b in zip(_flat(from_uint8[index]), _flat(from_floats[index])):
            np.testing.assert_array_equal(a, b)


def _flat(batch):
    return batch if isinstance(batch, tuple) else (batch,)


def test_batches_refuse_floats_outside_the_unit_range(images):
    with pytest.raises(ValueError, match="divide by 255"):
        data.batches(images[0].astype("float32"))


@pytest.mark.parametrize("step_scale", [1.0, 2.0])
def test_codec_compresses_floats_like_the_uint8_images(model, images, step_scale):
    keras.utils.set_random_seed(0)
    coded = models.JointModel(encoder=model.encoder, quantizer=model.quantizer, decoder=model.decoder,
                              classifier=model.classifier)
    coded.entropy_coding = codec.fit_entropy_coding(coded, tiny_images(32, seed=3)[0], step_scales=[1, 2])
    latent_codec = codec.LatentCodec(coded, step_scale)
    x = images[0]
    streams = latent_codec.compress(x)
    assert latent_codec.compress(x / 255) == streams
    assert latent_codec.compress((x / 255).astype("float32")) == streams
    np.testing.assert_array_equal(latent_codec.symbols(x / 255), latent_codec.symbols(x))
    with pytest.raises(data.ImageInputError, match="divide by 255"):
        latent_codec.compress(x.astype("float32"))


def test_decode_and_classify_check_numpy_latents():
    model = models.load("atl_lenet")
    symbols = ops.convert_to_numpy(model.encode(np.zeros((2, 28, 28, 1), np.uint8)))
    assert tuple(model.classify(symbols).shape) == (2, 10)
    with pytest.raises(ValueError, match=r"symbols for 'atl_lenet' lie in 0..15, got 16 at index \(0, 0, 0, 0\)"):
        model.decode(np.full_like(symbols, 16))
    with pytest.raises(ValueError, match="symbols for 'atl_lenet' are integers 0..15"):
        model.classify(symbols.astype("float32") + 0.5)
    with pytest.raises(ValueError, match=r"latents for 'atl_lenet' have shape \(N, 5, 5, 16\), got \(2, 4, 4, 16\)"):
        model.decode(symbols[:, :4, :4])
    floating = models.load("cifar_mlp_ae")
    latents = ops.convert_to_numpy(floating.encode(np.zeros((2, 32, 32, 3), np.uint8)))
    floating.decode(latents)
    with pytest.raises(ValueError, match="hold NaN or inf"):
        floating.decode(np.full_like(latents, np.nan))
