"""Time and peak memory of a full report (run by hand: python benchmarks/bench_report.py).

Simulates a treadmill session (default 10 minutes, 100 Hz, 64 x 64), writes it to an HDF5
file, then times `mat report`'s work: open lazily, analyse, draw and write PDF, HTML, PNGs
and summary.json. Peak memory is the traced Python peak during the report.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

from gait_metrics import analyze
from mat_driver.recording import save_recording
from mat_sim.simulator import simulate
from plots import session_report
from plots.document import REPORT_FORMATS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "session.h5"
        sim = simulate("trained-runner", seed=1, duration_s=args.minutes * 60.0, rows=64, cols=64, pitch_mm=12.0)
        save_recording(sim.recording(), path)
        raw_mb = sim.n_frames * 64 * 64 * 2 / 1e6
        print(f"{sim.n_frames} frames ({raw_mb:.0f} MB raw, {path.stat().st_size / 1e6:.0f} MB on disk)")
        tracemalloc.start()
        start = time.perf_counter()
        result = analyze(path)
        analysed = time.perf_counter() - start
        session_report(result, Path(folder) / "report", list(REPORT_FORMATS))
        took = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"analysis {analysed:.1f} s, figures and files {took - analysed:.1f} s, total {took:.1f} s")
    print(f"peak traced memory {peak / 1e6:.0f} MB = {peak / 1e6 / raw_mb:.2f} x the raw frames")


if __name__ == "__main__":
    main()
