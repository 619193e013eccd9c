"""Session comparison statistics against hand-computed values and known populations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from gait_metrics.compare import change_against_mdc, compare_samples, hedges_g
from gait_metrics.reliability import transition_reliability


def test_hedges_g_by_hand() -> None:
    # d = (4 - 2) / pooled SD 1 = 2; J = 1 - 3 / (4 * 6 - 9) = 0.8
    assert hedges_g(np.array([1.0, 2.0, 3.0]), np.array([3.0, 4.0, 5.0])) == pytest.approx(1.6)
    assert np.isnan(hedges_g(np.array([1.0]), np.array([2.0, 3.0])))


def test_normal_samples_use_welch_and_skewed_ones_mann_whitney() -> None:
    rng = np.random.default_rng(1)
    before = rng.normal(110.0, 12.0, 60)  # transition time, ms
    after = rng.normal(60.0, 10.0, 60)
    c = compare_samples(before, after)
    assert c.test == "welch"
    assert c.p_value == pytest.approx(stats.ttest_ind(before, after, equal_var=False).pvalue)
    assert c.difference == pytest.approx(after.mean() - before.mean())
    assert c.percent_change == pytest.approx(100 * (after.mean() - before.mean()) / before.mean())
    assert c.ci_low < -50.0 < c.ci_high  # the true difference is inside the 95 % CI
    skewed = compare_samples(rng.exponential(10.0, 60), rng.exponential(30.0, 60))
    assert skewed.test == "mann-whitney" and skewed.p_value < 0.01


def test_bootstrap_interval_covers_the_true_difference_most_of_the_time() -> None:
    rng = np.random.default_rng(7)
    covered = 0
    for trial in range(60):
        a, b = rng.normal(0.0, 1.0, 30), rng.normal(0.5, 1.0, 30)
        c = compare_samples(a, b, n_bootstrap=500, seed=trial)
        covered += c.ci_low <= 0.5 <= c.ci_high
    assert covered >= 50  # nominal 95 %: 57 of 60 expected


def test_too_few_values_give_nan_not_an_error() -> None:
    c = compare_samples(np.array([1.0, np.nan]), np.array([]))
    assert c.n_a == 1 and c.n_b == 0 and c.test == "none"
    assert np.isnan(c.p_value) and np.isnan(c.ci_low) and np.isnan(c.mean_b)


def test_a_change_counts_against_the_larger_mdc95() -> None:
    rng = np.random.default_rng(2)
    # MDC95 = 2.77 SEM, SEM about the steps' SD: about 5.5 ms and 22 ms expected.
    steady = transition_reliability(rng.normal(110.0, 2.0, 30))
    noisy = transition_reliability(rng.normal(100.0, 8.0, 30))
    c = change_against_mdc("left", steady, noisy)
    assert c.side == "left" and c.change_ms == pytest.approx(noisy.mean_ms - steady.mean_ms)
    assert c.mdc95_ms == max(steady.mdc95_ms, noisy.mdc95_ms) == noisy.mdc95_ms
    assert c.exceeds is (abs(c.change_ms) > noisy.mdc95_ms)
    assert c.exceeds is False  # about -8 ms: within the noisy session's 18 ms
    assert change_against_mdc("right", steady, transition_reliability(rng.normal(80.0, 2.0, 30))).exceeds is True
    assert c.to_dict()["mdc95_a_ms"] == steady.mdc95_ms


def test_no_verdict_without_an_mdc95_in_both_sessions() -> None:
    rng = np.random.default_rng(4)
    short = transition_reliability(rng.normal(60.0, 2.0, 6))  # 3 pairs
    c = change_against_mdc("right", transition_reliability(rng.normal(110.0, 2.0, 30)), short)
    assert c.exceeds is None and c.mdc95_ms is None and c.change_ms == pytest.approx(short.mean_ms - c.mean_a_ms)
    assert c.reason.startswith("session B: 3 pairs")
    none = change_against_mdc("left", transition_reliability(np.array([])), short)
    assert none.change_ms is None and none.exceeds is None and "no transition time" in none.reason


def test_simulated_sessions_exceed_mdc95_only_when_the_runner_changed() -> None:
    # Same simulated runner on two days (seeds) against a runner whose transition is 60 ms
    # shorter (simulator truth).
    from gait_metrics import analyze
    from mat_sim.simulator import simulate

    before, retest, after = (
        analyze(simulate(p, seed=s, duration_s=16.0).recording()) for p, s in (("shuffling-runner", 1), ("shuffling-runner", 2), ("trained-runner", 3))
    )
    for side in ("left", "right"):
        same = change_against_mdc(side, before.reliability[side], retest.reliability[side])
        trained = change_against_mdc(side, before.reliability[side], after.reliability[side])
        assert same.exceeds is False and abs(same.change_ms) < same.mdc95_ms
        assert trained.exceeds is True and trained.change_ms < -50.0
