"""``analyze(recording) -> SessionResult``: the whole analysis of one recording.

One pass over the frames, chunk by chunk, keeps the loaded cells. They are segmented into
footprints; each footprint gets its foot frame (belt motion removed on a treadmill), its
per-frame forces and CoP in foot coordinates, its events, phases, curves and kinetics;
steps get sides and between-step values; then the session is summarised. Every stage
works on all steps at once (see :mod:`gait_metrics._segments`), so the cost grows with
the number of loaded cells, not with Python calls per step.

Each stage is a named function below whose result is a named value in :class:`Stages`;
:func:`analysis_stages` returns them all for inspection. The session-level results (info,
summaries, quality, notices) are built in :mod:`gait_metrics.session`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from gait_metrics._validation import check_recording
from gait_metrics.belt import BeltMotion, estimate_belt_motion
from gait_metrics.config import AnalysisConfig
from gait_metrics.cop import read_loaded_cells
from gait_metrics.events import EventDetector, StanceEvents
from gait_metrics.footframe import FootFrames, foot_frames, insole_frames
from gait_metrics.footsteps import FootstepSegmenter
from gait_metrics.kinetics import GRAVITY_M_S2, REGIONS, kinetics
from gait_metrics.noise import NoiseModel, estimate_noise
from gait_metrics.phases import roll_over_phases, strike_pattern
from gait_metrics.progression import CURVE_NAMES, Butterfly, butterfly, path_metrics, stance_curves
from gait_metrics.regions import RegionGeometry, VoxelRegions
from gait_metrics.results import SIDES, MeanFootprint, SessionResult, StepCurves, StepTable
from gait_metrics.robustness import WELL_CONDITIONED_MS, transition_spread_ms
from gait_metrics.session import PerFrame, Session, insole_side, mean_footprints, session_result
from gait_metrics.sides import assign_sides, progression_directions, walking_passes
from gait_metrics.spatiotemporal import spatiotemporal
from mat_driver.model import Recording

__all__ = ["analyze", "analysis_stages", "frame_times", "Stages"]


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
    return analysis_stages(recording, config, noise=noise).result()


def analysis_stages(recording: Recording, config: AnalysisConfig | None = None, *, noise: NoiseModel | None = None) -> Stages:
    """Every stage's intermediate result of :func:`analyze` (same parameters), for inspection.

    ``analysis_stages(recording).result()`` is ``analyze(recording)``.
    """
    return _stages(open_session(recording, config, noise=noise))


def open_session(recording: Recording, config: AnalysisConfig | None = None, *, noise: NoiseModel | None = None) -> Session:
    """Checked recording, noise model, tare, loaded cells and footprints: what every stage shares."""
    check_recording(recording)
    config = config or AnalysisConfig()
    if noise is None:
        noise = estimate_noise(recording, noise_kpa=config.noise_kpa, k=config.noise_k, k_edge=config.noise_k_edge)
    if noise.zero is not None:  # no tare recorded: subtract the offsets the recording itself shows
        recording = dataclasses.replace(recording, calibration=recording.calibration.with_tare(noise.zero))
    time_s = frame_times(recording)
    cells = read_loaded_cells(recording, noise_kpa=config.noise_kpa, chunk_frames=config.chunk_frames, noise=noise, fill_saturated=config.extrapolate_saturated)
    segmenter = FootstepSegmenter(
        join_along_mm=config.join_along_mm,
        join_across_mm=config.join_across_mm,
        merge_mm=config.merge_mm,
        min_frames=config.min_frames,
        min_area_cm2=config.min_area_cm2,
        min_peak_frac=config.min_peak_frac,
    ).segment(cells)
    return Session(recording, config, time_s, cells, segmenter.footprints_, segmenter.n_noise_blobs_, noise)


@dataclass(frozen=True, eq=False)
class FootShapes:
    """Each step's foot frame and every voxel's place in it."""

    frames: FootFrames  # on a mat: with each foot's edges over its steps (by provisional sides)
    loaded_length_mm: np.ndarray  # per step: its footprint's own loaded length
    complete: np.ndarray  # per step: not on the recording's first or last frame nor on the mat edge
    along_heel_mm: np.ndarray  # per voxel: along the axis from the heel centre
    along_mm: np.ndarray  # per voxel: along the axis from the foot's origin (behind the heel)
    left_mm: np.ndarray  # per voxel: to the foot's left of the axis


@dataclass(frozen=True, eq=False)
class Loads:
    """Per layout element: force, force under rearfoot, midfoot and forefoot, CoP in the foot frame."""

    force_n: np.ndarray
    region_force_n: np.ndarray  # (3, N)
    cop_along_mm: np.ndarray
    cop_left_mm: np.ndarray


class Contacts(NamedTuple):
    """Per step: the contact's reference time, the belt's travel at contact and toe off, the heel."""

    ic_s: np.ndarray  # initial contact, else the footprint's first frame
    travel_mm: np.ndarray  # (n, 2)
    heel_mm: np.ndarray  # (n, 2), on the mat at contact


class Sides(NamedTuple):
    """Per step: side (0 left, 1 right, -1 unknown), its confidence, direction of progression."""

    side: np.ndarray
    confident: np.ndarray
    direction: np.ndarray


@dataclass(frozen=True, eq=False)
class Stages:
    """Every stage's result of one analysis, in the order they run; :meth:`result` is the session."""

    session: Session
    belt: BeltMotion
    shapes: FootShapes
    regions: VoxelRegions
    sums: PerFrame
    loads: Loads
    events: StanceEvents
    contacts: Contacts
    exclude_reason: np.ndarray
    sides: Sides
    curves: dict[str, np.ndarray]
    phases: dict[str, np.ndarray]
    spread_ms: np.ndarray
    path: dict[str, np.ndarray]
    kinetic: dict[str, np.ndarray]
    belt_speed_m_s: np.ndarray
    belt_estimate_m_s: float | None
    between: dict[str, np.ndarray]
    order: np.ndarray
    steps: StepTable
    step_curves: StepCurves
    wings: Butterfly | None
    footprints: dict[int, MeanFootprint]

    def result(self) -> SessionResult:
        """The session's result (what :func:`analyze` returns)."""
        return session_result(self.session, self.steps, self.step_curves, self.sides.side, self.sums, self.wings, self.footprints, self.belt_estimate_m_s)


def _stages(s: Session) -> Stages:
    """The analysis' stages in order; every stage works on all steps at once."""
    belt = belt_motion(s)
    shapes = foot_shapes(s, belt)
    regions = voxel_regions(s, shapes)
    sums = per_frame_sums(s, shapes, regions)
    loads = step_loads(s, sums)
    events = (
        EventDetector(threshold_frac=s.config.threshold_frac)
        .detect(s.layout, loads.force_n, loads.region_force_n[0], loads.region_force_n[2], shapes.complete)
        .events_
    )
    contacts = contact_positions(s, belt, shapes.frames, events)
    reason = exclusions(s, events, loads.force_n, shapes.loaded_length_mm)
    excluded = reason != ""
    sides = step_sides(s, shapes.frames, contacts.heel_mm, contacts.ic_s, excluded)
    medial = np.where(sides.side == 0, -1.0, 1.0)  # foot-left is medial for a right foot
    curves = stance_curves(s.layout, events, loads.cop_along_mm, loads.cop_left_mm * medial[s.layout.step], loads.force_n, loads.region_force_n)
    phases = roll_over_phases(events)
    spread = transition_spread_ms(
        s.layout,
        sums.pressure,
        regions,
        (sums.region[0], sums.region[2], phases["transition_ms"]),
        threshold_frac=s.config.threshold_frac,
        pitch_mm=s.geometry.pitch_along_mm,
    )
    path = path_metrics(curves, shapes.frames.length_mm, phases["stance_ms"], bounds_frac=_region_bounds(s))
    kinetic = step_kinetics(s, loads, sums)
    belt_speed, belt_estimate = belt_speeds(s, belt, contacts, events, excluded)
    between = spatiotemporal(
        events.ic_s,
        events.to_s,
        sides.side,
        excluded,
        contacts.heel_mm,
        shapes.frames.axis,
        sides.direction,
        belt_m_s=belt_estimate or 0.0,
        treadmill=s.setup == "treadmill",
        max_step_s=s.config.max_step_s,
    )
    columns = {
        "side": sides.side.astype(np.int64),
        "side_name": np.array([SIDES[k] if k in (0, 1) else "unknown" for k in sides.side], dtype=object),
        "side_confident": sides.confident,
        "excluded": excluded,
        "exclude_reason": reason,
        "first_frame": s.fp.first_frame,
        "last_frame": s.fp.last_frame,
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
        "foot_length_mm": shapes.frames.length_mm,
        "foot_width_mm": shapes.frames.width_mm,
        "heel_x_mm": contacts.heel_mm[:, 0],
        "heel_y_mm": contacts.heel_mm[:, 1],
        "belt_speed_m_s": belt_speed,
        **kinetic,
        "saturated_force_pct": saturated_share(s),
        **path,
        **between,
    }
    order = np.argsort(contacts.ic_s, kind="stable")
    columns = {name: np.asarray(values)[order] for name, values in columns.items()}
    steps = StepTable(step=np.arange(s.n), **{name: columns[name] for name in StepTable.names() if name != "step"})
    step_curves = StepCurves(**{name: curves[name][order] for name in CURVE_NAMES})
    wings = treadmill_butterfly(s, loads, sums, order, sides.side, ~excluded, contacts.heel_mm)
    footprints = mean_footprints(s, ~excluded, sides.side, shapes.along_mm, shapes.left_mm * s.voxels.spread(medial)[0])
    return Stages(
        s,
        belt,
        shapes,
        regions,
        sums,
        loads,
        events,
        contacts,
        reason,
        sides,
        curves,
        phases,
        spread,
        path,
        kinetic,
        belt_speed,
        belt_estimate,
        between,
        order,
        steps,
        step_curves,
        wings,
        footprints,
    )


def belt_motion(s: Session) -> BeltMotion:
    """The belt's motion on a treadmill (still elsewhere)."""
    if s.setup != "treadmill" or s.n == 0:
        return BeltMotion.still(s.layout)
    return estimate_belt_motion(s.voxels, s.layout, s.whole.force_n, pitch_mm=s.geometry.pitch_along_mm, guess_m_s=s.recording.metadata.belt_speed_m_s)


def foot_shapes(s: Session, belt: BeltMotion) -> FootShapes:
    """Foot frames (on a mat with each foot's edges over its steps) and every voxel in them."""
    v, layout = s.voxels, s.layout
    if s.setup == "insole":
        frames = insole_frames(s.n, s.geometry)
        along_heel, left = v.project(v.x_mm, v.y_mm, frames.heel_mm, frames.axis)
    else:
        pitch = min(s.geometry.pitch_row_mm, s.geometry.pitch_col_mm)
        frames, along_heel, left = foot_frames(v, layout, belt=belt, walks_forward=s.setup == "treadmill", pitch_mm=pitch)
    loaded_length_mm = frames.length_mm  # each footprint's own, for spotting partial ones
    complete = (s.fp.first_frame > 0) & (s.fp.last_frame < s.recording.n_frames - 1) & ~s.fp.touches_edge
    if s.setup != "insole":  # each foot's edges over its steps, by provisional sides
        first_s = layout.time_s[layout.offsets[:-1] + 1]
        frames = frames.with_edges_of_sides(step_sides(s, frames, frames.origin_mm, first_s, ~complete)[0], complete)
    (heel_to_edge,) = v.spread(np.sum((frames.heel_mm - frames.origin_mm) * frames.axis, axis=1))
    along = along_heel + heel_to_edge  # the origin lies on the axis, behind the heel centre
    return FootShapes(frames, loaded_length_mm, complete, along_heel, along, left)


def _region_bounds(s: Session) -> tuple[float, float]:
    """Rearfoot and midfoot ends as fractions of foot length."""
    return (s.config.rearfoot_end_frac, s.config.midfoot_end_frac)


def voxel_regions(s: Session, shapes: FootShapes) -> VoxelRegions:
    """Rearfoot, midfoot and forefoot of every voxel."""
    regions = RegionGeometry.of(shapes.frames, _region_bounds(s), pitch_x_mm=s.geometry.pitch_along_mm, pitch_y_mm=s.geometry.pitch_across_mm)
    return regions.on_voxels(s.voxels, s.layout, shapes.along_heel_mm, max_shift_mm=0.5 * s.geometry.pitch_along_mm)


def per_frame_sums(s: Session, shapes: FootShapes, regions: VoxelRegions) -> PerFrame:
    """Sums over every step's voxels per frame."""
    layout, v = s.layout, s.voxels
    along, left = shapes.along_mm, shapes.left_mm
    p = v.pressure
    label = regions.labels()
    pressure = layout.per_frame(p)
    rear, fore = regions.rear_and_fore()
    saturated = s.fp.saturated
    return PerFrame(
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


def step_loads(s: Session, sums: PerFrame) -> Loads:
    """Forces and CoP from the per-frame sums."""
    force = sums.pressure * s.force_scale
    region_force = sums.region * s.force_scale
    with np.errstate(invalid="ignore", divide="ignore"):
        cop_along = sums.along / sums.pressure
        cop_left = sums.left / sums.pressure
    return Loads(force, region_force, cop_along, cop_left)


def contact_positions(s: Session, belt: BeltMotion, frames: FootFrames, events: StanceEvents) -> Contacts:
    """Each step's reference contact time, the belt's travel then and at toe off, the heel on the mat."""
    layout = s.layout
    ic_ref = np.where(np.isfinite(events.ic_s), events.ic_s, layout.time_s[layout.offsets[:-1] + 1])
    travel = belt.travel_mm(layout, np.column_stack([ic_ref, events.to_s]))
    return Contacts(ic_ref, travel, frames.origin_at(travel[:, 0]))


def step_kinetics(s: Session, loads: Loads, sums: PerFrame) -> dict[str, np.ndarray]:
    """Per-step kinetics (see :func:`gait_metrics.kinetics.kinetics`), per body weight if known."""
    body_mass = s.recording.metadata.body_mass_kg
    return kinetics(s.layout, loads.force_n, loads.region_force_n, sums.region_peak, body_weight_n=body_mass * GRAVITY_M_S2 if body_mass else None)


def belt_speeds(s: Session, belt: BeltMotion, contacts: Contacts, events: StanceEvents, excluded: np.ndarray) -> tuple[np.ndarray, float | None]:
    """Per step, the belt's speed over its stance; the session's estimate (treadmill only)."""
    belt_speed, belt_estimate = np.zeros(s.n), None
    if s.setup == "treadmill" and s.n:
        travel = contacts.travel_mm
        with np.errstate(invalid="ignore", divide="ignore"):
            belt_speed = (travel[:, 1] - travel[:, 0]) / (1000.0 * (events.to_s - contacts.ic_s))
        chosen = belt_speed[~excluded & np.isfinite(belt_speed)]
        belt_estimate = float(np.median(chosen if chosen.size else belt.speed_m_s))
    return belt_speed, belt_estimate


def treadmill_butterfly(
    s: Session, loads: Loads, sums: PerFrame, order: np.ndarray, side: np.ndarray, included: np.ndarray, heel_mm: np.ndarray
) -> Butterfly | None:
    """The butterfly diagram on a treadmill (None elsewhere)."""
    if s.setup != "treadmill":
        return None
    return butterfly(
        s.layout,
        s.recording.n_frames,
        loads.force_n,
        loads.cop_along_mm,
        sums.mat_y / np.where(sums.pressure > 0, sums.pressure, np.nan),
        order=order,
        side=side,
        included=included,
        heel_y_mm=heel_mm[:, 1],
    )


def saturated_share(s: Session) -> np.ndarray:
    """Per step, % of its impulse (pressure over its cells and frames) read from
    saturated cells, whose true pressure is higher."""
    step, p = s.voxels.step, s.voxels.pressure.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100.0 * np.bincount(step, p * s.fp.saturated, s.n) / np.bincount(step, p, s.n)


def step_sides(s: Session, frames: FootFrames, heel: np.ndarray, ic_s: np.ndarray, excluded: np.ndarray) -> Sides:
    """Side, its confidence and the direction of progression of every step."""
    n = len(frames)
    if s.setup == "insole":
        known = insole_side(s)
        return Sides(np.full(n, -1 if known is None else known), np.full(n, known is not None), np.tile([1.0, 0.0], (n, 1)))
    if s.setup == "treadmill":
        passes, direction = np.zeros(n, np.int64), np.tile([1.0, 0.0], (n, 1))
        return Sides(*assign_sides(heel, ic_s, frames.midfoot_left_mm, passes, direction, usable=~excluded), direction)
    passes = walking_passes(frames.axis, ic_s)
    direction = progression_directions(frames.axis, passes, np.full(n, -1), ~excluded)
    side, _ = assign_sides(heel, ic_s, frames.midfoot_left_mm, passes, direction, usable=~excluded)
    direction = progression_directions(frames.axis, passes, side, ~excluded)  # toe-out cancelled
    side, confident = assign_sides(heel, ic_s, frames.midfoot_left_mm, passes, direction, usable=~excluded)
    return Sides(side, confident, direction)


def exclusions(s: Session, events: StanceEvents, force_n: np.ndarray, loaded_length_mm: np.ndarray) -> np.ndarray:
    """Why each step stays out of averages ("" if it counts); the first reason that applies.

    A footprint on the recording's first or last frame is cut only if its force there
    already reaches the event level (an export that starts at first contact is whole).
    ``loaded_length_mm`` is each footprint's own loaded length: one much shorter than
    the session's usual lost a part off the mat, if the mat beyond it is shorter than the
    part missing (else the foot just did not load it: a forefoot contact, a hop).
    """
    fp, n, off = s.fp, s.n, s.layout.offsets
    level = s.config.threshold_frac * events.peak_force_n
    gaps = np.sort(np.asarray(s.recording.gaps.frame_index, np.int64))
    has_gap = np.searchsorted(gaps, fp.last_frame, side="right") > np.searchsorted(gaps, fp.first_frame, side="right")
    insole = s.setup == "insole"
    usual = float(np.median(loaded_length_mm)) if n >= 3 else np.nan
    rules = [
        ("cut by recording start", (fp.first_frame == 0) & (force_n[off[:-1] + 1] >= level)),
        ("cut by recording end", (fp.last_frame == s.recording.n_frames - 1) & (force_n[off[1:] - 2] >= level)),
        ("cut by mat edge", fp.touches_edge & (not insole)),
        ("dropped frames in stance", has_gap),
        ("no clear contact", ~(np.isfinite(events.ic_s) & np.isfinite(events.to_s))),
        ("contact longer than max_step_s (standing)", events.stance_s > s.config.max_step_s),
        ("incomplete footprint", (loaded_length_mm < 0.8 * usual) & (fp.room_along_mm() < usual - loaded_length_mm) & (not insole)),
    ]
    reason = np.full(n, "", dtype=object)
    for text, applies in reversed(rules):
        reason = np.where(applies, text, reason)
    return reason.astype(object)
