"""Gait events of every stance, interpolated between frames at the threshold crossing.

A load is *on* while it is at least ``threshold_frac`` (default 5 %) of the step's peak
total force. Regions are bands along the foot axis (rearfoot 0-30 %, midfoot 30-60 %,
forefoot 60-100 % of foot length by default; their forces from :mod:`gait_metrics.regions`).

- initial contact (IC): the total force first on; toe off (TO): last on;
- forefoot contact: the forefoot first on (De Cock et al. 2005: first metatarsal contact);
- foot flat (FF), the end of loading: first time rearfoot and forefoot are both on (on
  the curves between frames, so a foot flat shorter than a frame is found too);
- heel off (HO), the onset of propulsion: the rearfoot goes off for the rest of stance
  (its last downward crossing; never after TO);
- heel-to-forefoot change (Zebris FDM "time change heel to forefoot"): from IC on, the
  forefoot force first exceeds the rearfoot force.

Low-cost mats run at 50-100 Hz while a running foot-flat phase lasts about 60 ms, so each
event is the time at which the force crosses its level between the two frames around the
crossing, not a frame index. The force between frames is the monotone piecewise cubic
through the frames (PCHIP, Fritsch and Carlson 1980): it follows a force that rises
smoothly from zero, where a straight line between frames would place IC up to a few ms
early, and it never overshoots.

IC is refined by equivalent-time sampling (as in sampling oscilloscopes): at heel strike
the force rises through the IC level within a few ms, between two frames, and one step's
frames cannot tell where. But every step samples its rise at another phase of the frame
clock. Aligned on the time each rise crosses 25 % of its step's peak (mid-rise, where
the curve between frames is well determined), the complete steps' normalised samples
trace the typical rise at a fraction of a frame (isotonic regression); its threshold
crossing, placed back on each step's alignment time, is that step's IC, kept between the
step's own last frame below and first frame above the level. The alignment level lies
mid-way up a heel strike's impact rise, where the force is nearly straight between frames
and so the crossing well placed; a rise that is over within one frame leaves every step
one informative sample, and no method can then place it better than the frames allow. It is used only where it
helps: when the typical rise from the IC level to 25 % takes under 1.5 frame periods
(heel strikes in running at 100 Hz; walking rises are slow enough for each step's own
frames) and at least ``ensemble_min_steps`` complete steps are there. TO needs no such
help: the force leaves the ground smoothly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import isotonic_regression

from gait_metrics._segments import falling_time, first_true, last_true, pchip_slopes, rising_time, segment_max
from gait_metrics.config import DEFAULTS
from gait_metrics.stances import StanceLayout

__all__ = ["StanceEvents", "EventDetector"]

ALIGN_FRAC = 0.25  # steps are aligned where their force crosses this fraction of its peak
ENSEMBLE_WINDOW_S = 0.04  # samples from this long before the alignment time trace the edge
ABRUPT_PERIODS = 1.5  # a rise faster than this many frame periods is refined


@dataclass(frozen=True, eq=False)
class StanceEvents:
    """Event times of every step, s from the recording's first frame (arrays ``(n,)``).

    ``ff_s`` and ``ho_s`` are NaN when the rearfoot never loads (``heel_loaded`` false) or
    never loads together with the forefoot. ``peak_force_n`` is the level's basis.
    """

    ic_s: np.ndarray
    forefoot_contact_s: np.ndarray
    ff_s: np.ndarray
    ho_s: np.ndarray
    to_s: np.ndarray
    heel_forefoot_change_s: np.ndarray
    heel_loaded: np.ndarray
    peak_force_n: np.ndarray

    def __len__(self) -> int:
        return int(self.ic_s.size)

    @property
    def stance_s(self) -> np.ndarray:
        """TO - IC, s."""
        return self.to_s - self.ic_s


class EventDetector:
    """Detect IC, forefoot contact, FF, HO, TO and the heel-to-forefoot change.

    Parameters
    ----------
    threshold_frac
        A load is on while at least this fraction of the step's peak total force.
    ensemble_min_steps
        Steps needed to refine IC and TO by equivalent-time sampling (see the module
        docstring); ``0`` turns the refinement off.

    Attributes
    ----------
    events_ : StanceEvents
        Set by :meth:`detect`.

    Examples
    --------
    >>> from gait_metrics.stances import StanceLayout
    >>> t = np.arange(7) * 0.01
    >>> layout = StanceLayout(np.array([0, 7]), np.arange(7), t, np.zeros(7, int), *[np.zeros(0, int)] * 3)
    >>> rear = np.array([0, 50, 80, 60, 20, 0, 0.0])
    >>> fore = np.array([0, 0, 20, 60, 90, 40, 0.0])
    >>> e = EventDetector(threshold_frac=0.05).detect(layout, rear + fore, rear, fore).events_
    >>> round(float(e.ff_s[0]), 4), round(float(e.ho_s[0]), 4), bool(e.heel_loaded[0])
    (0.0147, 0.0453, True)
    """

    def __init__(self, *, threshold_frac: float = DEFAULTS.threshold_frac, ensemble_min_steps: int = 8) -> None:
        self.threshold_frac = threshold_frac
        self.ensemble_min_steps = ensemble_min_steps

    def detect(
        self, layout: StanceLayout, total_n: np.ndarray, rearfoot_n: np.ndarray, forefoot_n: np.ndarray, complete: np.ndarray | None = None
    ) -> "EventDetector":
        """Events from per-frame total and region forces laid out as ``layout``.

        ``complete`` marks the steps whose force curves are whole (not cut by the mat or
        the recording); only they shape the IC refinement. Default: all.
        """
        t, off, step = layout.time_s, layout.offsets, layout.step
        peak = segment_max(total_n, off)
        level = self.threshold_frac * peak  # per step
        on = total_n >= level[step]
        rear_on = rearfoot_n >= level[step]
        fore_on = forefoot_n >= level[step]
        slope = {name: pchip_slopes(t, y, off) for name, y in (("total", total_n), ("rear", rearfoot_n), ("fore", forefoot_n))}
        i_ic, i_to = first_true(on, off), last_true(on, off)
        ic = rising_time(t, total_n, slope["total"], level, i_ic)
        to = falling_time(t, total_n, slope["total"], level, i_to)
        if self.ensemble_min_steps:
            usable = np.ones(peak.size, bool) if complete is None else np.asarray(complete, bool)
            ic = self._ensemble_ic(layout, total_n / peak[step], slope["total"] / peak[step], ic, i_ic, usable)
        forefoot = rising_time(t, forefoot_n, slope["fore"], level, first_true(fore_on, off))
        ff, ho, heel_loaded = _flat_and_heel_off(layout, (rearfoot_n, slope["rear"], rear_on), (forefoot_n, slope["fore"], fore_on), level, to)
        # heel-to-forefoot change: from IC on, the forefoot first carries more than the rearfoot
        difference = forefoot_n - rearfoot_n
        from_ic = np.arange(len(t)) >= np.where(i_ic >= 0, i_ic, len(t))[step]
        i_change = first_true((difference > 0) & from_ic, off)
        change = rising_time(t, difference, pchip_slopes(t, difference, off), np.zeros_like(peak), i_change)
        self.events_ = StanceEvents(
            ic_s=ic,
            forefoot_contact_s=forefoot,
            ff_s=ff,
            ho_s=ho,
            to_s=to,
            heel_forefoot_change_s=np.fmax(change, ic),
            heel_loaded=heel_loaded,
            peak_force_n=peak,
        )
        return self

    def foot_flat_and_heel_off(
        self, layout: StanceLayout, total_n: np.ndarray, rearfoot_n: np.ndarray, forefoot_n: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """FF and HO (s) and ``heel_loaded`` of every step, as :meth:`detect` finds them,
        without the other events (for recomputing them under other levels or regions)."""
        t, off, step = layout.time_s, layout.offsets, layout.step
        level = self.threshold_frac * segment_max(total_n, off)
        to = falling_time(t, total_n, pchip_slopes(t, total_n, off), level, last_true(total_n >= level[step], off))
        rear, fore = ((y, pchip_slopes(t, y, off), y >= level[step]) for y in (rearfoot_n, forefoot_n))
        return _flat_and_heel_off(layout, rear, fore, level, to)

    def _ensemble_ic(self, layout: StanceLayout, normal: np.ndarray, slope: np.ndarray, own: np.ndarray, index: np.ndarray, usable: np.ndarray) -> np.ndarray:
        """IC refined by equivalent-time sampling (see the module docstring)."""
        t, off, step = layout.time_s, layout.offsets, layout.step
        align = rising_time(t, normal, slope, np.full(own.size, ALIGN_FRAC), first_true(normal >= ALIGN_FRAC, off))
        chosen = usable & (index > 0) & np.isfinite(align)
        period = float(np.median(np.diff(t[off[0] : off[1]]))) if len(off) > 1 else np.inf
        if chosen.sum() < self.ensemble_min_steps or not np.median((align - own)[chosen]) < ABRUPT_PERIODS * period:
            return own
        # the rising edge of each chosen step, from ENSEMBLE_WINDOW_S before its alignment to it
        tau = t - align[step]
        edge = chosen[step] & (tau >= -ENSEMBLE_WINDOW_S) & (tau <= 0.0)
        order = np.argsort(tau[edge], kind="stable")
        template_x, template_y = tau[edge][order], isotonic_regression(normal[edge][order]).x
        above = np.flatnonzero(template_y >= self.threshold_frac)
        if above.size == 0 or above[0] == 0:
            return own
        k = above[0]
        offset = template_x[k - 1] + (self.threshold_frac - template_y[k - 1]) / (template_y[k] - template_y[k - 1]) * (template_x[k] - template_x[k - 1])
        ok = (index > 0) & np.isfinite(align)
        i = np.where(ok, index, 1)
        refined = np.clip(align + offset, t[i - 1], t[i])
        return np.where(ok, refined, own)


def _flat_and_heel_off(
    layout: StanceLayout, rear: tuple[np.ndarray, np.ndarray, np.ndarray], fore: tuple[np.ndarray, np.ndarray, np.ndarray], level: np.ndarray, to: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """FF, HO and ``heel_loaded`` from the rearfoot's and forefoot's force, PCHIP slopes
    and on-mask (per element), each step's ``level`` and TO."""
    t, off = layout.time_s, layout.offsets
    (rear_n, rear_slope, rear_on), (fore_n, fore_slope, fore_on) = rear, fore
    i_rear = first_true(rear_on, off)
    heel_loaded = i_rear >= 0
    # foot flat: the frame where both are first on; whichever came on last crossed then
    i_ff = first_true(rear_on & fore_on, off)
    before = np.maximum(i_ff - 1, 0)
    rear_cross = np.where(rear_on[before], -np.inf, rising_time(t, rear_n, rear_slope, level, i_ff))
    fore_cross = np.where(fore_on[before], -np.inf, rising_time(t, fore_n, fore_slope, level, i_ff))
    heel_off = falling_time(t, rear_n, rear_slope, level, last_true(rear_on, off))
    # both on for less than a frame: no frame shows it, the curves between frames do
    brief = np.maximum(rising_time(t, rear_n, rear_slope, level, i_rear), rising_time(t, fore_n, fore_slope, level, first_true(fore_on, off)))
    brief = np.where((i_ff < 0) & (brief < heel_off), brief, np.nan)
    ff = np.where(i_ff >= 0, np.maximum(rear_cross, fore_cross), brief)
    ho = np.where(np.isfinite(ff), np.fmin(heel_off, to), np.nan)
    return ff, ho, heel_loaded
