import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import keras_jointcomp as jc
from keras_jointcomp import codec
from keras_jointcomp.codec import container
from keras_jointcomp.models.joint import JointModel
from tests.conftest import tiny_images

STEP_SCALES = (1.0, 2.0)


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    model = jc.models.load("atl_lenet")
    train, _ = tiny_images(64, seed=3)
    model.entropy_coding = codec.fit_entropy_coding(model, train, step_scales=STEP_SCALES)
    return model


@pytest.fixture(scope="module")
def images():
    return tiny_images(6, seed=4)[0]


def test_streams_decode_to_exactly_the_encoders_symbols(model, images):
    for scale in STEP_SCALES:
        latent_codec = codec.LatentCodec(model, scale)
        streams = latent_codec.compress(images)
        assert len(streams) == len(images) and all(isinstance(stream, bytes) for stream in streams)
        symbols = latent_codec.decompress(streams)
        assert symbols.dtype == np.int32 and symbols.shape == (6, 5, 5, 16)
        np.testing.assert_array_equal(symbols, latent_codec.symbols(images))


def test_heads_of_decompressed_symbols_match_the_model(model, images):
    latent_codec = codec.LatentCodec(model)
    outputs = latent_codec.heads(latent_codec.decompress(latent_codec.compress(images)))
    expected = model.predict(images.astype("float32") / 255.0, verbose=0)
    np.testing.assert_allclose(outputs["logits"], expected["logits"], atol=1e-5)
    np.testing.assert_allclose(outputs["reconstruction"], expected["reconstruction"], atol=1e-5)


def test_coarser_step_scale_gives_fewer_levels_and_bytes(model, images):
    fine, coarse = codec.LatentCodec(model, 1.0), codec.LatentCodec(model, 2.0)
    assert (fine.header.num_bits, coarse.header.num_bits) == (4, 3)
    assert coarse.model.quantizer.step == 2.0 and coarse.model.encoder is model.encoder
    assert coarse.symbols(images).max() <= 7
    bytes_fine = np.mean([len(s) for s in fine.compress(images)])
    bytes_coarse = np.mean([len(s) for s in coarse.compress(images)])
    assert bytes_coarse < bytes_fine


def test_actual_bytes_are_within_one_percent_of_the_estimate_plus_header(model):
    test_images = tiny_images(40, seed=5)[0]
    latent_codec = codec.LatentCodec(model)
    actual = np.mean([len(stream) for stream in latent_codec.compress(test_images)])
    estimate = latent_codec.estimated_bytes(latent_codec.symbols(test_images)).mean()
    header = latent_codec.header_bytes
    assert header == 23
    assert actual <= (estimate - header) * 1.01 + header + 1
    assert actual < model.bytes_per_image


@pytest.mark.parametrize("damage", ["flip", "truncate", "append"])
def test_damaged_streams_give_a_one_line_error(model, images, damage):
    latent_codec = codec.LatentCodec(model)
    stream = bytearray(latent_codec.compress(images[:1])[0])
    if damage == "flip":
        stream[len(stream) // 2] ^= 0x10
    elif damage == "truncate":
        del stream[-3:]
    else:
        stream += b"\0"
    with pytest.raises(codec.BitstreamError, match="stream 0: .*(checksum|too short)") as error:
        latent_codec.decompress([bytes(stream)])
    assert "\n" not in str(error.value)


def test_every_truncation_and_every_flipped_byte_is_caught(model, images):
    latent_codec = codec.LatentCodec(model)
    stream = latent_codec.compress(images[:1])[0]
    for length in range(len(stream)):
        with pytest.raises(codec.BitstreamError):
            latent_codec.decompress([stream[:length]])
    for position in range(len(stream)):
        damaged = bytearray(stream)
        damaged[position] ^= 0xFF
        with pytest.raises(codec.BitstreamError):
            latent_codec.decompress([bytes(damaged)])


def test_streams_of_another_model_or_rate_are_refused(model, images):
    keras.utils.set_random_seed(1)
    other = jc.models.load("atl_lenet")
    other.entropy_coding = model.entropy_coding
    foreign = codec.LatentCodec(other).compress(images[:1])
    with pytest.raises(codec.BitstreamError, match="written by another model"):
        codec.LatentCodec(model).decompress(foreign)
    coarse = codec.LatentCodec(model, 2.0).compress(images[:1])
    with pytest.raises(codec.BitstreamError, match="step scale 2"):
        codec.LatentCodec(model).decompress(coarse)
    assert codec.LatentCodec.for_stream(model, coarse[0]).step_scale == 2.0
    rgb = jc.models.load("atl_lenet", input_shape=(32, 32, 3))
    rgb.entropy_coding = codec.fit_entropy_coding(rgb, tiny_images(8, (32, 32, 3))[0])
    with pytest.raises(codec.BitstreamError, match="shape"):
        codec.LatentCodec(model).decompress(codec.LatentCodec(rgb).compress(tiny_images(1, (32, 32, 3))[0]))


def test_other_headers_and_files_are_refused(model, images):
    stream = codec.LatentCodec(model).compress(images[:1])[0]
    with pytest.raises(codec.BitstreamError, match="not a keras-jointcomp stream"):
        codec.LatentCodec(model).decompress([b"\x89PNG" + stream[4:]])
    newer = bytearray(stream)
    newer[2] = codec.FORMAT_VERSION + 1
    with pytest.raises(codec.BitstreamError, match="version 2 is not supported"):
        codec.LatentCodec(model).decompress([bytes(newer)])
    with pytest.raises(codec.BitstreamError, match="no streams"):
        codec.LatentCodec(model).decompress([])


def test_a_model_without_tables_or_rate_says_what_to_do(images):
    with pytest.raises(ValueError, match="no entropy tables; fit them"):
        codec.LatentCodec(jc.models.load("atl_lenet"))
    model = jc.models.load("atl_lenet")
    model.entropy_coding = codec.fit_entropy_coding(model, images)
    with pytest.raises(ValueError, match="no entropy tables for step scale 3; it streams at step scales 1"):
        codec.LatentCodec(model, 3)


def test_a_float_latent_cannot_be_streamed(images):
    base = jc.models.load("atl_lenet")
    unquantized = JointModel(encoder=base.encoder, classifier=base.classifier)
    with pytest.raises(ValueError, match="no quantizer"):
        codec.fit_entropy_coding(unquantized, images)


def test_stream_files_hold_streams_in_order_and_refuse_damage():
    streams = [b"a", b"", b"xyz"]
    data = codec.pack_stream_file(streams)
    assert codec.unpack_stream_file(data) == streams
    with pytest.raises(codec.BitstreamError, match="truncated"):
        codec.unpack_stream_file(data[:-1])
    with pytest.raises(codec.BitstreamError, match="unexpected bytes"):
        codec.unpack_stream_file(data + b"!")
    with pytest.raises(codec.BitstreamError, match="not a keras-jointcomp stream file"):
        codec.unpack_stream_file(b"PK\x03\x04")


def test_header_round_trip():
    header = codec.StreamHeader(b"abcd", (5, 5, 16), 3, 2.0)
    unpacked, payload = container.unpack(container.pack(header, b"payload"))
    assert unpacked == header and payload == b"payload" and header.size == 23


def test_tables_and_fingerprint_survive_saving(model, images, tmp_path):
    path = jc.models.save_model(model, tmp_path / "m.keras")
    loaded = jc.models.load_model(path)
    assert loaded.entropy_coding.step_scales == list(STEP_SCALES)
    for scale in STEP_SCALES:
        assert loaded.entropy_coding.entropy_model(scale) == model.entropy_coding.entropy_model(scale)
        written = codec.LatentCodec(model, scale).compress(images)
        np.testing.assert_array_equal(codec.LatentCodec(loaded, scale).decompress(written),
                                      codec.LatentCodec(model, scale).symbols(images))


DECODE_IN_ANOTHER_PROCESS = """
import sys
import numpy as np
import keras_jointcomp as jc
from keras_jointcomp import codec
model = jc.models.load_model(sys.argv[1])
streams = codec.unpack_stream_file(open(sys.argv[2], "rb").read())
symbols = codec.LatentCodec.for_stream(model, streams[0]).decompress(streams)
np.save(sys.argv[3], symbols)
print(jc.models.joint.keras.backend.backend())
"""


def test_streams_decode_bit_exactly_in_another_process_under_another_backend(model, images, tmp_path):
    this_backend = keras.backend.backend()
    other_backend = {"tensorflow": "jax", "jax": "torch", "torch": "tensorflow"}[this_backend]
    model_file = jc.models.save_model(model, tmp_path / "m.keras")
    latent_codec = codec.LatentCodec(model, 2.0)
    (tmp_path / "s.jcs").write_bytes(codec.pack_stream_file(latent_codec.compress(images)))
    script = tmp_path / "decode.py"
    script.write_text(DECODE_IN_ANOTHER_PROCESS)
    environment = {**os.environ, "KERAS_BACKEND": other_backend}
    result = subprocess.run(
        [sys.executable, str(script), str(model_file), str(tmp_path / "s.jcs"), str(tmp_path / "symbols.npy")],
        env=environment, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == other_backend
    np.testing.assert_array_equal(np.load(tmp_path / "symbols.npy"), latent_codec.symbols(images))
