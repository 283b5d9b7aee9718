import io

import numpy as np
import pytest
from PIL import Image, features

from keras_jointcomp.baselines import PillowCodec

needs_webp = pytest.mark.skipif(not features.check("webp"), reason="Pillow built without WebP")


def _smooth_images(n=6, shape=(28, 28, 1), seed=0):
    """Gradients plus a little noise: compressible like real pictures, unlike uniform noise."""
    rng = np.random.default_rng(seed)
    height, width, channels = shape
    rows, cols = np.meshgrid(np.linspace(0, 1, height), np.linspace(0, 1, width), indexing="ij")
    images = []
    for _ in range(n):
        slope = rng.uniform(-1, 1, (2, channels))
        base = 128 + 100 * (rows[..., None] * slope[0] + cols[..., None] * slope[1])
        images.append(base + rng.normal(0, 8, (height, width, channels)))
    return np.clip(np.stack(images), 0, 255).astype(np.uint8)


def _normal_jpeg_pixels(image, quality):
    buffer = io.BytesIO()
    Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())))


@pytest.mark.parametrize("format", ["jpeg", pytest.param("webp", marks=needs_webp)])
@pytest.mark.parametrize("shape", [(28, 28, 1), (13, 17, 3)])
def test_round_trip_keeps_shape_dtype_and_roughly_the_pixels(format, shape):
    images = _smooth_images(shape=shape)
    codec = PillowCodec(format, 90)
    streams = codec.encode(images)
    assert len(streams) == len(images) and all(isinstance(s, bytes) and len(s) > 0 for s in streams)
    decoded = codec.decode(streams, channels=shape[-1])
    assert decoded.shape == images.shape and decoded.dtype == np.uint8
    assert np.abs(decoded.astype(int) - images).mean() < 10


@pytest.mark.parametrize("shape", [(28, 28, 1), (13, 17, 3)])
@pytest.mark.parametrize("quality", [1, 10, 75])
def test_jpeg_spliced_decode_equals_the_full_file_bit_exactly(shape, quality):
    images = _smooth_images(shape=shape)
    codec = PillowCodec("jpeg", quality)
    streams = codec.encode(images)
    decoded = codec.decode(streams, channels=shape[-1])
    for image, pixels in zip(images, decoded):
        expected = _normal_jpeg_pixels(image, quality)
        np.testing.assert_array_equal(pixels, expected.reshape(pixels.shape))


def test_jpeg_streams_carry_no_tables_and_the_tables_are_shared():
    images = _smooth_images(shape=(28, 28, 3))
    codec = PillowCodec("jpeg", 50)
    for stream in codec.encode(images):
        assert b"\xff\xdb" not in stream and b"\xff\xc4" not in stream  # no DQT, no DHT segment
    assert codec.shared_bytes > 0
    assert codec.name == "jpeg q50" and codec.format == "jpeg" and codec.quality == 50


def test_jpeg_grayscale_stays_one_component():
    codec = PillowCodec("jpeg", 50)
    (stream,) = codec.encode(_smooth_images(1))
    assert b"\xff\xc0\x00\x0b" in stream  # baseline frame header of length 11: one component
    with pytest.raises(ValueError, match="holds a L image, expected RGB"):
        codec.decode([stream], channels=3)


@pytest.mark.parametrize("format,qualities", [
    ("jpeg", (5, 30, 90)), pytest.param("webp", (0, 30, 90), marks=needs_webp)])
def test_bytes_grow_with_quality(format, qualities):
    images = _smooth_images(8, (32, 32, 3))
    totals = [sum(map(len, PillowCodec(format, q).encode(images))) for q in qualities]
    assert totals == sorted(totals) and totals[0] < totals[-1]


@pytest.mark.parametrize("format,quality,match", [
    ("png", 10, "Unknown codec format 'png'"),
    ("jpeg", 0, "jpeg quality must be an integer from 1 to 100, got 0"),
    ("webp", 101, "webp quality must be an integer from 0 to 100"),
    ("jpeg", 10.5, "got 10.5"),
    ("jpeg", True, "got True"),
])
def test_bad_format_or_quality(format, quality, match):
    with pytest.raises(ValueError, match=match):
        PillowCodec(format, quality)


@pytest.mark.parametrize("images,match", [
    (np.zeros((2, 8, 8, 1), "float32"), "uint8 .*float32"),
    (np.zeros((8, 8, 1), "uint8"), r"\(N, H, W, C\).*\(8, 8, 1\)"),
    (np.zeros((2, 8, 8, 4), "uint8"), "C = 1 or 3"),
    (np.zeros((0, 8, 8, 1), "uint8"), "No images"),
])
def test_bad_images(images, match):
    with pytest.raises(ValueError, match=match):
        PillowCodec("jpeg", 10).encode(images)


@pytest.mark.parametrize("format", ["jpeg", pytest.param("webp", marks=needs_webp)])
def test_corrupt_streams_raise_one_line_value_errors(format):
    codec = PillowCodec(format, 50)
    (stream,) = codec.encode(_smooth_images(1))
    corrupt = [b"", b"not an image at all", stream[: len(stream) // 2], stream[:20]]
    for index, bad in enumerate(corrupt):
        with pytest.raises(ValueError, match="Stream 1 ") as error:
            codec.decode([stream, bad], channels=1)
        assert "\n" not in str(error.value), f"case {index}"


def test_decode_checks_channels_and_emptiness():
    codec = PillowCodec("jpeg", 50)
    with pytest.raises(ValueError, match="channels must be 1 or 3"):
        codec.decode(codec.encode(_smooth_images(1)), channels=2)
    with pytest.raises(ValueError, match="No streams"):
        codec.decode([], channels=1)
