"""Helpers for tests (and benchmarks) that run `mat` processes or wait on other threads."""

from __future__ import annotations

import math
import select
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

#: The `mat` command, run from this interpreter.
MAT_COMMAND = [sys.executable, "-m", "mat_cli"]

#: `mat record` options for the virtual mat's default grid (simulator presets: 56 x 160
#: cells of 8.5 mm at 100 Hz) sent as pmat.
PMAT_SIMULATOR_GRID = ("--protocol", "pmat", "--rows", "56", "--cols", "160", "--pitch", "8.5", "--rate", "100")

#: Vendor sample recordings inside the repository (tests/data/README.md says where they come from).
VENDOR_DATA = Path(__file__).resolve().parent / "data"


@contextmanager
def virtual_mat_process(*args: str) -> Iterator[str]:
    """Run `mat simulate ARGS... --serve` (a virtual mat on a pty); yields its port, stops it after."""
    server = subprocess.Popen([*MAT_COMMAND, "simulate", *args, "--serve"], stdout=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([server.stdout], [], [], 60)
        assert ready, "virtual mat did not start"
        yield server.stdout.readline().split()[3]
    finally:
        server.terminate()
        server.wait(10)


def wait_for(condition: Callable[[], Any], timeout_s: float = 10.0, what: str = "the condition") -> Any:
    """Poll ``condition`` until it returns something true (returned), or fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def rate_tolerance_hz(host_time_s: np.ndarray, rate_hz: float, n_gaps: int = 0) -> float:
    """How far a rate from the intervals between frame arrivals may be from ``rate_hz``.

    ``host_time_s`` are the arrival times (s) of frames sent every 1/``rate_hz`` s, in the
    order sent; ``n_gaps`` intervals hold a gap (skipped counters) and are left out of the
    mean, as the recorder does. Arrival k is k / ``rate_hz`` after the first plus a delay;
    the delays spread over ``spread`` s (the actual duration against the frame count's,
    and every stall in between: milliseconds on an idle machine, more while the CPU is
    busy). The mean interval is then off by at most ``(1 + n_gaps) * spread / n`` s over
    the ``n`` intervals it averages; returned as Hz (infinite if that reaches a period).
    """
    period_s = 1.0 / rate_hz
    times = np.asarray(host_time_s, float)
    delays_s = times - times[0] - np.arange(len(times)) * period_s
    spread_s = float(delays_s.max() - delays_s.min())
    error_s = (1 + n_gaps) * spread_s / (len(times) - 1 - n_gaps)
    return math.inf if error_s >= period_s else error_s / (period_s * (period_s - error_s))
