"""The frame: one picture of the mat as it came off the wire."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Frame"]


@dataclass(frozen=True, eq=False)
class Frame:
    """One decoded frame.

    Parameters
    ----------
    cells
        Raw ADC counts, shape ``(rows, cols)``, row-major as the mat sends them.
    counter
        Device frame counter as sent (it may wrap), or ``None`` if the protocol has none.
    device_time_us
        Device clock in microseconds as sent (it may wrap), or ``None``.
    host_time_s
        Host monotonic time in seconds when the frame was decoded, or ``None`` until the
        reader stamps it.
    """

    cells: np.ndarray
    counter: int | None = None
    device_time_us: int | None = None
    host_time_s: float | None = None

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)`` of the frame."""
        return self.cells.shape
