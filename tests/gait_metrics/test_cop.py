"""Loaded cells and per-frame values against answers computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from gait_metrics import MetricsError
from gait_metrics.cop import frame_series, frame_stats, mat_coordinates, read_loaded_cells
from mat_driver.model import Calibration, Geometry, Metadata, Recording


def test_cell_centres_follow_the_walking_axis() -> None:
    along_cols = Geometry(2, 3, pitch_row_mm=5.0, pitch_col_mm=10.0, walk_axis="cols")
    x, y = mat_coordinates(along_cols)
    assert x.shape == (2, 3) and x[1].tolist() == [5.0, 15.0, 25.0] and y[:, 2].tolist() == [2.5, 7.5]
    along_rows = Geometry(2, 3, pitch_row_mm=5.0, pitch_col_mm=10.0, walk_axis="rows")
    x, y = mat_coordinates(along_rows)
    assert x[:, 0].tolist() == [2.5, 7.5] and y[0].tolist() == [5.0, 15.0, 25.0]


def test_force_area_peak_and_centroid_by_hand() -> None:
    geometry = Geometry(3, 4, 10.0, 10.0)  # cells of 100 mm^2
    pressure = np.zeros((2, 3, 4))
    pressure[0, 0, 1] = 100.0  # centre (15, 5)
    pressure[0, 2, 3] = 300.0  # centre (35, 25)
    pressure[0, 1, 0] = 4.0  # below the 5 kPa noise threshold: not loaded
    s = frame_stats(pressure, geometry, noise_kpa=5.0)
    # 400 kPa x 100 mm^2 / 1000 = 40 N; CoP = (100 (15, 5) + 300 (35, 25)) / 400
    assert s.force_n[0] == pytest.approx(40.0)
    assert s.area_cm2[0] == pytest.approx(2.0)
    assert s.peak_kpa[0] == pytest.approx(300.0)
    assert (s.cop_x_mm[0], s.cop_y_mm[0]) == pytest.approx((30.0, 20.0))
    assert s.force_n[1] == 0 and s.area_cm2[1] == 0 and np.isnan(s.cop_x_mm[1]) and np.isnan(s.cop_y_mm[1])


def test_frame_stats_names_a_bad_shape() -> None:
    with pytest.raises(MetricsError, match=r"pressure must be a 3-D array \(frame, row, col\), got shape \(3, 4\)"):
        frame_stats(np.zeros((3, 4)), Geometry(3, 4, 10.0, 10.0))


def _recording(raw: np.ndarray, calibration: Calibration, adc_bits: int = 12) -> Recording:
    geometry = Geometry(raw.shape[1], raw.shape[2], 8.5, 8.5)
    return Recording(raw, np.arange(len(raw)) / 100.0, geometry, 100.0, calibration=calibration, metadata=Metadata(adc_bits=adc_bits))


def test_loaded_cells_equal_the_recordings_own_calibration() -> None:
    rng = np.random.default_rng(4)
    raw = rng.integers(0, 4096, (37, 6, 9)).astype(np.uint16)
    raw[raw < 2000] = rng.integers(0, 20, np.count_nonzero(raw < 2000))  # mostly unloaded cells
    tare = rng.uniform(0.0, 15.0, (6, 9)).astype(np.float32)
    calibration = Calibration(gain_kpa=0.37, exponent=1.3, tare=tare, calibrated=True)
    recording = _recording(raw, calibration)
    cells = read_loaded_cells(recording, noise_kpa=5.0, chunk_frames=8)
    pressure = recording.pressure()
    expected = np.flatnonzero(pressure.reshape(37, -1) > 5.0)
    assert np.array_equal(cells.frame.astype(np.int64) * 54 + cells.cell, expected)
    assert np.array_equal(cells.pressure, pressure.reshape(-1)[expected])  # bit for bit
    assert np.array_equal(cells.saturated, raw.reshape(-1)[expected] == 4095)


def test_saturated_cells_are_counted_per_frame() -> None:
    raw = np.zeros((3, 4, 4), np.uint16)
    raw[1, 0, :3] = 255  # 8-bit ADC maximum
    raw[1, 3, 3] = 200
    raw[2, 2, 2] = 255
    recording = _recording(raw, Calibration(gain_kpa=1.0, calibrated=True), adc_bits=8)
    series = frame_series(read_loaded_cells(recording, noise_kpa=5.0), np.arange(3) / 100.0)
    assert series.saturated_cells.tolist() == [0, 3, 1]


def test_a_tare_above_the_adc_range_still_counts_saturation() -> None:
    raw = np.full((2, 2, 2), 100, np.uint16)
    raw[1, 0, 0] = 255
    tare = np.zeros((2, 2), np.float32)
    tare[0, 0] = 300.0  # this cell can never be loaded, but it can saturate
    recording = _recording(raw, Calibration(gain_kpa=1.0, tare=tare, calibrated=True), adc_bits=8)
    cells = read_loaded_cells(recording, noise_kpa=5.0)
    assert 0 not in cells.cell.tolist()
    assert frame_series(cells, np.arange(2) / 100.0).saturated_cells.tolist() == [0, 1]


def test_uncalibrated_frames_stay_in_raw_units() -> None:
    raw = np.zeros((1, 2, 2), np.uint16)
    raw[0, 1, 1] = 1000
    cells = read_loaded_cells(_recording(raw, Calibration()), noise_kpa=5.0)
    assert cells.pressure.tolist() == [1000.0]
