"""``analyze(recording) -> SessionResult``: the whole analysis of one recording.

One pass over the frames, chunk by chunk, keeps the loaded cells. They are segmented into
footprints; each footprint gets its foot frame (belt motion removed on a treadmill), its
per-frame forces and CoP in foot coordinates, its events, phases, curves and kinetics;
steps get sides and between-step values; then the session is summarised. Every stage
works on all steps at once (see :mod:`gait_metrics._segments`), so the cost grows with
the number of loaded cells, not with Python calls per step.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from gait_metrics._validation import check_recording
from gait_metrics.config import AnalysisConfig
from gait_metrics.cop import FrameSeries, LoadedCells, frame_series, mat_coordinates, read_loaded_cells
from gait_metrics.events import EventDetector, StanceEvents
from gait_metrics.footframe import BeltMotion, FootFrames, VoxelCoordinates, estimate_belt_motion, foot_frames, insole_frames
from gait_metrics.footsteps import Footprints, FootstepSegmenter, assign_sides, progression_directions, walking_passes
from gait_metrics.kinetics import GRAVITY_M_S2, REGIONS, kinetics
from gait_metrics.noise import NoiseModel, estimate_noise
from gait_metrics.phases import roll_over_phases, strike_pattern
from gait_metrics.progression import CURVE_NAMES, butterfly, path_metrics, stance_curves
from gait_metrics.regions import RegionGeometry, VoxelRegions
from gait_metrics.results import FOOTPRINT_X_EDGES_MM, FOOTPRINT_Y_EDGES_MM, SIDES, SUMMARY_METRICS, MeanFootprint, SessionResult, StepCurves, StepTable
from gait_metrics.robustness import WELL_CONDITIONED_MS, transition_spread_ms
from gait_metrics.spatiotemporal import spatiotemporal
from gait_metrics.stances import stance_layout
from gait_metrics.summary import side_summary, symmetry_index, thirds_change, transition_summary
from mat_driver.model import Recording

__all__ = ["analyze", "frame_times"]

FOOTPRINT_MAX_STEPS = 100  # steps per side in a mean footprint (spread over the session)


def frame_times(recording: Recording) -> np.ndarray:
    """Device time when the device gives a clean clock, else host time (s, from 0)."""
    device = np.asarray(recording.device_time_s, float)
    if device.size > 1 and np.all(np.isfinite(device)) and np.all(np.diff(device) > 0):
        return device - device[0]
    host = np.asarray(recording.host_time_s, float)
    return host - host[0] if host.size else host


def analyze(recording: Recording, config: AnalysisConfig | None = None, *, noise: NoiseModel | None = None) -> SessionResult:
    """Analyse one recording.

    Parameters
    ----------
    recording
        Frames (read chunk by chunk, so a file-backed recording is never loaded whole),
        timestamps, geometry, calibration and metadata (``setup``: treadmill, walkway or
        insole; belt speed; body mass).
    config
        Thresholds and boundaries (default :class:`AnalysisConfig`).
    noise
        The mat's noise model (:func:`gait_metrics.noise.estimate_noise`; its ``zero``
        replaces a missing tare); default: estimated from the recording.

    Returns
    -------
    SessionResult
        Per-step table and curves, per-frame values, per-side summary, symmetry, quality.

    Raises
    ------
    MetricsError
        When the input is not a recording of consistent shape and timestamps.

    Examples
    --------
    >>> from mat_sim.simulator import simulate
    >>> result = analyze(simulate("trained-runner", seed=1, duration_s=4.0).recording())
    >>> len(result.included()) > 5, result.force_unit
    (True, 'N')
    """
    check_recording(recording)
    config = config or AnalysisConfig()
    if noise is None:
        noise = estimate_noise(recording, noise_kpa=config.noise_kpa, k=config.noise_k, k_edge=config.noise_k_edge)
    if noise.zero is not None:  # no tare recorded: subtract the offsets the recording itself shows
        recording = dataclasses.replace(recording, calibration=recording.calibration.with_tare(noise.zero))
    time_s = frame_times(recording)
    cells = read_loaded_cells(recording, noise_kpa=config.noise_kpa, chunk_frames=config.chunk_frames, noise=noise)
    segmenter = FootstepSegmenter(
        join_along_mm=config.join_along_mm,
        join_across_mm=config.join_across_mm,
        merge_mm=config.merge_mm,
        min_frames=config.min_frames,
        min_area_cm2=config.min_area_cm2,
        min_peak_frac=config.min_peak_frac,
    ).segment(cells)
    return _Session(recording, config, time_s, cells, segmenter.footprints_, segmenter.n_noise_blobs_, noise).result()


@dataclass(frozen=True, eq=False)
class _PerFrame:
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


class _Session:
    """The analysis of one recording once its footprints are known."""

    def __init__(
        self, recording: Recording, config: AnalysisConfig, time_s: np.ndarray, cells: LoadedCells, footprints: Footprints, noise_blobs: int, noise: NoiseModel
    ) -> None:
        self.recording, self.config, self.time_s, self.noise, self.cells = recording, config, time_s, noise, cells
        self.fp, self.noise_blobs = footprints, noise_blobs
        self.geometry = recording.geometry
        self.setup = recording.metadata.setup
        cols_walk = self.geometry.walk_axis == "cols"
        self.pitch_along_mm = self.geometry.pitch_col_mm if cols_walk else self.geometry.pitch_row_mm
        self.pitch_across_mm = self.geometry.pitch_row_mm if cols_walk else self.geometry.pitch_col_mm
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

    # -- per step, on all steps at once ------------------------------------------------------
    def _belt(self) -> BeltMotion:
        if self.setup != "treadmill" or self.n == 0:
            return BeltMotion.still(self.layout)
        return estimate_belt_motion(self.voxels, self.layout, self.whole.force_n, pitch_mm=self.pitch_along_mm, guess_m_s=self.recording.metadata.belt_speed_m_s)

    def _foot_frames(self, belt: BeltMotion) -> tuple[FootFrames, np.ndarray, np.ndarray]:
        """Foot frames, and every voxel along the axis from the heel centre and to its left."""
        v = self.voxels
        if self.setup == "insole":
            frames = insole_frames(self.n, self.geometry)
            return (frames, *v.project(v.x_mm, v.y_mm, frames.heel_mm, frames.axis))
        pitch = min(self.geometry.pitch_row_mm, self.geometry.pitch_col_mm)
        return foot_frames(v, self.layout, belt=belt, walks_forward=self.setup == "treadmill", pitch_mm=pitch)

    def _per_frame(self, along: np.ndarray, left: np.ndarray, regions: VoxelRegions) -> _PerFrame:
        layout, v = self.layout, self.voxels
        p = v.pressure
        label = regions.labels()
        pressure = layout.per_frame(p)
        rear, fore = regions.rear_and_fore()
        saturated = self.fp.saturated
        return _PerFrame(
            pressure=pressure,
            cells=layout.count().astype(np.float64),
            peak=layout.per_frame_max(p),
            saturated=layout.per_frame(saturated.astype(np.float32)) if saturated.any() else np.zeros(len(layout)),
            along=layout.per_frame(p * along),
            left=layout.per_frame(p * left),
            mat_x=layout.per_frame(p * v.x_mm),
            mat_y=layout.per_frame(p * v.y_mm),
            region=np.array([rear, np.maximum(pressure - rear - fore, 0.0), fore]),
            region_peak=np.array([layout.per_frame_max(p * (label == k)) for k in range(len(REGIONS))]),
        )

    def result(self) -> SessionResult:
        config, layout, v, n = self.config, self.layout, self.voxels, self.n
        belt = self._belt()
        frames, along_heel, left = self._foot_frames(belt)
        loaded_length_mm = frames.length_mm  # each footprint's own, for spotting partial ones
        complete = (self.fp.first_frame > 0) & (self.fp.last_frame < self.recording.n_frames - 1) & ~self.fp.touches_edge
        if self.setup != "insole":  # each foot's edges over its steps, by provisional sides
            first_s = layout.time_s[layout.offsets[:-1] + 1]
            frames = frames.with_edges_of_sides(self._sides(frames, frames.origin_mm, first_s, ~complete)[0], complete)
        (heel_to_edge,) = v.spread(np.sum((frames.heel_mm - frames.origin_mm) * frames.axis, axis=1))
        along = along_heel + heel_to_edge  # the origin lies on the axis, behind the heel centre
        bounds = (config.rearfoot_end_frac, config.midfoot_end_frac)
        regions = RegionGeometry.of(frames, bounds, pitch_x_mm=self.pitch_along_mm, pitch_y_mm=self.pitch_across_mm)
        on_voxels = regions.on_voxels(v, layout, along_heel, max_shift_mm=0.5 * self.pitch_along_mm)
        sums = self._per_frame(along, left, on_voxels)
        force = sums.pressure * self.force_scale
        region_force = sums.region * self.force_scale
        with np.errstate(invalid="ignore", divide="ignore"):
            cop_along = sums.along / sums.pressure
            cop_left = sums.left / sums.pressure
        events = EventDetector(threshold_frac=config.threshold_frac).detect(layout, force, region_force[0], region_force[2], complete).events_
        ic_ref = np.where(np.isfinite(events.ic_s), events.ic_s, layout.time_s[layout.offsets[:-1] + 1])
        travel = belt.travel_mm(layout, np.column_stack([ic_ref, events.to_s]))
        heel = frames.origin_at(travel[:, 0])
        reason = self._exclusions(events, force, loaded_length_mm)
        excluded = reason != ""
        side, confident, direction = self._sides(frames, heel, ic_ref, excluded)
        medial = np.where(side == 0, -1.0, 1.0)  # foot-left is medial for a right foot
        curves = stance_curves(layout, events, cop_along, cop_left * medial[layout.step], force, region_force)
        phases = roll_over_phases(events)
        spread = transition_spread_ms(
            layout, sums.pressure, on_voxels, (sums.region[0], sums.region[2], phases["transition_ms"]), threshold_frac=config.threshold_frac, pitch_mm=self.pitch_along_mm
        )
        path = path_metrics(curves, frames.length_mm, phases["stance_ms"], bounds_frac=bounds)
        body_mass = self.recording.metadata.body_mass_kg
        kinetic = kinetics(layout, force, region_force, sums.region_peak, body_weight_n=body_mass * GRAVITY_M_S2 if body_mass else None)
        belt_speed, belt_estimate = np.zeros(n), None
        if self.setup == "treadmill" and n:
            with np.errstate(invalid="ignore", divide="ignore"):
                belt_speed = (travel[:, 1] - travel[:, 0]) / (1000.0 * (events.to_s - ic_ref))
            chosen = belt_speed[~excluded & np.isfinite(belt_speed)]
            belt_estimate = float(np.median(chosen if chosen.size else belt.speed_m_s))
        between = spatiotemporal(
            events.ic_s, events.to_s, side, excluded, heel, frames.axis, direction,
            belt_m_s=belt_estimate or 0.0, treadmill=self.setup == "treadmill", max_step_s=config.max_step_s,
        )
        columns = {
            "side": side.astype(np.int64),
            "side_name": np.array([SIDES[s] if s in (0, 1) else "unknown" for s in side], dtype=object),
            "side_confident": confident,
            "excluded": excluded,
            "exclude_reason": reason,
            "first_frame": self.fp.first_frame,
            "last_frame": self.fp.last_frame,
            "ic_s": events.ic_s,
            "forefoot_contact_s": events.forefoot_contact_s,
            "ff_s": events.ff_s,
            "ho_s": events.ho_s,
            "to_s": events.to_s,
            "heel_forefoot_change_s": events.heel_forefoot_change_s,
            "heel_loaded": events.heel_loaded,
            **phases,
            "transition_spread_ms": spread,
            "well_conditioned": spread <= WELL_CONDITIONED_MS,
            "strike_pattern": strike_pattern(path["strike_index_pct"]),
            "foot_length_mm": frames.length_mm,
            "foot_width_mm": frames.width_mm,
            "heel_x_mm": heel[:, 0],
            "heel_y_mm": heel[:, 1],
            "belt_speed_m_s": belt_speed,
            **kinetic,
            "saturated_force_pct": self._saturated_share(),
            **path,
            **between,
        }
        order = np.argsort(ic_ref, kind="stable")
        columns = {name: np.asarray(values)[order] for name, values in columns.items()}
        steps = StepTable(step=np.arange(n), **{name: columns[name] for name in StepTable.names() if name != "step"})
        step_curves = StepCurves(**{name: curves[name][order] for name in CURVE_NAMES})
        wings = None
        if self.setup == "treadmill":
            wings = butterfly(layout, self.recording.n_frames, force, cop_along, sums.mat_y / np.where(sums.pressure > 0, sums.pressure, np.nan),
                              order=order, side=side, included=~excluded, heel_y_mm=heel[:, 1])
        footprints = self._mean_footprints(~excluded, side, along, left * v.spread(medial)[0])
        return self._session(steps, step_curves, side, sums, wings, footprints, belt_estimate)

    def _saturated_share(self) -> np.ndarray:
        """Per step, % of its impulse (pressure over its cells and frames) read from
        saturated cells, whose true pressure is higher."""
        step, p = self.voxels.step, self.voxels.pressure.astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            return 100.0 * np.bincount(step, p * self.fp.saturated, self.n) / np.bincount(step, p, self.n)

    def _sides(self, frames: FootFrames, heel: np.ndarray, ic_s: np.ndarray, excluded: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Side, its confidence and the direction of progression of every step."""
        n = len(frames)
        if self.setup == "insole":
            known = self._insole_side()
            return np.full(n, -1 if known is None else known), np.full(n, known is not None), np.tile([1.0, 0.0], (n, 1))
        if self.setup == "treadmill":
            passes, direction = np.zeros(n, np.int64), np.tile([1.0, 0.0], (n, 1))
            return (*assign_sides(heel, ic_s, frames.midfoot_left_mm, passes, direction, usable=~excluded), direction)
        passes = walking_passes(frames.axis, ic_s)
        direction = progression_directions(frames.axis, passes, np.full(n, -1), ~excluded)
        side, _ = assign_sides(heel, ic_s, frames.midfoot_left_mm, passes, direction, usable=~excluded)
        direction = progression_directions(frames.axis, passes, side, ~excluded)  # toe-out cancelled
        side, confident = assign_sides(heel, ic_s, frames.midfoot_left_mm, passes, direction, usable=~excluded)
        return side, confident, direction

    def _insole_side(self) -> int | None:
        """The insole's foot: the configuration's, else the recording's metadata, else None."""
        if self.config.insole_side is not None:
            return self.config.insole_side
        return {"left": 0, "right": 1}.get(getattr(self.recording.metadata, "foot_side", ""))

    def _exclusions(self, events: StanceEvents, force_n: np.ndarray, loaded_length_mm: np.ndarray) -> np.ndarray:
        """Why each step stays out of averages ("" if it counts); the first reason that applies.

        A footprint on the recording's first or last frame is cut only if its force there
        already reaches the event level (an export that starts at first contact is whole).
        ``loaded_length_mm`` is each footprint's own loaded length: one much shorter than
        the session's usual lost a part off the mat, if the mat beyond it is shorter than the
        part missing (else the foot just did not load it: a forefoot contact, a hop).
        """
        fp, n, off = self.fp, self.n, self.layout.offsets
        level = self.config.threshold_frac * events.peak_force_n
        gaps = np.sort(np.asarray(self.recording.gaps.frame_index, np.int64))
        has_gap = np.searchsorted(gaps, fp.last_frame, side="right") > np.searchsorted(gaps, fp.first_frame, side="right")
        insole = self.setup == "insole"
        usual = float(np.median(loaded_length_mm)) if n >= 3 else np.nan
        rules = [
            ("cut by recording start", (fp.first_frame == 0) & (force_n[off[:-1] + 1] >= level)),
            ("cut by recording end", (fp.last_frame == self.recording.n_frames - 1) & (force_n[off[1:] - 2] >= level)),
            ("cut by mat edge", fp.touches_edge & (not insole)),
            ("dropped frames in stance", has_gap),
            ("no clear contact", ~(np.isfinite(events.ic_s) & np.isfinite(events.to_s))),
            ("contact longer than max_step_s (standing)", events.stance_s > self.config.max_step_s),
            ("incomplete footprint", (loaded_length_mm < 0.8 * usual) & (fp.room_along_mm() < usual - loaded_length_mm) & (not insole)),
        ]
        reason = np.full(n, "", dtype=object)
        for text, applies in reversed(rules):
            reason = np.where(applies, text, reason)
        return reason.astype(object)

    # -- session level -------------------------------------------------------------------------------
    def _foot_series(self, sums: _PerFrame, side_of_step: np.ndarray, side: int) -> FrameSeries:
        """Per-frame values of one foot, from the per-step sums."""
        n_frames = self.recording.n_frames
        layout = self.layout
        chosen = (side_of_step[layout.step] == side) & (layout.frame >= 0) & (layout.frame < n_frames)
        frame = layout.frame[chosen]

        def add(values: np.ndarray) -> np.ndarray:
            return np.bincount(frame, weights=values[chosen], minlength=n_frames)

        peak = np.zeros(n_frames)
        np.maximum.at(peak, frame, sums.peak[chosen])
        return FrameSeries.from_sums(
            self.time_s, self.geometry, add(sums.pressure), add(sums.cells), peak, add(sums.mat_x), add(sums.mat_y), add(sums.saturated)
        )

    def _mean_footprints(self, included: np.ndarray, side: np.ndarray, along: np.ndarray, medial: np.ndarray) -> dict[int, MeanFootprint]:
        """Per side, the mean peak-pressure footprint in foot coordinates (see MeanFootprint)
        over at most ``FOOTPRINT_MAX_STEPS`` included steps spread over the session."""
        if self.setup == "insole":
            return {}
        v = self.voxels
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

    def _session(self, steps: StepTable, curves: StepCurves, side_of_step: np.ndarray, sums: _PerFrame, wings, footprints, belt_estimate: float | None) -> SessionResult:
        recording, config = self.recording, self.config
        included = steps.included
        metrics = {name: getattr(steps, name).astype(float) for name in SUMMARY_METRICS}
        summary = side_summary(metrics, steps.side, included)
        for group, extra in transition_summary(steps.transition_ms, steps.well_conditioned, steps.side, included).items():
            summary[group]["transition_ms"].update(extra)
        symmetry = {m: symmetry_index(summary["left"][m]["mean"], summary["right"][m]["mean"]) for m in SUMMARY_METRICS}
        duration = float(self.time_s[-1]) if self.time_s.size else 0.0
        change = thirds_change(metrics, steps.side, included, steps.ic_s, start_s=0.0, end_s=duration)
        calibrated = recording.calibration.calibrated
        geometry = self.geometry
        info = {
            "recording": recording.path or "",
            "subject_id": recording.metadata.subject_id,
            "condition": recording.metadata.condition,
            "setup": self.setup,
            "start_utc": recording.metadata.start_utc,
            "device": recording.metadata.device_model,
            "duration_s": recording.duration_s,
            "rate_hz": recording.rate_hz,
            "frames": recording.n_frames,
            "rows": geometry.rows,
            "cols": geometry.cols,
            "mat_length_mm": (geometry.cols * geometry.pitch_col_mm) if geometry.walk_axis == "cols" else geometry.rows * geometry.pitch_row_mm,
            "mat_width_mm": (geometry.rows * geometry.pitch_row_mm) if geometry.walk_axis == "cols" else geometry.cols * geometry.pitch_col_mm,
            "pitch_along_mm": self.pitch_along_mm,
            "pitch_across_mm": self.pitch_across_mm,
            "body_mass_kg": recording.metadata.body_mass_kg,
            "belt_speed_set_m_s": recording.metadata.belt_speed_m_s if self.setup == "treadmill" else None,
            "belt_speed_estimated_m_s": belt_estimate,
            "calibrated": calibrated,
            "force_unit": "N" if calibrated else "raw",
            "pressure_unit": "kPa" if calibrated else "raw",
            "config": config.to_dict(),
        }
        quality = self._quality(steps)
        return SessionResult(
            info=info,
            steps=steps,
            curves=curves,
            frames=self.whole,
            frames_left=self._foot_series(sums, side_of_step, 0),
            frames_right=self._foot_series(sums, side_of_step, 1),
            summary=summary,
            symmetry=symmetry,
            change=change,
            butterfly=wings,
            footprints=footprints,
            quality=quality,
            notices=self._notices(steps, calibrated, quality),
        )

    def _quality(self, steps: StepTable) -> dict:
        reasons: dict[str, int] = {}
        for reason in steps.exclude_reason[steps.excluded]:
            reasons[str(reason)] = reasons.get(str(reason), 0) + 1
        saturated = self.whole.saturated_cells
        gaps = self.recording.gaps
        return {
            "frames_dropped": int(gaps.total_missing),
            "gaps": len(gaps),
            "frames_rejected": int(self.recording.stats.get("frames_rejected", 0)),
            "frames_with_saturation": int(np.count_nonzero(saturated)),
            "max_saturated_cells": int(saturated.max(initial=0)),
            "steps_detected": len(steps),
            "steps_included": int(steps.included.sum()),
            "steps_excluded": reasons,
            "steps_cut_by_mat_edge": reasons.get("cut by mat edge", 0),
            "low_confidence_sides": int(np.count_nonzero(~steps.side_confident & steps.included)),
            "noise_blobs_dropped": self.noise_blobs,
            "incomplete_file": bool(self.recording.stats.get("incomplete", 0)),
            **self._sensor_quality(steps),
        }

    def _sensor_quality(self, steps: StepTable) -> dict:
        """The mat's noise, its dead, stuck and saturated cells, and the verdict on them."""
        noise, config, cells = self.noise, self.config, self.cells
        calibration = self.recording.calibration
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
            reasons.append(
                f"{np.count_nonzero(noise.blocked)} cells ({faulty_pct:.2f} %) are dead or stuck, over {config.max_faulty_cells_pct:g} %"
            )
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
            "too_noisy": bool(reasons),
            "too_noisy_reason": "; ".join(reasons),
        }

    def _notices(self, steps: StepTable, calibrated: bool, quality: dict) -> tuple[str, ...]:
        notices = []
        if not calibrated:
            notices.append("uncalibrated recording: forces and pressures are in raw units")
        included = steps.included
        if self.recording.n_frames == 0:
            notices.append("empty recording: no frames")
        if quality["too_noisy"]:
            notices.append(f"mat too noisy for gait analysis: {quality['too_noisy_reason']}")
        if len(steps) == 0:
            notices.append("no steps detected")
        elif not included.any():
            notices.append("no complete steps: every step was cut by the mat edge or the recording, held dropped frames, or was a standing contact")
        if self.setup != "insole" and included.any():
            per_side = [int(np.count_nonzero(included & (steps.side == s))) for s in (0, 1)]
            if min(per_side) == 0:
                notices.append("only one foot was seen: no left/right comparison")
            elif min(per_side) < 3:
                notices.append("fewer than 3 steps on a side: too few for statistics")
        if self.setup == "insole" and self._insole_side() is None:
            notices.append("insole side unknown (recording metadata foot_side or AnalysisConfig.insole_side): foot y is the sensor's, not medial positive")
        if quality["steps_saturated"]:
            share = steps.saturated_force_pct[steps.included]
            notices.append(
                f"{quality['steps_saturated']} of {share.size} steps carry over {self.config.max_saturated_force_pct:g} % of their force "
                f"in saturated cells (median {np.median(share):.0f} %): their forces, pressures and event levels read low"
            )
        if self.recording.gaps.total_missing:
            notices.append(f"{self.recording.gaps.total_missing} frames were dropped; steps holding a gap are excluded")
        zero = self.noise.zero
        if zero is not None:
            notices.append(
                f"no tare recorded: a per-cell zero was estimated from the recording (offsets up to {zero.max():.0f} counts "
                f"on {np.count_nonzero(zero)} cells); record with --tare to measure it"
            )
        return tuple(notices)


def _cell_list(mask: np.ndarray) -> list[list[int]]:
    """``[row, col]`` of every cell set in ``mask`` (``(rows, cols)``)."""
    return np.argwhere(mask).tolist()
