"""Reliability statistics against a textbook example and data with known variance components."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gait_metrics.reliability import MIN_PAIRS, icc_2_1, transition_reliability

# Shrout and Fleiss (1979), Table 2: 6 targets rated by 4 judges.
SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], float)


def test_shrout_and_fleiss_table_2() -> None:
    icc = icc_2_1(SHROUT_FLEISS)
    # Their ANOVA (Table 2): BMS 11.24, JMS 32.49, EMS 1.02; ICC(2,1) = 0.29 (Table 4).
    assert (icc.ms_rows, icc.ms_columns, icc.ms_error) == pytest.approx((11.24, 32.49, 1.02), abs=0.005)
    assert icc.icc == pytest.approx(0.29, abs=0.005)
    # The same interval as R's psych::ICC on these data: 0.019 to 0.76.
    assert icc.ci_low == pytest.approx(0.019, abs=0.0005) and icc.ci_high == pytest.approx(0.76, abs=0.005)
    assert (icc.n, icc.k) == (6, 4)


def test_icc_of_simulated_ratings_with_known_variance_components() -> None:
    # Y = target + judge + error, variances 4, 1, 1: ICC(2,1) = 4 / 6.
    rng = np.random.default_rng(3)
    true, estimates, covered = 4.0 / 6.0, [], 0
    for _ in range(400):
        ratings = rng.normal(0, 2, (20, 1)) + rng.normal(0, 1, (1, 4)) + rng.normal(0, 1, (20, 4))
        icc = icc_2_1(ratings)
        estimates.append(icc.icc)
        covered += icc.ci_low <= true <= icc.ci_high
    assert np.mean(estimates) == pytest.approx(true, abs=0.04)
    assert covered >= 0.9 * 400  # nominal 95 %; McGraw and Wong's interval is approximate


def test_transition_reliability_recovers_known_components() -> None:
    # Pairs share a true value (SD 10 ms) and each step adds measurement noise (SD 5 ms):
    # ICC = 100 / 125 = 0.8, SEM = 5 ms. A fixed drift d between the halves counts as
    # disagreement: ICC = 100 / (125 + d^2 / 2).
    rng = np.random.default_rng(5)
    for drift, true_icc in ((0.0, 0.8), (10.0, 100.0 / 175.0)):
        iccs, sems = [], []
        for _ in range(200):
            shared = rng.normal(0, 10, 100)
            session = np.r_[100 + shared + rng.normal(0, 5, 100), 100 + drift + shared + rng.normal(0, 5, 100)]
            r = transition_reliability(session)
            iccs.append(r.icc)
            sems.append(r.sem_ms)
            assert r.mdc95_ms == pytest.approx(1.96 * math.sqrt(2) * r.sem_ms)
        assert np.mean(iccs) == pytest.approx(true_icc, abs=0.02)
        assert math.sqrt(np.mean(np.square(sems))) == pytest.approx(5.0, rel=0.03)


def test_steady_steps_give_an_icc_near_zero_and_the_step_sd_as_sem() -> None:
    # A steady session: every step independent, SD 4 ms. The halves' pairs share nothing,
    # so the ICC is 0 on average; SEM is the steps' SD, MDC95 2.77 times it.
    rng = np.random.default_rng(8)
    results = [transition_reliability(rng.normal(110, 4, 40)) for _ in range(300)]
    assert np.mean([r.icc for r in results]) == pytest.approx(0.0, abs=0.05)
    assert math.sqrt(np.mean([r.sem_ms**2 for r in results])) == pytest.approx(4.0, rel=0.03)


def test_halves_drop_the_middle_step_and_pair_in_order() -> None:
    r = transition_reliability(np.array([1.0, 2, 3, 4, 5, 100, 7, 8, 9, 10, 11, np.nan]))
    # NaN dropped; 11 values; the middle one (100) dropped; 1-5 pair with 7-11.
    assert (r.n_steps, r.n_pairs) == (11, 5)
    assert r.first_half_mean_ms == pytest.approx(3.0) and r.second_half_mean_ms == pytest.approx(9.0)
    assert r.mean_ms == pytest.approx(160.0 / 11)
    # Every pair differs by exactly 6: no error beyond the drift, SEM 0.
    assert r.sem_ms == pytest.approx(0.0, abs=1e-9) and r.reason is None


def test_too_few_pairs_give_none_with_a_reason() -> None:
    short = transition_reliability(np.arange(2 * MIN_PAIRS - 1, dtype=float))
    assert short.n_pairs == MIN_PAIRS - 1
    assert short.icc is None and short.sem_ms is None and short.mdc95_ms is None and short.icc_ci_low is None
    assert f"at least {MIN_PAIRS}" in short.reason
    enough = transition_reliability(np.arange(2 * MIN_PAIRS, dtype=float) % 3)
    assert enough.n_pairs == MIN_PAIRS and enough.mdc95_ms is not None and enough.icc is not None
    empty = transition_reliability(np.array([]))
    assert empty.n_steps == 0 and empty.mean_ms is None and empty.first_half_mean_ms is None


def test_identical_steps_have_no_icc_but_zero_sem() -> None:
    r = transition_reliability(np.zeros(12))  # a forefoot runner: transition 0 on every step
    assert r.icc is None and "no variation" in r.reason
    assert r.sem_ms == 0.0 and r.mdc95_ms == 0.0


def test_icc_rejects_a_matrix_it_cannot_use() -> None:
    with pytest.raises(ValueError, match="finite"):
        icc_2_1(np.array([[1.0, 2.0]]))
    with pytest.raises(ValueError, match="finite"):
        icc_2_1(np.array([[1.0, np.nan], [2.0, 3.0]]))


def test_session_reliability_matches_the_simulators_truth() -> None:
    # The analysis's SEM and MDC95 against those of the true transition times of the same
    # steps: measurement error (under 1 ms per step) must hardly add to the steps' own spread.
    from gait_metrics import analyze
    from mat_sim.simulator import simulate, truth_steps

    recording = simulate("shuffling-runner", seed=6, duration_s=20.0).recording()
    result = analyze(recording)
    truth = truth_steps(recording.truth)
    true_ic = np.array([t.ic_s for t in truth])
    for code, side in enumerate(("left", "right")):
        rows = np.flatnonzero(result.steps.included & (result.steps.side == code))
        true_ms = np.array([truth[int(np.argmin(np.abs(true_ic - result.steps.ic_s[k])))].transition_ms for k in rows])
        expected = transition_reliability(true_ms)
        measured = result.reliability[side]
        assert measured.n_pairs == expected.n_pairs >= 10
        assert measured.sem_ms == pytest.approx(expected.sem_ms, abs=0.2)
        assert measured.mdc95_ms == pytest.approx(expected.mdc95_ms, abs=0.6)
        assert result.to_dict()["reliability"][side]["mdc95_ms"] == pytest.approx(measured.mdc95_ms)
