"""What every wire-protocol codec shares: commands, counters, resynchronisation bookkeeping.

A codec does no I/O. :meth:`Codec.feed` appends bytes to an internal buffer, splits off
every complete frame and keeps the rest, so any chunking of a stream gives the same
frames. Broken frames are counted and logged, never returned.
"""

from __future__ import annotations

import enum
import logging

import numpy as np

from mat_driver.errors import ProtocolError
from mat_driver.frame import Frame

__all__ = ["Command", "Codec", "DelimitedCodec", "hexdump"]

log = logging.getLogger("mat_driver.protocols")


class Command(enum.Enum):
    """Host-to-mat commands; each protocol encodes the ones it has."""

    START = "start"
    STOP = "stop"
    INFO = "info"
    POLL = "poll"


def hexdump(data: bytes | bytearray, limit: int = 12) -> str:
    """The first ``limit`` bytes in hex, for error messages."""
    head = bytes(data[:limit]).hex(" ")
    return head + (" ..." if len(data) > limit else "")


class Codec:
    """Base class: buffer, counters and the frame-size bookkeeping of a fixed grid.

    Subclasses implement :meth:`_parse` (take frames off ``self._buffer``) and
    :meth:`encode_frame`, and list their commands in ``COMMANDS``.
    """

    name = "base"
    #: Largest cell value the protocol can carry.
    max_value = 65535
    #: Encoded host commands; a protocol without a command maps nothing (encode gives b"").
    COMMANDS: dict[Command, bytes] = {}

    def __init__(self, *, rows: int | None = None, cols: int | None = None) -> None:
        if (rows is not None and rows < 1) or (cols is not None and cols < 1):
            raise ProtocolError(f"{self.name}: grid must be at least 1x1, got {rows}x{cols}")
        self.rows = rows
        self.cols = cols
        self._buffer = bytearray()
        self.frames_ok = 0
        self.frames_rejected = 0
        self.bytes_discarded = 0

    def feed(self, data: bytes) -> list[Frame]:
        """Add received bytes; return the frames completed by them."""
        self._buffer += data
        frames = self._parse()
        self.frames_ok += len(frames)
        return frames

    def _parse(self) -> list[Frame]:
        raise NotImplementedError

    def encode_frame(self, frame: Frame) -> bytes:
        """The bytes a mat sends for ``frame``."""
        raise NotImplementedError

    def encode(self, command: Command) -> bytes:
        """Bytes of a host command, or ``b""`` if the protocol has no such command."""
        return self.COMMANDS.get(command, b"")

    @property
    def cells(self) -> int:
        """Cells per frame (rows x cols)."""
        if self.rows is None or self.cols is None:
            raise ProtocolError(f"{self.name}: the grid size (rows, cols) is needed")
        return self.rows * self.cols

    def _reject(self, reason: str, chunk: bytes | bytearray) -> None:
        self.frames_rejected += 1
        log.debug("%s: frame rejected: %s; bytes: %s", self.name, reason, hexdump(chunk))

    def _discard(self, count: int) -> None:
        if count:
            self.bytes_discarded += count
            log.debug("%s: %d byte(s) skipped while resynchronising: %s", self.name, count, hexdump(self._buffer[:count]))
            del self._buffer[:count]

    def _grid(self, values: np.ndarray) -> np.ndarray:
        assert self.rows is not None and self.cols is not None, "the codec decodes frames only once it knows the grid"
        return values.astype(np.uint16).reshape(self.rows, self.cols)

    def _check_frame(self, frame: Frame) -> np.ndarray:
        cells = np.asarray(frame.cells)
        if self.rows is not None and cells.shape != (self.rows, self.cols):
            raise ProtocolError(f"{self.name}: frame is {cells.shape}, the codec expects {(self.rows, self.cols)}")
        return cells


class DelimitedCodec(Codec):
    """Frames of raw cells ended by a fixed delimiter (trailer, matsense simple, zrle).

    Until the first delimiter is seen the codec is not in sync and skips bytes (a host
    usually connects mid-frame). After that, a chunk between delimiters that does not
    decode to exactly rows x cols cells is a rejected frame.
    """

    delimiter = b"\xff"

    def __init__(self, *, rows: int | None = None, cols: int | None = None) -> None:
        super().__init__(rows=rows, cols=cols)
        self._synced = False

    def _parse(self) -> list[Frame]:
        frames: list[Frame] = []
        while True:
            end = self._buffer.find(self.delimiter)
            if end < 0:
                if not self._synced:  # keep only what could still start a delimiter
                    self._discard(max(0, len(self._buffer) - len(self.delimiter) + 1))
                return frames
            chunk = bytes(self._buffer[:end])
            if not self._synced:
                self._discard(end + len(self.delimiter))
                self._synced = True
                continue
            del self._buffer[: end + len(self.delimiter)]
            cells = self._decode(chunk)
            if cells is not None:
                frames.append(Frame(cells=self._grid(cells)))

    def _decode(self, chunk: bytes) -> np.ndarray | None:
        """Cells of one chunk, or None (after :meth:`_reject`) if it is not a frame."""
        if len(chunk) != self.cells:
            self._reject(f"expected {self.cells} cells, got {len(chunk)} bytes", chunk)
            return None
        return np.frombuffer(chunk, np.uint8)

    def _raw_cells(self, frame: Frame) -> bytes:
        cells = self._check_frame(frame)
        return np.clip(cells, 0, self.max_value).astype(np.uint8).tobytes()
