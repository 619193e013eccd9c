"""Between-step values: step and stride time and length, cadence, swing, flight, width.

Steps are taken in order of initial contact (IC). Two consecutive steps of opposite sides
less than 2.5 s apart, neither cut by the mat or the recording, form a step:

- step time = IC - previous IC (ms); cadence = 60000 / step time (steps/min);
- stride time = IC - IC of the previous step of the same side (ms);
- swing = next IC of the same side - TO; flight = next IC (either side) - TO when
  positive, else 0 (ms);
- step length (mm) between the heel origins at their ICs along the walking axis; on a
  treadmill the earlier foot has ridden the belt back meanwhile, so step length = belt
  speed x step time + (x of this heel - x of the previous heel); stride length likewise;
- step width = mediolateral distance between the two heel origins (mm).
"""

from __future__ import annotations

import math
from typing import Sequence

from gait_metrics.results import StepResult

__all__ = ["add_spatiotemporal"]

_MAX_STEP_S = 2.5


def _length_mm(step: StepResult, earlier: StepResult, setup: str) -> float:
    dx = step.origin_x_mm - earlier.origin_x_mm
    if setup == "treadmill":
        return step.belt_speed_m_s * (step.ic_s - earlier.ic_s) * 1000.0 + dx
    return abs(dx)


def add_spatiotemporal(steps: Sequence[StepResult], *, setup: str) -> list[StepResult]:
    """Copies of ``steps`` (same order) with the between-step fields filled where defined."""
    order = sorted(range(len(steps)), key=lambda k: (math.inf if math.isnan(steps[k].ic_s) else steps[k].ic_s))
    done = list(steps)
    for rank, k in enumerate(order):
        step = steps[k]
        values: dict[str, float] = {}
        if rank > 0:
            prev = steps[order[rank - 1]]
            both_whole = not (prev.excluded or step.excluded)  # a cut footprint's contact times are not real
            if both_whole and prev.side != step.side and 0 < step.ic_s - prev.ic_s < _MAX_STEP_S and step.side in (0, 1):
                values["step_time_ms"] = 1000.0 * (step.ic_s - prev.ic_s)
                values["cadence_spm"] = 60000.0 / values["step_time_ms"]
                values["step_length_mm"] = _length_mm(step, prev, setup)
                values["step_width_mm"] = abs(step.origin_y_mm - prev.origin_y_mm)
        same_before = [steps[j] for j in order[:rank] if steps[j].side == step.side and not steps[j].excluded]
        if same_before and not step.excluded and 0 < step.ic_s - same_before[-1].ic_s < 2 * _MAX_STEP_S and step.side in (0, 1):
            values["stride_time_ms"] = 1000.0 * (step.ic_s - same_before[-1].ic_s)
            values["stride_length_mm"] = _length_mm(step, same_before[-1], setup)
        later = [steps[j] for j in order[rank + 1 :]]
        if later and 0 < later[0].ic_s - step.ic_s < _MAX_STEP_S:
            values["flight_ms"] = max(0.0, 1000.0 * (later[0].ic_s - step.to_s))
        same_after = [s for s in later if s.side == step.side]
        if same_after and 0 < same_after[0].ic_s - step.ic_s < 2 * _MAX_STEP_S:
            values["swing_ms"] = 1000.0 * (same_after[0].ic_s - step.to_s)
        done[k] = step.replace(**values)
    return done
