"""Fixtures shared by every test folder."""

from __future__ import annotations

import select
import subprocess
import sys
from typing import Callable, Iterator

import pytest

#: The `mat` command, run from this interpreter.
MAT_COMMAND = [sys.executable, "-m", "mat_cli"]


@pytest.fixture
def virtual_mat() -> Iterator[Callable[..., str]]:
    """Start `mat simulate PRESET ... --serve` (a virtual mat on a pty); returns its port.

    Every mat started is stopped at the end of the test.
    """
    started: list[subprocess.Popen] = []

    def start(*args: str) -> str:
        server = subprocess.Popen([*MAT_COMMAND, "simulate", *args, "--serve"], stdout=subprocess.PIPE, text=True)
        started.append(server)
        ready, _, _ = select.select([server.stdout], [], [], 30)
        assert ready, "virtual mat did not start"
        return server.stdout.readline().split()[3]

    yield start
    for server in started:
        server.terminate()
        server.wait(10)
