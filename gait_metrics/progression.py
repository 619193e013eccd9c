"""CoP progression: the time-normalised curves of every step, gait-line values, butterfly.

Per step, over 0, 1, ..., 100 % of stance (IC to TO; linear interpolation between frames):

- ``cop_x_mm`` / ``cop_y_mm``: the CoP in the foot's own frame (``x`` from the heel's
  rearmost point towards the toes, ``y`` medial positive);
- ``cop_velocity_m_s``: the anterior CoP velocity ``dx/dt`` (De Cock et al. 2008, Gait &
  Posture 27:669: it peaks during forefoot contact and is low during push-off);
- ``force_n`` and the rearfoot, midfoot and forefoot forces.

From the CoP path: gait line length (Zebris "length of gait line"), mediolateral excursion,
the highest anterior CoP velocity, and the time the CoP spends in each region.

Butterfly (treadmill; Zebris FDM-T gait line): each foot's CoP is taken in its own foot
frame (belt motion removed, so each single-support line runs from heel to toe) and the
feet are combined by force, with ``y`` across the walking axis in the mat frame. During
double support the combined point runs diagonally from the trailing foot's forefoot to
the leading foot's heel; the left-to-right and right-to-left diagonals cross at the
intersection point. Each diagonal is the principal line of its points; consecutive
opposite diagonals are intersected. Reported: the mean crossing point (``x`` mm from the
heel origin, ``y`` mm in the mat frame), its stride-to-stride SD (anterior-posterior and
lateral variability) and its lateral symmetry (crossing minus the midline between the
mean left and right heel lines; + towards the left). Running has no double support: NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait_metrics._segments import interp_segments
from gait_metrics.events import StanceEvents
from gait_metrics.stances import StanceLayout

__all__ = ["CURVE_NAMES", "PERCENT", "stance_curves", "path_metrics", "Butterfly", "butterfly"]

#: Per-step curves over 0..100 % of stance, each ``(n_steps, 101)``.
CURVE_NAMES = (
    "cop_x_mm",
    "cop_y_mm",
    "cop_velocity_m_s",
    "force_n",
    "force_rearfoot_n",
    "force_midfoot_n",
    "force_forefoot_n",
)

#: 0, 1, ..., 100 % of stance.
PERCENT = np.arange(101.0)


def stance_curves(
    layout: StanceLayout,
    events: StanceEvents,
    cop_x_mm: np.ndarray,
    cop_y_mm: np.ndarray,
    force_n: np.ndarray,
    region_force_n: np.ndarray,
) -> dict[str, np.ndarray]:
    """Every step's curves over % stance (NaN rows where IC or TO is unknown).

    ``cop_x_mm``, ``cop_y_mm`` (foot frame, NaN where nothing is loaded), ``force_n`` and
    ``region_force_n`` ``(3, N)`` are per element of ``layout``.
    """
    stance = events.to_s - events.ic_s
    at = events.ic_s[:, None] + (PERCENT / 100.0)[None, :] * stance[:, None]
    known = np.isfinite(at)
    at = np.where(known, at, 0.0)
    t, off = layout.time_s, layout.offsets
    cop = np.where(known, interp_segments(t, np.vstack([cop_x_mm, cop_y_mm]), off, at), np.nan)
    forces = np.where(known, interp_segments(t, np.vstack([force_n, region_force_n]), off, at), np.nan)
    x = cop[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        velocity = np.gradient(x, axis=1) / (stance[:, None] * 10.0) if x.shape[0] else x  # mm per (stance/100 s) -> m/s
    curves = {"cop_x_mm": x, "cop_y_mm": cop[1], "cop_velocity_m_s": velocity, "force_n": forces[0]}
    for name, values in zip(("rearfoot", "midfoot", "forefoot"), forces[1:]):
        curves[f"force_{name}_n"] = values
    return {name: curves[name] for name in CURVE_NAMES}


def path_metrics(
    curves: dict[str, np.ndarray], foot_length_mm: np.ndarray, stance_ms: np.ndarray, *, bounds_frac: tuple[float, float]
) -> dict[str, np.ndarray]:
    """Gait line length, ML excursion, peak anterior CoP velocity, time per region, strike index.

    The path is the time-normalised one; the region of each 1 % interval is that of its
    midpoint. The strike index is the CoP at IC in % of foot length.
    """
    x, y = curves["cop_x_mm"], curves["cop_y_mm"]
    length = np.sum(np.hypot(np.diff(x, axis=1), np.diff(y, axis=1)), axis=1)
    middle = 0.5 * (x[:, 1:] + x[:, :-1]) / foot_length_mm[:, None]
    region = np.digitize(middle, bounds_frac)
    known = np.all(np.isfinite(middle), axis=1)
    out = {
        "gait_line_length_mm": np.where(known, length, np.nan),
        "ml_excursion_mm": np.where(known, np.ptp(y, axis=1) if y.size else np.zeros(0), np.nan),
        "max_cop_velocity_m_s": np.where(known, np.max(curves["cop_velocity_m_s"], axis=1, initial=-np.inf), np.nan),
    }
    for k, name in enumerate(("rearfoot", "midfoot", "forefoot")):
        out[f"time_{name}_ms"] = np.where(known, np.sum(region == k, axis=1) * stance_ms / 100.0, np.nan)
    out["strike_index_pct"] = 100.0 * x[:, 0] / foot_length_mm if x.size else np.zeros(0)
    return out


@dataclass(frozen=True, eq=False)
class Butterfly:
    """Treadmill butterfly: combined CoP per frame (``x_mm`` along the feet from their heel
    origins, ``y_mm`` mat frame; NaN with nothing loaded) and the crossing of the double-
    support diagonals; NaN without double support (running)."""

    x_mm: np.ndarray
    y_mm: np.ndarray
    intersection_x_mm: float
    intersection_y_mm: float
    intersection_x_sd_mm: float
    intersection_y_sd_mm: float
    lateral_symmetry_mm: float
    n_crossings: int

    def to_dict(self) -> dict[str, float | int]:
        """The scalar values (no per-frame arrays)."""
        return {k: v for k, v in vars(self).items() if k not in ("x_mm", "y_mm")}


def butterfly(
    layout: StanceLayout,
    n_frames: int,
    force_n: np.ndarray,
    foot_x_mm: np.ndarray,
    mat_y_mm: np.ndarray,
    *,
    order: np.ndarray,
    side: np.ndarray,
    included: np.ndarray,
    heel_y_mm: np.ndarray,
) -> Butterfly:
    """The butterfly from per-element force, foot-frame CoP ``x`` and mat-frame CoP ``y``.

    ``order`` lists the steps by initial contact; ``side``, ``included`` and ``heel_y_mm``
    are per step.
    """
    inside = (layout.frame >= 0) & (layout.frame < n_frames) & np.isfinite(foot_x_mm)
    frame = layout.frame[inside]
    weight = force_n[inside]
    total = np.bincount(frame, weights=weight, minlength=n_frames)
    with np.errstate(invalid="ignore", divide="ignore"):
        bx = np.bincount(frame, weights=weight * foot_x_mm[inside], minlength=n_frames) / total
        by = np.bincount(frame, weights=weight * mat_y_mm[inside], minlength=n_frames) / total
    feet = np.bincount(frame, weights=(weight > 0).astype(float), minlength=n_frames)
    nan = float("nan")
    first = layout.frame[layout.offsets[:-1] + 1]
    last = layout.frame[layout.offsets[1:] - 2]
    trailing, leading = order[:-1], order[1:]
    pairs = (side[trailing] != side[leading]) & included[trailing] & included[leading] & (first[leading] < last[trailing])
    lines, directions = _diagonals(bx, by, feet >= 2, first[leading][pairs], last[trailing][pairs])
    towards_right = side[leading][pairs] == 1
    turn = np.flatnonzero(towards_right[1:] != towards_right[:-1])
    points = _intersections(lines[turn], directions[turn], lines[turn + 1], directions[turn + 1])
    left, right = heel_y_mm[(side == 0) & included], heel_y_mm[(side == 1) & included]
    midline = 0.5 * (left.mean() + right.mean()) if left.size and right.size else nan
    has = len(points) > 0
    return Butterfly(
        x_mm=bx,
        y_mm=by,
        intersection_x_mm=float(points[:, 0].mean()) if has else nan,
        intersection_y_mm=float(points[:, 1].mean()) if has else nan,
        intersection_x_sd_mm=float(points[:, 0].std(ddof=1)) if len(points) > 1 else nan,
        intersection_y_sd_mm=float(points[:, 1].std(ddof=1)) if len(points) > 1 else nan,
        lateral_symmetry_mm=float(points[:, 1].mean() - midline) if has else nan,
        n_crossings=int(len(points)),
    )


def _diagonals(bx: np.ndarray, by: np.ndarray, both: np.ndarray, start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre and principal direction of the points ``start..stop`` (frames with both feet)."""
    ok = both & np.isfinite(bx) & np.isfinite(by)
    x, y = np.where(ok, bx, 0.0), np.where(ok, by, 0.0)
    moments = np.cumsum(np.vstack([np.zeros((1, 6)), np.column_stack([ok, x, y, x * x, x * y, y * y])]), axis=0)
    s = moments[stop + 1] - moments[start]
    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.where(s[:, 0] >= 2, s[:, 0], np.nan)
        mx, my = s[:, 1] / n, s[:, 2] / n
        sxx, sxy, syy = s[:, 3] / n - mx * mx, s[:, 4] / n - mx * my, s[:, 5] / n - my * my
    angle = 0.5 * np.arctan2(2.0 * sxy, sxx - syy)
    return np.column_stack([mx, my]), np.column_stack([np.cos(angle), np.sin(angle)])


def _intersections(p: np.ndarray, u: np.ndarray, q: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Crossing points ``(k, 2)`` of the lines ``p + s u`` and ``q + r v`` (parallel ones left out)."""
    det = v[:, 0] * u[:, 1] - u[:, 0] * v[:, 1]
    d = q - p
    with np.errstate(invalid="ignore", divide="ignore"):
        s = (v[:, 0] * d[:, 1] - d[:, 0] * v[:, 1]) / det
    points = p + s[:, None] * u
    return points[np.all(np.isfinite(points), axis=1) & (np.abs(det) > 1e-6)]
