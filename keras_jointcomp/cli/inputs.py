"""What several commands share, all checked while the arguments are parsed (before Keras is imported):
numbers in range, comma-separated lists, data set options, images from files or a data set split, and
outputs that never replace a user's file unless asked and that are writable before any work starts."""

import argparse
import json
import math
import os

from keras_jointcomp import files
from keras_jointcomp.data.catalog import OFFLINE_DEFAULT


def number(kind, minimum=None, above=None):
    """An argparse type: ``kind`` (int or float), finite, at least ``minimum`` or greater than ``above``."""

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{'a whole number' if kind is int else 'a number'} is needed, "
                                             f"got {text!r}") from None
        if kind is float and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"a finite number is needed, got {text!r}")
        if minimum is not None and value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {text}")
        if above is not None and value <= above:
            raise argparse.ArgumentTypeError(f"must be greater than {above}, got {text}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its messages
    return parse


POSITIVE_INT = number(int, minimum=1)
NON_NEGATIVE_INT = number(int, minimum=0)
POSITIVE_FLOAT = number(float, above=0)
NON_NEGATIVE_FLOAT = number(float, minimum=0)


def step_scales(text):
    """Comma-separated positive numbers."""
    parse = number(float, above=0)
    scales = [parse(part) for part in text.split(",") if part.strip()]
    if not scales:
        raise argparse.ArgumentTypeError(f"give at least one step scale, got {text!r}")
    return scales


def json_object(text):
    """A JSON object of keyword arguments, e.g. '{"dropout": 0}'."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"not JSON ({error.msg}): {text!r}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"give a JSON object such as '{{\"dropout\": 0}}', got {text!r}")
    return value


def qualities(text):
    """Comma-separated qualities 0..100 (none: an empty list)."""
    values = [number(int, minimum=0)(part) for part in text.split(",") if part.strip()]
    if any(value > 100 for value in values):
        raise argparse.ArgumentTypeError(f"qualities run from 0 to 100, got {text!r}")
    return values


def add_data_arguments(parser, dataset_help="data set name (see `jointcomp list`)"):
    """``--dataset NAME --data-dir DIR --download``."""
    parser.add_argument("--dataset", default=OFFLINE_DEFAULT, help=f"{dataset_help}; {OFFLINE_DEFAULT} works offline")
    parser.add_argument("--data-dir", type=existing_folder,
                        help="folder holding <name>.npz or <name>/{train,test}/<class>/ (also $JOINTCOMP_DATA_DIR)")
    parser.add_argument("--download", action="store_true",
                        help="let TensorFlow Datasets download a data set found nowhere locally")


def existing_folder(text):
    """An argparse type: a folder that exists."""
    if not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"no such folder: {text}")
    return text


def existing_file(text):
    """An argparse type: a file that exists."""
    if not os.path.isfile(text):
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    return text


def load_split(args, split, name=None):
    """Split ``split`` of ``--dataset`` (or data set ``name``) with the data options of ``args``."""
    from keras_jointcomp import data

    return data.load(name or args.dataset, split, data_dir=args.data_dir, download=args.download)


def add_image_arguments(parser):
    """``--images FILE ...`` or ``--dataset NAME [--split --count --data-dir --download]``."""
    parser.add_argument("--images", nargs="+", metavar="FILE", type=existing_file, help="image files (PNG, JPEG, ...)")
    parser.add_argument("--dataset", help="or a data set's split instead of files")
    parser.add_argument("--split", default="test", choices=("train", "test"))
    parser.add_argument("--count", type=POSITIVE_INT, help="only the first COUNT images of the split")
    parser.add_argument("--data-dir", type=existing_folder,
                        help="folder holding <name>.npz or <name>/{train,test}/<class>/ (also $JOINTCOMP_DATA_DIR)")
    parser.add_argument("--download", action="store_true",
                        help="let TensorFlow Datasets download a data set found nowhere locally")


def check_image_source(args):
    """Exactly one of ``--images`` and ``--dataset``."""
    if bool(args.images) == bool(args.dataset):
        raise ValueError("give either --images FILE ... or --dataset NAME")


def read_images(args):
    """uint8 NHWC images named by `add_image_arguments`' options (exactly one source)."""
    from keras_jointcomp.data import images as image_files

    check_image_source(args)
    if args.images:
        arrays = [image_files.decode(path, where=path) for path in args.images]
        images = image_files.stack(arrays, args.images, where="--images")
    else:
        images = load_split(args, args.split).images[:args.count]
    if len(images) == 0:
        raise ValueError(f"split {args.split} of {args.dataset} holds no images")
    return images[..., None] if images.ndim == 3 else images


def check_new_path(path, overwrite, flag="--overwrite"):
    """Refuse to replace an existing file or folder unless ``overwrite``, and an output that cannot be
    written at all (read-only or missing folder, a file in the way)."""
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"{path} already exists; pass {flag} to replace it")
    files.check_writable(path)
