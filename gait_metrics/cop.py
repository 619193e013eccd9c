"""Loaded cells, and per-frame force, contact area, peak pressure and centre of pressure.

A recording is read once, chunk by chunk. Only cells above the noise threshold matter to
every later step, and they are a few percent of all cells, so each chunk is reduced to
its loaded cells ("voxels": frame, cell, pressure) right away. The threshold is each
cell's loaded level (the floor, or a multiple of the cell's noise SD on a noisy mat; see
:mod:`gait_metrics.noise`), applied in raw counts per cell (``raw >= floor(zero + level in
counts)``, then exactly on the calibrated value), so only loaded cells are ever
calibrated; the result equals ``recording.pressure()`` at those cells, bit for bit. On a
noisy mat a loaded cell needs a loaded neighbour (spatial support), dead and stuck cells
are left out, and a dead cell under a foot is filled from its neighbours.

Per frame: force = sum of loaded cell pressures x cell area (kPa x mm^2 / 1000 = N),
contact area = loaded cells x cell area, peak pressure, and the CoP as the
pressure-weighted centroid of the loaded cells' centres (sub-cell precision), in the mat
frame: ``x`` mm along the walking axis, ``y`` mm across it, cell ``i`` centred at
``(i + 0.5) * pitch``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from gait_metrics._validation import check_array
from gait_metrics.config import DEFAULTS
from gait_metrics.crosstalk import remove_crosstalk
from gait_metrics.dataframes import to_dataframe
from gait_metrics.grid import EDGE, RING, lookup, neighbours
from gait_metrics.noise import NoiseModel, floor_counts
from gait_metrics.saturation import extrapolate_saturated
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
    ``filled_cells`` are the dead cells filled from their neighbours in some frame (flat
    indices) and ``filled_kpa`` the sum of the pressures filled in; ``extrapolated_kpa``
    the sum of the pressure that saturated cells gained (:mod:`gait_metrics.saturation`);
    ``crosstalk_kpa`` the pressure the crosstalk correction removed
    (:mod:`gait_metrics.crosstalk`; 0 without one).
    """

    frame: np.ndarray
    cell: np.ndarray
    pressure: np.ndarray
    saturated: np.ndarray
    extra_saturated: np.ndarray
    n_frames: int
    geometry: Geometry
    filled_cells: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    filled_kpa: float = 0.0
    extrapolated_kpa: float = 0.0
    crosstalk_kpa: float = 0.0

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


class _Levels:
    """The loaded test of every cell, in raw counts and in pressure (see :mod:`gait_metrics.noise`).

    ``bound`` is the raw count at or above which a cell may be loaded, ``floor(zero +
    level)`` (the edge level where the noise sets the level); ``kpa`` the pressure a cell
    must exceed to be loaded, ``edge_kpa`` next to a loaded cell (float32; the floor
    ``noise_kpa`` itself where the noise does not raise it, so that a clean mat's test is
    unchanged); ``blocked`` dead and stuck cells (never loaded); ``support`` the cells
    that need a loaded neighbour; ``never`` live cells whose zero lies above the ADC range.
    """

    def __init__(self, recording: Recording, noise_kpa: float, noise: NoiseModel | None) -> None:
        calibration, shape = recording.calibration, recording.geometry.shape
        noise = noise or NoiseModel.uniform(shape, floor_counts(calibration, noise_kpa))
        tare = np.zeros(shape) if calibration.tare is None else np.asarray(calibration.tare, np.float64)
        raised = noise.needs_support
        counts = np.where(raised, noise.edge_counts, noise.floor_counts)
        self.bound = np.floor(tare + counts).ravel()
        self.blocked = noise.blocked.ravel()
        self.never = np.flatnonzero((self.bound > recording.metadata.adc_max) & ~self.blocked)
        self.bound[self.blocked] = np.inf
        self.support = raised.ravel() & ~self.blocked
        self.kpa: np.ndarray | float = noise_kpa
        self.edge_kpa: np.ndarray | float = noise_kpa
        if raised.any():
            self.kpa, self.edge_kpa = (
                np.where(raised, noise.counts_to_kpa(level, calibration), noise_kpa).astype(np.float32).ravel()
                for level in (noise.level_counts, noise.edge_counts)
            )
        self.dead = np.flatnonzero(noise.dead & ~noise.stuck)
        self.dead_neighbours = neighbours(recording.geometry, self.dead, EDGE)
        self.dead_neighbours[np.isin(self.dead_neighbours, np.flatnonzero(self.blocked))] = -1

    def above(self, pressure: np.ndarray, cell: np.ndarray, *, edge: bool = False) -> np.ndarray:
        """Whether each pressure exceeds its cell's loaded level (or its edge level)."""
        level = self.edge_kpa if edge else self.kpa
        return pressure > (level if np.isscalar(level) else np.take(level, cell))


def _calibrate(raw: np.ndarray, cell: np.ndarray, calibration: Calibration, tare: np.ndarray | None) -> np.ndarray:
    """:meth:`Calibration.apply` on single cells (flat indices ``cell``): the same results.

    ``tare`` is the calibration's tare as a flat float32 array (None without a tare).
    """
    return calibration.convert(raw, None if tare is None else np.take(tare, cell))


def _fill_dead(neighbour_raw: np.ndarray, levels: _Levels, calibration: Calibration, tare: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dead cells under a foot, from their neighbours: ``(frame, cell, pressure)`` in
    (frame, cell) order.

    ``neighbour_raw`` holds, per frame, the raw counts of each dead cell's 4 edge neighbours
    (``levels.dead_neighbours``). A dead cell with at least 2 loaded live edge neighbours
    reads the mean pressure of its live edge neighbours (unloaded ones as 0), if that is
    over its own loaded level.
    """
    nbr = levels.dead_neighbours
    valid = nbr >= 0
    safe = np.where(valid, nbr, 0)
    passed = (neighbour_raw >= np.take(levels.bound, safe)) & valid  # the raw test picks the frames to look at
    frames = np.flatnonzero((np.count_nonzero(passed, axis=2) >= 2).any(axis=1))
    cells = np.broadcast_to(safe, (frames.size, *safe.shape))
    pressure = _calibrate(neighbour_raw[frames].ravel(), cells.ravel(), calibration, tare).reshape(cells.shape)
    loaded = levels.above(pressure, cells) & valid
    pressure = np.where(loaded, pressure, np.float32(0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        value = (pressure.sum(axis=2) / valid.sum(axis=1)).astype(np.float32)
    use = (np.count_nonzero(loaded, axis=2) >= 2) & levels.above(value, np.broadcast_to(levels.dead, value.shape))
    row, which = np.nonzero(use)
    return frames[row], levels.dead[which], value[row, which]


def _has_neighbour(key: np.ndarray, frame: np.ndarray, cell: np.ndarray, n_cells: int, geometry: Geometry) -> np.ndarray:
    """Whether each (frame, cell) has one of its 8 neighbours among ``key`` (sorted
    ``frame * n_cells + cell``)."""
    if key.size == 0:
        return np.zeros(cell.size, bool)
    nbr = neighbours(geometry, cell, RING)
    _, found = lookup(key, frame[:, None].astype(np.int64) * n_cells + nbr)
    return np.any(found & (nbr >= 0), axis=1)


def _supported(frame: np.ndarray, cell: np.ndarray, pressure: np.ndarray, levels: _Levels, geometry: Geometry) -> np.ndarray:
    """Whether each voxel (sorted by frame, then cell; all over their edge level) stays.

    A cell whose level the noise sets is loaded over that level with a loaded 8-neighbour
    (spatial support: a lone one is noise), or over its edge level next to such a cell.
    """
    n_cells = geometry.rows * geometry.cols
    strong = levels.above(pressure, cell)
    keep = strong & ~np.take(levels.support, cell)
    check = np.flatnonzero(strong & ~keep)
    key = frame.astype(np.int64) * n_cells + cell
    keep[check] = _has_neighbour(key[strong], frame[check], cell[check], n_cells, geometry)
    weak = np.flatnonzero(~strong)
    keep[weak] = _has_neighbour(key[keep], frame[weak], cell[weak], n_cells, geometry)
    return keep


def read_loaded_cells(
    recording: Recording,
    *,
    noise_kpa: float,
    chunk_frames: int = DEFAULTS.chunk_frames,
    noise: NoiseModel | None = None,
    fill_saturated: bool = DEFAULTS.extrapolate_saturated,
) -> LoadedCells:
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
    noise
        The mat's noise (:func:`gait_metrics.noise.estimate_noise`): per-cell levels over
        the floor, dead and stuck cells kept out, dead cells under a foot filled from their
        neighbours, and a lone cell loaded at a noise-set level dropped. ``None``: the
        floor on every cell.
    fill_saturated
        Saturated cells read the pressure extrapolated from the cells around them
        (:func:`gait_metrics.saturation.extrapolate_saturated`) where that is higher.
        Then the calibration's crosstalk, if it has one, is removed
        (:func:`gait_metrics.crosstalk.remove_crosstalk`, cells at or below their edge level
        dropped).
    """
    geometry = recording.geometry
    n_cells = geometry.rows * geometry.cols
    adc_max = recording.metadata.adc_max
    levels = _Levels(recording, noise_kpa, noise)
    floor, never = levels.bound, levels.never
    calibration = recording.calibration
    tare = None if calibration.tare is None else np.asarray(calibration.tare, np.float32).ravel()
    parts: list[tuple[np.ndarray, ...]] = []
    extra = np.zeros(recording.n_frames, np.int32)
    neighbour_raw: list[np.ndarray] = []  # each dead cell's edge neighbours, for the fill
    mask = np.empty((min(chunk_frames, recording.n_frames), n_cells), bool)  # reused: no fresh pages per chunk
    bound: np.ndarray | None = None
    for start in range(0, recording.n_frames, chunk_frames):
        raw = recording.raw(slice(start, start + chunk_frames))
        raw = raw.reshape(len(raw), n_cells)
        if bound is None or bound.dtype != raw.dtype:
            bound = np.clip(floor, 0, np.iinfo(raw.dtype).max).astype(raw.dtype) if raw.dtype.kind in "ui" else floor
            # dead and stuck cells: above the ADC's range, or dropped below when the top count could pass
            screen = levels.blocked.any() and (raw.dtype.kind not in "ui" or adc_max >= np.iinfo(raw.dtype).max)
        index = np.flatnonzero(np.greater_equal(raw, bound, out=mask[: len(raw)]))
        values = raw.ravel()[index]
        frame, cell = np.divmod(index, n_cells)
        pressure = _calibrate(values, cell, calibration, tare)
        keep = levels.above(pressure, cell, edge=True)
        if screen:
            keep &= ~np.take(levels.blocked, cell)
        frame, cell, pressure, saturated = frame[keep], cell[keep], pressure[keep], values[keep] >= adc_max
        if levels.dead.size:
            neighbour_raw.append(raw[:, levels.dead_neighbours.clip(0)])
        if levels.support.any():
            ok = _supported(frame, cell, pressure, levels, geometry)
            frame, cell, pressure, saturated = frame[ok], cell[ok], pressure[ok], saturated[ok]
        frame = frame.astype(np.int32)
        frame += start
        parts.append((frame, cell.astype(np.int32), pressure, saturated))
        if never.size:
            extra[start : start + len(raw)] = np.count_nonzero(raw[:, never] >= adc_max, axis=1)
    columns = [np.concatenate([p[i] for p in parts]) if parts else np.zeros(0, dtype) for i, dtype in enumerate((np.int32, np.int32, np.float32, bool))]
    filled, filled_kpa = np.zeros(0, np.int32), 0.0
    if neighbour_raw:
        f, c, p = _fill_dead(np.concatenate(neighbour_raw), levels, calibration, tare)
        at = np.searchsorted(columns[0].astype(np.int64) * n_cells + columns[1], f * n_cells + c)  # in place: (frame, cell) order
        columns = [np.insert(a, at, b) for a, b in zip(columns, (f, c, p, False))]
        filled, filled_kpa = np.unique(c).astype(np.int32), float(p.sum(dtype=np.float64))
    extrapolated_kpa = 0.0
    if fill_saturated and columns[3].any():
        clipped = columns[2]
        columns[2] = extrapolate_saturated(*columns, geometry, floor=levels.kpa, blocked=levels.blocked)
        extrapolated_kpa = float(columns[2].sum(dtype=np.float64) - clipped.sum(dtype=np.float64))
    cells = LoadedCells(*columns, extra, recording.n_frames, geometry, filled_cells=filled, filled_kpa=filled_kpa, extrapolated_kpa=extrapolated_kpa)
    if calibration.crosstalk_frac:
        cells = remove_crosstalk(cells, calibration.crosstalk_frac, level_kpa=levels.edge_kpa, exponent=calibration.exponent)
    return cells


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
        cls,
        time_s: np.ndarray,
        geometry: Geometry,
        pressure: np.ndarray,
        cells: np.ndarray,
        peak: np.ndarray,
        x_sum: np.ndarray,
        y_sum: np.ndarray,
        saturated: np.ndarray,
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


def frame_stats(pressure: np.ndarray, geometry: Geometry, *, noise_kpa: float = DEFAULTS.noise_kpa, time_s: np.ndarray | None = None) -> FrameSeries:
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
