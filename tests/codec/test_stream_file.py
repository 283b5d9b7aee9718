"""Stream files keep their streams whole, each once, in order and from one file; any other edit fails with
one line that names it, and random damage never decodes to different streams or another kind of error."""

import itertools
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keras_jointcomp import codec
from keras_jointcomp.codec import container

FAST = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
HEADER = 13  # magic, version, count, file id
ENTRY = 16  # index, count, file id, length


def _streams(n=5, salt=0):
    header = codec.StreamHeader(b"abcd", (5, 5, 16), 3, 2.0)
    return [container.pack(header, bytes([salt + index]) * (index + 2)) for index in range(n)]


def _split(data):
    """``(header, [entry bytes], checksum)`` of a version 2 file."""
    entries, offset = [], HEADER
    while offset < len(data) - 4:
        (length,) = struct.unpack_from(">I", data, offset + 12)
        entries.append(data[offset:offset + ENTRY + length])
        offset += ENTRY + length
    return data[:HEADER], entries, data[-4:]


def _join(header, entries, checksum, count=None):
    if count is not None:
        header = header[:5] + struct.pack(">I", count) + header[9:]
    return header + b"".join(entries) + checksum


def _error(data, unpack=codec.unpack_stream_file):
    """The one-line message ``unpack`` refuses ``data`` with; any other outcome fails the test."""
    with pytest.raises(codec.BitstreamError) as info:
        unpack(data)
    message = str(info.value)
    assert message and "\n" not in message and len(message) <= 200, message
    assert "b'" not in message and "None" not in message, message
    return message


def _refused_or_original(data, original, unpack):
    """`unpack` either refuses ``data`` in one line, or gives back ``original`` (only when unmodified)."""
    try:
        result = unpack(data)
    except codec.BitstreamError as error:
        message = str(error)
        assert message and "\n" not in message and len(message) <= 200, message
        return None
    assert original is not None, f"random or damaged input was read as {result!r}"
    assert result == original
    return result


def test_round_trip_and_layout():
    for streams in [[], [b""], [b"a", b"", b"xyz"], _streams(7)]:
        data = codec.pack_stream_file(streams)
        assert codec.unpack_stream_file(data) == streams
        assert codec.unpack_stream_file(bytearray(data)) == streams
        assert data[:5] == b"JCSF" + bytes([container.STREAM_FILE_VERSION]) and container.STREAM_FILE_VERSION == 2
        assert struct.unpack_from(">I", data, 5)[0] == len(streams)
        assert struct.unpack(">I", data[-4:])[0] == zlib.crc32(data[:-4])
        assert len(data) == 17 + sum(ENTRY + len(stream) for stream in streams)
        _, entries, _ = _split(data)
        assert [struct.unpack_from(">II", entry)[0] for entry in entries] == list(range(len(streams)))
    assert codec.unpack_stream_file(codec.pack_stream_file([bytearray(b"ab")])) == [b"ab"]
    assert container.FORMAT_VERSION == 1  # single streams keep their version and 23-byte header
    assert container.StreamHeader(b"abcd", (5, 5, 16), 3, 2.0).size == 23


def test_every_swap_of_two_streams_is_named():
    header, entries, checksum = _split(codec.pack_stream_file(_streams()))
    for first, second in itertools.combinations(range(len(entries)), 2):
        swapped = list(entries)
        swapped[first], swapped[second] = swapped[second], swapped[first]
        assert _error(_join(header, swapped, checksum)) == (
            f"stream file: stream {first} is stream {second} of the file it came from (streams swapped or "
            "reordered)")


def test_duplicates_drops_and_count_edits_are_named():
    header, entries, checksum = _split(codec.pack_stream_file(_streams()))
    for index in range(5):
        twice = entries[:index + 1] + entries[index:]
        assert _error(_join(header, twice, checksum, count=6)) == (
            f"stream file: stream {index + 1} repeats stream {index} (a stream was duplicated)")
        assert _error(_join(header, twice, checksum)) == (
            f"stream file holds 6 streams but says 5: stream {index + 1} repeats stream {index}")
        dropped = entries[:index] + entries[index + 1:]
        assert _error(_join(header, dropped, checksum, count=4)) == (
            f"stream file: stream {index} is missing (dropped, and the count edited to match)")
        assert _error(_join(header, dropped, checksum)) == (
            f"stream file holds 4 streams but says 5: stream {index} is missing")
    assert _error(_join(header, entries[:2], checksum)) == (
        "stream file holds 2 streams but says 5: streams 2 to 4 are missing")
    assert _error(_join(header, entries[:1] + entries[3:], checksum)) == (
        "stream file holds 3 streams but says 5: streams 1 and 2 are missing")
    for count in [0, 4, 6, 2**32 - 1]:  # the count alone edited
        assert _error(_join(header, entries, checksum, count=count)) == (
            f"stream file holds 5 streams but says {count} (its count is damaged or was edited)")


def test_appends_and_splices_of_two_files_are_named():
    data = codec.pack_stream_file(_streams())
    header, entries, checksum = _split(data)
    other = codec.pack_stream_file(_streams(6, salt=100))
    _, other_entries, other_checksum = _split(other)
    assert _error(_join(header, entries[:3] + other_entries[3:5], other_checksum)) == (
        "stream file: stream 3 is stream 3 of 6 of another stream file (streams of two files mixed)")
    assert _error(_join(header, entries + other_entries[5:], checksum, count=6)) == (
        "stream file: stream 5 is stream 5 of 6 of another stream file (streams of two files mixed)")
    assert _error(_join(header, entries + other_entries[5:], checksum)) == (
        "stream file holds 6 streams but says 5: stream 5 is stream 5 of 6 of another stream file")
    assert _error(_join(header, entries + entries[1:2], checksum, count=6)) == (
        "stream file: stream 5 repeats stream 1 (a stream was duplicated)")
    assert _error(data + other) == (
        "stream file: another stream file follows its 5 streams (files joined end to end?); read each file on "
        "its own")
    assert _error(data + b"!") == "stream file: unexpected bytes after its end (1 after its 5 streams)"
    assert _error(data + other_entries[0]) == (
        f"stream file: unexpected bytes after its end ({len(other_entries[0])} after its 5 streams)")


def test_a_damaged_stream_is_named_as_decoding_would_name_it():
    damaged = bytearray(codec.pack_stream_file(_streams(2)))
    damaged[-6] ^= 0x01  # inside the last stream's own checksum
    assert _error(bytes(damaged)) == "stream 1: stream checksum mismatch: the stream is corrupt or truncated"
    damaged = bytearray(codec.pack_stream_file([b"a", b"", b"xyz"]))  # not keras-jointcomp streams
    damaged[-5] ^= 0x01
    assert _error(bytes(damaged)) == "stream file: checksum mismatch (damaged or edited)"


def test_every_truncation_fails_with_one_line():
    for streams in [[], _streams(3), [b"a", b"", b"xyz"]]:
        data = codec.pack_stream_file(streams)
        messages = [_error(data[:cut]) for cut in range(len(data))]
        assert messages[0] == "stream file is empty"
        assert all("truncated" in message or "missing" in message for message in messages[1:]), messages


def test_every_flipped_byte_or_bit_fails_with_one_line():
    data = codec.pack_stream_file([b"a", b"", b"xyz"] + _streams(2))
    for offset in range(len(data)):
        for mask in [0xFF, *(1 << bit for bit in range(8))]:
            flipped = bytearray(data)
            flipped[offset] ^= mask
            _error(bytes(flipped))


def test_version_1_files_are_still_read_and_others_refused():
    streams = [b"a", b"", b"xyz"]
    version_1 = b"JCSF\x01" + struct.pack(">I", 3) + b"".join(struct.pack(">I", len(s)) + s for s in streams)
    assert codec.unpack_stream_file(version_1) == streams
    assert "(version 1) is truncated" in _error(version_1[:-1])
    assert "(version 1) has unexpected bytes" in _error(version_1 + b"!")
    newer = bytearray(codec.pack_stream_file(streams))
    newer[4] = 7
    assert _error(bytes(newer)) == ("stream file format version 7 is not supported (this library reads versions 1, "
                                    "2 and 3; or the file is damaged)")
    newer[-4:] = struct.pack(">I", zlib.crc32(bytes(newer[:-4])))
    assert _error(bytes(newer)) == (
        "stream file format version 7 is not supported (this library reads versions 1, 2 and 3)")
    assert _error(b"PK\x03\x04") == "not a keras-jointcomp stream file (it does not start with JCSF)"
    assert _error(b"JCS") == "stream file is truncated: 3 bytes cannot hold its header"


# Property-based: random input, and truncations and bit flips of valid input, for stream files and streams.

_STREAM_LISTS = st.lists(st.one_of(st.binary(max_size=24), st.builds(
    container.pack,
    st.builds(codec.StreamHeader, st.binary(min_size=4, max_size=4),
              st.lists(st.integers(1, 2**16 - 1), min_size=1, max_size=4).map(tuple), st.integers(0, 255),
              st.floats(0.25, 8.0)),
    st.binary(max_size=24))), max_size=6)
_HEADERS = st.builds(codec.StreamHeader, st.binary(min_size=4, max_size=4),
                     st.lists(st.integers(1, 2**16 - 1), min_size=1, max_size=4).map(tuple), st.integers(0, 255),
                     st.floats(-1e6, 1e6, allow_nan=False))


def _flip(data, positions):
    flipped = bytearray(data)
    for position in positions:
        flipped[position // 8] ^= 1 << (position % 8)
    return bytes(flipped)


@FAST
@given(st.one_of(st.binary(max_size=200), st.tuples(st.sampled_from([b"JCSF\x01", b"JCSF\x02"]),
                                                     st.binary(max_size=200)).map(b"".join)))
def test_random_bytes_are_refused_in_one_line(data):
    try:
        result = codec.unpack_stream_file(data)
    except codec.BitstreamError as error:
        assert "\n" not in str(error) and len(str(error)) <= 200
    else:  # a valid version 1 file by chance: its streams lie in the input, in order
        assert data[4] == 1 and all(isinstance(stream, bytes) and stream in data for stream in result)


@FAST
@given(st.one_of(st.binary(max_size=120), st.binary(max_size=120).map(lambda data: b"JC\x01" + data)))
def test_random_bytes_are_refused_as_a_stream(data):
    _refused_or_original(data, None, container.unpack)


@FAST
@given(_STREAM_LISTS, st.data())
def test_stream_files_round_trip_and_refuse_any_cut_or_flip(streams, draw):
    data = codec.pack_stream_file(streams)
    assert _refused_or_original(data, streams, codec.unpack_stream_file) == streams
    cut = draw.draw(st.integers(0, len(data) - 1))
    assert _refused_or_original(data[:cut], None, codec.unpack_stream_file) is None
    bits = draw.draw(st.sets(st.integers(0, 8 * len(data) - 1), min_size=1, max_size=3))
    assert _refused_or_original(_flip(data, bits), None, codec.unpack_stream_file) is None


@FAST
@given(_HEADERS, st.binary(max_size=60), st.data())
def test_single_streams_round_trip_and_refuse_any_cut_or_flip(header, payload, draw):
    stream = container.pack(header, payload)
    assert _refused_or_original(stream, (header, payload), container.unpack) == (header, payload)
    cut = draw.draw(st.integers(0, len(stream) - 1))
    assert _refused_or_original(stream[:cut], None, container.unpack) is None
    bits = draw.draw(st.sets(st.integers(0, 8 * len(stream) - 1), min_size=1, max_size=3))
    assert _refused_or_original(_flip(stream, bits), None, container.unpack) is None
