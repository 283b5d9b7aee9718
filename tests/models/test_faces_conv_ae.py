import keras
import numpy as np
import pytest
from keras import layers, ops

from keras_jointcomp import data, models, training
from keras_jointcomp.layers import LatentMask
from keras_jointcomp.layers.mean_image import RemoveMeanImage, RestoreMeanImage
from keras_jointcomp.models.faces_conv_ae import MeanCentredJointModel
from keras_jointcomp.training import pruning


def _numpy(tensor):
    return ops.convert_to_numpy(tensor)


def _scaling_model(scale, momentum=0.99, shape=(4, 4, 1)):
    """Encoder x - m, decoder scale * z + m: the mean-image maths with nothing else in the way."""
    encoder = keras.Sequential([keras.Input(shape), RemoveMeanImage()], name="encoder")
    decoder = keras.Sequential([keras.Input(shape), layers.Rescaling(scale), RestoreMeanImage()], name="decoder")
    return MeanCentredJointModel(encoder=encoder, decoder=decoder, mean_momentum=momentum)


def test_the_study_architecture_has_a_128_value_latent_and_no_classifier():
    model = models.load("faces_conv_ae")
    assert "faces_conv_ae" in models.available()
    assert model.latent_shape == (2, 2, 32) and model.active_latent_units == 128
    assert set(model.parts) == {"encoder", "decoder"} and model.num_classes is None
    assert isinstance(model.encoder.layers[-1], LatentMask)
    assert model.decoder.output_shape == (None, 30, 32, 1)
    channels = [layer.filters for layer in model.encoder.layers[0].layers if hasattr(layer, "filters")]
    assert channels == [256, 32]
    transposed = [layer for layer in model.decoder.layers if isinstance(layer, layers.Conv2DTranspose)]
    assert [layer.filters for layer in transposed] == [256, 32, 1]
    assert transposed[-1].activation is keras.activations.tanh
    small = models.load("faces_conv_ae", hidden_channels=4)
    images = np.random.default_rng(0).uniform(size=(3, 30, 32, 1)).astype("float32")
    assert tuple(small(images)["reconstruction"].shape) == (3, 30, 32, 1)
    assert tuple(_numpy(small.encode(images)).shape) == (3, 2, 2, 32)


def test_square_inputs_need_no_padding_and_larger_ones_are_refused():
    model = models.load("faces_conv_ae", input_shape=(32, 32, 1), hidden_channels=4, latent_mask=False)
    assert tuple(model(np.zeros((1, 32, 32, 1), "float32"))["reconstruction"].shape) == (1, 32, 32, 1)
    assert model.latent_shape == (2, 2, 32)
    with pytest.raises(ValueError, match="at most 32x32"):
        models.load("faces_conv_ae", input_shape=(33, 32, 1))


def test_inference_removes_and_restores_the_stored_mean():
    model = _scaling_model(2.0)
    rng = np.random.default_rng(1)
    images = rng.uniform(size=(5, 4, 4, 1)).astype("float32")
    stored = rng.uniform(size=(4, 4, 1)).astype("float32")
    model.set_mean_image(stored)
    expected = stored + 2.0 * (images - stored)
    np.testing.assert_allclose(_numpy(model(images)["reconstruction"]), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_numpy(model.encode(images)), images - stored, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.mean_image, stored)  # inference leaves the stored mean alone


def test_training_removes_the_batch_mean_and_updates_the_running_mean():
    model = _scaling_model(2.0, momentum=0.75)
    rng = np.random.default_rng(2)
    images = rng.uniform(size=(6, 4, 4, 1)).astype("float32")
    stored = rng.uniform(size=(4, 4, 1)).astype("float32")
    model.set_mean_image(stored)
    batch_mean = images.mean(axis=0)
    output = _numpy(model(images, training=True)["reconstruction"])
    np.testing.assert_allclose(output, batch_mean + 2.0 * (images - batch_mean), rtol=1e-5, atol=1e-6)
    running = 0.75 * stored + 0.25 * batch_mean
    remove, restore = model.mean_layers()
    np.testing.assert_allclose(_numpy(remove.mean), running, rtol=1e-5)
    np.testing.assert_allclose(_numpy(restore.mean), running, rtol=1e-5)
    # A decoder that outputs nothing reconstructs every image as the batch's mean in training.
    zero = _scaling_model(0.0)
    np.testing.assert_allclose(_numpy(zero(images, training=True)["reconstruction"]),
                               np.broadcast_to(batch_mean, images.shape), rtol=1e-5, atol=1e-6)


def test_fit_keeps_both_stored_means_at_the_training_batches_mean():
    model = models.load("faces_conv_ae", hidden_channels=4, mean_momentum=0.0)
    images = np.random.default_rng(3).integers(0, 256, size=(12, 30, 32, 1), dtype=np.uint8)
    runner = training.PhaseRunner(model, training.TrainingConfig(batch_size=12, reconstruction_loss="l1",
                                                                 verbose=0))
    history = runner.run(training.Phase("ae", "joint", ("encoder", "decoder"), 1), images, np.zeros(12, int))
    assert np.isfinite(history.history["loss"]).all()
    remove, restore = model.mean_layers()
    np.testing.assert_allclose(_numpy(remove.mean), data.to_float(images).mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_numpy(restore.mean), _numpy(remove.mean))


def test_keras_round_trip_keeps_the_mask_and_the_stored_mean(tmp_path):
    model = models.load("faces_conv_ae", hidden_channels=4, mean_momentum=0.9)
    rng = np.random.default_rng(4)
    model.set_mean_image(rng.uniform(size=(30, 32, 1)))
    pruning.remove_unit(model, 5)
    pruning.remove_unit(model, 77)
    images = rng.uniform(size=(2, 30, 32, 1)).astype("float32")
    path = models.save_model(model, tmp_path / "faces.keras")
    loaded = models.load_model(path)
    assert isinstance(loaded, MeanCentredJointModel) and loaded.mean_momentum == 0.9
    assert loaded.active_latent_units == 126 and loaded.bytes_per_image == 126 * 4  # float32 entries kept
    mask = _numpy(loaded.encoder.layers[-1].mask).reshape(-1)
    assert mask[5] == 0 and mask[77] == 0 and mask.sum() == 126
    np.testing.assert_allclose(loaded.mean_image, model.mean_image)
    np.testing.assert_allclose(_numpy(loaded.mean_layers()[1].mean), model.mean_image)
    np.testing.assert_allclose(_numpy(loaded(images)["reconstruction"]), _numpy(model(images)["reconstruction"]),
                               rtol=1e-5, atol=1e-6)
    latent = _numpy(loaded.encode(images)).reshape(2, -1)
    assert (latent[:, [5, 77]] == 0).all()


def test_a_mean_centred_model_needs_the_mean_layer_pair():
    encoder = keras.Sequential([keras.Input((4, 4, 1)), layers.Identity()])
    decoder = keras.Sequential([keras.Input((4, 4, 1)), RestoreMeanImage()])
    with pytest.raises(ValueError, match="RemoveMeanImage"):
        MeanCentredJointModel(encoder=encoder, decoder=decoder)
