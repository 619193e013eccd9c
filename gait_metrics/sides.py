"""Left or right: the mediolateral side of the line of progression, checked by alternation.

Steps are grouped into passes (a pause over 2 s or a change of walking direction starts a
new one; a treadmill session is one pass). In each pass the line of progression lies
midway between the mean heel positions of the even and the odd steps (when those lie
less than 20 mm apart, only one foot is on the mat and the mat's centre line is used); a
heel on the walker's left of it (``+y`` when walking towards ``+x``) is a left foot. A side is
confident when the heel is more than 10 mm from that line and differs from the previous
step's and the next step's sides.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["assign_sides"]

_PAUSE_S = 2.0
_MARGIN_MM = 10.0
_MIN_SEPARATION_MM = 20.0


def assign_sides(
    heels_mm: Sequence[np.ndarray], axes: Sequence[np.ndarray], ic_s: Sequence[float], *, centre_y_mm: float
) -> tuple[list[int], list[bool]]:
    """Side (0 left, 1 right) and confidence of each step, in the given order.

    Examples
    --------
    >>> heels = [np.array([0.0, 40.0]), np.array([600.0, -40.0]), np.array([1200.0, 42.0])]
    >>> axes = [np.array([1.0, 0.0])] * 3
    >>> assign_sides(heels, axes, [0.0, 0.55, 1.1], centre_y_mm=0.0)
    ([0, 1, 0], [True, True, True])
    """
    n = len(heels_mm)
    sides, confident = [-1] * n, [False] * n
    order = sorted(range(n), key=lambda k: (np.nan_to_num(ic_s[k], nan=np.inf), k))
    passes: list[list[int]] = []
    for k in order:
        direction = 1.0 if axes[k][0] >= 0 else -1.0
        if passes:
            last = passes[-1][-1]
            same_way = (1.0 if axes[last][0] >= 0 else -1.0) == direction
            if same_way and ic_s[k] - ic_s[last] <= _PAUSE_S:
                passes[-1].append(k)
                continue
        passes.append([k])
    for members in passes:
        direction = 1.0 if np.mean([axes[k][0] for k in members]) >= 0 else -1.0
        y = np.array([heels_mm[k][1] for k in members])
        groups = [y[0::2], y[1::2]]
        two_lines = len(members) > 1 and abs(groups[0].mean() - groups[1].mean()) >= _MIN_SEPARATION_MM
        midline = 0.5 * (groups[0].mean() + groups[1].mean()) if two_lines else centre_y_mm
        offsets = [(heels_mm[k][1] - midline) * direction for k in members]
        for k, offset in zip(members, offsets):
            sides[k] = 0 if offset > 0 else 1
        for position, (k, offset) in enumerate(zip(members, offsets)):
            neighbours = members[max(position - 1, 0) : position] + members[position + 1 : position + 2]
            alternates = all(sides[j] != sides[k] for j in neighbours)
            confident[k] = bool(two_lines and abs(offset) > _MARGIN_MM and alternates)
    return sides, confident
