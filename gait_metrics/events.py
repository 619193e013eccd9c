"""Gait events of one stance, interpolated between frames at the threshold crossing.

A load is "on" while it is at least ``threshold_frac`` (5 %) of the step's peak total
force. Regions are bands along the foot axis: rearfoot 0-30 %, midfoot 30-60 %, forefoot
60-100 % of foot length.

- initial contact (IC): total force first on; toe off (TO): total force last on;
- forefoot contact: forefoot first on;
- foot flat (FF), the end of loading: rearfoot and forefoot both on;
- heel off (HO), the onset of propulsion: rearfoot off for the rest of stance;
- heel-to-forefoot change (Zebris): forefoot force first exceeds rearfoot force.

Low-cost mats run at 50-100 Hz while a running foot-flat phase lasts about 60 ms, so every
event is the linearly interpolated crossing time, not a frame index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["first_crossing", "last_crossing", "StanceEvents", "stance_events"]


def first_crossing(t: np.ndarray, y: np.ndarray, level: float) -> float:
    """First time ``y`` rises to ``level`` (linear interpolation); NaN if it never does.

    Examples
    --------
    >>> first_crossing(np.array([0.0, 0.01, 0.02]), np.array([0.0, 10.0, 20.0]), 5.0)
    0.005
    """
    above = np.flatnonzero(y >= level)
    if above.size == 0:
        return float("nan")
    i = int(above[0])
    if i == 0:
        return float(t[0])
    return float(t[i - 1] + (level - y[i - 1]) / (y[i] - y[i - 1]) * (t[i] - t[i - 1]))


def last_crossing(t: np.ndarray, y: np.ndarray, level: float) -> float:
    """Last time ``y`` falls below ``level`` (linear interpolation); NaN if never at it."""
    above = np.flatnonzero(y >= level)
    if above.size == 0:
        return float("nan")
    j = int(above[-1])
    if j == len(y) - 1:
        return float(t[-1])
    return float(t[j] + (y[j] - level) / (y[j] - y[j + 1]) * (t[j + 1] - t[j]))


@dataclass(frozen=True)
class StanceEvents:
    """Event times in s (NaN where undefined, e.g. FF and HO when the heel never loads)."""

    ic_s: float
    forefoot_contact_s: float
    ff_s: float
    ho_s: float
    to_s: float
    heel_forefoot_change_s: float
    heel_loaded: bool


def stance_events(t: np.ndarray, total: np.ndarray, rear: np.ndarray, fore: np.ndarray, *, threshold_frac: float) -> StanceEvents:
    """Events from per-frame force curves of one stance (padded with an unloaded frame at
    each end, so the first and last crossings interpolate from zero).

    Examples
    --------
    >>> t = np.arange(7) * 0.01
    >>> rear = np.array([0, 50, 80, 60, 20, 0, 0.0])
    >>> fore = np.array([0, 0, 20, 60, 90, 40, 0.0])
    >>> e = stance_events(t, rear + fore, rear, fore, threshold_frac=0.05)
    >>> round(e.ff_s, 4), round(e.ho_s, 4), e.heel_loaded
    (0.013, 0.047, True)
    """
    level = threshold_frac * float(total.max())
    ic, to = first_crossing(t, total, level), last_crossing(t, total, level)
    rear_on, ho = first_crossing(t, rear, level), last_crossing(t, rear, level)
    fore_on = first_crossing(t, fore, level)
    heel_loaded = bool(np.isfinite(rear_on))
    difference = fore - rear
    after_ic = t >= ic
    change = first_crossing(t[after_ic], difference[after_ic], 1e-9) if after_ic.any() else float("nan")
    return StanceEvents(
        ic_s=ic,
        forefoot_contact_s=fore_on,
        ff_s=max(rear_on, fore_on) if heel_loaded else float("nan"),
        ho_s=ho if heel_loaded else float("nan"),
        to_s=to,
        heel_forefoot_change_s=change,
        heel_loaded=heel_loaded,
    )
