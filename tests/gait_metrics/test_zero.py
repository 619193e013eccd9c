"""Recordings made without a tare: the per-cell zero comes from the recording itself."""

from __future__ import annotations

import dataclasses

import numpy as np

from gait_metrics import analyze
from gait_metrics.zero import estimate_zero
from mat_driver.model import Calibration, Geometry, Recording
from mat_sim.simulator import simulate, truth_steps


def test_offsets_without_a_tare_are_found_and_the_steps_stay_right() -> None:
    rec = simulate("shuffling-runner", seed=3, duration_s=10.0).recording()
    offsets = rec.calibration.tare  # the simulated mat's zero offsets (0-4 counts), in the frames
    untared = dataclasses.replace(rec, calibration=Calibration(gain_kpa=rec.calibration.gain_kpa, calibrated=True))
    zero = estimate_zero(untared)
    alive = rec.raw().max(axis=0) > 0  # the simulated mat has a few dead cells
    assert zero is not None and np.abs(zero - offsets)[alive].max() <= 1.5  # within 2 noise SDs (0.8 counts)
    assert np.abs(zero - offsets)[alive].mean() < 0.6
    result = analyze(untared)
    assert any("no tare recorded" in notice for notice in result.notices)
    truth = [t for t in truth_steps(rec.truth) if not t.cut and t.heel_loaded]
    true_transition = np.median([1000 * (t.ho_s - t.ff_s) for t in truth])
    measured = result.steps.transition_ms[result.steps.included]
    assert len(measured) >= 20 and abs(np.median(measured) - true_transition) < 5.0
    assert not any("no tare" in notice for notice in analyze(rec).notices)  # a recorded tare is used as is


def test_a_person_standing_still_keeps_their_load() -> None:
    g = Geometry(20, 20, 10.0, 10.0)
    frames = np.full((400, 20, 20), 3, np.uint16)  # empty cells read 3 counts
    frames[:, 5:15, 4:8] = 200  # two feet, the whole recording
    frames[:, 5:15, 12:16] = 180
    rec = Recording(frames=frames, host_time_s=np.arange(400) / 100, geometry=g, rate_hz=100.0)
    zero = estimate_zero(rec)
    assert zero[0, 0] == 3.0 and zero[10, 5] == 0.0 and zero[10, 13] == 0.0


def test_a_clean_mat_needs_no_zero() -> None:
    g = Geometry(10, 10, 10.0, 10.0)
    frames = np.zeros((300, 10, 10), np.uint16)
    frames[100:150, 2:6, 2:6] = 100
    assert estimate_zero(Recording(frames=frames, host_time_s=np.arange(300) / 100, geometry=g, rate_hz=100.0)) is None
