"""The ``jointcomp`` command: list, train and evaluate models; fit their entropy tables, compress and
decompress images through real bitstreams, measure rate-accuracy curves, export for TF Serving.

Results go to stdout (JSON with ``--json``), Keras progress bars and logs to stderr. Expected failures (a
missing file, an unknown model or dataset, images of the wrong shape) exit with status 2 and one line
``jointcomp: error: ...``, without a traceback.
"""

import argparse
import contextlib
import sys

from keras_jointcomp.cli import compress, decompress, evaluate, export, fit_entropy, list_models, rd, train
from keras_jointcomp.version import __version__

COMMANDS = {
    "list": list_models,
    "train": train,
    "evaluate": evaluate,
    "fit-entropy": fit_entropy,
    "compress": compress,
    "decompress": decompress,
    "rd": rd,
    "export": export,
}
EXPECTED_ERRORS = (ValueError, OSError, KeyError)


def build_parser():
    parser = argparse.ArgumentParser(prog="jointcomp", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name, module in COMMANDS.items():
        module.add_parser(subparsers, name)
    return parser


def main(argv=None):
    """Run the command line ``argv`` (default: sys.argv[1:]); returns the exit status."""
    args = build_parser().parse_args(argv)
    results = sys.stdout
    try:
        with contextlib.redirect_stdout(sys.stderr):  # Keras writes progress bars to stdout.
            return COMMANDS[args.command].run(args, results)
    except EXPECTED_ERRORS as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"jointcomp: error: {message.strip(chr(39)).strip()}", file=sys.stderr)
        return 2
