"""All-or-nothing writes: a write that fails halfway leaves the previous file or folder as it was and no
partial file under the real name."""

import errno
import os

import keras
import pytest

from keras_jointcomp import files, models


def _full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def _siblings(folder):
    return sorted(os.listdir(folder))


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path):
    path = tmp_path / "results.json"
    path.write_text("previous")
    with pytest.raises(OSError):
        with files.atomic_write(path) as file:
            file.write("half of the new")
            _full_disk()
    assert path.read_text() == "previous" and _siblings(tmp_path) == ["results.json"]
    files.write_text(path, "new")
    assert path.read_text() == "new" and _siblings(tmp_path) == ["results.json"]


def test_a_model_save_that_fails_halfway_keeps_the_old_model_file(tmp_path, monkeypatch):
    path = models.save_model(models.load("atl_lenet"), tmp_path / "m.keras")
    before = open(path, "rb").read()

    def half_a_zip(self, filepath, *args, **kwargs):
        with open(filepath, "wb") as file:
            file.write(before[: len(before) // 2])
        _full_disk()

    monkeypatch.setattr(keras.Model, "save", half_a_zip)
    with pytest.raises(OSError, match="No space left"):
        models.save_model(models.load("atl_lenet"), path, overwrite=True)
    assert open(path, "rb").read() == before and _siblings(tmp_path) == ["m.keras"]


def test_a_folder_is_replaced_whole_or_not_at_all(tmp_path):
    folder = tmp_path / "decoded"
    folder.mkdir()
    for name in ("image_00000.png", "image_00001.png", "labels.json"):
        (folder / name).write_text("old")
    with pytest.raises(OSError):
        with files.atomic_directory(folder) as new:
            (tmp_path / new / "image_00000.png").write_text("new")
            _full_disk()
    assert _siblings(folder) == ["image_00000.png", "image_00001.png", "labels.json"]
    assert _siblings(tmp_path) == ["decoded"]
    with files.atomic_directory(folder) as new:
        open(os.path.join(new, "image_00000.png"), "w").write("new")
    assert _siblings(folder) == ["image_00000.png"]  # no stale files of the earlier run
    assert (folder / "image_00000.png").read_text() == "new" and _siblings(tmp_path) == ["decoded"]


def test_outputs_that_cannot_be_written_are_named(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(files.OutputPathError, match="is a file, not a folder"):
        files.check_writable(blocker / "out.keras")
    files.check_writable(tmp_path / "new" / "deeper" / "out.keras")  # missing folders are fine
