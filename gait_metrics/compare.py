"""Compare one metric between two sessions (e.g. before and after training).

Effect size, a test chosen by the data's shape, and a bootstrap confidence interval of
the difference in means; for the transition time, whether a side's change exceeds the
minimal detectable change (MDC95, gait_metrics.reliability). Pure numpy/scipy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from gait_metrics.reliability import Reliability

__all__ = ["SampleComparison", "MdcChange", "compare_samples", "hedges_g", "change_against_mdc"]


@dataclass(frozen=True)
class SampleComparison:
    """Session A against session B for one metric (differences are B - A).

    ``test`` is ``"welch"`` (Welch's t-test, both samples compatible with a normal
    distribution by Shapiro-Wilk at 5 %) or ``"mann-whitney"`` (two-sided Mann-Whitney U
    otherwise); ``p_value`` is NaN when a sample has fewer than 2 values.
    """

    n_a: int
    mean_a: float
    sd_a: float
    n_b: int
    mean_b: float
    sd_b: float
    difference: float
    percent_change: float
    hedges_g: float
    test: str
    p_value: float
    ci_low: float
    ci_high: float

    def to_dict(self) -> dict[str, float | int | str]:
        """Plain values for JSON."""
        return asdict(self)


def hedges_g(a: np.ndarray, b: np.ndarray) -> float:
    """Hedges' g of B - A: Cohen's d with the pooled SD and the small-sample correction
    ``J = 1 - 3 / (4 (n_a + n_b) - 9)`` (Hedges 1981). NaN with fewer than 2 values a side.

    Examples
    --------
    >>> round(hedges_g(np.array([1.0, 2.0, 3.0]), np.array([3.0, 4.0, 5.0])), 3)
    1.6
    """
    na, nb = len(a), len(b)
    if na < 2 or nb < 2:
        return float("nan")
    pooled = np.sqrt(((na - 1) * np.var(a, ddof=1) + (nb - 1) * np.var(b, ddof=1)) / (na + nb - 2))
    if pooled == 0:
        return float("nan")
    correction = 1.0 - 3.0 / (4.0 * (na + nb) - 9.0)
    return float((np.mean(b) - np.mean(a)) / pooled * correction)


def _normal(sample: np.ndarray) -> bool:
    if len(sample) < 3 or np.ptp(sample) == 0:
        return False
    return bool(stats.shapiro(sample).pvalue > 0.05)


def compare_samples(
    a: np.ndarray,
    b: np.ndarray,
    *,
    n_bootstrap: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> SampleComparison:
    """Compare the values of one metric in session A and session B.

    NaNs are ignored. The confidence interval is the percentile bootstrap of the difference
    in means (``n_bootstrap`` resamples of each session, seeded, so reports are repeatable).

    Examples
    --------
    >>> c = compare_samples(np.array([100.0, 110, 120, 105]), np.array([60.0, 70, 65, 75]))
    >>> c.difference, c.test
    (-41.25, 'welch')
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    nan = float("nan")
    mean_a = float(np.mean(a)) if a.size else nan
    mean_b = float(np.mean(b)) if b.size else nan
    sd_a = float(np.std(a, ddof=1)) if a.size > 1 else nan
    sd_b = float(np.std(b, ddof=1)) if b.size > 1 else nan
    difference = mean_b - mean_a
    percent = 100.0 * difference / abs(mean_a) if a.size and mean_a != 0 else nan
    test, p_value, low, high = "none", nan, nan, nan
    if a.size >= 2 and b.size >= 2:
        if _normal(a) and _normal(b):
            test, p_value = "welch", float(stats.ttest_ind(a, b, equal_var=False).pvalue)
        else:
            test, p_value = "mann-whitney", float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)
        rng = np.random.default_rng(seed)
        boot_a = rng.choice(a, size=(n_bootstrap, a.size)).mean(axis=1)
        boot_b = rng.choice(b, size=(n_bootstrap, b.size)).mean(axis=1)
        tail = 50.0 * (1.0 - confidence)
        low, high = (float(x) for x in np.percentile(boot_b - boot_a, [tail, 100.0 - tail]))
    return SampleComparison(
        n_a=int(a.size), mean_a=mean_a, sd_a=sd_a, n_b=int(b.size), mean_b=mean_b, sd_b=sd_b,
        difference=difference, percent_change=percent, hedges_g=hedges_g(a, b), test=test,
        p_value=p_value, ci_low=low, ci_high=high,
    )


@dataclass(frozen=True)
class MdcChange:
    """One side's change of mean transition time, session B - session A, against MDC95.

    ``mdc95_ms`` is the larger of the two sessions' MDC95 (``mdc95_a_ms``, ``mdc95_b_ms``):
    a change counts as real only when it exceeds the measurement noise of the noisier
    session. ``exceeds`` is ``|change_ms| > mdc95_ms``, or None (``reason`` says why) when
    a session has no mean or no MDC95 for this side.
    """

    side: str
    mean_a_ms: float | None
    mean_b_ms: float | None
    change_ms: float | None
    mdc95_a_ms: float | None
    mdc95_b_ms: float | None
    mdc95_ms: float | None
    exceeds: bool | None
    reason: str | None

    def to_dict(self) -> dict[str, float | bool | str | None]:
        """Plain values for JSON."""
        return asdict(self)


def change_against_mdc(side: str, a: Reliability, b: Reliability) -> MdcChange:
    """Does one side's mean transition time change from session A to B by more than MDC95?

    Parameters
    ----------
    side
        The side's name (``"left"`` or ``"right"``), carried into the result.
    a, b
        The side's reliability in session A and in session B.

    Returns
    -------
    MdcChange

    Examples
    --------
    >>> from gait_metrics.reliability import transition_reliability
    >>> before = transition_reliability(np.array([110.0, 104, 115, 108, 112, 106, 109, 113, 105, 111]))
    >>> after = transition_reliability(np.array([60.0, 66, 58, 63, 61, 65, 59, 64, 62, 57]))
    >>> c = change_against_mdc("left", before, after)
    >>> round(c.change_ms, 1), c.exceeds
    (-47.8, True)
    """
    change = None if a.mean_ms is None or b.mean_ms is None else b.mean_ms - a.mean_ms
    missing = [f"session {name}: {r.reason}" for name, r in (("A", a), ("B", b)) if r.mdc95_ms is None]
    if change is None:
        missing.insert(0, "no transition time in a session")
    mdc = None if missing else max(a.mdc95_ms, b.mdc95_ms)  # type: ignore[type-var]
    exceeds = None if mdc is None or change is None else bool(abs(change) > mdc)
    return MdcChange(side, a.mean_ms, b.mean_ms, change, a.mdc95_ms, b.mdc95_ms, mdc, exceeds, "; ".join(missing) or None)
