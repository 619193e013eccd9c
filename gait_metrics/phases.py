"""Roll-over phases, the loading-to-propulsion transition and the strike pattern.

- Loading-to-propulsion transition = HO - FF (ms, and % of stance). When the rearfoot
  never loads (a forefoot strike without heel drop) it is 0 ms and ``heel_loaded`` is
  false.
- Heel-to-forefoot change (Zebris FDM): IC to the first time the forefoot carries more
  than the rearfoot (ms, % of stance).
- Roll-over phases (De Cock et al. 2005, Gait & Posture 21:432): initial contact (IC to
  forefoot contact), forefoot contact (to FF), foot flat (FF to HO), push-off (HO to TO),
  in ms and % of stance. Without heel loading the foot-flat phase is 0 ms, the
  forefoot-contact phase undefined and push-off runs from forefoot contact to TO.
- Strike index (Cavanagh and Lafortune 1980): the CoP at IC as % of foot length from the
  heel; rearfoot strike below 1/3, midfoot up to 2/3, forefoot beyond.
"""

from __future__ import annotations

import numpy as np

from gait_metrics.events import StanceEvents

__all__ = ["PHASE_COLUMNS", "roll_over_phases", "strike_pattern", "transition_ms"]

#: Columns made by :func:`roll_over_phases`.
PHASE_COLUMNS = (
    "stance_ms",
    "transition_ms",
    "transition_pct",
    "heel_forefoot_change_ms",
    "heel_forefoot_change_pct",
    "initial_contact_ms",
    "initial_contact_pct",
    "forefoot_contact_ms",
    "forefoot_contact_pct",
    "foot_flat_ms",
    "foot_flat_pct",
    "push_off_ms",
    "push_off_pct",
)


def roll_over_phases(events: StanceEvents) -> dict[str, np.ndarray]:
    """Phase durations of every step, in ms and % of stance (see the module docstring).

    Examples
    --------
    >>> from gait_metrics.events import StanceEvents
    >>> a = lambda *v: np.array(v, float)
    >>> e = StanceEvents(a(0.0), a(0.02), a(0.05), a(0.15), a(0.25), a(0.08), np.array([True]), a(1500.0))
    >>> p = roll_over_phases(e)
    >>> [round(float(p[name][0]), 6) for name in ("transition_ms", "transition_pct", "push_off_pct")]
    [100.0, 40.0, 40.0]
    """
    ic, fc, ff, ho, to = events.ic_s, events.forefoot_contact_s, events.ff_s, events.ho_s, events.to_s
    heel = events.heel_loaded
    stance_ms = 1000.0 * (to - ic)
    durations = {
        "transition": transition_ms(ff, ho, heel),
        "heel_forefoot_change": 1000.0 * (events.heel_forefoot_change_s - ic),
        "initial_contact": 1000.0 * (fc - ic),
        "forefoot_contact": np.where(heel, 1000.0 * (ff - fc), np.nan),
        "foot_flat": np.where(heel, 1000.0 * (ho - ff), 0.0),
        "push_off": 1000.0 * (to - np.where(heel, ho, fc)),
    }
    out = {"stance_ms": stance_ms}
    with np.errstate(invalid="ignore", divide="ignore"):
        for name, ms in durations.items():
            out[f"{name}_ms"] = ms
            out[f"{name}_pct"] = 100.0 * ms / stance_ms
    return {name: out[name] for name in PHASE_COLUMNS}


def transition_ms(ff_s: np.ndarray, ho_s: np.ndarray, heel_loaded: np.ndarray) -> np.ndarray:
    """HO - FF in ms; 0 where the rearfoot never loads.

    Examples
    --------
    >>> transition_ms(np.array([0.25, np.nan]), np.array([0.375, np.nan]), np.array([True, False])).tolist()
    [125.0, 0.0]
    """
    return np.where(heel_loaded, 1000.0 * (ho_s - ff_s), 0.0)


def strike_pattern(strike_index_pct: np.ndarray) -> np.ndarray:
    """``"rearfoot"`` (< 33.3 %), ``"midfoot"`` (to 66.7 %), ``"forefoot"``, or ``""`` (unknown).

    Examples
    --------
    >>> strike_pattern(np.array([12.0, 50.0, 80.0, np.nan])).tolist()
    ['rearfoot', 'midfoot', 'forefoot', '']
    """
    index = np.asarray(strike_index_pct, float)
    pattern = np.where(index < 100.0 / 3.0, "rearfoot", np.where(index <= 200.0 / 3.0, "midfoot", "forefoot"))
    return np.where(np.isfinite(index), pattern, "").astype(object)
