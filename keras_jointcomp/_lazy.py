"""Lazy attributes for the package's ``__init__`` modules (PEP 562).

Importing Keras starts a backend (TensorFlow, JAX or PyTorch) and costs 4 to 10 seconds. The command line
answers ``--help``, ``list`` and argument errors without it, so the packages import their heavy modules only
when one of their names is first used: ``jc.models.load`` imports the model code, ``jc.data.catalog`` does
not.
"""

import importlib


def attach(namespace, names):
    """``__getattr__`` and ``__dir__`` for the package whose globals are ``namespace``.

    ``names`` maps an attribute to the module that holds it (relative to the package when it starts with a
    dot); an attribute named like its module's last component is that module itself. The value is imported
    on first use and kept in ``namespace``.
    """
    package = namespace["__name__"]

    def __getattr__(attr):
        if attr not in names:
            raise AttributeError(f"module {package!r} has no attribute {attr!r}")
        module = importlib.import_module(names[attr], package)
        value = module if names[attr].rsplit(".", 1)[-1] == attr else getattr(module, attr)
        namespace[attr] = value
        return value

    def __dir__():
        return sorted({*namespace, *names})

    return __getattr__, __dir__
