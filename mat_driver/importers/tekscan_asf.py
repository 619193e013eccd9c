"""Tekscan ASCII movie (``.asf``): ``KEY value`` header, ``ASCII_DATA @@``, then blocks
``Frame k`` of ROWS comma-separated lines of COLS values (``B`` = outside the sensor)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mat_driver.importers.common import ParseError, from_kpa
from mat_driver.model import Geometry, Metadata, Recording

__all__ = ["read_asf"]

_UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "inch": 25.4}


def _spacing_mm(path: Path, number: int, value: str) -> float:
    parts = value.split()
    try:
        return float(parts[0]) * _UNITS_MM[parts[1].lower() if len(parts) > 1 else "mm"]
    except (ValueError, KeyError, IndexError):
        raise ParseError(path, number, f"expected a spacing like '5.08 mm', got {value!r}") from None


def read_asf(path: Path) -> Recording:
    """Read a Tekscan ASCII movie. In-shoe (F-Scan) data become setup ``insole`` with the
    heel at row 0 (the sensor is turned by 180 degrees when the first contact is at the far end)."""
    lines = path.read_text(encoding="latin-1").splitlines()
    header: dict[str, tuple[int, str]] = {}
    start = None
    for number, line in enumerate(lines, start=1):
        if line.strip().startswith("ASCII_DATA"):
            start = number
            break
        key, _, value = line.strip().partition(" ")
        if key:
            header[key.upper()] = (number, value.strip())
    if start is None:
        raise ParseError(path, len(lines), "no ASCII_DATA @@ line: not a Tekscan ASCII movie")
    for key in ("ROWS", "COLS", "ROW_SPACING", "COL_SPACING", "SECONDS_PER_FRAME"):
        if key not in header:
            raise ParseError(path, start, f"header has no {key}")
    try:
        rows, cols = int(header["ROWS"][1]), int(header["COLS"][1])
        period = float(header["SECONDS_PER_FRAME"][1])
    except ValueError as exc:
        raise ParseError(path, header["ROWS"][0], f"bad header value ({exc})") from None
    frames: list[list[list[float]]] = []
    current: list[list[float]] = []
    frame_line = start
    for number, line in enumerate(lines[start:], start=start + 1):
        text = line.strip()
        if not text or text == "@@":
            continue
        if text.startswith("Frame"):
            if current:
                if len(current) != rows:
                    raise ParseError(path, frame_line, f"frame has {len(current)} rows, expected {rows}")
                frames.append(current)
            current, frame_line = [], number
            continue
        cells = text.rstrip(",").split(",")
        if len(cells) != cols:
            raise ParseError(path, number, f"expected {cols} values, got {len(cells)}")
        try:
            current.append([0.0 if c.strip() == "B" else float(c) for c in cells])
        except ValueError:
            raise ParseError(path, number, "non-numeric cell (only numbers and B are allowed)") from None
    if current:
        if len(current) != rows:
            raise ParseError(path, frame_line, f"frame has {len(current)} rows, expected {rows}, file truncated?")
        frames.append(current)
    pressure = np.array(frames, float).reshape(len(frames), rows, cols)
    units = header.get("UNITS", (0, "KPa"))[1].lower()
    scale = {"kpa": 1.0, "mpa": 1000.0, "psi": 6.894757, "n/cm2": 10.0}.get(units)
    insole = header.get("SENSOR_TYPE", (0, ""))[1].upper() == "FSCAN"
    notes = f"imported from {path.name}"
    if insole and len(pressure):
        loaded = pressure.sum(axis=(1, 2)) > 0
        if loaded.any():
            row_cop = (pressure.sum(axis=2) * np.arange(rows)).sum(axis=1)[loaded] / pressure.sum(axis=(1, 2))[loaded]
            if row_cop[0] > row_cop[-1]:  # heel at the last row: turn the sensor by 180 degrees
                pressure = pressure[:, ::-1, ::-1]  # (a row flip alone would mirror left into right)
                notes += "; turned 180 degrees so that the heel is at row 0"
    geometry = Geometry(
        rows,
        cols,
        _spacing_mm(path, *header["ROW_SPACING"]),
        _spacing_mm(path, *header["COL_SPACING"]),
        "rows" if rows >= cols else "cols",
    )
    metadata = Metadata(
        setup="insole" if insole else "walkway",
        belt_speed_m_s=None,
        device_model=f"Tekscan {header.get('SENSOR_TYPE', (0, ''))[1]} (imported)".replace("  ", " "),
        adc_bits=16,
        notes=notes,
    )
    return from_kpa(
        pressure * (scale or 1.0),
        np.arange(len(pressure)) * period,
        geometry,
        rate_hz=1.0 / period,
        metadata=metadata,
        source=f"Tekscan ASCII {path.name}",
        calibrated=scale is not None,
    )
