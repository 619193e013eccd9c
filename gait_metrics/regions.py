"""Region forces along the foot axis (rearfoot, midfoot, forefoot), region geometry v2.

Definition (docs/metrics.md, "Regions"):

- the boundaries lie at fixed distances from each step's heel centre along its axis, the
  same for every step of a side: ``rear + 0.30 L`` and ``rear + 0.60 L``
  (``AnalysisConfig.rearfoot_end_frac``, ``midfoot_end_frac``), with ``rear`` the side's
  heel edge behind the heel centre and ``L`` its foot length, both over all the side's
  steps (:meth:`gait_metrics.footframe.FootFrames.with_edges_of_sides`). A boundary that
  followed each step's own footprint moved by up to a cell from step to step, and with it
  a cell of load from one region to the next;
- a region's force is the pressure integrated over its area: a cell that straddles a
  boundary counts in each region by the share of its area on that side. The cell is a
  square of the pitch (a rectangle of the two pitches) at the step's angle to the axis;
  along the axis its area spreads as the sum of two uniform widths, ``pitch_x |cos a|``
  and ``pitch_y |sin a|`` (a trapezoid), whose distribution function gives the share.
  A cell's pressure is taken as even over its area.

The highest cell pressure of a region (``peak_pressure_<region>_kpa``) is over the cells
whose centre lies in it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait_metrics.footframe import FootFrames, VoxelCoordinates
from gait_metrics.stances import StanceLayout

__all__ = ["RegionGeometry", "VoxelRegions", "share_behind"]


def share_behind(ahead_mm: np.ndarray, wide_mm: np.ndarray, narrow_mm: np.ndarray) -> np.ndarray:
    """Share of a cell's area behind a line ``ahead_mm`` in front of its centre.

    Along the axis the cell's area spreads as the sum of two uniform distributions of
    widths ``wide_mm >= narrow_mm`` (its sides projected on the axis): flat in the middle,
    falling off quadratically at both ends.

    Examples
    --------
    >>> a = lambda *v: np.array(v, np.float64)
    >>> share_behind(a(-10.0, -5.0, 0.0, 2.125, 10.0), a(8.5), a(0.0)).tolist()
    [0.0, 0.0, 0.5, 0.75, 1.0]
    >>> round(float(share_behind(a(-3.5), a(6.0), a(2.0))[0]), 6)  # in the corner: (1/2)^2 / (2 x 6 x 2)
    0.010417
    """
    narrow = np.maximum(narrow_mm, 1e-3 * wide_mm)  # a cell square to the axis: a uniform spread
    distance = np.abs(ahead_mm)
    corner = np.maximum(0.5 * (wide_mm + narrow) - distance, 0.0)
    tail = np.where(distance >= 0.5 * (wide_mm - narrow), corner * corner / (2.0 * wide_mm * narrow), 0.5 - distance / wide_mm)
    return np.where(ahead_mm >= 0, 1.0 - tail, tail)


@dataclass(frozen=True, eq=False)
class RegionGeometry:
    """Every step's region boundaries and its cells' extent along its axis.

    ``boundaries_mm`` ``(n, 2)``: the rearfoot-midfoot and midfoot-forefoot boundaries,
    mm along the axis from the heel centre. ``wide_mm``, ``narrow_mm`` ``(n,)``: a cell's
    two sides projected on the step's axis, the wider first.
    """

    boundaries_mm: np.ndarray
    wide_mm: np.ndarray
    narrow_mm: np.ndarray

    @classmethod
    def of(cls, frames: FootFrames, bounds_frac: tuple[float, float], *, pitch_x_mm: float, pitch_y_mm: float) -> "RegionGeometry":
        """Boundaries at ``bounds_frac`` of each step's foot length from its origin (each
        side's edges, see the module docstring); cells of ``pitch_x_mm`` along the mat's
        ``x`` (the walking axis) by ``pitch_y_mm``."""
        heel_to_origin = np.sum((frames.origin_mm - frames.heel_mm) * frames.axis, axis=1)  # <= 0: behind
        boundaries = heel_to_origin[:, None] + np.outer(frames.length_mm, np.asarray(bounds_frac, float))
        along_x, along_y = pitch_x_mm * np.abs(frames.axis[:, 0]), pitch_y_mm * np.abs(frames.axis[:, 1])
        return cls(boundaries, np.maximum(along_x, along_y), np.minimum(along_x, along_y))

    def on_voxels(self, v: VoxelCoordinates, layout: StanceLayout, along_mm: np.ndarray, *, max_shift_mm: float = 0.0) -> "VoxelRegions":
        """Every voxel against these boundaries, for region sums with the boundaries moved
        by up to ``max_shift_mm``. ``along_mm`` is every voxel's centre along its step's
        axis from the heel centre (belt motion removed)."""
        return VoxelRegions(self, v, layout, along_mm, max_shift_mm)


class VoxelRegions:
    """Every voxel's place against its step's region boundaries.

    A voxel farther than half its cell's extent along the axis (plus the largest shift)
    from a boundary lies wholly on one side of it; only the few near a boundary need
    their area share, so each set of region sums costs little once this is built.
    """

    def __init__(self, geometry: RegionGeometry, v: VoxelCoordinates, layout: StanceLayout, along_mm: np.ndarray, max_shift_mm: float) -> None:
        self.layout = layout
        first, second = v.spread(geometry.boundaries_mm[:, 0], geometry.boundaries_mm[:, 1])
        self.ahead = (first - along_mm, second - along_mm)  # each boundary in front of each voxel's centre
        reach = 0.5 * float(np.max(geometry.wide_mm + geometry.narrow_mm, initial=0.0)) + abs(max_shift_mm)
        p = v.pressure
        self._whole = (layout.per_frame(p * (self.ahead[0] >= reach)), layout.per_frame(p * (self.ahead[1] <= -reach)))
        self._near = []
        for ahead in self.ahead:
            near = np.flatnonzero(np.abs(ahead) < reach)
            step = v.step[near]
            self._near.append(
                (layout.position[near], p[near].astype(np.float64), ahead[near].astype(np.float64), geometry.wide_mm[step], geometry.narrow_mm[step])
            )

    def labels(self) -> np.ndarray:
        """Region of every voxel by its centre: 0 rearfoot, 1 midfoot, 2 forefoot (int8)."""
        return (self.ahead[0] <= 0).astype(np.int8) + (self.ahead[1] <= 0)

    def rear_and_fore(self, shift_mm: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """Per layout element, the pressure sums over the rearfoot's and the forefoot's
        area, with both boundaries ``shift_mm`` further towards the toes."""
        sums = []
        for k, (element, p, ahead, wide, narrow) in enumerate(self._near):
            behind = share_behind(ahead + shift_mm, wide, narrow)
            sums.append(self._whole[k] + np.bincount(element, p * (behind if k == 0 else 1.0 - behind), minlength=len(self.layout)))
        return sums[0], sums[1]
