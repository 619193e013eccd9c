"""Gait metrics from pressure-mat recordings: pure numpy/scipy, frames in, typed results out.

Start with :func:`analyze`; every definition, unit, default and source is in
docs/metrics.md. One module per step of the analysis:

- :mod:`~gait_metrics.noise`: the mat's noise per cell: zero, noise SD, loaded level, dead and
  stuck cells;
- :mod:`~gait_metrics.cop`: loaded cells; per-frame force, area, peak pressure, CoP;
- :mod:`~gait_metrics.footsteps`: footprints in space and time, left and right;
- :mod:`~gait_metrics.footframe`: foot axis, origin and length; treadmill belt speed;
- :mod:`~gait_metrics.events`, :mod:`~gait_metrics.phases`: events, roll-over phases,
  the loading-to-propulsion transition, strike pattern;
- :mod:`~gait_metrics.progression`: CoP curves, gait line, butterfly;
- :mod:`~gait_metrics.kinetics`, :mod:`~gait_metrics.spatiotemporal`: per-step values;
- :mod:`~gait_metrics.summary`: per-side statistics and symmetry;
- :mod:`~gait_metrics.results`: the result types, JSON and tidy tables;
- :mod:`~gait_metrics.reliability`: within-session reliability (ICC, SEM, MDC95);
- :mod:`~gait_metrics.compare`, :mod:`~gait_metrics.spm`: comparing sessions;
- :mod:`~gait_metrics.live`: the steps of a recording still being made (the live page).
"""

from gait_metrics._validation import MetricsError
from gait_metrics.analyze import analyze, frame_times
from gait_metrics.compare import MdcChange, SampleComparison, change_against_mdc, compare_samples, hedges_g
from gait_metrics.config import AnalysisConfig
from gait_metrics.cop import FrameSeries, LoadedCells, frame_stats, mat_coordinates, read_loaded_cells
from gait_metrics.events import EventDetector, StanceEvents
from gait_metrics.footframe import BeltMotion, FootFrames, estimate_belt_motion, foot_frames
from gait_metrics.footsteps import Footprints, FootstepSegmenter, assign_sides, progression_directions, walking_passes
from gait_metrics.phases import roll_over_phases, strike_pattern
from gait_metrics.progression import CURVE_NAMES, PERCENT, Butterfly
from gait_metrics.reliability import Icc, Reliability, icc_2_1, transition_reliability
from gait_metrics.results import FOOTPRINT_X_EDGES_MM, FOOTPRINT_Y_EDGES_MM, SIDES, SUMMARY_METRICS, MeanFootprint, SessionResult, Step, StepCurves, StepTable
from gait_metrics.spm import SpmResult, spm_ttest2
from gait_metrics.summary import describe, symmetry_index

__all__ = [
    "analyze",
    "frame_times",
    "AnalysisConfig",
    "MetricsError",
    "SessionResult",
    "StepTable",
    "Step",
    "StepCurves",
    "FrameSeries",
    "Butterfly",
    "MeanFootprint",
    "SIDES",
    "CURVE_NAMES",
    "PERCENT",
    "SUMMARY_METRICS",
    "FOOTPRINT_X_EDGES_MM",
    "FOOTPRINT_Y_EDGES_MM",
    "LoadedCells",
    "read_loaded_cells",
    "frame_stats",
    "mat_coordinates",
    "Footprints",
    "FootstepSegmenter",
    "walking_passes",
    "progression_directions",
    "assign_sides",
    "FootFrames",
    "BeltMotion",
    "estimate_belt_motion",
    "foot_frames",
    "EventDetector",
    "StanceEvents",
    "roll_over_phases",
    "strike_pattern",
    "describe",
    "symmetry_index",
    "SampleComparison",
    "compare_samples",
    "hedges_g",
    "MdcChange",
    "change_against_mdc",
    "Icc",
    "Reliability",
    "icc_2_1",
    "transition_reliability",
    "SpmResult",
    "spm_ttest2",
]
