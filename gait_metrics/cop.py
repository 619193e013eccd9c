"""Loaded cells, and per-frame force, contact area, peak pressure and centre of pressure.

A recording is read once, chunk by chunk. Only cells above the noise threshold matter to
every later step, and they are a few percent of all cells, so each chunk is reduced to
its loaded cells ("voxels": frame, cell, pressure) right away. The threshold is applied
in raw counts per cell (``raw >= floor(tare + threshold in counts)``, then exactly on the
calibrated value), so only loaded cells are ever calibrated; the result equals
``recording.pressure()`` at those cells, bit for bit.

Per frame: force = sum of loaded cell pressures x cell area (kPa x mm^2 / 1000 = N),
contact area = loaded cells x cell area, peak pressure, and the CoP as the
pressure-weighted centroid of the loaded cells' centres (sub-cell precision), in the mat
frame: ``x`` mm along the walking axis, ``y`` mm across it, cell ``i`` centred at
``(i + 0.5) * pitch``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from gait_metrics._validation import check_array
from gait_metrics.dataframes import to_dataframe
from mat_driver.model import Calibration, Geometry, Recording

__all__ = ["mat_coordinates", "LoadedCells", "FrameSeries", "read_loaded_cells", "frame_series", "frame_stats"]


def mat_coordinates(geometry: Geometry) -> tuple[np.ndarray, np.ndarray]:
    """``(x_mm, y_mm)`` of every cell centre in the mat frame, each shaped ``(rows, cols)``.

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


@dataclass(frozen=True, eq=False)
class LoadedCells:
    """The loaded cells of a recording as voxels, in frame order (then cell order).

    ``frame`` (int32) is the frame index, ``cell`` (int32) the flat cell index
    ``row * cols + col``, ``pressure`` (float32) the calibrated pressure (kPa, or raw units),
    ``saturated`` whether the raw count was at the ADC maximum. ``extra_saturated`` counts,
    per frame, saturated cells that can never be loaded (a tare above the ADC range).
    """

    frame: np.ndarray
    cell: np.ndarray
    pressure: np.ndarray
    saturated: np.ndarray
    extra_saturated: np.ndarray
    n_frames: int
    geometry: Geometry

    def __len__(self) -> int:
        return int(self.frame.size)

    @cached_property
    def weighted_positions(self) -> tuple[np.ndarray, np.ndarray]:
        """Pressure x cell centre ``x`` and ``y`` (mat frame, mm) of every voxel, float32.

        Computed once: the footprint segmentation and the per-frame CoP both sum them.
        """
        x_mm, y_mm = (c.ravel().astype(np.float32) for c in mat_coordinates(self.geometry))
        return self.pressure * np.take(x_mm, self.cell), self.pressure * np.take(y_mm, self.cell)

    @classmethod
    def from_pressure(cls, pressure: np.ndarray, geometry: Geometry, *, noise_kpa: float) -> "LoadedCells":
        """Voxels of already calibrated frames ``(n, rows, cols)`` (no saturation known)."""
        pressure = check_array(pressure, "pressure", ndim=3, last_shape=geometry.shape)
        flat = pressure.reshape(len(pressure), -1)
        index = np.flatnonzero(flat > noise_kpa)
        frame, cell = np.divmod(index, flat.shape[1])
        return cls(
            frame.astype(np.int32),
            cell.astype(np.int32),
            flat.ravel()[index].astype(np.float32),
            np.zeros(index.size, bool),
            np.zeros(len(pressure), np.int32),
            len(pressure),
            geometry,
        )


def _raw_floor(calibration: Calibration, shape: tuple[int, int], noise_kpa: float) -> np.ndarray:
    """Per cell, the raw count at or above which a cell may be loaded: ``floor(tare + q)``
    where ``q`` is the noise threshold converted to counts. Every loaded cell passes it."""
    scale = calibration.gain_kpa if calibration.calibrated else 1.0
    counts = (noise_kpa / scale) ** (1.0 / calibration.exponent)
    tare = np.zeros(shape) if calibration.tare is None else np.asarray(calibration.tare, np.float64)
    return np.floor(tare + counts).ravel()


def _calibrate(raw: np.ndarray, cell: np.ndarray, calibration: Calibration, tare: np.ndarray | None) -> np.ndarray:
    """:meth:`Calibration.apply` on single cells: the same float32 operations, same results.

    ``tare`` is the calibration's tare as a flat float32 array (None without a tare).
    """
    values = raw.astype(np.float32)
    if tare is not None:
        values -= np.take(tare, cell)
    np.maximum(values, 0.0, out=values)
    if calibration.exponent != 1.0:
        np.power(values, np.float32(calibration.exponent), out=values)
    if calibration.calibrated:
        values *= np.float32(calibration.gain_kpa)
    return values


def read_loaded_cells(recording: Recording, *, noise_kpa: float, chunk_frames: int = 512) -> LoadedCells:
    """Read a recording chunk by chunk and keep only its loaded cells.

    Peak memory is one chunk of raw frames plus the voxels (10 bytes per loaded cell).

    Parameters
    ----------
    recording
        Frames may be in memory or a lazily read file.
    noise_kpa
        Cells at or below this pressure (raw units when uncalibrated) are not loaded.
    chunk_frames
        Frames read at a time.
    """
    geometry = recording.geometry
    n_cells = geometry.rows * geometry.cols
    adc_max = recording.metadata.adc_max
    floor = _raw_floor(recording.calibration, geometry.shape, noise_kpa)
    never = np.flatnonzero(floor > adc_max)  # cells whose tare lies above the ADC range
    tare = None if recording.calibration.tare is None else np.asarray(recording.calibration.tare, np.float32).ravel()
    parts: list[tuple[np.ndarray, ...]] = []
    extra = np.zeros(recording.n_frames, np.int32)
    mask = np.empty((min(chunk_frames, recording.n_frames), n_cells), bool)  # reused: no fresh pages per chunk
    bound: np.ndarray | None = None
    for start in range(0, recording.n_frames, chunk_frames):
        raw = recording.raw(slice(start, start + chunk_frames))
        raw = raw.reshape(len(raw), n_cells)
        if bound is None or bound.dtype != raw.dtype:
            bound = np.clip(floor, 0, np.iinfo(raw.dtype).max).astype(raw.dtype) if raw.dtype.kind in "ui" else floor
        index = np.flatnonzero(np.greater_equal(raw, bound, out=mask[: len(raw)]))
        values = raw.ravel()[index]
        frame, cell = np.divmod(index, n_cells)
        pressure = _calibrate(values, cell, recording.calibration, tare)
        keep = pressure > noise_kpa
        frame = frame[keep].astype(np.int32)
        frame += start
        parts.append((frame, cell[keep].astype(np.int32), pressure[keep], values[keep] >= adc_max))
        if never.size:
            extra[start : start + len(raw)] = np.count_nonzero(raw[:, never] >= adc_max, axis=1)
    columns = [np.concatenate([p[i] for p in parts]) if parts else np.zeros(0, dtype) for i, dtype in enumerate((np.int32, np.int32, np.float32, bool))]
    return LoadedCells(*columns, extra, recording.n_frames, geometry)


@dataclass(frozen=True, eq=False)
class FrameSeries:
    """Per-frame values, each ``(n_frames,)``.

    ``force_n`` in N (raw units x mm^2 / 1000 when uncalibrated), ``area_cm2``,
    ``peak_kpa`` (raw when uncalibrated), ``cop_x_mm`` / ``cop_y_mm`` in the mat frame (NaN
    with nothing loaded), ``saturated_cells`` at the ADC maximum, ``time_s`` from the
    first frame.
    """

    time_s: np.ndarray
    force_n: np.ndarray
    area_cm2: np.ndarray
    peak_kpa: np.ndarray
    cop_x_mm: np.ndarray
    cop_y_mm: np.ndarray
    saturated_cells: np.ndarray

    #: Names of the per-frame columns, in order.
    COLUMNS = ("time_s", "force_n", "area_cm2", "peak_kpa", "cop_x_mm", "cop_y_mm", "saturated_cells")

    def __len__(self) -> int:
        return int(self.time_s.size)

    def to_dataframe(self) -> Any:
        """The per-frame columns as a ``pandas.DataFrame`` (extra ``pandas``)."""
        return to_dataframe({name: getattr(self, name) for name in self.COLUMNS})

    @classmethod
    def from_sums(
        cls, time_s: np.ndarray, geometry: Geometry, pressure: np.ndarray, cells: np.ndarray, peak: np.ndarray,
        x_sum: np.ndarray, y_sum: np.ndarray, saturated: np.ndarray,
    ) -> "FrameSeries":
        """Per-frame values from per-frame sums: of pressure, of loaded cells, of pressure x
        cell centre ``x`` and ``y`` (mat mm); the peak pressure and the saturated cells."""
        with np.errstate(invalid="ignore", divide="ignore"):
            cop_x = np.where(pressure > 0, x_sum / pressure, np.nan)
            cop_y = np.where(pressure > 0, y_sum / pressure, np.nan)
        return cls(
            time_s=np.asarray(time_s, np.float64),
            force_n=pressure * (geometry.cell_area_mm2 / 1000.0),
            area_cm2=cells * (geometry.cell_area_mm2 / 100.0),
            peak_kpa=np.asarray(peak, np.float64),
            cop_x_mm=cop_x,
            cop_y_mm=cop_y,
            saturated_cells=np.asarray(saturated).astype(np.int32),
        )


def frame_series(cells: LoadedCells, time_s: np.ndarray) -> FrameSeries:
    """Per-frame values of the whole mat from its loaded cells (in frame order)."""
    n = cells.n_frames
    frame = cells.frame
    starts = np.flatnonzero(np.r_[True, frame[1:] != frame[:-1]]) if frame.size else np.zeros(0, np.int64)
    which = frame[starts]

    def per_frame(values: np.ndarray, ufunc: np.ufunc = np.add) -> np.ndarray:
        out = np.zeros(n)
        if starts.size:  # sums accumulate in float64; the largest value needs no conversion
            out[which] = ufunc.reduceat(values, starts, dtype=np.float64 if ufunc is np.add else None)
        return out

    pressure = cells.pressure
    px, py = cells.weighted_positions
    count = np.zeros(n)
    count[which] = np.diff(np.r_[starts, frame.size])
    saturated = per_frame(cells.saturated.astype(np.float32)) if cells.saturated.any() else np.zeros(n)
    return FrameSeries.from_sums(
        time_s, cells.geometry, per_frame(pressure), count, per_frame(pressure, np.maximum), per_frame(px), per_frame(py), saturated + cells.extra_saturated
    )


def frame_stats(pressure: np.ndarray, geometry: Geometry, *, noise_kpa: float = 5.0, time_s: np.ndarray | None = None) -> FrameSeries:
    """Force, area, peak pressure and CoP of every frame of calibrated ``pressure``.

    Parameters
    ----------
    pressure
        ``(n, rows, cols)`` in kPa (or raw units).
    geometry
        Grid size, pitch and walking axis.
    noise_kpa
        Cells at or below this pressure count for nothing.
    time_s
        Frame times (default: frame index).

    Examples
    --------
    >>> from mat_driver.model import Geometry
    >>> g = Geometry(2, 2, 10.0, 10.0)
    >>> p = np.array([[[0.0, 100.0], [0.0, 300.0]]])
    >>> s = frame_stats(p, g)
    >>> float(s.force_n[0]), float(s.area_cm2[0]), float(s.cop_x_mm[0]), float(s.cop_y_mm[0])
    (40.0, 2.0, 15.0, 12.5)
    """
    cells = LoadedCells.from_pressure(pressure, geometry, noise_kpa=noise_kpa)
    times = np.arange(cells.n_frames, dtype=float) if time_s is None else check_array(time_s, "time_s", ndim=1)
    return frame_series(cells, times)
