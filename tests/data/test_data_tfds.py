"""The TensorFlow Datasets fallback, exercised offline with `tfds.testing.mock_data`.

Every test here points TFDS's default data directory at an empty temporary folder, so a developer's
`~/tensorflow_datasets` can neither help nor be written to.
"""

import os
import sys
import time

import numpy as np
import pytest

from keras_jointcomp import data
from keras_jointcomp.data import tfds_source

tfds = pytest.importorskip("tensorflow_datasets")


@pytest.fixture(autouse=True)
def tfds_data_dir(tmp_path, monkeypatch):
    """An empty folder (not yet created) as TFDS's default data dir.

    TFDS reads `$TFDS_DATA_DIR` once, at import, into `tfds.core.constants.DATA_DIR`; setting only the
    variable inside a test would be ignored once an earlier test imported TFDS, so both are set.
    """
    path = tmp_path / "tfds"
    monkeypatch.setenv("TFDS_DATA_DIR", str(path))
    monkeypatch.setattr(tfds.core.constants, "DATA_DIR", str(path))
    return path


def _all_paths(root):
    """Every file and folder under `root` (empty when `root` does not exist)."""
    return sorted(os.path.join(folder, entry) for folder, subfolders, files in os.walk(root)
                  for entry in subfolders + files)


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
        data.load("cifar100", "train", data_dir=tmp_path, download=True)
    message = str(caught.value)
    assert "\n" not in message
    assert "'cifar100'" in message and f"{tmp_path}/ (cifar100.npz, " in message
    assert "TFDS" in message and "ConnectionError: no network at all" in message and "online" in message
    assert isinstance(caught.value.__cause__, ConnectionError)


def test_tfds_not_installed_becomes_not_found(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)  # makes the import fail
    with pytest.raises(data.DatasetNotFoundError, match="kmnist.*TFDS") as caught:
        data.load("kmnist", "test", data_dir=tmp_path)
    assert isinstance(caught.value.__cause__, ImportError)


def test_missing_tfds_data_set_fails_at_once_with_one_line(tmp_path, tfds_data_dir):
    tfds.builder("mnist", data_dir=tmp_path / "warm-up")  # pay TFDS's lazy imports before timing
    (tmp_path / "local").mkdir()
    start = time.monotonic()
    with pytest.raises(data.DatasetNotFoundError) as caught:
        data.load("kmnist", "test", data_dir=tmp_path / "local")  # download=False is the default
    elapsed = time.monotonic() - start
    assert elapsed < 5, f"a missing data set took {elapsed:.1f} s to report"
    message = str(caught.value)
    assert "\n" not in message
    assert f"{tmp_path / 'local'}/ (kmnist.npz, " in message  # the local places searched ...
    assert str(tfds_data_dir / "kmnist") in message and "not prepared" in message  # ... and TFDS's
    assert "--data-dir" in message and "JOINTCOMP_DATA_DIR" in message
    assert "--download" in message and "download=True" in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__  # no buried traceback


def test_failed_load_without_download_leaves_no_folders(tmp_path, tfds_data_dir):
    tfds_data_dir.mkdir()
    (tfds_data_dir / "mnist").mkdir()  # someone else's data set: must survive untouched
    before = _all_paths(tmp_path)
    with pytest.raises(data.DatasetNotFoundError):
        data.load("cifar10", "train", data_dir=tmp_path / "local")
    assert _all_paths(tmp_path) == before


def test_failed_load_without_download_creates_no_tfds_data_dir(tmp_path, tfds_data_dir):
    with pytest.raises(data.DatasetNotFoundError):
        data.load("fashion_mnist", "test")
    assert not tfds_data_dir.exists()


def test_download_flag_is_passed_to_tfds(tmp_path, monkeypatch):
    calls = []
    original_load = tfds.load

    def recording_load(*args, **kwargs):
        calls.append(kwargs.get("download"))
        return original_load(*args, **kwargs)

    monkeypatch.setattr(tfds, "load", recording_load)
    with tfds.testing.mock_data(num_examples=4):  # mocked download_and_prepare does nothing
        assert len(data.load("kmnist", "test", data_dir=tmp_path, download=True).labels) == 4
        assert len(data.load("kmnist", "test", data_dir=tmp_path).labels) == 4
    assert calls == [True, False]
