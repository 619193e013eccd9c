"""Which foot made each footprint.

Sides (:func:`assign_sides`): the line of progression of each pass over the mat runs
through the mean heel position along the direction of progression; a heel on the walker's
left of it is a left foot, provided the heels form two lines (:func:`_lines`: they
alternate from side to side and lie at least 30 mm apart) and the session is not
one-footed (:func:`_one_footed`: the feet's shapes fit one foot better than the lines)
or the lines lie clearly apart (:func:`_separation`); else the foot's own shape
decides (its midfoot contact lies lateral to its axis, to the left of a left foot's
axis), so one-foot hops keep one side. A side is confident only when line, alternation and shape
agree.
"""

from __future__ import annotations

import numpy as np

__all__ = ["walking_passes", "progression_directions", "assign_sides"]

MIN_STEP_WIDTH_MM = 30.0  # left and right heel lines closer than this cannot be told apart
LINE_MIN_STEPS = 3  # feet with a shape on each line before the lines may overrule the shapes
LINE_SEPARATION = 4.0  # ... and the lines' distance over the heels' spread about their line


def walking_passes(axis: np.ndarray, ic_s: np.ndarray, *, pause_s: float = 2.0) -> np.ndarray:
    """Pass number of every step over the mat.

    Steps in order of initial contact form one pass until a pause longer than ``pause_s``
    or a change of walking direction (the sign of the foot axis along ``x``).

    Examples
    --------
    >>> axes = np.array([[1.0, 0.1], [1.0, -0.1], [-1.0, 0.1]])
    >>> walking_passes(axes, np.array([0.0, 0.5, 4.0])).tolist()
    [0, 0, 1]
    """
    number = np.zeros(len(ic_s), np.int64)
    if len(ic_s) == 0:
        return number
    order = np.argsort(np.nan_to_num(ic_s, nan=np.inf), kind="stable")
    forwards = axis[order, 0] >= 0
    breaks = np.r_[True, (np.diff(ic_s[order]) > pause_s) | (forwards[1:] != forwards[:-1])]
    number[order] = np.cumsum(breaks) - 1
    return number


def progression_directions(axis: np.ndarray, passes: np.ndarray, side: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Direction of progression (unit, mat frame) of every step's pass.

    The mean of the left feet's mean axis and the right feet's mean axis over the pass's
    usable steps, so that the toe-out of the two sides cancels; the mean axis of whatever
    steps there are when one side is missing.

    Examples
    --------
    >>> axes = np.array([[0.99, 0.14], [0.99, -0.14], [0.99, 0.14]])
    >>> progression_directions(axes, np.zeros(3, int), np.array([0, 1, 0]), np.ones(3, bool)).round(3).tolist()
    [[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]]
    """
    direction = np.zeros((len(passes), 2))
    for p in np.unique(passes):
        members = passes == p
        chosen = members & usable if (members & usable).any() else members
        means = [axis[chosen & (side == s)].mean(axis=0) for s in (0, 1) if (chosen & (side == s)).any()]
        mean = np.mean(means, axis=0) if means else axis[chosen].mean(axis=0)
        direction[members] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    return direction


def _lines(offset: np.ndarray) -> bool:
    """Whether heels at ``offset`` (mm, left positive, in order of contact) form a left and
    a right line: offsets that change sign step by step, lying at least
    ``MIN_STEP_WIDTH_MM`` apart."""
    left, right = offset > 0, offset < 0
    if offset.size < 2 or not (left.any() and right.any()):
        return False
    apart = offset[left].mean() - offset[right].mean()
    return float(np.mean(np.diff(np.sign(offset)) != 0)) > 0.5 and apart >= MIN_STEP_WIDTH_MM


def _separation(offset: np.ndarray, shape: np.ndarray) -> float:
    """The lines' distance over the heels' spread about their line (one lane of hops split
    in halves: about 2.7); NaN unless both lines hold ``LINE_MIN_STEPS`` feet with a
    ``shape`` (0, 1; -1 for none)."""
    left, right = offset > 0, offset < 0
    if not all(np.count_nonzero(shape[line] >= 0) >= LINE_MIN_STEPS for line in (left, right)):
        return np.nan
    spread = np.sqrt(np.mean(np.r_[offset[left] - offset[left].mean(), offset[right] - offset[right].mean()] ** 2))
    return float((offset[left].mean() - offset[right].mean()) / max(spread, 1e-9))


def _one_footed(shape: np.ndarray, by_line: np.ndarray, lined: np.ndarray) -> bool:
    """Whether the feet's ``shape`` (0, 1; -1 for none) fits one foot better than the heel
    lines' sides ``by_line`` (on the steps in passes with lines, ``lined``): more feet
    there have the session's usual shape than their line's side. A tie keeps the lines,
    so that a walker whose only whole steps are right steps is not taken for a hopper."""
    votes = shape >= 0
    usual = int(np.count_nonzero(shape[votes] == 1) > np.count_nonzero(shape[votes] == 0))
    counted = votes & lined
    return np.count_nonzero(shape[counted] == usual) > np.count_nonzero(shape[counted] == by_line[counted])


def assign_sides(
    heel_mm: np.ndarray,
    ic_s: np.ndarray,
    lateral_mm: np.ndarray,
    passes: np.ndarray,
    direction: np.ndarray,
    *,
    margin_mm: float = 10.0,
    usable: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Side (0 left, 1 right) and confidence of every step.

    Parameters
    ----------
    heel_mm
        ``(n, 2)`` heel origin of each step at initial contact, mat frame.
    ic_s
        Initial contact times; alternation is checked in this order.
    lateral_mm
        Offset of each foot's midfoot contact to the left of its own axis (mm): the
        midfoot contact lies lateral, so a left foot has it positive, a right foot
        negative. NaN when the foot has no midfoot contact.
    passes, direction
        From :func:`walking_passes` and :func:`progression_directions`.
    margin_mm
        A heel closer than this to the line of progression gives no side by itself, and a
        midfoot contact closer than this to the foot's axis cannot overrule the lines.
    usable
        Steps whose shape may overrule the lines (default all); a footprint cut by the
        mat's edge has a misleading shape.

    Examples
    --------
    >>> heels = np.array([[0.0, 40.0], [600.0, -40.0], [1200.0, 42.0]])
    >>> ic = np.array([0.0, 0.55, 1.1])
    >>> passes, direction = np.zeros(3, int), np.tile([1.0, 0.0], (3, 1))
    >>> sides, sure = assign_sides(heels, ic, np.array([9.0, -8.0, 9.0]), passes, direction)
    >>> sides.tolist(), sure.tolist()
    ([0, 1, 0], [True, True, True])
    """
    n = len(ic_s)
    sides = np.zeros(n, np.int64)
    confident = np.zeros(n, bool)
    shape_side = np.where(np.isfinite(lateral_mm), (lateral_mm < 0).astype(np.int64), -1)
    clear_shape = np.abs(np.nan_to_num(lateral_mm)) >= margin_mm
    checks = np.where(clear_shape & (True if usable is None else usable), shape_side, -1)
    groups = []  # per pass, its steps in order of contact
    offset = np.zeros(n)
    lined = np.zeros(n, bool)
    for p in range(int(passes.max()) + 1 if n else 0):
        members = np.flatnonzero(passes == p)
        members = members[np.argsort(ic_s[members], kind="stable")]
        d = direction[members[0]]
        offset[members] = (heel_mm[members] - heel_mm[members].mean(axis=0)) @ np.array([-d[1], d[0]])
        lined[members] = _lines(offset[members])
        groups.append(members)
    by_line_all = np.where(offset > 0, 0, 1)
    # one-foot hops scatter into one lane whose halves may alternate by chance: when the
    # feet's shapes say one foot better than the lines say two, only lines clearly apart stand
    one_footed = _one_footed(checks, by_line_all, lined)
    for members in groups:
        clear = np.abs(offset[members]) > margin_mm
        by_line = by_line_all[members]
        by_shape = shape_side[members]
        separation = _separation(offset[members], checks[members])
        two_lines = bool(lined[members[0]]) and (not one_footed or separation >= LINE_SEPARATION)
        use_line = clear & two_lines
        known = by_shape[by_shape >= 0]
        fallback = by_line if two_lines or known.size == 0 else np.full(members.size, int(np.mean(known) > 0.5))
        chosen = np.where(use_line, by_line, np.where(by_shape >= 0, by_shape, fallback))
        # a foot placed across the line (a crossover): where its shape disagrees with the
        # line and both neighbours already lie on the line's side, shape and alternation win
        before, after = np.r_[-1, chosen[:-1]], np.r_[chosen[1:], -1]
        neighbours_agree = ((before == by_line) | (before < 0)) & ((after == by_line) | (after < 0)) & (members.size > 1)
        chosen = np.where(use_line & (by_shape >= 0) & (by_shape != by_line) & neighbours_agree, by_shape, chosen)
        # narrow, scattered lines (under LINE_SEPARATION times their spread, judged on enough
        # steps): a foot's clear shape outweighs its heel's side of the line
        if separation < LINE_SEPARATION:
            chosen = np.where(checks[members] >= 0, checks[members], chosen)
        alternates = np.ones(members.size, bool)
        if members.size > 1:
            differs = chosen[1:] != chosen[:-1]
            alternates[1:] &= differs
            alternates[:-1] &= differs
        sides[members] = chosen
        confident[members] = use_line & (by_line == chosen) & alternates & (by_shape == chosen)
    return sides, confident
