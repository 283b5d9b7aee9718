"""Local sources of `load`: .npz archives, image folders, tarballs (with their cache), and the look-up."""

import io
import tarfile

import numpy as np
import pytest
from PIL import Image

from keras_jointcomp import data
from keras_jointcomp.data import tarball


def write_npz(path, num_train=6, num_test=4, shape=(5, 4), dtype=np.uint8, seed=0):
    """A tiny .npz with the Keras mnist.npz keys; labels 0..2, grayscale without a channel axis."""
    rng = np.random.default_rng(seed)
    np.savez(
        path,
        x_train=rng.integers(0, 256, (num_train, *shape)).astype(dtype),
        y_train=np.arange(num_train) % 3,
        x_test=rng.integers(0, 256, (num_test, *shape)).astype(dtype),
        y_test=np.arange(num_test) % 3,
    )
    return path


def png_bytes(value, size=(4, 3), mode="RGB"):
    """A PNG filled with one gray level `value`, `size` = (width, height)."""
    buffer = io.BytesIO()
    Image.new(mode, size, color=(value, value, value) if mode == "RGB" else value).save(buffer, "PNG")
    return buffer.getvalue()


# split -> class -> pixel values of its images; "bird" is missing from test on purpose.
TREE = {
    "train": {"cat": [10, 11], "bird": [20], "dog": [30, 31, 32]},
    "test": {"cat": [12], "dog": [33]},
}


def write_tree(root, tree=TREE):
    """Write `tree` as <root>/<split>/<class>/<i>.png."""
    for split, classes in tree.items():
        for class_name, values in classes.items():
            (root / split / class_name).mkdir(parents=True, exist_ok=True)
            for index, value in enumerate(values):
                (root / split / class_name / f"{index}.png").write_bytes(png_bytes(value))


def write_tarball(path, name, tree=TREE):
    """Write `tree` into a .tar.gz under `<name>/`."""
    with tarfile.open(path, "w:gz") as archive:
        for split, classes in tree.items():
            for class_name, values in classes.items():
                for index, value in enumerate(values):
                    content = png_bytes(value)
                    info = tarfile.TarInfo(f"{name}/{split}/{class_name}/{index}.png")
                    info.size = len(content)
                    archive.addfile(info, io.BytesIO(content))
    return path


def check_tree_result(loaded, split):
    """Labels follow sorted class names of both splits: bird 0, cat 1, dog 2."""
    images, labels = loaded
    assert images.dtype == np.uint8 and labels.dtype == np.int64
    if split == "train":
        assert images.shape == (6, 3, 4, 3)
        np.testing.assert_array_equal(labels, [0, 1, 1, 2, 2, 2])
        np.testing.assert_array_equal(images[:, 0, 0, 0], [20, 10, 11, 30, 31, 32])
    else:
        assert images.shape == (2, 3, 4, 3)
        np.testing.assert_array_equal(labels, [1, 2])
        np.testing.assert_array_equal(images[:, 0, 0, 0], [12, 33])


def test_npz_source_adds_channel_axis_and_casts_labels(tmp_path):
    write_npz(tmp_path / "toy.npz")
    loaded = data.load("toy", "test", data_dir=tmp_path)
    assert isinstance(loaded, data.LabeledImages)
    images, labels = loaded
    assert images.shape == (4, 5, 4, 1) and images.dtype == np.uint8
    assert labels.dtype == np.int64 and labels.tolist() == [0, 1, 2, 0]


def test_npz_integer_pixels_within_range_are_cast(tmp_path):
    write_npz(tmp_path / "toy.npz", dtype=np.int32)
    images, _ = data.load("toy", data_dir=tmp_path)
    assert images.dtype == np.uint8


def test_npz_float_images_are_refused_naming_dtype(tmp_path):
    write_npz(tmp_path / "toy.npz", dtype=np.float32)
    with pytest.raises(data.DatasetFormatError, match="float32"):
        data.load("toy", data_dir=tmp_path)


def test_npz_out_of_range_integers_are_refused(tmp_path):
    np.savez(tmp_path / "toy.npz", x_train=np.full((2, 3, 3), 300), y_train=np.zeros(2, int))
    with pytest.raises(data.DatasetFormatError, match="0..255"):
        data.load("toy", data_dir=tmp_path)


def test_npz_length_mismatch_is_refused(tmp_path):
    np.savez(tmp_path / "toy.npz", x_train=np.zeros((3, 2, 2), np.uint8), y_train=np.zeros(2, int))
    with pytest.raises(data.DatasetFormatError, match="3 images but 2 labels"):
        data.load("toy", data_dir=tmp_path)


def test_npz_missing_keys_are_named(tmp_path):
    np.savez(tmp_path / "toy.npz", x_train=np.zeros((2, 2, 2), np.uint8), y_train=np.zeros(2, int))
    with pytest.raises(data.DatasetFormatError, match="x_test"):
        data.load("toy", "test", data_dir=tmp_path)


@pytest.mark.parametrize("content", [b"this is not a zip archive", b"PK\x03\x04 truncated"])
def test_corrupt_npz_error_names_the_file(tmp_path, content):
    path = tmp_path / "toy.npz"
    path.write_bytes(content)
    with pytest.raises(data.DatasetFormatError, match="toy.npz"):
        data.load("toy", data_dir=tmp_path)


def test_truncated_npz_error_names_the_file(tmp_path):
    path = write_npz(tmp_path / "toy.npz")
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(data.DatasetFormatError, match="toy.npz"):
        data.load("toy", data_dir=tmp_path)


@pytest.mark.parametrize("split", ["train", "test"])
def test_image_folder_source(tmp_path, split):
    write_tree(tmp_path / "toy")
    check_tree_result(data.load("toy", split, data_dir=tmp_path), split)


def test_image_folder_grayscale_gets_channel_axis(tmp_path):
    folder = tmp_path / "toy" / "train" / "a"
    folder.mkdir(parents=True)
    (folder / "0.png").write_bytes(png_bytes(7, mode="L"))
    images, labels = data.load("toy", data_dir=tmp_path)
    assert images.shape == (1, 3, 4, 1) and labels.tolist() == [0]


def test_image_folder_mixed_sizes_are_refused(tmp_path):
    folder = tmp_path / "toy" / "train" / "a"
    folder.mkdir(parents=True)
    (folder / "0.png").write_bytes(png_bytes(7, size=(4, 3)))
    (folder / "1.png").write_bytes(png_bytes(7, size=(5, 3)))
    with pytest.raises(data.DatasetFormatError, match="share one size.*1.png"):
        data.load("toy", data_dir=tmp_path)


def test_image_folder_undecodable_image_is_named(tmp_path):
    folder = tmp_path / "toy" / "train" / "a"
    folder.mkdir(parents=True)
    (folder / "broken.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(data.DatasetFormatError, match="broken.jpg"):
        data.load("toy", data_dir=tmp_path)


@pytest.mark.parametrize("filename", ["toy.tar.gz", "toy_png.tar.gz"])
@pytest.mark.parametrize("split", ["train", "test"])
def test_tarball_source(tmp_path, filename, split):
    write_tarball(tmp_path / filename, "toy")
    check_tree_result(data.load("toy", split, data_dir=tmp_path), split)


def test_tarball_second_load_reads_the_cache(tmp_path, monkeypatch):
    write_tarball(tmp_path / "toy.tar.gz", "toy")
    first = data.load("toy", "train", data_dir=tmp_path)
    assert len(list((tmp_path / "cache").glob("toy.tar.gz.toy-train.*.npz"))) == 1

    def must_not_decode(*args):
        raise AssertionError("the tarball was decoded again despite the cache")

    monkeypatch.setattr(tarball, "decode_tarball", must_not_decode)
    second = data.load("toy", "train", data_dir=tmp_path)
    np.testing.assert_array_equal(first.images, second.images)
    np.testing.assert_array_equal(first.labels, second.labels)


def test_tarball_cache_is_invalidated_when_the_tarball_changes(tmp_path):
    path = write_tarball(tmp_path / "toy.tar.gz", "toy")
    data.load("toy", "train", data_dir=tmp_path)
    write_tarball(path, "toy", {"train": {"cat": [99]}})
    images, labels = data.load("toy", "train", data_dir=tmp_path)
    assert images.shape == (1, 3, 4, 3) and images[0, 0, 0, 0] == 99


def test_tarball_cache_dir_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("JOINTCOMP_CACHE_DIR", str(tmp_path / "elsewhere"))
    write_tarball(tmp_path / "toy.tar.gz", "toy")
    data.load("toy", "test", data_dir=tmp_path)
    assert list((tmp_path / "elsewhere").glob("*.npz"))
    assert not list(p for p in (tmp_path / "elsewhere").iterdir() if p.suffix == ".tmp")


def test_corrupt_tarball_error_names_the_file(tmp_path):
    path = write_tarball(tmp_path / "toy.tar.gz", "toy")
    path.write_bytes(path.read_bytes()[:60])
    with pytest.raises(data.DatasetFormatError, match="toy.tar.gz"):
        data.load("toy", data_dir=tmp_path)


def test_tarball_without_the_split_is_refused(tmp_path):
    write_tarball(tmp_path / "toy.tar.gz", "other_root")
    with pytest.raises(data.DatasetFormatError, match="no images under toy/train"):
        data.load("toy", data_dir=tmp_path)


def test_data_dir_beats_the_environment_variable(tmp_path, monkeypatch):
    (tmp_path / "argument").mkdir()
    (tmp_path / "variable").mkdir()
    write_npz(tmp_path / "argument" / "toy.npz", num_train=2)
    write_npz(tmp_path / "variable" / "toy.npz", num_train=7)
    monkeypatch.setenv("JOINTCOMP_DATA_DIR", str(tmp_path / "variable"))
    assert len(data.load("toy", data_dir=tmp_path / "argument").images) == 2
    assert len(data.load("toy").images) == 7
    # An argument directory without the data set falls through to the variable's.
    assert len(data.load("toy", data_dir=tmp_path).images) == 7


def test_npz_beats_image_folder_in_one_directory(tmp_path):
    write_tree(tmp_path / "toy")
    write_npz(tmp_path / "toy.npz", num_train=5)
    assert len(data.load("toy", data_dir=tmp_path).images) == 5


def test_not_found_error_names_dataset_paths_and_remedy(tmp_path, monkeypatch):
    (tmp_path / "variable").mkdir()
    (tmp_path / "argument").mkdir()
    monkeypatch.setenv("JOINTCOMP_DATA_DIR", str(tmp_path / "variable"))
    with pytest.raises(data.DatasetNotFoundError) as caught:
        data.load("cmu_faces", "train", data_dir=tmp_path / "argument")
    message = str(caught.value)
    assert isinstance(caught.value, FileNotFoundError)
    assert "\n" not in message
    assert "'cmu_faces'" in message
    for directory in ("argument", "variable"):
        assert (f"{tmp_path / directory}/ (cmu_faces.npz, cmu_faces/train/, cmu_faces.tar.gz, "
                f"cmu_faces_*.tar.gz)") in message
    assert "data_dir=" in message and "JOINTCOMP_DATA_DIR" in message
    assert "not a known name" not in message


def test_a_set_without_a_test_split_gets_a_fixed_stratified_one(tmp_path):
    # cmu_faces is published as one split: the loader holds out a fifth of each person, the same every time,
    # and reads the images from the archive's x_scaled (each PGM over its own maximum), not the raw x_train.
    rng = np.random.default_rng(0)
    scaled = rng.integers(0, 256, size=(40, 30, 32), dtype=np.uint8)
    person = np.arange(40) % 4
    np.savez(tmp_path / "cmu_faces.npz", x_scaled=scaled, x_train=scaled // 2, y_train=person,
             x_test=scaled[:0], y_test=person[:0])
    train = data.load("cmu_faces", "train", data_dir=tmp_path)
    test = data.load("cmu_faces", "test", data_dir=tmp_path)
    assert len(train.images) == 32 and np.bincount(test.labels).tolist() == [2] * 4
    rows = [int(np.flatnonzero((scaled == image[..., 0]).all(axis=(1, 2)))[0]) for image in test.images]
    assert sorted(rows) == rows and not set(rows) & {
        int(np.flatnonzero((scaled == image[..., 0]).all(axis=(1, 2)))[0]) for image in train.images}
    np.testing.assert_array_equal(data.load("cmu_faces", "test", data_dir=tmp_path).images, test.images)


def test_unknown_name_lists_the_known_ones(tmp_path):
    with pytest.raises(data.DatasetNotFoundError, match="not a known name.*cifar10.*mnist5k") as caught:
        data.load("no_such_set", data_dir=tmp_path)
    assert "no_such_set" in str(caught.value)


def test_any_name_found_locally_is_accepted(tmp_path):
    write_npz(tmp_path / "my_own_set.npz")
    assert len(data.load("my_own_set", data_dir=tmp_path).labels) == 6


@pytest.mark.parametrize("split", ["validation", "Train", None])
def test_bad_split_names_the_allowed_ones(tmp_path, split):
    with pytest.raises(ValueError, match="train, test"):
        data.load("mnist5k", split)


@pytest.mark.parametrize("name", ["", "../mnist", "a/b"])
def test_bad_names_are_refused(name):
    with pytest.raises(ValueError, match="name"):
        data.load(name)


def test_available_describes_every_known_name():
    names = data.available()
    assert set(names) == {"mnist5k", "mnist", "fashion_mnist", "kmnist", "cifar10", "cifar100", "cmu_faces"}
    assert all(isinstance(text, str) and text and "\n" not in text for text in names.values())
    assert data.OFFLINE_DEFAULT in names


def test_a_data_dir_that_is_not_a_folder_is_named(tmp_path, monkeypatch):
    from keras_jointcomp.data.errors import DatasetNotFoundError
    from keras_jointcomp.data.loading import load

    monkeypatch.delenv("JOINTCOMP_DATA_DIR", raising=False)
    with pytest.raises(DatasetNotFoundError, match=f"data_dir {tmp_path / 'missing'} is not a folder"):
        load("mnist5k", "test", data_dir=tmp_path / "missing")
    monkeypatch.setenv("JOINTCOMP_DATA_DIR", str(tmp_path / "gone"))
    with pytest.raises(DatasetNotFoundError, match="JOINTCOMP_DATA_DIR .*gone is not a folder"):
        load("mnist5k", "test")
