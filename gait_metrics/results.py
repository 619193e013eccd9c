"""Typed results of an analysis, and their JSON and tidy-table forms.

Every column name carries its unit (``_s``, ``_ms``, ``_pct``, ``_mm``, ``_n``, ``_kpa``,
``_bw``, ``_n_s``, ``_m_s``, ``_spm``, ``_deg``); ids and flags have none. When a recording
is uncalibrated, the ``_n`` and ``_kpa`` columns hold raw units and
``SessionResult.force_unit`` / ``pressure_unit`` say ``"raw"``. Names are stable: the
report, the exports and the live view read them (see docs/metrics.md).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections import namedtuple
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np

from gait_metrics.cop import FrameSeries
from gait_metrics.dataframes import to_dataframe
from gait_metrics.progression import CURVE_NAMES, PERCENT, Butterfly
from gait_metrics.reliability import Reliability, transition_reliability
from gait_metrics.summary import Record, SideSummary, Summary

__all__ = [
    "json_safe",
    "SIDES",
    "SUMMARY_METRICS",
    "FOOTPRINT_X_EDGES_MM",
    "FOOTPRINT_Y_EDGES_MM",
    "Step",
    "StepTable",
    "StepCurves",
    "MeanFootprint",
    "Quality",
    "SessionResult",
]

#: Side codes: 0 left, 1 right (-1 unknown, e.g. an insole of unknown side).
SIDES = ("left", "right")

#: Bin edges (mm, foot frame) of the mean peak-pressure footprints: 4 mm, ``y`` medial +.
FOOTPRINT_X_EDGES_MM = np.arange(-20.0, 324.0, 4.0)
FOOTPRINT_Y_EDGES_MM = np.arange(-80.0, 84.0, 4.0)


@dataclass(frozen=True, eq=False)
class StepTable:
    """One entry per step (footprint), in order of initial contact; every field an array.

    Times are in s from the recording's first frame; NaN where a value does not exist.
    ``excluded`` steps (``exclude_reason`` says why) stay out of every average.
    """

    step: np.ndarray
    side: np.ndarray
    side_name: np.ndarray
    side_confident: np.ndarray
    excluded: np.ndarray
    exclude_reason: np.ndarray
    first_frame: np.ndarray
    last_frame: np.ndarray
    ic_s: np.ndarray
    forefoot_contact_s: np.ndarray
    ff_s: np.ndarray
    ho_s: np.ndarray
    to_s: np.ndarray
    heel_forefoot_change_s: np.ndarray
    heel_loaded: np.ndarray
    stance_ms: np.ndarray
    transition_ms: np.ndarray
    transition_pct: np.ndarray
    transition_spread_ms: np.ndarray
    well_conditioned: np.ndarray
    heel_forefoot_change_ms: np.ndarray
    heel_forefoot_change_pct: np.ndarray
    initial_contact_ms: np.ndarray
    initial_contact_pct: np.ndarray
    forefoot_contact_ms: np.ndarray
    forefoot_contact_pct: np.ndarray
    foot_flat_ms: np.ndarray
    foot_flat_pct: np.ndarray
    push_off_ms: np.ndarray
    push_off_pct: np.ndarray
    strike_index_pct: np.ndarray
    strike_pattern: np.ndarray
    foot_length_mm: np.ndarray
    foot_width_mm: np.ndarray
    progression_angle_deg: np.ndarray
    heel_x_mm: np.ndarray
    heel_y_mm: np.ndarray
    belt_speed_m_s: np.ndarray
    peak_force_n: np.ndarray
    peak_force_bw: np.ndarray
    loading_rate_n_s: np.ndarray
    impulse_n_s: np.ndarray
    peak_pressure_rearfoot_kpa: np.ndarray
    peak_pressure_midfoot_kpa: np.ndarray
    peak_pressure_forefoot_kpa: np.ndarray
    max_force_rearfoot_n: np.ndarray
    max_force_midfoot_n: np.ndarray
    max_force_forefoot_n: np.ndarray
    saturated_force_pct: np.ndarray
    gait_line_length_mm: np.ndarray
    ml_excursion_mm: np.ndarray
    max_cop_velocity_m_s: np.ndarray
    time_rearfoot_ms: np.ndarray
    time_midfoot_ms: np.ndarray
    time_forefoot_ms: np.ndarray
    step_time_ms: np.ndarray
    stride_time_ms: np.ndarray
    cadence_spm: np.ndarray
    swing_ms: np.ndarray
    flight_ms: np.ndarray
    double_support_ms: np.ndarray
    step_length_mm: np.ndarray
    stride_length_mm: np.ndarray
    step_width_mm: np.ndarray

    def __len__(self) -> int:
        return int(self.step.size)

    def __getitem__(self, index: int) -> "Step":
        """One step as a :data:`Step` (a named tuple of Python values, NaN kept)."""
        return Step(*(values[index].item() if isinstance(values[index], np.generic) else values[index] for values in self.columns().values()))

    def __iter__(self) -> Iterator["Step"]:
        return (self[k] for k in range(len(self)))

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Column names, in order."""
        return tuple(f.name for f in dataclasses.fields(cls))

    def columns(self) -> dict[str, np.ndarray]:
        """``{name: array}`` in column order."""
        return {name: getattr(self, name) for name in self.names()}

    def row(self, index: int) -> dict[str, Any]:
        """One step as ``{column: plain Python value}`` (NaN kept)."""
        return self[index]._asdict()

    @property
    def included(self) -> np.ndarray:
        """Boolean mask of the steps that count in averages."""
        return ~self.excluded

    def mask(self, side: int | str | None = None, included: bool | None = None) -> np.ndarray:
        """Boolean mask of the steps of one side (0 / ``"left"``, 1 / ``"right"``; None: any)
        that are included (True), excluded (False) or either (None)."""
        chosen = np.ones(len(self), bool)
        if side is not None:
            chosen &= self.side == (SIDES.index(side) if isinstance(side, str) else side)
        if included is not None:
            chosen &= self.included if included else self.excluded
        return chosen

    def rows(self, side: int | str | None = None, included: bool | None = None) -> np.ndarray:
        """Row indices (into :attr:`SessionResult.curves` too) of :meth:`mask`'s steps."""
        return np.flatnonzero(self.mask(side, included))

    def select(self, side: int | str | None = None, included: bool | None = None) -> "StepTable":
        """The steps of :meth:`mask` as a table of their own, e.g.
        ``result.steps.select("left", included=True)``."""
        chosen = self.mask(side, included)
        return dataclasses.replace(self, **{name: values[chosen] for name, values in self.columns().items()})

    def to_dataframe(self) -> Any:
        """Every column as a ``pandas.DataFrame``, one row per step (extra ``pandas``)."""
        return to_dataframe(self.columns())


#: One row of :class:`StepTable`, with a field per column (``step.transition_ms``).
#: The fields come from the table's columns at run time, so type checkers see ``Any``.
if TYPE_CHECKING:
    Step = Any
else:
    Step = namedtuple("Step", StepTable.names())

#: Per-step metrics summarised per side (mean, SD, CV, symmetry, first/last third).
SUMMARY_METRICS = tuple(
    name
    for name in StepTable.names()
    if name.endswith(("_ms", "_pct", "_mm", "_n", "_bw", "_n_s", "_kpa", "_spm", "_deg", "_m_s")) and name not in ("heel_x_mm", "heel_y_mm")
)


@dataclass(frozen=True, eq=False)
class StepCurves:
    """Curves of every step over 0..100 % of stance, each ``(n_steps, 101)``, rows in the
    order of :class:`StepTable`. ``cop_x_mm`` / ``cop_y_mm`` are in foot coordinates."""

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
        return PERCENT.copy()

    def columns(self) -> dict[str, np.ndarray]:
        """``{curve name: (n_steps, 101) array}``."""
        return {name: getattr(self, name) for name in CURVE_NAMES}


@dataclass(frozen=True, eq=False)
class MeanFootprint:
    """Mean peak-pressure footprint of one side in foot coordinates.

    ``pressure`` is ``(len(y_edges_mm) - 1, len(x_edges_mm) - 1)`` in kPa (or raw): in
    each 4 mm bin, the mean over the steps whose loaded cells reach it of each step's
    highest pressure there (a static footprint's 8.5 mm cells do not reach every 4 mm bin
    in every step); 0 where no step is loaded. ``n_steps`` steps went into it.
    """

    x_edges_mm: np.ndarray
    y_edges_mm: np.ndarray
    pressure: np.ndarray
    n_steps: int


@dataclass(frozen=True, eq=False)
class Quality(Record):
    """Data-quality counts of a session (``quality.frames_dropped`` or
    ``quality["frames_dropped"]``; :meth:`to_dict` is summary.json's ``quality``).

    Attributes
    ----------
    frames_dropped, gaps
        Frames missing from the recording, and the gaps they form.
    frames_rejected
        Frames the recorder rejected (bad checksum, wrong size).
    frames_with_saturation, max_saturated_cells
        Frames with a cell at the ADC maximum; the most such cells in one frame.
    steps_detected, steps_included
        Footprints found; those that count in averages.
    steps_excluded
        ``{reason: steps}`` of the excluded steps.
    steps_cut_by_mat_edge
        Excluded steps cut by the mat's edge.
    low_confidence_sides
        Included steps whose side is uncertain.
    noise_blobs_dropped
        Contacts too small or short to be a foot, dropped as noise.
    incomplete_file
        The recording's writer was killed (the file was not closed).
    noise_sd_kpa
        ``{"median": kPa, "p90": kPa}`` of the working cells' noise SD (docs/metrics.md,
        noise model).
    loaded_level_kpa
        Median over working cells of the level above which a cell is loaded, kPa.
    dead_cells, stuck_cells, saturated_cells
        ``[row, col]`` of every dead, stuck, and (at least once) saturated cell.
    dead_cells_filled, filled_force_pct
        Readings of dead cells under a foot filled from their neighbours, and their share
        of all loaded pressure, %.
    steps_saturated
        Included steps with over ``max_saturated_force_pct`` of their force in saturated cells.
    saturation_added_force_pct
        Pressure that extrapolating the saturated cells added (:mod:`gait_metrics.saturation`),
        as a share of all loaded pressure before it, %; 0 when nothing saturated or
        ``AnalysisConfig.extrapolate_saturated`` is off.
    too_noisy, too_noisy_reason
        The verdict that the mat is too noisy or faulty for gait analysis, and why, in numbers.
    crosstalk_frac, crosstalk_removed_force_pct
        The calibration's crosstalk fraction the analysis removed (0: none known, nothing
        removed), and the share of the loaded pressure as read that it removed, %.
    """

    frames_dropped: int
    gaps: int
    frames_rejected: int
    frames_with_saturation: int
    max_saturated_cells: int
    steps_detected: int
    steps_included: int
    steps_excluded: dict[str, int]
    steps_cut_by_mat_edge: int
    low_confidence_sides: int
    noise_blobs_dropped: int
    incomplete_file: bool
    noise_sd_kpa: dict[str, float]
    loaded_level_kpa: float
    dead_cells: list[list[int]]
    stuck_cells: list[list[int]]
    saturated_cells: list[list[int]]
    dead_cells_filled: int
    filled_force_pct: float
    steps_saturated: int
    saturation_added_force_pct: float
    too_noisy: bool
    too_noisy_reason: str
    crosstalk_frac: float
    crosstalk_removed_force_pct: float


def json_safe(value: Any, digits: int | None = None) -> Any:
    """JSON-ready Python values: NaN and infinities become None (null), numpy scalars and
    arrays plain numbers and lists, objects with ``to_dict()`` their dict; floats rounded to
    ``digits`` decimals if given. The one NaN-to-null converter of the package.

    Examples
    --------
    >>> json_safe({"a": np.float64("nan"), "b": np.arange(2), "c": 1.23456}, digits=2)
    {'a': None, 'b': [0, 1], 'c': 1.23}
    """
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            return None
        return float(value) if digits is None else round(float(value), digits)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.ndarray):
        return [json_safe(v, digits) for v in value.tolist()] if value.ndim else json_safe(value.item(), digits)
    if isinstance(value, dict):
        return {str(k): json_safe(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v, digits) for v in value]
    if hasattr(value, "to_dict"):
        return json_safe(value.to_dict(), digits)
    return value


@dataclass(frozen=True, eq=False)
class SessionResult:
    """Everything :func:`gait_metrics.analyze` finds in one recording.

    Attributes
    ----------
    info
        Recording, subject, setup, belt speeds (set and estimated), units, configuration.
    steps
        Per-step table (:class:`StepTable`).
    curves
        Per-step curves over % stance (:class:`StepCurves`).
    frames, frames_left, frames_right
        Per-frame values of the whole mat and of each foot (:class:`FrameSeries`).
    summary
        :class:`~gait_metrics.summary.Summary` over included steps: per group (``left``,
        ``right``, ``all``) and metric, n, mean, SD, CV: ``summary.left.transition_ms.mean``
        (or ``summary["left"]["transition_ms"]["mean"]``; :meth:`summary_of`);
        ``transition_ms`` also has ``median``, ``q1``, ``q3``, ``iqr`` and
        ``n_well_conditioned``. A plain nested mapping given here is typed on construction.
    symmetry
        ``{metric: symmetry index in %}`` from the left and right means.
    change
        ``{group: {metric: last-third mean - first-third mean}}`` (the metric's unit).
    butterfly
        Treadmill only (else None).
    footprints
        ``{0 | 1: MeanFootprint}`` (left, right) for sides with included steps.
    quality
        Data-quality counts (:class:`Quality`: dropped frames, saturation, excluded
        steps, ...); a plain mapping given here is typed on construction.
    notices
        Plain sentences about what could not be measured and why.
    reliability
        ``{"left" | "right": Reliability}``: within-session reliability of the transition
        time (first half of the side's included steps against the second half).
    """

    info: dict[str, Any]
    steps: StepTable
    curves: StepCurves
    frames: FrameSeries
    frames_left: FrameSeries
    frames_right: FrameSeries
    summary: Summary
    symmetry: dict[str, float]
    change: dict[str, dict[str, float]]
    butterfly: Butterfly | None
    footprints: dict[int, MeanFootprint]
    quality: Quality
    notices: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not isinstance(self.summary, Summary):
            object.__setattr__(self, "summary", Summary.from_dict(self.summary))
        if not isinstance(self.quality, Quality):
            object.__setattr__(self, "quality", Quality(**self.quality))

    def summary_of(self, side: int | str) -> SideSummary:
        """The summary of one side (0 / ``"left"``, 1 / ``"right"``) or of ``"all"`` steps:
        ``result.summary_of("left").transition_ms.mean``."""
        return self.summary[SIDES[side] if isinstance(side, int) else side]

    @property
    def force_unit(self) -> str:
        """``"N"`` when calibrated, else ``"raw"``."""
        return str(self.info["force_unit"])

    @property
    def pressure_unit(self) -> str:
        """``"kPa"`` when calibrated, else ``"raw"``."""
        return str(self.info["pressure_unit"])

    @cached_property
    def reliability(self) -> dict[str, Reliability]:
        """Per side: ICC(2,1), SEM and MDC95 of ``transition_ms`` (gait_metrics.reliability)."""
        return {side: transition_reliability(self.steps.transition_ms[self.steps.mask(side, included=True)]) for side in SIDES}

    def included(self, side: int | None = None) -> list[Step]:
        """The steps that count in averages (rows of :attr:`steps`), optionally of one side
        (0 left, 1 right). ``steps.included`` is the same as a mask."""
        return [self.steps[k] for k in self.steps.rows(side, included=True)]

    def steps_table(self) -> list[dict[str, Any]]:
        """Tidy per-step table, one row per step: ``recording``, ``subject_id``,
        ``condition``, then every :class:`StepTable` column (plain values, NaN kept),
        except that ``side`` holds the side's name ("left", "right" or "unknown")."""
        head = {key: str(self.info.get(key) or "") for key in ("recording", "subject_id", "condition")}
        rows = []
        for step in self.steps:
            columns = step._asdict()
            columns["side"] = columns.pop("side_name")
            rows.append({**head, **columns})
        return rows

    def curves_long(self) -> list[dict[str, Any]]:
        """Long format, one row per (step, curve, % stance): ``step``, ``side_name``,
        ``curve``, ``stance_pct``, ``value`` (NaN kept)."""
        rows: list[dict[str, Any]] = []
        for k, (step, side) in enumerate(zip(self.steps.step.tolist(), self.steps.side_name.tolist())):
            for name in CURVE_NAMES:
                values = getattr(self.curves, name)[k].tolist()
                rows.extend({"step": step, "side_name": side, "curve": name, "stance_pct": float(p), "value": v} for p, v in zip(range(101), values))
        return rows

    def frames_table(self) -> dict[str, np.ndarray]:
        """Per-frame table: the whole mat's columns, then ``left_`` and ``right_`` ones."""
        table = {name: getattr(self.frames, name) for name in FrameSeries.COLUMNS}
        for prefix, series in (("left_", self.frames_left), ("right_", self.frames_right)):
            table.update({prefix + name: getattr(series, name) for name in FrameSeries.COLUMNS if name != "time_s"})
        return table

    def to_dict(self) -> dict[str, Any]:
        """Session as plain JSON-ready values: info, summary, symmetry, change, reliability,
        butterfly, quality, notices and one object per step (no per-frame arrays or curves)."""
        steps = self.steps.columns()
        return json_safe(
            {
                "info": self.info,
                "summary": self.summary,
                "symmetry_index_pct": self.symmetry,
                "first_to_last_third": self.change,
                "reliability": {side: value.to_dict() for side, value in self.reliability.items()},
                "butterfly": None if self.butterfly is None else self.butterfly.to_dict(),
                "quality": self.quality,
                "notices": list(self.notices),
                "steps": [{name: values[i] for name, values in steps.items()} for i in range(len(self.steps))],
            }
        )

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as JSON text (NaN written as null)."""
        return json.dumps(self.to_dict(), **kwargs)
