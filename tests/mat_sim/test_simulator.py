"""The gait simulator against its own construction: truth, shapes, kinematics, sensor."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import find_peaks

from mat_sim.footmodel import REGION_OF_BLOB, loaded_rear_edge_mm
from mat_sim.simulator import FOOT_MODELS, NOISE_KPA, PRESETS, simulate, truth_steps

CLEAN = dict(noise_counts=0.0, crosstalk_frac=0.0, offset_max_counts=0.0, dead_cells=0)


@pytest.fixture(scope="module")
def runner():
    return simulate("shuffling-runner", seed=3, duration_s=6.0)


def test_same_seed_same_session_other_seed_other_session() -> None:
    a = simulate("trained-runner", seed=5, duration_s=2.0)
    b = simulate("trained-runner", seed=5, duration_s=2.0)
    c = simulate("trained-runner", seed=6, duration_s=2.0)
    np.testing.assert_array_equal(a.render(0, 200), b.render(0, 200))
    np.testing.assert_array_equal(a.truth["step_ic_s"], b.truth["step_ic_s"])
    assert not np.array_equal(a.truth["step_ic_s"], c.truth["step_ic_s"])


def test_rendering_does_not_depend_on_chunking(runner) -> None:
    whole = runner.render(100, 160)
    parts = np.concatenate([runner.render(100, 117), runner.render(117, 118), runner.render(118, 160)])
    np.testing.assert_array_equal(whole, parts)
    np.testing.assert_array_equal(runner.recording().raw(slice(100, 160)), whole)


@pytest.mark.parametrize("foot_model", FOOT_MODELS)
def test_rendered_force_equals_true_force_on_a_clean_sensor(foot_model: str) -> None:
    sim = simulate("shuffling-runner", seed=2, duration_s=3.0, foot_model=foot_model, **CLEAN)
    rec = sim.recording()
    force_n = rec.pressure().sum(axis=(1, 2)) * rec.geometry.cell_area_mm2 / 1000.0
    truth = sim.truth["frame_force_n"]
    loaded = truth > 200.0
    assert loaded.sum() > 50
    np.testing.assert_allclose(force_n[loaded], truth[loaded], rtol=0.02)
    assert np.all(force_n[truth == 0] == 0)


def test_realistic_sensor_stays_close_to_the_true_force(runner) -> None:
    rec = runner.recording()
    pressure = rec.pressure()
    pressure[pressure < 5.0] = 0.0  # a noise threshold as any analysis uses
    force_n = pressure.sum(axis=(1, 2)) * rec.geometry.cell_area_mm2 / 1000.0
    truth = runner.truth["frame_force_n"]
    loaded = truth > 500.0
    np.testing.assert_allclose(force_n[loaded], truth[loaded], rtol=0.08)


def step_force(preset: str) -> tuple[np.ndarray, np.ndarray, object]:
    """True force of one uncut stance (that foot alone) at 0.5 ms."""
    sim = simulate(preset, seed=1, duration_s=4.0)
    index, step = next((k, s) for k, s in enumerate(truth_steps(sim.truth)) if not s.cut)
    t = np.arange(step.ic_s, step.to_s, 5e-4)
    return t, sim.steps[index].loads_n(t).sum(axis=0), step


@pytest.mark.parametrize("preset, latest_peak", [("trained-runner", 0.6), ("shuffling-runner", 0.7)])
def test_running_rearfoot_strike_has_an_impact_peak_and_one_active_peak(preset: str, latest_peak: float) -> None:
    t, force, step = step_force(preset)
    peaks, _ = find_peaks(force, prominence=20.0)
    assert len(peaks) == 2
    impact, active = (t[peaks] - step.ic_s) / step.stance_s
    assert impact < 0.15 and 0.35 < active < latest_peak  # a late heel off delays the peak
    body_weight = PRESETS["shuffling-runner"].body_mass_kg * 9.80665
    assert 2.0 < force.max() / body_weight < 3.0


def test_forefoot_strike_has_no_impact_peak_and_the_heel_never_loads() -> None:
    t, force, step = step_force("forefoot-runner")
    peaks, _ = find_peaks(force, prominence=20.0)
    assert len(peaks) == 1
    sim = simulate("forefoot-runner", seed=1, duration_s=5.0)
    steps = truth_steps(sim.truth)
    assert not any(s.heel_loaded for s in steps)
    assert all(np.isnan(s.ff_s) and s.transition_ms == 0.0 for s in steps)
    assert all(s.strike_index_pct > 67.0 for s in steps)


def test_walking_has_two_humps_and_double_support() -> None:
    t, force, step = step_force("treadmill-walker")
    peaks, _ = find_peaks(force, prominence=20.0)
    assert len(peaks) == 2
    valley = force[peaks[0] : peaks[1]].min()
    body_weight = PRESETS["treadmill-walker"].body_mass_kg * 9.80665
    assert 1.0 < force[peaks].min() / body_weight < 1.3 and 0.6 < valley / body_weight < 0.9
    steps = [s for s in truth_steps(simulate("treadmill-walker", seed=1, duration_s=6.0).truth) if not s.cut]
    overlaps = [a.to_s - b.ic_s for a, b in zip(steps, steps[1:])]
    assert all(o > 0.05 for o in overlaps)  # next foot lands before this one leaves


def test_running_has_a_flight_phase(runner) -> None:
    steps = truth_steps(runner.truth)
    flights = [b.ic_s - a.to_s for a, b in zip(steps, steps[1:])]
    assert all(f > 0.05 for f in flights)
    t = runner.frame_time_s
    for a, b in zip(steps[1:-2], steps[2:-1]):
        between = (t > a.to_s) & (t < b.ic_s)
        assert runner.truth["frame_force_n"][between].min() == 0.0  # nobody on the mat


@pytest.mark.parametrize("foot_flat_ms", [40.0, 110.0])
def test_foot_flat_duration_is_exactly_the_requested_one(foot_flat_ms: float) -> None:
    sim = simulate("shuffling-runner", seed=4, duration_s=5.0, foot_flat_ms=foot_flat_ms, foot_flat_sd_ms=0.0)
    transitions = [s.transition_ms for s in truth_steps(sim.truth)]
    np.testing.assert_allclose(transitions, foot_flat_ms, atol=0.3)


def test_presets_differ_by_the_simulated_transition() -> None:
    before = truth_steps(simulate("shuffling-runner", seed=1, duration_s=20.0).truth)
    after = truth_steps(simulate("trained-runner", seed=1, duration_s=20.0).truth)
    gap = np.mean([s.transition_ms for s in before]) - np.mean([s.transition_ms for s in after])
    assert gap == pytest.approx(110.0 - 50.0, abs=3.0)


def test_events_are_in_order_and_truth_cop_runs_heel_to_toe(runner) -> None:
    for s in truth_steps(runner.truth):
        assert s.ic_s < s.forefoot_contact_s <= s.ff_s < s.ho_s < s.to_s
        assert s.ic_s < s.heel_forefoot_change_s < s.ho_s
        assert s.strike_index_pct < 33.0
        x = s.cop_foot_mm[:, 0]
        assert x[0] < 0.2 * s.foot_length_mm and x[-1] > 0.8 * s.foot_length_mm
        assert s.cop_foot_mm.shape == (101, 2)


def test_sides_alternate_and_left_feet_lie_at_plus_y(runner) -> None:
    steps = truth_steps(runner.truth)
    sides = [s.side for s in steps]
    assert all(a != b for a, b in zip(sides, sides[1:]))
    middle = runner.geometry.rows * runner.geometry.pitch_row_mm / 2
    for s in steps:
        assert (s.origin_y_mm > middle) == (s.side == 0)
    frame = runner.recording().pressure(int(np.searchsorted(runner.frame_time_s, steps[2].ic_s + 0.1)))
    rows = np.flatnonzero(frame.sum(axis=1) > 50)
    centre_y = (rows.mean() + 0.5) * runner.geometry.pitch_row_mm
    assert (centre_y > middle) == (steps[2].side == 0)


def footprint_x_mm(frame: np.ndarray, pitch: float) -> np.ndarray:
    """Loaded columns' extent along x (mm): rear and front edge of the footprint."""
    cols = np.flatnonzero((frame > 20.0).any(axis=0))
    return np.array([cols[0], cols[-1] + 1]) * pitch


def test_treadmill_footprints_move_back_at_belt_speed(runner) -> None:
    rec = runner.recording()
    pitch = rec.geometry.pitch_col_mm
    speeds = []
    for s in truth_steps(runner.truth):
        if s.cut:
            continue
        t = runner.frame_time_s
        a = int(np.searchsorted(t, s.ff_s + 0.01))
        b = int(np.searchsorted(t, s.ho_s - 0.01))
        # the heel's rear edge stays on the same skin while the heel is loaded
        rear_a = footprint_x_mm(rec.pressure(a), pitch)[0]
        rear_b = footprint_x_mm(rec.pressure(b), pitch)[0]
        speeds.append((rear_a - rear_b) / (t[b] - t[a]) / 1000.0)
        belt = runner.truth["frame_belt_displacement_mm"]
        assert (belt[b] - belt[a]) / (t[b] - t[a]) / 1000.0 == pytest.approx(2.8, rel=0.06)
    assert np.mean(speeds) == pytest.approx(np.mean(runner.truth["frame_belt_speed_m_s"]), rel=0.06)
    assert 0.95 < np.mean(runner.truth["frame_belt_speed_m_s"]) / 2.8 <= 1.0


def test_walkway_footprints_stay_put_and_advance() -> None:
    sim = simulate("walker", seed=2, duration_s=8.0)
    rec = sim.recording()
    steps = [s for s in truth_steps(sim.truth) if not s.cut]
    assert len(steps) >= 3 and sim.metadata.belt_speed_m_s is None
    pitch = rec.geometry.pitch_col_mm
    t = sim.frame_time_s
    for s in steps:
        a, b = (int(np.searchsorted(t, x)) for x in (s.ic_s + 0.1, s.ho_s - 0.05))
        frame_a, frame_b = rec.pressure(a), rec.pressure(b)
        x = (np.arange(rec.geometry.cols) + 0.5) * pitch
        heel = (x > s.origin_x_mm - 20) & (x < s.origin_x_mm + 0.3 * s.foot_length_mm)  # this heel only
        heel_x = [np.average(x, weights=(f * heel).sum(axis=0)) for f in (frame_a, frame_b)]
        assert heel_x[0] == pytest.approx(heel_x[1], abs=1.0)  # the heel does not move
        assert heel_x[0] == pytest.approx(s.origin_x_mm + 0.125 * s.foot_length_mm, abs=3.0)
    same_pass = [(a, b) for a, b in zip(steps, steps[1:]) if b.ic_s - a.ic_s < 1.0]
    assert same_pass and all(b.origin_x_mm - a.origin_x_mm > 500 for a, b in same_pass)


def test_cut_steps_are_flagged() -> None:
    sim = simulate("walker", seed=2, duration_s=20.0)
    steps = truth_steps(sim.truth)
    width = sim.geometry.cols * sim.geometry.pitch_col_mm
    for s in steps:
        off_mat = s.origin_x_mm < 0 or s.origin_x_mm + s.foot_length_mm > width
        if off_mat:
            assert s.cut
    assert 0 < sum(s.cut for s in steps) < len(steps)


def test_saturation_dead_cells_and_offsets() -> None:
    sim = simulate("shuffling-runner", seed=1, duration_s=2.0, gain_kpa=0.15, dead_cells=6)
    frames = sim.render(0, sim.n_frames)
    assert (frames == 4095).sum() > 0
    dead = frames.max(axis=0) == 0
    assert dead.sum() >= 6
    empty = frames[:, :, :3]  # columns far from any foot hold only offsets and noise
    assert 0 < empty.mean() < 6


def test_dropped_frames_make_counters_skip() -> None:
    sim = simulate("trained-runner", seed=1, duration_s=3.0, drop_fraction=0.05)
    rec = sim.recording()
    assert rec.n_frames < 300
    jumps = np.diff(rec.counter)
    assert rec.gaps.total_missing == int((jumps - 1).sum()) == 300 - rec.n_frames
    np.testing.assert_array_equal(rec.counter[rec.gaps.frame_index] - rec.counter[rec.gaps.frame_index - 1] - 1, rec.gaps.missing)


def test_unknown_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown simulator setting colour"):
        simulate("walker", colour="red")
    with pytest.raises(ValueError, match="unknown preset"):
        simulate("sprinter")


@pytest.mark.parametrize("preset, rear_mm", [("forefoot-runner", (8.0, 12.0)), ("trained-runner", (0.5, 3.0))])
def test_truth_foot_x_starts_at_the_rear_edge_of_the_loaded_footprint(preset: str, rear_mm: tuple[float, float]) -> None:
    # a fine, clean sensor shows the noise-free field: its cells above the noise threshold
    # at any frame of the stance, projected on the truth's foot axis, reach back to its x = 0
    sim = simulate(preset, seed=1, duration_s=3.0, pitch_mm=1.0, rows=300, cols=1600, gain_kpa=0.01, **CLEAN)
    index, true = next((k, s) for k, s in enumerate(truth_steps(sim.truth)) if not s.cut)
    step, rec = sim.steps[index], sim.recording()
    frames = np.flatnonzero((sim.frame_time_s > step.t_on) & (sim.frame_time_s < step.t_off))
    heading = np.deg2rad(true.progression_angle_deg) * (1.0 if true.side == 0 else -1.0)  # the functional axis's
    axis = np.cos(heading), np.sin(heading)
    rearmost = np.inf
    for frame in frames:
        rows, cols = np.nonzero(rec.pressure(int(frame)) > NOISE_KPA)
        shift = sim.belt_mm(sim.frame_time_s[frame]) - sim.belt_mm(step.t_on)
        dx, dy = (cols + 0.5) * 1.0 - step.origin[0] + shift, (rows + 0.5) * 1.0 - step.origin[1]
        rearmost = min(rearmost, float(np.min(axis[0] * dx + axis[1] * dy, initial=np.inf)))
    assert rear_mm[0] < true.footprint_rear_mm < rear_mm[1]
    assert rearmost == pytest.approx(true.footprint_rear_mm, abs=1.0)


def test_truth_foot_frame_is_the_functional_axis_of_the_rendered_pressures() -> None:
    # on a fine, clean walkway a foot stays put, so the sum of its stance's frames is its
    # pressure-time integral: the heel's and the metatarsal heads' centroids of it span the
    # documented (functional) axis, on which the rendered CoP path must match the truth's
    sim = simulate("walker", seed=2, duration_s=3.0, pitch_mm=1.0, rows=300, cols=1600, gain_kpa=0.02, adc_bits=16, **CLEAN)
    index, true = next((k, s) for k, s in enumerate(truth_steps(sim.truth)) if not s.cut)
    step, rec = sim.steps[index], sim.recording()
    frames = np.flatnonzero((sim.frame_time_s > step.t_on) & (sim.frame_time_s < step.t_off))
    mat_y, mat_x = (np.indices(sim.geometry.shape) + 0.5) * 1.0
    along = np.cos(step.heading) * (mat_x - step.origin[0]) + np.sin(step.heading) * (mat_y - step.origin[1])
    across = np.abs(np.cos(step.heading) * (mat_y - step.origin[1]) - np.sin(step.heading) * (mat_x - step.origin[0]))
    length, width = true.foot_length_mm, true.foot_width_mm
    foot = (along > -10.0) & (along < length + 10.0) & (across < 0.7 * width)  # this foot alone
    pressures = np.stack([rec.pressure(int(f)) * foot for f in frames])
    integral = pressures.sum(axis=0)

    def centroid(weights: np.ndarray) -> np.ndarray:
        return np.array([np.sum(weights * mat_x), np.sum(weights * mat_y)]) / weights.sum()

    heel = centroid(integral * (along < 0.3 * length))
    metatarsal = centroid(integral * ((along > 0.6 * length) & (along < 0.82 * length)))
    axis = (metatarsal - heel) / np.linalg.norm(metatarsal - heel)
    toe_out = np.degrees(np.arctan2(axis[1], axis[0])) * (1.0 if true.side == 0 else -1.0)
    assert true.progression_angle_deg == pytest.approx(toe_out, abs=0.05)
    # the metatarsal heads' load centres lateral of MTH2/3: 1-2 degrees more toe-out
    assert 1.0 < true.progression_angle_deg - sim.config.progression_angle_deg < 2.0
    medial = np.array([-axis[1], axis[0]]) * (-1.0 if true.side == 0 else 1.0)
    loaded = (pressures > NOISE_KPA).any(axis=0)
    rear = np.min(mat_x[loaded] * axis[0] + mat_y[loaded] * axis[1])
    cop = np.array([centroid(p) for p in pressures])
    stance_pct = 100.0 * (sim.frame_time_s[frames] - true.ic_s) / (true.to_s - true.ic_s)
    inside = (stance_pct >= 0.0) & (stance_pct <= 100.0)
    x = cop[inside] @ axis - rear
    y = (cop[inside] - heel) @ medial
    true_x, true_y = (np.interp(stance_pct[inside], np.arange(101), true.cop_foot_mm[:, i]) for i in (0, 1))
    np.testing.assert_allclose(x, true_x, atol=1.0)
    np.testing.assert_allclose(y, true_y, atol=0.3)


@pytest.mark.parametrize("preset", tuple(PRESETS))
def test_region_rule_keeps_every_blob_inside_its_region(preset: str) -> None:
    # the regions of docs/metrics.md (v2): per side, the medians over the whole steps of the
    # loaded outline's rear edge and front tip from the heel centre along the functional
    # axis; boundaries at 30 % and 60 % between them. Every blob's whole support lies in
    # its own region, so the blob model's region forces (sums of blob loads) are the
    # integrals of its field over these regions: its truth needs no change
    sim = simulate(preset, seed=7, duration_s=12.0)
    truths = truth_steps(sim.truth)
    region = np.array([("rearfoot", "midfoot", "forefoot").index(r) for r in REGION_OF_BLOB])
    outlines = []
    for step in sim.steps:
        loads = step.loads_n(step.truth_grid_s(1e-4))
        heel, axis = step.heel_and_axis(loads.sum(axis=1) * 1e-4)
        peaks = loads.max(axis=1)
        rear = loaded_rear_edge_mm(peaks, step.centres, step.axes, axis=axis, threshold_kpa=NOISE_KPA)
        front = -loaded_rear_edge_mm(peaks, step.centres, step.axes, axis=-axis, threshold_kpa=NOISE_KPA)
        outlines.append((rear - heel @ axis, front - heel @ axis, heel, axis))
    for side in (0, 1):
        whole = [o for o, t in zip(outlines, truths) if t.side == side and not t.cut]
        if not whole:  # hops on one foot; a short walkway whose whole steps are one foot's
            continue
        rear, front = np.median([o[0] for o in whole]), np.median([o[1] for o in whole])
        bounds = np.array([-np.inf, rear + 0.3 * (front - rear), rear + 0.6 * (front - rear), np.inf])
        for (_, _, heel, axis), step in ((o, s) for o, s in zip(outlines, sim.steps) if s.side == side):
            centre = (step.centres - heel) @ axis
            reach = np.hypot(step.axes[:, 0] * axis[0], step.axes[:, 1] * axis[1])
            assert np.all(centre - reach > bounds[region]) and np.all(centre + reach < bounds[region + 1])
