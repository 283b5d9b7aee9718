"""The joint compression-and-classification model every zoo family is built from.

    image --encoder--> z --quantizer--> z_hat --+--decoder-----> reconstruction
                                                +--classifier--> logits

The encoder (the studies' "compressor") runs on the device; ``z_hat`` is what crosses the link; decoder
("decompressor") and classifier run on the server, the classifier straight from the latent. Either head may
be absent (a plain autoencoder, or a classifier behind a bottleneck), never both. Three variations carry the
other studies: the classifier may read the decoder's output instead of the latent (multiple encoders whose
bits a decoder merges into an image for an image classifier); the float latent ``z`` may be an output too
("latent"), for losses on it; and a side branch on ``z`` may output "features" that only a training loss
reads (the MCR^2 side branch of hierarchical LDR training), never deployed. A quantizer that learns its
own probability model (`keras_jointcomp.layers.EntropyBottleneck`) adds a "rate" output: the bits of each
image, the rate term of rate-distortion training.

Inputs follow the package's image contract (`keras_jointcomp.data.checks`): uint8 images 0..255, as
`data.load` returns them, or float images in [0, 1]. Every path into the encoder (the model's call, `encode`,
the single-task networks) scales integer inputs to float32 / 255 and passes floats through, so both give the
same outputs. The scaling is code in `call`, not a layer, so models saved before it load unchanged.
"""

import math

import keras
import numpy as np
from keras import ops

from keras_jointcomp import metrics
from keras_jointcomp.data.checks import check_images
from keras_jointcomp.serialization import serializable

PART_NAMES = ("encoder", "quantizer", "decoder", "classifier", "side_branch")
RECONSTRUCTION = "reconstruction"
LOGITS = "logits"
LATENT = "latent"
FEATURES = "features"
RATE = "rate"
CLASSIFIER_INPUTS = ("latent", "decoded")


@serializable
class ImageNetwork(keras.Model):
    """A functional network from images that takes them as the package's contract says: its call scales
    integer (uint8) inputs to float32 / 255 and passes floats (in [0, 1]) through. `JointModel` is one; its
    single-task networks (`JointModel.autoencoder`, ...) are others, over the same layers."""

    def call(self, inputs, training=None, mask=None):
        # Here and not in the graph: Keras casts inputs to the Input's float32 before the graph runs, which
        # would lose the dtype that tells 0..255 from [0, 1].
        return super().call(keras.tree.map_structure(_unit_float, inputs), training=training, mask=mask)


@serializable
class JointModel(ImageNetwork):
    """Functional model of named parts whose call returns ``{"reconstruction": ..., "logits": ...}``.

    Images may be uint8 (0..255) or float in [0, 1]: `call` (hence ``model(x)``, ``predict``, ``fit``) and
    `encode` scale integer images by 1/255 before the encoder.

    Args:
        encoder: a built Keras model from float images (N, H, W, C) in [0, 1] to a float latent.
        decoder: a Keras model from the latent to images of the input's shape, or None.
        classifier: a Keras model from the latent to logits, or None.
        quantizer: a layer between encoder and heads (e.g. `RoundingQuantizer`), or None for a float latent.
        classifier_input: "latent" (default) classifies the latent directly; "decoded" classifies the
            decoder's output instead (the multiple-encoder study: a decoder merges the encoders' bits into
            an image-shaped input for an image classifier). The decoded image is then an inner stage, not
            a "reconstruction" output.
        expose_latent: also output the encoder's latent before quantization as "latent", for losses on
            it (the rounding-gap loss) and for inspecting it.
        side_branch: a Keras model from the float latent to features for a training loss (MCR^2), output
            as "features"; or None.
        entropy_coding: the probability tables for streaming the quantized latent
            (`keras_jointcomp.codec.EntropyCoding`, fitted by `keras_jointcomp.codec.fit_entropy_coding`),
            saved with the model; or None. Not part of the computation.
        zoo: ``{"name": zoo name, "arguments": builder arguments}`` of the zoo entry that built the model
            (`keras_jointcomp.models.load` sets it), saved with it; or None.

    The single-task networks (`autoencoder`, `classification_network`) and `encode`, `decode`, `classify`
    all use these same layer objects, so training any of them trains the joint model.
    """

    def __init__(self, encoder, decoder=None, classifier=None, quantizer=None, classifier_input="latent",
                 expose_latent=False, side_branch=None, entropy_coding=None, zoo=None, **kwargs):
        if decoder is None and classifier is None:
            raise ValueError("A JointModel needs a decoder, a classifier, or both.")
        if classifier_input not in CLASSIFIER_INPUTS:
            raise ValueError(f"classifier_input must be one of {CLASSIFIER_INPUTS}, got {classifier_input!r}.")
        if classifier_input == "decoded" and (decoder is None or classifier is None):
            raise ValueError('classifier_input="decoded" needs both a decoder and a classifier.')
        # === Functional model ===
        images = keras.Input(shape=encoder.input_shape[1:], name="images")
        latent = encoder(images)
        heads_input = latent if quantizer is None else quantizer(latent)
        outputs = {}
        if decoder is not None:
            decoded = decoder(heads_input)
            if classifier_input == "latent":
                outputs[RECONSTRUCTION] = decoded
        if classifier is not None:
            outputs[LOGITS] = classifier(decoded if classifier_input == "decoded" else heads_input)
        if expose_latent:
            outputs[LATENT] = latent
        if side_branch is not None:
            outputs[FEATURES] = side_branch(latent)
        if getattr(quantizer, "estimates_rate", False):
            outputs[RATE] = quantizer(latent, output="bits")
        super().__init__(inputs=images, outputs=outputs, **kwargs)

        # === Parts === (assigned after the functional init, which the torch backend requires)
        self.encoder = encoder
        self.quantizer = quantizer
        self.decoder = decoder
        self.classifier = classifier
        self.side_branch = side_branch
        self.classifier_input = classifier_input
        self.expose_latent = expose_latent
        self.output_keys = tuple(outputs)
        self.entropy_coding = entropy_coding
        self.zoo = zoo

    # --- Parts -------------------------------------------------------------------------------------------

    def replace(self, **changes):
        """A new model of this class with ``changes`` to its fields (parts, ``classifier_input``,
        ``expose_latent``, ``entropy_coding``, ``zoo``, ``name``) and every other field kept; unchanged parts are
        the same layer objects (shared weights)."""
        fields = {name: getattr(self, name) for name in (*PART_NAMES, *_SETTINGS)}
        fields["name"] = self.name
        unknown = sorted(set(changes) - set(fields))
        if unknown:
            raise ValueError(f"JointModel.replace takes {', '.join(sorted(fields))}; got {', '.join(unknown)}.")
        return type(self)(**{**fields, **self._extra_fields(), **changes})

    def _extra_fields(self):
        """Constructor arguments of a subclass beyond the `JointModel` fields (none here)."""
        return {}

    @property
    def parts(self):
        """The present parts by name: encoder, quantizer, decoder, classifier, side_branch."""
        named = {name: getattr(self, name) for name in PART_NAMES}
        return {name: part for name, part in named.items() if part is not None}

    def part(self, name):
        """One part by name, with an error naming the parts this model has."""
        if name not in self.parts:
            raise ValueError(f"This model has no part {name!r}; its parts are {sorted(self.parts)}.")
        return self.parts[name]

    # --- Single-task networks sharing the layers ----------------------------------------------------------

    def autoencoder(self):
        """A new Keras model image -> reconstruction over the same layer objects (shared weights)."""
        return self._single_task(self.part("decoder"), f"{self.name}_autoencoder")

    def classification_network(self):
        """A new Keras model image -> logits over the same layer objects (shared weights)."""
        return self._single_task(self.classification_head(), f"{self.name}_classifier")

    def classification_head(self):
        """What turns the quantized latent into logits: the classifier, behind the decoder when the
        classifier takes decoded images (then a new Sequential over the same two layer objects)."""
        if self.classifier_input == "decoded":
            return keras.Sequential([self.decoder, self.part("classifier")], name="decoded_classifier")
        return self.part("classifier")

    def bottleneck_network(self):
        """A new Keras model image -> quantized latent values (what the heads receive)."""
        return self._single_task(None, f"{self.name}_bottleneck")

    def side_network(self):
        """A new Keras model image -> side-branch features, from the float latent (shared weights)."""
        images = keras.Input(shape=self.input_shape[1:], name="images")
        return ImageNetwork(images, self.part("side_branch")(self.encoder(images)), name=f"{self.name}_side")

    def _single_task(self, head, name):
        """A functional network image -> head(quantized latent) that takes images like the joint model."""
        images = keras.Input(shape=self.input_shape[1:], name="images")
        latent = _bottleneck(self.encoder, self.quantizer, images)
        return ImageNetwork(images, latent if head is None else head(latent), name=name)

    # --- The data path in inference mode -------------------------------------------------------------------

    def encode(self, images):
        """Latent of a batch of images, uint8 0..255 or float in [0, 1]: int32 symbols when quantized, else
        floats.

        Numpy (or list) images are checked first (`data.check_images`: dtype, range, NaN, rank, this model's
        input shape), a one-line `ImageInputError` when wrong; backend tensors, which may be symbolic (as in
        the SavedModel's traced endpoints), are only scaled."""
        if not ops.is_tensor(images):
            images = check_images(images, self)
        latent = self.encoder(_unit_float(images), training=False)
        return latent if self.quantizer is None else self.quantizer.to_symbols(latent)

    def _dequantize(self, latent):
        if not ops.is_tensor(latent):
            latent = self.check_latent(latent)
        return latent if self.quantizer is None else self.quantizer.from_symbols(latent)

    def check_latent(self, latent):
        """``latent`` as `encode` returns it, or a one-line `ValueError`: the shape (N, *latent_shape);
        for a quantized model, integer symbols within the quantizer's range (when it has one); otherwise
        finite floats."""
        array = np.asarray(latent)
        if array.ndim != len(self.latent_shape) + 1 or tuple(array.shape[1:]) != self.latent_shape:
            raise ValueError(f"latents for {self.name!r} have shape (N, {', '.join(map(str, self.latent_shape))}), "
                             f"got {array.shape}")
        if self.quantizer is None:
            if not np.issubdtype(array.dtype, np.floating):
                raise ValueError(f"latents for {self.name!r} are floats, got {array.dtype}")
            if not np.isfinite(array).all():
                raise ValueError(f"latents for {self.name!r} hold NaN or inf")
            return array
        bounds = getattr(self.quantizer, "symbol_range", None)  # None: unbounded (entropy-step quantizers)
        low, high = bounds if bounds is not None else (-np.inf, np.inf)
        if not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"symbols for {self.name!r} are integers"
                             f"{f' {low}..{high}' if bounds is not None else ''} (as encode returns them), got "
                             f"{array.dtype}")
        outside = (array < low) | (array > high)
        if outside.any():
            where = tuple(int(i) for i in np.argwhere(outside)[0])
            raise ValueError(f"symbols for {self.name!r} lie in {low}..{high}, got {array[where]} at index {where}")
        return array

    def decode(self, latent):
        """Reconstructed images from latents as returned by `encode` (checked by `check_latent` when given
        as numpy arrays)."""
        return self.part("decoder")(self._dequantize(latent), training=False)

    def classify(self, latent):
        """Logits from latents as returned by `encode` (without decoding the image, unless the classifier
        takes decoded images; checked by `check_latent` when given as numpy arrays)."""
        heads_input = self._dequantize(latent)
        if self.classifier_input == "decoded":
            heads_input = self.decoder(heads_input, training=False)
        return self.part("classifier")(heads_input, training=False)

    # --- Rate -----------------------------------------------------------------------------------------------

    @property
    def latent_shape(self):
        """Shape of one image's latent, without the batch axis."""
        return tuple(self.encoder.output_shape[1:])

    @property
    def bits_per_element(self):
        """Fixed-length bits per latent element: the quantizer's, 32 for an unquantized float latent, or None
        for a quantizer of unbounded symbols (an entropy bottleneck, entropy-step quantization), whose images
        cost only what their entropy-coded streams measure."""
        if self.quantizer is None:
            return 32
        return self.quantizer.bits_per_element

    @property
    def active_latent_units(self):
        """Latent entries that cross the link: all of them, unless a `LatentMask` closing the encoder (pruning,
        truncation) switched some off for good."""
        last = self.encoder.layers[-1] if hasattr(self.encoder, "layers") else None
        active = getattr(last, "active_units", None)
        return math.prod(self.latent_shape) if active is None else active

    @property
    def bytes_per_image(self):
        """Fixed-length bytes of one image's latent: its active entries at `bits_per_element` each; None when
        the symbols have no fixed length (see `bits_per_element`)."""
        if self.bits_per_element is None:
            return None
        return metrics.bytes_per_image((self.active_latent_units,), self.bits_per_element)

    @property
    def compression_ratio(self):
        """Raw 8-bit image bytes over `bytes_per_image` (None when that is None)."""
        if self.bytes_per_image is None:
            return None
        return metrics.compression_ratio(self.input_shape[1:], self.bytes_per_image)

    @property
    def num_classes(self):
        """Number of logits, or None without a classifier."""
        return None if self.classifier is None else self.classifier.output_shape[-1]

    # --- Serialization --------------------------------------------------------------------------------------

    def get_config(self):
        serialize = keras.saving.serialize_keras_object
        return {
            "name": self.name,
            "trainable": self.trainable,
            "classifier_input": self.classifier_input,
            "expose_latent": self.expose_latent,
            **{name: None if part is None else serialize(part) for name, part in self._all_parts()},
            "entropy_coding": None if self.entropy_coding is None else serialize(self.entropy_coding),
            "zoo": self.zoo,
        }

    def _all_parts(self):
        return [(name, getattr(self, name)) for name in PART_NAMES]

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in (*PART_NAMES, "entropy_coding"):
            if config.get(name) is not None:
                config[name] = keras.saving.deserialize_keras_object(config[name])
        return cls(**config)


_SETTINGS = ("classifier_input", "expose_latent", "entropy_coding", "zoo")


def _unit_float(images):
    """Images as the encoder takes them: integer dtypes (uint8 0..255) cast to float32 and divided by 255,
    floats (already in [0, 1]) unchanged. keras.ops only, so it runs eagerly and traced on every backend."""
    dtype = getattr(images, "dtype", None)
    if dtype is not None and keras.backend.standardize_dtype(dtype).startswith(("int", "uint")):
        return ops.divide(ops.cast(images, "float32"), 255.0)
    return images


def _bottleneck(encoder, quantizer, images):
    latent = encoder(images)
    return latent if quantizer is None else quantizer(latent)
