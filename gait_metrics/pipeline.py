"""``analyze(recording) -> SessionResult``: the whole analysis of one recording.

One pass over the frames (in chunks) gives the per-frame values and the footprints; each
footprint then becomes a stance with its foot frame, events, phases, CoP progression and
kinetics; the stances are given sides and spatiotemporal values, and summarised.
"""

from __future__ import annotations

import numpy as np

from gait_metrics.config import AnalysisConfig
from gait_metrics.cop import FrameSeries, force_n, frame_stats, mat_coordinates
from gait_metrics.errors import MetricsError
from gait_metrics.events import first_crossing, stance_events
from gait_metrics.footframe import FootFrame, estimate_belt_speed, foot_frame
from gait_metrics.footsteps import Footprint, FootprintSegmenter
from gait_metrics.progression import butterfly
from gait_metrics.results import (
    CURVE_NAMES,
    FOOTPRINT_X_EDGES_MM,
    FOOTPRINT_Y_EDGES_MM,
    SUMMARY_METRICS,
    MeanFootprint,
    SessionResult,
    StepCurves,
    StepResult,
)
from gait_metrics.sides import assign_sides
from gait_metrics.spatiotemporal import add_spatiotemporal
from gait_metrics.summary import side_summary, symmetry_index, thirds_change
from mat_driver.model import Recording

__all__ = ["analyze"]

GRAVITY_M_S2 = 9.80665
_PCT = np.linspace(0.0, 1.0, 101)


def _frame_times(recording: Recording) -> np.ndarray:
    """Device time when the device gives a clean clock, else host time (s, from 0)."""
    device = np.asarray(recording.device_time_s, float)
    if device.size and np.all(np.isfinite(device)) and np.all(np.diff(device) > 0):
        return device - device[0]
    return np.asarray(recording.host_time_s, float) - (recording.host_time_s[0] if recording.n_frames else 0.0)


def _check(recording: Recording) -> None:
    shape = getattr(recording.frames, "shape", None)
    if shape is None or len(shape) != 3:
        raise MetricsError(f"frames must be (n, rows, cols), got shape {shape}")
    if recording.n_frames and len(recording.host_time_s) != recording.n_frames:
        raise MetricsError(f"{recording.n_frames} frames but {len(recording.host_time_s)} timestamps")


def analyze(recording: Recording, config: AnalysisConfig | None = None) -> SessionResult:
    """Analyse one recording.

    Parameters
    ----------
    recording
        Frames (lazily read when from a file), timestamps, geometry, calibration, metadata.
    config
        Thresholds and boundaries (default :class:`AnalysisConfig`).

    Returns
    -------
    SessionResult
        Per-step table and curves, per-frame values, per-side summary, symmetry, quality.

    Examples
    --------
    >>> from mat_driver.simulator import simulate
    >>> result = analyze(simulate("trained-runner", seed=1, duration_s=4.0).recording())
    >>> len(result.included()) > 5, result.force_unit
    (True, 'N')
    """
    _check(recording)
    config = config or AnalysisConfig()
    geometry = recording.geometry
    x_mm, y_mm = mat_coordinates(geometry)
    across = np.indices(geometry.shape)[0 if geometry.walk_axis == "cols" else 1]
    pitch_x = geometry.pitch_col_mm if geometry.walk_axis == "cols" else geometry.pitch_row_mm
    time_s = _frame_times(recording)
    setup = recording.metadata.setup

    segmenter = FootprintSegmenter(config)
    stats: dict[str, list[np.ndarray]] = {}
    saturated = []
    for start, raw in _raw_chunks(recording, config.chunk_frames):
        pressure = recording.calibration.apply(raw)
        for key, value in frame_stats(pressure, x_mm, y_mm, geometry, noise_kpa=config.noise_kpa).items():
            stats.setdefault(key, []).append(value)
        saturated.append((raw >= recording.metadata.adc_max).sum(axis=(1, 2)))
        segmenter.add(start, pressure)
        del pressure
    columns = ("force_n", "area_cm2", "peak_kpa", "cop_x_mm", "cop_y_mm")
    frames = FrameSeries(
        time_s=time_s,
        saturated_cells=np.concatenate(saturated) if saturated else np.zeros(0, int),
        **{k: np.concatenate(stats[k]) if k in stats else np.zeros(0) for k in columns},
    )
    prints = segmenter.finish(x_mm, y_mm)

    belt_set = recording.metadata.belt_speed_m_s if setup == "treadmill" else None
    belts = []
    if setup == "treadmill":
        belts = [estimate_belt_speed(fp, time_s, x_mm, across, pitch_mm=pitch_x, guess_m_s=belt_set or None) for fp in prints]
    belt_estimate = float(np.median(belts)) if belts else float("nan")

    stances = []
    for k, fp in enumerate(prints):
        belt = belts[k] if belts else 0.0
        if setup == "insole":
            frame = _insole_frame(geometry, time_s[fp.first])
        else:
            frame = foot_frame(fp, time_s, x_mm, y_mm, across, belt_m_s=belt, pitch_mm=pitch_x, threshold=config.noise_kpa)
        stances.append(_Stance(k, fp, frame, time_s, x_mm, y_mm, config, geometry))

    centre_y = float(y_mm.max() + y_mm.min()) / 2.0
    sides, confident = assign_sides(
        [s.heel_xy_at_ic for s in stances], [s.frame.axis for s in stances], [s.events.ic_s for s in stances], centre_y_mm=centre_y
    )
    body_weight = (recording.metadata.body_mass_kg or np.nan) * GRAVITY_M_S2
    gap_frames = recording.gaps.frame_index
    steps = []
    for stance, side, sure in zip(stances, sides, confident):
        reason = _exclusion(stance, geometry, recording.n_frames, gap_frames, setup)
        if setup == "insole":  # one foot on the sensor: its side is what the recording says
            side = {"left": 0, "right": 1}.get(recording.metadata.foot_side, -1)
            sure = side >= 0
        steps.append(stance.result(side, sure, reason, body_weight))
    steps = _exclude_partial_footprints(steps, setup)
    steps = add_spatiotemporal(steps, setup=setup)
    curves = StepCurves(**{name: np.array([s.curves[name] for s in stances]).reshape(len(stances), 101) for name in CURVE_NAMES})

    included = [s for s in steps if not s.excluded]
    summary = side_summary(included, SUMMARY_METRICS)
    symmetry = {m: symmetry_index(summary["left"][m]["mean"], summary["right"][m]["mean"]) for m in SUMMARY_METRICS}
    duration = float(time_s[-1]) if time_s.size else 0.0
    change = thirds_change(included, SUMMARY_METRICS, 0.0, duration)
    wings = butterfly(frames, steps) if setup == "treadmill" else None
    calibrated = recording.calibration.calibrated
    info = {
        "recording": recording.path or "",
        "subject_id": recording.metadata.subject_id,
        "condition": recording.metadata.condition,
        "setup": setup,
        "start_utc": recording.metadata.start_utc,
        "device": recording.metadata.device_model,
        "duration_s": recording.duration_s,
        "rate_hz": recording.rate_hz,
        "mat_length_mm": float(x_mm.max() + x_mm.min()),
        "mat_width_mm": float(y_mm.max() + y_mm.min()),
        "frames": recording.n_frames,
        "body_mass_kg": recording.metadata.body_mass_kg,
        "belt_speed_set_m_s": belt_set,
        "belt_speed_estimated_m_s": belt_estimate if belts else None,
        "force_unit": "N" if calibrated else "raw",
        "pressure_unit": "kPa" if calibrated else "raw",
        "config": vars(config),
    }
    quality = _quality(recording, frames, steps)
    footprints = {}
    for side in (0, 1):
        images = [stance.peak_footprint(side) for stance, step in zip(stances, steps) if step.side == side and not step.excluded]
        if images:
            footprints[side] = MeanFootprint(FOOTPRINT_X_EDGES_MM, FOOTPRINT_Y_EDGES_MM, np.mean(images, axis=0), len(images))
    notices = _notices(steps, calibrated, setup)
    return SessionResult(info, tuple(steps), curves, frames, summary, symmetry, change, wings, quality, notices, footprints)


def _exclude_partial_footprints(steps: list[StepResult], setup: str) -> list[StepResult]:
    """A footprint much shorter than this subject's usual one lost a part off the mat
    (e.g. a forefoot beyond the mat's end that never touched the edge cells)."""
    lengths = [s.foot_length_mm for s in steps if not s.excluded]
    if setup == "insole" or len(lengths) < 3:
        return steps
    usual = float(np.median(lengths))
    return [
        s.replace(excluded=True, exclude_reason="incomplete footprint") if not s.excluded and s.foot_length_mm < 0.8 * usual else s
        for s in steps
    ]


def _raw_chunks(recording: Recording, size: int):
    for start in range(0, recording.n_frames, size):
        yield start, recording.raw(slice(start, start + size))


def _insole_frame(geometry, t_ref: float) -> FootFrame:
    """Insole: the sensor is the foot; x from the heel end along the walking axis."""
    length = (geometry.cols * geometry.pitch_col_mm) if geometry.walk_axis == "cols" else geometry.rows * geometry.pitch_row_mm
    width = (geometry.rows * geometry.pitch_row_mm) if geometry.walk_axis == "cols" else geometry.cols * geometry.pitch_col_mm
    return FootFrame(np.array([0.0, width / 2.0]), np.array([1.0, 0.0]), float(length), float(width), 0.0, t_ref)


def _exclusion(stance: "_Stance", geometry, n_frames: int, gap_frames: np.ndarray, setup: str) -> str:
    """Why a stance must stay out of averages ("" if it counts).

    A stance touching the first or last frame is cut only if its force there is already
    over the event threshold (a platform export that starts at first contact is whole).
    """
    fp, events = stance.fp, stance.events
    level = stance.config.threshold_frac * float(stance.total.max())
    if fp.first == 0 and stance.total[1] >= level:
        return "cut by recording start"
    if fp.last == n_frames - 1 and stance.total[-2] >= level:
        return "cut by recording end"
    touches = fp.row.min() == 0 or fp.col.min() == 0 or fp.row.max() == geometry.rows - 1 or fp.col.max() == geometry.cols - 1
    if touches and setup != "insole":
        return "cut by mat edge"
    if np.any((gap_frames > fp.first) & (gap_frames <= fp.last)):
        return "dropped frames in stance"
    if not (np.isfinite(events.ic_s) and np.isfinite(events.to_s)):
        return "no clear contact"
    return ""


class _Stance:
    """Per-frame series of one footprint in its foot frame, its events and curves."""

    def __init__(self, index: int, fp: Footprint, frame: FootFrame, time_s: np.ndarray, x_mm, y_mm, config: AnalysisConfig, geometry) -> None:
        self.index, self.fp, self.frame, self.config = index, fp, frame, config
        n = fp.last - fp.first + 1
        dt = float(np.median(np.diff(time_s))) if time_s.size > 1 else 0.01
        t = time_s[fp.first : fp.last + 1]
        self.t = np.concatenate([[t[0] - dt], t, [t[-1] + dt]])  # unloaded frame at each end
        along, left = frame.to_foot(x_mm[fp.row, fp.col], y_mm[fp.row, fp.col], time_s[fp.frame], side=1)
        self.voxel_along, self.voxel_left = along, left
        frac = along / frame.length_mm
        region = np.digitize(frac, [config.rearfoot_end_frac, config.midfoot_end_frac])
        p = fp.pressure.astype(np.float64)
        local = fp.frame - fp.first + 1

        def per_frame(weights: np.ndarray) -> np.ndarray:
            return np.bincount(local, weights=weights, minlength=n + 2)

        self.total = force_n(per_frame(p), geometry)
        self.regions = [force_n(per_frame(np.where(region == r, p, 0.0)), geometry) for r in range(3)]
        with np.errstate(invalid="ignore", divide="ignore"):
            self.cop_along = per_frame(p * along) / per_frame(p)
            self.cop_left = per_frame(p * left) / per_frame(p)
        self.peak_pressure = [float(p[region == r].max()) if np.any(region == r) else float("nan") for r in range(3)]
        self.events = stance_events(self.t, self.total, self.regions[0], self.regions[2], threshold_frac=config.threshold_frac)
        ic = self.events.ic_s if np.isfinite(self.events.ic_s) else frame.t_ref_s
        # the heel origin where the foot landed: the belt has carried it back since t_ref
        self.heel_xy_at_ic = frame.origin_mm - np.array([frame.belt_m_s * 1000.0 * (ic - frame.t_ref_s), 0.0])
        self.curves: dict[str, np.ndarray] = {}

    def peak_footprint(self, side: int) -> np.ndarray:
        """Peak pressure of this stance on the foot-frame grid of the mean footprints."""
        medial = self.voxel_left * (-1.0 if side == 0 else 1.0)
        xi = np.digitize(self.voxel_along, FOOTPRINT_X_EDGES_MM) - 1
        yi = np.digitize(medial, FOOTPRINT_Y_EDGES_MM) - 1
        shape = (len(FOOTPRINT_Y_EDGES_MM) - 1, len(FOOTPRINT_X_EDGES_MM) - 1)
        inside = (xi >= 0) & (xi < shape[1]) & (yi >= 0) & (yi < shape[0])
        image = np.zeros(shape)
        np.maximum.at(image, (yi[inside], xi[inside]), self.fp.pressure[inside])
        return image

    def result(self, side: int, confident: bool, reason: str, body_weight_n: float) -> StepResult:
        e = self.events
        stance_s = e.to_s - e.ic_s
        loaded = np.isfinite(self.cop_along)
        t, along = self.t[loaded], self.cop_along[loaded]
        medial = self.cop_left[loaded] * (-1.0 if side == 0 else 1.0)
        at = e.ic_s + _PCT * stance_s
        velocity = np.gradient(along, t) / 1000.0 if along.size > 1 else np.zeros_like(along)
        self.curves = {
            "cop_x_mm": np.interp(at, t, along),
            "cop_y_mm": np.interp(at, t, medial),
            "cop_velocity_m_s": np.interp(at, t, velocity),
            "force_n": np.interp(at, self.t, self.total),
            "force_rearfoot_n": np.interp(at, self.t, self.regions[0]),
            "force_midfoot_n": np.interp(at, self.t, self.regions[1]),
            "force_forefoot_n": np.interp(at, self.t, self.regions[2]),
        }
        in_stance = (t >= e.ic_s) & (t <= e.to_s)
        path = np.column_stack([along[in_stance], medial[in_stance]])
        dt = float(np.median(np.diff(self.t)))
        regions_of_cop = np.digitize(along[in_stance] / self.frame.length_mm, [self.config.rearfoot_end_frac, self.config.midfoot_end_frac])
        strike = float(np.interp(e.ic_s, t, along) / self.frame.length_mm * 100.0)
        peak = float(self.total.max())
        pct = lambda a, b: 100.0 * (b - a) / stance_s  # noqa: E731
        ms = lambda a, b: 1000.0 * (b - a)  # noqa: E731
        transition = ms(e.ff_s, e.ho_s) if e.heel_loaded else 0.0
        axis = self.frame.axis
        angle = float(np.degrees(np.arctan2(axis[1], abs(axis[0]))))
        return StepResult(
            index=self.index,
            side=side,
            side_confident=confident,
            first_frame=self.fp.first,
            last_frame=self.fp.last,
            excluded=bool(reason),
            exclude_reason=reason,
            ic_s=e.ic_s,
            forefoot_contact_s=e.forefoot_contact_s,
            ff_s=e.ff_s,
            ho_s=e.ho_s,
            to_s=e.to_s,
            heel_forefoot_change_s=e.heel_forefoot_change_s,
            heel_loaded=e.heel_loaded,
            stance_ms=1000.0 * stance_s,
            transition_ms=transition,
            transition_pct=100.0 * transition / 1000.0 / stance_s,
            heel_forefoot_change_ms=ms(e.ic_s, e.heel_forefoot_change_s),
            heel_forefoot_change_pct=pct(e.ic_s, e.heel_forefoot_change_s),
            initial_contact_ms=ms(e.ic_s, e.forefoot_contact_s),
            forefoot_contact_ms=ms(e.forefoot_contact_s, e.ff_s),
            foot_flat_ms=ms(e.ff_s, e.ho_s),
            push_off_ms=ms(e.ho_s, e.to_s) if e.heel_loaded else ms(e.forefoot_contact_s, e.to_s),
            initial_contact_pct=pct(e.ic_s, e.forefoot_contact_s),
            forefoot_contact_pct=pct(e.forefoot_contact_s, e.ff_s),
            foot_flat_pct=pct(e.ff_s, e.ho_s),
            push_off_pct=pct(e.ho_s, e.to_s) if e.heel_loaded else pct(e.forefoot_contact_s, e.to_s),
            strike_index_pct=strike,
            strike_pattern="rearfoot" if strike < 100 / 3 else ("midfoot" if strike <= 200 / 3 else "forefoot"),
            foot_length_mm=self.frame.length_mm,
            foot_width_mm=self.frame.width_mm,
            progression_angle_deg=angle if side == 0 else -angle,
            origin_x_mm=float(self.heel_xy_at_ic[0]),
            origin_y_mm=float(self.heel_xy_at_ic[1]),
            belt_speed_m_s=self.frame.belt_m_s,
            peak_force_n=peak,
            peak_force_bw=peak / body_weight_n,
            loading_rate_n_s=_loading_rate(self.t, self.total),
            impulse_n_s=float(np.trapezoid(self.total, self.t)),
            peak_pressure_rearfoot_kpa=self.peak_pressure[0],
            peak_pressure_midfoot_kpa=self.peak_pressure[1],
            peak_pressure_forefoot_kpa=self.peak_pressure[2],
            gait_line_length_mm=float(np.sum(np.hypot(*np.diff(path, axis=0).T))) if len(path) > 1 else 0.0,
            ml_excursion_mm=float(np.ptp(path[:, 1])) if len(path) else float("nan"),
            time_rearfoot_ms=float(np.sum(regions_of_cop == 0) * dt * 1000.0),
            time_midfoot_ms=float(np.sum(regions_of_cop == 1) * dt * 1000.0),
            time_forefoot_ms=float(np.sum(regions_of_cop == 2) * dt * 1000.0),
        )


def _loading_rate(t: np.ndarray, force: np.ndarray) -> float:
    """Mean loading rate (N/s): slope from 20 % to 80 % of the first force peak.

    The first peak is the impact peak when there is one, else the overall peak.
    """
    rising = np.flatnonzero((force[1:-1] >= force[:-2]) & (force[1:-1] > force[2:]) & (force[1:-1] > 0.3 * force.max())) + 1
    peak_index = int(rising[0]) if rising.size else int(np.argmax(force))
    head_t, head_f = t[: peak_index + 1], force[: peak_index + 1]
    level = force[peak_index]
    t20, t80 = first_crossing(head_t, head_f, 0.2 * level), first_crossing(head_t, head_f, 0.8 * level)
    return float(0.6 * level / (t80 - t20)) if t80 > t20 else float("nan")


def _quality(recording: Recording, frames: FrameSeries, steps: list[StepResult]) -> dict:
    reasons: dict[str, int] = {}
    for s in steps:
        if s.excluded:
            reasons[s.exclude_reason] = reasons.get(s.exclude_reason, 0) + 1
    return {
        "frames_dropped": recording.gaps.total_missing,
        "gaps": len(recording.gaps),
        "frames_rejected": recording.stats.get("frames_rejected", 0.0),
        "frames_with_saturation": int(np.count_nonzero(frames.saturated_cells)),
        "saturated_cell_frames": int(frames.saturated_cells.sum()),
        "steps_detected": len(steps),
        "steps_included": sum(not s.excluded for s in steps),
        "steps_excluded": reasons,
        "low_confidence_sides": sum(not s.side_confident for s in steps),
        "incomplete_file": bool(recording.stats.get("incomplete", 0.0)),
    }


def _notices(steps: list[StepResult], calibrated: bool, setup: str) -> tuple[str, ...]:
    notices = []
    if not calibrated:
        notices.append("uncalibrated recording: forces and pressures are in raw units")
    included = [s for s in steps if not s.excluded]
    if not steps:
        notices.append("no steps detected")
    elif not included:
        notices.append("no complete steps: every step was cut by the mat edge, the recording or dropped frames")
    if setup != "insole" and included:
        per_side = [sum(s.side == side for s in included) for side in (0, 1)]
        if min(per_side) == 0:
            notices.append("only one foot was seen: no left/right comparison")
        elif min(per_side) < 3:
            notices.append("fewer than 3 steps on a side: too few for statistics")
    return tuple(notices)
