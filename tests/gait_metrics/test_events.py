"""Event detection and the ragged-series helpers on curves whose crossings are known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.interpolate import PchipInterpolator

from gait_metrics._segments import first_true, interp_segments, last_true, pchip_slopes, rising_time
from gait_metrics.events import EventDetector
from gait_metrics.phases import roll_over_phases, strike_pattern
from gait_metrics.stances import StanceLayout

DT = 0.01


def layout_of(*lengths: int, start_s: float = 0.0) -> StanceLayout:
    """Steps laid end to end, each with its own frames (times DT apart)."""
    offsets = np.r_[0, np.cumsum(lengths)]
    step = np.repeat(np.arange(len(lengths)), lengths)
    local = np.arange(offsets[-1]) - offsets[step]
    time_s = start_s + step * 10.0 + local * DT
    return StanceLayout(offsets, local, time_s, step, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))


def test_first_and_last_true_per_segment() -> None:
    mask = np.array([0, 1, 1, 0, 0, 0, 1, 0, 1], bool)
    offsets = np.array([0, 3, 5, 9])
    assert first_true(mask, offsets).tolist() == [1, -1, 6]
    assert last_true(mask, offsets).tolist() == [2, -1, 8]


def test_pchip_matches_scipy_within_each_segment() -> None:
    rng = np.random.default_rng(3)
    lengths = (7, 12, 5)
    offsets = np.r_[0, np.cumsum(lengths)]
    t = np.concatenate([np.sort(rng.uniform(0, 1, n)) + 5 * k for k, n in enumerate(lengths)])
    y = rng.normal(size=t.size)
    slope = pchip_slopes(t, y, offsets)
    at = np.array([np.linspace(t[a], t[b - 1], 9) for a, b in zip(offsets[:-1], offsets[1:])])
    values = interp_segments(t, y, offsets, at)
    for k, (a, b) in enumerate(zip(offsets[:-1], offsets[1:])):
        reference = PchipInterpolator(t[a:b], y[a:b])
        assert np.allclose(slope[a:b], reference.derivative()(t[a:b]))
        assert np.allclose(values[k], reference(at[k]))


def test_interpolation_skips_nan_and_holds_the_ends() -> None:
    t = np.arange(6.0)
    y = np.array([np.nan, 1.0, 2.0, 3.0, np.nan, np.nan])
    out = interp_segments(t, y, np.array([0, 6]), np.array([[0.0, 1.5, 5.0]]))
    assert out[0].tolist() == [1.0, 1.5, 3.0]
    assert np.isnan(interp_segments(t, np.full(6, np.nan), np.array([0, 6]), np.array([[1.0]]))).all()


def test_crossings_follow_a_ramp_and_bend_with_a_smooth_onset() -> None:
    t = np.arange(5) * DT
    offsets = np.array([0, 5])
    ramp = np.array([0.0, 40.0, 80.0, 120.0, 160.0])  # a straight line: crossed where the line is
    crossing = rising_time(t, ramp, pchip_slopes(t, ramp, offsets), np.array([10.0]), first_true(ramp >= 10.0, offsets))
    assert crossing[0] == pytest.approx(0.0025, abs=1e-6)
    onset = np.array([0.0, 0.0, 40.0, 80.0, 120.0])  # flat, then rising: the cubic leaves zero smoothly
    crossing = rising_time(t, onset, pchip_slopes(t, onset, offsets), np.array([10.0]), first_true(onset >= 10.0, offsets))
    assert 0.0125 < crossing[0] < 0.02


def detect(layout: StanceLayout, rear: np.ndarray, fore: np.ndarray, **kwargs):
    return EventDetector(**kwargs).detect(layout, rear + fore, rear, fore).events_


def test_events_of_a_heel_strike_by_hand() -> None:
    # rearfoot loads, then the forefoot; peak 100 N, level 5 N
    rear = np.array([0, 30, 60, 50, 20, 0, 0, 0, 0.0])
    fore = np.array([0, 0, 0, 10, 60, 100, 60, 20, 0.0])
    layout = layout_of(9)
    e = detect(layout, rear, fore, ensemble_min_steps=0)
    peak = 100.0
    assert e.peak_force_n[0] == pytest.approx(peak)
    assert 0.0 < e.ic_s[0] < DT  # between the unloaded pad and the first loaded frame
    assert 2 * DT < e.forefoot_contact_s[0] < 3 * DT and e.ff_s[0] == e.forefoot_contact_s[0]
    assert 4 * DT < e.ho_s[0] < 5 * DT  # rearfoot falls from 20 to 0 N
    assert 7 * DT < e.to_s[0] < 8 * DT
    assert 3 * DT < e.heel_forefoot_change_s[0] < 4 * DT  # fore 10 < rear 50, then 60 > 20
    assert bool(e.heel_loaded[0])


def test_a_forefoot_strike_has_no_foot_flat() -> None:
    rear = np.array([0, 0, 1, 2, 1, 0, 0.0])  # never 5 % of the peak
    fore = np.array([0, 40, 100, 80, 40, 10, 0.0])
    e = detect(layout_of(7), rear, fore, ensemble_min_steps=0)
    assert not e.heel_loaded[0] and np.isnan(e.ff_s[0]) and np.isnan(e.ho_s[0])
    assert e.heel_forefoot_change_s[0] == e.ic_s[0]
    p = roll_over_phases(e)
    assert p["transition_ms"][0] == 0.0 and p["foot_flat_ms"][0] == 0.0 and np.isnan(p["forefoot_contact_ms"][0])
    assert p["push_off_ms"][0] == pytest.approx(1000 * (e.to_s[0] - e.forefoot_contact_s[0]))


def test_a_foot_flat_shorter_than_a_frame_is_found_between_frames() -> None:
    # the rearfoot falls from 40 to 3 N while the forefoot rises from 2 to 60 N (level 5 N):
    # no frame has both on, but between frames 3 and 4 both curves are over the level
    rear = np.array([0, 60, 90, 40, 3, 0, 0, 0.0])
    fore = np.array([0, 0, 0, 2, 60, 100, 30, 0.0])
    e = detect(layout_of(8), rear, fore, ensemble_min_steps=0)
    true_ff = 3 * DT + (5 - 2) / (60 - 2) * DT  # the forefoot's crossing, about linear this low
    assert 3 * DT < e.ff_s[0] < e.ho_s[0] < 4 * DT and e.ff_s[0] == pytest.approx(true_ff, abs=0.002)
    # the forefoot a frame later: the rearfoot is off before the forefoot is on, no foot flat
    late = detect(layout_of(9), np.r_[rear, 0.0], np.r_[0, fore], ensemble_min_steps=0)
    assert bool(late.heel_loaded[0]) and np.isnan(late.ff_s[0]) and np.isnan(late.ho_s[0])


def test_heel_off_never_after_toe_off() -> None:
    rear = np.array([0, 50, 60, 60, 60, 0.0])  # the heel leaves with the forefoot
    fore = np.array([0, 0, 40, 60, 60, 0.0])
    e = detect(layout_of(6), rear, fore, ensemble_min_steps=0)
    assert e.ho_s[0] <= e.to_s[0]


def test_equivalent_time_sampling_finds_an_abrupt_onset_between_frames() -> None:
    """Running-like steps, each sampled at another phase of the frame clock: a 14 ms
    impact rise to half the peak, then the active peak."""
    rng = np.random.default_rng(7)
    n_steps, n_frames = 30, 32
    onset = rng.uniform(0.0, DT, n_steps)  # where contact starts after frame 1

    def bump(t: np.ndarray, start: float, peak: float, end: float) -> np.ndarray:
        rise = np.clip((t - start) / (peak - start), 0.0, 1.0)
        fall = np.clip((end - t) / (end - peak), 0.0, 1.0)
        return np.sin(0.5 * np.pi * rise) ** 2 * np.where(t > peak, np.sin(0.5 * np.pi * fall) ** 2, 1.0)

    def force(t: np.ndarray) -> np.ndarray:
        return 500.0 * bump(t, 0.0, 0.014, 0.04) + 1000.0 * bump(t, 0.005, 0.12, 0.27)

    layout = layout_of(*([n_frames] * n_steps))
    local_t = layout.time_s - layout.step * 10.0 - DT - onset[layout.step]
    total = force(local_t)
    fine = np.arange(0.0, 0.02, 1e-6)
    rise_to_level = fine[np.argmax(force(fine) >= 0.05 * force(np.arange(0.0, 0.3, 1e-4)).max())]
    true_ic = layout.step[layout.offsets[:-1]] * 10.0 + DT + onset + rise_to_level
    zeros = np.zeros_like(total)
    plain = detect(layout, total, zeros, ensemble_min_steps=0)
    refined = detect(layout, total, zeros, ensemble_min_steps=8)
    plain_error, refined_error = plain.ic_s - true_ic, refined.ic_s - true_ic
    # per step, the cubic between frames is 1.4 ms late on average and up to 2.7 ms off
    assert abs(refined_error.mean()) < 0.3 * abs(plain_error.mean())
    assert np.abs(refined_error).max() < 0.6 * np.abs(plain_error).max()
    assert np.abs(refined.to_s - plain.to_s).max() == 0.0  # TO is left alone
    few = detect(layout_of(*([n_frames] * 5)), total[: 5 * n_frames], zeros[: 5 * n_frames], ensemble_min_steps=8)
    assert np.array_equal(few.ic_s, plain.ic_s[:5])  # too few steps: each keeps its own


def test_phases_and_strike_pattern_by_hand() -> None:
    from gait_metrics.events import StanceEvents

    a = lambda *v: np.array(v, float)  # noqa: E731
    e = StanceEvents(a(1.0), a(1.02), a(1.05), a(1.15), a(1.25), a(1.08), np.array([True]), a(1500.0))
    p = roll_over_phases(e)
    assert p["stance_ms"][0] == pytest.approx(250.0)
    assert p["transition_ms"][0] == pytest.approx(100.0) and p["transition_pct"][0] == pytest.approx(40.0)
    assert p["initial_contact_ms"][0] == pytest.approx(20.0) and p["forefoot_contact_ms"][0] == pytest.approx(30.0)
    assert p["foot_flat_pct"][0] == pytest.approx(40.0) and p["push_off_pct"][0] == pytest.approx(40.0)
    assert p["heel_forefoot_change_ms"][0] == pytest.approx(80.0)
    assert strike_pattern(np.array([10.0, 33.0, 34.0, 66.0, 67.0])).tolist() == ["rearfoot", "rearfoot", "midfoot", "midfoot", "forefoot"]
