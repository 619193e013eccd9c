"""novel emed ASCII export (``.lst``): pages with ``Matrix: CxR``, ``Sensor size: WxH cm``
and ``Time/picture: T ms``, then per ``Pict-No.: k`` a header of column indices and rows
``row_index v v ... force`` (only the region with data; the last column is force)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from mat_driver.importers.common import ParseError, from_kpa
from mat_driver.model import Geometry, Metadata, Recording

__all__ = ["read_lst"]

_MATRIX = re.compile(r"Matrix:\s*(\d+)\s*x\s*(\d+)")
_SENSOR = re.compile(r"Sensor size:\s*([\d.]+)\s*x\s*([\d.]+)\s*cm")
_TIME = re.compile(r"Time/picture:\s*([\d.]+)\s*ms")


def read_lst(path: Path) -> Recording:
    """Read an emed ASCII export (pressures in kPa; indices 1-based, placed in the full
    C x R plate; the walking axis is the plate's longer one)."""
    lines = path.read_text(encoding="latin-1").splitlines()
    text = "\n".join(lines)
    found = []
    for pattern, name in zip((_MATRIX, _SENSOR, _TIME), ("Matrix: CxR", "Sensor size: WxH cm", "Time/picture: T ms")):
        match = pattern.search(text)
        if match is None:
            raise ParseError(path, 1, f"no '{name}' in the page header: not an emed ASCII export")
        found.append(match)
    cols, rows = int(found[0].group(1)), int(found[0].group(2))
    width_mm, height_mm = float(found[1].group(1)) * 10.0, float(found[1].group(2)) * 10.0
    period_s = float(found[2].group(1)) / 1000.0
    pictures: list[np.ndarray] = []
    columns: list[int] | None = None
    for number, line in enumerate(lines, start=1):
        if "Pict-No.:" in line:
            pictures.append(np.zeros((rows, cols)))
            columns = None
            continue
        fields = line.split("\t")
        if not pictures or len(fields) < 3:
            continue
        if fields[0] == "" and fields[-1].strip() == "Force":
            try:
                columns = [int(f) - 1 for f in fields[1:-1]]
            except ValueError:
                raise ParseError(path, number, "column header is not a list of indices") from None
            if min(columns) < 0 or max(columns) >= cols:
                raise ParseError(path, number, f"column index outside the {cols}-column matrix")
            continue
        if columns is None or not fields[0].strip().isdigit():
            continue
        row = int(fields[0]) - 1
        values = fields[1:-1]
        if len(values) != len(columns):
            raise ParseError(path, number, f"expected {len(columns)} values and a force, got {len(fields) - 1} fields")
        if not 0 <= row < rows:
            raise ParseError(path, number, f"row index {row + 1} outside the {rows}-row matrix")
        try:
            pictures[-1][row, columns] = [float(v) for v in values]
        except ValueError:
            raise ParseError(path, number, "non-numeric value") from None
    if not pictures:
        raise ParseError(path, len(lines), "no 'Pict-No.:' blocks")
    pressure = np.array(pictures)
    geometry = Geometry(rows, cols, height_mm, width_mm, "rows" if rows >= cols else "cols")
    metadata = Metadata(setup="walkway", belt_speed_m_s=None, device_model="novel emed (imported)", adc_bits=16, notes=f"imported from {path.name}")
    return from_kpa(pressure, np.arange(len(pressure)) * period_s, geometry, rate_hz=1.0 / period_s, metadata=metadata, source=f"emed ASCII {path.name}")
