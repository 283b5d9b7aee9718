"""The bitstream of one image: a small versioned header, the entropy-coded payload, a checksum.

    offset  size  field
    0       2     magic b"JC"
    2       1     format version (FORMAT_VERSION)
    3       4     model fingerprint: the first 4 bytes of the SHA-256 of the model's weights, quantizer and
                  entropy tables (`LatentCodec.fingerprint`)
    7       1     latent rank r
    8       2r    latent shape, one big-endian uint16 per axis
    8+2r    1     quantizer bits per symbol (0: unbounded symbols)
    9+2r    4     quantizer step scale, big-endian float32
    13+2r   ...   payload
    end-4   4     CRC-32 of everything before it, big-endian

A stream is checked before anything is decoded: a flipped bit anywhere fails the checksum, a truncated
stream fails it too (or is too short to hold a header), and a stream written by another model, at a rate
the model was not set up for, or in another format version is refused by name. Each failure raises
`BitstreamError` with a one-line reason. Many streams go into one file as a *stream file*: magic b"JCSF",
the format version, a uint32 count, then each stream behind its uint32 length.
"""

import dataclasses
import struct
import zlib

MAGIC = b"JC"
FORMAT_VERSION = 1
FINGERPRINT_BYTES = 4
STREAM_FILE_MAGIC = b"JCSF"

_CHECKSUM = struct.Struct(">I")
_FIXED = struct.Struct(">2sB4sB")
_QUANTIZER = struct.Struct(">Bf")


class BitstreamError(ValueError):
    """A stream or stream file that is corrupt, truncated, or not meant for this model."""


@dataclasses.dataclass(frozen=True)
class StreamHeader:
    """What a decoder must know, and check, before it reads a payload."""

    fingerprint: bytes
    latent_shape: tuple
    num_bits: int  # 0 for unbounded symbols
    step_scale: float

    def __post_init__(self):
        if len(self.fingerprint) != FINGERPRINT_BYTES:
            raise ValueError(f"A fingerprint has {FINGERPRINT_BYTES} bytes, got {len(self.fingerprint)}.")
        if not 1 <= len(self.latent_shape) <= 255 or not all(0 < size < 2**16 for size in self.latent_shape):
            raise ValueError(f"Latent shape {self.latent_shape} does not fit the header (axes of 1..65535).")
        if not 0 <= self.num_bits <= 255:
            raise ValueError(f"num_bits {self.num_bits} does not fit the header.")
        object.__setattr__(self, "step_scale", _float32(self.step_scale))

    @property
    def size(self):
        """Bytes of the header plus the checksum: everything in a stream but the payload."""
        return _FIXED.size + 2 * len(self.latent_shape) + _QUANTIZER.size + _CHECKSUM.size


def pack(header, payload):
    """One stream: header, payload, checksum."""
    shape = struct.pack(f">{len(header.latent_shape)}H", *header.latent_shape)
    body = (_FIXED.pack(MAGIC, FORMAT_VERSION, header.fingerprint, len(header.latent_shape)) + shape
            + _QUANTIZER.pack(header.num_bits, header.step_scale) + bytes(payload))
    return body + _CHECKSUM.pack(zlib.crc32(body))


def unpack(stream):
    """``(header, payload)`` of a stream, or `BitstreamError` naming what is wrong with it."""
    stream = bytes(stream)
    if len(stream) < _FIXED.size + _CHECKSUM.size:
        raise BitstreamError(f"stream of {len(stream)} bytes is too short to hold a header (truncated?)")
    magic, version, fingerprint, rank = _FIXED.unpack_from(stream)
    if magic != MAGIC:
        raise BitstreamError(f"not a keras-jointcomp stream (starts with {magic!r}, expected {MAGIC!r})")
    if version != FORMAT_VERSION:
        raise BitstreamError(f"stream format version {version} is not supported (this library reads "
                             f"version {FORMAT_VERSION})")
    body, checksum = stream[:-_CHECKSUM.size], _CHECKSUM.unpack(stream[-_CHECKSUM.size:])[0]
    if zlib.crc32(body) != checksum:
        raise BitstreamError("stream checksum mismatch: the stream is corrupt or truncated")
    shape_end = _FIXED.size + 2 * rank
    if len(body) < shape_end + _QUANTIZER.size:
        raise BitstreamError("stream header is incomplete")
    latent_shape = struct.unpack_from(f">{rank}H", body, _FIXED.size)
    num_bits, step_scale = _QUANTIZER.unpack_from(body, shape_end)
    header = StreamHeader(fingerprint, tuple(latent_shape), num_bits, step_scale)
    return header, body[shape_end + _QUANTIZER.size:]


def pack_stream_file(streams):
    """Bytes of a stream file holding ``streams`` in order."""
    parts = [STREAM_FILE_MAGIC, bytes([FORMAT_VERSION]), struct.pack(">I", len(streams))]
    for stream in streams:
        parts += [struct.pack(">I", len(stream)), bytes(stream)]
    return b"".join(parts)


def unpack_stream_file(data):
    """The streams of a stream file, or `BitstreamError` if it is not one or is cut short."""
    data = bytes(data)
    if data[:4] != STREAM_FILE_MAGIC or len(data) < 9:
        raise BitstreamError("not a keras-jointcomp stream file")
    if data[4] != FORMAT_VERSION:
        raise BitstreamError(f"stream file format version {data[4]} is not supported")
    (count,), offset, streams = struct.unpack_from(">I", data, 5), 9, []
    for index in range(count):
        if offset + 4 > len(data):
            raise BitstreamError(f"stream file is truncated: stream {index} of {count} is missing")
        (length,) = struct.unpack_from(">I", data, offset)
        if offset + 4 + length > len(data):
            raise BitstreamError(f"stream file is truncated inside stream {index} of {count}")
        streams.append(data[offset + 4:offset + 4 + length])
        offset += 4 + length
    if offset != len(data):
        raise BitstreamError(f"stream file has {len(data) - offset} unexpected bytes after its {count} streams")
    return streams


def _float32(value):
    return struct.unpack(">f", struct.pack(">f", float(value)))[0]
