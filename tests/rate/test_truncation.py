import numpy as np
import pytest
from keras import ops

from keras_jointcomp import models, rate, training
from keras_jointcomp.layers import LatentMask
from tests.conftest import tiny_images


def _model():
    return models.load("ldr_resnet_small", width=0.125, latent_dim=8, feature_dim=4, hidden_units=8)


def test_truncation_zeroes_the_last_entries_and_shares_the_weights():
    model = _model()
    truncated = rate.truncate_latent(model, 3)
    images = np.random.default_rng(0).random((4, 32, 32, 3)).astype("float32")
    full, cut = ops.convert_to_numpy(model.encode(images)), ops.convert_to_numpy(truncated.encode(images))
    np.testing.assert_allclose(cut[:, :3], full[:, :3], atol=1e-6)
    assert not cut[:, 3:].any()
    assert truncated.active_latent_units == 3 and model.active_latent_units == 8
    assert truncated.bytes_per_image == 3 * 4 and model.bytes_per_image == 8 * 4  # float32 entries sent
    assert truncated.classifier is model.classifier and truncated.side_branch is model.side_branch
    again = rate.truncate_latent(truncated, 2)  # replaces the mask instead of stacking another
    assert again.active_latent_units == 2 and len(again.encoder.layers) == 2


def test_a_truncated_model_fine_tunes_and_reloads_with_its_mask(tmp_path):
    truncated = rate.truncate_latent(_model(), 4)
    images, labels = tiny_images(16, (32, 32, 3), num_classes=4)
    config = training.TrainingConfig(batch_size=8, verbose=0)
    training.get_recipe("ce-t")(truncated, (images, labels), 1, config)
    assert truncated.active_latent_units == 4  # training leaves the mask alone
    restored = models.load_model(models.save_model(truncated, tmp_path / "t.keras"))
    assert restored.active_latent_units == 4
    x = images.astype("float32") / 255
    np.testing.assert_allclose(ops.convert_to_numpy(restored.predict(x, verbose=0)["logits"]),
                               ops.convert_to_numpy(truncated.predict(x, verbose=0)["logits"]), atol=1e-5)


def test_bad_masks_and_sizes_are_named():
    with pytest.raises(ValueError, match="keep must lie in 1..8"):
        rate.truncate_latent(_model(), 9)
    with pytest.raises(ValueError, match="only 0"):
        LatentMask([0.5, 1.0])
    with pytest.raises(ValueError, match="does not fit"):
        LatentMask([1.0, 0.0])(np.zeros((2, 3), "float32"))
