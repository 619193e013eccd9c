"""Compare one metric between two sessions (e.g. before and after training).

Effect size, a test chosen by the data's shape, and a bootstrap confidence interval of
the difference in means; for the transition time, whether a side's change exceeds the
minimal detectable change (MDC95, gait_metrics.reliability). Pure numpy/scipy.
:func:`compare_sessions` puts them together for whole sessions (comparison.json).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

import numpy as np
from scipy import stats

from gait_metrics.reliability import Reliability
from gait_metrics.results import SIDES, SessionResult
from gait_metrics.spm import SpmResult, spm_ttest2

__all__ = [
    "COMPARED_METRICS",
    "SPM_CURVES",
    "SampleComparison",
    "MdcChange",
    "MetricComparison",
    "TransitionChange",
    "SessionComparison",
    "compare_samples",
    "hedges_g",
    "change_against_mdc",
    "comparison_warnings",
    "compare_sessions",
]

#: Metrics compared between sessions, in the order of the report's tables.
COMPARED_METRICS = (
    "transition_ms",
    "transition_pct",
    "heel_forefoot_change_ms",
    "initial_contact_pct",
    "forefoot_contact_pct",
    "foot_flat_pct",
    "push_off_pct",
    "stance_ms",
    "flight_ms",
    "swing_ms",
    "step_time_ms",
    "stride_time_ms",
    "cadence_spm",
    "step_length_mm",
    "step_width_mm",
    "progression_angle_deg",
    "strike_index_pct",
    "peak_force_n",
    "peak_force_bw",
    "loading_rate_n_s",
    "peak_pressure_rearfoot_kpa",
    "peak_pressure_midfoot_kpa",
    "peak_pressure_forefoot_kpa",
    "gait_line_length_mm",
)

#: Stance curves compared by SPM (:func:`compare_sessions` with ``spm=True``).
SPM_CURVES = ("force_n", "cop_x_mm")


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
        n_a=int(a.size),
        mean_a=mean_a,
        sd_a=sd_a,
        n_b=int(b.size),
        mean_b=mean_b,
        sd_b=sd_b,
        difference=difference,
        percent_change=percent,
        hedges_g=hedges_g(a, b),
        test=test,
        p_value=p_value,
        ci_low=low,
        ci_high=high,
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


@dataclass(frozen=True)
class MetricComparison:
    """One metric of session ``session_b`` against the first session ``session_a``."""

    metric: str
    session_a: str
    session_b: str
    comparison: SampleComparison

    def to_dict(self) -> dict[str, Any]:
        """The row of comparison.json's ``metrics``."""
        return {"metric": self.metric, "session_a": self.session_a, "session_b": self.session_b, **self.comparison.to_dict()}


@dataclass(frozen=True)
class TransitionChange:
    """One side's change of mean transition from the first session to ``session_b``, against MDC95."""

    session_a: str
    session_b: str
    change: MdcChange

    def to_dict(self) -> dict[str, Any]:
        """The row of comparison.json's ``transition_vs_mdc95``."""
        return {"session_a": self.session_a, "session_b": self.session_b, **self.change.to_dict()}


@dataclass(frozen=True, eq=False)
class SessionComparison:
    """Later sessions against the first: what comparison.json holds, and what the
    comparison report draws.

    Attributes
    ----------
    sessions
        The sessions' labels, the first being the reference.
    warnings
        Differences in setup, belt speed or calibration, then each session's notices.
    transition_changes
        Per later session and side: the change of mean transition against MDC95.
    metrics
        Per metric of :data:`COMPARED_METRICS` and later session: :func:`compare_samples`
        of the included steps.
    spm
        ``{curve: SpmResult}`` of :data:`SPM_CURVES` (two sessions, ``spm=True``), else empty.
    """

    sessions: tuple[str, ...]
    warnings: tuple[str, ...]
    transition_changes: tuple[TransitionChange, ...]
    metrics: tuple[MetricComparison, ...]
    spm: dict[str, SpmResult] = field(default_factory=dict)

    def metric(self, name: str, session_b: str | None = None) -> SampleComparison:
        """The comparison of one metric (against the second session unless ``session_b``)."""
        session_b = self.sessions[1] if session_b is None else session_b
        return next(row.comparison for row in self.metrics if row.metric == name and row.session_b == session_b)

    def to_dict(self) -> dict[str, Any]:
        """comparison.json's content (NaN kept; :func:`gait_metrics.results.json_safe` makes it null)."""
        content: dict[str, Any] = {
            "sessions": list(self.sessions),
            "warnings": list(self.warnings),
            "transition_vs_mdc95": [row.to_dict() for row in self.transition_changes],
            "metrics": [row.to_dict() for row in self.metrics],
        }
        if self.spm:
            content["spm_clusters"] = {curve: [{"start_pct": a, "end_pct": b, "p_value": p} for a, b, p in r.clusters] for curve, r in self.spm.items()}
        return content


def comparison_warnings(results: Sequence[SessionResult]) -> list[str]:
    """Differences in setup, belt speed or calibration that make sessions hard to compare."""
    first, warnings = results[0], []
    for other in results[1:]:
        name = other.info["condition"] or other.info["recording"]
        if other.info["setup"] != first.info["setup"]:
            warnings.append(f"{name}: setup {other.info['setup']} differs from {first.info['setup']}")
        a, b = first.info["belt_speed_set_m_s"], other.info["belt_speed_set_m_s"]
        if a and b and abs(a - b) > 0.05 * a:
            warnings.append(f"{name}: belt speed {b:g} m/s differs from {a:g} m/s")
        if other.force_unit != first.force_unit:
            warnings.append(f"{name}: calibration differs ({other.force_unit} vs {first.force_unit}): forces are not comparable")
    return warnings


def compare_sessions(results: Sequence[SessionResult], labels: Sequence[str], *, spm: bool = False) -> SessionComparison:
    """Every later session against the first: per metric, per side's transition against
    MDC95, and (``spm``, exactly two sessions, extra ``spm``) SPM of the stance curves.

    Parameters
    ----------
    results
        Two or more analysed sessions; the first is the reference (e.g. before training).
    labels
        A name per session, in the same order.
    spm
        Also compare the curves of :data:`SPM_CURVES` by statistical parametric mapping.

    Returns
    -------
    SessionComparison

    Raises
    ------
    MetricsError
        With ``spm``: when spm1d is missing or a session has fewer than 3 included steps.
    ValueError
        Fewer than two sessions, a label count that differs, or ``spm`` with more than two.

    Examples
    --------
    >>> from mat_sim.simulator import simulate
    >>> before, after = (simulate(p, seed=1, duration_s=6.0).recording() for p in ("shuffling-runner", "trained-runner"))
    >>> from gait_metrics import analyze
    >>> c = compare_sessions([analyze(before), analyze(after)], ["before", "after"])
    >>> c.metric("transition_ms").difference < 0
    True
    """
    if len(results) < 2 or len(labels) != len(results):
        raise ValueError(f"compare two or more sessions with a label each, got {len(results)} sessions and {len(labels)} labels")
    if spm and len(results) != 2:
        raise ValueError("SPM compares exactly two sessions")
    labels = [str(label) for label in labels]
    base, first = results[0], labels[0]
    included = [result.steps.select(included=True) for result in results]
    metrics = tuple(
        MetricComparison(metric, first, name, compare_samples(getattr(included[0], metric), getattr(steps, metric)))
        for metric in COMPARED_METRICS
        for steps, name in zip(included[1:], labels[1:])
    )
    changes = tuple(
        TransitionChange(first, name, change_against_mdc(side, base.reliability[side], other.reliability[side]))
        for other, name in zip(results[1:], labels[1:])
        for side in SIDES
    )
    notices = [f"{name}: {n}" for result, name in zip(results, labels) for n in result.notices]
    curves = {}
    if spm:
        curves = {curve: spm_ttest2(*(getattr(r.curves, curve)[r.steps.rows(included=True)] for r in results)) for curve in SPM_CURVES}
    return SessionComparison(tuple(labels), tuple(comparison_warnings(results) + notices), changes, metrics, curves)
