"""Where the live page's completed steps come from: the growing recording, or a finished one."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Protocol, Sequence

import numpy as np

from gait_metrics import AnalysisConfig, Step
from gait_metrics.live import StepStream
from mat_driver.model import Calibration

if TYPE_CHECKING:
    from live_view.feed import LiveSession

__all__ = ["StepSource", "StreamedSteps", "KnownSteps"]


class StepSource(Protocol):
    """Where completed steps come from: the growing recording, or a finished one."""

    def add(self, cells: np.ndarray, time_s: float) -> None:
        """One more frame of raw counts at ``time_s``."""

    def completed(self, final: bool = False) -> list[Step]:
        """Steps completed since the last call (``final``: the stream has ended)."""

    def reset(self, time_s: float) -> None:
        """Start over at ``time_s`` (a seek)."""

    def calibrate(self, calibration: Calibration) -> None:
        """Use ``calibration`` from now on (the recorder's tare became known)."""


class StreamedSteps:
    """Steps of a recording being made, found by :class:`gait_metrics.live.StepStream`.

    The analysis runs at most every ``every_s`` seconds (of the stream's clock).
    """

    def __init__(self, session: LiveSession, config: AnalysisConfig | None = None, every_s: float = 0.3) -> None:
        self.stream = StepStream(session.geometry, session.rate_hz, calibration=session.calibration, metadata=session.metadata, config=config)
        self.every_s = every_s
        self._now = self._last = -math.inf

    def add(self, cells: np.ndarray, time_s: float) -> None:
        self.stream.push(cells, time_s)
        self._now = time_s

    def completed(self, final: bool = False) -> list[Step]:
        if self._now - self._last < self.every_s and not final:
            return []
        self._last = self._now
        return self.stream.poll(final=final)

    def reset(self, time_s: float) -> None:
        self.stream.reset()
        self._now = self._last = -math.inf

    def calibrate(self, calibration: Calibration) -> None:
        self.stream.calibration = calibration


class KnownSteps:
    """Steps of a finished recording (from the offline analysis), released at toe off.

    A step without a toe off is released at its initial contact; one cut by the end of
    the recording, at ``end_s``.
    """

    def __init__(self, steps: Sequence[Step], end_s: float = math.inf) -> None:
        self.end_s = end_s
        self.steps = sorted(steps, key=self._end)
        self._next = 0
        self._now = -math.inf

    def add(self, cells: np.ndarray, time_s: float) -> None:
        self._now = time_s

    def completed(self, final: bool = False) -> list[Step]:
        start = self._next
        while self._next < len(self.steps) and self._end(self.steps[self._next]) <= self._now:
            self._next += 1
        return list(self.steps[start : self._next])

    def reset(self, time_s: float) -> None:
        self._next = 0
        self._now = time_s

    def calibrate(self, calibration: Calibration) -> None:
        """Nothing to do: the steps are known."""

    def _end(self, step: Step) -> float:
        return min(step.to_s if math.isfinite(step.to_s) else step.ic_s, self.end_s)
