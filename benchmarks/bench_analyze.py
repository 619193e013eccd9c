"""Speed and memory of gait_metrics.analyze (run by hand: python benchmarks/bench_analyze.py).

Simulates a treadmill running session (default 10 minutes, 100 Hz, 64 x 64 cells of
12 mm), holds its raw frames in memory, then prints:

- frames per second of ``analyze()``;
- the ratio of its time to one plain numpy pass summing the same frames (target <= 5);
- its peak traced memory (tracemalloc) relative to the raw frames' bytes (target <= 2).

Times are the best of ``--repeat`` runs, so that other work on the machine disturbs them
less. ``--minutes 2`` gives a quick run.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
import tracemalloc

import numpy as np

from gait_metrics import analyze
from mat_sim.simulator import simulate


def best_time(function, repeat: int) -> float:
    """Shortest wall time of ``repeat`` calls, s."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="session length (default 10)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the best counts (default 3)")
    parser.add_argument("--preset", default="trained-runner", help="simulator preset (a treadmill one)")
    args = parser.parse_args()

    start = time.perf_counter()
    sim = simulate(args.preset, seed=1, duration_s=args.minutes * 60.0, rows=64, cols=64, pitch_mm=12.0)
    lazy = sim.recording()
    frames = lazy.raw()
    recording = dataclasses.replace(lazy, frames=frames)
    n = recording.n_frames
    print(
        f"simulated {args.preset}: {n} frames of 64 x 64 at {recording.rate_hz:g} Hz ({frames.nbytes / 1e6:.0f} MB raw) in {time.perf_counter() - start:.1f} s"
    )

    floor = best_time(lambda: frames.sum(axis=(1, 2), dtype=np.int64), max(5, args.repeat))
    took = best_time(lambda: analyze(recording), args.repeat)
    tracemalloc.start()
    result = analyze(recording)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"analyze: {took:.3f} s, {n / took:,.0f} frames/s, {len(result.steps)} steps ({int(result.steps.included.sum())} whole)")
    print(f"plain numpy sum over the frames: {floor:.4f} s; ratio analyze / sum = {took / floor:.1f} (target <= 5)")
    print(f"peak memory of analyze: {peak / 1e6:.0f} MB = {peak / frames.nbytes:.2f} x the raw frames (target <= 2)")


if __name__ == "__main__":
    main()
