"""The ``jointcomp`` command: list, train and evaluate models; fit their entropy tables, compress and
decompress images through real bitstreams, measure rate-accuracy curves, export for TF Serving.

Results go to stdout (JSON with ``--json``), progress to stderr: each training phase is named before its
progress bar. Expected failures (a missing file, an unknown model or data set, a bad option, images of the
wrong shape) exit with status 2 and one line ``jointcomp: error: ...``, without a traceback.

Parsing and checking the arguments imports no Keras, so ``--help``, ``list`` and argument errors answer at
once; a command imports what it needs when it runs. The backends' own log lines (TensorFlow's C++ logs, CUDA
probing on machines without a GPU) are silenced unless ``--verbose`` is given.
"""

import argparse
import contextlib
import importlib
import logging
import os
import sys
import warnings

from keras_jointcomp.version import __version__

COMMANDS = {
    "list": "list_models",
    "train": "train",
    "evaluate": "evaluate",
    "fit-entropy": "fit_entropy",
    "compress": "compress",
    "decompress": "decompress",
    "rd": "rd",
    "export": "export",
    "save-preset": "save_preset",
}
EXPECTED_ERRORS = (ValueError, OSError, KeyError)


class UsageError(ValueError):
    """A command line argparse refused: reported in one line, like every expected error."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        command = self.prog.partition(" ")[2]
        raise UsageError(f"{command + ': ' if command else ''}{message} (see {self.prog} --help)")


def command_module(name):
    return importlib.import_module(f"keras_jointcomp.cli.{COMMANDS[name]}")


def build_parser(argv=()):
    """The argument parser; ``argv`` lets a command shape its options by others (train's by its method)."""
    parser = _Parser(prog="jointcomp", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--verbose", action="store_true", help="show the backends' own log lines too")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        command_module(name).add_parser(subparsers, name, parents=[common], argv=list(argv),
                                        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    return parser


def entry_point():
    """The ``jointcomp`` program: `main` on the process's arguments, with the backends' native log lines
    silenced until the process ends (some are written only at exit)."""
    sys.exit(main(keep_quiet=True))


def main(argv=None, keep_quiet=False):
    """Run the command line ``argv`` (default: sys.argv[1:]); returns the exit status. ``keep_quiet``
    leaves the backends' native output silenced after returning (for a program about to exit)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser(argv).parse_args(argv)
        args.argv = argv
    except UsageError as error:
        print(f"jointcomp: error: {one_line(error)}", file=sys.stderr)
        return 2
    results = sys.stdout
    with _quiet_backends(not args.verbose, keep_quiet) as progress:
        try:
            with contextlib.redirect_stdout(progress):  # Keras writes progress bars to stdout
                return command_module(args.command).run(args, results)
        except EXPECTED_ERRORS as error:
            print(f"jointcomp: error: {one_line(error)}", file=progress)
            return 2


def one_line(error):
    """The first line of an error's message, without the quotes KeyError adds, at most 500 characters."""
    text = str(error).strip()
    message = text.splitlines()[0].strip(chr(39)).strip() if text else type(error).__name__
    return message if len(message) <= 500 else message[:497] + "..."


@contextlib.contextmanager
def _quiet_backends(quiet, keep=False):
    """Yield the stream for progress and messages (stderr). When ``quiet``, what the backends' native code
    writes to file descriptor 2 goes to /dev/null for the duration (with ``keep``, until the process ends:
    absl writes its buffered lines at exit), while Python's ``sys.stderr`` keeps writing to the real stderr;
    TensorFlow's and absl's Python loggers are set to errors only."""
    if not quiet:
        yield sys.stderr
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    sys.stderr.flush()
    try:
        real_stderr = os.dup(2)
    except OSError:  # no file descriptor 2 (embedded interpreters): nothing to silence
        yield sys.stderr
        return
    python_stderr = sys.stderr
    progress = os.fdopen(real_stderr, "w", buffering=1, closefd=False) if _writes_to_fd2(sys.stderr) else sys.stderr
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stderr = progress
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*(oneDNN|cuda|CUDA|absl).*")
            for logger in ("tensorflow", "absl", "jax._src.xla_bridge"):
                logging.getLogger(logger).setLevel("ERROR")
            yield progress
    finally:
        progress.flush()
        if not keep:
            sys.stderr = python_stderr
            os.dup2(real_stderr, 2)
            os.close(real_stderr)


def _writes_to_fd2(stream):
    try:
        return stream.fileno() == 2
    except (AttributeError, OSError, ValueError):
        return False  # pytest's capture, a StringIO: already not the native stderr
