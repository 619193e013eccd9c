"""Fixtures shared by every test folder."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Callable, Iterator

import pytest

from tests.support import virtual_mat_process


@pytest.fixture
def virtual_mat() -> Iterator[Callable[..., str]]:
    """Start `mat simulate PRESET ... --serve` (a virtual mat on a pty); returns its port.

    Every mat started is stopped at the end of the test.
    """
    with ExitStack() as started:
        yield lambda *args: started.enter_context(virtual_mat_process(*args))
