"""Fixtures for the data tests: an isolated environment, and access to the real shared data sets.

Every test runs with `$JOINTCOMP_DATA_DIR` unset and the decode cache in its own temporary folder, so a
developer's environment can neither help nor break a test. Tests marked `shared_data` get the real files
through the `shared_data_dir` fixture, which reads `$JOINTCOMP_DATA_DIR` as it was when pytest started.
"""

import os
from pathlib import Path

import pytest

# Captured at collection, before the autouse fixture below clears the variable for each test.
SHARED_DATA_DIR = os.environ.get("JOINTCOMP_DATA_DIR")


@pytest.fixture(autouse=True)
def isolated_data_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("JOINTCOMP_DATA_DIR", raising=False)
    monkeypatch.setenv("JOINTCOMP_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def shared_data_dir(monkeypatch):
    """The real data directory named by `$JOINTCOMP_DATA_DIR`, set again for the test; skip if unset."""
    if not SHARED_DATA_DIR:
        pytest.skip("JOINTCOMP_DATA_DIR is unset: set it to the real data sets (e.g. /work/shared/datasets)")
    if not Path(SHARED_DATA_DIR).is_dir():
        pytest.skip(f"JOINTCOMP_DATA_DIR={SHARED_DATA_DIR} is not a directory")
    monkeypatch.setenv("JOINTCOMP_DATA_DIR", SHARED_DATA_DIR)
    return Path(SHARED_DATA_DIR)


@pytest.fixture
def shared_file(shared_data_dir):
    """A function: filename -> its path in the shared directory, skipping the test if it is missing."""

    def require(filename):
        path = shared_data_dir / filename
        if not path.is_file():
            pytest.skip(f"{path} is missing (JOINTCOMP_DATA_DIR lacks {filename})")
        return path

    return require
