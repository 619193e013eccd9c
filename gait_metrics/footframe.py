"""The foot's own coordinate frame (the treadmill belt's motion under it: :mod:`gait_metrics.belt`).

Convention (docs/metrics.md, "Foot frame"):

- long axis, functional: from the heel's pressure centre to the metatarsal heads' pressure
  centre, both from the stance's own pressures with the belt's motion removed: the
  pressure centroids of the rear quarter of the footprint and of the metatarsal band,
  60-80 % of the footprint's length. It runs about 1-2 degrees more toe-out than the
  anatomical heel to MTH2/3 line, since the metatarsal heads' load centres lateral of
  MTH2/3. The regions are placed along the footprint's principal axis, then once more
  along the axis they give (the principal axis tilts on forefoot landings);
- origin: the heel's rearmost loaded point on that axis; ``x`` mm towards the toes; foot
  length to the most anterior loaded point (the hallux tip). Both are the foot's: over
  the steps of one side, the 90th percentile of the heel edge's and the toe tip's distance
  from the heel centre (see :meth:`FootFrames.with_edges_of_sides`), since one step's
  cell grid places them only to within a cell;
- ``y`` mm perpendicular to the axis, medial positive for both feet (the side is applied
  when projecting, see :meth:`VoxelCoordinates.project`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from gait_metrics._segments import segment_sum
from gait_metrics.stances import StanceLayout
from mat_driver.model import Geometry

if TYPE_CHECKING:
    from gait_metrics.belt import BeltMotion

__all__ = ["FootFrames", "VoxelCoordinates", "foot_frames", "insole_frames"]

HEEL_FRAC = 0.25
METATARSAL_BAND = (0.60, 0.80)
SIDE_EDGE_PERCENTILE = 90.0
SIDE_EDGE_MIN_STEPS = 5
BLOCK_VOXELS = 131_072  # voxels of the steps worked on at a time (a few hundred kB per array)


@dataclass(frozen=True, eq=False)
class VoxelCoordinates:
    """Mat-frame position (mm) of every footprint voxel, its pressure and step; voxels
    grouped by step, ``bounds`` (n + 1) the first voxel of each step.

    Positions and pressures are float32 (a tenth of a micrometre at 2 m): per-voxel work
    moves half the memory; every sum over voxels accumulates in float64.
    """

    x_mm: np.ndarray
    y_mm: np.ndarray
    pressure: np.ndarray
    step: np.ndarray
    bounds: np.ndarray

    @property
    def n_steps(self) -> int:
        """Number of steps."""
        return len(self.bounds) - 1

    def blocks(self, voxels: int = BLOCK_VOXELS) -> Iterator[tuple[slice, slice, "VoxelCoordinates"]]:
        """Runs of whole steps of about ``voxels`` voxels each: their steps, their voxels, and
        the coordinates of those alone (step numbers and bounds from 0). One block if there
        are no steps.

        Per-step work done block by block keeps its temporaries in the CPU cache, instead
        of streaming arrays over all steps through memory once per operation.
        """
        bounds = self.bounds
        cuts = np.unique(np.r_[np.searchsorted(bounds, np.arange(0, bounds[-1], voxels)), self.n_steps])
        if cuts.size < 2:
            yield slice(0, 0), slice(0, 0), self
        for s0, s1 in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
            lo, hi = int(bounds[s0]), int(bounds[s1])
            yield (
                slice(s0, s1),
                slice(lo, hi),
                VoxelCoordinates(self.x_mm[lo:hi], self.y_mm[lo:hi], self.pressure[lo:hi], self.step[lo:hi] - s0, bounds[s0 : s1 + 1] - lo),
            )

    def sums(self, *weights: np.ndarray) -> list[np.ndarray]:
        """Per-step sum of each weight array (voxels are grouped by step)."""
        return [segment_sum(w, self.bounds) for w in weights]

    def spread(self, *per_step: np.ndarray) -> list[np.ndarray]:
        """Each per-step array repeated for every voxel of its step."""
        counts = np.diff(self.bounds)
        return [np.repeat(np.asarray(a, np.float32), counts) for a in per_step]

    def along(self, x_mm: np.ndarray, y_mm: np.ndarray, origin: np.ndarray, axis: np.ndarray) -> np.ndarray:
        """Points (one per voxel) along each step's unit ``axis`` from its ``origin``."""
        ax, ay, along0 = self.spread(axis[:, 0], axis[:, 1], origin[:, 0] * axis[:, 0] + origin[:, 1] * axis[:, 1])
        return x_mm * ax + y_mm * ay - along0

    def project(self, x_mm: np.ndarray, y_mm: np.ndarray, origin: np.ndarray, axis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Points (one per voxel) relative to each step's ``origin`` ``(n, 2)``: along its
        unit ``axis`` ``(n, 2)``, and to the axis's left."""
        ax, ay = self.spread(axis[:, 0], axis[:, 1])
        along0, left0 = self.spread(origin[:, 0] * axis[:, 0] + origin[:, 1] * axis[:, 1], origin[:, 1] * axis[:, 0] - origin[:, 0] * axis[:, 1])
        return x_mm * ax + y_mm * ay - along0, y_mm * ax - x_mm * ay - left0


@dataclass(frozen=True, eq=False)
class FootFrames:
    """Every step's foot frame: origin and axis in the mat frame at the step's first frame.

    On a treadmill the foot rides the belt, so a point of the foot that lay at ``p`` at
    the first frame lies at ``p - (D, 0)`` once the belt has travelled ``D`` mm (see
    :class:`~gait_metrics.belt.BeltMotion`). ``heel_mm`` is the heel centre; ``midfoot_left_mm`` the offset
    of the midfoot contact to the left of the axis (NaN without midfoot contact).
    """

    origin_mm: np.ndarray
    axis: np.ndarray
    heel_mm: np.ndarray
    length_mm: np.ndarray
    width_mm: np.ndarray
    midfoot_left_mm: np.ndarray

    def __len__(self) -> int:
        return int(self.length_mm.size)

    def with_edges_of_sides(self, side: np.ndarray, usable: np.ndarray, *, min_steps: int = SIDE_EDGE_MIN_STEPS) -> "FootFrames":
        """The same frames with each side's heel edge and toe tip taken over all its steps.

        One footprint's cell grid places its loaded edges only to within a cell: a foot
        that stands still shows the cells whose centres lie inside its outline, up to a
        cell behind the edge. But every step lands at another offset to the grid, and the
        edges lie at a fixed distance from the heel centre on one foot. So, per side with
        at least ``min_steps`` usable steps, the heel edge and the toe tip lie at the
        90th percentile of the steps' distances behind and in front of the heel centre.
        """
        axis, heel = self.axis, self.heel_mm
        rear = np.sum((heel - self.origin_mm) * axis, axis=1)  # heel centre to heel edge, mm
        front = self.length_mm - rear  # heel centre to toe tip
        origin, length = self.origin_mm.copy(), self.length_mm.copy()
        for code in np.unique(side):
            chosen = (side == code) & usable & np.isfinite(rear) & np.isfinite(front)
            if chosen.sum() < min_steps:
                continue
            members = side == code
            edge, tip = np.percentile(rear[chosen], SIDE_EDGE_PERCENTILE), np.percentile(front[chosen], SIDE_EDGE_PERCENTILE)
            origin[members] = heel[members] - edge * axis[members]
            length[members] = edge + tip
        return dataclasses.replace(self, origin_mm=origin, length_mm=length)

    def origin_at(self, travel_mm: np.ndarray) -> np.ndarray:
        """``(n, 2)`` origin of each step once the belt has travelled ``travel_mm`` (mat frame)."""
        return self.origin_mm - np.column_stack([travel_mm, np.zeros_like(travel_mm)])


def _window(frac: np.ndarray, low: float, high: float, ramp: np.ndarray) -> np.ndarray:
    """Weight 1 for ``low <= frac <= high``, falling linearly to 0 over ``ramp`` outside.

    A region of the foot cut with a hard edge gains and loses whole cells as the foot
    moves across the grid, so its centroid jitters by a good part of a cell; a ramp one
    cell wide lets each cell's share change smoothly.
    """
    weight = (high + ramp) - frac
    if low > -np.inf:
        np.minimum(weight, frac - (low - ramp), out=weight)
    weight /= ramp
    return np.clip(weight, 0.0, 1.0, out=weight)


def _rough_frame(v: VoxelCoordinates, x_mm: np.ndarray, direction: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Principal axis of each footprint, pointing along ``direction`` (+1/-1 in x, per step),
    every voxel's position along it as a fraction of the footprint's extent, and the extent."""
    p = v.pressure
    px, py = p * x_mm, p * v.y_mm
    total, sx, sy, sxx, syy, sxy = v.sums(p, px, py, px * x_mm, py * v.y_mm, px * v.y_mm)
    total = np.maximum(total, 1e-12)
    mx, my = sx / total, sy / total
    cxx, cyy, cxy = sxx / total - mx * mx, syy / total - my * my, sxy / total - mx * my
    angle = 0.5 * np.arctan2(2.0 * cxy, cxx - cyy)
    axis = np.column_stack([np.cos(angle), np.sin(angle)])
    axis *= np.where(axis[:, 0] * direction >= 0, 1.0, -1.0)[:, None]
    return (axis, *_fractions_along(v, x_mm, np.column_stack([mx, my]), axis))


def _fractions_along(v: VoxelCoordinates, x_mm: np.ndarray, origin: np.ndarray, axis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every voxel's position along its step's unit ``axis`` (through ``origin``) as a
    fraction of the footprint's extent along it, and that extent."""
    u = v.along(x_mm, v.y_mm, origin, axis)
    starts = v.bounds[:-1]
    low, high = np.minimum.reduceat(u, starts), np.maximum.reduceat(u, starts)
    extent = np.maximum(high - low, 1e-9)
    low_v, extent_v = v.spread(low, extent)
    return (u - low_v) / extent_v, extent


def _heel_and_axis(
    v: VoxelCoordinates, x_mm: np.ndarray, frac: np.ndarray, extent: np.ndarray, fallback: np.ndarray, pitch_mm: float
) -> tuple[np.ndarray, np.ndarray]:
    """Heel centre ``(n, 2)`` (NaN without heel pressure) and unit axis ``(n, 2)`` towards the
    metatarsal point, from regions placed by the voxels' fractions ``frac`` of the extent;
    ``fallback`` where the two points do not give an axis."""
    p = v.pressure
    (ramp,) = v.spread(pitch_mm / extent)
    heel = p * _window(frac, -np.inf, HEEL_FRAC, ramp)
    band = p * _window(frac, METATARSAL_BAND[0], METATARSAL_BAND[1], ramp)
    hw, hx, hy, bw, bx, by = v.sums(heel, heel * x_mm, heel * v.y_mm, band, band * x_mm, band * v.y_mm)
    with np.errstate(invalid="ignore", divide="ignore"):
        heel_xy = np.column_stack([hx / hw, hy / hw])
        metatarsal_xy = np.column_stack([bx / bw, by / bw])
    axis = metatarsal_xy - heel_xy
    norm = np.linalg.norm(axis, axis=1)
    good = np.isfinite(norm) & (norm > 1e-6)
    return heel_xy, np.where(good[:, None], axis / np.where(good, norm, 1.0)[:, None], fallback)


def foot_frames(
    v: VoxelCoordinates, layout: StanceLayout, *, belt: BeltMotion, walks_forward: bool, pitch_mm: float
) -> tuple[FootFrames, np.ndarray, np.ndarray]:
    """The foot frame of every step (see the module docstring for the convention).

    Parameters
    ----------
    v, layout
        Footprint voxels and the steps' per-frame layout.
    belt
        The belt's travel under each stance (:meth:`~gait_metrics.belt.BeltMotion.still` off a treadmill).
    walks_forward
        True on a treadmill (walking towards ``+x``); otherwise each foot points the way
        its CoP travels.
    pitch_mm
        Cell pitch, for the foot width (outer edges of the outermost loaded cells).

    Returns
    -------
    frames : FootFrames
    along_mm, left_mm : numpy.ndarray
        Every voxel along its step's axis from the heel centre (belt motion removed), and
        to the axis's left: the foot coordinates before the origin is placed.
    """
    x = v.x_mm + layout.spread(belt.displacement_mm)
    direction = np.ones(v.n_steps) if walks_forward else _cop_direction(v, x, layout)
    parts = [_block_frames(block, x[voxels], direction[steps], pitch_mm) for steps, voxels, block in v.blocks()]
    frames = FootFrames(*(np.concatenate([getattr(part[0], f.name) for part in parts]) for f in dataclasses.fields(FootFrames)))
    return frames, np.concatenate([part[1] for part in parts]), np.concatenate([part[2] for part in parts])


def _block_frames(v: VoxelCoordinates, x_mm: np.ndarray, direction: np.ndarray, pitch_mm: float) -> tuple[FootFrames, np.ndarray, np.ndarray]:
    """:func:`foot_frames` of the steps of ``v`` (one block), given every voxel's belt-compensated
    ``x_mm`` and each step's rough ``direction``."""
    n = v.n_steps
    p = v.pressure
    rough_axis, frac, extent = _rough_frame(v, x_mm, direction)
    _, axis = _heel_and_axis(v, x_mm, frac, extent, rough_axis, pitch_mm)
    # the principal axis tilts on forefoot landings, and the regions cut along it take in
    # the lateral midfoot: place them again along the axis they gave
    frac, extent = _fractions_along(v, x_mm, np.zeros((n, 2)), axis)
    heel_xy, axis = _heel_and_axis(v, x_mm, frac, extent, axis, pitch_mm)
    heel_xy = np.where(np.isfinite(heel_xy), heel_xy, 0.0)
    along, left = v.project(x_mm, v.y_mm, heel_xy, axis)
    starts = v.bounds[:-1]
    rear, front = np.minimum.reduceat(along, starts), np.maximum.reduceat(along, starts)
    length = front - rear
    rear_v, length_v = v.spread(rear, np.maximum(length, 1e-9))
    rel = (along - rear_v) / length_v
    mid = p * ((rel >= 0.3) & (rel <= 0.6))
    mw, ml = v.sums(mid, mid * left)
    with np.errstate(invalid="ignore", divide="ignore"):
        midfoot_left = np.where(mw > 0, ml / mw, np.nan)
    frames = FootFrames(
        origin_mm=heel_xy + rear[:, None] * axis,
        axis=axis,
        heel_mm=heel_xy,
        length_mm=length,
        width_mm=np.maximum.reduceat(left, starts) - np.minimum.reduceat(left, starts) + pitch_mm,
        midfoot_left_mm=midfoot_left,
    )
    return frames, along, left


def _cop_direction(v: VoxelCoordinates, x_mm: np.ndarray, layout: StanceLayout) -> np.ndarray:
    """+1 where the footprint's CoP travels towards +x over the stance, else -1 (+1 if unclear)."""
    local = (layout.position - layout.offsets[v.step]) / np.diff(layout.offsets)[v.step]
    early = v.pressure * (local <= 0.35)
    late = v.pressure * (local >= 0.65)
    ew, ex, lw, lx = v.sums(early, early * x_mm, late, late * x_mm)
    with np.errstate(invalid="ignore", divide="ignore"):
        travel = lx / lw - ex / ew
    return np.where(np.isfinite(travel) & (travel < -20.0), -1.0, 1.0)


def insole_frames(n_steps: int, geometry: Geometry) -> FootFrames:
    """Insole: the sensor is the foot. Origin at the heel end (index 0 of the walking axis),
    on the sensor's centre line; axis along the walking axis; length the sensor's."""
    length = geometry.cells_along * geometry.pitch_along_mm
    width = geometry.cells_across * geometry.pitch_across_mm
    origin = np.tile([0.0, width / 2.0], (n_steps, 1))
    return FootFrames(
        origin_mm=origin,
        axis=np.tile([1.0, 0.0], (n_steps, 1)),
        heel_mm=origin.copy(),
        length_mm=np.full(n_steps, float(length)),
        width_mm=np.full(n_steps, float(width)),
        midfoot_left_mm=np.full(n_steps, np.nan),
    )
