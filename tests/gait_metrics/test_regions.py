"""Region geometry v2 (area shares, per-side boundaries) and the transition's robustness."""

from __future__ import annotations

import numpy as np
import pytest

from gait_metrics import AnalysisConfig, analyze
from gait_metrics.footframe import FootFrames, VoxelCoordinates
from gait_metrics.regions import RegionGeometry, share_behind
from gait_metrics.robustness import WELL_CONDITIONED_MS
from gait_metrics.stances import StanceLayout
from mat_sim.simulator import simulate
from tests.validation_support import ValidatedSession, error_row


def supersampled_share(ahead_mm: float, angle_rad: float, pitch_x_mm: float, pitch_y_mm: float, n: int = 600) -> float:
    """Share of a cell's area behind a line ``ahead_mm`` in front of its centre, the line
    perpendicular to an axis at ``angle_rad`` to the cell's x side: by counting points."""
    u = (np.arange(n) + 0.5) / n - 0.5
    x, y = np.meshgrid(u * pitch_x_mm, u * pitch_y_mm)
    return float(np.mean(x * np.cos(angle_rad) + y * np.sin(angle_rad) < ahead_mm))


@pytest.mark.parametrize("angle_deg", [0.0, 7.0, 30.0, 45.0, 172.0])
@pytest.mark.parametrize("pitches", [(8.5, 8.5), (6.0, 12.0)])
def test_area_share_of_a_rotated_cell(angle_deg: float, pitches: tuple[float, float]) -> None:
    angle = np.radians(angle_deg)
    along_x, along_y = pitches[0] * abs(np.cos(angle)), pitches[1] * abs(np.sin(angle))
    wide, narrow = max(along_x, along_y), min(along_x, along_y)
    for ahead in np.linspace(-9.0, 9.0, 37):
        computed = float(share_behind(np.array([ahead]), np.array([wide]), np.array([narrow]))[0])
        assert computed == pytest.approx(supersampled_share(ahead, angle, *pitches), abs=4e-3), ahead


def one_step(x_mm: np.ndarray, y_mm: np.ndarray, pressure: np.ndarray) -> tuple[VoxelCoordinates, StanceLayout]:
    """One step of one frame (between two empty pads) holding the given voxels."""
    n = x_mm.size
    v = VoxelCoordinates(x_mm.astype(np.float32), y_mm.astype(np.float32), pressure.astype(np.float32), np.zeros(n, np.int64), np.array([0, n]))
    layout = StanceLayout(np.array([0, 3]), np.arange(3), np.arange(3) * 0.01, np.zeros(3, np.int64), np.ones(n, np.int64), np.array([0]), np.array([1]))
    return v, layout


@pytest.mark.parametrize("angle_deg", [0.0, 9.0, 33.0])
def test_region_force_is_the_pressure_integrated_over_the_region(angle_deg: float) -> None:
    # an even pressure on a patch of cells: each region's sum is the pressure times the
    # patch's area on its side of the boundaries, wherever they cut through cells
    pitch = 8.5
    cols, rows = np.meshgrid(np.arange(40), np.arange(14))
    x, y = (cols.ravel() + 0.5) * pitch, (rows.ravel() + 0.5) * pitch
    v, layout = one_step(x, y, np.full(x.size, 10.0))
    angle = np.radians(angle_deg)
    axis = np.array([[np.cos(angle), np.sin(angle)]])
    heel = np.array([[60.0, 55.0]])
    frames = FootFrames(heel - 30.0 * axis, axis, heel, np.array([250.0]), np.array([100.0]), np.array([np.nan]))
    geometry = RegionGeometry.of(frames, (0.30, 0.60), pitch_x_mm=pitch, pitch_y_mm=pitch)
    assert geometry.boundaries_mm[0].tolist() == pytest.approx([-30.0 + 75.0, -30.0 + 150.0])
    along = (x - heel[0, 0]) * axis[0, 0] + (y - heel[0, 1]) * axis[0, 1]
    rear, fore = geometry.on_voxels(v, layout, along.astype(np.float32), max_shift_mm=4.25).rear_and_fore()
    fine = 20  # each cell as 20 x 20 points
    u = ((np.arange(fine) + 0.5) / fine - 0.5) * pitch
    px = (x[:, None, None] + u[None, None, :]).repeat(fine, axis=1)
    py = (y[:, None, None] + u[None, :, None]).repeat(fine, axis=2)
    point_along = (px - heel[0, 0]) * axis[0, 0] + (py - heel[0, 1]) * axis[0, 1]
    assert rear[1] == pytest.approx(10.0 * np.mean(point_along < 45.0) * x.size, rel=2e-3)
    assert fore[1] == pytest.approx(10.0 * np.mean(point_along >= 120.0) * x.size, rel=2e-3)
    assert rear[0] == rear[2] == fore[0] == fore[2] == 0.0


@pytest.fixture(scope="module")
def runner():
    recording = simulate("shuffling-runner", seed=23, duration_s=8.0).recording()
    return recording, analyze(recording)


def test_spread_covers_the_threshold_variants_of_the_analysis(runner) -> None:
    # the analysis run at 4 % and at 6 % gives each step a transition within its spread
    recording, result = runner
    steps = result.steps
    assert np.all(np.isfinite(steps.transition_spread_ms[steps.included]))
    for frac in (0.04, 0.06):
        other = analyze(recording, AnalysisConfig(threshold_frac=frac)).steps
        assert np.array_equal(other.first_frame, steps.first_frame)
        moved = np.abs(other.transition_ms - steps.transition_ms)[steps.included]
        assert np.all(moved <= steps.transition_spread_ms[steps.included] + 1e-6)
        assert moved.max() > 0.5  # the variants do move it
    assert np.array_equal(steps.well_conditioned, steps.transition_spread_ms <= WELL_CONDITIONED_MS)


def test_summary_gives_median_iqr_and_well_conditioned_steps(runner) -> None:
    _, result = runner
    steps = result.steps
    for group, code in (("left", 0), ("right", 1)):
        chosen = steps.included & (steps.side == code)
        stats = result.summary[group]["transition_ms"]
        q1, median, q3 = np.percentile(steps.transition_ms[chosen], [25, 50, 75])
        assert (stats["median"], stats["q1"], stats["q3"]) == pytest.approx((median, q1, q3))
        assert stats["iqr"] == pytest.approx(q3 - q1)
        assert stats["n_well_conditioned"] == int(np.count_nonzero(steps.well_conditioned & chosen))
    data = result.to_dict()
    assert data["summary"]["all"]["transition_ms"]["n_well_conditioned"] == int(np.count_nonzero(steps.well_conditioned & steps.included))
    assert {"transition_spread_ms", "well_conditioned"} <= set(data["steps"][0])


@pytest.fixture(scope="module", params=["shuffling-runner", "midfoot-runner", "treadmill-walker"])
def plantar(request) -> ValidatedSession:
    # the independent foot model, whose pads straddle the region boundaries and whose truth
    # integrates its pressure field over regions placed by the written definition
    return ValidatedSession(request.param, "plantar", seed=37, duration_s=20.0)


def test_transition_on_the_second_foot_model(plantar: ValidatedSession) -> None:
    row = error_row([plantar])
    assert row.steps_found == row.whole_steps and row.sides_pct == 100.0
    assert max(row.ic_frames, row.ff_frames, row.ho_frames, row.to_frames) <= 0.3  # issue 13: event medians
    assert abs(row.transition_median_ms) <= 5.0 and row.transition_sd_ms <= 5.0


def test_region_forces_follow_the_truth_integral(plantar: ValidatedSession) -> None:
    # each step's rearfoot and forefoot force curves against the truth's region forces at the
    # same instants (the sensor's 1 % crosstalk to four neighbours adds about 4 %)
    steps, curves = plantar.result.steps, plantar.result.curves
    errors = []
    index = {id(t): i for i, t in enumerate(plantar.truth)}  # the truth lists the simulator's steps in order
    for k, true in plantar.pairs:
        step = plantar.sim.steps[index[id(true)]]
        at = steps.ic_s[k] + np.linspace(0.0, 1.0, 101) * (steps.to_s[k] - steps.ic_s[k])
        rear, fore = step.region_forces_n(step.loads_n(at))
        errors.append(np.array([np.max(np.abs(curves.force_rearfoot_n[k] - rear)), np.max(np.abs(curves.force_forefoot_n[k] - fore))]) / true.peak_force_n)
    assert np.median(errors, axis=0).max() <= 0.06
