"""Standing calibration against a load known by construction."""

from __future__ import annotations

import numpy as np
import pytest

from mat_driver.calibration import (
    GRAVITY_M_S2,
    calibrate_standing,
    load_calibration,
    save_calibration,
)
from mat_driver.errors import CalibrationError
from mat_driver.model import Calibration, Geometry, Recording

GEOMETRY = Geometry(rows=10, cols=20, pitch_row_mm=10.0, pitch_col_mm=5.0)


def standing(gain_kpa: float, mass_kg: float, tare: float = 0.0) -> Recording:
    """Two feet of constant pressure carrying exactly mass_kg * g, plus empty frames."""
    n = 60
    feet = np.zeros((10, 20))
    feet[2:4, 3:9] = 1.0
    feet[6:8, 3:9] = 1.0
    force_n = mass_kg * GRAVITY_M_S2
    kpa = feet * force_n * 1000.0 / (feet.sum() * GEOMETRY.cell_area_mm2)
    raw = np.round(kpa / gain_kpa) + tare
    frames = np.repeat(raw[None], n, axis=0)
    frames[:10] = tare  # stepping on: empty mat first
    return Recording(
        frames=frames.astype(np.uint16),
        host_time_s=np.arange(n) / 50.0,
        geometry=GEOMETRY,
        rate_hz=50.0,
        calibration=Calibration(tare=np.full((10, 20), tare, np.float32) if tare else None),
    )


@pytest.mark.parametrize("tare", [0.0, 12.0])
def test_gain_reproduces_body_weight(tare: float) -> None:
    true_gain = 0.8
    rec = standing(true_gain, 72.0, tare)
    cal = calibrate_standing(rec, mass_kg=72.0)
    assert cal.calibrated and cal.unit == "kPa"
    assert cal.gain_kpa == pytest.approx(true_gain, rel=0.01)
    pressure = cal.with_tare(rec.calibration.tare).apply(rec.raw(30))
    force_n = pressure.sum() * GEOMETRY.cell_area_mm2 / 1000.0
    assert force_n == pytest.approx(72.0 * GRAVITY_M_S2, rel=0.01)


def test_empty_mat_is_refused() -> None:
    rec = standing(1.0, 70.0)
    empty = Recording(np.zeros((20, 10, 20), np.uint16), np.arange(20) / 50.0, GEOMETRY, 50.0)
    with pytest.raises(CalibrationError, match="nobody stands"):
        calibrate_standing(empty, mass_kg=70.0)
    with pytest.raises(CalibrationError, match="mass"):
        calibrate_standing(rec, mass_kg=0.0)


def test_file_round_trip_and_errors(tmp_path) -> None:
    cal = Calibration(gain_kpa=0.37, exponent=1.2, calibrated=True, source="test")
    path = save_calibration(cal, tmp_path / "cal.json")
    back = load_calibration(path)
    assert (back.gain_kpa, back.exponent, back.calibrated) == (0.37, 1.2, True)
    with pytest.raises(CalibrationError, match="exists"):
        save_calibration(cal, path)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(CalibrationError, match="bad.json: not a calibration file"):
        load_calibration(tmp_path / "bad.json")
    with pytest.raises(CalibrationError, match="no such calibration file"):
        load_calibration(tmp_path / "absent.json")
