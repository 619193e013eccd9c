"""The treadmill belt's motion under each stance, measured from the footprints themselves.

On a treadmill the belt carries the standing foot backwards (towards ``-x``), and it slows
under load (measured treadmills dip by more than 5 % during running stance). Each
stance's belt travel is measured from the footprint itself. Two anchors are skin-fixed:
the pressure centroid of the heel (the rear 30 % of the belt-compensated footprint along
the walking axis) and that of the metatarsal heads (55-78 %). While an anchor carries at least 30 % of its own
peak force, its track in the mat frame is ``anchor - D(t)`` with the belt travel
``D(t) = v (t - t0) - b G(t)``, where ``G`` is the time integral of the force on the mat
since the step's first frame ``t0``: the belt slows in proportion to its load. ``v``, ``b``
and the two anchors' positions are the weighted least-squares solution over both tracks.
Rounds starting from the set speed (or from the track of the footprint's rear edge)
settle the compensated footprint and so the anchors (at most three; they stop once the typical
step's speed moves by 0.1 %). The anchors' regions have edges one cell wide, so that
cells enter and leave them smoothly as the foot crosses the grid. A slowdown ``b`` that comes
out negative is refitted as 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait_metrics._segments import interp_segments, segment_max, segment_sum
from gait_metrics.footframe import VoxelCoordinates
from gait_metrics.stances import StanceLayout

__all__ = ["BeltMotion", "estimate_belt_motion"]

ANCHOR_HEEL_FRAC = 0.30
ANCHOR_BAND = (0.55, 0.80)
ANCHOR_LOAD_FRAC = 0.30
SETTLED_FRAC = 1e-3


def _rough_speed(v: VoxelCoordinates, layout: StanceLayout) -> float:
    """Typical belt speed: the median frame-to-frame motion of the footprints' rear edge.

    While the heel is loaded the rear edge is its rear; when it lifts, the edge jumps
    forwards once, which the median ignores.
    """
    rear = np.full(len(layout), np.inf)
    np.minimum.at(rear, layout.position, v.x_mm)
    force = layout.per_frame(v.pressure)
    loaded = force >= 0.2 * segment_max(force, layout.offsets)[layout.step]
    same = (layout.step[1:] == layout.step[:-1]) & loaded[1:] & loaded[:-1]
    with np.errstate(invalid="ignore"):
        speed = -np.diff(rear)[same] / np.diff(layout.time_s)[same] / 1000.0
    speed = speed[np.isfinite(speed)]
    return float(np.median(speed)) if speed.size else 0.0


@dataclass(frozen=True, eq=False)
class BeltMotion:
    """The belt under every stance: ``speed_m_s`` and ``slowdown_mm_per_n_s`` of the model
    ``D(t) = 1000 v (t - t0) - b G(t)``, and ``displacement_mm``: the belt travel since the
    step's first frame at every element of the steps' layout (0 off a treadmill)."""

    speed_m_s: np.ndarray
    slowdown_mm_per_n_s: np.ndarray
    displacement_mm: np.ndarray

    @classmethod
    def still(cls, layout: StanceLayout) -> "BeltMotion":
        """No belt (walkway, insole)."""
        n = len(layout.offsets) - 1
        return cls(np.zeros(n), np.zeros(n), np.zeros(len(layout)))

    def travel_mm(self, layout: StanceLayout, at_s: np.ndarray) -> np.ndarray:
        """Belt travel of every step since its first frame at its times ``at_s`` ``(n, m)``."""
        known = np.isfinite(at_s)
        travel = interp_segments(layout.time_s, self.displacement_mm, layout.offsets, np.where(known, at_s, 0.0))
        return np.where(known, travel, np.nan)


def _load_integral(layout: StanceLayout, mat_force_n: np.ndarray) -> np.ndarray:
    """Per element: time integral (N s) of the mat's force since the step's first frame."""
    n = mat_force_n.size
    force = np.where((layout.frame >= 0) & (layout.frame < n), mat_force_n[np.clip(layout.frame, 0, max(n - 1, 0))], 0.0)
    increment = np.r_[0.0, 0.5 * (force[1:] + force[:-1]) * np.diff(layout.time_s)]
    total = np.cumsum(increment)
    start = layout.offsets[:-1] + 1
    return total - total[start][layout.step]


def _anchor_tracks(
    v: VoxelCoordinates, layout: StanceLayout, columns: np.ndarray, rear: np.ndarray, extent: np.ndarray, displacement: np.ndarray, pitch_mm: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per element: weight and mat x ``(2, n_elements)`` of the heel and metatarsal anchors'
    pressure centroids, weight 0 where the anchor carries under ``ANCHOR_LOAD_FRAC`` of its
    own peak.

    An anchor is a band of the belt-compensated footprint, ``rear + frac x extent`` per step,
    with edges one cell wide (see :func:`gait_metrics.footframe._window`). On the mat at an element whose belt
    travel is ``displacement`` the band's edges lie ``displacement`` further back, so each
    voxel's weight is a clipped difference of its mat position in cells (``columns``) and
    the element's edges: no per-voxel compensated position is needed.
    """
    tracks = []
    for low, high in ((-np.inf, ANCHOR_HEEL_FRAC), ANCHOR_BAND):
        front = ((rear + high * extent)[layout.step] - displacement) / pitch_mm + 1.0
        weight = layout.spread(front)
        weight -= columns
        if low > -np.inf:
            back = ((rear + low * extent)[layout.step] - displacement) / pitch_mm - 1.0
            np.minimum(weight, columns - layout.spread(back), out=weight)
        np.clip(weight, 0.0, 1.0, out=weight)
        weight *= v.pressure
        load = layout.per_frame(weight)
        weight *= v.x_mm
        with np.errstate(invalid="ignore", divide="ignore"):
            centre = layout.per_frame(weight) / load
        use = (load > 0) & (load >= ANCHOR_LOAD_FRAC * segment_max(load, layout.offsets)[layout.step])
        tracks.append((np.where(use, load, 0.0), np.where(use, centre, 0.0)))
    return np.array([w for w, _ in tracks]), np.array([c for _, c in tracks])


def _solve(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Solve a stack of small linear systems; least squares for the rare singular ones."""
    try:
        return np.linalg.solve(matrix, vector[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return np.array([np.linalg.lstsq(m, b, rcond=None)[0] for m, b in zip(matrix, vector)])


def _fit_belt(
    layout: StanceLayout, tracks: list[tuple[np.ndarray, np.ndarray]], t_rel: np.ndarray, load: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted least squares of ``centre_k = anchor_k - 1000 v t + b G`` over both tracks.

    Returns speed, slowdown and whether each step could be solved.
    """
    n = len(layout.offsets) - 1
    matrix = np.zeros((n, 4, 4))
    vector = np.zeros((n, 4))
    for k, (w, c) in enumerate(tracks):
        design = [np.full(t_rel.size, float(k == 0)), np.full(t_rel.size, float(k == 1)), -1000.0 * t_rel, load]
        for a in range(4):
            vector[:, a] += segment_sum(w * c * design[a], layout.offsets)
            for b in range(a, 4):
                matrix[:, a, b] += segment_sum(w * design[a] * design[b], layout.offsets)
    matrix += np.transpose(np.triu(matrix, 1), (0, 2, 1))
    points = sum(segment_sum((w > 0).astype(float), layout.offsets) for w, _ in tracks)
    for k in range(2):  # an anchor without a track: pin its unused offset
        idle = matrix[:, k, k] <= 0
        matrix[idle, k, k] = 1.0
    solution = np.zeros((n, 4))
    solvable = (points >= 4) & np.all(np.isfinite(matrix), axis=(1, 2)) & np.all(np.isfinite(vector), axis=1)
    if solvable.any():
        solution[solvable] = _solve(matrix[solvable], vector[solvable])
    negative = solvable & (solution[:, 3] < 0)  # a belt that speeds up under load: refit without b
    if negative.any():
        solution[negative, :3] = _solve(matrix[negative][:, :3, :3], vector[negative][:, :3])
        solution[negative, 3] = 0.0
    return solution[:, 2], solution[:, 3], solvable


def estimate_belt_motion(
    v: VoxelCoordinates, layout: StanceLayout, mat_force_n: np.ndarray, *, pitch_mm: float, guess_m_s: float | None = None, rounds: int = 3
) -> BeltMotion:
    """The belt's travel under each stance, from the footprint's own motion (see the module docstring).

    Parameters
    ----------
    v
        Footprint voxels with their mat positions and times.
    layout
        The steps' per-frame layout.
    mat_force_n
        Force on the whole mat per recording frame (the belt's load).
    pitch_mm
        Cell pitch along the walking axis (the anchors' edge ramps are one cell wide).
    guess_m_s
        The set speed, if known: the starting point. Otherwise the rear edge's track.
    rounds
        At most this many refinements of the anchors; they stop once the typical step's
        speed changes by under 0.1 %.

    Returns
    -------
    BeltMotion
        A step that cannot be solved, or whose speed lies more than 15 % from the median
        step's, gets the median speed and no slowdown.
    """
    n = v.n_steps
    t_ref = layout.time_s[layout.offsets[:-1] + 1]
    t_rel = layout.time_s - t_ref[layout.step]
    load = _load_integral(layout, mat_force_n)
    speed = np.full(n, float(guess_m_s) if guess_m_s else _rough_speed(v, layout))
    slowdown = np.zeros(n)
    starts = layout.offsets[:-1]
    element_rear, element_front = layout.per_frame_range(v.x_mm)
    columns = v.x_mm / np.float32(pitch_mm)
    blocks = []  # the anchors are tracked block by block of whole steps: per-voxel temporaries stay in cache
    for steps, voxels, block in v.blocks():
        elements = slice(int(layout.offsets[steps.start]), int(layout.offsets[steps.stop]))
        blocks.append((steps, elements, voxels, block, layout.block(steps, voxels)))
    for _ in range(rounds):
        displacement = 1000.0 * speed[layout.step] * t_rel - slowdown[layout.step] * load
        rear = np.minimum.reduceat(element_rear + displacement, starts)
        extent = np.maximum(np.maximum.reduceat(element_front + displacement, starts) - rear, pitch_mm)
        parts = [
            _anchor_tracks(block, sub, columns[voxels], rear[steps], extent[steps], displacement[elements], pitch_mm)
            for steps, elements, voxels, block, sub in blocks
        ]
        weight, centre = (np.concatenate([part[i] for part in parts], axis=1) for i in range(2))
        found_speed, found_slowdown, solved = _fit_belt(layout, list(zip(weight, centre)), t_rel, load)
        settled = np.median(np.abs(found_speed - speed)[solved]) <= SETTLED_FRAC * np.median(np.abs(speed[solved])) if solved.any() else True
        speed = np.where(solved, found_speed, speed)
        slowdown = np.where(solved, found_slowdown, slowdown)
        if settled:
            break
    typical = float(np.median(speed)) if n else 0.0
    outlier = ~np.isfinite(speed) | (np.abs(speed - typical) > 0.15 * abs(typical))
    speed = np.where(outlier, typical, speed)
    slowdown = np.where(outlier, 0.0, slowdown)
    return BeltMotion(speed, slowdown, 1000.0 * speed[layout.step] * t_rel - slowdown[layout.step] * load)
