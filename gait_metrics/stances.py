"""Per-step, per-frame series of all steps laid end to end (one segment per step).

Step ``k`` covers frames ``first_frame[k] - 1 .. last_frame[k] + 1``: its footprint's
frames plus one unloaded frame at each end, so that initial contact and toe off always
interpolate from zero. Footprint voxels come grouped by step and frame, so sums over each
step's voxels per frame are one ``np.add.reduceat``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait_metrics._segments import segment_index
from gait_metrics.footsteps import Footprints

__all__ = ["StanceLayout", "stance_layout"]


@dataclass(frozen=True, eq=False)
class StanceLayout:
    """Where each step's frames lie in the flat per-step series.

    ``offsets`` (n + 1) start each step's segment; ``frame`` is the recording frame of each
    element (pads may be -1 or ``n_frames``); ``time_s`` its time; ``step`` the step of
    every element; ``position`` the element of every footprint voxel (never decreasing:
    footprint voxels are grouped by step, then frame), ``run_start`` the first voxel of
    each element that has voxels and ``run_element`` that element.
    """

    offsets: np.ndarray
    frame: np.ndarray
    time_s: np.ndarray
    step: np.ndarray
    position: np.ndarray
    run_start: np.ndarray
    run_element: np.ndarray

    def __len__(self) -> int:
        return int(self.frame.size)

    def per_frame(self, weights: np.ndarray) -> np.ndarray:
        """Sum of ``weights`` (one per footprint voxel) over each element's voxels (float64)."""
        out = np.zeros(len(self))
        if self.run_start.size:
            out[self.run_element] = np.add.reduceat(weights, self.run_start, dtype=np.float64)
        return out

    def per_frame_max(self, weights: np.ndarray) -> np.ndarray:
        """Largest of ``weights`` over each element's voxels (0 without voxels)."""
        out = np.zeros(len(self))
        if self.run_start.size:
            out[self.run_element] = np.maximum.reduceat(weights, self.run_start)
        return out

    def spread(self, values: np.ndarray) -> np.ndarray:
        """Each element's value (one per layout element) repeated for each of its voxels, float32."""
        lengths = np.diff(np.r_[self.run_start, self.position.size])
        return np.repeat(np.asarray(values, np.float32)[self.run_element], lengths)

    def per_frame_range(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Smallest and largest of ``values`` over each element's voxels (+inf and -inf without voxels)."""
        low, high = np.full(len(self), np.inf), np.full(len(self), -np.inf)
        if self.run_start.size:
            low[self.run_element] = np.minimum.reduceat(values, self.run_start)
            high[self.run_element] = np.maximum.reduceat(values, self.run_start)
        return low, high

    def block(self, steps: slice, voxels: slice) -> "StanceLayout":
        """The layout of the steps ``steps`` alone (whose footprint voxels are ``voxels``),
        numbered from 0: for work done block by block (see :meth:`VoxelCoordinates.blocks`)."""
        start, stop = int(self.offsets[steps.start]), int(self.offsets[steps.stop])
        runs = slice(*np.searchsorted(self.run_start, [voxels.start, voxels.stop]).tolist())
        return StanceLayout(
            offsets=self.offsets[steps.start : steps.stop + 1] - start,
            frame=self.frame[start:stop],
            time_s=self.time_s[start:stop],
            step=self.step[start:stop] - steps.start,
            position=self.position[voxels] - start,
            run_start=self.run_start[runs] - voxels.start,
            run_element=self.run_element[runs] - start,
        )

    def count(self) -> np.ndarray:
        """Voxels of each element."""
        out = np.zeros(len(self), np.int64)
        out[self.run_element] = np.diff(np.r_[self.run_start, self.position.size])
        return out


def stance_layout(footprints: Footprints, time_s: np.ndarray) -> StanceLayout:
    """The flat layout of ``footprints``' frames; ``time_s`` gives every recording frame's time."""
    first, last = footprints.first_frame, footprints.last_frame
    lengths = last - first + 3
    offsets = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    step = segment_index(offsets)
    local = np.arange(offsets[-1]) - offsets[step]
    frame = first[step] - 1 + local
    n = len(time_s)
    dt = float(np.median(np.diff(time_s))) if n > 1 else 0.01
    clipped = np.clip(frame, 0, max(n - 1, 0))
    times = np.asarray(time_s, np.float64)[clipped] if n else np.zeros(frame.size)
    times = times + np.where(frame < 0, -dt, 0.0) + np.where(frame >= n, dt, 0.0)
    shift = offsets[:-1] + 1 - first  # element of a step's frame f: shift + f
    position = np.repeat(shift, np.diff(footprints.bounds)) + footprints.frame  # voxels are grouped by step
    run_start = np.flatnonzero(np.r_[True, position[1:] != position[:-1]]) if position.size else np.zeros(0, np.int64)
    return StanceLayout(offsets=offsets, frame=frame, time_s=times, step=step, position=position, run_start=run_start, run_element=position[run_start])
