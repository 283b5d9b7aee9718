"""The TensorFlow Datasets fallback, exercised offline with `tfds.testing.mock_data`."""

import sys

import numpy as np
import pytest

from keras_jointcomp import data
from keras_jointcomp.data import tfds_source

tfds = pytest.importorskip("tensorflow_datasets")


@pytest.mark.parametrize(
    "name, shape",
    [("mnist", (28, 28, 1)), ("kmnist", (28, 28, 1)), ("cifar100", (32, 32, 3))],
)
def test_tfds_fallback_with_mock_data(tmp_path, name, shape):
    with tfds.testing.mock_data(num_examples=8):
        images, labels = data.load(name, "test", data_dir=tmp_path)  # empty folder: falls through to TFDS
    assert images.shape == (8, *shape) and images.dtype == np.uint8
    assert labels.shape == (8,) and labels.dtype == np.int64


def test_local_copy_beats_tfds(tmp_path, monkeypatch):
    def must_not_call(*args, **kwargs):
        raise AssertionError("TFDS was asked although a local copy exists")

    monkeypatch.setattr(tfds_source, "load_tfds", must_not_call)
    np.savez(tmp_path / "kmnist.npz", x_test=np.zeros((3, 28, 28), np.uint8), y_test=np.zeros(3, int))
    assert data.load("kmnist", "test", data_dir=tmp_path).images.shape == (3, 28, 28, 1)


def test_tfds_failure_becomes_not_found_with_cause(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise ConnectionError("no network\nat all")

    monkeypatch.setattr(tfds_source, "load_tfds", offline)
    with pytest.raises(data.DatasetNotFoundError) as caught:
        data.load("cifar100", "train", data_dir=tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    assert "'cifar100'" in message and str(tmp_path / "cifar100.npz") in message
    assert "TFDS" in message and "ConnectionError: no network at all" in message and "online" in message
    assert isinstance(caught.value.__cause__, ConnectionError)


def test_tfds_not_installed_becomes_not_found(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)  # makes the import fail
    with pytest.raises(data.DatasetNotFoundError, match="kmnist.*TFDS") as caught:
        data.load("kmnist", "test", data_dir=tmp_path)
    assert isinstance(caught.value.__cause__, ImportError)


def test_offline_switch_stops_downloads_at_once(tmp_path, monkeypatch):
    import time

    from keras_jointcomp import data

    monkeypatch.setenv("JOINTCOMP_OFFLINE", "1")
    monkeypatch.setenv("TFDS_DATA_DIR", str(tmp_path / "tfds"))
    start = time.perf_counter()
    with pytest.raises(data.DatasetNotFoundError, match="kmnist.*TFDS"):
        data.load("kmnist", "test", data_dir=tmp_path)
    assert time.perf_counter() - start < 30
