"""Saturated cells: their pressure extrapolated from the unclipped cells around them.

A cell at its ADC's top count reads the top, whatever the load above it. On a 10-bit
Velostat mat (about 410 kPa at the top) a runner's heel and metatarsal heads reach
900-1,300 kPa, so a third to a half of a running step's force sits in clipped cells, the
step's peak force reads 13-34 % low, and with it the 5 % level that times every event
(docs/metrics.md).

A footprint's pressure is a smooth dome around each clipped patch, and its logarithm is
close to a quadratic there (a Gaussian pad). So each frame's clipped patch is filled in by
thin-plate (biharmonic) inpainting of the log pressure (Hoang and Damelin 2017): the
values that make the discrete Laplacian of ``log p`` as small as possible (least squares)
at every cell of the patch and the ring around it, with the unclipped cells fixed at their
readings (cells under their loaded level at that level). The fill is exact for a Gaussian
dome, continues the slope of the patch's rim into its middle without a model of its
shape, and never goes below the clipped reading (the true pressure is at least that). The
whole recording is one sparse least-squares system, block by block. A patch (8-connected
clipped cells of one frame) needs its neighbourhood: one with a cell within 2 cells of the
mat's edge or of a dead or stuck cell keeps its readings, since a rim that is not seen all
round leaves the extrapolation unbounded.

This is an estimate, not a measurement: the report gives the share of each step's force
in clipped cells (``saturated_force_pct``) and of the session's force that the fill adds
(``quality["saturation_added_force_pct"]``); ``AnalysisConfig(extrapolate_saturated=
False)`` keeps the clipped readings.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import spsolve

from gait_metrics.grid import EDGE, RING, lookup, neighbours
from mat_driver.model import Geometry

__all__ = ["extrapolate_saturated"]

#: Weights of the 5-point discrete Laplacian: the cell, then its 4 edge neighbours.
_LAPLACIAN = np.array([-4.0, 1.0, 1.0, 1.0, 1.0])
#: Pull of every clipped cell towards its own reading: only decides cells that no
#: Laplacian reaches, negligible against the Laplacian's weights elsewhere.
_ANCHOR = 1e-6
#: The smallest pressure taken for an unloaded cell (a floor of 0 has no logarithm).
_TINY = 1e-6
#: Offsets of the 24 cells within 2 of a cell: its Laplacian's and its 8 neighbours' reach.
_REACH = tuple((dr, dc) for dr in range(-2, 3) for dc in range(-2, 3) if (dr, dc) != (0, 0))


def _seen_all_round(key: np.ndarray, sat: np.ndarray, geometry: Geometry, blocked: np.ndarray) -> np.ndarray:
    """Per saturated voxel (``key[sat]``, ``frame * n_cells + cell``), whether its patch
    (8-connected saturated voxels of one frame) has every cell within 2 of it on the mat
    and not a dead or stuck cell."""
    n_cells = geometry.rows * geometry.cols
    frame, cell = np.divmod(key[sat], n_cells)
    near = neighbours(geometry, cell, _REACH)
    _, found = lookup(key, frame[:, None] * n_cells + near)
    blind = ((near < 0) | (np.take(blocked, near.clip(0)) & ~found)).any(axis=1)
    ring = neighbours(geometry, cell, RING)
    at, linked = lookup(key[sat], frame[:, None] * n_cells + ring)
    linked &= ring >= 0
    rows = np.broadcast_to(np.arange(sat.size)[:, None], ring.shape)
    graph = sparse.coo_matrix((np.ones(np.count_nonzero(linked)), (rows[linked], at[linked])), shape=(sat.size, sat.size))
    _, patch = connected_components(graph, directed=False)
    return ~np.isin(patch, patch[blind])


def extrapolate_saturated(
    frame: np.ndarray,
    cell: np.ndarray,
    pressure: np.ndarray,
    saturated: np.ndarray,
    geometry: Geometry,
    *,
    floor: np.ndarray | float,
    blocked: np.ndarray,
) -> np.ndarray:
    """The voxels' pressures with every saturated one extrapolated (float32).

    Parameters
    ----------
    frame, cell, pressure, saturated
        Loaded voxels sorted by frame, then flat cell index (``gait_metrics.cop.LoadedCells``).
    geometry
        The mat's grid.
    floor
        Each cell's loaded level (kPa; per flat cell, or one for all): the pressure taken
        for a neighbour that is not loaded.
    blocked
        Per flat cell, dead and stuck cells: their readings say nothing, and a Laplacian
        that would need one is left out.

    Returns
    -------
    numpy.ndarray
        ``pressure`` with each saturated voxel raised to the fill where that is higher.

    Examples
    --------
    A Gaussian dome of 1,000 kPa clipped at 400 kPa comes back:

    >>> from mat_driver.model import Geometry
    >>> g = Geometry(9, 9, 10.0, 10.0, "cols")
    >>> r, c = np.divmod(np.arange(81), 9)
    >>> dome = 1000.0 * np.exp(-((r - 4) ** 2 + (c - 4) ** 2) / 8.0)
    >>> read = np.minimum(dome, 400.0).astype(np.float32)
    >>> out = extrapolate_saturated(np.zeros(81, int), np.arange(81), read, dome >= 400, g, floor=5.0, blocked=np.zeros(81, bool))
    >>> round(float(out[40]))
    1000
    """
    pressure = np.asarray(pressure, np.float32)
    n_cells = geometry.rows * geometry.cols
    key = np.asarray(frame, np.int64) * n_cells + cell
    sat = np.flatnonzero(saturated)
    if sat.size:
        sat = sat[_seen_all_round(key, sat, geometry, blocked)]
    if sat.size == 0:
        return pressure
    sat_frame = key[sat] // n_cells

    # a Laplacian at every clipped cell and at the 8 around it, in the same frame: all its cells
    # lie within 2 of a clipped one, so on the mat and not dead or stuck (_seen_all_round)
    around = neighbours(geometry, cell[sat], RING)
    centres = np.unique(np.concatenate([key[sat], (sat_frame[:, None] * n_cells + around)[around >= 0]]))
    c_frame, c_cell = np.divmod(centres, n_cells)
    stencil = np.concatenate([c_cell[:, None], neighbours(geometry, c_cell, EDGE)], axis=1)
    at, found = lookup(key, c_frame[:, None] * n_cells + stencil)

    cell_floor = np.maximum(floor if np.isscalar(floor) else np.take(floor, stencil), _TINY)
    log_value = np.log(np.where(found, np.maximum(pressure[at], cell_floor), cell_floor))
    column = np.full(key.size, -1, np.int64)
    column[sat] = np.arange(sat.size)
    unknown = found & (np.take(column, at) >= 0)
    weights = np.broadcast_to(_LAPLACIAN, stencil.shape)
    rows = np.broadcast_to(np.arange(len(stencil))[:, None], stencil.shape)
    laplacian = sparse.csr_matrix((weights[unknown], (rows[unknown], column[at[unknown]])), shape=(len(stencil), sat.size))
    known_part = np.where(unknown, 0.0, weights * log_value).sum(axis=1)

    normal = (laplacian.T @ laplacian + _ANCHOR * sparse.identity(sat.size)).tocsc()
    right = laplacian.T @ -known_part + _ANCHOR * np.log(np.maximum(pressure[sat], _TINY))
    fill = np.exp(spsolve(normal, right))
    out = pressure.copy()
    out[sat] = np.maximum(pressure[sat], fill.astype(np.float32))
    return out
