"""The mat's crosstalk, removed from the loaded cells.

Crosstalk: a fraction ``c`` of each cell's signal appears in each of its 4 edge neighbours
(``Calibration.crosstalk_frac``, measured with a point load by
:func:`mat_driver.calibration.estimate_crosstalk`). A reading is ``r = s + c K s``, where
``s`` is the cells' own signal and ``K`` sums a cell's 4 edge neighbours. Per frame the
loaded cells' signal is the solution of ``(I + c K) s = r`` on the loaded cells (a
neighbour that is not loaded counts 0), found by the fixed-point iteration
``s <- r - c K s`` from ``s = r`` (the Neumann series ``r - c K r + c^2 K^2 r - ...``). ``c
K`` shrinks the largest value by ``4 c < 1`` at least, so after ``n`` rounds the error is
under ``(4 c)^(n + 1)`` times the highest reading; ``n`` is the smallest for which that is
under 1e-6. The correction runs in ADC signal (counts over the zero; pressure when the
calibration is linear): the leakage is electrical, before the sensor's power law.

A cell whose corrected pressure is at or below its edge level (the lowest level at which
any cell is loaded; the floor ``noise_kpa`` on a clean mat) was loaded only by its
neighbours' crosstalk and drops out; the spatial support of a noisy mat is not tested
again. Saturated cells keep their flag.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from gait_metrics._validation import MetricsError
from gait_metrics.grid import EDGE, lookup, neighbours
from mat_driver.model import MAX_CROSSTALK_FRAC

if TYPE_CHECKING:  # gait_metrics.cop applies the correction while it reads the loaded cells
    from gait_metrics.cop import LoadedCells

__all__ = ["remove_crosstalk"]

_TOLERANCE = 1e-6  # of the highest reading: the fixed-point iteration's error bound


def remove_crosstalk(cells: LoadedCells, fraction: float, *, level_kpa: float | np.ndarray = 0.0, exponent: float = 1.0) -> LoadedCells:
    """The loaded cells with the crosstalk ``fraction`` removed from their pressures.

    Parameters
    ----------
    cells
        Voxels in (frame, cell) order (:func:`gait_metrics.cop.read_loaded_cells`).
    fraction
        Share of a cell's signal read in each of its 4 edge neighbours, ``0 <= c < 0.25``.
    level_kpa
        Pressure at or below which a corrected cell drops out: one value, or one per cell
        (flat index).
    exponent
        The calibration's power-law exponent: the leakage is removed from ``pressure **
        (1 / exponent)``, the signal in counts up to the gain.

    Returns
    -------
    LoadedCells
        New voxels (the same object when ``fraction`` is 0); ``crosstalk_kpa`` holds the
        pressure removed, dropped cells included.

    Examples
    --------
    >>> from gait_metrics.cop import LoadedCells
    >>> from mat_driver.model import Geometry
    >>> s = np.zeros((1, 3, 3)); s[0, 1, 1] = 100.0
    >>> r = s.copy(); r[0, 0, 1] = r[0, 2, 1] = r[0, 1, 0] = r[0, 1, 2] = 3.0  # 3 % crosstalk
    >>> cells = LoadedCells.from_pressure(r, Geometry(3, 3, 10.0, 10.0), noise_kpa=1.0)
    >>> fixed = remove_crosstalk(cells, 0.03, level_kpa=1.0)
    >>> fixed.cell.tolist(), fixed.pressure.round(3).tolist(), round(fixed.crosstalk_kpa, 3)
    ([4], [100.0], 12.0)
    """
    if not 0.0 <= fraction < MAX_CROSSTALK_FRAC:
        raise MetricsError(f"crosstalk fraction must be in [0, {MAX_CROSSTALK_FRAC:g}), got {fraction}")
    if fraction == 0 or len(cells) == 0:
        return cells
    n_cells = cells.geometry.rows * cells.geometry.cols
    key = cells.frame.astype(np.int64) * n_cells + cells.cell
    neighbour = neighbours(cells.geometry, cells.cell, EDGE)
    found, loaded = lookup(key, cells.frame[:, None].astype(np.int64) * n_cells + neighbour)
    loaded &= neighbour >= 0
    # K as a sparse matrix, row by row in voxel order: each voxel's loaded edge neighbours
    indptr = np.r_[0, np.cumsum(np.count_nonzero(loaded, axis=1))]
    edges = sparse.csr_matrix((np.ones(int(indptr[-1])), found[loaded], indptr), shape=(key.size, key.size))
    reading = cells.pressure.astype(np.float64)
    if exponent != 1.0:
        reading **= 1.0 / exponent
    signal = reading
    for _ in range(max(int(np.ceil(np.log(_TOLERANCE) / np.log(4.0 * fraction))) - 1, 1)):
        signal = reading - fraction * (edges @ signal)
    pressure = (np.maximum(signal, 0.0) ** exponent if exponent != 1.0 else signal).astype(np.float32)
    level = np.take(level_kpa, cells.cell) if isinstance(level_kpa, np.ndarray) else level_kpa
    keep = pressure > level
    removed = float(cells.pressure.sum(dtype=np.float64) - pressure[keep].sum(dtype=np.float64))
    return dataclasses.replace(
        cells,
        frame=cells.frame[keep],
        cell=cells.cell[keep],
        pressure=pressure[keep],
        saturated=cells.saturated[keep],
        crosstalk_kpa=removed,
    )
