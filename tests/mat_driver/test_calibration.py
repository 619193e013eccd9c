"""Standing calibration against a load known by construction."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from mat_driver.calibration import (
    GRAVITY_M_S2,
    calibrate_standing,
    estimate_crosstalk,
    load_calibration,
    save_calibration,
)
from mat_driver.errors import CalibrationError
from mat_driver.model import Calibration, Geometry, Recording
from mat_sim.pointload import point_load
from mat_sim.simulator import SENSOR_LEVELS, add_crosstalk

GEOMETRY = Geometry(rows=10, cols=20, pitch_row_mm=10.0, pitch_col_mm=5.0)


def standing(gain_kpa: float, mass_kg: float, tare: float = 0.0, crosstalk_frac: float = 0.0) -> Recording:
    """Two feet of constant pressure carrying exactly mass_kg * g, plus empty frames; with
    ``crosstalk_frac`` of each cell's counts added to its 4 edge neighbours."""
    n = 60
    feet = np.zeros((10, 20))
    feet[2:4, 3:9] = 1.0
    feet[6:8, 3:9] = 1.0
    force_n = mass_kg * GRAVITY_M_S2
    kpa = feet * force_n * 1000.0 / (feet.sum() * GEOMETRY.cell_area_mm2)
    raw = np.round(add_crosstalk(kpa / gain_kpa, crosstalk_frac)) + tare
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


def test_gain_with_crosstalk_holds_for_the_signal_without_it() -> None:
    """The summed response counts every cell's signal 1 + 4 c times: the gain must not
    absorb the crosstalk the analysis removes."""
    true_gain, crosstalk = 0.8, 0.05
    rec = standing(true_gain, 72.0, crosstalk_frac=crosstalk)
    cal = calibrate_standing(rec, mass_kg=72.0, crosstalk_frac=crosstalk)
    assert cal.gain_kpa == pytest.approx(true_gain, rel=0.01)
    assert cal.crosstalk_frac == crosstalk and "crosstalk 5.00 %" in cal.source
    assert calibrate_standing(rec, mass_kg=72.0).gain_kpa == pytest.approx(true_gain / (1 + 4 * crosstalk), rel=0.01)


@pytest.mark.parametrize("level", ["clean", "velostat"])
@pytest.mark.parametrize("fraction", [0.01, 0.03, 0.08])
def test_crosstalk_estimate_from_a_point_load_recovers_the_simulated_fraction(level: str, fraction: float) -> None:
    sim = point_load(seed=5, **{**SENSOR_LEVELS[level], "crosstalk_frac": fraction})
    assert estimate_crosstalk(sim.recording()) == pytest.approx(fraction, abs=0.003)


def test_crosstalk_estimate_needs_a_tare_and_a_point_load() -> None:
    rec = point_load(seed=5, crosstalk_frac=0.03).recording()
    with pytest.raises(CalibrationError, match="no tare"):
        estimate_crosstalk(dataclasses.replace(rec, calibration=Calibration()))
    with pytest.raises(CalibrationError, match="no point load"):
        estimate_crosstalk(point_load(seed=5, on_s=10.0).recording())  # the weight never put down
    wide = standing(0.8, 72.0, tare=2.0)
    with pytest.raises(CalibrationError, match="not a point load"):
        estimate_crosstalk(wide)


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
    assert (back.gain_kpa, back.exponent, back.calibrated, back.crosstalk_frac) == (0.37, 1.2, True, 0.0)
    crosstalk = save_calibration(dataclasses.replace(cal, crosstalk_frac=0.031), tmp_path / "crosstalk.json")
    assert load_calibration(crosstalk).crosstalk_frac == 0.031
    old = json.loads(crosstalk.read_text())
    del old["crosstalk_frac"]  # a file written before the crosstalk was stored
    (tmp_path / "old.json").write_text(json.dumps(old))
    assert load_calibration(tmp_path / "old.json").crosstalk_frac == 0.0
    (tmp_path / "wild.json").write_text(json.dumps({**old, "crosstalk_frac": 0.4}))
    with pytest.raises(CalibrationError, match=r"wild.json: crosstalk fraction must be in \[0, 0.25\), got 0.4"):
        load_calibration(tmp_path / "wild.json")
    with pytest.raises(CalibrationError, match="exists"):
        save_calibration(cal, path)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(CalibrationError, match="bad.json: not a calibration file"):
        load_calibration(tmp_path / "bad.json")
    with pytest.raises(CalibrationError, match="no such calibration file"):
        load_calibration(tmp_path / "absent.json")
