"""What both foot models' steps share: their pose on the mat, the truth's time grid and
threshold crossings."""

from __future__ import annotations

import numpy as np

__all__ = ["StepPose", "TRUTH_DT_S", "crossings"]

TRUTH_DT_S = 1e-4  # the truth's event curves are sampled this finely, s


def crossings(t: np.ndarray, y: np.ndarray, level: float) -> tuple[float, float]:
    """First upward and last downward crossing of ``level`` (linear interpolation)."""
    above = np.flatnonzero(y >= level)
    if above.size == 0:
        return np.nan, np.nan
    i, j = above[0], above[-1]
    first = t[i] if i == 0 else t[i - 1] + (level - y[i - 1]) / (y[i] - y[i - 1]) * (t[i] - t[i - 1])
    last = t[j] if j == len(t) - 1 else t[j] + (y[j] - level) / (y[j] - y[j + 1]) * (t[j + 1] - t[j])
    return float(first), float(last)


class StepPose:
    """A step's placement: ``origin`` (mm, mat frame, the foot model's origin when the
    contact begins), ``heading`` (rad, the anatomical axis against the mat's x),
    ``lateral`` (-1 left foot, +1 right: foot-medial y to mat y) and the contact
    ``t_on``, ``t_off`` (s). Subclasses set them."""

    origin: np.ndarray
    heading: float
    lateral: float
    t_on: float
    t_off: float

    def to_mat(self, foot_xy: np.ndarray, shift_x: float) -> np.ndarray:
        """Foot coordinates ``(..., 2)`` to mat mm after the belt moved the foot by ``shift_x``."""
        c, s = np.cos(self.heading), np.sin(self.heading)
        x, y = foot_xy[..., 0], foot_xy[..., 1] * self.lateral
        return np.stack([self.origin[0] - shift_x + c * x - s * y, self.origin[1] + s * x + c * y], axis=-1)

    def to_foot(self, mat_xy: np.ndarray, shift_x: float) -> np.ndarray:
        """Mat mm ``(..., 2)`` to foot coordinates (the inverse of :meth:`to_mat`)."""
        c, s = np.cos(self.heading), np.sin(self.heading)
        dx, dy = mat_xy[..., 0] - self.origin[0] + shift_x, mat_xy[..., 1] - self.origin[1]
        return np.stack([c * dx + s * dy, (-s * dx + c * dy) * self.lateral], axis=-1)

    def truth_grid_s(self, dt_s: float) -> np.ndarray:
        """Times over the whole contact, ``dt_s`` apart."""
        return np.arange(self.t_on, self.t_off + dt_s, dt_s)
