"""The treadmill butterfly: combined CoP of both feet and its crossing point (Zebris style).

The combined CoP of the whole mat is followed frame by frame in the mat frame (the subject
stays in place on a treadmill, so the pattern repeats every stride). During double support
it moves diagonally from the trailing to the leading foot; left-to-right and right-to-left
diagonals cross at the intersection point. Each diagonal is fitted with a straight line;
consecutive opposite diagonals are intersected. Reported: the mean crossing point (mm,
mat frame), its SD from stride to stride (anterior-posterior and lateral variability),
and its lateral symmetry: the crossing's distance from the midline between the mean left
and right heel lines (mm, + towards the left). Running has no double support: NaN.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from gait_metrics.cop import FrameSeries
from gait_metrics.results import Butterfly, StepResult

__all__ = ["butterfly"]


def _diagonal(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """A point and a unit direction of the straight line through a diagonal's CoP points."""
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 2:
        return None
    points = np.column_stack([x[ok], y[ok]])
    centre = points.mean(axis=0)
    direction = np.linalg.svd(points - centre)[2][0]
    return centre, direction


def _intersect(a, b) -> np.ndarray | None:
    (p, u), (q, v) = a, b
    matrix = np.column_stack([u, -v])
    if abs(np.linalg.det(matrix)) < 1e-6:
        return None
    s = np.linalg.solve(matrix, q - p)[0]
    return p + s * u


def butterfly(frames: FrameSeries, steps: Sequence[StepResult]) -> Butterfly:
    """Crossing point of the double-support diagonals of the combined CoP."""
    order = sorted((s for s in steps if np.isfinite(s.ic_s)), key=lambda s: s.ic_s)
    diagonals = []
    for trailing, leading in zip(order, order[1:]):
        if leading.side == trailing.side or leading.side not in (0, 1):
            continue
        start, stop = leading.first_frame, trailing.last_frame
        if stop - start < 1:
            continue  # no double support
        line = _diagonal(frames.cop_x_mm[start : stop + 1], frames.cop_y_mm[start : stop + 1])
        if line is not None:
            diagonals.append((leading.side, line))
    crossings = [
        point
        for (side_a, a), (side_b, b) in zip(diagonals, diagonals[1:])
        if side_a != side_b and (point := _intersect(a, b)) is not None
    ]
    nan = float("nan")
    left = [s.origin_y_mm for s in steps if s.side == 0 and not s.excluded]
    right = [s.origin_y_mm for s in steps if s.side == 1 and not s.excluded]
    midline = 0.5 * (np.mean(left) + np.mean(right)) if left and right else nan
    points = np.array(crossings).reshape(-1, 2)
    has = len(points) > 0
    return Butterfly(
        x_mm=frames.cop_x_mm,
        y_mm=frames.cop_y_mm,
        intersection_x_mm=float(points[:, 0].mean()) if has else nan,
        intersection_y_mm=float(points[:, 1].mean()) if has else nan,
        intersection_x_sd_mm=float(points[:, 0].std(ddof=1)) if len(points) > 1 else nan,
        intersection_y_sd_mm=float(points[:, 1].std(ddof=1)) if len(points) > 1 else nan,
        lateral_symmetry_mm=float(points[:, 1].mean() - midline) if has else nan,
        n_crossings=len(points),
    )
