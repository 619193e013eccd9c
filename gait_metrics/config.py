"""Analysis settings: every threshold and boundary, with its unit in its name.

The defaults are documented, with their sources, in docs/metrics.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from gait_metrics._validation import MetricsError

__all__ = ["AnalysisConfig", "DEFAULTS"]


@dataclass(frozen=True)
class AnalysisConfig:
    """Tunables of :func:`gait_metrics.analyze`.

    Parameters
    ----------
    noise_kpa
        A cell is loaded while its pressure is above this (kPa; raw counts when the
        recording is uncalibrated). Cells at or below it count for nothing.
    noise_k
        A cell is loaded only above ``noise_k`` of its own noise SDs over its zero when
        that is more than ``noise_kpa`` (see :mod:`gait_metrics.noise`).
    noise_k_edge
        Next to a loaded cell, a cell is loaded above ``noise_k_edge`` noise SDs (at least
        ``noise_kpa``): a footprint's low-pressure edge.
    max_level_kpa, max_faulty_cells_pct
        The mat is too noisy (``quality["too_noisy"]``, with the reason in a notice) when
        its median loaded level exceeds ``max_level_kpa`` or more than
        ``max_faulty_cells_pct`` % of its cells are dead or stuck.
    max_saturated_force_pct
        Steps with more than this % of their force in saturated cells are counted and
        named in a notice.
    extrapolate_saturated
        Saturated cells (at the ADC's top count) read the pressure extrapolated from the
        unclipped cells around them (:mod:`gait_metrics.saturation`) where that is higher;
        ``False`` keeps the clipped readings.
    threshold_frac
        A step, or a region of the foot, is loaded while its force is at least this
        fraction of the step's peak total force (events).
    rearfoot_end_frac, midfoot_end_frac
        Region boundaries along the foot axis as fractions of foot length from the heel:
        rearfoot ``[0, rearfoot_end_frac)``, midfoot up to ``midfoot_end_frac``, forefoot
        beyond.
    join_along_mm, join_across_mm
        Loaded cells at most this far apart along / across the walking axis always belong
        to one footprint (toes apart from the forefoot); up to about twice that, they may.
    merge_mm
        Two footprints that overlap in time by at least half the shorter one (or overlap
        and start within a quarter of the longer one's duration of each other) and whose
        centres lie within ``merge_mm`` along the walking axis and ``merge_mm / 4``
        across it are parts of one foot (heel and forefoot of a high arch) and merged.
    min_frames, min_area_cm2
        Footprints whose contact area reaches ``min_area_cm2`` in fewer than
        ``min_frames`` frames are noise; lanes across the walking axis loaded in fewer
        than ``min_frames`` frames within a footprint's region, away from the foot, are
        noise too (the region is labelled again in 3-D).
    min_peak_frac
        Footprints whose peak force is below this fraction of the median footprint's
        peak force are noise.
    max_step_s
        Consecutive contacts further apart than this in time are not one step (step and
        stride values are left empty).
    insole_side
        Insole recordings only: 0 (left) or 1 (right) foot, so that foot ``y`` can be
        given medial positive; ``None`` takes the recording's ``Metadata.foot_side`` if it
        has one, else leaves the side unknown and ``y`` as the sensor's.
    chunk_frames
        Frames read and processed at a time; bounds the memory used.

    Examples
    --------
    >>> AnalysisConfig(threshold_frac=0.1).threshold_frac
    0.1
    """

    noise_kpa: float = 5.0
    noise_k: float = 4.0
    noise_k_edge: float = 2.0
    max_level_kpa: float = 20.0
    max_faulty_cells_pct: float = 1.0
    max_saturated_force_pct: float = 5.0
    extrapolate_saturated: bool = True
    threshold_frac: float = 0.05
    rearfoot_end_frac: float = 0.30
    midfoot_end_frac: float = 0.60
    join_along_mm: float = 34.0
    join_across_mm: float = 17.0
    merge_mm: float = 220.0
    min_frames: int = 3
    min_area_cm2: float = 4.0
    min_peak_frac: float = 0.2
    max_step_s: float = 2.5
    insole_side: int | None = None
    chunk_frames: int = 512

    def __post_init__(self) -> None:
        problems = []
        if not self.noise_kpa >= 0:
            problems.append(f"noise_kpa must be >= 0, got {self.noise_kpa}")
        if not 0 <= self.noise_k_edge <= self.noise_k:
            problems.append(f"noise_k and noise_k_edge must satisfy 0 <= noise_k_edge <= noise_k, got {self.noise_k}, {self.noise_k_edge}")
        if not 0 < self.threshold_frac < 1:
            problems.append(f"threshold_frac must be in (0, 1), got {self.threshold_frac}")
        if not 0 < self.rearfoot_end_frac < self.midfoot_end_frac < 1:
            problems.append(
                f"region bounds must satisfy 0 < rearfoot_end_frac < midfoot_end_frac < 1, got {self.rearfoot_end_frac} and {self.midfoot_end_frac}"
            )
        for name in ("max_level_kpa", "max_faulty_cells_pct", "max_saturated_force_pct", "join_along_mm", "join_across_mm", "merge_mm", "max_step_s"):
            if not getattr(self, name) > 0:
                problems.append(f"{name} must be > 0, got {getattr(self, name)}")
        if not (self.min_area_cm2 >= 0 and 0 <= self.min_peak_frac < 1):
            problems.append("min_area_cm2 must be >= 0 and min_peak_frac in [0, 1)")
        if self.min_frames < 1 or self.chunk_frames < 1:
            problems.append(f"min_frames and chunk_frames must be >= 1, got {self.min_frames}, {self.chunk_frames}")
        if self.insole_side not in (None, 0, 1):
            problems.append(f"insole_side must be None, 0 (left) or 1 (right), got {self.insole_side!r}")
        if problems:
            raise MetricsError("; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        """Plain values, for JSON."""
        return asdict(self)


#: The default settings: the defaults of the classes and functions that take one of them.
DEFAULTS = AnalysisConfig()
