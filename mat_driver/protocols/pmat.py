"""``pmat``: pressure-mat's reference binary protocol for new builds.

Frame, little-endian::

    50 4D 41 54     magic "PMAT"
    u8   version    1
    u8   format     1 = uint8 samples, 2 = uint16 samples
    u16  rows
    u16  cols
    u32  counter    frame counter (wraps)
    u32  time_us    device time in microseconds (wraps)
    ...  samples    rows * cols, row-major
    u16  crc        CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) from version to last sample

Host commands are ASCII lines: ``START``, ``STOP``, ``INFO``; ``INFO`` is answered, while
stopped, by one JSON line with model, serial, rows, cols, pitch_mm, rate_hz, adc_bits.
"""

from __future__ import annotations

import binascii
import json
import struct

import numpy as np

from mat_driver.errors import ProtocolError
from mat_driver.frame import Frame
from mat_driver.protocols.base import Codec, Command

__all__ = ["PmatCodec", "MAGIC", "crc16_ccitt_false", "parse_info", "INFO_FIELDS"]

MAGIC = b"PMAT"
_HEADER = struct.Struct("<4sBBHHII")
_MAX_SIDE = 1024
#: Keys of the INFO answer and their types.
INFO_FIELDS: dict[str, type | tuple[type, ...]] = {
    "model": str,
    "serial": str,
    "rows": int,
    "cols": int,
    "pitch_mm": (int, float),
    "rate_hz": (int, float),
    "adc_bits": int,
}


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (check value 0x29B1 for b"123456789")."""
    return binascii.crc_hqx(data, 0xFFFF)


def parse_info(line: bytes) -> dict:
    """Validate the JSON answer to ``INFO``.

    Raises
    ------
    ProtocolError
        Naming the missing or mistyped field.
    """
    try:
        info = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"pmat INFO: expected one JSON line, got {line[:40]!r} ({exc})") from None
    if not isinstance(info, dict):
        raise ProtocolError(f"pmat INFO: expected a JSON object, got {line[:40]!r}")
    for key, kind in INFO_FIELDS.items():
        if key not in info:
            raise ProtocolError(f"pmat INFO: missing {key!r} in {line[:80]!r}")
        if not isinstance(info[key], kind) or isinstance(info[key], bool):
            raise ProtocolError(f"pmat INFO: {key!r} has the wrong type in {line[:80]!r}")
    return info


class PmatCodec(Codec):
    """The reference protocol; geometry comes with every frame.

    ``rows``/``cols``, when given, are enforced: a frame of another size is rejected.
    ``sample_format`` (1 or 2) is what :meth:`encode_frame` writes.
    """

    name = "pmat"
    COMMANDS = {Command.START: b"START\n", Command.STOP: b"STOP\n", Command.INFO: b"INFO\n"}

    def __init__(self, *, rows: int | None = None, cols: int | None = None, sample_format: int = 2) -> None:
        super().__init__(rows=rows, cols=cols)
        if sample_format not in (1, 2):
            raise ProtocolError(f"pmat sample format must be 1 (uint8) or 2 (uint16), got {sample_format}")
        self.sample_format = sample_format
        self.max_value = 255 if sample_format == 1 else 65535

    def _parse(self) -> list[Frame]:
        frames: list[Frame] = []
        buf = self._buffer
        while True:
            start = buf.find(MAGIC)
            if start < 0:
                self._discard(max(0, len(buf) - len(MAGIC) + 1))
                return frames
            self._discard(start)
            if len(buf) < _HEADER.size:
                return frames
            _, version, fmt, rows, cols, counter, time_us = _HEADER.unpack_from(buf)
            if version != 1 or fmt not in (1, 2) or not (0 < rows <= _MAX_SIDE and 0 < cols <= _MAX_SIDE):
                self._discard(1)  # not a real header: look for the next magic
                continue
            if self.rows is not None and (rows, cols) != (self.rows, self.cols):
                # a foreign or corrupted size: don't wait for a body that may never come
                self._reject(f"frame is {rows}x{cols}, expected {self.rows}x{self.cols}", buf[: _HEADER.size])
                del buf[:1]
                continue
            size = _HEADER.size + rows * cols * fmt + 2
            if len(buf) < size:
                return frames
            body = bytes(buf[4 : size - 2])
            (crc,) = struct.unpack_from("<H", buf, size - 2)
            if crc != crc16_ccitt_false(body):
                self._reject(f"bad CRC {crc:04x}", buf[:size])
                del buf[:1]  # the next magic may lie inside this broken frame
                continue
            samples = np.frombuffer(body, "<u1" if fmt == 1 else "<u2", offset=_HEADER.size - 4, count=rows * cols)
            del buf[:size]
            frames.append(Frame(cells=samples.astype(np.uint16).reshape(rows, cols), counter=counter, device_time_us=time_us))

    def encode_frame(self, frame: Frame) -> bytes:
        cells = self._check_frame(frame)
        rows, cols = cells.shape
        samples = np.clip(cells, 0, self.max_value).astype("<u1" if self.sample_format == 1 else "<u2").tobytes()
        header = _HEADER.pack(MAGIC, 1, self.sample_format, rows, cols, (frame.counter or 0) & 0xFFFFFFFF, (frame.device_time_us or 0) & 0xFFFFFFFF)
        body = header[4:] + samples
        return MAGIC + body + struct.pack("<H", crc16_ccitt_false(body))
