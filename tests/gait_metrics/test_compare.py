"""Session comparison statistics against hand-computed values and known populations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from gait_metrics.compare import compare_samples, hedges_g


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
