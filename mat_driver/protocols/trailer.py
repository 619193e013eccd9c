"""``trailer``: the open-source RP2040 Velostat mat (28 x 56).

The host sends ``start_reading\\n``; the mat then streams rows x cols raw uint8 cells,
row-major, each frame followed by the trailer ``FF FE FE FF``. No counter, no checksum:
only the length tells a broken frame.
"""

from __future__ import annotations

from mat_driver.frame import Frame
from mat_driver.protocols.base import Command, DelimitedCodec

__all__ = ["TrailerCodec", "TRAILER"]

TRAILER = b"\xff\xfe\xfe\xff"


class TrailerCodec(DelimitedCodec):
    """Raw uint8 frames ended by ``FF FE FE FF``."""

    name = "trailer"
    max_value = 255
    delimiter = TRAILER
    COMMANDS = {Command.START: b"start_reading\n"}

    def encode_frame(self, frame: Frame) -> bytes:
        return self._raw_cells(frame) + TRAILER
