"""``sensingtex``: the Sensingtex 48 x 48 developer kit, polled.

The host sends ``R``; the mat answers ``N`` (0x4E), the number of active points as a
big-endian u16, two further bytes to ignore, then per point x (column, u8), y (row, u8)
and value (big-endian u16). Cells not listed are zero. A count larger than the grid, a
point outside it or a value over the ADC maximum (``adc_bits``, 12) makes a rejected
frame. Without a checksum, an answer cut short and completed by the next answer's first
bytes is rejected by that value check only when the borrowed bytes are out of range.
"""

from __future__ import annotations

import struct

import numpy as np

from mat_driver.frame import Frame
from mat_driver.protocols.base import Codec, Command

__all__ = ["SensingtexCodec"]

_LEAD = b"N"
_HEAD = struct.Struct(">cH2x")
_POINT = np.dtype([("x", "u1"), ("y", "u1"), ("value", ">u2")])


class SensingtexCodec(Codec):
    """Sparse polled frames: a list of (x, y, value) points."""

    name = "sensingtex"
    COMMANDS = {Command.POLL: b"R"}

    def __init__(self, *, rows: int | None = None, cols: int | None = None, adc_bits: int = 12) -> None:
        super().__init__(rows=rows, cols=cols)
        self.max_value = (1 << adc_bits) - 1

    def _parse(self) -> list[Frame]:
        frames: list[Frame] = []
        buf = self._buffer
        while True:
            start = buf.find(_LEAD)
            if start < 0:
                self._discard(len(buf))
                return frames
            self._discard(start)
            if len(buf) < _HEAD.size:
                return frames
            _, count = _HEAD.unpack_from(buf)
            if count > self.cells:
                self._reject(f"{count} points on a {self.rows}x{self.cols} grid", buf[: _HEAD.size])
                del buf[:1]
                continue
            size = _HEAD.size + count * _POINT.itemsize
            if len(buf) < size:
                return frames
            points = np.frombuffer(bytes(buf[_HEAD.size : size]), _POINT)
            if np.any(points["x"] >= self.cols) or np.any(points["y"] >= self.rows) or np.any(points["value"] > self.max_value):
                self._reject("point outside the grid or value over the ADC maximum", buf[:size])
                del buf[:1]
                continue
            del buf[:size]
            assert self.rows is not None and self.cols is not None, "the codec decodes frames only once it knows the grid"
            cells = np.zeros((self.rows, self.cols), np.uint16)
            cells[points["y"], points["x"]] = points["value"]
            frames.append(Frame(cells=cells))

    def encode_frame(self, frame: Frame) -> bytes:
        cells = np.clip(self._check_frame(frame), 0, self.max_value)
        y, x = np.nonzero(cells)
        points = np.empty(x.size, _POINT)
        points["x"], points["y"], points["value"] = x, y, cells[y, x]
        return _HEAD.pack(_LEAD, x.size) + points.tobytes()
