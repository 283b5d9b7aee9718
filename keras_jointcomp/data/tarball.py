"""Read one split from a `.tar.gz` holding an image-folder tree under `<name>/`.

For example the shared `cifar10_jpg.tar.gz` holds `cifar10/{train,test}/<class>/NNNN.jpg`. Labels follow the
image-folder convention (sorted class names of both splits, numbered 0..K-1). Decoding tens of thousands
of images is slow, so the decoded split is cached (see `cache`) and the second load only reads an .npz.
"""

import io
import tarfile
import zlib
from pathlib import Path, PurePosixPath

import numpy as np

from keras_jointcomp.data import cache
from keras_jointcomp.data import images as image_files
from keras_jointcomp.data.arrays import labeled_images
from keras_jointcomp.data.errors import DatasetFormatError

SPLITS = ("train", "test")


def candidates(directory, name):
    """Tarballs in `directory` that may hold `name`: `<name>.tar.gz`, then `<name>_*.tar.gz` sorted."""
    directory = Path(directory)
    found = [directory / f"{name}.tar.gz"] + sorted(directory.glob(f"{name}_*.tar.gz"))
    return [path for path in found if path.is_file()]


def read_tarball(path, name, split):
    """Return the `split` of dataset `name` in the tarball at `path`, decoding it only on a cache miss."""
    entry = cache.entry_path(path, tag=f"{name}-{split}")
    cached = cache.read(entry)
    if cached is not None:
        return labeled_images(cached.images, cached.labels, where=entry)
    labeled = decode_tarball(path, name, split)
    cache.write(entry, labeled)
    return labeled


def decode_tarball(path, name, split):
    """Decode every `<name>/<split>/<class>/<image>` member of the tarball at `path` (slow: no cache)."""
    decoded = []  # (class name, member name, image array)
    class_names = set()
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                parts = _tree_parts(member, name)
                if parts is None:
                    continue
                member_split, class_name = parts
                class_names.add(class_name)
                if member_split == split:
                    data = archive.extractfile(member).read()
                    where = f"{path}:{member.name}"
                    decoded.append((class_name, member.name, image_files.decode(io.BytesIO(data), where)))
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise DatasetFormatError(f"cannot read {path} as a .tar.gz archive (corrupt?): {error}") from error
    if not decoded:
        raise DatasetFormatError(f"{path} holds no images under {name}/{split}/<class>/")
    decoded.sort(key=lambda item: (item[0], item[1]))
    label_of = {class_name: label for label, class_name in enumerate(sorted(class_names))}
    where = f"{path}:{name}/{split}/"
    images = image_files.stack([item[2] for item in decoded], [item[1] for item in decoded], where=where)
    labels = np.asarray([label_of[item[0]] for item in decoded], dtype=np.int64)
    return labeled_images(images, labels, where=where)


def _tree_parts(member, name):
    """(split, class) of an image member `<name>/<split>/<class>/<file>`, else None."""
    parts = [part for part in PurePosixPath(member.name).parts if part != "."]
    if not member.isfile() or len(parts) != 4:
        return None
    root, split, class_name, filename = parts
    if root != name or split not in SPLITS or not image_files.is_image_file(filename):
        return None
    return split, class_name
