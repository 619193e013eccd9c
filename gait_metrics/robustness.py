"""How well each step's transition time is conditioned (issue 13 point 3).

A threshold crossing on a slowly rising load moves by tens of ms when the load moves a
little; such a step's transition time says less than its number suggests. So each step's
FF, HO and transition are recomputed under small changes of the definition:

- the event level at ``threshold_frac - 0.01`` and ``+ 0.01`` of the step's peak force
  (4 % and 6 % at the default 5 %);
- both region boundaries moved by half a cell pitch (along the walking axis) towards the
  heel and towards the toes.

``transition_spread_ms`` is the largest minus the smallest transition over these four
variants and the nominal one (NaN when the transition is undefined in any of them);
``well_conditioned`` is a spread of at most :data:`WELL_CONDITIONED_MS` (10 ms).
"""

from __future__ import annotations

import numpy as np

from gait_metrics.events import EventDetector
from gait_metrics.phases import transition_ms
from gait_metrics.regions import VoxelRegions
from gait_metrics.stances import StanceLayout

__all__ = ["THRESHOLD_STEP_FRAC", "WELL_CONDITIONED_MS", "transition_spread_ms"]

#: The event level's variants lie this far (fraction of the peak force) either side.
THRESHOLD_STEP_FRAC = 0.01

#: A step is well conditioned when its transition's spread is at most this (ms).
WELL_CONDITIONED_MS = 10.0


def transition_spread_ms(
    layout: StanceLayout,
    total: np.ndarray,
    regions: VoxelRegions,
    nominal: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    threshold_frac: float,
    pitch_mm: float,
) -> np.ndarray:
    """Per step, the spread (ms) of the transition time over the variants above.

    Parameters
    ----------
    layout
        The steps' layout.
    total
        Per layout element, the total pressure sum (any unit: levels are fractions of
        each step's peak).
    regions
        The voxels against the nominal region boundaries (built for shifts of
        ``pitch_mm / 2``).
    nominal
        Per layout element the nominal rearfoot and forefoot sums, and per step the
        nominal transition (ms).
    threshold_frac, pitch_mm
        The nominal event level and the cell pitch along the walking axis.
    """
    rear, fore, nominal_ms = nominal
    variants = [(threshold_frac + d, rear, fore) for d in (-THRESHOLD_STEP_FRAC, THRESHOLD_STEP_FRAC)]
    variants += [(threshold_frac, *regions.rear_and_fore(d)) for d in (-0.5 * pitch_mm, 0.5 * pitch_mm)]
    values = [nominal_ms]
    for frac, rear_n, fore_n in variants:
        values.append(transition_ms(*EventDetector(threshold_frac=frac).foot_flat_and_heel_off(layout, total, rear_n, fore_n)))
    spread = np.array(values)
    with np.errstate(invalid="ignore"):
        return np.where(np.all(np.isfinite(spread), axis=0), spread.max(axis=0, initial=-np.inf) - spread.min(axis=0, initial=np.inf), np.nan)
