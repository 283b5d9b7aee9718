"""What several commands share: images from files or a data set split, comma-separated numbers, and
outputs that never replace a user's file unless asked."""

import os

from keras_jointcomp import data
from keras_jointcomp.data import images as image_files


def add_image_arguments(parser):
    """``--images FILE ...`` or ``--dataset NAME [--split --count --data-dir]``."""
    parser.add_argument("--images", nargs="+", metavar="FILE", help="image files (PNG, JPEG, ...)")
    parser.add_argument("--dataset", help="or a data set's split instead of files")
    parser.add_argument("--split", default="test", choices=("train", "test"))
    parser.add_argument("--count", type=int, help="only the first COUNT images of the split")
    parser.add_argument("--data-dir", help="folder holding <name>.npz or <name>/{train,test}/<class>/")


def read_images(args):
    """uint8 NHWC images named by `add_image_arguments`' options (exactly one source)."""
    if bool(args.images) == bool(args.dataset):
        raise ValueError("give either --images FILE ... or --dataset NAME")
    if args.images:
        arrays = [image_files.decode(path, where=path) for path in args.images]
        images = image_files.stack(arrays, args.images, where="--images")
    else:
        images = data.load(args.dataset, args.split, data_dir=args.data_dir).images
        if args.count is not None:
            if args.count < 1:
                raise ValueError("--count must be at least 1")
            images = images[:args.count]
    return images[..., None] if images.ndim == 3 else images


def check_new_path(path, overwrite):
    """Refuse to replace an existing file or folder unless ``overwrite``."""
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"{path} already exists; pass --overwrite to replace it")


def parse_step_scales(text):
    """Comma-separated positive numbers."""
    try:
        scales = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"step scales must be comma-separated numbers, got {text!r}") from None
    if not scales or min(scales) <= 0:
        raise ValueError(f"step scales must be positive numbers, got {text!r}")
    return scales


def parse_qualities(text):
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"qualities must be comma-separated integers, got {text!r}") from None
