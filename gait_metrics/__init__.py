"""Gait metrics from pressure-mat recordings: pure numpy/scipy, frames in, typed results out.

Start with :func:`analyze` (a file's path or a recording in, a :class:`SessionResult`
out; docs/api.md); every definition, unit, default and source is in docs/metrics.md.
This package exports the public API; the internals stay importable from their modules,
one module per step of the analysis:

- :mod:`~gait_metrics.noise`: the mat's noise per cell: zero, noise SD, loaded level, dead and
  stuck cells;
- :mod:`~gait_metrics.cop`: loaded cells; per-frame force, area, peak pressure, CoP;
- :mod:`~gait_metrics.footsteps`: footprints in space and time;
- :mod:`~gait_metrics.sides`: left and right: which foot made each footprint;
- :mod:`~gait_metrics.footframe`: foot axis, origin and length;
- :mod:`~gait_metrics.belt`: the treadmill belt's motion under each stance;
- :mod:`~gait_metrics.events`, :mod:`~gait_metrics.phases`: events, roll-over phases,
  the loading-to-propulsion transition, strike pattern;
- :mod:`~gait_metrics.progression`: CoP curves, gait line, butterfly;
- :mod:`~gait_metrics.kinetics`, :mod:`~gait_metrics.spatiotemporal`: per-step values;
- :mod:`~gait_metrics.summary`: per-side statistics and symmetry;
- :mod:`~gait_metrics.analyze`: the stages of one analysis in order, each a named function
  (:func:`~gait_metrics.analyze.analysis_stages` returns every stage's result);
- :mod:`~gait_metrics.session`: what the stages share; the session's info, summaries,
  quality and notices;
- :mod:`~gait_metrics.results`: the result types, JSON, tidy tables and DataFrames;
- :mod:`~gait_metrics.reliability`: within-session reliability (ICC, SEM, MDC95);
- :mod:`~gait_metrics.compare`, :mod:`~gait_metrics.spm`: comparing sessions;
- :mod:`~gait_metrics.live`: the steps of a recording still being made (the live page).
"""

from gait_metrics._validation import MetricsError
from gait_metrics.api import analyze
from gait_metrics.compare import (
    COMPARED_METRICS,
    SPM_CURVES,
    MdcChange,
    MetricComparison,
    SampleComparison,
    SessionComparison,
    TransitionChange,
    change_against_mdc,
    compare_samples,
    compare_sessions,
)
from gait_metrics.config import AnalysisConfig
from gait_metrics.cop import FrameSeries
from gait_metrics.progression import CURVE_NAMES, PERCENT, Butterfly
from gait_metrics.reliability import Icc, Reliability
from gait_metrics.results import (
    FOOTPRINT_X_EDGES_MM,
    FOOTPRINT_Y_EDGES_MM,
    SIDES,
    SUMMARY_METRICS,
    MeanFootprint,
    SessionResult,
    Step,
    StepCurves,
    StepTable,
    json_safe,
)
from gait_metrics.spm import SpmResult

__all__ = [
    "analyze",
    "AnalysisConfig",
    "MetricsError",
    "SessionResult",
    "StepTable",
    "Step",
    "StepCurves",
    "FrameSeries",
    "Butterfly",
    "MeanFootprint",
    "Reliability",
    "Icc",
    "compare_sessions",
    "SessionComparison",
    "MetricComparison",
    "TransitionChange",
    "compare_samples",
    "SampleComparison",
    "change_against_mdc",
    "MdcChange",
    "SpmResult",
    "json_safe",
    "SIDES",
    "CURVE_NAMES",
    "PERCENT",
    "SUMMARY_METRICS",
    "COMPARED_METRICS",
    "SPM_CURVES",
    "FOOTPRINT_X_EDGES_MM",
    "FOOTPRINT_Y_EDGES_MM",
]
