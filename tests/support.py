"""Helpers for tests (and benchmarks) that run `mat` processes or wait on other threads."""

from __future__ import annotations

import select
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

#: The `mat` command, run from this interpreter.
MAT_COMMAND = [sys.executable, "-m", "mat_cli"]

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
