"""Analysis settings: every threshold and boundary, with units in the names."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AnalysisConfig"]


@dataclass(frozen=True)
class AnalysisConfig:
    """Tunables of :func:`gait_metrics.analyze`; the defaults are documented in docs/metrics.md.

    Parameters
    ----------
    noise_kpa
        A cell is loaded above this pressure (kPa; raw counts for uncalibrated recordings).
    threshold_frac
        A step or a region is "on" while its force is at least this fraction of the step's
        peak total force (events, De Cock et al. 2005 style).
    rearfoot_end_frac, midfoot_end_frac
        Region boundaries along the foot axis as fractions of foot length from the heel.
    merge_cells
        Loaded cells this close (cells) join one footprint: toes apart from the forefoot.
    merge_mm
        Parts of one foot (heel and forefoot of a high arch) whose centres are this close
        along the walking axis and overlap in time are merged.
    min_peak_frac
        Footprints whose peak force is below this fraction of the median footprint peak
        are noise blobs and dropped.
    min_frames
        Footprints shorter than this many frames are dropped.
    chunk_frames
        Frames read and processed at a time (memory bound).
    """

    noise_kpa: float = 5.0
    threshold_frac: float = 0.05
    rearfoot_end_frac: float = 0.30
    midfoot_end_frac: float = 0.60
    merge_cells: int = 2
    merge_mm: float = 220.0
    min_peak_frac: float = 0.2
    min_frames: int = 3
    chunk_frames: int = 1024

    def __post_init__(self) -> None:
        if not 0 < self.threshold_frac < 1:
            raise ValueError(f"threshold_frac must be in (0, 1), got {self.threshold_frac}")
        if not 0 < self.rearfoot_end_frac < self.midfoot_end_frac < 1:
            raise ValueError("region boundaries must satisfy 0 < rearfoot_end_frac < midfoot_end_frac < 1")
        if self.noise_kpa < 0 or self.merge_cells < 0 or self.min_frames < 1 or self.chunk_frames < 1:
            raise ValueError("noise_kpa, merge_cells must be >= 0; min_frames, chunk_frames >= 1")
