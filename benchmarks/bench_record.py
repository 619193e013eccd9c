"""Record a fast stream through a real pseudo-terminal (run by hand).

python benchmarks/bench_record.py [--seconds 60] [--rate 400] [--protocol pmat]

The virtual mat (its own process) streams a 64 x 64 uint16 session at the given frame
rate; the recorder (this process) writes it to an HDF5 file. Prints frames, dropped and
rejected frames, the achieved rate and the recorder's CPU use in % of one core.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support

from mat_driver.devices import DeviceProfile  # noqa: E402
from mat_driver.recorder import Recorder, RecordingOptions  # noqa: E402
from tests.support import virtual_mat_process  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=400.0)
    parser.add_argument("--protocol", default="pmat")
    args = parser.parse_args()
    mat = virtual_mat_process("trained-runner", "--protocol", args.protocol, "--rows", "64", "--cols", "64", "--rate", f"{args.rate:g}", "--duration", "30")
    with mat as port, tempfile.TemporaryDirectory() as folder:
        profile = DeviceProfile(name="bench", protocol=args.protocol, rows=64, cols=64, pitch_row_mm=8.5, pitch_col_mm=8.5, rate_hz=args.rate)
        recorder = Recorder(port, profile, str(Path(folder) / "bench.h5"), options=RecordingOptions(duration_s=args.seconds))
        wall, cpu = time.perf_counter(), time.process_time()
        summary = recorder.run()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{summary.frames} frames in {wall:.1f} s = {summary.frames / wall:.0f} frames/s (asked {args.rate:g})")
    print(f"dropped {summary.dropped}, rejected {summary.rejected}, bytes discarded {summary.stats['bytes_discarded']:.0f}")
    print(f"recorder CPU: {100 * cpu / wall:.0f} % of one core")


if __name__ == "__main__":
    main()
