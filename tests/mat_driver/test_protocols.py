"""Wire-protocol codecs: byte literals, round trips, chunking, garbage and corruption."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mat_driver.errors import ProtocolError
from mat_driver.frame import Frame
from mat_driver.protocols import PROTOCOLS, Command, get_codec, parse_info
from mat_driver.protocols.pmat import crc16_ccitt_false

ROWS, COLS = 3, 4
VARIANTS = [
    ("pmat", {}),
    ("pmat", {"sample_format": 1}),
    ("csv", {}),
    ("csv", {"row_per_line": True}),
    ("trailer", {}),
    ("zrle", {}),
    ("matsense", {}),
    ("matsense", {"framing": "secure"}),
    ("sensingtex", {}),
]
# Protocols that find the first frame of a stream; the others sync on their first delimiter.
SELF_SYNCING = {"pmat", "sensingtex"}


def codec(name: str, params: dict, rows: int = ROWS, cols: int = COLS):
    return get_codec(name, rows=rows, cols=cols, **params)


def feed_all(decoder, stream: bytes, chunks: list[int] | None = None) -> list[Frame]:
    frames, pos = [], 0
    for size in chunks or [len(stream)]:
        frames += decoder.feed(stream[pos : pos + size])
        pos += size
    return frames + decoder.feed(stream[pos:])


def frames_strategy(max_value: int, *, counters: bool):
    cells = st.lists(st.integers(0, max_value), min_size=ROWS * COLS, max_size=ROWS * COLS)
    frame = st.builds(
        lambda c, n, t: Frame(np.array(c, np.uint16).reshape(ROWS, COLS), n if counters else None, t if counters else None),
        cells,
        st.integers(0, 2**32 - 1),
        st.integers(0, 2**32 - 1),
    )
    return st.lists(frame, min_size=1, max_size=6)


def expected_values(name: str, params: dict) -> int:
    return min(codec(name, params).max_value, 1000)


# ---- byte literals ------------------------------------------------------------------


def test_crc_check_value() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1


PMAT_2x3 = bytes.fromhex(
    "504d4154"
    "01"
    "02"
    "0200"
    "0300"
    "07000000"
    "10270000"  # magic v1 uint16 2x3 #7 10000 us
    "0100"
    "0200"
    "0300"
    "0400"
    "0500"
    "ff0f"
)


def pmat_literal() -> bytes:
    body = PMAT_2x3[4:]
    return PMAT_2x3 + crc16_ccitt_false(body).to_bytes(2, "little")


def test_pmat_literal_frame() -> None:
    (frame,) = get_codec("pmat").feed(pmat_literal())
    np.testing.assert_array_equal(frame.cells, [[1, 2, 3], [4, 5, 4095]])
    assert (frame.counter, frame.device_time_us) == (7, 10000)


def test_pmat_bad_crc_is_rejected_and_the_next_frame_found() -> None:
    good = pmat_literal()
    bad = bytearray(good)
    bad[-3] ^= 0x01  # flip a bit in the last sample
    decoder = get_codec("pmat")
    frames = decoder.feed(b"\x00garbage" + bytes(bad) + good)
    assert len(frames) == 1 and decoder.frames_rejected == 1
    assert decoder.bytes_discarded >= 8


def test_pmat_wrong_geometry_is_rejected() -> None:
    decoder = get_codec("pmat", rows=4, cols=4)
    assert decoder.feed(pmat_literal()) == [] and decoder.frames_rejected == 1


def test_pmat_commands_and_info() -> None:
    c = get_codec("pmat")
    assert c.encode(Command.START) == b"START\n" and c.encode(Command.INFO) == b"INFO\n"
    info = {"model": "m", "serial": "s", "rows": 64, "cols": 64, "pitch_mm": 8.5, "rate_hz": 100, "adc_bits": 12}
    assert parse_info(json.dumps(info).encode()) == info
    with pytest.raises(ProtocolError, match="missing 'adc_bits'"):
        parse_info(json.dumps({k: v for k, v in info.items() if k != "adc_bits"}).encode())
    with pytest.raises(ProtocolError, match="expected one JSON line"):
        parse_info(b"\xff\xfe")


def test_csv_literals() -> None:
    c = get_codec("csv", adc_bits=10)
    frames = c.feed(b"junk\nCFG,2,2\r\nF,123,1,2,3,4\r\n5,6,7,8\n9,x,1,2\n1,2,3,1024\n1,2,3\n")
    assert [f.cells.tolist() for f in frames] == [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]
    assert frames[0].device_time_us == 123 and frames[1].device_time_us is None
    assert c.frames_rejected == 3  # non-numeric, over the 10-bit maximum, wrong count


def test_csv_garbage_ending_in_cfg_does_not_change_the_grid() -> None:
    c = get_codec("csv", rows=1, cols=3)
    frames = c.feed(b"\nCFG1,2,3\n4,5,6\nCFG,1,3,9\n7,8,9\n")  # "CFG" glued to a frame line
    assert [f.cells.tolist() for f in frames] == [[[4, 5, 6]], [[7, 8, 9]]]
    assert (c.rows, c.cols) == (1, 3) and c.frames_rejected == 2


def test_csv_rows_per_line() -> None:
    c = get_codec("csv", rows=2, cols=3)
    frames = c.feed(b"\n1,2,3\n4,5,6\nEND\n7,8,9\n\n1,1,1\n2,2,2\n\n")
    assert [f.cells.tolist() for f in frames] == [[[1, 2, 3], [4, 5, 6]], [[1, 1, 1], [2, 2, 2]]]
    assert c.frames_rejected == 1  # the frame with one row


def test_trailer_literals() -> None:
    c = get_codec("trailer", rows=2, cols=2)
    assert c.encode(Command.START) == b"start_reading\n"
    frames = c.feed(b"\x05\x06" + b"\xff\xfe\xfe\xff" + b"\x01\x02\x03\x04\xff\xfe\xfe\xff" + b"\x01\x02\xff\xfe\xfe\xff")
    assert [f.cells.tolist() for f in frames] == [[[1, 2], [3, 4]]]
    assert c.frames_rejected == 1 and c.bytes_discarded == 6


def test_zrle_literals() -> None:
    c = get_codec("zrle", rows=2, cols=3)
    frames = c.feed(b"\xff" + b"\x07\x00\x04\x09\xff" + b"\x00\x06\xff" + b"\x01\x00\x09\xff")
    assert [f.cells.tolist() for f in frames] == [[[7, 0, 0], [0, 0, 9]], [[0, 0, 0], [0, 0, 0]]]
    assert c.frames_rejected == 1  # decodes to 10 cells
    assert get_codec("zrle", rows=1, cols=600).encode_frame(Frame(np.zeros((1, 600), np.uint16))) == b"\x00\xfe\x00\xfe\x00\x5c\xff"


def test_matsense_literals() -> None:
    simple = get_codec("matsense", rows=1, cols=3)
    assert [f.cells.tolist() for f in simple.feed(b"\xff\x01\x02\x03\xff\x01\xff")] == [[[1, 2, 3]]]
    assert simple.frames_rejected == 1
    secure = get_codec("matsense", rows=1, cols=3, framing="secure")
    frames = secure.feed(b"\x00\x5b\x5c\x00\x5c\x01\x5c\x02\x5d\x5b\x01\x5c\x07\x02\x5d\x5b\x01\x02\x5b\x04\x05\x06\x5d")
    assert [f.cells.tolist() for f in frames] == [[[0x5C, 0x5B, 0x5D]], [[4, 5, 6]]]
    assert secure.frames_rejected == 2  # bad escape 5C 07; start inside a frame
    with pytest.raises(ProtocolError, match="framing"):
        get_codec("matsense", rows=1, cols=1, framing="fast")


def test_sensingtex_rejects_values_over_the_adc_range() -> None:
    c = get_codec("sensingtex", rows=2, cols=3)
    assert c.feed(b"N\x00\x01\x00\x00\x00\x00\x4e\x00") == [] and c.frames_rejected == 1


def test_sensingtex_literals() -> None:
    c = get_codec("sensingtex", rows=2, cols=3)
    assert c.encode(Command.POLL) == b"R"
    frames = c.feed(b"N\x00\x02\xaa\xbb" + b"\x02\x01\x01\x00" + b"\x00\x00\x00\x05" + b"N\x00\x01\x00\x00\x09\x00\x00\x01")
    assert frames[0].cells.tolist() == [[5, 0, 0], [0, 0, 256]]
    assert c.frames_rejected == 1  # x = 9 is outside a 3-column grid
    assert c.feed(b"N\x00\x00\x00\x00")[0].cells.sum() == 0


def test_unknown_protocol_and_option() -> None:
    with pytest.raises(ProtocolError, match="unknown protocol"):
        get_codec("modbus")
    with pytest.raises(ProtocolError, match="protocol trailer"):
        get_codec("trailer", rows=1, cols=1, baud=9600)
    assert set(PROTOCOLS) == {name for name, _ in VARIANTS}


# ---- properties ---------------------------------------------------------------------


def lead_in(name: str, params: dict) -> bytes:
    """What a host sees before the first whole frame when it joins a stream mid-frame."""
    return b"" if name in SELF_SYNCING else codec(name, params).encode_frame(Frame(np.zeros((ROWS, COLS), np.uint16)))


@pytest.mark.parametrize("name, params", VARIANTS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_any_chunking_gives_the_same_frames(name, params, data) -> None:
    with_counters = name == "pmat"
    frames = data.draw(frames_strategy(expected_values(name, params), counters=with_counters))
    encoder = codec(name, params)
    stream = lead_in(name, params) + b"".join(encoder.encode_frame(f) for f in frames)
    cuts = data.draw(st.lists(st.integers(1, 40), max_size=30))
    decoder = codec(name, params)
    decoded = feed_all(decoder, stream, cuts)
    if name == "csv" and params:
        decoded = decoded[1:] if len(decoded) > len(frames) else decoded
    lead = 0 if name in SELF_SYNCING else len(decoded) - len(frames)
    decoded = decoded[lead:]
    assert len(decoded) == len(frames)
    for got, sent in zip(decoded, frames):
        np.testing.assert_array_equal(got.cells, sent.cells)
        if with_counters:
            assert (got.counter, got.device_time_us) == (sent.counter, sent.device_time_us)
    assert decoder.frames_rejected == 0


@pytest.mark.parametrize("name, params", VARIANTS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_garbage_between_frames_never_crashes_and_later_frames_survive(name, params, data) -> None:
    frames = data.draw(frames_strategy(expected_values(name, params), counters=name == "pmat"))
    garbage = data.draw(st.binary(min_size=1, max_size=30))
    encoder = codec(name, params)
    encoded = [encoder.encode_frame(f) for f in frames]
    # garbage, then a sacrificial frame (a delimited protocol may merge it with the garbage)
    sacrificial = encoder.encode_frame(Frame(np.ones((ROWS, COLS), np.uint16)))
    stream = lead_in(name, params) + garbage + sacrificial + b"".join(encoded)
    decoder = codec(name, params)
    decoded = feed_all(decoder, stream, data.draw(st.lists(st.integers(1, 50), max_size=10)))
    tail = decoded[-len(frames) :]
    assert len(tail) == len(frames)
    for got, sent in zip(tail, frames):
        np.testing.assert_array_equal(got.cells, sent.cells)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_pmat_rejects_every_single_bit_flip_and_keeps_its_neighbours(data) -> None:
    frames = data.draw(frames_strategy(1000, counters=True).filter(lambda f: len(f) >= 3))
    encoder = get_codec("pmat")
    encoded = [bytearray(encoder.encode_frame(f)) for f in frames]
    victim = data.draw(st.integers(0, len(frames) - 1))
    bit = data.draw(st.integers(0, len(encoded[victim]) * 8 - 1))
    encoded[victim][bit // 8] ^= 1 << (bit % 8)
    stream = b"".join(bytes(e) for e in encoded)
    decoder = get_codec("pmat", rows=ROWS, cols=COLS)  # the recorder always knows the grid
    decoded = decoder.feed(stream)
    assert [d.counter for d in decoded] == [f.counter for i, f in enumerate(frames) if i != victim]
    # without a known grid a corrupted size field may hold frames back until more bytes come
    blind = get_codec("pmat")
    later = encoder.encode_frame(Frame(np.zeros((ROWS, COLS), np.uint16), 99, 0)) * 200  # > largest false size
    counters = [d.counter for d in blind.feed(stream) + blind.feed(later)]
    assert counters[: len(frames) - 1] == [f.counter for i, f in enumerate(frames) if i != victim]


# csv and sensingtex carry no checksum: a csv line cut inside its first number and joined to
# the next line keeps the field count, and a sensingtex answer cut inside its last value can
# borrow an in-range value from the next answer; both limits are documented in
# docs/protocols.md and excluded here.
@pytest.mark.parametrize("name, params", [v for v in VARIANTS if v[0] not in ("csv", "sensingtex")])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_truncated_frames_are_never_returned_as_data(name, params, data) -> None:
    frames = data.draw(frames_strategy(expected_values(name, params), counters=name == "pmat"))
    encoder = codec(name, params)
    encoded = [encoder.encode_frame(f) for f in frames]
    victim = data.draw(st.integers(0, len(frames) - 1))
    keep = data.draw(st.integers(0, max(len(encoded[victim]) - 2, 0)))
    stream = lead_in(name, params) + b"".join(e if i != victim else e[:keep] for i, e in enumerate(encoded))
    decoded = codec(name, params).feed(stream)
    sent = [f.cells.tolist() for f in frames]
    for got in decoded:
        assert got.cells.tolist() in sent + [np.zeros((ROWS, COLS)).tolist()]
