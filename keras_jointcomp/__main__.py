"""``python -m keras_jointcomp`` runs the ``jointcomp`` command."""

from keras_jointcomp.cli import entry_point

if __name__ == "__main__":
    entry_point()
