"""Awkward recordings give clear results or a one-line MetricsError, never a crash."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from gait_metrics import AnalysisConfig, MetricsError, analyze
from mat_driver.model import Calibration, Gaps, Geometry, Metadata, Recording

RATE_HZ = 100.0


def recording(raw: np.ndarray, *, setup: str = "walkway", calibrated: bool = True, gaps: Gaps | None = None, walk_axis: str = "cols") -> Recording:
    n, rows, cols = raw.shape
    return Recording(
        raw.astype(np.uint16),
        np.arange(n) / RATE_HZ,
        Geometry(rows, cols, 8.5, 8.5, walk_axis),
        RATE_HZ,
        calibration=Calibration(gain_kpa=1.0, calibrated=calibrated),
        metadata=Metadata(setup=setup, body_mass_kg=70.0),
        gaps=gaps or Gaps(),
    )


def foot(raw: np.ndarray, first: int, last: int, rows: slice, col: int, *, value: float = 300.0) -> None:
    """A static footprint (heel, forefoot, toes) from ``col`` on, loaded ``first..last``."""
    span = last - first + 1
    load = np.sin(np.pi * (np.arange(span) + 1) / (span + 1))[:, None, None]
    raw[first : last + 1, rows, col : col + 9] += value * load  # heel
    raw[first : last + 1, rows, col + 18 : col + 28] += value * load  # forefoot
    raw[first : last + 1, rows, col + 29 : col + 31] += 0.5 * value * load  # toes


def test_an_empty_recording_says_so() -> None:
    result = analyze(recording(np.zeros((0, 10, 20))))
    assert len(result.steps) == 0 and len(result.frames) == 0
    assert "empty recording: no frames" in result.notices and "no steps detected" in result.notices
    assert json.loads(result.to_json())["steps"] == []


def test_noise_only_frames_have_no_steps() -> None:
    rng = np.random.default_rng(0)
    raw = rng.integers(0, 4, (300, 20, 40))  # below the 5 kPa threshold
    blips = rng.random(raw.shape) < 0.001
    raw[blips] = 60  # isolated single-cell blips above it
    result = analyze(recording(raw, calibrated=False))
    assert len(result.steps) == 0 and "no steps detected" in result.notices
    # each lone blip goes: at the spatial support where the noise (SD ~1.1 counts) sets a
    # cell's level above the 5-count floor, else as a noise blob
    assert 0 < result.quality["noise_blobs_dropped"] < blips.sum()
    assert "uncalibrated recording: forces and pressures are in raw units" in result.notices
    assert result.force_unit == "raw" and result.pressure_unit == "raw"


def test_standing_still_is_not_a_gait() -> None:
    raw = np.zeros((400, 40, 60))
    raw[:, 8:16, 10:40] = 200.0  # both feet loaded from the first frame to the last
    raw[:, 24:32, 12:42] = 200.0
    result = analyze(recording(raw))
    assert len(result.steps) == 2 and not result.steps.included.any()
    assert set(result.steps.exclude_reason) <= {"cut by recording start", "cut by recording end"}
    assert any(n.startswith("no complete steps") for n in result.notices)
    stand = np.zeros((600, 40, 60))
    stand[50:550, 8:16, 10:40] = 200.0  # stepping on, standing 5 s, stepping off
    result = analyze(recording(stand))
    assert result.steps.exclude_reason.tolist() == ["contact longer than max_step_s (standing)"]


def walkway_steps(n_steps: int = 6) -> np.ndarray:
    """Alternating left (+y rows) and right steps walking towards +x: 0.5 s apart, 0.6 s long."""
    raw = np.zeros((60 * n_steps + 100, 40, 35 * n_steps + 45))
    for k in range(n_steps):
        rows = slice(24, 32) if k % 2 == 0 else slice(8, 16)
        foot(raw, 20 + 50 * k, 20 + 50 * k + 59, rows, 5 + 35 * k)
    return raw


def test_a_walkway_of_hand_made_steps() -> None:
    result = analyze(recording(walkway_steps()))
    steps = result.steps
    assert len(steps) == 6 and steps.included.all()
    assert steps.side.tolist() == [0, 1, 0, 1, 0, 1]
    assert np.allclose(steps.step_length_mm[1:], 35 * 8.5, atol=1.0) and np.allclose(steps.step_width_mm[1:], 16 * 8.5, atol=1.0)
    assert np.allclose(steps.step_time_ms[1:], 500.0, atol=1.0) and np.allclose(steps.stance_ms, 590.0, atol=15.0)
    assert np.allclose(steps.progression_angle_deg, 0.0, atol=0.5)
    assert result.butterfly is None and set(result.footprints) == {0, 1}


def test_one_foot_only_says_so() -> None:
    raw = walkway_steps()
    raw[:, 8:16] = 0.0  # erase the right foot
    result = analyze(recording(raw))
    assert len(result.steps) == 3
    assert "only one foot was seen: no left/right comparison" in result.notices
    assert not result.steps.side_confident.any()


def test_dropped_frames_exclude_the_steps_that_hold_them() -> None:
    raw = walkway_steps()
    gaps = Gaps(frame_index=np.array([80]), missing=np.array([3]), duration_s=np.array([0.04]))
    result = analyze(recording(raw, gaps=gaps))
    reasons = result.steps.exclude_reason.tolist()
    assert reasons == ["", "dropped frames in stance", "", "", "", ""]  # frames 70-129 hold the gap before frame 80
    assert result.quality["frames_dropped"] == 3
    assert any("3 frames were dropped" in n for n in result.notices)


def test_the_walking_axis_along_the_rows_gives_the_same_steps() -> None:
    raw = walkway_steps()
    along_cols = analyze(recording(raw))
    along_rows = analyze(recording(np.swapaxes(raw, 1, 2).copy(), walk_axis="rows"))  # x = row, y = column
    for name in ("ic_s", "to_s", "ff_s", "ho_s", "stance_ms", "transition_ms"):
        assert np.allclose(getattr(along_rows.steps, name), getattr(along_cols.steps, name), equal_nan=True), name
    for name in ("step_length_mm", "step_width_mm", "foot_length_mm"):
        assert np.allclose(getattr(along_rows.steps, name), getattr(along_cols.steps, name), atol=0.5, equal_nan=True), name
    assert along_rows.steps.side.tolist() == along_cols.steps.side.tolist()
    assert np.allclose(along_rows.curves.cop_x_mm, along_cols.curves.cop_x_mm, atol=0.5)
    assert np.allclose(along_rows.curves.cop_y_mm, along_cols.curves.cop_y_mm, atol=0.5)


def test_an_insole_is_one_foot_in_its_own_coordinates() -> None:
    raw = np.zeros((400, 12, 30))  # 102 x 255 mm insole, heel at column 0
    for k in range(3):
        first = 20 + 120 * k
        span = np.sin(np.pi * (np.arange(70) + 1) / 71)[:, None, None]
        raw[first : first + 70, 3:9, 1:8] += 300.0 * span
        raw[first + 10 : first + 70, 1:11, 18:27] += 400.0 * span[:60]
    result = analyze(recording(raw, setup="insole"))
    assert len(result.steps) == 3 and result.steps.included.all()
    assert result.steps.side_name.tolist() == ["unknown"] * 3
    assert any(n.startswith("insole side unknown") for n in result.notices)
    assert np.allclose(result.steps.foot_length_mm, 30 * 8.5)
    heel_only = result.curves.cop_x_mm[:, 2]  # early stance: only the heel block, columns 1..7
    assert np.allclose(heel_only, 4.5 * 8.5, atol=0.5)
    right = analyze(recording(raw, setup="insole"), AnalysisConfig(insole_side=1))
    assert right.steps.side_name.tolist() == ["right"] * 3 and right.steps.side_confident.all()
    assert np.allclose(right.curves.cop_y_mm, result.curves.cop_y_mm)  # a right foot: medial is the sensor's +y
    left_insole = recording(raw, setup="insole")
    left_insole.metadata = dataclasses.replace(left_insole.metadata, foot_side="left")
    left = analyze(left_insole)
    assert left.steps.side_name.tolist() == ["left"] * 3 and not any(n.startswith("insole side unknown") for n in left.notices)
    assert np.allclose(left.curves.cop_y_mm, -result.curves.cop_y_mm)


def test_bad_input_is_a_one_line_metrics_error() -> None:
    class NotARecording:
        frames = np.zeros((3, 4))

    with pytest.raises(MetricsError, match="recording must be a mat_driver Recording; NotARecording has no 'host_time_s'"):
        analyze(NotARecording())  # type: ignore[arg-type]
    backwards = recording(np.zeros((5, 4, 4)))
    backwards = dataclasses.replace(backwards, host_time_s=np.array([0.0, 0.01, 0.005, 0.03, 0.04]))
    backwards.device_time_s = np.full(5, np.nan)
    with pytest.raises(MetricsError, match="timestamps"):
        analyze(backwards)
    with pytest.raises(MetricsError, match="threshold_frac must be in"):
        AnalysisConfig(threshold_frac=2.0)
    assert issubclass(MetricsError, ValueError)
