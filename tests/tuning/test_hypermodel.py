import keras
import keras_tuner
import numpy as np
import pytest

from keras_jointcomp.models import JointModel
from keras_jointcomp.training import TrainingConfig
from keras_jointcomp.tuning import ZooHyperModel, generic, latent_screening
from tests.conftest import tiny_images


def _hp(space, **values):
    hp = keras_tuner.HyperParameters()
    space(hp)
    hp.values.update(values)
    return hp


def _screening(**kwargs):
    return ZooHyperModel("ldr_resnet_small", latent_screening((8, 16), fixed={"width": 0.125}),
                         input_shape=(32, 32, 3), num_classes=10, config=TrainingConfig(verbose=0), **kwargs)


class _CountBatches(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1


def test_classifier_network_follows_the_hyperparameters():
    hypermodel = _screening()
    hp = _hp(hypermodel.space, latent_dim=16)
    network = hypermodel.build(hp)
    joint = hypermodel.joint_model(network)
    assert isinstance(joint, JointModel) and not isinstance(network, JointModel)
    assert joint.latent_shape == (16,) and joint.bytes_per_image == 64
    assert network.output_shape == (None, 10)  # image -> logits only: the side branch is detached
    assert {layer.name for layer in network.layers} >= {"encoder", "classifier"}
    assert "side_branch" not in {layer.name for layer in network.layers}
    assert hypermodel.objective.name == "val_accuracy" and hypermodel.objective.direction == "max"


def test_learning_rate_and_loss_weights_reach_the_compiled_joint_network():
    hypermodel = ZooHyperModel("atl_lenet", generic("atl_lenet", "joint"), network="joint",
                               config=TrainingConfig(verbose=0))
    hp = _hp(hypermodel.space, learning_rate=3e-3, reconstruction_weight=2.5, num_bits=3)
    network = hypermodel.build(hp)
    assert isinstance(network, JointModel) and hypermodel.joint_model(network) is network
    assert network.quantizer.num_bits == 3
    assert float(keras.ops.convert_to_numpy(network.optimizer.learning_rate)) == pytest.approx(3e-3)
    weights = network.get_compile_config()["loss_weights"]
    assert weights == {"reconstruction": 2.5, "logits": 1.0}
    assert hypermodel.objective.name == "val_logits_accuracy"


def test_fit_batches_uint8_images_at_the_hyperparameter_batch_size():
    hypermodel = ZooHyperModel("atl_lenet", generic("atl_lenet", "joint", knobs=("batch_size",)),
                               network="joint", num_classes=10, config=TrainingConfig(verbose=0), seed=0)
    hp = _hp(hypermodel.space, batch_size=32)
    images, labels = tiny_images(40)
    counter = _CountBatches()
    network = hypermodel.build(hp)
    history = hypermodel.fit(hp, network, images, labels, validation_data=(images[:8], labels[:8]), epochs=1,
                             callbacks=[counter])
    assert counter.batches == 2  # 40 images in batches of 32
    assert "val_logits_accuracy" in history.history and "val_reconstruction_psnr" in history.history
    accuracy = hypermodel.evaluate(hp, network, images[:8], labels[:8])[hypermodel.metric_name]
    assert 0.0 <= accuracy <= 1.0


def test_fit_needs_validation_data_and_known_networks():
    hypermodel = _screening()
    hp = _hp(hypermodel.space)
    images, labels = tiny_images(8, (32, 32, 3))
    with pytest.raises(ValueError, match="validation_data"):
        hypermodel.fit(hp, hypermodel.build(hp), images, labels, epochs=1)
    with pytest.raises(ValueError, match="network"):
        ZooHyperModel("atl_lenet", latent_screening(), network="autoencoder")
    with pytest.raises(ValueError, match="has no classifier"):
        ZooHyperModel("faces_conv_ae", generic("faces_conv_ae", knobs=())).build(keras_tuner.HyperParameters())
    with pytest.raises(ValueError, match="unknown model"):
        ZooHyperModel("no_such_model", latent_screening())
    with pytest.raises(ValueError, match="not built by this hypermodel"):
        hypermodel.joint_model(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))


def test_a_seed_makes_builds_repeat():
    hypermodel = _screening(seed=3)
    hp = _hp(hypermodel.space)
    first, second = (hypermodel.joint_model(hypermodel.build(hp)) for _ in range(2))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(first.encoder.weights[0]),
                                  keras.ops.convert_to_numpy(second.encoder.weights[0]))
