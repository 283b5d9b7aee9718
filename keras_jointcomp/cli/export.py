"""``jointcomp export MODEL.keras OUT_DIR``: a SavedModel for TF Serving with encode, decode and classify.

The signatures and their tensor names are listed in `keras_jointcomp.export.serving`. Works on a model
trained under any backend: the SavedModel is always written under the TensorFlow backend, in this process
or in a child process. Prints a JSON summary: the files, and each signature's input and output specs.
"""

import importlib.util
import json
import os
import subprocess
import sys

import keras_jointcomp
from keras_jointcomp.cli import inputs
from keras_jointcomp.cli.inputs import check_new_path

ERROR_PREFIX = "jointcomp: error: "


def add_parser(subparsers, name, argv=(), **kwargs):
    parser = subparsers.add_parser(name, help="export a saved .keras model as a TF Serving SavedModel", **kwargs)
    parser.add_argument("model_file", type=inputs.existing_file,
                        help="a .keras file saved by `jointcomp train` or the Python API")
    parser.add_argument("out_dir", help="SavedModel folder to write")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing SavedModel folder")


def run(args, results):
    check_new_path(args.out_dir, args.overwrite)  # before loading anything, so a refusal is instant
    import keras

    from keras_jointcomp.cli.models import load_joint_model
    from keras_jointcomp.export import check_out_dir, export_saved_model

    check_out_dir(args.out_dir, args.overwrite)  # and never replace a folder that is not a SavedModel
    if keras.backend.backend() != "tensorflow":
        print(_export_under_tensorflow(args), end="", file=results)
        return 0
    model = load_joint_model(args.model_file)
    summary = {"model_file": args.model_file, "out_dir": args.out_dir,
               "endpoints": export_saved_model(model, args.out_dir, overwrite=args.overwrite)}
    print(json.dumps(summary, indent=2), file=results)
    return 0


def _export_under_tensorflow(args):
    """Run this same command in a child process with ``KERAS_BACKEND=tensorflow``; return its JSON output.

    Why a child process: Keras fixes its backend once per process, when it is first imported, and only the
    TensorFlow backend traces endpoints straight into the `tf.function`s a SavedModel stores (JAX would go
    through jax2tf, torch's export is experimental and needs static shapes). A `.keras` file reloads under
    any backend with the same weights, so the child simply loads the file again. Its one-line errors are
    raised here unchanged; anything else it wrote to stderr (logs, a traceback) is passed on.
    """
    from keras_jointcomp.export import ExportError

    if importlib.util.find_spec("tensorflow") is None:
        raise ExportError("SavedModel export needs TensorFlow: pip install 'keras-jointcomp[tensorflow]'")
    command = [sys.executable, "-m", "keras_jointcomp", "export", args.model_file, args.out_dir]
    if args.overwrite:
        command.append("--overwrite")
    if args.verbose:
        command.append("--verbose")
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(keras_jointcomp.__file__)))
    python_path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "PYTHONPATH": python_path}  # this same package
    child = subprocess.run(command, env=env, capture_output=True, text=True)
    last_line = child.stderr.strip().splitlines()[-1] if child.stderr.strip() else ""
    if child.returncode != 0 and last_line.startswith(ERROR_PREFIX):
        raise ExportError(last_line[len(ERROR_PREFIX):])
    sys.stderr.write(child.stderr)
    if child.returncode != 0:
        raise ExportError(f"the TensorFlow export process failed with status {child.returncode}: {last_line}")
    return child.stdout
