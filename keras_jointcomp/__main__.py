"""``python -m keras_jointcomp`` runs the ``jointcomp`` command."""

import sys

from keras_jointcomp.cli import main

if __name__ == "__main__":
    sys.exit(main())
