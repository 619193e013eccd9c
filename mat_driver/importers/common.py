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
    """A recording from pressures ``(n, rows, cols)`` in kPa (or raw units if not calibrated).

    Raises
    ------
    RecordingError
        If any value is NaN or infinite (nothing is imported: the message counts them), or
        negative, or too large for the 16-bit storage.
    """
    pressure = np.asarray(pressure, float)
    bad = ~np.isfinite(pressure)
    if bad.any():
        frames_hit = int(bad.reshape(len(pressure), -1).any(axis=1).sum())
        cells = int(bad.sum())
        raise RecordingError(
            f"{source}: {cells} cell{'s' if cells > 1 else ''} in {frames_hit} of {len(pressure)} frames "
            "NaN or infinite; nothing imported: replace them (e.g. by 0) and import again"
        )
    if pressure.size and pressure.min() < 0:
        raise RecordingError(f"{source}: negative pressure values")
    gain = KPA_PER_COUNT if calibrated else 1.0
    counts = np.rint(pressure / gain)
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
