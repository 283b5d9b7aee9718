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
`BitstreamError` with a one-line reason.

Many streams go into one file as a *stream file* (format version `STREAM_FILE_VERSION`, 2), which guards
what single streams cannot: that the streams are all there, each once, in the order they were written, and
from this one file. Streams are numbered from 0, as `LatentCodec.decompress` and `jointcomp decompress`
number them. All integers are big-endian uint32.

    offset  size  field
    0       4     magic b"JCSF"
    4       1     stream-file version (2; single streams keep their own FORMAT_VERSION)
    5       4     count n: the number of streams
    9       4     file id: the first 4 bytes of the SHA-256 of the streams in order, each behind its length
    13      ...   n entries, one per stream:
                    4   index: the stream's position, 0 .. n-1
                    4   count n again
                    4   file id again
                    4   length of the stream
                    ... the stream, unchanged (its own header and CRC-32 included)
    end-4   4     CRC-32 (zlib.crc32) of everything before it

A file costs 17 bytes plus 16 per stream around the streams; the bytes per image counted elsewhere are the
streams' own and do not change. Reading checks the magic and version, walks the entries (a file cut short,
or with bytes or another stream file after its end, stops here), then the CRC-32 of the whole file and
every field: nothing is returned unless all agree. The CRC-32 decides *whether* a file is refused, but a
bare "checksum mismatch" would hide what happened, so when anything disagrees the message names the first
of these that explains it: the streams are intact and only the count differs (`stream file holds 10
streams but says 11 (its count is damaged or was edited)`); a keras-jointcomp stream fails its own CRC-32
(`stream 1: stream checksum mismatch: ...`, as decoding names it: damage, since moving whole entries
keeps streams whole); more or fewer streams than the count (`stream file holds 9 streams but says 10:
stream 9 is missing`); a stream from another file (its file id differs: `stream 3 is stream 3 of 6 of
another stream file`); a duplicate (an index seen before: `stream 4 repeats stream 2`); a stream dropped
and the count edited to match (an index missing below the count the entries carry); swapped streams
(`stream 3 is stream 5 of the file it came from`). Only when none does: `stream file: checksum mismatch
(damaged or edited)`. CRC-32 catches damage, not forgery: it is not a signature.

A *compact* stream file (version 3) is for many small images from one model at one rate, where a 23-byte
header per stream would cost more than the payload: the stream header is written once, and each image costs
its payload plus its length (one byte below 128 bytes, LEB128).

    offset  size  field
    0       4     magic b"JCSF"
    4       1     stream-file version (3)
    5       4     count n
    9       13+2r the streams' shared header (magic b"JC" through step scale, as above)
    ...     ...   n entries: the payload's length (LEB128 varint), the payload
    end-4   4     CRC-32 (zlib.crc32) of everything before it

Reading gives back the streams as single streams (header and checksum restored), so decoding is the same for
both kinds; a damaged or cut file fails its CRC-32 or runs out before its count (one line each).

Version 1 stream files (magic, version byte 1, count, then each stream behind its length; no indices, file
id or checksum) are still read, since `jointcomp compress` wrote them: they carry no such guard, but each
stream's own checksum is checked when it is decoded; compressing again writes version 2. Other versions are
refused by number.
"""

import dataclasses
import hashlib
import struct
import zlib

MAGIC = b"JC"
FORMAT_VERSION = 1
FINGERPRINT_BYTES = 4
STREAM_FILE_MAGIC = b"JCSF"
STREAM_FILE_VERSION = 2
COMPACT_STREAM_FILE_VERSION = 3

_CHECKSUM = struct.Struct(">I")
_FIXED = struct.Struct(">2sB4sB")
_QUANTIZER = struct.Struct(">Bf")
_STREAM_MISMATCH = "stream checksum mismatch: the stream is corrupt or truncated"  # as unpack says
_FILE_HEADER = struct.Struct(">4sBI4s")  # magic, version, count, file id
_ENTRY = struct.Struct(">II4sI")  # index, count, file id, length
_COMPACT_HEADER = struct.Struct(">4sBI")  # magic, version, count
_UINT32 = struct.Struct(">I")
_MAX_LISTED = 5  # streams named in one message, at most


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


def pack_stream_file(streams, compact=False):
    """Bytes of a stream file holding ``streams`` in order: version 2 (every stream whole, indexed), or with
    ``compact`` version 3 (one shared header, a length and a payload per image; the streams must all share
    their header: one model at one rate). See the module docstring."""
    streams = [bytes(stream) for stream in streams]
    if compact:
        return _pack_compact(streams)
    if len(streams) >= 2**32 or any(len(stream) >= 2**32 for stream in streams):
        raise ValueError("A stream file holds fewer than 2**32 streams of fewer than 2**32 bytes each.")
    count, file_id = len(streams), _file_id(streams)
    parts = [_FILE_HEADER.pack(STREAM_FILE_MAGIC, STREAM_FILE_VERSION, count, file_id)]
    for index, stream in enumerate(streams):
        parts += [_ENTRY.pack(index, count, file_id, len(stream)), stream]
    body = b"".join(parts)
    return body + _CHECKSUM.pack(zlib.crc32(body))


def unpack_stream_file(data):
    """The streams of a stream file, in order, or `BitstreamError` with one line naming what is wrong.

    A version 2 file comes back only when its CRC-32, count, indices and file ids all agree; a version 1
    file is read as before (see the module docstring).
    """
    data = bytes(data)
    if not data:
        raise BitstreamError("stream file is empty")
    if len(data) < 5 and STREAM_FILE_MAGIC.startswith(data[:4]):
        raise BitstreamError(f"stream file is truncated: {len(data)} bytes cannot hold its header")
    if data[:4] != STREAM_FILE_MAGIC:
        raise BitstreamError("not a keras-jointcomp stream file (it does not start with JCSF)")
    version = data[4]
    if version == 1:
        return _unpack_version_1(data)
    if version == COMPACT_STREAM_FILE_VERSION:
        return _unpack_compact(data)
    if version != STREAM_FILE_VERSION:
        damaged = "" if _checksum_holds(data) else "; or the file is damaged"
        raise BitstreamError(f"stream file format version {version} is not supported (this library reads "
                             f"versions 1, {STREAM_FILE_VERSION} and {COMPACT_STREAM_FILE_VERSION}{damaged})")
    if len(data) < _FILE_HEADER.size + _CHECKSUM.size:
        raise BitstreamError(f"stream file is truncated: {len(data)} bytes cannot hold its header and checksum")
    _, _, count, file_id = _FILE_HEADER.unpack_from(data)
    entries, end = _entries(data, count)
    streams = [stream for _, _, _, stream in entries]
    checksum_holds = _CHECKSUM.unpack_from(data, end)[0] == zlib.crc32(data[:end])
    if (checksum_holds and len(entries) == count and _file_id(streams) == file_id
            and all(entry[:3] == (position, count, file_id) for position, entry in enumerate(entries))):
        return streams
    raise BitstreamError(_diagnosis(entries, count, file_id, streams, checksum_holds))


def compact_framing_bytes(header, payload_lengths):
    """Bytes a compact stream file adds to the payloads: its header, shared stream header, checksum and
    one length per payload."""
    # The shared header is a stream's header without its CRC-32; the file's own CRC-32 takes its place.
    return _COMPACT_HEADER.size + header.size + sum(len(_varint(length)) for length in payload_lengths)


def _pack_compact(streams):
    if not streams:
        raise ValueError("A compact stream file needs at least one stream (its header comes from them).")
    unpacked = [unpack(stream) for stream in streams]
    header = unpacked[0][0]
    if any(other != header for other, _ in unpacked):
        raise ValueError("A compact stream file holds streams of one model at one rate; these streams have "
                         "different headers (write them with compact=False).")
    shared = pack(header, b"")[:-_CHECKSUM.size]
    parts = [_COMPACT_HEADER.pack(STREAM_FILE_MAGIC, COMPACT_STREAM_FILE_VERSION, len(streams)), shared]
    for _, payload in unpacked:
        parts += [_varint(len(payload)), payload]
    body = b"".join(parts)
    return body + _CHECKSUM.pack(zlib.crc32(body))


def _unpack_compact(data):
    """Streams of a version 3 file, each rebuilt as a single stream (header and CRC-32)."""
    if len(data) < _COMPACT_HEADER.size + _FIXED.size + _CHECKSUM.size or not _checksum_holds(data):
        raise BitstreamError("compact stream file: checksum mismatch (damaged or truncated)")
    body = data[:-_CHECKSUM.size]
    _, _, count = _COMPACT_HEADER.unpack_from(body)
    rank = body[_COMPACT_HEADER.size + _FIXED.size - 1]
    offset = _COMPACT_HEADER.size + _FIXED.size + 2 * rank + _QUANTIZER.size
    if offset > len(body):
        raise BitstreamError("compact stream file: its shared header is incomplete")
    shared = body[_COMPACT_HEADER.size:offset]
    header, _ = unpack(shared + _CHECKSUM.pack(zlib.crc32(shared)))
    streams = []
    for index in range(count):
        length, offset = _read_varint(body, offset, index, count)
        if offset + length > len(body):
            raise BitstreamError(f"compact stream file: stream {index} of {count} runs past its end")
        streams.append(pack(header, body[offset:offset + length]))
        offset += length
    if offset != len(body):
        raise BitstreamError(f"compact stream file: unexpected bytes after its {count} streams "
                             f"({len(body) - offset} bytes)")
    return streams


def _varint(value):
    """LEB128: 7 bits a byte, low bits first, the high bit set on every byte but the last."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _read_varint(body, offset, index, count):
    value, shift = 0, 0
    while True:
        if offset >= len(body) or shift > 28:
            raise BitstreamError(f"compact stream file: the length of stream {index} of {count} is cut or damaged")
        byte = body[offset]
        value |= (byte & 0x7F) << shift
        offset, shift = offset + 1, shift + 7
        if not byte & 0x80:
            return value, offset


def _unpack_version_1(data):
    """Streams of a version 1 file: a count, then each stream behind its length; no order or checksum."""
    if len(data) < 9:
        raise BitstreamError(f"stream file (version 1) is truncated: {len(data)} bytes cannot hold its header")
    (count,), offset, streams = _UINT32.unpack_from(data, 5), 9, []
    for index in range(count):
        if offset + 4 > len(data):
            raise BitstreamError(f"stream file (version 1) is truncated: stream {index} of {count} is missing")
        (length,) = _UINT32.unpack_from(data, offset)
        if offset + 4 + length > len(data):
            raise BitstreamError(f"stream file (version 1) is truncated inside stream {index} of {count}")
        streams.append(data[offset + 4:offset + 4 + length])
        offset += 4 + length
    if offset != len(data):
        raise BitstreamError(f"stream file (version 1) has unexpected bytes after its {count} streams "
                             f"({len(data) - offset} bytes)")
    return streams


def _file_id(streams):
    """4 bytes naming a file's streams and their order: a stream from another file carries another id."""
    digest = hashlib.sha256()
    for stream in streams:
        digest.update(_UINT32.pack(len(stream)))
        digest.update(stream)
    return digest.digest()[:4]


def _checksum_holds(data):
    """Whether the last 4 bytes are the CRC-32 of the rest (as in a version 2 file)."""
    return zlib.crc32(data[:-_CHECKSUM.size]) == _CHECKSUM.unpack_from(data, len(data) - _CHECKSUM.size)[0]


def _entries(data, count):
    """``([(index, count, file id, stream)], offset of the checksum)``, or `BitstreamError` when the entries
    do not end exactly 4 bytes before the end: a cut, a damaged length, or bytes after the file's end (seen
    where the CRC-32 of everything before an entry boundary is the 4 bytes that follow it)."""
    entries, offset, crc = [], _FILE_HEADER.size, zlib.crc32(data[:_FILE_HEADER.size])
    while len(data) - offset != _CHECKSUM.size:
        rest = len(data) - offset
        if rest > _CHECKSUM.size and _CHECKSUM.unpack_from(data, offset)[0] == crc:
            extra = len(data) - offset - _CHECKSUM.size
            if data[offset + _CHECKSUM.size:].startswith(STREAM_FILE_MAGIC):
                raise BitstreamError(f"stream file: another stream file follows its {len(entries)} streams "
                                     "(files joined end to end?); read each file on its own")
            raise BitstreamError(f"stream file: unexpected bytes after its end ({extra} after its "
                                 f"{len(entries)} streams)")
        length = None
        if rest >= _ENTRY.size + _CHECKSUM.size:
            index, stream_count, stream_id, length = _ENTRY.unpack_from(data, offset)
        if length is None or rest < _ENTRY.size + length + _CHECKSUM.size:
            raise BitstreamError(f"stream file is truncated or damaged: stream {len(entries)} of {count} runs "
                                 "past its end")
        stream_end = offset + _ENTRY.size + length
        entries.append((index, stream_count, stream_id, data[offset + _ENTRY.size:stream_end]))
        crc = zlib.crc32(data[offset:stream_end], crc)
        offset = stream_end
    return entries, offset


_GENERIC = "stream file: checksum mismatch (damaged or edited)"
_WHY = {
    "foreign": " (streams of two files mixed)",
    "duplicate": " (a stream was duplicated)",
    "missing": " (dropped, and the count edited to match)",
    "reordered": " (streams swapped or reordered)",
}


def _diagnosis(entries, count, file_id, streams, checksum_holds):
    """One line naming the edit that best explains a version 2 file whose fields or checksum disagree."""
    said = f"stream file holds {len(entries)} streams but says {count}"
    content_id = _file_id(streams)
    if content_id == file_id or (entries and all(entry[2] == content_id for entry in entries)):
        # The streams are the ones written, in their order: the damage is in the fields around them.
        return f"{said} (its count is damaged or was edited)" if len(entries) != count else _GENERIC
    # Moving whole entries leaves every stream whole, so a keras-jointcomp stream failing its own CRC-32
    # means damage (a flipped length that swallowed an entry, say), not an edit.
    damaged = _damaged_stream(streams, jointcomp_only=True)
    if damaged is None:
        kind, finding = _edit(entries, count, file_id)
        if len(entries) != count:
            return f"{said}: {finding}" if finding else said
        if finding:
            return f"stream file: {finding}{_WHY[kind]}"
        damaged = _damaged_stream(streams, jointcomp_only=False)
    if damaged is not None:
        return f"stream {damaged}: {_STREAM_MISMATCH}"  # as LatentCodec.decompress would name it
    return _GENERIC if not checksum_holds else "stream file: its streams do not match its file id (edited)"


def _edit(entries, count, file_id):
    """``(kind, text)`` of the first whole-stream edit the entries show, or ``(None, None)``: a stream
    from another file, a repeated index, an index missing below the count the streams were written with,
    an index out of place."""
    own = [(position, entry) for position, entry in enumerate(entries) if entry[2] == file_id]
    if len(own) < len(entries):
        if not own:
            return "foreign", "its header and its streams come from different stream files"
        position, (index, stream_count, _, _) = next(
            (position, entry) for position, entry in enumerate(entries) if entry[2] != file_id)
        return "foreign", f"stream {position} is stream {index} of {stream_count} of another stream file"
    seen = {}
    for position, (index, _, _, _) in own:
        if index in seen:
            return "duplicate", f"stream {position} repeats stream {seen[index]}"
        seen[index] = position
    written = {entry[1] for entry in entries}
    written = written.pop() if len(written) == 1 else count  # the count the streams were written with
    missing = _missing(seen, written)
    if missing:
        return "missing", missing
    for position, (index, _, _, _) in own:
        if index != position:
            return "reordered", f"stream {position} is stream {index} of the file it came from"
    return None, None


def _missing(present, written):
    """"stream 9 is missing", "streams 7 to 9 are missing", ...: the indices below ``written`` not present."""
    total = written - sum(1 for index in present if index < written)
    if total <= 0:
        return None
    listed = []
    for index in range(written):  # stops within len(present) + _MAX_LISTED steps
        if index not in present:
            listed.append(index)
            if len(listed) == _MAX_LISTED:
                break
    if total == 1:
        return f"stream {listed[0]} is missing"
    first, last = listed[0], listed[0] + total - 1
    if total > 2 and not any(first <= index <= last for index in present):
        return f"streams {first} to {last} are missing"
    if total <= _MAX_LISTED:
        return f"streams {', '.join(map(str, listed[:-1]))} and {listed[-1]} are missing"
    return f"streams {', '.join(map(str, listed))} and {total - len(listed)} more are missing"


def _damaged_stream(streams, jointcomp_only):
    """The position of the first stream whose own CRC-32 fails, or None. With ``jointcomp_only``, only
    streams that start with b"JC" count; without, a failure counts when some other stream passes (a file
    of other bytes, which all fail, says nothing)."""
    failing = [position for position, stream in enumerate(streams)
               if (stream[:2] == MAGIC or not jointcomp_only)
               and (len(stream) < _CHECKSUM.size or not _checksum_holds(stream))]
    if failing and (jointcomp_only or len(failing) < len(streams)):
        return failing[0]
    return None


def _float32(value):
    return struct.unpack(">f", struct.pack(">f", float(value)))[0]
