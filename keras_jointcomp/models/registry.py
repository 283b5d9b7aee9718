"""Named models of the zoo: ``load(name, **overrides)`` builds one, ``available()`` lists them."""

import dataclasses
from typing import Callable

_MODELS = {}


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """A zoo entry: the function that builds the model and a one-line description."""

    name: str
    build: Callable
    description: str


class UnknownModelError(ValueError):
    """Raised for a model name the registry does not hold."""


def register(name, description):
    """Decorator that adds a builder function to the zoo under ``name``."""

    def decorate(build):
        if name in _MODELS:
            raise ValueError(f"Model name {name!r} is already registered.")
        _MODELS[name] = ModelSpec(name, build, description)
        return build

    return decorate


def available():
    """Model names mapped to their one-line descriptions, sorted by name."""
    return {name: _MODELS[name].description for name in sorted(_MODELS)}


def spec(name):
    """The registry entry of ``name``, or an error listing the available names."""
    if name not in _MODELS:
        raise UnknownModelError(f"Unknown model {name!r}; available models: {', '.join(sorted(_MODELS))}.")
    return _MODELS[name]


def load(name, **overrides):
    """Build the zoo model ``name`` with its defaults, replaced by any keyword ``overrides``."""
    return spec(name).build(**overrides)
