"""Kinetic values of every step: peak force, loading rate, impulse, regional peaks.

- ``peak_force_n``: the highest vertical force of the stance; ``peak_force_bw`` the same in
  body weights (needs the body mass).
- ``loading_rate_n_s``: mean slope of the vertical force from 20 % to 80 % of its first
  peak (the impact peak when there is one, else the overall peak): the average vertical
  loading rate of running studies.
- ``impulse_n_s``: the time integral of the vertical force over the stance (trapezoids).
- ``peak_pressure_<region>_kpa``: the highest cell pressure in the region;
  ``max_force_<region>_n``: the region's highest force (Zebris FDM "max force" per region).
"""

from __future__ import annotations

import numpy as np

from gait_metrics._segments import first_true, pchip_slopes, rising_time, segment_max, segment_sum
from gait_metrics.stances import StanceLayout

__all__ = ["GRAVITY_M_S2", "REGIONS", "kinetics"]

GRAVITY_M_S2 = 9.80665

#: Regions along the foot axis, from the heel.
REGIONS = ("rearfoot", "midfoot", "forefoot")


def kinetics(
    layout: StanceLayout,
    force_n: np.ndarray,
    region_force_n: np.ndarray,
    region_peak_kpa: np.ndarray,
    *,
    body_weight_n: float | None,
) -> dict[str, np.ndarray]:
    """Per-step kinetic values from per-element force, region forces ``(3, N)`` and the
    highest cell pressure of each region ``(3, N)``."""
    t, off = layout.time_s, layout.offsets
    n = len(off) - 1
    peak = segment_max(force_n, off)
    # the first local maximum above 30 % of the peak is the first peak (impact or active)
    rising = np.r_[False, force_n[1:-1] >= force_n[:-2], False] if force_n.size > 2 else np.zeros(force_n.size, bool)
    falling = np.r_[False, force_n[1:-1] > force_n[2:], False] if force_n.size > 2 else np.zeros(force_n.size, bool)
    first_peak_at = first_true(rising & falling & (force_n >= 0.3 * peak[layout.step]), off)
    first_peak = np.where(first_peak_at >= 0, force_n[np.maximum(first_peak_at, 0)], peak)
    slope = pchip_slopes(t, force_n, off)
    t20 = rising_time(t, force_n, slope, 0.2 * first_peak, first_true(force_n >= (0.2 * first_peak)[layout.step], off))
    t80 = rising_time(t, force_n, slope, 0.8 * first_peak, first_true(force_n >= (0.8 * first_peak)[layout.step], off))
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(t80 > t20, 0.6 * first_peak / (t80 - t20), np.nan)
    same = np.r_[layout.step[1:] == layout.step[:-1], False]
    trapezoid = np.where(same, 0.5 * (force_n + np.r_[force_n[1:], 0.0]) * (np.r_[t[1:], 0.0] - t), 0.0)
    out = {
        "peak_force_n": peak,
        "peak_force_bw": peak / body_weight_n if body_weight_n else np.full(n, np.nan),
        "loading_rate_n_s": rate,
        "impulse_n_s": segment_sum(trapezoid, off),
    }
    for k, region in enumerate(REGIONS):
        highest = segment_max(region_peak_kpa[k], off)
        out[f"peak_pressure_{region}_kpa"] = np.where(highest > 0, highest, np.nan)
        out[f"max_force_{region}_n"] = segment_max(region_force_n[k], off)
    return out
