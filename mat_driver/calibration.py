"""Calibration: raw ADC counts to kPa from a person of known mass standing on the mat.

Procedure (docs/calibration.md): record the person standing still on both feet with
``mat record``, then ``mat calibrate standing.h5 --mass KG -o mat-cal.json``. The
calibration file is JSON and is used by ``mat record --calibration`` and the analysis.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from mat_driver.errors import CalibrationError
from mat_driver.model import Calibration, Recording

__all__ = ["GRAVITY_M_S2", "calibrate_standing", "save_calibration", "load_calibration"]

#: Standard gravity, m/s^2.
GRAVITY_M_S2 = 9.80665
_KIND = "pressure-mat calibration"


def calibrate_standing(
    recording: Recording,
    *,
    mass_kg: float,
    exponent: float = 1.0,
    loaded_frac: float = 0.9,
) -> Calibration:
    """Find the gain that makes the mat's total force equal the body weight.

    The frames whose total load is at least ``loaded_frac`` of the recording's median
    loaded frame are taken as "standing still"; their mean summed response
    ``sum(max(raw - tare, 0) ** exponent)`` times the cell area must equal
    ``mass_kg * g``.

    Raises
    ------
    CalibrationError
        If the mass is not positive or nobody stands on the mat.
    """
    if not mass_kg > 0:
        raise CalibrationError(f"mass must be > 0 kg, got {mass_kg}")
    response = Calibration(exponent=exponent, tare=recording.calibration.tare)
    totals = np.zeros(recording.n_frames)
    for start in range(0, recording.n_frames, 1024):
        block = response.apply(recording.raw(slice(start, start + 1024)))
        totals[start : start + len(block)] = block.sum(axis=(1, 2), dtype=np.float64)
    loaded = totals[totals > 0.2 * totals.max()] if totals.size and totals.max() > 0 else totals[:0]
    if loaded.size < 3:
        raise CalibrationError(f"{recording.path or 'recording'}: nobody stands on the mat; record a person standing still")
    steady = loaded[loaded >= loaded_frac * np.median(loaded)]
    force_n = mass_kg * GRAVITY_M_S2
    gain = force_n * 1000.0 / (recording.geometry.cell_area_mm2 * float(steady.mean()))
    when = datetime.now(timezone.utc).date().isoformat()
    return Calibration(
        gain_kpa=gain,
        exponent=exponent,
        calibrated=True,
        source=f"standing calibration, {mass_kg:g} kg, {when}",
    )


def save_calibration(calibration: Calibration, path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write the gain and exponent as JSON (the tare belongs to each recording)."""
    target = Path(path)
    if target.exists() and not force:
        raise CalibrationError(f"{target}: file exists; choose another name or pass --force")
    payload = {
        "kind": _KIND,
        "version": 1,
        "gain_kpa": calibration.gain_kpa,
        "exponent": calibration.exponent,
        "source": calibration.source,
    }
    target.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return target


def load_calibration(path: str | os.PathLike[str]) -> Calibration:
    """Read a calibration file written by :func:`save_calibration`."""
    source = Path(path)
    try:
        payload = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CalibrationError(f"{source}: no such calibration file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CalibrationError(f"{source}: not a calibration file ({exc})") from None
    if not isinstance(payload, dict) or payload.get("kind") != _KIND:
        raise CalibrationError(f"{source}: not a pressure-mat calibration file")
    try:
        return Calibration(
            gain_kpa=float(payload["gain_kpa"]),
            exponent=float(payload.get("exponent", 1.0)),
            calibrated=True,
            source=str(payload.get("source", source.name)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CalibrationError(f"{source}: malformed calibration ({exc})") from None
