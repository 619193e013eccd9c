"""The analysis of one recording once its footprints are known, and its session-level results.

:class:`Session` holds what every stage of :func:`gait_metrics.analyze.analyze` shares (the
recording, its footprints, their voxels and layout, the whole mat's per-frame values). The
functions below build the session's result from the per-step table: each foot's per-frame
values, the mean footprints, the recording's info, the per-side summaries, the quality
record and the notices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gait_metrics.config import AnalysisConfig
from gait_metrics.cop import FrameSeries, LoadedCells, frame_series, mat_coordinates
from gait_metrics.footframe import VoxelCoordinates
from gait_metrics.footsteps import Footprints
from gait_metrics.noise import NoiseModel
from gait_metrics.progression import Butterfly
from gait_metrics.results import FOOTPRINT_X_EDGES_MM, FOOTPRINT_Y_EDGES_MM, SUMMARY_METRICS, MeanFootprint, SessionResult, StepCurves, StepTable
from gait_metrics.stances import stance_layout
from gait_metrics.summary import side_summary, symmetry_index, thirds_change, transition_summary
from mat_driver.model import Recording

FOOTPRINT_MAX_STEPS = 100  # steps per side in a mean footprint (spread over the session)


@dataclass(frozen=True, eq=False)
class PerFrame:
    """Sums over every step's voxels per frame (one value per layout element)."""

    pressure: np.ndarray
    cells: np.ndarray
    peak: np.ndarray
    saturated: np.ndarray
    along: np.ndarray
    left: np.ndarray
    mat_x: np.ndarray
    mat_y: np.ndarray
    region: np.ndarray  # (3, N) pressure sums
    region_peak: np.ndarray  # (3, N)


class Session:
    """The analysis of one recording once its footprints are known: what every stage shares."""

    def __init__(
        self, recording: Recording, config: AnalysisConfig, time_s: np.ndarray, cells: LoadedCells, footprints: Footprints, noise_blobs: int, noise: NoiseModel
    ) -> None:
        self.recording, self.config, self.time_s, self.noise, self.cells = recording, config, time_s, noise, cells
        self.fp, self.noise_blobs = footprints, noise_blobs
        self.geometry = recording.geometry
        self.setup = recording.metadata.setup
        self.n = len(footprints)
        self.layout = stance_layout(footprints, time_s)
        x_mm, y_mm = (c.ravel() for c in mat_coordinates(self.geometry))
        self.voxels = VoxelCoordinates(
            x_mm=np.take(x_mm.astype(np.float32), footprints.cell),
            y_mm=np.take(y_mm.astype(np.float32), footprints.cell),
            pressure=footprints.pressure.astype(np.float32, copy=False),
            step=footprints.step,
            bounds=footprints.bounds,
        )
        self.force_scale = self.geometry.cell_area_mm2 / 1000.0  # kPa x mm^2 -> N
        self.whole = frame_series(cells, time_s)


def insole_side(session: Session) -> int | None:
    """The insole's foot: the configuration's, else the recording's metadata, else None."""
    if session.config.insole_side is not None:
        return session.config.insole_side
    return {"left": 0, "right": 1}.get(getattr(session.recording.metadata, "foot_side", ""))


def foot_series(session: Session, sums: PerFrame, side_of_step: np.ndarray, side: int) -> FrameSeries:
    """Per-frame values of one foot, from the per-step sums."""
    n_frames = session.recording.n_frames
    layout = session.layout
    chosen = (side_of_step[layout.step] == side) & (layout.frame >= 0) & (layout.frame < n_frames)
    frame = layout.frame[chosen]

    def add(values: np.ndarray) -> np.ndarray:
        return np.bincount(frame, weights=values[chosen], minlength=n_frames)

    peak = np.zeros(n_frames)
    np.maximum.at(peak, frame, sums.peak[chosen])
    return FrameSeries.from_sums(
        session.time_s, session.geometry, add(sums.pressure), add(sums.cells), peak, add(sums.mat_x), add(sums.mat_y), add(sums.saturated)
    )


def mean_footprints(session: Session, included: np.ndarray, side: np.ndarray, along: np.ndarray, medial: np.ndarray) -> dict[int, MeanFootprint]:
    """Per side, the mean peak-pressure footprint in foot coordinates (see MeanFootprint)
    over at most ``FOOTPRINT_MAX_STEPS`` included steps spread over the session."""
    if session.setup == "insole":
        return {}
    v = session.voxels
    x_edges, y_edges = FOOTPRINT_X_EDGES_MM, FOOTPRINT_Y_EDGES_MM
    nx, ny = x_edges.size - 1, y_edges.size - 1
    out = {}
    for code in (0, 1):
        steps = np.flatnonzero(included & (side == code))
        if steps.size == 0:
            continue
        steps = steps[np.unique(np.linspace(0, steps.size - 1, min(steps.size, FOOTPRINT_MAX_STEPS)).astype(int))]
        lengths = np.diff(v.bounds)[steps]
        rank = np.repeat(np.arange(steps.size), lengths)
        members = np.arange(lengths.sum()) + np.repeat(v.bounds[steps] - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
        ix = ((along[members] - x_edges[0]) // (x_edges[1] - x_edges[0])).astype(np.int64)
        iy = ((medial[members] - y_edges[0]) // (y_edges[1] - y_edges[0])).astype(np.int64)
        inside = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
        peak = np.zeros(steps.size * ny * nx, np.float32)
        np.maximum.at(peak, (rank[inside] * ny + iy[inside]) * nx + ix[inside], v.pressure[members][inside])
        peak = peak.reshape(steps.size, ny, nx)
        reached = np.count_nonzero(peak > 0, axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(reached > 0, peak.sum(axis=0, dtype=np.float64) / reached, 0.0)
        out[code] = MeanFootprint(x_edges, y_edges, mean, int(steps.size))
    return out


def session_result(
    session: Session,
    steps: StepTable,
    curves: StepCurves,
    side_of_step: np.ndarray,
    sums: PerFrame,
    wings: Butterfly | None,
    footprints: dict[int, MeanFootprint],
    belt_estimate: float | None,
) -> SessionResult:
    """The session's result from its per-step table and curves (see :class:`SessionResult`)."""
    summary, symmetry, change = summaries(session, steps)
    info = session_info(session, belt_estimate)
    quality = session_quality(session, steps)
    return SessionResult(
        info=info,
        steps=steps,
        curves=curves,
        frames=session.whole,
        frames_left=foot_series(session, sums, side_of_step, 0),
        frames_right=foot_series(session, sums, side_of_step, 1),
        summary=summary,
        symmetry=symmetry,
        change=change,
        butterfly=wings,
        footprints=footprints,
        quality=quality,
        notices=session_notices(session, steps, info["calibrated"], quality),
    )


def summaries(session: Session, steps: StepTable) -> tuple[dict, dict, dict]:
    """Per-side summary (with the transition's), symmetry index and change over the thirds."""
    included = steps.included
    metrics = {name: getattr(steps, name).astype(float) for name in SUMMARY_METRICS}
    summary = side_summary(metrics, steps.side, included)
    for group, extra in transition_summary(steps.transition_ms, steps.well_conditioned, steps.side, included).items():
        summary[group]["transition_ms"].update(extra)
    symmetry = {m: symmetry_index(summary["left"][m]["mean"], summary["right"][m]["mean"]) for m in SUMMARY_METRICS}
    duration = float(session.time_s[-1]) if session.time_s.size else 0.0
    change = thirds_change(metrics, steps.side, included, steps.ic_s, start_s=0.0, end_s=duration)
    return summary, symmetry, change


def session_info(session: Session, belt_estimate: float | None) -> dict:
    """The recording's description: subject, setup, device, mat, units and configuration."""
    recording, config = session.recording, session.config
    calibrated = recording.calibration.calibrated
    geometry = session.geometry
    return {
        "recording": recording.path or "",
        "subject_id": recording.metadata.subject_id,
        "condition": recording.metadata.condition,
        "setup": session.setup,
        "start_utc": recording.metadata.start_utc,
        "device": recording.metadata.device_model,
        "duration_s": recording.duration_s,
        "rate_hz": recording.rate_hz,
        "frames": recording.n_frames,
        "rows": geometry.rows,
        "cols": geometry.cols,
        "mat_length_mm": geometry.cells_along * geometry.pitch_along_mm,
        "mat_width_mm": geometry.cells_across * geometry.pitch_across_mm,
        "pitch_along_mm": geometry.pitch_along_mm,
        "pitch_across_mm": geometry.pitch_across_mm,
        "body_mass_kg": recording.metadata.body_mass_kg,
        "belt_speed_set_m_s": recording.metadata.belt_speed_m_s if session.setup == "treadmill" else None,
        "belt_speed_estimated_m_s": belt_estimate,
        "calibrated": calibrated,
        "force_unit": "N" if calibrated else "raw",
        "pressure_unit": "kPa" if calibrated else "raw",
        "config": config.to_dict(),
    }


def session_quality(session: Session, steps: StepTable) -> dict:
    """Dropped and rejected frames, saturation, detected and excluded steps, the sensor's quality."""
    reasons: dict[str, int] = {}
    for reason in steps.exclude_reason[steps.excluded]:
        reasons[str(reason)] = reasons.get(str(reason), 0) + 1
    saturated = session.whole.saturated_cells
    gaps = session.recording.gaps
    return {
        "frames_dropped": int(gaps.total_missing),
        "gaps": len(gaps),
        "frames_rejected": int(session.recording.stats.get("frames_rejected", 0)),
        "frames_with_saturation": int(np.count_nonzero(saturated)),
        "max_saturated_cells": int(saturated.max(initial=0)),
        "steps_detected": len(steps),
        "steps_included": int(steps.included.sum()),
        "steps_excluded": reasons,
        "steps_cut_by_mat_edge": reasons.get("cut by mat edge", 0),
        "low_confidence_sides": int(np.count_nonzero(~steps.side_confident & steps.included)),
        "noise_blobs_dropped": session.noise_blobs,
        "incomplete_file": bool(session.recording.stats.get("incomplete", 0)),
        **sensor_quality(session, steps),
    }


def sensor_quality(session: Session, steps: StepTable) -> dict:
    """The mat's noise, its dead, stuck and saturated cells, and the verdict on them."""
    noise, config, cells = session.noise, session.config, session.cells
    calibration = session.recording.calibration
    live = ~noise.blocked
    sd_kpa = noise.counts_to_kpa(noise.sd_counts[live], calibration)
    level_kpa = np.maximum(noise.counts_to_kpa(noise.level_counts[live], calibration), config.noise_kpa)
    faulty_pct = 100.0 * np.count_nonzero(noise.blocked) / noise.blocked.size
    saturated = np.unique(cells.cell[cells.saturated])
    total_kpa = float(cells.pressure.sum(dtype=np.float64))
    median_level = float(np.median(level_kpa)) if level_kpa.size else float(config.noise_kpa)
    reasons = []
    if calibration.calibrated and median_level > config.max_level_kpa:  # raw units cannot be judged
        reasons.append(
            f"cells are loaded only above {median_level:.0f} kPa ({noise.k:g} x the median noise SD of "
            f"{np.median(sd_kpa):.1f} kPa), over the {config.max_level_kpa:g} kPa at which a foot's edges and "
            "light loads are still seen"
        )
    if faulty_pct > config.max_faulty_cells_pct:
        reasons.append(f"{np.count_nonzero(noise.blocked)} cells ({faulty_pct:.2f} %) are dead or stuck, over {config.max_faulty_cells_pct:g} %")
    flagged = steps.saturated_force_pct > config.max_saturated_force_pct
    return {
        "noise_sd_kpa": {"median": float(np.median(sd_kpa)) if sd_kpa.size else 0.0, "p90": float(np.percentile(sd_kpa, 90)) if sd_kpa.size else 0.0},
        "loaded_level_kpa": median_level,
        "dead_cells": _cell_list(noise.dead),
        "stuck_cells": _cell_list(noise.stuck),
        "saturated_cells": _cell_list(np.isin(np.arange(noise.dead.size), saturated).reshape(noise.dead.shape)),
        "dead_cells_filled": int(cells.filled_cells.size),
        "filled_force_pct": 100.0 * cells.filled_kpa / total_kpa if total_kpa > 0 else 0.0,
        "steps_saturated": int(np.count_nonzero(flagged & steps.included)),
        "saturation_added_force_pct": 100.0 * cells.extrapolated_kpa / (total_kpa - cells.extrapolated_kpa) if cells.extrapolated_kpa > 0 else 0.0,
        "too_noisy": bool(reasons),
        "too_noisy_reason": "; ".join(reasons),
        "crosstalk_frac": float(calibration.crosstalk_frac),
        "crosstalk_removed_force_pct": 100.0 * cells.crosstalk_kpa / (total_kpa + cells.crosstalk_kpa) if cells.crosstalk_kpa else 0.0,
    }


def session_notices(session: Session, steps: StepTable, calibrated: bool, quality: dict) -> tuple[str, ...]:
    """Plain-language notes on what limits the session's results."""
    notices = []
    if not calibrated:
        notices.append("uncalibrated recording: forces and pressures are in raw units")
    included = steps.included
    if session.recording.n_frames == 0:
        notices.append("empty recording: no frames")
    if quality["too_noisy"]:
        notices.append(f"mat too noisy for gait analysis: {quality['too_noisy_reason']}")
    if len(steps) == 0:
        notices.append("no steps detected")
    elif not included.any():
        notices.append("no complete steps: every step was cut by the mat edge or the recording, held dropped frames, or was a standing contact")
    if session.setup != "insole" and included.any():
        per_side = [int(np.count_nonzero(included & (steps.side == s))) for s in (0, 1)]
        if min(per_side) == 0:
            notices.append("only one foot was seen: no left/right comparison")
        elif min(per_side) < 3:
            notices.append("fewer than 3 steps on a side: too few for statistics")
    if session.setup == "insole" and insole_side(session) is None:
        notices.append("insole side unknown (recording metadata foot_side or AnalysisConfig.insole_side): foot y is the sensor's, not medial positive")
    if quality["steps_saturated"]:
        share = steps.saturated_force_pct[steps.included]
        consequence = (
            f"their pressure there is extrapolated from the cells around (+{quality['saturation_added_force_pct']:.1f} % of the session's force), an estimate"
            if session.config.extrapolate_saturated
            else "their forces, pressures and event levels read low"
        )
        notices.append(
            f"{quality['steps_saturated']} of {share.size} steps carry over {session.config.max_saturated_force_pct:g} % of their force "
            f"in saturated cells (median {np.median(share):.0f} %): {consequence}"
        )
    if session.recording.gaps.total_missing:
        notices.append(f"{session.recording.gaps.total_missing} frames were dropped; steps holding a gap are excluded")
    zero = session.noise.zero
    if zero is not None:
        notices.append(
            f"no tare recorded: a per-cell zero was estimated from the recording (offsets up to {zero.max():.0f} counts "
            f"on {np.count_nonzero(zero)} cells); record with --tare to measure it"
        )
    return tuple(notices)


def _cell_list(mask: np.ndarray) -> list[list[int]]:
    """``[row, col]`` of every cell set in ``mask`` (``(rows, cols)``)."""
    return np.argwhere(mask).tolist()
