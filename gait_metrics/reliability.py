"""Within-session reliability of the transition time: is a change bigger than the noise?

The session's included steps of one side, in step order, are split into a first and a
second half (the middle step dropped when their number is odd); the k-th step of each half
form a pair. Over the ``n x 2`` matrix of pairs:

- **ICC(2,1)**: two-way random effects, absolute agreement, single measure (Shrout and
  Fleiss 1979; McGraw and Wong 1996 "ICC(A,1)"), from the two-way ANOVA without
  replication, ``(MSR - MSE) / (MSR + (k - 1) MSE + k (MSC - MSE) / n)``, with McGraw and
  Wong's F-based 95 % confidence interval;
- **SEM** = ``sqrt(MSE)``, the standard error of measurement (Weir 2005);
- **MDC95** = ``1.96 sqrt(2) SEM``, the smallest change of a single step's value that
  exceeds measurement error with 95 % confidence (Weir 2005).

Pure numpy/scipy.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

__all__ = ["MIN_PAIRS", "Icc", "Reliability", "icc_2_1", "transition_reliability"]

#: Fewest pairs (steps per half) for which reliability is given.
MIN_PAIRS = 5

#: ``z`` of a two-sided 95 % interval, used by MDC95.
_Z95 = 1.96


@dataclass(frozen=True)
class Icc:
    """ICC(2,1) of an ``n x k`` matrix (rows: targets, columns: repeated measures) and the
    two-way ANOVA's mean squares (rows, columns, error). NaN where undefined."""

    icc: float
    ci_low: float
    ci_high: float
    ms_rows: float
    ms_columns: float
    ms_error: float
    n: int
    k: int


def _two_way_mean_squares(matrix: np.ndarray) -> tuple[float, float, float]:
    """Mean squares of rows, columns and error of a two-way ANOVA without replication."""
    n, k = matrix.shape
    grand = matrix.mean()
    ss_rows = k * float(np.sum((matrix.mean(axis=1) - grand) ** 2))
    ss_columns = n * float(np.sum((matrix.mean(axis=0) - grand) ** 2))
    ss_error = float(np.sum((matrix - grand) ** 2)) - ss_rows - ss_columns
    return ss_rows / (n - 1), ss_columns / (k - 1), max(ss_error, 0.0) / ((n - 1) * (k - 1))


def icc_2_1(matrix: np.ndarray, confidence: float = 0.95) -> Icc:
    """ICC(2,1) with McGraw and Wong's (1996, case 2A) confidence interval.

    Parameters
    ----------
    matrix
        ``(n, k)`` values, ``n >= 2`` targets (rows) by ``k >= 2`` measures (columns), all
        finite.
    confidence
        Level of the two-sided interval.

    Returns
    -------
    Icc
        The coefficient, its interval (NaN when the ICC is undefined or the error mean
        square is 0) and the mean squares.

    Examples
    --------
    Shrout and Fleiss (1979), Table 2 (6 targets, 4 judges):

    >>> ratings = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], float)
    >>> round(icc_2_1(ratings).icc, 2)
    0.29
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or min(matrix.shape) < 2 or not np.all(np.isfinite(matrix)):
        raise ValueError(f"icc_2_1 needs a finite (n >= 2, k >= 2) matrix, got shape {matrix.shape}")
    n, k = matrix.shape
    msr, msc, mse = _two_way_mean_squares(matrix)
    denominator = msr + (k - 1) * mse + k * (msc - mse) / n
    nan = float("nan")
    icc = (msr - mse) / denominator if denominator > 0 else nan
    low = high = nan
    if math.isfinite(icc) and mse > 0 and icc < 1:
        # Satterthwaite's degrees of freedom of the denominator (McGraw and Wong 1996, Table 7).
        a = k * icc / (n * (1 - icc))
        b = 1 + k * icc * (n - 1) / (n * (1 - icc))
        v = (a * msc + b * mse) ** 2 / ((a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1)))
        tail = 1 - (1 - confidence) / 2
        f_low = stats.f.ppf(tail, n - 1, v)
        f_high = stats.f.ppf(tail, v, n - 1)
        spread = k * msc + (k * n - k - n) * mse
        low = n * (msr - f_low * mse) / (f_low * spread + n * msr)
        high = n * (f_high * msr - mse) / (spread + n * f_high * msr)
    return Icc(float(icc), float(low), float(high), msr, msc, mse, n, k)


@dataclass(frozen=True)
class Reliability:
    """Within-session reliability of one side's transition time (ms).

    ``n_steps`` finite values, ``mean_ms`` their mean; ``n_pairs`` pairs of first-half and
    second-half steps. ``icc``, its interval, ``sem_ms`` and ``mdc95_ms`` are None (and
    ``reason`` says why) with fewer than :data:`MIN_PAIRS` pairs; ``icc`` alone is None
    when every pair is identical to the others (no variation to relate the error to).
    ``first_half_mean_ms`` and ``second_half_mean_ms`` show any drift between the halves,
    which the absolute-agreement ICC counts as error.
    """

    n_steps: int
    mean_ms: float | None
    n_pairs: int
    first_half_mean_ms: float | None
    second_half_mean_ms: float | None
    icc: float | None
    icc_ci_low: float | None
    icc_ci_high: float | None
    sem_ms: float | None
    mdc95_ms: float | None
    reason: str | None

    def to_dict(self) -> dict[str, float | int | str | None]:
        """Plain values for JSON."""
        return asdict(self)


def _or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def transition_reliability(values_ms: np.ndarray) -> Reliability:
    """Reliability of one side's transition times, given in step order.

    Non-finite values are dropped first. The first ``n // 2`` values pair with the last
    ``n // 2`` (the middle one is dropped when ``n`` is odd).

    Parameters
    ----------
    values_ms
        Transition times (ms) of one side's included steps, in step order.

    Returns
    -------
    Reliability

    Examples
    --------
    Eleven steps: the middle one (103 ms) is dropped, steps 1-5 pair with steps 7-11.

    >>> r = transition_reliability(np.array([100.0, 112, 95, 108, 103, 99, 101, 110, 97, 106, 104]))
    >>> r.n_pairs, round(r.icc, 2), round(r.sem_ms, 1), round(r.mdc95_ms, 1)
    (5, 0.96, 1.3, 3.7)
    """
    values = np.asarray(values_ms, dtype=float)
    values = values[np.isfinite(values)]
    half = values.size // 2
    first, second = values[:half], values[values.size - half :]
    mean = _or_none(float(values.mean())) if values.size else None
    means = (_or_none(float(first.mean())), _or_none(float(second.mean()))) if half else (None, None)
    if half < MIN_PAIRS:
        return Reliability(
            values.size,
            mean,
            half,
            *means,
            None,
            None,
            None,
            None,
            None,
            f"{half} pairs of steps (first half against second half), at least {MIN_PAIRS} needed",
        )
    icc = icc_2_1(np.column_stack([first, second]))
    sem = math.sqrt(icc.ms_error)
    reason = None if math.isfinite(icc.icc) else "no variation between the steps: the ICC is undefined"
    return Reliability(
        values.size, mean, half, *means, _or_none(icc.icc), _or_none(icc.ci_low), _or_none(icc.ci_high), sem, _Z95 * math.sqrt(2.0) * sem, reason
    )
