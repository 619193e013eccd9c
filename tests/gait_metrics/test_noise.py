"""Noisy cheap mats (issue 15): the noise model, dead and stuck cells, saturation, and every
preset at the simulator's clean, Velostat and bad sensor levels, against its truth."""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

import numpy as np
import pytest

from gait_metrics import AnalysisConfig, SessionResult, analyze
from gait_metrics.analyze import analysis_stages
from gait_metrics.live import StepStream
from gait_metrics.noise import estimate_noise
from gait_metrics.saturation import extrapolate_saturated
from mat_driver.model import Calibration, Geometry, Recording
from mat_sim.simulator import FOOT_MODELS, PRESETS, SENSOR_LEVELS, StepTruth, simulate, truth_steps

FRAME_S = 0.01  # the original presets' 100 Hz
DURATION_S = {"walker": 24.0, "lab-walker": 24.0, "velostat-pass": 24.0, "devkit-walker": 40.0}  # overground passes need longer for enough whole steps
PRESET_NAMES = ("shuffling-runner", "trained-runner", "forefoot-runner", "walker", "treadmill-walker")
CONFIG = AnalysisConfig()


def untared(recording: Recording) -> Recording:
    """The recording as if made without ``--tare``."""
    return dataclasses.replace(recording, calibration=Calibration(gain_kpa=recording.calibration.gain_kpa, calibrated=True))


class Session:
    """A simulated session at one sensor level, its analysis, and each included step's true step."""

    def __init__(self, preset: str, level: str, *, tare: bool = True, foot_model: str = "blobs") -> None:
        self.sim = simulate(preset, seed=11, duration_s=DURATION_S.get(preset, 12.0), foot_model=foot_model, **SENSOR_LEVELS[level])
        recording = self.sim.recording()
        self.recording = dataclasses.replace(recording, frames=recording.raw())  # rendered once
        self.truth = truth_steps(recording.truth)
        self.result: SessionResult = analyze(self.recording if tare else untared(self.recording))
        true_ic = np.array([t.ic_s for t in self.truth])
        self.pairs = []
        for k in np.flatnonzero(self.result.steps.included):
            nearest = int(np.argmin(np.abs(true_ic - self.result.steps.ic_s[k])))
            self.pairs.append((k, self.truth[nearest]))

    def whole(self) -> list:
        """True steps neither cut by the mat nor by the recording.

        The truth's mat edge is the blob model's outline (its pads' axes), which a pad's tail
        may pass: a true step that the analysis excluded as cut by the mat edge is not whole
        when its noise-free pressure exceeds the floor on one of the outermost cells the
        analysis found loaded, which is the documented definition (docs/metrics.md).
        """
        found = {id(t) for _, t in self.pairs}
        return [t for t in self.truth if not t.cut and (id(t) in found or not self.pressed_on_the_edge(t))]

    def pressed_on_the_edge(self, true: StepTruth) -> bool:
        """Whether the analysis excluded ``true`` as cut by the mat edge, with its true pressure
        over the floor on an outermost cell the step's footprint holds."""
        steps = self.result.steps
        k = int(np.argmin(np.abs(steps.ic_s - true.ic_s)))
        if steps.exclude_reason[k] != "cut by mat edge" or abs(steps.ic_s[k] - true.ic_s) >= 2 / self.sim.config.rate_hz:
            return False
        fp = analysis_stages(self.recording).session.fp
        assert fp.first_frame[k] == steps.first_frame[k]
        frame, cell = fp.frame[fp.bounds[k] : fp.bounds[k + 1]], fp.cell[fp.bounds[k] : fp.bounds[k + 1]]
        rows, cols = self.recording.geometry.shape
        row, col = np.divmod(cell, cols)
        edge = (row == 0) | (row == rows - 1) | (col == 0) | (col == cols - 1)
        true_kpa = [self.sim._pressure_kpa(float(self.sim.frame_time_s[f])).ravel()[c] for f, c in zip(frame[edge], cell[edge])]
        return max(true_kpa, default=0.0) > CONFIG.noise_kpa

    def transition_error_ms(self) -> float:
        """Median over included heel-loading steps of measured minus true transition time."""
        errors = [self.result.steps.transition_ms[k] - t.transition_ms for k, t in self.pairs if t.heel_loaded]
        return float(np.median(errors)) if errors else 0.0


@lru_cache(maxsize=None)
def session(preset: str, level: str, tare: bool = True, foot_model: str = "blobs") -> Session:
    return Session(preset, level, tare=tare, foot_model=foot_model)


def assert_every_whole_step_found_with_its_side(s: Session) -> None:
    whole = s.whole()
    assert len(s.pairs) == len(whole) >= 5
    for k, true in s.pairs:
        assert abs(s.result.steps.ic_s[k] - true.ic_s) < 2 / s.sim.config.rate_hz
        assert s.result.steps.side[k] == true.side
    assert len({id(t) for _, t in s.pairs}) == len(s.pairs)


@pytest.mark.parametrize("foot_model", FOOT_MODELS)
@pytest.mark.parametrize("preset", tuple(PRESETS))
def test_at_the_velostat_level_every_whole_step_is_found_and_the_transition_stays_within_5_ms(preset: str, foot_model: str) -> None:
    """The issue's done-when on every preset and both foot models: at the Velostat level every
    whole step found once with its side, the transition error within 5 ms of the clean level's
    (the preset's own sensor; its steps are checked in test_validation)."""
    clean, velostat = session(preset, "clean", foot_model=foot_model), session(preset, "velostat", foot_model=foot_model)
    assert_every_whole_step_found_with_its_side(velostat)
    assert abs(velostat.transition_error_ms() - clean.transition_error_ms()) <= 5.0


@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_without_a_tare_the_velostat_level_gives_the_same_steps(preset: str) -> None:
    tared, plain = session(preset, "velostat"), session(preset, "velostat", tare=False)
    assert_every_whole_step_found_with_its_side(plain)
    assert any("no tare recorded" in n for n in plain.result.notices)
    assert abs(plain.transition_error_ms() - tared.transition_error_ms()) <= 1.0


@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_the_bad_level_is_called_too_noisy_with_numbers(preset: str) -> None:
    bad = session(preset, "bad")
    quality = bad.result.quality
    assert quality["too_noisy"]
    notice = next(n for n in bad.result.notices if n.startswith("mat too noisy"))
    level_kpa = float(re.search(r"above (\d+) kPa", notice).group(1))
    true_sd_kpa = SENSOR_LEVELS["bad"]["noise_counts"] * SENSOR_LEVELS["bad"]["gain_kpa"]
    assert level_kpa == pytest.approx(CONFIG.noise_k * true_sd_kpa, rel=0.1)
    assert f"{len(quality['dead_cells']) + len(quality['stuck_cells'])} cells" in notice
    for level in ("clean", "velostat"):
        ok = session(preset, level).result
        assert not ok.quality["too_noisy"] and not any(n.startswith("mat too noisy") for n in ok.notices)


@pytest.mark.parametrize("level", tuple(SENSOR_LEVELS))
@pytest.mark.parametrize("preset", ("trained-runner", "walker"))
def test_dead_and_stuck_cells_are_found_where_they_are_and_the_noise_is_measured(preset: str, level: str) -> None:
    s = session(preset, level)
    quality = s.result.quality
    assert quality["dead_cells"] == np.argwhere(s.sim.dead_cells).tolist()
    assert quality["stuck_cells"] == np.argwhere(s.sim.stuck_cells).tolist()
    sensor = s.sim.config
    if sensor.noise_counts >= 5:  # the clean mat's 0.8 counts are below the ADC's resolution
        assert quality["noise_sd_kpa"]["median"] == pytest.approx(sensor.noise_counts * sensor.gain_kpa, rel=0.1)
        assert quality["loaded_level_kpa"] == pytest.approx(CONFIG.noise_k * sensor.noise_counts * sensor.gain_kpa, rel=0.1)
    else:
        assert quality["loaded_level_kpa"] == CONFIG.noise_kpa


def test_the_zero_without_a_tare_is_the_simulated_offset() -> None:
    s = session("shuffling-runner", "velostat")
    model = estimate_noise(untared(s.recording), noise_kpa=5.0, k=4.0, k_edge=2.0)
    offsets = s.recording.calibration.tare
    live = ~s.sim.dead_cells
    assert np.abs(model.zero - offsets)[live].mean() < 1.0  # noise SD 10 counts, 320 frames sampled
    assert np.abs(model.zero - offsets)[live].max() < 5.0


def test_a_person_standing_still_keeps_their_load_and_no_cell_is_stuck() -> None:
    g = Geometry(20, 20, 10.0, 10.0)
    rng = np.random.default_rng(1)
    frames = np.rint(3 + rng.standard_normal((400, 20, 20))).clip(0).astype(np.uint16)  # empty cells read ~3 counts
    frames[:, 5:15, 4:8] += 200  # two feet, the whole recording
    frames[:, 5:15, 12:16] += 180
    model = estimate_noise(Recording(frames=frames, host_time_s=np.arange(400) / 100, geometry=g, rate_hz=100.0), noise_kpa=5.0, k=4.0, k_edge=2.0)
    assert model.zero[0, 0] == 3.0 and model.zero[10, 5] == 0.0 and model.zero[10, 13] == 0.0
    assert not model.stuck.any() and not model.dead.any()


def test_a_clean_mat_needs_no_zero_and_keeps_the_floor() -> None:
    g = Geometry(10, 10, 10.0, 10.0)
    frames = np.zeros((300, 10, 10), np.uint16)
    frames[100:150, 2:6, 2:6] = 100
    model = estimate_noise(Recording(frames=frames, host_time_s=np.arange(300) / 100, geometry=g, rate_hz=100.0), noise_kpa=5.0, k=4.0, k_edge=2.0)
    assert model.zero is None and not model.dead.any() and not model.needs_support.any()


def test_dead_cells_under_a_foot_are_filled_and_the_force_restored() -> None:
    # many dead cells, no crosstalk and little noise, so that only the dead cells cost force
    sensor = dict(noise_counts=0.8, crosstalk_frac=0.0, adc_bits=14)
    sim = simulate("trained-runner", seed=4, duration_s=8.0, dead_cells=600, **sensor)
    recording = sim.recording()
    result = analyze(recording)
    unfilled = analyze(
        recording, noise=dataclasses.replace(estimate_noise(recording, noise_kpa=5.0, k=4.0, k_edge=2.0), dead=np.zeros(sim.dead_cells.shape, bool))
    )
    true_force = recording.truth["frame_force_n"]
    loaded = true_force > 200.0

    def error_pct(r: SessionResult) -> float:
        return 100.0 * (r.frames.force_n[loaded].sum() / true_force[loaded].sum() - 1.0)

    dead_share = 100.0 * sim.dead_cells.mean()  # 600 of 8960 cells: 6.7 %
    assert error_pct(unfilled) < -0.5 * dead_share  # the dead cells' force is missing
    assert abs(error_pct(result)) < 1.5  # filled: within 1.5 % of the true force (the 5 kPa edges cost ~1 %)
    assert result.quality["dead_cells_filled"] > 100 and result.quality["filled_force_pct"] > 0.5 * dead_share


def wide_render(s: Session) -> np.ndarray:
    """The session's raw frames from an ADC that does not clip (16 bits), same noise and crosstalk."""
    config = dataclasses.replace(s.sim.config, adc_bits=16)
    return simulate(config, seed=11, duration_s=config.duration_s).render(0, s.recording.n_frames)


def test_the_saturated_share_matches_the_truth() -> None:
    s = session("trained-runner", "velostat")
    top = (1 << SENSOR_LEVELS["velostat"]["adc_bits"]) - 1
    wide = wide_render(s)
    true_kpa = (wide.astype(np.float64) - s.recording.calibration.tare) * SENSOR_LEVELS["velostat"]["gain_kpa"]
    loaded = true_kpa > s.result.quality["loaded_level_kpa"]
    true_pct = 100.0 * true_kpa[loaded & (wide >= top)].sum() / true_kpa[loaded].sum()  # of the unclipped force
    steps = s.result.steps
    measured_pct = np.average(steps.saturated_force_pct, weights=steps.impulse_n_s)
    assert true_pct > 20.0 and measured_pct == pytest.approx(true_pct, abs=3.0)
    assert s.result.quality["steps_saturated"] == int(steps.included.sum())
    assert len(s.result.quality["saturated_cells"]) > 50
    assert not session("walker", "clean").result.quality["saturated_cells"]


@pytest.mark.parametrize("foot_model", ("blobs", "plantar"))
@pytest.mark.parametrize("preset", ("shuffling-runner", "trained-runner", "forefoot-runner"))
def test_saturated_cells_are_extrapolated_to_the_unclipped_force(preset: str, foot_model: str) -> None:
    """The 10-bit ADC clips the runners' heels and forefeet at 409 kPa (true peaks 900-1,300
    kPa): each step's peak force reads 13-34 % low. Extrapolated, it is within 5 % of the same
    mat's reading with an ADC that does not clip (same noise and crosstalk), on both foot models."""
    sim = simulate(preset, seed=11, duration_s=6.0, foot_model=foot_model, **SENSOR_LEVELS["velostat"])
    recording = sim.recording()
    clipped = dataclasses.replace(recording, frames=recording.raw())
    wide = simulate(dataclasses.replace(sim.config, adc_bits=16), seed=11).recording()
    reference = analyze(dataclasses.replace(wide, frames=wide.raw()))
    assert reference.quality["saturation_added_force_pct"] == 0.0  # nothing clips at 16 bits

    def peak_force_ratio(result: SessionResult) -> float:
        assert np.array_equal(result.steps.included, reference.steps.included)
        included = reference.steps.included
        return float(np.median(result.steps.peak_force_n[included] / reference.steps.peak_force_n[included]))

    assert peak_force_ratio(analyze(clipped, AnalysisConfig(extrapolate_saturated=False))) < 0.9
    result = analyze(clipped)
    assert peak_force_ratio(result) == pytest.approx(1.0, abs=0.05)
    assert result.quality["saturation_added_force_pct"] > 3.0
    assert any("extrapolated from the cells around" in n for n in result.notices)


def fill_dome(centre_col: float, *, dead_cell: int | None = None) -> np.ndarray:
    """A 1,000 kPa Gaussian dome on a 9 x 9 mat at row 4, clipped at 400 kPa, extrapolated."""
    r, c = np.divmod(np.arange(81), 9)
    dome = 1000.0 * np.exp(-((r - 4) ** 2 + (c - centre_col) ** 2) / 8.0)
    blocked = np.zeros(81, bool)
    if dead_cell is not None:
        blocked[dead_cell] = True
    cells = np.flatnonzero(~blocked)
    read = np.minimum(dome[cells], 400.0).astype(np.float32)
    return extrapolate_saturated(np.zeros(cells.size, int), cells, read, dome[cells] >= 400, Geometry(9, 9, 10.0, 10.0), floor=5.0, blocked=blocked)


def test_a_clipped_patch_not_seen_all_round_keeps_its_readings() -> None:
    """Against the mat's edge, or 2 cells from a dead cell, the rim does not bound the
    extrapolation (it ran to 1e8 kPa at the edge of a walkway)."""
    assert fill_dome(4.0).max() == pytest.approx(1000.0, rel=0.01)
    assert fill_dome(6.5).max() == 400.0  # the patch reaches column 8's neighbour
    assert fill_dome(4.0, dead_cell=4 * 9 + 8).max() == 400.0  # patch: columns 2-6 of row 4


def test_plain_frames_of_a_noisy_treadmill_mat_are_analysed() -> None:
    """The issue's recording: 144 x 64 cells, frames and geometry only (no tare, no calibration,
    no metadata): raw units, every whole step and its side."""
    sim = simulate("trained-runner", seed=3, duration_s=12.0, rows=64, cols=144, **SENSOR_LEVELS["velostat"])
    rec = sim.recording()
    plain = Recording(frames=rec.raw(), host_time_s=np.arange(rec.n_frames) / 100.0, geometry=rec.geometry, rate_hz=100.0)
    result = analyze(plain)
    truth = truth_steps(rec.truth)
    whole = [t for t in truth if not t.cut]
    included = np.flatnonzero(result.steps.included)
    assert result.force_unit == "raw" and len(included) == len(whole) >= 20
    assert not result.quality["too_noisy"]  # its level is in counts: no kPa limit to judge it by
    true_ic = np.array([t.ic_s for t in truth])
    matched = [truth[int(np.argmin(np.abs(true_ic - result.steps.ic_s[k])))] for k in included]
    assert all(result.steps.side[k] == t.side for k, t in zip(included, matched))
    errors = [result.steps.transition_ms[k] - t.transition_ms for k, t in zip(included, matched)]
    assert abs(np.median(errors)) <= 6.0  # raw counts: same levels as in kPa


def test_the_live_view_uses_the_same_noise_model() -> None:
    s = session("trained-runner", "velostat")
    rec = s.recording
    stream = StepStream(rec.geometry, rec.rate_hz, calibration=rec.calibration, metadata=rec.metadata)
    live = []
    for t, cells in zip(rec.host_time_s, rec.frames):
        stream.push(cells, t)
        if round(t / FRAME_S) % 30 == 0:
            live += stream.poll()
    live += stream.poll(final=True)
    offline = s.result.steps
    for k, _ in s.pairs:
        nearest = min(live, key=lambda step: abs(step.ic_s - offline.ic_s[k]))
        assert abs(nearest.ic_s - offline.ic_s[k]) < FRAME_S and nearest.side == offline.side[k]
    assert stream._noise is not None and stream._noise.k == CONFIG.noise_k
