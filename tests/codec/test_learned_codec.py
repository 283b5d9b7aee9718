"""Streams of a model trained for rate: its learned densities, frozen to integer tables, code real bytes."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import keras_jointcomp as jc
from keras_jointcomp import codec, training
from keras_jointcomp.codec.container import compact_framing_bytes
from keras_jointcomp.entropy_models import LearnedEntropyModel
from tests.conftest import tiny_images


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    model = jc.models.load("factorized_mnist", filters=8, latent_channels=4, classifier_width=8)
    images, labels = tiny_images(64, seed=3)
    config = training.TrainingConfig(batch_size=16, verbose=0)
    training.train("rate-distortion", model, (images, labels), 1, config, lmbda=200.0, beta=1.0)
    return model


@pytest.fixture(scope="module")
def images():
    return tiny_images(40, seed=4)[0]


def test_training_for_rate_leaves_frozen_learned_tables(model):
    entropy_model = model.entropy_coding.entropy_model(1.0)
    assert isinstance(entropy_model, LearnedEntropyModel) and entropy_model.latent_shape == (7, 7, 4)
    assert model.output_keys == ("reconstruction", "logits", "rate")


def test_streams_decode_exactly_and_the_payload_is_within_one_percent_of_the_estimate(model, images):
    latent_codec = codec.LatentCodec(model)
    symbols = latent_codec.symbols(images)
    streams = latent_codec.compress_symbols(symbols)
    np.testing.assert_array_equal(latent_codec.decompress(streams), symbols)
    payload = sum(len(stream) - latent_codec.header_bytes for stream in streams)
    estimate = (latent_codec.estimated_bytes(symbols) - latent_codec.header_bytes).sum()
    assert abs(payload - estimate) <= 0.01 * estimate
    outputs = latent_codec.heads(symbols)
    expected = model.predict(images, verbose=0)
    np.testing.assert_allclose(outputs["logits"], expected["logits"], atol=1e-4)
    np.testing.assert_allclose(outputs["reconstruction"], expected["reconstruction"], atol=1e-4)


def test_a_compact_stream_file_costs_the_payloads_plus_a_few_bytes(model, images):
    streams = codec.LatentCodec(model).compress(images)
    header = codec.LatentCodec(model).header
    payloads = [len(stream) - header.size for stream in streams]
    compact = codec.pack_stream_file(streams, compact=True)
    assert len(compact) == sum(payloads) + compact_framing_bytes(header, payloads)
    assert len(compact) <= sum(payloads) + 2 * len(streams) + 40
    assert codec.unpack_stream_file(compact) == streams


def test_damaged_truncated_or_foreign_compact_files_give_one_line(model, images, tmp_path):
    streams = codec.LatentCodec(model).compress(images[:4])
    compact = codec.pack_stream_file(streams, compact=True)
    for damaged in [compact[:-1], compact[:20], compact[:-5] + bytes([compact[-5] ^ 1]) + compact[-4:],
                    compact + b"x"]:
        with pytest.raises(codec.BitstreamError) as caught:
            codec.unpack_stream_file(damaged)
        assert "\n" not in str(caught.value) and "compact stream file" in str(caught.value)
    keras.utils.set_random_seed(5)
    other = jc.models.load("factorized_mnist", filters=8, latent_channels=4, classifier_width=8)
    other.entropy_coding = codec.freeze_entropy_coding(other)
    with pytest.raises(codec.BitstreamError, match="written by another model"):
        codec.LatentCodec(other).decompress(codec.unpack_stream_file(compact))


def test_images_of_several_headers_cannot_share_a_compact_file(model, images):
    fine = codec.LatentCodec(model).compress(images[:1])
    other = codec.LatentCodec(model.replace(entropy_coding=codec.freeze_entropy_coding(model, [2.0])), 2.0)
    with pytest.raises(ValueError, match="one model at one rate"):
        codec.pack_stream_file(fine + other.compress(images[:1]), compact=True)


DECODE_IN_ANOTHER_PROCESS = """
import sys
import numpy as np
import keras_jointcomp as jc
from keras_jointcomp import codec
model = jc.models.load_model(sys.argv[1])
streams = codec.unpack_stream_file(open(sys.argv[2], "rb").read())
np.save(sys.argv[3], codec.LatentCodec.for_stream(model, streams[0]).decompress(streams))
print(jc.models.joint.keras.backend.backend())
"""


@pytest.mark.parametrize("offset", [1, 2])
def test_streams_decode_bit_exactly_under_the_other_backends(model, images, tmp_path, offset):
    backends = ("tensorflow", "jax", "torch")
    other_backend = backends[(backends.index(keras.backend.backend()) + offset) % 3]
    model_file = jc.models.save_model(model, tmp_path / "m.keras")
    latent_codec = codec.LatentCodec(model)
    (tmp_path / "s.jcs").write_bytes(codec.pack_stream_file(latent_codec.compress(images), compact=True))
    (tmp_path / "decode.py").write_text(DECODE_IN_ANOTHER_PROCESS)
    result = subprocess.run(
        [sys.executable, str(tmp_path / "decode.py"), str(model_file), str(tmp_path / "s.jcs"),
         str(tmp_path / "symbols.npy")],
        env={**os.environ, "KERAS_BACKEND": other_backend}, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == other_backend
    np.testing.assert_array_equal(np.load(tmp_path / "symbols.npy"), latent_codec.symbols(images))
