"""Nothing a user saved is lost: every writer of the command line, failing halfway (a full disk) or killed at
a random moment, leaves the previous file or folder byte-identical and no partial file under its name."""

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
import zipfile

import pytest

from keras_jointcomp import files
from tests.cli.conftest import run_cli as _run

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _snapshot(folder):
    """{relative path: bytes} of everything under ``folder``."""
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            found[os.path.relpath(path, folder)] = open(path, "rb").read()
    return found


def _fail_halfway(monkeypatch):
    """Every atomic file write raises ENOSPC after writing half of its content."""
    real_replace = os.replace

    def full_disk(source, target):
        if ".tmp-" in os.path.basename(str(source)):
            with open(source, "r+b") as file:
                file.truncate(os.path.getsize(source) // 2)
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", full_disk)


@pytest.mark.parametrize("command", ["fit-entropy", "compress", "decompress", "train"])
def test_a_full_disk_leaves_the_previous_output_untouched(command, model_file, tiny_data_dir, tmp_path, capsys,
                                                          monkeypatch):
    common = ["--dataset", "tiny", "--data-dir", tiny_data_dir]
    streams = tmp_path / "s.jcs"
    assert _run(["compress", model_file, *common, "--out", streams], capsys)[0] == 0
    out = {"fit-entropy": model_file, "compress": streams, "decompress": tmp_path / "decoded",
           "train": tmp_path / "trained.keras"}[command]
    argv = {"fit-entropy": ["fit-entropy", model_file, *common, "--overwrite"],
            "compress": ["compress", model_file, *common, "--out", streams, "--overwrite"],
            "decompress": ["decompress", model_file, streams, "--out-dir", out, "--overwrite"],
            "train": ["train", "atl_lenet", *common, "--epochs", "1", "--batch-size", "16", "--out", out,
                      "--overwrite"]}[command]
    assert _run(argv, capsys)[0] == 0  # a first output to protect
    before = _snapshot(tmp_path)
    _fail_halfway(monkeypatch)
    status, _, err = _run(argv, capsys)
    assert status == 2, err
    last = err.splitlines()[-1]
    assert last.startswith("jointcomp: error: cannot write ") and last.endswith(": No space left on device"), err
    assert _snapshot(tmp_path) == before  # byte-identical, and no temporary left behind


def test_decompress_replaces_an_older_folder_whole(model_file, tiny_data_dir, tmp_path, capsys):
    streams, decoded = tmp_path / "s.jcs", tmp_path / "decoded"
    assert _run(["compress", model_file, "--dataset", "tiny", "--data-dir", tiny_data_dir, "--out", streams],
                capsys)[0] == 0
    decoded.mkdir()
    (decoded / "image_00099.png").write_bytes(b"from an earlier run")
    assert _run(["decompress", model_file, streams, "--out-dir", decoded, "--overwrite"], capsys)[0] == 0
    assert "image_00099.png" not in os.listdir(decoded) and len(os.listdir(decoded)) == 17  # 16 + labels.json


@pytest.mark.one_backend("tensorflow")
def test_fit_entropy_killed_at_random_moments_keeps_a_loadable_model(model_file, tiny_data_dir, tmp_path):
    """SIGKILL at random times during `fit-entropy --overwrite` of the model file itself: the file is always
    the old model or the new one, a complete zip."""
    env = {**os.environ, "PYTHONPATH": REPO}
    command = [sys.executable, "-m", "keras_jointcomp", "fit-entropy", str(model_file), "--dataset", "tiny",
               "--data-dir", str(tiny_data_dir), "--step-scales", "1,2", "--overwrite"]
    start = time.monotonic()
    assert subprocess.run(command, env=env, capture_output=True, timeout=300).returncode == 0
    duration = time.monotonic() - start
    rng = random.Random(0)
    for _ in range(2):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 1.0) * duration)
        process.send_signal(signal.SIGKILL)
        process.wait()
        with zipfile.ZipFile(model_file) as archive:
            assert archive.testzip() is None
        assert json.loads(zipfile.ZipFile(model_file).read("config.json"))["class_name"] == "JointModel"
        leftovers = [name for name in os.listdir(tmp_path) if ".tmp-" in name]
        for name in leftovers:  # a kill can leave a hidden temporary beside it, never a half model under its name
            assert name.startswith(".coded.tmp-")
