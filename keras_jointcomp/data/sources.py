"""Find a data set in one local directory, trying each supported file layout in a fixed order.

In `<dir>` the look-up tries, first match wins:
1. `<dir>/<name>.npz` (keys x_train, y_train, x_test, y_test);
2. `<dir>/<name>/<split>/<class>/*.{png,jpg,jpeg,bmp,pgm}` (an image-folder tree);
3. `<dir>/<name>.tar.gz`, then `<dir>/<name>_*.tar.gz`, holding that tree under `<name>/`.
"""

import os
from pathlib import Path

from keras_jointcomp.data import tarball
from keras_jointcomp.data.image_folder import read_image_folder
from keras_jointcomp.data.npz_file import read_npz


def find_in_directory(directory, name, split, images_key=""):
    """Return (`LabeledImages` or None, [paths tried]) for dataset `name`, split `split` in `directory`;
    ``images_key``: the .npz key of the images when not ``x_<split>``.

    The paths tried are returned even on success so that a failed search can list every place it looked.
    """
    directory = Path(directory).expanduser()
    npz_path = directory / f"{name}.npz"
    folder = directory / name / split
    tried = [
        str(npz_path),
        str(folder) + os.sep,
        str(directory / f"{name}.tar.gz"),
        str(directory / f"{name}_*.tar.gz"),
    ]
    if npz_path.is_file():
        return read_npz(npz_path, split, images_key), tried
    if folder.is_dir():
        return read_image_folder(directory / name, split), tried
    tarballs = tarball.candidates(directory, name)
    if tarballs:
        return tarball.read_tarball(tarballs[0], name, split), tried
    return None, tried
