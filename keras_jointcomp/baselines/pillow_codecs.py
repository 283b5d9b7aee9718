"""JPEG and WebP through Pillow, with bytes counted the way a learned codec's bytes are counted.

A learned codec's receiver holds the decoder and its probability tables before the first image arrives;
only the latent crosses the link. To compare like with like, JPEG's tables are agreed in advance too:

    sender:   image --Pillow, streamtype=2--> abbreviated stream (no quantization or Huffman tables)
    once:     tables-only stream (streamtype=1), `shared_bytes` long, the same for every image
    receiver: tables without their EOI marker + image stream without its SOI marker --Pillow--> image

The spliced stream decodes to exactly the pixels of the normal, self-contained JPEG file. The tables depend
on the quality alone: the quantization tables scaled by libjpeg, and its standard Huffman tables
(``optimize=True`` is never used, since per-image Huffman tables could not be agreed in advance). WebP
(lossy VP8, ``method=6``: the slowest and smallest setting) has no such tables; an image costs its whole
file. The abbreviated JPEG stream still carries its per-image markers (JFIF header, frame and scan
headers), as a WebP file carries its RIFF and VP8 headers: the bytes counted are the bytes a decoder reads.

    codec = PillowCodec("jpeg", 10)
    streams = codec.encode(images)                      # uint8 (N, H, W, 1 or 3) -> list of bytes
    decoded = codec.decode(streams, channels=images.shape[-1])
"""

import io
import numbers

import numpy as np
from PIL import Image, UnidentifiedImageError, features

QUALITY_RANGES = {"jpeg": (1, 100), "webp": (0, 100)}
FORMATS = tuple(QUALITY_RANGES)
_PIL_FORMATS = {"jpeg": "JPEG", "webp": "WEBP"}
_MODES = {1: "L", 3: "RGB"}
_SOI = b"\xff\xd8"  # JPEG start-of-image marker
_EOI = b"\xff\xd9"  # JPEG end-of-image marker
_TABLES_ONLY, _IMAGE_ONLY = 1, 2  # Pillow's JPEG `streamtype` values (0 is a normal file)


class PillowCodec:
    """A classical codec at one quality setting: uint8 images to one byte string each, and back.

    Args:
        format: "jpeg" or "webp".
        quality: JPEG 1..100 or WebP 0..100 (higher: more bytes, less distortion).

    Grayscale images (one channel) stay grayscale: JPEG writes one component (mode "L"); WebP always
    codes colour, so its grayscale images come back through Pillow's RGB -> L conversion.
    """

    def __init__(self, format, quality):
        if format not in QUALITY_RANGES:
            raise ValueError(f"Unknown codec format {format!r}; choose one of {FORMATS}.")
        low, high = QUALITY_RANGES[format]
        if isinstance(quality, bool) or not isinstance(quality, numbers.Integral) or not low <= quality <= high:
            raise ValueError(f"{format} quality must be an integer from {low} to {high}, got {quality!r}.")
        if format == "webp" and not features.check("webp"):
            raise RuntimeError("This Pillow was built without WebP support (PIL.features.check('webp') is False).")
        self._format = format
        self._quality = int(quality)
        self._tables = _jpeg_tables(self._quality) if format == "jpeg" else b""

    def __repr__(self):
        return f"PillowCodec({self._format!r}, {self._quality})"

    @property
    def format(self):
        """"jpeg" or "webp"."""
        return self._format

    @property
    def quality(self):
        """The quality setting, an int."""
        return self._quality

    @property
    def name(self):
        """A short label such as "jpeg q10"."""
        return f"{self._format} q{self._quality}"

    @property
    def shared_bytes(self):
        """Bytes agreed once per codec rather than sent per image: JPEG's tables stream; 0 for WebP."""
        return len(self._tables)

    def encode(self, images):
        """One byte string per image of a uint8 (N, H, W, C) array, C = 1 or 3."""
        images = _check_images(images)
        options = {"quality": self._quality}
        if self._format == "jpeg":
            options["streamtype"] = _IMAGE_ONLY
        else:
            options["method"] = 6
        streams = []
        for image in images:
            buffer = io.BytesIO()
            Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(
                buffer, _PIL_FORMATS[self._format], **options)
            streams.append(buffer.getvalue())
        return streams

    def decode(self, streams, channels):
        """A uint8 (N, H, W, channels) array from the byte strings of `encode`; ``channels`` is 1 or 3,
        as in the encoded images (the image size comes from the streams)."""
        if channels not in _MODES:
            raise ValueError(f"channels must be 1 or 3, got {channels!r}.")
        if len(streams) == 0:
            raise ValueError("No streams to decode.")
        decoded = [self._decode_one(stream, index, _MODES[channels]) for index, stream in enumerate(streams)]
        sizes = sorted({image.shape[:2] for image in decoded})
        if len(sizes) > 1:
            raise ValueError(f"The streams decode to images of different sizes: {sizes[:3]}.")
        decoded = np.stack(decoded)
        return decoded[..., None] if channels == 1 else decoded

    def _decode_one(self, stream, index, mode):
        stream = bytes(stream)
        if self._format == "jpeg":
            if not stream.startswith(_SOI):
                raise ValueError(f"Stream {index} is not a JPEG stream: it lacks the start-of-image marker.")
            stream = self._tables[: -len(_EOI)] + stream[len(_SOI):]
        try:
            with Image.open(io.BytesIO(stream), formats=[_PIL_FORMATS[self._format]]) as image:
                image.load()
                stored_mode, pixels = image.mode, np.asarray(image.convert(mode))
        except UnidentifiedImageError:
            raise ValueError(f"Stream {index} is not a valid {self.name} stream: Pillow cannot read it as "
                             "an image.") from None
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
            message = " ".join(str(error).split())  # one line
            raise ValueError(f"Stream {index} is not a valid {self.name} stream: {message}") from None
        if self._format == "jpeg" and stored_mode != mode:
            raise ValueError(f"Stream {index} holds a {stored_mode} image, expected {mode}.")
        return pixels


def _jpeg_tables(quality):
    """The tables-only JPEG stream of a quality: the same for every image and colour mode."""
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buffer, "JPEG", quality=quality, streamtype=_TABLES_ONLY)
    tables = buffer.getvalue()
    if not (tables.startswith(_SOI) and tables.endswith(_EOI)):
        raise RuntimeError("Pillow wrote a JPEG tables stream without SOI and EOI markers; cannot share tables.")
    return tables


def _check_images(images):
    """The images as a uint8 (N, H, W, 1 or 3) array, or a one-line error naming what is wrong."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(f"Images must be uint8 (0..255), got dtype {images.dtype}.")
    if images.ndim != 4 or images.shape[-1] not in _MODES:
        raise ValueError(f"Images must be (N, H, W, C) with C = 1 or 3, got shape {images.shape}.")
    if len(images) == 0:
        raise ValueError("No images to encode.")
    return images
