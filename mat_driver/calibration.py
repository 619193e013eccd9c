"""Calibration: raw ADC counts to kPa from a person of known mass standing on the mat, and
the mat's crosstalk from a point load.

Procedure (docs/recording.md): record the person standing still on both feet with
``mat record``, then ``mat calibrate standing.h5 --mass KG -o mat-cal.json``; to measure the
crosstalk too, record a coin-sized weight on one cell (``mat record --tare 3``) and add
``--crosstalk point.h5``. The calibration file is JSON and is used by ``mat record
--calibration`` and the analysis.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from mat_driver.errors import CalibrationError
from mat_driver.model import MAX_CROSSTALK_FRAC, Calibration, Recording

__all__ = ["GRAVITY_M_S2", "calibrate_standing", "estimate_crosstalk", "save_calibration", "load_calibration"]

#: Standard gravity, m/s^2.
GRAVITY_M_S2 = 9.80665
_KIND = "pressure-mat calibration"


def calibrate_standing(
    recording: Recording,
    *,
    mass_kg: float,
    exponent: float = 1.0,
    loaded_frac: float = 0.9,
    crosstalk_frac: float = 0.0,
) -> Calibration:
    """Find the gain that makes the mat's total force equal the body weight.

    The frames whose total load is at least ``loaded_frac`` of the recording's median
    loaded frame are taken as "standing still"; their mean summed response
    ``sum(max(raw - tare, 0) ** exponent)`` times the cell area must equal
    ``mass_kg * g``. With crosstalk (``crosstalk_frac`` c, see :func:`estimate_crosstalk`)
    every cell's signal is read ``1 + 4 c`` times over the mat (once in the cell, c in each
    of its 4 neighbours), so the summed response is divided by ``1 + 4 c`` first: the gain
    then holds for the signal the analysis keeps once it removed the crosstalk, and the
    calibration carries ``crosstalk_frac``.

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
    signal = float(steady.mean()) / (1.0 + 4.0 * crosstalk_frac)
    gain = force_n * 1000.0 / (recording.geometry.cell_area_mm2 * signal)
    when = datetime.now(timezone.utc).date().isoformat()
    crosstalk = f", crosstalk {100.0 * crosstalk_frac:.2f} %" if crosstalk_frac else ""
    return Calibration(
        gain_kpa=gain,
        exponent=exponent,
        calibrated=True,
        source=f"standing calibration, {mass_kg:g} kg{crosstalk}, {when}",
        crosstalk_frac=crosstalk_frac,
    )


def estimate_crosstalk(recording: Recording, *, loaded_frac: float = 0.5) -> float:
    """The mat's crosstalk fraction from a recording of a point load.

    A weight smaller than a cell (a coin-sized weight) loads one cell; whatever its 4 edge
    neighbours read is crosstalk. Per frame, the most loaded cell (counts over the tare)
    and its 4 edge neighbours are taken; frames whose most loaded cell reaches
    ``loaded_frac`` of the recording's highest, is not saturated (ADC maximum) and lies off
    the mat's edge are "loaded", if that cell is the one most often loaded so (the
    weight's; an empty mat's noise peaks wander). Per direction (up, down, left, right) the
    median over the loaded frames of neighbour / centre is taken, and the fraction is the mean of the 4
    medians. The median per neighbour, not of their sum: the ADC clips readings at 0, which
    on a noisy mat lifts the mean (and the sum) of a neighbour that reads a few counts,
    but not its median.

    Parameters
    ----------
    recording
        The point load, recorded with a tare (``mat record --tare``): the empty mat's zero
        of every cell is needed, since the neighbours read only a few counts over it.
    loaded_frac
        Share of the highest centre reading at which a frame counts as loaded.

    Returns
    -------
    float
        The fraction of a cell's signal read in each of its 4 edge neighbours.

    Raises
    ------
    CalibrationError
        Without a tare, without at least 10 loaded frames, or when the neighbours read a
        quarter of the centre or more (not a point load).
    """
    name = recording.path or "recording"
    if recording.calibration.tare is None:
        raise CalibrationError(f"{name}: no tare; record the point load with `mat record --tare 3` (empty mat first)")
    geometry = recording.geometry
    tare = np.asarray(recording.calibration.tare, np.float64).ravel()
    offsets = np.array([-geometry.cols, geometry.cols, -1, 1])
    centre, around, usable, where = [], [], [], []
    for start in range(0, recording.n_frames, 1024):
        raw = recording.raw(slice(start, start + 1024)).reshape(-1, geometry.rows * geometry.cols)
        counts = raw - tare
        peak = np.argmax(counts, axis=1)
        row, col = np.divmod(peak, geometry.cols)
        inside = (row > 0) & (row < geometry.rows - 1) & (col > 0) & (col < geometry.cols - 1)
        frames = np.arange(len(raw))
        neighbours = np.clip(peak[:, None] + offsets, 0, raw.shape[1] - 1)
        centre.append(counts[frames, peak])
        around.append(counts[frames[:, None], neighbours])
        usable.append(inside & (raw[frames, peak] < recording.metadata.adc_max))
        where.append(peak)
    if not centre:
        raise CalibrationError(f"{name}: empty recording")
    peaks, cell = np.concatenate(centre), np.concatenate(where)
    loaded = np.concatenate(usable) & (peaks > 0) & (peaks >= loaded_frac * peaks.max())
    loaded &= cell == np.bincount(cell[loaded], minlength=1).argmax()  # the weight's cell, not a noise peak elsewhere
    if np.count_nonzero(loaded) < 10:
        raise CalibrationError(f"{name}: no point load found in 10 frames or more; record a coin-sized weight on one cell, off the mat's edge")
    ratios = np.concatenate(around)[loaded] / peaks[loaded, None]
    fraction = float(np.median(ratios, axis=0).mean())
    if not fraction < MAX_CROSSTALK_FRAC:
        raise CalibrationError(f"{name}: the neighbours read {fraction:.2f} of the loaded cell; not a point load (use a weight smaller than a cell)")
    return max(fraction, 0.0)


def save_calibration(calibration: Calibration, path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write the gain, exponent and crosstalk fraction as JSON (the tare belongs to each recording)."""
    target = Path(path)
    if target.exists() and not force:
        raise CalibrationError(f"{target}: file exists; choose another name or pass --force")
    payload = {
        "kind": _KIND,
        "version": 1,
        "gain_kpa": calibration.gain_kpa,
        "exponent": calibration.exponent,
        "source": calibration.source,
        "crosstalk_frac": calibration.crosstalk_frac,
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
            crosstalk_frac=float(payload.get("crosstalk_frac", 0.0)),  # absent in older files
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CalibrationError(f"{source}: malformed calibration ({exc})") from None
    except CalibrationError as exc:
        raise CalibrationError(f"{source}: {exc}") from None
