"""Vectorised operations on ragged series: many steps' per-frame values laid end to end.

A flat array holds one segment per step; ``offsets`` (n + 1, increasing, every segment
non-empty) marks where each begins. Reductions use ``ufunc.reduceat`` so that the cost is
one pass over all steps together, not one Python call per step.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "segment_index",
    "segment_max",
    "segment_sum",
    "first_true",
    "last_true",
    "pchip_slopes",
    "crossing_time",
    "rising_time",
    "falling_time",
    "interp_segments",
]


def segment_index(offsets: np.ndarray) -> np.ndarray:
    """Segment number of every element.

    Examples
    --------
    >>> segment_index(np.array([0, 2, 5])).tolist()
    [0, 0, 1, 1, 1]
    """
    return np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))


def segment_max(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Largest value of each segment."""
    return np.maximum.reduceat(values, offsets[:-1]) if len(offsets) > 1 else np.zeros(0, values.dtype)


def segment_sum(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Sum of each segment, accumulated in float64 (values may be float32)."""
    return np.add.reduceat(values, offsets[:-1], dtype=np.float64) if len(offsets) > 1 else np.zeros(0)


def first_true(mask: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Flat index of the first true element of each segment, -1 where there is none.

    Examples
    --------
    >>> first_true(np.array([0, 1, 1, 0, 0], bool), np.array([0, 3, 5])).tolist()
    [1, -1]
    """
    if len(offsets) < 2:
        return np.zeros(0, np.int64)
    big = len(mask)
    found = np.minimum.reduceat(np.where(mask, np.arange(big), big), offsets[:-1])
    return np.where(found < big, found, -1)


def last_true(mask: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Flat index of the last true element of each segment, -1 where there is none."""
    if len(offsets) < 2:
        return np.zeros(0, np.int64)
    return np.maximum.reduceat(np.where(mask, np.arange(len(mask)), -1), offsets[:-1])


def pchip_slopes(t: np.ndarray, y: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Slopes of the monotone piecewise cubic (PCHIP, Fritsch and Carlson 1980) of each segment.

    Interior points take the weighted harmonic mean of the neighbouring secants (0 at an
    extremum); segment ends the one-sided three-point estimate, limited as in
    :class:`scipy.interpolate.PchipInterpolator`.
    """
    n = t.size
    slope = np.zeros(n)
    if n < 2:
        return slope
    h = np.diff(t)
    with np.errstate(invalid="ignore", divide="ignore"):
        secant = np.diff(y) / h
    last = np.zeros(n, bool)
    last[offsets[1:] - 1] = True
    first = np.zeros(n, bool)
    first[offsets[:-1]] = True
    inside = ~first & ~last
    i = np.flatnonzero(inside)
    d0, d1, h0, h1 = secant[i - 1], secant[i], h[i - 1], h[i]
    w1, w2 = 2.0 * h1 + h0, h1 + 2.0 * h0
    with np.errstate(invalid="ignore", divide="ignore"):
        harmonic = (w1 + w2) / (w1 / d0 + w2 / d1)
    slope[i] = np.where((d0 * d1 > 0) & np.isfinite(harmonic), harmonic, 0.0)
    lengths = np.diff(offsets)
    two = lengths >= 2
    three = lengths[two] >= 3
    for ends, near, far in ((offsets[:-1][two], 0, 1), (offsets[1:][two] - 1, -1, -2)):
        dn, hn = secant[ends + near], h[ends + near]
        index = np.clip(ends + far, 0, n - 2)
        df, hf = np.where(three, secant[index], dn), np.where(three, h[index], hn)
        with np.errstate(invalid="ignore", divide="ignore"):
            m = ((2.0 * hn + hf) * dn - hn * df) / (hn + hf)
        m = np.where(np.sign(m) != np.sign(dn), 0.0, m)
        m = np.where((np.sign(dn) != np.sign(df)) & (np.abs(m) > np.abs(3.0 * dn)), 3.0 * dn, m)
        slope[ends] = np.where(np.isfinite(m), m, 0.0)
    return slope


def _hermite(y0: np.ndarray, y1: np.ndarray, m0: np.ndarray, m1: np.ndarray, h: np.ndarray, s: np.ndarray) -> np.ndarray:
    s2, s3 = s * s, s * s * s
    return (2 * s3 - 3 * s2 + 1) * y0 + (s3 - 2 * s2 + s) * h * m0 + (-2 * s3 + 3 * s2) * y1 + (s3 - s2) * h * m1


def crossing_time(t: np.ndarray, y: np.ndarray, slope: np.ndarray, level: np.ndarray, left: np.ndarray) -> np.ndarray:
    """Time at which the PCHIP of ``y`` crosses ``level`` between elements ``left`` and
    ``left + 1`` (one per segment; NaN where ``left`` is -1), by bisection."""
    ok = left >= 0
    i = np.where(ok, left, 0)
    y0, y1, m0, m1 = y[i], y[i + 1], slope[i], slope[i + 1]
    h = t[i + 1] - t[i]
    rising = y1 >= y0
    lo, hi = np.zeros(i.size), np.ones(i.size)
    for _ in range(16):  # to 1/65536 of a frame
        mid = 0.5 * (lo + hi)
        below = _hermite(y0, y1, m0, m1, h, mid) < level
        go_right = below == rising
        lo, hi = np.where(go_right, mid, lo), np.where(go_right, hi, mid)
    return np.where(ok, t[i] + 0.5 * (lo + hi) * h, np.nan)


def rising_time(t: np.ndarray, y: np.ndarray, slope: np.ndarray, level: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Time at which ``y`` rises through ``level`` between elements ``index - 1`` and ``index``.

    ``level`` and ``index`` have one value per segment; NaN where ``index`` is -1.
    ``index`` must not be a segment's first element (segments begin with an unloaded pad).
    """
    return crossing_time(t, y, slope, level, np.where(index > 0, index - 1, -1))


def falling_time(t: np.ndarray, y: np.ndarray, slope: np.ndarray, level: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Time at which ``y`` falls through ``level`` between elements ``index`` and ``index + 1``.

    ``level`` and ``index`` have one value per segment; NaN where ``index`` is -1.
    ``index`` must not be a segment's last element (segments end with an unloaded pad).
    """
    return crossing_time(t, y, slope, level, index)


def interp_segments(t: np.ndarray, y: np.ndarray, offsets: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Monotone cubic (PCHIP) interpolation of every segment's ``y(t)`` at its row of ``at``.

    ``y`` is ``(N,)`` or ``(k, N)`` (k series sharing ``t``); ``at`` is ``(n_segments, m)``;
    the result is ``at``'s shape, or ``(k, n_segments, m)``. Elements where any series is
    NaN are skipped; a segment without finite values gives NaN. Outside a segment's time
    range the nearest value is held. ``t`` must increase within each segment.
    """
    series = np.atleast_2d(y)
    n = len(offsets) - 1
    out = np.full((series.shape[0], *at.shape), np.nan)
    ok = np.all(np.isfinite(series), axis=0)
    segment = segment_index(offsets)[ok]
    counts = np.bincount(segment, minlength=n)
    rows = np.flatnonzero(counts > 0)
    if at.size and rows.size:
        t, series = t[ok], series[:, ok]
        offsets = np.r_[0, np.cumsum(counts)]
        stride = 4.0 * float(max(np.max(np.abs(t)), np.max(np.abs(at)))) + 10.0  # one increasing axis
        keys = t + segment * stride
        start, stop = offsets[rows], offsets[rows + 1] - 1
        queries = np.clip(at[rows] + (rows * stride)[:, None], keys[start][:, None], keys[stop][:, None])
        left = np.searchsorted(keys, queries, side="right") - 1
        left = np.clip(left, start[:, None], np.maximum(stop - 1, start)[:, None])
        right = np.minimum(left + 1, stop[:, None])
        h = keys[right] - keys[left]
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.where(h > 0, (queries - keys[left]) / h, 0.0)
        for k, values in enumerate(series):
            slope = pchip_slopes(t, values, offsets)
            out[k][rows] = _hermite(values[left], values[right], slope[left], slope[right], h, frac)
    return out if np.ndim(y) == 2 else out[0]
