"""Named models of the zoo: ``load(name, **overrides)`` builds one, ``available()`` lists them.

The zoo's own entries name their builder as ``"module:function"`` and import it only when the model is
built, so listing the zoo (``jointcomp list``, argument checks) needs no Keras. ``register`` adds a builder
of your own under a new name.
"""

import dataclasses
import importlib
import inspect
import numbers
import re
from typing import Callable, Union

_MODELS = {}


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """A zoo entry: its name, a one-line description and its builder (a function, or "module:function")."""

    name: str
    description: str
    builder: Union[str, Callable]

    @property
    def build(self):
        """The builder function, imported on first use."""
        if callable(self.builder):
            return self.builder
        module, function = self.builder.split(":")
        return getattr(importlib.import_module(module), function)

    @property
    def takes_num_classes(self):
        """Whether the builder sizes a classifier (models without one, such as plain autoencoders, do not)."""
        return "num_classes" in inspect.signature(self.build).parameters


class UnknownModelError(ValueError):
    """Raised for a model name the registry does not hold."""


def _add(spec):
    if spec.name in _MODELS:
        raise ValueError(f"Model name {spec.name!r} is already registered.")
    _MODELS[spec.name] = spec


def register(name, description):
    """Decorator that adds a builder function of your own to the zoo under ``name``."""

    def decorate(build):
        _add(ModelSpec(name, description, build))
        return build

    return decorate


def available():
    """Model names mapped to their one-line descriptions, sorted by name."""
    return {name: _MODELS[name].description for name in sorted(_MODELS)}


def spec(name):
    """The registry entry of ``name``, or an error listing the available names."""
    if name not in _MODELS:
        raise UnknownModelError(f"unknown model {name!r}; available models: {', '.join(sorted(_MODELS))}")
    return _MODELS[name]


def load(name, weights=None, **overrides):
    """Build the zoo model ``name`` with its defaults, replaced by any keyword ``overrides``; or, with
    ``weights``, load its trained preset of that name (`presets()`, or a preset folder), offline.

    The built model records ``{"name": name, "arguments": overrides}`` as its ``zoo`` (saved with it).

    The sizes every builder shares are checked here, so that a bad one is named as the argument it is
    (``input_shape``, ``num_classes``) rather than as a layer's (``filters``, ``units``); an argument the
    builder does not take is named with the ones it does.
    """
    entry = spec(name)
    if weights is not None:
        if overrides:
            raise ValueError(f"a preset fixes its builder arguments; load({name!r}, weights={weights!r}) takes "
                             f"no {', '.join(sorted(overrides))}")
        from keras_jointcomp import presets

        return presets.load(name, weights)
    build = entry.build
    parameters = inspect.signature(build).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    unknown = sorted(set(overrides) - set(parameters)) if not takes_any else []
    if unknown:
        raise ValueError(f"{name} takes no argument {unknown[0]!r}; it takes "
                         f"{', '.join(p for p in parameters if parameters[p].kind is not inspect.Parameter.VAR_KEYWORD)}")
    if "input_shape" in overrides:
        shape = overrides["input_shape"]
        if not isinstance(shape, (tuple, list)) or len(shape) != 3 or not all(
                isinstance(size, numbers.Integral) and not isinstance(size, bool) and size > 0 for size in shape):
            raise ValueError(f"input_shape of {name} is (height, width, channels), three positive whole numbers; "
                             f"got {shape!r}")
    if "num_classes" in overrides:
        classes = overrides["num_classes"]
        if isinstance(classes, bool) or not isinstance(classes, numbers.Integral) or classes < 2:
            raise ValueError(f"num_classes of {name} is a whole number of at least 2, got {classes!r}")
    try:
        model = build(**overrides)
    except TypeError as error:  # an argument a builder passes on (**overrides) to one that does not take it
        match = re.search(r"unexpected keyword argument '(\w+)'", str(error))
        if match is None:
            raise
        raise ValueError(f"{name} takes no argument {match.group(1)!r}") from None
    if hasattr(model, "zoo"):
        model.zoo = {"name": name, "arguments": _json_ready(overrides)}
    return model


def _json_ready(value):
    """Builder arguments as JSON values (tuples as lists), for the saved config."""
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(item) for item in value]
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return value


# --- The zoo --------------------------------------------------------------------------------------------

_FAMILIES = "keras_jointcomp.models."
for _name, _builder, _description in [
    ("atl_lenet", "atl_lenet:atl_lenet",
     "LeNet compressor/decompressor/classifier on a 16x5x5 latent rounded to 4 bits (ATL)"),
    ("multi_encoder_mnist", "multi_encoder:multi_encoder_mnist",
     "4 fully connected encoders x 4 bits on flat chunks of MNIST (16 bits), dense decoder, MLP classifier"),
    ("multi_encoder_cifar10", "multi_encoder:multi_encoder_cifar10",
     "3 colour-plane conv encoders x 8 bits (24 bits), dense decoder, VGG-style classifier"),
    ("ldr_resnet18", "ldr_resnet:ldr_resnet18",
     "ResNet-18 encoder -> d_y = 64 latent -> MLP classifier, MCR^2 side branch (CIFAR-10)"),
    ("ldr_resnet34", "ldr_resnet:ldr_resnet34",
     "ResNet-34 encoder -> d_y = 128 latent -> MLP classifier, MCR^2 side branch (CIFAR-100)"),
    ("ldr_resnet_small", "ldr_resnet:ldr_resnet_small",
     "ResNet-10 at quarter width -> d_y = 64 latent, MCR^2 side branch: the CPU-scale model of hierarchical "
     "LDR training"),
    ("faces_conv_ae", "faces_conv_ae:faces_conv_ae",
     "Martin's convolutional autoencoder of faces: 1->256->32 channels, a 2x2x32 = 128-value latent under a "
     "0/1 mask for distinctiveness pruning, batch-mean removal, no classifier"),
    ("cifar_conv_ae", "cifar_autoencoders:cifar_conv_ae",
     "VGG-style conv autoencoder (8x8x64 float latent, transposed-conv decoder) with a conv classifier on its "
     "latent (CIFAR-10 autoencoder features)"),
    ("factorized_mnist", "factorized_codec:factorized_mnist",
     "learned rate-distortion-accuracy codec for 28x28 gray images: GDN conv transforms, 7x7x16 latent under a "
     "learned entropy bottleneck, conv classifier on the latent"),
    ("factorized_cifar", "factorized_codec:factorized_cifar",
     "learned rate-distortion-accuracy codec for 32x32 colour images: GDN conv transforms, 8x8x32 latent under a "
     "learned entropy bottleneck, conv classifier on the latent"),
    ("ldr_airbench", "airbench:ldr_airbench",
     "airbench93 backbone (patch whitening, 64-128-128 conv groups) -> d_y = 64 latent -> classifier, MCR^2 side "
     "branch: hierarchical LDR trained in minutes on a CPU (jointcomp train --fast)"),
    ("multi_encoder_airbench", "multi_encoder:multi_encoder_airbench",
     "3 colour-plane half-width airbench encoders x 8 bits (24 bits), dense decoder, MLP classifier (fast CIFAR)"),
    ("cifar_conv_ae_airbench", "airbench:cifar_conv_ae_airbench",
     "VGG-style conv autoencoder (8x8x64 float latent) with an airbench classifier on its latent (fast CIFAR "
     "autoencoder features)"),
    ("cifar_mlp_ae", "cifar_autoencoders:cifar_mlp_ae",
     "MLP autoencoder (dense 768 + batch norm float latent) with a dense classifier on its features "
     "(CIFAR-10 autoencoder features, first trial)"),
]:
    _add(ModelSpec(_name, _description, _FAMILIES + _builder))
