"""MatSense CSV and plain NumPy frames, with the geometry given by the user."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mat_driver.errors import RecordingError
from mat_driver.importers.common import ParseError, from_kpa
from mat_driver.model import Geometry, Metadata, Recording

__all__ = ["read_matsense_csv", "read_numpy"]


def _grid(path: Path, cells: int, rows: int | None, cols: int | None) -> tuple[int, int]:
    if rows and cols:
        if rows * cols != cells:
            raise RecordingError(f"{path.name}: {cells} cells per frame do not make {rows}x{cols}; check --rows/--cols")
        return rows, cols
    side = int(round(np.sqrt(cells)))
    if side * side != cells:
        raise RecordingError(f"{path.name}: {cells} cells per frame is not square; give --rows and --cols")
    return side, side


def read_matsense_csv(path: Path, *, rows: int | None, cols: int | None, pitch_mm: float, setup: str = "walkway", calibrated: bool = False) -> Recording:
    """MatSense CSV: per line rows x cols values, the frame index and the timestamp in us.
    Values are raw counts unless ``calibrated`` (then kPa)."""
    values, times = [], []
    width = None
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.strip().rstrip(",").split(",")
        if width is None:
            width = len(fields)
        if len(fields) != width or width < 3:
            raise ParseError(path, number, f"expected {width} fields, got {len(fields)}")
        try:
            numbers = [float(f) for f in fields]
        except ValueError:
            raise ParseError(path, number, "non-numeric field") from None
        values.append(numbers[:-2])
        times.append(numbers[-1] / 1e6)
    if not values:
        raise RecordingError(f"{path.name}: no frames")
    rows, cols = _grid(path, len(values[0]), rows, cols)
    time_s = np.array(times) - times[0]
    rate = 1.0 / float(np.median(np.diff(time_s))) if len(time_s) > 1 else 1.0
    metadata = Metadata(setup=setup, belt_speed_m_s=None, device_model="MatSense (imported)", adc_bits=16, notes=f"imported from {path.name}")
    pressure = np.array(values).reshape(-1, rows, cols)
    return from_kpa(
        pressure, time_s, Geometry(rows, cols, pitch_mm, pitch_mm), rate_hz=rate, metadata=metadata, source=f"MatSense CSV {path.name}", calibrated=calibrated
    )


def read_numpy(path: Path, *, pitch_mm: float, rate_hz: float, setup: str = "walkway", walk_axis: str = "cols", calibrated: bool = True) -> Recording:
    """``.npy`` frames ``(n, rows, cols)`` or ``.npz`` with ``frames`` (and optional
    ``time_s``); values in kPa unless ``calibrated`` is False."""
    try:
        loaded = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise RecordingError(f"{path.name}: not a NumPy file ({exc})") from None
    if isinstance(loaded, np.lib.npyio.NpzFile):
        if "frames" not in loaded:
            raise RecordingError(f"{path.name}: the .npz has no 'frames' array (has {', '.join(loaded.files)})")
        frames, time_s = loaded["frames"], loaded["time_s"] if "time_s" in loaded else None
    else:
        frames, time_s = loaded, None
    if frames.ndim != 3:
        raise RecordingError(f"{path.name}: frames must be (n, rows, cols), got shape {frames.shape}")
    time_s = np.arange(len(frames)) / rate_hz if time_s is None else np.asarray(time_s, float)
    geometry = Geometry(frames.shape[1], frames.shape[2], pitch_mm, pitch_mm, walk_axis)  # type: ignore[arg-type]
    metadata = Metadata(setup=setup, belt_speed_m_s=None, adc_bits=16, notes=f"imported from {path.name}")
    return from_kpa(frames, time_s, geometry, rate_hz=rate_hz, metadata=metadata, source=f"NumPy {path.name}", calibrated=calibrated)
