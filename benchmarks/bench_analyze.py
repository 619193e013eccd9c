"""Speed and memory of gait_metrics.analyze (run by hand: python benchmarks/bench_analyze.py).

Simulates a treadmill session (default 10 minutes, 100 Hz, 64 x 64), holds its frames in
memory, then prints frames per second of analyze(), the ratio of its time to one plain
numpy pass summing the same frames (target <= 5), and its peak traced memory relative to
the raw frames (target <= 2).
"""

from __future__ import annotations

import argparse
import dataclasses
import time
import tracemalloc

import numpy as np

from gait_metrics import analyze
from mat_driver.simulator import simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    sim = simulate("trained-runner", seed=1, duration_s=args.minutes * 60.0, rows=64, cols=64, pitch_mm=12.0)
    start = time.perf_counter()
    frames = sim.render(0, sim.n_frames)
    print(f"simulated {sim.n_frames} frames of 64 x 64 in {time.perf_counter() - start:.1f} s ({frames.nbytes / 1e6:.0f} MB raw)")
    recording = dataclasses.replace(sim.recording(), frames=frames)
    start = time.perf_counter()
    frames.sum(axis=(1, 2), dtype=np.int64)
    floor = time.perf_counter() - start
    tracemalloc.start()
    start = time.perf_counter()
    result = analyze(recording)
    took = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"analyze: {took:.2f} s, {sim.n_frames / took:,.0f} frames/s, {len(result.steps)} steps")
    print(f"plain numpy sum pass: {floor:.3f} s; ratio analyze / sum = {took / floor:.1f} (target <= 5)")
    print(f"peak memory of analyze: {peak / 1e6:.0f} MB = {peak / frames.nbytes:.2f} x the raw frames (target <= 2)")


if __name__ == "__main__":
    main()
