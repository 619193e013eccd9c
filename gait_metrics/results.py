"""Typed results of an analysis, and their JSON and tidy-table forms.

Column names carry their unit (``_ms``, ``_pct``, ``_mm``, ``_n``, ``_kpa``, ...). When a
recording is uncalibrated, force and pressure columns hold raw units and
``SessionResult.force_unit`` / ``pressure_unit`` say so.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gait_metrics.cop import FrameSeries

__all__ = ["SIDES", "StepResult", "StepCurves", "Butterfly", "MeanFootprint", "SessionResult", "CURVE_NAMES", "SUMMARY_METRICS", "FOOTPRINT_X_EDGES_MM", "FOOTPRINT_Y_EDGES_MM"]

#: Bin edges (mm, foot frame) of the mean peak-pressure footprints: x 4 mm, y 4 mm (medial +).
FOOTPRINT_X_EDGES_MM = np.arange(-20.0, 324.0, 4.0)
FOOTPRINT_Y_EDGES_MM = np.arange(-80.0, 84.0, 4.0)

#: Side codes: 0 left, 1 right.
SIDES = ("left", "right")

#: Per-step curves over 0..100 % of stance (101 points each).
CURVE_NAMES = (
    "cop_x_mm",
    "cop_y_mm",
    "cop_velocity_m_s",
    "force_n",
    "force_rearfoot_n",
    "force_midfoot_n",
    "force_forefoot_n",
)

#: Per-step metrics summarised per side (mean, SD, CV, symmetry, first/last third).
SUMMARY_METRICS = (
    "transition_ms",
    "transition_pct",
    "heel_forefoot_change_ms",
    "heel_forefoot_change_pct",
    "initial_contact_ms",
    "forefoot_contact_ms",
    "foot_flat_ms",
    "push_off_ms",
    "initial_contact_pct",
    "forefoot_contact_pct",
    "foot_flat_pct",
    "push_off_pct",
    "stance_ms",
    "swing_ms",
    "flight_ms",
    "step_time_ms",
    "stride_time_ms",
    "cadence_spm",
    "step_length_mm",
    "stride_length_mm",
    "step_width_mm",
    "progression_angle_deg",
    "strike_index_pct",
    "peak_force_n",
    "peak_force_bw",
    "loading_rate_n_s",
    "impulse_n_s",
    "peak_pressure_rearfoot_kpa",
    "peak_pressure_midfoot_kpa",
    "peak_pressure_forefoot_kpa",
    "gait_line_length_mm",
    "ml_excursion_mm",
    "time_rearfoot_ms",
    "time_midfoot_ms",
    "time_forefoot_ms",
    "foot_length_mm",
)


@dataclass(frozen=True)
class StepResult:
    """One stance. Times in s from the first frame; NaN where a value does not exist."""

    index: int
    side: int
    side_confident: bool
    first_frame: int
    last_frame: int
    excluded: bool
    exclude_reason: str
    ic_s: float
    forefoot_contact_s: float
    ff_s: float
    ho_s: float
    to_s: float
    heel_forefoot_change_s: float
    heel_loaded: bool
    stance_ms: float
    transition_ms: float
    transition_pct: float
    heel_forefoot_change_ms: float
    heel_forefoot_change_pct: float
    initial_contact_ms: float
    forefoot_contact_ms: float
    foot_flat_ms: float
    push_off_ms: float
    initial_contact_pct: float
    forefoot_contact_pct: float
    foot_flat_pct: float
    push_off_pct: float
    strike_index_pct: float
    strike_pattern: str
    foot_length_mm: float
    foot_width_mm: float
    progression_angle_deg: float
    origin_x_mm: float
    origin_y_mm: float
    belt_speed_m_s: float
    peak_force_n: float
    peak_force_bw: float
    loading_rate_n_s: float
    impulse_n_s: float
    peak_pressure_rearfoot_kpa: float
    peak_pressure_midfoot_kpa: float
    peak_pressure_forefoot_kpa: float
    gait_line_length_mm: float
    ml_excursion_mm: float
    time_rearfoot_ms: float
    time_midfoot_ms: float
    time_forefoot_ms: float
    step_time_ms: float = math.nan
    stride_time_ms: float = math.nan
    swing_ms: float = math.nan
    flight_ms: float = math.nan
    cadence_spm: float = math.nan
    step_length_mm: float = math.nan
    stride_length_mm: float = math.nan
    step_width_mm: float = math.nan

    @property
    def side_name(self) -> str:
        """``"left"``, ``"right"`` or ``"unknown"``."""
        return SIDES[self.side] if self.side in (0, 1) else "unknown"

    def replace(self, **changes: Any) -> "StepResult":
        """A copy with fields changed."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, eq=False)
class StepCurves:
    """Curves of every step, each ``(n_steps, 101)`` over 0..100 % of stance."""

    cop_x_mm: np.ndarray
    cop_y_mm: np.ndarray
    cop_velocity_m_s: np.ndarray
    force_n: np.ndarray
    force_rearfoot_n: np.ndarray
    force_midfoot_n: np.ndarray
    force_forefoot_n: np.ndarray

    @property
    def percent(self) -> np.ndarray:
        """0, 1, ..., 100 (% of stance)."""
        return np.arange(101.0)


@dataclass(frozen=True, eq=False)
class Butterfly:
    """Combined CoP of both feet over the session in the mat frame (mm), and the crossing
    of the double-support diagonals (Zebris-style "butterfly"); NaN without double support."""

    x_mm: np.ndarray
    y_mm: np.ndarray
    intersection_x_mm: float
    intersection_y_mm: float
    intersection_x_sd_mm: float
    intersection_y_sd_mm: float
    lateral_symmetry_mm: float
    n_crossings: int


@dataclass(frozen=True, eq=False)
class MeanFootprint:
    """Mean over a side's included steps of the peak pressure in foot coordinates.

    ``pressure`` is ``(len(y_edges) - 1, len(x_edges) - 1)`` in kPa (or raw); bins never
    loaded are 0. ``n_steps`` steps went into it.
    """

    x_edges_mm: np.ndarray
    y_edges_mm: np.ndarray
    pressure: np.ndarray
    n_steps: int


def _plain(value: Any) -> Any:
    if isinstance(value, (np.floating, float)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()] if value.ndim else _plain(value.item())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True, eq=False)
class SessionResult:
    """Everything :func:`gait_metrics.analyze` finds in one recording."""

    info: dict[str, Any]
    steps: tuple[StepResult, ...]
    curves: StepCurves
    frames: FrameSeries
    summary: dict[str, dict[str, dict[str, float]]]
    symmetry: dict[str, float]
    change: dict[str, dict[str, float]]
    butterfly: Butterfly | None
    quality: dict[str, Any]
    notices: tuple[str, ...] = field(default_factory=tuple)
    footprints: dict[int, MeanFootprint] = field(default_factory=dict)

    @property
    def force_unit(self) -> str:
        """``"N"`` when calibrated, else ``"raw"``."""
        return str(self.info["force_unit"])

    @property
    def pressure_unit(self) -> str:
        """``"kPa"`` when calibrated, else ``"raw"``."""
        return str(self.info["pressure_unit"])

    def included(self, side: int | None = None) -> list[StepResult]:
        """Steps that count in averages (not excluded), optionally of one side."""
        return [s for s in self.steps if not s.excluded and (side is None or s.side == side)]

    def steps_table(self) -> list[dict[str, Any]]:
        """One row per step: recording, subject, condition, side, every metric."""
        head = {k: self.info.get(k, "") for k in ("recording", "subject_id", "condition")}
        rows = []
        for step in self.steps:
            row = dict(head)
            row.update({"step": step.index, "side": step.side_name})
            row.update({f.name: getattr(step, f.name) for f in dataclasses.fields(step) if f.name not in ("index", "side")})
            rows.append(row)
        return rows

    def curves_long(self) -> list[dict[str, Any]]:
        """Long format: one row per (step, curve, % stance)."""
        rows = []
        pct = self.curves.percent
        for k, step in enumerate(self.steps):
            for name in CURVE_NAMES:
                values = getattr(self.curves, name)[k]
                rows.extend({"step": step.index, "side": step.side_name, "curve": name, "stance_pct": p, "value": v} for p, v in zip(pct, values))
        return rows

    def to_dict(self) -> dict[str, Any]:
        """Session summary as plain JSON-ready values (no per-frame arrays)."""
        return _plain(
            {
                "info": self.info,
                "summary": self.summary,
                "symmetry_index_pct": self.symmetry,
                "first_to_last_third": self.change,
                "butterfly": None if self.butterfly is None else {
                    k: v for k, v in vars(self.butterfly).items() if k not in ("x_mm", "y_mm")
                },
                "quality": self.quality,
                "notices": list(self.notices),
                "steps": [dataclasses.asdict(s) for s in self.steps],
            }
        )

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), **kwargs)
