"""``matsense``: MatSense firmware framings.

- ``simple``: rows x cols uint8 cells (0..254), then the delimiter ``FF``;
- ``secure``: ``5B`` cells ``5D``, where a cell byte equal to ``5C``, ``5B`` or ``5D`` is
  escaped as ``5C 00``, ``5C 01`` or ``5C 02``; cells may be 0..255.
"""

from __future__ import annotations

import numpy as np

from mat_driver.errors import ProtocolError
from mat_driver.frame import Frame
from mat_driver.protocols.base import Codec, DelimitedCodec

__all__ = ["MatsenseCodec", "MatsenseSecureCodec", "make_matsense"]

_START, _END, _ESCAPE = 0x5B, 0x5D, 0x5C
_UNESCAPE = {0x00: _ESCAPE, 0x01: _START, 0x02: _END}
_ESCAPED = {_ESCAPE: b"\x5c\x00", _START: b"\x5c\x01", _END: b"\x5c\x02"}


class MatsenseCodec(DelimitedCodec):
    """Simple framing: raw cells then ``FF``."""

    name = "matsense"
    max_value = 254
    delimiter = b"\xff"

    def encode_frame(self, frame: Frame) -> bytes:
        return self._raw_cells(frame) + self.delimiter


class MatsenseSecureCodec(Codec):
    """Secure framing: ``5B`` escaped cells ``5D``."""

    name = "matsense"
    max_value = 255

    def _parse(self) -> list[Frame]:
        frames: list[Frame] = []
        while True:
            start = self._buffer.find(_START)
            if start < 0:
                self._discard(len(self._buffer))
                return frames
            self._discard(start)
            end = self._buffer.find(_END, 1)
            restart = self._buffer.find(_START, 1)
            if 0 < restart < end or (end < 0 and restart > 0):
                self._reject("frame start inside a frame", self._buffer[:restart])
                del self._buffer[:restart]
                continue
            if end < 0:
                return frames
            body = bytes(self._buffer[1:end])
            del self._buffer[: end + 1]
            cells = self._unescape(body)
            if cells is not None:
                frames.append(Frame(cells=self._grid(cells)))

    def _unescape(self, body: bytes) -> np.ndarray | None:
        if _ESCAPE in body:
            out = bytearray()
            it = iter(body)
            for byte in it:
                if byte != _ESCAPE:
                    out.append(byte)
                    continue
                code = next(it, None)
                if code not in _UNESCAPE:
                    self._reject(f"bad escape 5C {code!r}", body)
                    return None
                out.append(_UNESCAPE[code])
            body = bytes(out)
        if len(body) != self.cells:
            self._reject(f"expected {self.cells} cells, got {len(body)}", body)
            return None
        return np.frombuffer(body, np.uint8)

    def encode_frame(self, frame: Frame) -> bytes:
        raw = np.clip(self._check_frame(frame), 0, 255).astype(np.uint8).tobytes()
        for byte, escaped in _ESCAPED.items():  # escape 5C first so later escapes stay intact
            raw = raw.replace(bytes((byte,)), escaped)
        return bytes((_START,)) + raw + bytes((_END,))


def make_matsense(*, rows: int | None = None, cols: int | None = None, framing: str = "simple") -> Codec:
    """A MatSense codec with ``framing`` ``"simple"`` or ``"secure"``."""
    if framing == "simple":
        return MatsenseCodec(rows=rows, cols=cols)
    if framing == "secure":
        return MatsenseSecureCodec(rows=rows, cols=cols)
    raise ProtocolError(f"matsense framing must be 'simple' or 'secure', got {framing!r}")
