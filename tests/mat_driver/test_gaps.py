"""Dropped-frame detection from counters and from arrival times."""

from __future__ import annotations

import numpy as np
import pytest

from mat_driver.frame import Frame
from mat_driver.gaps import GapDetector

CELLS = np.zeros((1, 1), np.uint16)


def run(detector: GapDetector, frames: list[Frame], times: list[float]) -> list[tuple[int, int, float]]:
    gaps = []
    for frame, t in zip(frames, times):
        detector.update(frame, t)
        gaps += detector.take_gaps()
    return gaps


def test_counters_and_device_time_unwrap_across_the_wrap() -> None:
    detector = GapDetector(rate_hz=100.0)
    results = [
        detector.update(Frame(CELLS, counter=c, device_time_us=t), host)
        for c, t, host in [(2**32 - 2, 2**32 - 10_000, 0.0), (2**32 - 1, 2**32 - 1, 0.01), (1, 20_000, 0.03)]
    ]
    assert [r[1] for r in results] == [0, 1, 3]
    assert results[2][0] == pytest.approx(0.03)  # 30 ms of device time across the wrap
    assert detector.take_gaps() == [(2, 1, pytest.approx(0.02))]  # counter 0 was lost


def jittery_arrivals(n: int, rate_hz: float, lost: set[int], seed: int) -> tuple[list[float], int]:
    """Arrival times of frames sent at rate_hz, late by 0-40 % of a period, some bursts."""
    rng = np.random.default_rng(seed)
    period = 1.0 / rate_hz
    times, sent = [], 0
    for k in range(n):
        if k in lost:
            continue
        late = rng.uniform(0, 0.4 * period)
        if rng.random() < 0.05:  # the OS held a few frames back: they come in a burst
            late += 2.5 * period
        times.append(k * period + late)
        sent += 1
    return list(np.maximum.accumulate(times)), sent


@pytest.mark.parametrize("seed", range(5))
def test_jitter_and_bursts_are_not_drops(seed: int) -> None:
    times, sent = jittery_arrivals(600, 100.0, set(), seed)
    gaps = run(GapDetector(100.0), [Frame(CELLS)] * sent, times)
    assert gaps == []


@pytest.mark.parametrize("seed", range(5))
def test_lost_frames_are_found_where_they_were_lost(seed: int) -> None:
    lost = {100, 101, 250, 400, 401, 402}
    times, sent = jittery_arrivals(600, 100.0, lost, seed)
    gaps = run(GapDetector(100.0), [Frame(CELLS)] * sent, times)
    assert [(index, missing) for index, missing, _ in gaps] == [(100, 2), (248, 1), (397, 3)]


def test_a_mat_slower_than_its_nominal_rate_has_no_false_drops() -> None:
    times, sent = jittery_arrivals(800, 92.0, set(), 1)  # profile says 100 Hz
    assert run(GapDetector(100.0), [Frame(CELLS)] * sent, times) == []
