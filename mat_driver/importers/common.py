"""What every importer shares: pressure in kPa to stored counts, and line-numbered errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mat_driver.errors import RecordingError
from mat_driver.model import Calibration, Geometry, Metadata, Recording

__all__ = ["KPA_PER_COUNT", "ParseError", "from_kpa"]

#: Imported pressures are stored as counts of 0.1 kPa (0 to 6553.5 kPa).
KPA_PER_COUNT = 0.1


class ParseError(RecordingError):
    """A malformed line of an imported file."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path.name} line {line}: {message}")


def from_kpa(
    pressure: np.ndarray,
    time_s: np.ndarray,
    geometry: Geometry,
    *,
    rate_hz: float,
    metadata: Metadata,
    source: str,
    calibrated: bool = True,
) -> Recording:
    """A recording from pressures ``(n, rows, cols)`` in kPa (or raw units if not calibrated)."""
    pressure = np.asarray(pressure, float)
    if pressure.size and (np.nanmin(pressure) < 0):
        raise RecordingError(f"{source}: negative pressure values")
    gain = KPA_PER_COUNT if calibrated else 1.0
    counts = np.rint(np.nan_to_num(pressure) / gain)
    if counts.size and counts.max() > 65535:
        raise RecordingError(f"{source}: values up to {pressure.max():g} do not fit the 16-bit storage")
    return Recording(
        frames=counts.astype(np.uint16),
        host_time_s=np.asarray(time_s, float),
        geometry=geometry,
        rate_hz=rate_hz,
        calibration=Calibration(gain_kpa=gain, calibrated=calibrated, source=f"imported from {source}"),
        metadata=metadata,
    )
