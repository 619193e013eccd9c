"""Gait metrics from pressure-mat recordings: pure numpy/scipy, frames in, typed results out.

Start with :func:`analyze`; see docs/metrics.md for every definition and its source.
"""

from gait_metrics.pipeline import analyze
from gait_metrics.compare import SampleComparison, compare_samples, hedges_g
from gait_metrics.config import AnalysisConfig
from gait_metrics.cop import FrameSeries, frame_stats, mat_coordinates
from gait_metrics.errors import MetricsError
from gait_metrics.events import StanceEvents, stance_events
from gait_metrics.footframe import FootFrame, estimate_belt_speed, foot_frame
from gait_metrics.footsteps import Footprint, FootprintSegmenter
from gait_metrics.results import CURVE_NAMES, SIDES, SUMMARY_METRICS, Butterfly, MeanFootprint, SessionResult, StepCurves, StepResult
from gait_metrics.spm import SpmResult, spm_ttest2
from gait_metrics.summary import describe, symmetry_index

__all__ = [
    "analyze",
    "AnalysisConfig",
    "MetricsError",
    "SessionResult",
    "StepResult",
    "StepCurves",
    "Butterfly",
    "MeanFootprint",
    "FrameSeries",
    "StanceEvents",
    "FootFrame",
    "Footprint",
    "FootprintSegmenter",
    "SampleComparison",
    "SpmResult",
    "spm_ttest2",
    "CURVE_NAMES",
    "SIDES",
    "SUMMARY_METRICS",
    "compare_samples",
    "hedges_g",
    "describe",
    "symmetry_index",
    "frame_stats",
    "mat_coordinates",
    "stance_events",
    "estimate_belt_speed",
    "foot_frame",
]
