"""Crosstalk correction (issue 15): the leakage inverted on the loaded cells, and the
session's forces against the simulator's truth with and without it."""

from __future__ import annotations

import dataclasses
from functools import lru_cache

import numpy as np
import pytest

from gait_metrics import MetricsError, SessionResult, analyze
from gait_metrics.cop import LoadedCells
from gait_metrics.crosstalk import remove_crosstalk
from mat_driver.model import Geometry, Recording
from mat_sim.simulator import SENSOR_LEVELS, add_crosstalk, simulate, truth_steps

GEOMETRY = Geometry(12, 14, 8.5, 8.5)


def footprints() -> np.ndarray:
    """Two frames of smooth pressure blobs well inside the grid (kPa); 0 elsewhere."""
    rows, cols = np.indices(GEOMETRY.shape)
    first = 400.0 * np.exp(-((rows - 5.0) ** 2 + (cols - 6.0) ** 2) / 6.0)
    second = 250.0 * np.exp(-((rows - 6.5) ** 2 / 4.0 + (cols - 7.5) ** 2 / 9.0))
    field = np.stack([first, second])
    field[field < 1.0] = 0.0
    return field


@pytest.mark.parametrize("fraction", [0.01, 0.08, 0.2])
@pytest.mark.parametrize("exponent", [1.0, 1.4])
def test_correction_inverts_the_leakage_on_the_loaded_cells(fraction: float, exponent: float) -> None:
    """Every cell of the blobs loaded, the ring around them read only through crosstalk:
    the signal comes back and the ring drops out."""
    signal = footprints()
    reading = add_crosstalk(signal ** (1.0 / exponent), fraction) ** exponent  # leakage in counts, before the power law
    cells = LoadedCells.from_pressure(reading, GEOMETRY, noise_kpa=0.0)
    ring = np.count_nonzero((reading > 0) & (signal == 0))
    assert ring > 0
    fixed = remove_crosstalk(cells, fraction, level_kpa=0.5, exponent=exponent)
    truth = signal.reshape(2, -1)[fixed.frame, fixed.cell]
    np.testing.assert_allclose(fixed.pressure, truth, rtol=1e-4, atol=1e-3)
    assert len(fixed) == np.count_nonzero(signal)  # the ring is gone, every loaded cell stays
    assert np.all(np.diff(fixed.frame.astype(np.int64) * 1000 + fixed.cell) > 0)  # still in (frame, cell) order
    assert fixed.crosstalk_kpa == pytest.approx(reading.sum() - signal.sum(), rel=1e-5)


def test_saturated_cells_keep_their_flag_and_zero_changes_nothing() -> None:
    cells = LoadedCells.from_pressure(add_crosstalk(footprints(), 0.05), GEOMETRY, noise_kpa=0.0)
    top = int(np.argmax(cells.pressure))
    flagged = dataclasses.replace(cells, saturated=np.arange(len(cells)) == top)
    fixed = remove_crosstalk(flagged, 0.05, level_kpa=0.5)
    assert fixed.saturated.sum() == 1 and fixed.pressure[fixed.saturated][0] == pytest.approx(400.0, rel=1e-4)
    assert remove_crosstalk(cells, 0.0) is cells
    with pytest.raises(MetricsError, match=r"crosstalk fraction must be in \[0, 0.25\), got 0.25"):
        remove_crosstalk(cells, 0.25)


class Run:
    """The trained runner with crosstalk (a 12-bit mat, no saturation, unless ``level``
    says otherwise), analysed without and with the calibration's fraction; errors against
    the truth."""

    def __init__(self, fraction: float, foot_model: str, level: str = "clean") -> None:
        sensor = {**SENSOR_LEVELS[level], "crosstalk_frac": fraction}
        sim = simulate("trained-runner", seed=11, duration_s=12.0, foot_model=foot_model, **sensor)
        recording = sim.recording()
        recording = dataclasses.replace(recording, frames=recording.raw())  # rendered once
        self.truth = recording.truth
        self.plain = analyze(recording)
        self.corrected = analyze(self.calibrated(recording, fraction))

    @staticmethod
    def calibrated(recording: Recording, fraction: float) -> Recording:
        return dataclasses.replace(recording, calibration=dataclasses.replace(recording.calibration, crosstalk_frac=fraction))

    def force_error_pct(self, result: SessionResult) -> float:
        """Total force over the truly loaded frames against the truth's, %."""
        true = self.truth["frame_force_n"]
        loaded = true > 0
        return 100.0 * (result.frames.force_n[loaded].sum() / true[loaded].sum() - 1.0)

    def transition_errors_ms(self, result: SessionResult) -> np.ndarray:
        """Measured minus true transition time of every included heel-loading step."""
        truth = truth_steps(self.truth)
        true_ic = np.array([t.ic_s for t in truth])
        errors = []
        for k in np.flatnonzero(result.steps.included):
            match = truth[int(np.argmin(np.abs(true_ic - result.steps.ic_s[k])))]
            if match.heel_loaded:
                errors.append(result.steps.transition_ms[k] - match.transition_ms)
        return np.array(errors)


@lru_cache(maxsize=None)
def run(fraction: float, foot_model: str, level: str = "clean") -> Run:
    return Run(fraction, foot_model, level)


@pytest.mark.parametrize("fraction", [0.03, 0.08])
def test_correction_brings_the_force_to_the_truth(fraction: float) -> None:
    r = run(fraction, "blobs")
    assert r.force_error_pct(r.plain) > 8.0  # +11 % at 3 %, +31 % at 8 %: the correction is not a no-op
    assert abs(r.force_error_pct(r.corrected)) < 2.0
    quality = r.corrected.quality
    assert quality.crosstalk_frac == fraction and r.plain.quality.crosstalk_frac == 0.0
    assert quality.crosstalk_removed_force_pct == pytest.approx(100.0 * (1 - 1 / (1 + 4 * fraction)), abs=1.5)
    assert r.plain.quality.crosstalk_removed_force_pct == 0.0


@pytest.mark.parametrize("foot_model", ["blobs", "plantar"])
@pytest.mark.parametrize("fraction", [0.03, 0.08])
def test_correction_keeps_steps_and_transition(fraction: float, foot_model: str) -> None:
    r = run(fraction, foot_model)
    assert abs(r.force_error_pct(r.corrected)) < 2.0
    whole = sum(not cut for cut in r.truth["step_cut"])
    assert r.corrected.steps.included.sum() == r.plain.steps.included.sum() == whole
    plain, corrected = r.transition_errors_ms(r.plain), r.transition_errors_ms(r.corrected)
    assert corrected.size == plain.size > 20
    assert np.mean(np.abs(corrected)) <= np.mean(np.abs(plain)) + 0.1  # ms: not worse
    assert abs(np.median(corrected)) <= abs(np.median(plain)) + 0.2


def test_on_a_noisy_mat_the_correction_keeps_steps_and_transition() -> None:
    """The Velostat level (3 % crosstalk, per-cell levels set by the noise): the same share
    of the force comes off; its force stays low for saturation, not for the correction."""
    r = run(0.03, "blobs", "velostat")
    assert r.corrected.quality.crosstalk_removed_force_pct == pytest.approx(100.0 * (1 - 1 / 1.12), abs=1.5)
    assert r.corrected.steps.included.sum() == r.plain.steps.included.sum() == sum(not cut for cut in r.truth["step_cut"])
    plain, corrected = r.transition_errors_ms(r.plain), r.transition_errors_ms(r.corrected)
    assert abs(np.median(corrected) - np.median(plain)) < 0.5
