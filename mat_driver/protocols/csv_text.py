"""``csv``: the usual Arduino sketch, text frames of comma-separated integers.

- one frame per line: rows x cols integers, row-major, optionally prefixed
  ``F,<device_time_us>,``;
- or one grid row per line (cols integers, same optional prefix on the first row) with a
  blank line or an ``END`` line closing the frame;
- an optional ``CFG,<rows>,<cols>`` line sets the grid.

Lines end in ``\\n`` or ``\\r\\n``. A line of the wrong length, a non-numeric field, a
negative value or one above the ADC maximum makes a rejected frame.
"""

from __future__ import annotations

import numpy as np

from mat_driver.frame import Frame
from mat_driver.protocols.base import Codec

__all__ = ["CsvCodec"]


class CsvCodec(Codec):
    """Comma-separated text frames, a line per frame or a line per row."""

    name = "csv"

    def __init__(self, *, rows: int | None = None, cols: int | None = None, adc_bits: int = 16, row_per_line: bool = False) -> None:
        super().__init__(rows=rows, cols=cols)
        self.max_value = (1 << adc_bits) - 1
        self.row_per_line = row_per_line
        self._synced = False
        self._rows: list[np.ndarray] = []
        self._row_time: int | None = None
        self._rows_synced = False  # rows before the first END may be a frame joined mid-way

    def _parse(self) -> list[Frame]:
        frames: list[Frame] = []
        while True:
            end = self._buffer.find(b"\n")
            if end < 0:
                return frames
            line = bytes(self._buffer[:end]).rstrip(b"\r").strip()
            if not self._synced:  # the first line may be the tail of one we joined mid-way
                self._discard(end + 1)
                self._synced = True
                continue
            del self._buffer[: end + 1]
            frame = self._line(line)
            if frame is not None:
                frames.append(frame)

    def _line(self, line: bytes) -> Frame | None:
        if line.split(b",")[0].strip().upper() == b"CFG":
            self._config(line)
            return None
        if not line or line.upper() == b"END":
            return self._close_rows(line)
        fields = line.split(b",")
        device_time = None
        if fields[0].strip().upper() == b"F":
            if len(fields) < 3:
                self._reject("F line without values", line)
                return None
            try:
                device_time = int(fields[1])
            except ValueError:
                self._reject(f"device time {fields[1]!r} is not an integer", line)
                return None
            fields = fields[2:]
        values = self._values(fields, line)
        if values is None:
            return None
        if self.rows is None or self.cols is None:
            self._reject("grid size unknown (no CFG line and no rows/cols given)", line)
            return None
        if values.size == self.cells and not self.row_per_line:
            return Frame(cells=self._grid(values), device_time_us=device_time)
        if values.size == self.cols and self.rows > 1:
            if not self._rows:
                self._row_time = device_time
            self._rows.append(values)
            if len(self._rows) > self.rows:
                self._reject(f"more than {self.rows} rows before END", line)
                self._rows.clear()
            return None
        self._reject(f"expected {self.cells} (or {self.cols} per row) values, got {values.size}", line)
        self._rows.clear()
        return None

    def _values(self, fields: list[bytes], line: bytes) -> np.ndarray | None:
        try:
            values = np.array(fields).astype(np.int64)
        except ValueError:
            self._reject("non-numeric value", line)
            return None
        if values.size and (values.min() < 0 or values.max() > self.max_value):
            self._reject(f"value outside 0..{self.max_value}", line)
            return None
        return values

    def _close_rows(self, line: bytes) -> Frame | None:
        if not self._rows:
            return None
        rows, self._rows = self._rows, []
        synced, self._rows_synced = self._rows_synced, True
        if len(rows) != self.rows and not synced:
            return None
        if len(rows) != self.rows:
            self._reject(f"expected {self.rows} rows, got {len(rows)}", line)
            return None
        return Frame(cells=self._grid(np.concatenate(rows)), device_time_us=self._row_time)

    def _config(self, line: bytes) -> None:
        parts = line.split(b",")
        try:
            if len(parts) != 3:
                raise ValueError
            rows, cols = int(parts[1]), int(parts[2])
        except ValueError:
            self._reject("CFG line is not CFG,<rows>,<cols>", line)
            return None
        if rows < 1 or cols < 1:
            self._reject("CFG grid must be at least 1x1", line)
            return None
        self.rows, self.cols = rows, cols
        return None

    def encode_frame(self, frame: Frame) -> bytes:
        cells = np.clip(self._check_frame(frame), 0, self.max_value).astype(np.int64)
        prefix = b"" if frame.device_time_us is None else b"F,%d," % frame.device_time_us
        if self.row_per_line:
            lines = [b",".join(b"%d" % v for v in row) for row in cells]
            lines[0] = prefix + lines[0]
            return b"\n".join(lines) + b"\nEND\n"
        return prefix + ",".join(map(str, cells.ravel().tolist())).encode() + b"\n"
