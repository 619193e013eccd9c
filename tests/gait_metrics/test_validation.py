"""gait_metrics against the simulator's exact ground truth, on every preset and both foot models (issues 4, 13)."""

from __future__ import annotations

import dataclasses
from functools import lru_cache

import numpy as np
import pytest

from gait_metrics import analyze
from mat_sim.simulator import FOOT_MODELS, PRESETS
from tests.validation_support import ValidatedSession

# overground passes need longer for enough whole steps (the devkit's mat is 1.2 m long)
DURATION_S = {"walker": 24.0, "lab-walker": 24.0, "devkit-walker": 40.0}
_PLANTAR_TREADMILL = {
    ("plantar", p) for p in ("shuffling-runner", "trained-runner", "forefoot-runner", "treadmill-walker", "midfoot-runner", "asymmetric-runner", "fast-runner")
}
#: Known limits: on these (foot model, preset) pairs a check holds only to a wider bound,
#: measured at seed 11 and documented in docs/metrics.md ("Known limits on the plantar
#: model"); everywhere else the check's own bound applies. Each entry is still asserted,
#: so the gap cannot grow unnoticed.
KNOWN_LIMITS: dict[str, dict[tuple[str, str], float]] = {
    # a 1.5 m walkway: passes of one or two whole steps, so no alternation to confirm a
    # side: the share of included steps whose side is confident (the sides are all right)
    "sides_confident_frac": {("blobs", "devkit-walker"): 0.4, ("plantar", "devkit-walker"): 0.4},
    # CoP path RMS median, pitches (bound 0.5): the plantar treadmill presets measure
    # 0.71-1.02 (the origin x alone 0.70-1.02; the belt compensation of the anchors)
    "cop_path_pitch": {pair: 1.2 for pair in _PLANTAR_TREADMILL},
    # the origin x alone, median in pitches (bound 0.2): blobs fast runner 0.23, plantar
    # devkit 0.21 and the plantar treadmill presets as above
    "cop_x_pitch": {("blobs", "fast-runner"): 0.3, ("plantar", "devkit-walker"): 0.3} | {pair: 1.2 for pair in _PLANTAR_TREADMILL},
    # belt speed, relative error per step (bound 0.03): the plantar metatarsal anchor drifts
    # forward as the load rolls from MTH5 to MTH1 and the hallux (session -2.0 to -2.9 %,
    # single steps up to 6 %)
    "belt_speed_rel": {("plantar", p): 0.08 for p in ("trained-runner", "forefoot-runner", "treadmill-walker", "fast-runner")},
    # step length, relative (bound 0.05): plantar forefoot runner -5.3 %, treadmill walker -6.9 %
    "step_length_rel": {("plantar", "forefoot-runner"): 0.08, ("plantar", "treadmill-walker"): 0.08},
    # progression angle, degrees (bound 0.5): the analysis's axis (rear-quarter centroid to
    # the 60-80 % band's) against the truth's (heel pad to the MTH pads' centroid) 0.62-1.63;
    # devkit: one-foot passes, so toe-out does not cancel in the direction (5.5-9.6)
    "angle_deg": {("blobs", "devkit-walker"): 11.0, ("plantar", "devkit-walker"): 11.0} | {pair: 2.0 for pair in _PLANTAR_TREADMILL},
}


def bound(session: ValidatedSession, check: str, default: float) -> float:
    """The check's bound for this session: its known limit, else ``default``."""
    return KNOWN_LIMITS[check].get((session.foot_model, session.preset), default)


class Session(ValidatedSession):
    """One preset on one foot model, simulator seed 11."""

    def __init__(self, name: str, foot_model: str) -> None:
        super().__init__(name, foot_model, seed=11, duration_s=DURATION_S.get(name, 14.0))
        self.name = name

    @property
    def pitch_mm(self) -> float:
        return self.recording.geometry.pitch_col_mm


@lru_cache(maxsize=None)
def simulated(name: str, foot_model: str = "blobs") -> Session:
    return Session(name, foot_model)


#: hops and the coarse 60 Hz pass are checked for steps and sides in test_setups.py (this
#: harness's step width, step length and one-frame event checks do not fit them)
SETUP_PRESETS = ("hopper", "velostat-pass")


@pytest.fixture(params=[(p, m) for m in FOOT_MODELS for p in PRESETS if p not in SETUP_PRESETS], ids="{0[1]}-{0[0]}".format)
def session(request) -> Session:
    return simulated(*request.param)


def test_every_whole_step_is_found_and_no_cut_one_is_counted(session: Session) -> None:
    whole = [t for t in session.truth if not t.cut]
    assert len(session.pairs) >= max(0.9 * len(whole), 5)
    frame_s = session.frame_s
    end_s = session.recording.n_frames * frame_s
    for k, true in session.pairs:
        assert abs(session.result.steps.ic_s[k] - true.ic_s) < frame_s, "an included step has no true step"
        # a contact that runs past the recording only below the event level is whole:
        # its IC and TO are there (the rule that keeps exports starting at first contact)
        whole_events = true.ic_s > frame_s and true.to_s < end_s - frame_s
        assert not true.cut or whole_events, f"step {k}: a step cut by the mat or the recording was counted"
    assert len({id(t) for _, t in session.pairs}) == len(session.pairs)  # one true step each


def test_events_within_one_frame(session: Session) -> None:
    steps = session.result.steps
    for name in ("ic_s", "forefoot_contact_s", "ff_s", "ho_s", "to_s"):
        measured = np.array([getattr(steps, name)[k] for k, _ in session.pairs])
        expected = np.array([getattr(t, name) for _, t in session.pairs])
        assert np.array_equal(np.isnan(measured), np.isnan(expected)), name
        known = np.isfinite(expected)
        assert np.abs(measured[known] - expected[known]).max(initial=0.0) <= session.frame_s, name


def test_transition_time_within_10_ms(session: Session) -> None:
    steps = session.result.steps
    for k, true in session.pairs:
        assert steps.transition_ms[k] == pytest.approx(true.transition_ms, abs=10.0)
        assert bool(steps.heel_loaded[k]) == true.heel_loaded
    patterns = {steps.strike_pattern[k] for k, _ in session.pairs}
    if session.sim.config.strike == "forefoot":
        assert all(steps.transition_ms[k] == 0.0 and not steps.heel_loaded[k] for k, _ in session.pairs)
        assert patterns == {"forefoot"}
    else:  # the truth's own: rearfoot, or midfoot for the plantar model's midfoot runner
        assert [steps.strike_pattern[k] for k, _ in session.pairs] == list(session.true_strike_patterns())


def test_issue_13_targets(session: Session) -> None:
    """Event medians within 0.3 frame; the transition's median error and the SD of its
    per-step error within 5 ms."""
    for event in ("ic_s", "ff_s", "ho_s", "to_s"):
        errors = session.errors_s(event)
        known = np.isfinite(errors)  # FF and HO are NaN on both sides without heel loading
        if known.any():
            assert np.median(np.abs(errors[known])) <= 0.3 * session.frame_s, event
    errors_ms = session.transition_errors_ms()
    assert np.all(np.isfinite(errors_ms))
    assert abs(np.median(errors_ms)) <= 5.0
    assert np.std(errors_ms, ddof=1) <= 5.0


def test_sides_are_all_correct_and_confident(session: Session) -> None:
    steps = session.result.steps
    assert all(steps.side[k] == true.side for k, true in session.pairs)
    confident = np.mean([steps.side_confident[k] for k, _ in session.pairs])
    assert confident >= bound(session, "sides_confident_frac", 1.0)


def cop_errors(session: Session) -> np.ndarray:
    """Per included step: RMS distance (mm) between the measured and the true CoP path in
    foot coordinates over 0..100 % stance, and the same for x and y alone."""
    curves = session.result.curves
    rows = []
    for k, true in session.pairs:
        difference = np.column_stack([curves.cop_x_mm[k], curves.cop_y_mm[k]]) - true.cop_foot_mm
        rows.append([np.sqrt(np.mean(np.sum(difference**2, axis=1))), *np.sqrt(np.mean(difference**2, axis=0))])
    return np.array(rows)


def test_cop_path_in_foot_coordinates(session: Session) -> None:
    # both paths in the foot frame of docs/metrics.md: the functional axis, x from the rear
    # edge of the loaded footprint, which for the forefoot striker's barely loaded heel lies
    # ~10 mm inside the skin
    errors = cop_errors(session) / session.pitch_mm  # columns: path, x, y; in cell pitches
    path_bound = bound(session, "cop_path_pitch", 0.5)  # issue 4
    assert np.median(errors[:, 0]) <= path_bound
    assert np.percentile(errors[:, 0], 90) <= (0.6 if path_bound == 0.5 else 1.5)
    assert np.median(errors[:, 1]) <= bound(session, "cop_x_pitch", 0.2)  # the origin: x alone


def test_belt_speed_within_3_percent(session: Session) -> None:
    info = session.result.info
    if session.recording.metadata.setup != "treadmill":
        assert info["belt_speed_estimated_m_s"] is None and info["belt_speed_set_m_s"] is None
        return
    assert info["belt_speed_set_m_s"] == session.recording.metadata.belt_speed_m_s
    rel = bound(session, "belt_speed_rel", 0.03)
    stance_speed = [t.belt_displacement_mm / (t.to_s - t.ic_s) / 1000.0 for _, t in session.pairs]
    assert info["belt_speed_estimated_m_s"] == pytest.approx(np.median(stance_speed), rel=rel)
    for (k, _), true_speed in zip(session.pairs, stance_speed):
        assert session.result.steps.belt_speed_m_s[k] == pytest.approx(true_speed, rel=rel)


def test_spatiotemporal_and_kinetic_values(session: Session) -> None:
    config = session.sim.config
    summary = session.result.summary["all"]
    true_stance = np.mean([1000.0 * (t.to_s - t.ic_s) for _, t in session.pairs])
    assert summary["stance_ms"]["mean"] == pytest.approx(true_stance, abs=5.0)  # walking: the soft edges under 5 kPa
    assert summary["cadence_spm"]["mean"] == pytest.approx(config.cadence_spm, rel=0.03)
    speed = config.belt_speed_m_s if config.setup == "treadmill" else config.walk_speed_m_s
    expected_step_mm = speed * 60000.0 / config.cadence_spm
    assert summary["step_length_mm"]["mean"] == pytest.approx(expected_step_mm, rel=bound(session, "step_length_rel", 0.05))
    assert summary["step_width_mm"]["mean"] == pytest.approx(config.step_width_mm, abs=12.0)
    # the functional axis of the truth; the simulator's anatomical axis lies 1.5 degrees inside it
    true_angle = np.array([t.progression_angle_deg for _, t in session.pairs])
    measured_angle = np.array([session.result.steps.progression_angle_deg[k] for k, _ in session.pairs])
    assert np.abs(measured_angle - true_angle).max() <= bound(session, "angle_deg", 0.5)
    true_peak = np.array([t.peak_force_n for _, t in session.pairs])
    measured_peak = np.array([session.result.steps.peak_force_n[k] for k, _ in session.pairs])
    assert np.allclose(measured_peak, true_peak, rtol=0.05)
    assert summary["peak_force_bw"]["mean"] == pytest.approx(true_peak.mean() / (config.body_mass_kg * 9.80665), rel=0.05)
    if config.gait == "run":
        assert summary["flight_ms"]["mean"] > 20.0 and summary["double_support_ms"]["mean"] == 0.0
    else:
        assert summary["double_support_ms"]["mean"] > 20.0 and summary["flight_ms"]["mean"] == 0.0


@pytest.mark.parametrize("foot_model", FOOT_MODELS)
def test_shuffling_and_trained_runners_differ_by_the_simulated_amount(foot_model: str) -> None:
    before, after = simulated("shuffling-runner", foot_model), simulated("trained-runner", foot_model)
    measured = [np.mean([s.result.steps.transition_ms[k] for k, _ in s.pairs]) for s in (before, after)]
    true = [np.mean([t.transition_ms for _, t in s.pairs]) for s in (before, after)]
    configured = PRESETS["shuffling-runner"].foot_flat_ms - PRESETS["trained-runner"].foot_flat_ms
    assert measured[0] - measured[1] == pytest.approx(true[0] - true[1], abs=2.0)
    assert measured[0] - measured[1] == pytest.approx(configured, abs=5.0)


def test_belt_speed_without_a_set_speed() -> None:
    session = simulated("trained-runner")
    recording = dataclasses.replace(session.recording, metadata=dataclasses.replace(session.recording.metadata, belt_speed_m_s=None))
    result = analyze(recording)
    assert result.info["belt_speed_set_m_s"] is None
    assert result.info["belt_speed_estimated_m_s"] == pytest.approx(session.result.info["belt_speed_estimated_m_s"], rel=0.005)


@pytest.mark.parametrize("foot_model", FOOT_MODELS)
def test_asymmetric_runner_sides_differ_by_the_true_amount(foot_model: str) -> None:
    session = simulated("asymmetric-runner", foot_model)
    steps = session.result.steps
    measured, true = (
        [np.median([value(k, t) for k, t in session.pairs if t.side == side]) for side in (0, 1)]
        for value in (lambda k, t: steps.transition_ms[k], lambda k, t: t.transition_ms)
    )
    assert measured[1] - measured[0] == pytest.approx(true[1] - true[0], abs=3.0)
