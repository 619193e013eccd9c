"""Neighbours on the mat's cell grid, by flat cell index ``row * cols + col``."""

from __future__ import annotations

import numpy as np

from mat_driver.model import Geometry

__all__ = ["EDGE", "RING", "neighbours", "lookup"]

#: ``(row, col)`` offsets of a cell's 4 edge neighbours, and of all 8 around it.
EDGE = ((-1, 0), (1, 0), (0, -1), (0, 1))
RING = EDGE + ((-1, -1), (-1, 1), (1, -1), (1, 1))


def neighbours(geometry: Geometry, cells: np.ndarray, offsets: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Flat index of each cell's neighbour at each ``(row, col)`` offset, -1 off the mat;
    shaped ``(len(cells), len(offsets))``.

    Examples
    --------
    >>> from mat_driver.model import Geometry
    >>> neighbours(Geometry(2, 3, 10.0, 10.0, "cols"), np.array([0, 4]), EDGE).tolist()
    [[-1, 3, -1, 1], [1, -1, 3, 5]]
    """
    row, col = np.divmod(np.asarray(cells, np.int64), geometry.cols)
    out = np.full((row.size, len(offsets)), -1, np.int64)
    for j, (dr, dc) in enumerate(offsets):
        r, c = row + dr, col + dc
        inside = (r >= 0) & (r < geometry.rows) & (c >= 0) & (c < geometry.cols)
        out[inside, j] = r[inside] * geometry.cols + c[inside]
    return out


def lookup(key: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Position of each ``wanted`` key in the sorted, non-empty ``key`` (voxel keys ``frame *
    n_cells + cell``) and whether it is there.

    Examples
    --------
    >>> at, found = lookup(np.array([3, 7, 9]), np.array([7, 8, 10]))
    >>> at.tolist(), found.tolist()
    ([1, 2, 2], [True, False, False])
    """
    at = np.minimum(np.searchsorted(key, wanted), key.size - 1)
    return at, key[at] == wanted
