"""The foot's own coordinate frame, and the treadmill belt's motion under it.

Convention (close to Cavanagh and Rodgers' heel-centre to second-toe line):

- long axis from the heel centre to the midpoint of the 2nd and 3rd metatarsal heads, both
  taken from the stance's peak-pressure footprint (belt motion removed): the heel centre is
  the pressure-weighted centroid of the rear 25 % of the footprint, the metatarsal point
  the centroid of the high-pressure cells (at least half the band's peak) between
  60 % and 85 % of its length;
- origin at the heel's rearmost loaded point on that axis (the centre of the rearmost
  loaded cell of the peak footprint); x in mm towards the toes; foot length to the most
  anterior loaded point (likewise a cell centre);
- y in mm perpendicular to the axis, medial positive for both feet.

On a treadmill the belt carries the foot backwards. Its speed during each stance is found
from the footprint itself: first the speed that, added back, makes the footprint's cells
pile up most sharply (the sum of squared, linearly splatted bin weights is largest), then
refined from the track of the heel's pressure centroid (see :func:`_anchor_speed`). The
belt slows by a few percent under load, so this beats the set speed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait_metrics.footsteps import Footprint

__all__ = ["FootFrame", "estimate_belt_speed", "foot_frame"]


def _sharpness(x: np.ndarray, across: np.ndarray, weight: np.ndarray, bin_mm: float) -> float:
    position = x / bin_mm
    low = np.floor(position)
    frac = position - low
    low = (low - low.min()).astype(np.int64)
    width = int(low.max()) + 2
    index = across * width + low
    size = int(across.max() + 1) * width
    hist = np.bincount(index, weight * (1 - frac), minlength=size) + np.bincount(index + 1, weight * frac, minlength=size)
    return float(np.dot(hist, hist))


def estimate_belt_speed(
    fp: Footprint,
    time_s: np.ndarray,
    x_mm: np.ndarray,
    across_index: np.ndarray,
    *,
    pitch_mm: float,
    guess_m_s: float | None = None,
) -> float:
    """Belt speed (m/s) during one stance, from the footprint's own motion.

    Parameters
    ----------
    fp
        The stance's footprint.
    time_s
        Time of every frame of the recording, s.
    x_mm, across_index
        Cell x (mm, walking axis) and the cell index across the walking axis, per grid cell.
    pitch_mm
        Cell pitch along the walking axis.
    guess_m_s
        Set belt speed if known: the search covers 60-140 % of it; else 0-8 m/s.
    """
    frames = fp.frame - fp.first
    force = fp.per_frame(fp.pressure)
    keep = force[frames] >= 0.2 * force.max()
    t = time_s[fp.frame[keep]]
    x = x_mm[fp.row[keep], fp.col[keep]]
    across = across_index[fp.row[keep], fp.col[keep]]
    weight = fp.pressure[keep].astype(np.float64)
    t = t - t.min()
    low, high = (0.6 * guess_m_s, 1.4 * guess_m_s) if guess_m_s else (0.0, 8.0)
    bin_mm = pitch_mm / 2.0
    for _ in range(3):  # coarse grid, then two finer ones around the best
        speeds = np.linspace(low, high, 21)
        scores = [_sharpness(x + v * 1000.0 * t, across, weight, bin_mm) for v in speeds]
        best = int(np.argmax(scores))
        step = speeds[1] - speeds[0]
        low, high = speeds[best] - step, speeds[best] + step
    speed = float(speeds[best])
    for _ in range(2):
        speed = _anchor_speed(fp, time_s, x_mm, speed)
    return speed


def _anchor_speed(fp: Footprint, time_s: np.ndarray, x_mm: np.ndarray, speed: float) -> float:
    """Refine the belt speed from the track of one anatomical anchor.

    The sharpest footprint is slightly biased towards slow speeds because pressure moves
    forwards within the foot during stance. The pressure centroid of the heel (the rear
    30 % of the belt-compensated footprint; the metatarsal heads, 60-80 %, when the heel carries
    little) stays on the same skin while its load changes, so its track in the mat frame,
    while it carries at least 30 % of its own peak, gives the belt's speed.
    """
    t = time_s[fp.frame]
    x = x_mm[fp.row, fp.col]
    compensated = x + speed * 1000.0 * (t - t.min())
    span = compensated.max() - compensated.min()
    frac = (compensated - compensated.min()) / max(span, 1e-9)
    p = fp.pressure.astype(np.float64)
    candidates = [frac <= 0.3, (frac >= 0.6) & (frac <= 0.8)]
    forces = [fp.per_frame(np.where(c, p, 0.0)) for c in candidates]
    use = 0 if forces[0].max() >= 0.25 * max(forces[1].max(), 1e-12) else 1
    region, force = candidates[use], forces[use]
    centroid = fp.per_frame(np.where(region, p * x, 0.0)) / np.maximum(force, 1e-12)
    frames = np.flatnonzero(force >= 0.3 * force.max())
    if frames.size < 3:
        return speed
    slope = np.polyfit(time_s[fp.first + frames], centroid[frames], 1)[0]
    return float(-slope / 1000.0)


@dataclass(frozen=True)
class FootFrame:
    """Where a stance's foot lies: origin and axis in mat mm at time ``t_ref_s``.

    ``belt_m_s`` is the speed at which the foot rode backwards (0 off a treadmill).
    """

    origin_mm: np.ndarray
    axis: np.ndarray
    length_mm: float
    width_mm: float
    belt_m_s: float
    t_ref_s: float

    def to_foot(self, x_mm: np.ndarray, y_mm: np.ndarray, t_s: np.ndarray, side: int) -> tuple[np.ndarray, np.ndarray]:
        """Mat coordinates at times ``t_s`` to foot coordinates (x anterior, y medial +).

        ``side`` is 0 for a left foot (medial = walker's right), 1 for a right foot.
        """
        x = np.asarray(x_mm) + self.belt_m_s * 1000.0 * (np.asarray(t_s) - self.t_ref_s) - self.origin_mm[0]
        y = np.asarray(y_mm) - self.origin_mm[1]
        along = x * self.axis[0] + y * self.axis[1]
        left = -x * self.axis[1] + y * self.axis[0]
        return along, (-left if side == 0 else left)


def foot_frame(
    fp: Footprint,
    time_s: np.ndarray,
    x_mm: np.ndarray,
    y_mm: np.ndarray,
    across_index: np.ndarray,
    *,
    belt_m_s: float,
    pitch_mm: float,
    threshold: float,
) -> FootFrame:
    """The foot frame of one stance (see the module docstring for the convention).

    ``threshold`` is the pressure above which a cell of the peak footprint is loaded.
    """
    t_ref = float(time_s[fp.first])
    x = x_mm[fp.row, fp.col] + belt_m_s * 1000.0 * (time_s[fp.frame] - t_ref)
    y = y_mm[fp.row, fp.col]
    # peak-pressure footprint on a grid of one cell, belt motion removed
    xi = np.rint((x - x.min()) / pitch_mm).astype(np.int64)
    yi = across_index[fp.row, fp.col]
    key = yi * (xi.max() + 1) + xi
    order = np.lexsort((-fp.pressure, key))
    first = np.unique(key[order], return_index=True)[1]
    cells = order[first]  # the voxel with the peak pressure of every footprint cell
    px, py, pp = x.min() + xi[cells] * pitch_mm, y[cells], fp.pressure[cells].astype(np.float64)
    loaded = pp > threshold
    px, py, pp = px[loaded], py[loaded], pp[loaded]
    # rough axis: principal direction, pointing where the CoP goes during stance
    cx, cy = np.average(px, weights=pp), np.average(py, weights=pp)
    cov = np.cov(np.vstack([px - cx, py - cy]), aweights=pp)
    direction = np.linalg.eigh(cov)[1][:, -1]
    force = fp.per_frame(fp.pressure)
    cop_x = fp.per_frame(fp.pressure * x) / np.maximum(force, 1e-12)
    cop_y = fp.per_frame(fp.pressure * y) / np.maximum(force, 1e-12)
    valid = force > 0.05 * force.max()
    k = max(1, int(valid.sum() * 0.2))
    idx = np.flatnonzero(valid)
    travel = np.array([cop_x[idx[-k:]].mean() - cop_x[idx[:k]].mean(), cop_y[idx[-k:]].mean() - cop_y[idx[:k]].mean()])
    if travel @ direction < 0:
        direction = -direction
    u = (px - cx) * direction[0] + (py - cy) * direction[1]
    span = u.max() - u.min()
    frac = (u - u.min()) / max(span, 1e-9)
    heel = frac <= 0.25
    heel_xy = np.array([np.average(px[heel], weights=pp[heel]), np.average(py[heel], weights=pp[heel])])
    band = (frac >= 0.6) & (frac <= 0.85)
    if band.any():
        lateral = -(px - cx) * direction[1] + (py - cy) * direction[0]
        middle = 0.5 * (lateral[band].min() + lateral[band].max())  # midway across the forefoot
        along_band = np.average(u[band], weights=pp[band])
        mth_xy = np.array([cx, cy]) + along_band * direction + middle * np.array([-direction[1], direction[0]])
        axis = mth_xy - heel_xy
        axis = axis / np.linalg.norm(axis) if np.linalg.norm(axis) > 0 else direction
    else:
        axis = direction
    along = (px - heel_xy[0]) * axis[0] + (py - heel_xy[1]) * axis[1]
    across = -(px - heel_xy[0]) * axis[1] + (py - heel_xy[1]) * axis[0]
    rear, front = along.min(), along.max()  # centres of the outermost loaded cells
    origin = heel_xy + rear * axis
    return FootFrame(
        origin_mm=origin,
        axis=axis,
        length_mm=float(front - rear),
        width_mm=float(across.max() - across.min() + pitch_mm),
        belt_m_s=belt_m_s,
        t_ref_s=t_ref,
    )
