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
_PLANTAR_TREADMILL = {("plantar", p) for p in ("shuffling-runner", "trained-runner", "forefoot-runner", "treadmill-walker",
                                                 "midfoot-runner", "asymmetric-runner", "fast-runner")}
#: Checks the current analysis does not meet yet on these (foot model, preset) pairs, with
#: what it measured (seed 11): not asserted there, asserted everywhere else. The lead sets
#: the thresholds for the plantar model after the region work (issue 13).
PENDING: dict[str, set[tuple[str, str]]] = {
    "events": set(),
    # a 1.5 m walkway: passes of one or two whole steps, so no alternation to confirm a side
    "sides_confident": {("blobs", "devkit-walker"), ("plantar", "devkit-walker")},
    # CoP path x median 0.23 pitch (blobs fast runner); plantar on a treadmill: path RMS
    # median 0.71-1.02 pitch, x alone 0.70-1.02 (the belt compensation), devkit 0.21 x
    "cop_path": {("blobs", "fast-runner"), ("plantar", "devkit-walker")} | _PLANTAR_TREADMILL,
    # plantar: the metatarsal anchor drifts forward as the load rolls from MTH5 to MTH1 and
    # the hallux; session estimate -2.0 to -2.9 %, single steps up to 6 %
    "belt_speed": {("plantar", p) for p in ("trained-runner", "forefoot-runner", "treadmill-walker", "fast-runner")},
    # plantar step length from the belt speed: -5.3 % (forefoot runner), -6.9 % (treadmill walker)
    "step_length": {("plantar", "forefoot-runner"), ("plantar", "treadmill-walker")},
    # plantar: the analysis's axis (rear-quarter centroid to the 60-80 % band's, which takes
    # in MTH5's rear, the hallux's and toes' tails) against the truth's (heel pad to the MTH
    # pads' centroid): 0.62-1.63 degrees; devkit: passes with one foot only, so toe-out does
    # not cancel in the direction of progression (9.6 and 5.5 degrees on those steps)
    "angle": {("blobs", "devkit-walker"), ("plantar", "devkit-walker")} | _PLANTAR_TREADMILL,
}


def pending(session: ValidatedSession, check: str) -> bool:
    """True if ``check`` is listed in PENDING for this session's model and preset."""
    return (session.foot_model, session.preset) in PENDING[check]


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
    if pending(session, "events"):
        return
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
        if not pending(session, "events"):
            assert steps.transition_ms[k] == pytest.approx(true.transition_ms, abs=10.0)
        assert bool(steps.heel_loaded[k]) == true.heel_loaded
    patterns = {steps.strike_pattern[k] for k, _ in session.pairs}
    if session.sim.config.strike == "forefoot":
        assert all(steps.transition_ms[k] == 0.0 and not steps.heel_loaded[k] for k, _ in session.pairs)
        assert patterns == {"forefoot"}
    else:  # the truth's own: rearfoot, or midfoot for the plantar model's midfoot runner
        assert [steps.strike_pattern[k] for k, _ in session.pairs] == list(session.true_strike_patterns())


def test_sides_are_all_correct_and_confident(session: Session) -> None:
    steps = session.result.steps
    assert all(steps.side[k] == true.side for k, true in session.pairs)
    assert pending(session, "sides_confident") or all(steps.side_confident[k] for k, _ in session.pairs)


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
    if pending(session, "cop_path"):
        return
    errors = cop_errors(session) / session.pitch_mm  # columns: path, x, y; in cell pitches
    assert np.median(errors[:, 0]) <= 0.5  # issue 4
    assert np.percentile(errors[:, 0], 90) <= 0.6
    assert np.median(errors[:, 1]) <= 0.2  # the origin: x alone


def test_belt_speed_within_3_percent(session: Session) -> None:
    info = session.result.info
    if session.recording.metadata.setup != "treadmill":
        assert info["belt_speed_estimated_m_s"] is None and info["belt_speed_set_m_s"] is None
        return
    assert info["belt_speed_set_m_s"] == session.recording.metadata.belt_speed_m_s
    if pending(session, "belt_speed"):
        return
    stance_speed = [t.belt_displacement_mm / (t.to_s - t.ic_s) / 1000.0 for _, t in session.pairs]
    assert info["belt_speed_estimated_m_s"] == pytest.approx(np.median(stance_speed), rel=0.03)
    for (k, _), true_speed in zip(session.pairs, stance_speed):
        assert session.result.steps.belt_speed_m_s[k] == pytest.approx(true_speed, rel=0.03)


def test_spatiotemporal_and_kinetic_values(session: Session) -> None:
    config = session.sim.config
    summary = session.result.summary["all"]
    true_stance = np.mean([1000.0 * (t.to_s - t.ic_s) for _, t in session.pairs])
    assert summary["stance_ms"]["mean"] == pytest.approx(true_stance, abs=5.0)  # walking: the soft edges under 5 kPa
    assert summary["cadence_spm"]["mean"] == pytest.approx(config.cadence_spm, rel=0.03)
    speed = config.belt_speed_m_s if config.setup == "treadmill" else config.walk_speed_m_s
    if not pending(session, "step_length"):
        assert summary["step_length_mm"]["mean"] == pytest.approx(speed * 60000.0 / config.cadence_spm, rel=0.05)
    assert summary["step_width_mm"]["mean"] == pytest.approx(config.step_width_mm, abs=12.0)
    # the functional axis of the truth; the simulator's anatomical axis lies 1.5 degrees inside it
    true_angle = np.array([t.progression_angle_deg for _, t in session.pairs])
    measured_angle = np.array([session.result.steps.progression_angle_deg[k] for k, _ in session.pairs])
    assert pending(session, "angle") or np.abs(measured_angle - true_angle).max() <= 0.5
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
    measured, true = ([np.median([value(k, t) for k, t in session.pairs if t.side == side]) for side in (0, 1)]
                      for value in (lambda k, t: steps.transition_ms[k], lambda k, t: t.transition_ms))
    assert measured[1] - measured[0] == pytest.approx(true[1] - true[0], abs=3.0)
