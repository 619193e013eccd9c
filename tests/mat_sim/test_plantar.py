"""The second foot model ("plantar") against its own construction and the written definitions.

(The rendered force on a clean sensor is tested for both models in test_simulator.py.)"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import find_peaks

from gait_metrics.config import AnalysisConfig
from mat_sim.plantar import PADS, force_shape_bw
from mat_sim.simulator import PRESETS, simulate, truth_steps
from tests.mat_sim.test_simulator import CLEAN

MTH = [k for k, pad in enumerate(PADS) if pad.name.startswith("mth")]  # MTH1 (medial) ... MTH5
TOES = [pad.name for pad in PADS].index("toes")
DEFAULTS = AnalysisConfig()


@pytest.fixture(scope="module")
def runner():
    return simulate("shuffling-runner", seed=3, duration_s=12.0, foot_model="plantar")


def stance_loads(sim, index: int, dt_s: float = 1e-4) -> tuple[np.ndarray, np.ndarray]:
    step = sim.steps[index]
    t = np.arange(step.t_on, step.t_off, dt_s)
    return t, step.loads_n(t)


@pytest.mark.parametrize("preset", tuple(PRESETS))
def test_every_preset_runs_and_pad_loads_sum_to_a_body_weight_curve(preset: str) -> None:
    sim = simulate(preset, seed=5, duration_s=3.0, foot_model="plantar")
    body_weight = sim.config.body_mass_kg * 9.80665
    for index, step in enumerate(sim.steps[:3]):
        t, loads = stance_loads(sim, index)
        assert np.all(loads >= 0.0)
        tau = (t - step.t_on) / (step.t_off - step.t_on)
        np.testing.assert_allclose(loads.sum(axis=0), force_shape_bw(tau, sim.config.gait, sim.config.strike) * body_weight, rtol=1e-12)
    peaks = sim.truth["step_peak_force_n"] / body_weight
    assert np.all((2.0 < peaks) & (peaks < 3.0)) if sim.config.gait == "run" else np.all((1.0 < peaks) & (peaks < 1.3))


def test_force_curves_have_the_shape_of_their_gait() -> None:
    tau = np.linspace(0.0, 1.0, 4001)
    rear = force_shape_bw(tau, "run", "rearfoot")
    peaks, _ = find_peaks(rear)
    assert len(peaks) == 2 and tau[peaks[0]] < 0.15 and 2.4 < rear[peaks[1]] < 2.6  # impact, active peak
    assert len(find_peaks(force_shape_bw(tau, "run", "forefoot"))[0]) == 1  # no impact
    walk = force_shape_bw(tau, "walk", "rearfoot")
    humps, _ = find_peaks(walk)
    assert len(humps) == 2 and np.all(walk[humps] > 1.0) and 0.6 < walk[humps[0] : humps[1]].min() < 0.9


def test_same_seed_same_frames_whatever_the_chunking() -> None:
    a = simulate("trained-runner", seed=5, duration_s=2.0, foot_model="plantar")
    b = simulate("trained-runner", seed=5, duration_s=2.0, foot_model="plantar")
    c = simulate("trained-runner", seed=6, duration_s=2.0, foot_model="plantar")
    whole = a.render(0, 200)
    np.testing.assert_array_equal(whole, b.render(0, 200))
    parts = np.concatenate([a.render(0, 71), a.render(71, 72), a.render(72, 200)])
    np.testing.assert_array_equal(whole, parts)
    np.testing.assert_array_equal(a.truth["step_ff_s"], b.truth["step_ff_s"])
    assert not np.array_equal(a.truth["step_ic_s"], c.truth["step_ic_s"])
    assert not np.array_equal(whole, simulate("trained-runner", seed=5, duration_s=2.0).render(0, 200))  # not the blobs


def test_lateral_metatarsal_heads_load_before_medial_ones(runner) -> None:
    delays_ms = []
    for index in range(len(runner.steps)):
        t, loads = stance_loads(runner, index)
        onset = [t[np.argmax(loads[k] > 10.0)] for k in MTH]  # MTH1 ... MTH5
        assert np.all(np.diff(onset) <= 0.0), "MTH5 first, MTH1 last"
        delays_ms.append(1000.0 * (onset[0] - onset[-1]))
    assert 15.0 < np.median(delays_ms) < 50.0  # tens of ms from MTH5 to MTH1


def test_toes_register_on_some_steps_only(runner) -> None:
    loaded = np.array([stance_loads(runner, k)[1][TOES].max() > 5.0 for k in range(len(runner.steps))])
    assert 0.15 < loaded.mean() < 0.7
    assert np.array_equal(loaded, [s.anatomy.toes_registered for s in runner.steps])


def test_foot_flat_is_the_requested_lag_with_a_step_to_step_spread() -> None:
    for preset in ("shuffling-runner", "trained-runner"):
        steps = truth_steps(simulate(preset, seed=1, duration_s=30.0, foot_model="plantar").truth)
        transitions = np.array([s.transition_ms for s in steps])
        assert np.median(transitions) == pytest.approx(PRESETS[preset].foot_flat_ms, abs=5.0)
        assert 8.0 < transitions.std() < 16.0


def test_asymmetric_runner_lags_40_ms_longer_on_the_right() -> None:
    steps = truth_steps(simulate("asymmetric-runner", seed=1, duration_s=30.0, foot_model="plantar").truth)
    left, right = ([s.transition_ms for s in steps if s.side == side] for side in (0, 1))
    assert np.median(right) - np.median(left) == pytest.approx(40.0, abs=6.0)


@pytest.mark.parametrize("preset, pattern", [("shuffling-runner", (0, 33.3)), ("midfoot-runner", (33.3, 66.7)), ("forefoot-runner", (66.7, 100))])
def test_strike_patterns(preset: str, pattern: tuple[float, float]) -> None:
    steps = truth_steps(simulate(preset, seed=1, duration_s=4.0, foot_model="plantar").truth)
    assert all(pattern[0] < s.strike_index_pct < pattern[1] for s in steps)
    assert all(s.heel_loaded == (preset != "forefoot-runner") for s in steps)


def test_loaded_footprint_is_shorter_than_the_anatomical_foot(runner) -> None:
    for step in runner.steps:
        heel, axis, rear, front = step.footprint
        tip = heel @ axis + front  # from the anatomical heel edge
        assert 0.0 < heel @ axis + rear < 10.0
        assert tip < runner.config.foot_length_mm - 5.0
    toes_on = [s.footprint[3] for s in runner.steps if s.anatomy.toes_registered]
    toes_off = [s.footprint[3] for s in runner.steps if not s.anatomy.toes_registered]
    assert np.median(toes_on) - np.median(toes_off) > 3.0  # the 2nd-3rd toes reach past the hallux


def test_region_forces_and_events_are_integrals_of_the_rendered_field() -> None:
    # a fine, clean, fast sensor shows the continuous field: integrate its cells over the
    # truth's regions (boundaries along the step's functional axis from its heel centre)
    # and find FF and HO on those forces; they must match the truth's
    sim = simulate(
        "shuffling-runner", seed=4, duration_s=1.2, foot_model="plantar", pitch_mm=2.0, rows=240, cols=680, rate_hz=400.0, adc_bits=16, gain_kpa=0.05, **CLEAN
    )
    truths = truth_steps(sim.truth)
    index = next(k for k, s in enumerate(truths) if not s.cut)
    step, true = sim.steps[index], truths[index]
    heel, axis, _, _ = step.footprint
    rec = sim.recording()
    frames = np.flatnonzero((sim.frame_time_s > step.t_on) & (sim.frame_time_s < step.t_off))
    mat = np.stack(np.meshgrid((np.arange(sim.geometry.cols) + 0.5) * 2.0, (np.arange(sim.geometry.rows) + 0.5) * 2.0), axis=-1)
    rear, fore = [], []
    for frame in frames:
        time_s = sim.frame_time_s[frame]
        along = (step.to_foot(mat, float(sim.belt_mm(time_s) - sim.belt_mm(step.t_on))) - heel) @ axis
        pressure = rec.pressure(int(frame)) * 4.0 / 1000.0  # N per cell
        rear.append(pressure[along < step.bounds_mm[0]].sum())
        fore.append(pressure[along >= step.bounds_mm[1]].sum())
    t = sim.frame_time_s[frames]
    true_rear, true_fore = step.region_forces_n(step.loads_n(t))
    peak = true.peak_force_n
    assert np.abs(np.array(rear) - true_rear).max() < 0.01 * peak
    assert np.abs(np.array(fore) - true_fore).max() < 0.01 * peak
    level = DEFAULTS.threshold_frac * peak
    rear, fore = np.array(rear), np.array(fore)
    on = np.flatnonzero((rear >= level) & (fore >= level))
    off = np.flatnonzero(rear >= level)
    assert t[on[0] - 1] < true.ff_s <= t[on[0]]
    assert t[off[-1]] <= true.ho_s < t[off[-1] + 1]


def test_region_boundaries_follow_the_side_medians(runner) -> None:
    truths = truth_steps(runner.truth)
    for side in (0, 1):
        mine = [s for s, t in zip(runner.steps, truths) if s.side == side]
        whole = [s for s, t in zip(runner.steps, truths) if s.side == side and not t.cut]
        rear = np.median([s.footprint[2] for s in whole])
        length = np.median([s.footprint[3] for s in whole]) - rear
        for s in mine:
            assert s.bounds_mm == pytest.approx((rear + 0.3 * length, rear + 0.6 * length))
        # the lateral midfoot band straddles the 30 % boundary and MTH5 the 60 % one
        shares = mine[0].region_shares
        assert shares[1, 0] > 0.005 and shares[1, 2] > 0.005
        assert 0.005 < shares[MTH[-1], 1] < 0.5
        np.testing.assert_allclose(shares.sum(axis=1), 1.0)
