"""All-or-nothing writes: every file and folder the package writes appears under its real name only when
complete.

A write goes to a temporary sibling (same folder, so the final rename stays on one file system), is flushed
to disk, then renamed over the real name with `os.replace`, which is atomic on POSIX and Windows. A crash,
a kill or a full disk during the write leaves the previous file untouched and at most a hidden ``.*.tmp-*``
sibling, never a half file under the real name.
"""

import contextlib
import os
import shutil
import tempfile


class OutputPathError(OSError):
    """An output that cannot be written: a read-only or missing folder, a file in the way, a full disk."""

    def __str__(self):
        return self.strerror if self.strerror else super().__str__()


def check_writable(path):
    """Raise `OutputPathError` unless a file or folder can be created at ``path`` (its folder is created if
    missing); call it before long work so that a bad output fails at once, not after training."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    existing = folder
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise OutputPathError(f"cannot write {path}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputPathError(f"cannot write {path}: folder {existing} is not writable")
    if os.path.isdir(path) and not os.access(path, os.W_OK | os.X_OK):
        raise OutputPathError(f"cannot write {path}: it is a folder that is not writable")


def _temporary_sibling(path, directory=False):
    folder, name = os.path.split(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    stem, suffix = os.path.splitext(name)
    if name.endswith(".weights.h5"):  # Keras checks these suffixes
        stem, suffix = name[: -len(".weights.h5")], ".weights.h5"
    make = tempfile.mkdtemp if directory else tempfile.mkstemp
    created = make(prefix=f".{stem}.tmp-", suffix="" if directory else suffix, dir=folder)
    if not directory:
        os.close(created[0])
        created = created[1]
    return created


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path`` (same suffix) for a library that writes by name (Keras,
    Matplotlib, Pillow); on success it replaces ``path``, on any error it is removed."""
    path = os.fspath(path)
    temporary = _temporary_sibling(path)
    try:
        yield temporary
        _sync_file(temporary)
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        if isinstance(error, OSError) and not isinstance(error, OutputPathError):
            raise OutputPathError(error.errno, f"cannot write {path}: {error.strerror or error}") from error
        raise


@contextlib.contextmanager
def atomic_write(path, mode="w"):
    """``open(path, mode)`` whose content replaces ``path`` only when the block ends without error."""
    with atomic_path(path) as temporary, open(temporary, mode) as file:
        yield file
        file.flush()


def write_text(path, text):
    """Write ``text`` to ``path`` all at once."""
    with atomic_write(path, "w") as file:
        file.write(text)


def write_bytes(path, payload):
    """Write ``payload`` to ``path`` all at once."""
    with atomic_write(path, "wb") as file:
        file.write(payload)


@contextlib.contextmanager
def atomic_directory(path):
    """Yield a new temporary folder beside ``path`` to fill; on success it takes the place of ``path`` whole
    (an existing folder is replaced only once the new one is complete, never mixed with it), on any error
    it is removed and ``path`` is left as it was."""
    path = os.fspath(path).rstrip(os.sep) or os.sep
    temporary = _temporary_sibling(path, directory=True)
    try:
        yield temporary
    except BaseException as error:
        shutil.rmtree(temporary, ignore_errors=True)
        if isinstance(error, OSError) and not isinstance(error, OutputPathError):
            raise OutputPathError(error.errno, f"cannot write {path}: {error.strerror or error}") from error
        raise
    previous = None
    if os.path.lexists(path):
        previous = _temporary_sibling(path, directory=True)
        os.rmdir(previous)
        os.replace(path, previous)
    os.replace(temporary, path)
    if previous is not None:
        if os.path.isdir(previous) and not os.path.islink(previous):
            shutil.rmtree(previous, ignore_errors=True)
        else:
            os.remove(previous)


def _sync_file(path):
    with contextlib.suppress(OSError), open(path, "rb+") as file:
        os.fsync(file.fileno())
