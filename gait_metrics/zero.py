"""A per-cell zero for recordings made without a tare.

Many low-cost mats read a few counts on cells nobody stands on, and these offsets differ
from cell to cell. A recording made with ``mat record --tare`` carries its per-cell zero;
one made without it does not, and offsets near the noise threshold then count as load,
which corrupts footprints, regions and events. Every cell of a gait recording is unloaded
most of the time (swing, flight, the walker elsewhere on the mat), so the first quartile
of a cell's readings is its zero (a little below it, by about 0.7 noise SDs, which keeps
no offset above the noise threshold). A cell whose low percentile is a sizeable part of the
recording's high readings is under a foot for most of the recording (a person standing
still) and keeps zero.
"""

from __future__ import annotations

import numpy as np

from mat_driver.model import Recording

__all__ = ["estimate_zero", "ZERO_PERCENTILE", "LOADED_FRACTION"]

#: A cell's zero is this percentile of its readings (counts).
ZERO_PERCENTILE = 25.0
#: Cells whose zero would exceed this fraction of the recording's 99.9th percentile
#: reading are taken as loaded, not offset, and keep zero.
LOADED_FRACTION = 0.05
#: Readings sampled: blocks of consecutive frames spread over the recording (contiguous
#: reads from a file), at most ``SAMPLE_BLOCKS * BLOCK_FRAMES`` frames.
SAMPLE_BLOCKS, BLOCK_FRAMES = 20, 50


def estimate_zero(recording: Recording) -> np.ndarray | None:
    """Per-cell zero (counts, ``(rows, cols)``, float32) of a recording without a tare.

    ``None`` when the recording has a tare, has no frames, or reads zero on its empty
    cells (nothing to subtract).

    Examples
    --------
    >>> from mat_driver.model import Geometry
    >>> frames = np.full((100, 2, 3), 4, np.uint16)  # every cell reads 4 counts when empty
    >>> frames[::3, 0, 0] = 300                       # a foot on one cell now and then
    >>> rec = Recording(frames=frames, host_time_s=np.arange(100) / 100, geometry=Geometry(2, 3, 10.0, 10.0), rate_hz=100.0)
    >>> estimate_zero(rec).tolist()
    [[4.0, 4.0, 4.0], [4.0, 4.0, 4.0]]
    """
    n = recording.n_frames
    if recording.calibration.tare is not None or n == 0:
        return None
    if n <= SAMPLE_BLOCKS * BLOCK_FRAMES:
        sample = recording.raw()
    else:
        starts = np.linspace(0, n - BLOCK_FRAMES, SAMPLE_BLOCKS).astype(np.int64)
        sample = np.concatenate([recording.raw(slice(int(s), int(s) + BLOCK_FRAMES)) for s in starts])
    zero = np.percentile(sample, ZERO_PERCENTILE, axis=0)
    zero[zero > LOADED_FRACTION * np.percentile(sample, 99.9)] = 0.0
    return zero.astype(np.float32) if zero.any() else None
