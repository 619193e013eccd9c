"""``zrle``: Sensitronics-style Arduino FSR matrix with zero-run-length encoding.

Cells are single bytes 1..254; a run of zeros is the pair ``00 <count>`` (count 1..254);
``FF`` ends the frame; row-major; the mat streams without commands. A frame that does not
decode to exactly rows x cols cells is rejected.
"""

from __future__ import annotations

import numpy as np

from mat_driver.frame import Frame
from mat_driver.protocols.base import DelimitedCodec

__all__ = ["ZrleCodec"]


class ZrleCodec(DelimitedCodec):
    """Zero-run-length frames ended by ``FF``."""

    name = "zrle"
    max_value = 254
    delimiter = b"\xff"

    def _decode(self, chunk: bytes) -> np.ndarray | None:
        data = np.frombuffer(chunk, np.uint8)
        run_starts = []
        taken = -1
        for p in np.flatnonzero(data == 0):  # pair each 00 with the count byte after it
            if p > taken:
                run_starts.append(p)
                taken = p + 1
        counts_at = np.array(run_starts, np.int64) + 1
        if counts_at.size and counts_at[-1] >= data.size:
            self._reject("zero run without a count", chunk)
            return None
        counts = data[counts_at].astype(np.int64)
        if np.any(counts == 0):
            self._reject("zero run of length 0", chunk)
            return None
        repeat = np.ones(data.size, np.int64)
        repeat[counts_at] = 0
        repeat[counts_at - 1] = counts
        total = int(repeat.sum())
        if total != self.cells:
            self._reject(f"expected {self.cells} cells, decoded {total}", chunk)
            return None
        values = data.copy()
        values[counts_at - 1] = 0
        return np.repeat(values, repeat)

    def encode_frame(self, frame: Frame) -> bytes:
        cells = np.clip(self._check_frame(frame), 0, self.max_value).astype(np.uint8).ravel()
        out = bytearray()
        i, n = 0, cells.size
        while i < n:
            if cells[i]:
                j = i
                while j < n and cells[j]:
                    j += 1
                out += cells[i:j].tobytes()
            else:
                j = i
                while j < n and not cells[j] and j - i < 254:
                    j += 1
                out += bytes((0, j - i))
            i = j
        return bytes(out) + b"\xff"
