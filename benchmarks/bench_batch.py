"""Batch throughput (run by hand: python benchmarks/bench_batch.py [--sessions 200]).

Simulates short treadmill sessions (1 minute, 100 Hz, 64 x 64 by default), then prints
sessions per second of `mat batch`'s work with 1 and 2 local workers.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from exports.batch import run_batch
from mat_driver.recording import save_recording
from mat_sim.simulator import simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=1.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for k in range(args.sessions):
            sim = simulate("trained-runner", seed=k, duration_s=args.minutes * 60.0, rows=64, cols=64, pitch_mm=12.0)
            paths.append(save_recording(sim.recording(), Path(folder) / f"s{k:04d}.h5"))
        for workers in (1, 2):
            start = time.perf_counter()
            result = run_batch(paths, workers=workers)
            took = time.perf_counter() - start
            print(
                f"{workers} worker(s): {len(result.sessions)} sessions in {took:.1f} s = {len(result.sessions) / took:.2f} sessions/s, {len(result.failures)} failed"
            )


if __name__ == "__main__":
    main()
