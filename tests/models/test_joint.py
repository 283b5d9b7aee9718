import keras
import numpy as np
import pytest
from keras import ops

from keras_jointcomp.layers import RoundingQuantizer
from keras_jointcomp.models import JointModel, load


def _float_images(n=4, shape=(28, 28, 1), seed=0):
    return np.random.default_rng(seed).random((n, *shape)).astype("float32")


def _to_numpy(tensors):
    return {key: ops.convert_to_numpy(value) for key, value in tensors.items()}


def test_call_returns_reconstruction_and_logits():
    model = load("atl_lenet")
    outputs = model(_float_images())
    assert set(outputs) == {"reconstruction", "logits"}
    assert tuple(outputs["reconstruction"].shape) == (4, 28, 28, 1)
    assert tuple(outputs["logits"].shape) == (4, 10)


def test_encode_gives_integer_symbols_that_decode_and_classify_like_the_call():
    keras.utils.set_random_seed(0)
    model = load("atl_lenet")
    # Scale the compressor's kernels up so the latent spans the whole 0..15 range, clipping included.
    for weight in model.encoder.weights:
        weight.assign(ops.convert_to_numpy(weight) * 10.0)
    images = _float_images(8)
    symbols = ops.convert_to_numpy(model.encode(images))
    assert symbols.dtype == np.int32 and symbols.shape == (8, 5, 5, 16)
    assert symbols.min() >= 0 and symbols.max() == 15
    outputs = _to_numpy(model(images))
    np.testing.assert_allclose(ops.convert_to_numpy(model.decode(symbols)), outputs["reconstruction"], atol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(model.classify(symbols)), outputs["logits"], atol=1e-5)


def test_single_task_networks_share_the_layer_objects():
    model = load("atl_lenet")
    autoencoder, classifier = model.autoencoder(), model.classification_network()
    joint_ids = {id(v) for v in model.weights}
    assert {id(v) for v in autoencoder.weights} <= joint_ids
    assert {id(v) for v in classifier.weights} <= joint_ids
    images = _float_images()
    np.testing.assert_allclose(ops.convert_to_numpy(classifier(images)),
                               ops.convert_to_numpy(model(images)["logits"]), atol=1e-6)


def test_rate_properties_of_atl_lenet():
    model = load("atl_lenet")
    assert model.latent_shape == (5, 5, 16)
    assert model.bits_per_element == 4
    assert model.bytes_per_image == 200
    assert model.compression_ratio == pytest.approx(3.92)
    assert model.num_classes == 10
    assert set(model.parts) == {"encoder", "quantizer", "decoder", "classifier"}


def test_a_model_of_unbounded_symbols_has_no_fixed_length_size():
    model = load("factorized_mnist")  # an entropy bottleneck: only real streams say what an image costs
    assert model.bits_per_element is None
    assert model.bytes_per_image is None and model.compression_ratio is None


def test_models_with_one_head_and_no_quantizer():
    full = load("atl_lenet")
    autoencoder_only = JointModel(encoder=full.encoder, decoder=full.decoder)
    assert set(autoencoder_only(_float_images())) == {"reconstruction"}
    assert autoencoder_only.bits_per_element == 32  # an unquantized float latent
    with pytest.raises(ValueError, match="no part 'classifier'"):
        autoencoder_only.classification_network()
    with pytest.raises(ValueError, match="decoder, a classifier, or both"):
        JointModel(encoder=full.encoder)


def test_config_round_trip_rebuilds_the_same_architecture():
    model = load("atl_lenet", input_shape=(32, 32, 3), num_bits=3, num_classes=4)
    restored = JointModel.from_config(model.get_config())
    assert restored.latent_shape == (6, 6, 16)
    assert isinstance(restored.quantizer, RoundingQuantizer) and restored.quantizer.num_bits == 3
    assert restored.num_classes == 4
    assert restored.count_params() == model.count_params()
    restored.set_weights(model.get_weights())
    images = _float_images(2, (32, 32, 3))
    np.testing.assert_allclose(_to_numpy(restored(images))["logits"], _to_numpy(model(images))["logits"], atol=1e-6)


def test_keras_sees_a_functional_model_of_the_parts():
    model = load("atl_lenet")
    assert isinstance(model, keras.Model)
    assert {layer.name for layer in model.layers} == {"images", "compressor", "rounding", "decompressor",
                                                     "classifier"}


def test_replace_keeps_the_class_every_field_and_the_unchanged_parts():
    faces = load("faces_conv_ae", mean_momentum=0.9)
    again = faces.replace(name="renamed")
    assert type(again) is type(faces) and again.mean_momentum == 0.9 and again.name == "renamed"
    assert again.encoder is faces.encoder and again.decoder is faces.decoder
    lenet = load("atl_lenet")
    coarse = lenet.replace(quantizer=RoundingQuantizer(num_bits=2))
    assert coarse.quantizer.num_bits == 2 and coarse.classifier is lenet.classifier
    assert coarse.classifier_input == lenet.classifier_input and coarse.name == lenet.name
    with pytest.raises(ValueError, match="JointModel.replace takes .*; got colour"):
        lenet.replace(colour="red")
