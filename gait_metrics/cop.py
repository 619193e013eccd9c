"""Per-frame force, contact area, peak pressure and centre of pressure (CoP).

Axes are (frame, row, col) inside; coordinates are converted to mm in the mat frame: ``x``
along the walking axis, ``y`` across it (see docs/metrics.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mat_driver.model import Geometry

__all__ = ["mat_coordinates", "FrameSeries", "frame_stats", "force_n"]


def mat_coordinates(geometry: Geometry) -> tuple[np.ndarray, np.ndarray]:
    """``(x_mm, y_mm)`` of every cell centre, each shaped ``(rows, cols)``.

    Examples
    --------
    >>> from mat_driver.model import Geometry
    >>> x, y = mat_coordinates(Geometry(2, 3, 10.0, 5.0, "cols"))
    >>> x[0].tolist(), y[:, 0].tolist()
    ([2.5, 7.5, 12.5], [5.0, 15.0])
    """
    rows = (np.arange(geometry.rows) + 0.5) * geometry.pitch_row_mm
    cols = (np.arange(geometry.cols) + 0.5) * geometry.pitch_col_mm
    row_grid, col_grid = np.meshgrid(rows, cols, indexing="ij")
    if geometry.walk_axis == "cols":
        return col_grid, row_grid
    return row_grid, col_grid


def force_n(pressure_sum: np.ndarray | float, geometry: Geometry) -> np.ndarray | float:
    """Summed cell pressure (kPa) to force in N: kPa x mm^2 / 1000."""
    return pressure_sum * geometry.cell_area_mm2 / 1000.0


@dataclass(frozen=True, eq=False)
class FrameSeries:
    """Whole-mat values per frame. Force in N (raw units x mm^2 / 1000 when uncalibrated),
    area in cm^2, peak pressure in kPa (or raw), CoP in mat mm (NaN on an empty mat)."""

    time_s: np.ndarray
    force_n: np.ndarray
    area_cm2: np.ndarray
    peak_kpa: np.ndarray
    cop_x_mm: np.ndarray
    cop_y_mm: np.ndarray
    saturated_cells: np.ndarray


def frame_stats(pressure: np.ndarray, x_mm: np.ndarray, y_mm: np.ndarray, geometry: Geometry, *, noise_kpa: float) -> dict[str, np.ndarray]:
    """Force, area, peak and CoP of each frame of ``pressure`` ``(n, rows, cols)``.

    Cells at or below ``noise_kpa`` count as unloaded. The CoP is the pressure-weighted
    centroid of the loaded cells (sub-cell precision).

    Examples
    --------
    >>> from mat_driver.model import Geometry
    >>> g = Geometry(2, 2, 10.0, 10.0)
    >>> x, y = mat_coordinates(g)
    >>> p = np.array([[[0.0, 100.0], [0.0, 300.0]]])
    >>> s = frame_stats(p, x, y, g, noise_kpa=5.0)
    >>> float(s["force_n"][0]), float(s["cop_x_mm"][0]), float(s["cop_y_mm"][0])
    (40.0, 15.0, 12.5)
    """
    loaded = np.where(pressure > noise_kpa, pressure, 0.0).astype(np.float32, copy=False)
    flat = loaded.reshape(len(loaded), -1)
    total = flat.sum(axis=1, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        cop_x = (flat @ x_mm.ravel().astype(np.float32)) / total
        cop_y = (flat @ y_mm.ravel().astype(np.float32)) / total
    return {
        "force_n": force_n(total, geometry),
        "area_cm2": np.count_nonzero(flat, axis=1) * geometry.cell_area_mm2 / 100.0,
        "peak_kpa": flat.max(axis=1, initial=0.0),
        "cop_x_mm": np.where(total > 0, cop_x, np.nan),
        "cop_y_mm": np.where(total > 0, cop_y, np.nan),
    }
