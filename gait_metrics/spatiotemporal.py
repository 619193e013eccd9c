"""Between-step values: step and stride time and length, cadence, swing, flight, width, angle.

Steps are taken in order of initial contact (IC). A step and the one before it form a
*step* when they are of opposite sides, neither is excluded from averages, and their ICs
lie less than ``max_step_s`` apart; a *stride* joins a step to the previous included step
of the same side less than ``2 * max_step_s`` before.

- step time = IC - previous IC; cadence = 60000 / step time (steps/min);
- stride time = IC - IC of the previous step of the same side;
- swing = next IC of the same side - TO; flight = next IC (either side) - TO when positive,
  else 0; double support = previous TO - IC when positive, else 0 (ms);
- step length: walkway, the distance between the two heel origins along the direction of
  progression; treadmill, the earlier foot has ridden the belt back meanwhile, so
  ``belt speed x step time + (x of this heel - x of the previous heel)``; stride length
  likewise;
- step width: the distance between the two heel origins across the direction of
  progression;
- foot progression angle: the foot axis against the direction of progression, toe-out
  positive for both feet.
"""

from __future__ import annotations

import numpy as np

from gait_metrics.config import DEFAULTS

__all__ = ["SPATIOTEMPORAL_COLUMNS", "spatiotemporal"]

#: Columns made by :func:`spatiotemporal`.
SPATIOTEMPORAL_COLUMNS = (
    "step_time_ms",
    "stride_time_ms",
    "cadence_spm",
    "swing_ms",
    "flight_ms",
    "double_support_ms",
    "step_length_mm",
    "stride_length_mm",
    "step_width_mm",
    "progression_angle_deg",
)


def _previous_same_side(order: np.ndarray, side: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """For each step (in ``order``), the step before it of the same side that is usable, or -1."""
    previous = np.full(side.size, -1)
    last = {0: -1, 1: -1}
    for k in order:
        if side[k] in last:
            previous[k] = last[side[k]]
            if usable[k]:
                last[side[k]] = k
    return previous


def spatiotemporal(
    ic_s: np.ndarray,
    to_s: np.ndarray,
    side: np.ndarray,
    excluded: np.ndarray,
    heel_mm: np.ndarray,
    axis: np.ndarray,
    direction: np.ndarray,
    *,
    belt_m_s: float,
    treadmill: bool,
    max_step_s: float = DEFAULTS.max_step_s,
) -> dict[str, np.ndarray]:
    """Between-step values of every step (NaN where undefined; see the module docstring).

    ``heel_mm`` are the heel origins at IC (mat frame), ``axis`` the foot axes and
    ``direction`` the direction of progression of each step's pass.

    Examples
    --------
    >>> ic = np.array([0.0, 0.5, 1.0]); to = ic + 0.6
    >>> heels = np.array([[0.0, 50.0], [700.0, -50.0], [1400.0, 50.0]])
    >>> axes = np.tile([1.0, 0.0], (3, 1))
    >>> v = spatiotemporal(ic, to, np.array([0, 1, 0]), np.zeros(3, bool), heels, axes, axes, belt_m_s=0.0, treadmill=False)
    >>> v["step_length_mm"].tolist(), v["stride_length_mm"].tolist(), v["double_support_ms"].round(6).tolist()
    ([nan, 700.0, 700.0], [nan, nan, 1400.0], [nan, 100.0, 100.0])
    """
    n = ic_s.size
    out = {name: np.full(n, np.nan) for name in SPATIOTEMPORAL_COLUMNS}
    if n == 0:
        return out
    order = np.argsort(np.nan_to_num(ic_s, nan=np.inf), kind="stable")
    usable = ~excluded & np.isin(side, (0, 1)) & np.isfinite(ic_s)
    across = np.column_stack([-direction[:, 1], direction[:, 0]])

    def length(k: np.ndarray, j: np.ndarray) -> np.ndarray:
        delta = heel_mm[k] - heel_mm[j]
        if treadmill:
            return belt_m_s * 1000.0 * (ic_s[k] - ic_s[j]) + delta[:, 0]
        return np.abs(np.sum(delta * direction[k], axis=1))

    k, j = order[1:], order[:-1]
    gap = ic_s[k] - ic_s[j]
    step = usable[k] & usable[j] & (side[k] != side[j]) & (gap > 0) & (gap < max_step_s)
    out["step_time_ms"][k[step]] = 1000.0 * gap[step]
    out["cadence_spm"][k[step]] = 60.0 / gap[step]
    out["step_length_mm"][k[step]] = length(k[step], j[step])
    out["step_width_mm"][k[step]] = np.abs(np.sum((heel_mm[k[step]] - heel_mm[j[step]]) * across[k[step]], axis=1))
    near = (gap > 0) & (gap < max_step_s)
    out["flight_ms"][j[near]] = np.maximum(0.0, 1000.0 * (ic_s[k[near]] - to_s[j[near]]))
    out["double_support_ms"][k[near]] = np.maximum(0.0, 1000.0 * (to_s[j[near]] - ic_s[k[near]]))
    previous = _previous_same_side(order, side, usable)
    has = (previous >= 0) & usable
    prev = previous[has]
    stride_gap = ic_s[has] - ic_s[prev]
    ok = (stride_gap > 0) & (stride_gap < 2 * max_step_s)
    mine, theirs = np.flatnonzero(has)[ok], prev[ok]
    out["stride_time_ms"][mine] = 1000.0 * stride_gap[ok]
    out["stride_length_mm"][mine] = length(mine, theirs)
    swing = ic_s[mine] - to_s[theirs]
    out["swing_ms"][theirs] = np.where(swing > 0, 1000.0 * swing, np.nan)
    turn = np.degrees(np.arctan2(direction[:, 0] * axis[:, 1] - direction[:, 1] * axis[:, 0], np.sum(direction * axis, axis=1)))
    out["progression_angle_deg"] = np.where(side == 0, turn, np.where(side == 1, -turn, np.nan))
    return out
