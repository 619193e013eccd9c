"""Find dropped frames, and unwrap device counters and clocks.

With a device counter a gap is a counter jump of more than one. Without one, only the
arrival times tell, and serial transports deliver frames late and in bursts, never early:
so the clock model follows the *earliest* arrivals. Each frame's offset from the model
(the running sum of ``interval - period``, the period being the mean over the last 400
frames with lost frames counted)
is compared between the ``window`` frames
before it and the frames of the ``confirm_s`` after it; a lasting rise of the minimum by about a period or more means frames
were lost there, while a single late frame or a burst does not move the minimum.
Counterless gaps are therefore confirmed ``confirm_s`` later, and the first second or so
(while the mat's real frame rate is learnt) is not checked.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from mat_driver.frame import Frame

__all__ = ["GapDetector"]

_WRAP_32 = 1 << 32


class GapDetector:
    """Unwrap counters and device clocks; report dropped frames as ``(index, missing, s)``.

    Parameters
    ----------
    rate_hz
        Nominal frame rate; refined from the arrivals once enough frames came.
    window
        Frames before a counterless gap that set the baseline.
    confirm_s
        How long after a counterless gap the arrivals must stay shifted to confirm it (a
        host stall delivers frames late and then in a burst, shorter than this).
    """

    def __init__(self, rate_hz: float, *, window: int = 6, confirm_s: float = 0.3) -> None:
        self.rate_hz = rate_hz
        self.window = window
        self.confirm = max(window, int(round(confirm_s * rate_hz)))
        self._index = 0
        self._gaps: list[tuple[int, int, float]] = []
        self.restart()

    def restart(self) -> None:
        """Forget the counter, device clock and timing (after a reconnect)."""
        self._last_counter: int | None = None
        self._counter = -1
        self._last_device_us: int | None = None
        self._device_us = 0
        self._last_host: float | None = None
        self._history: deque[tuple[int, float, int]] = deque(maxlen=400)
        self._lost = 0
        self._recent: deque[list[float]] = deque(maxlen=self.window + self.confirm)

    def update(self, frame: Frame, host_time_s: float) -> tuple[float, int]:
        """Account for one frame; return its unwrapped device time (s, NaN if none) and
        unwrapped counter (-1 if none)."""
        index = self._index
        self._index += 1
        if frame.counter is not None:
            self._count(frame.counter, index, host_time_s)
        else:
            self._time(index, host_time_s)
        device_s = np.nan
        if frame.device_time_us is not None:
            if self._last_device_us is not None:
                self._device_us += (frame.device_time_us - self._last_device_us) % _WRAP_32
            self._last_device_us = frame.device_time_us
            device_s = self._device_us / 1e6
        self._last_host = host_time_s
        return device_s, self._counter if frame.counter is not None else -1

    def take_gaps(self) -> list[tuple[int, int, float]]:
        """Gaps confirmed since the last call: (index of the frame after it, frames lost, s)."""
        gaps, self._gaps = self._gaps, []
        return gaps

    def _count(self, counter: int, index: int, host: float) -> None:
        if self._last_counter is None:
            self._counter = max(self._counter + 1, 0)
        else:
            step = (counter - self._last_counter) % _WRAP_32
            if step == 0 or step >= _WRAP_32 // 2:  # repeated or backwards: device restarted
                step = 1
            if step > 1:
                self._gaps.append((index, step - 1, host - (self._last_host or host)))
            self._counter += step
        self._last_counter = counter

    def _period(self) -> float:
        """Mean frame period over settled frames (lost ones counted), else nominal.

        Only frames older than the comparison windows count, so a gap being judged cannot
        bend the clock it is judged by."""
        if len(self._history) < 50:
            return 1.0 / self.rate_hz
        first_index, first_host, first_lost = self._history[0]
        last_index, last_host, last_lost = self._history[-1]
        return (last_host - first_host) / (last_index - first_index + last_lost - first_lost)

    def _time(self, index: int, host: float) -> None:
        period = self._period()
        if len(self._recent) == self._recent.maxlen:
            settled_index, settled_host, _ = self._recent[0]
            self._history.append((int(settled_index), settled_host, self._lost))
        offset = 0.0
        if self._recent:
            last_index, last_host, last_offset = self._recent[-1]
            offset = last_offset + (host - last_host) - (index - last_index) * period
        self._recent.append([index, host, offset])
        if len(self._recent) < self.window + self.confirm or len(self._history) < 50:
            return  # still learning the mat's real frame rate
        recent = list(self._recent)
        before, after = recent[: self.window], recent[self.window :]
        jump = min(r[2] for r in after) - min(r[2] for r in before)
        missing = int(round(jump / period))
        if jump > 0.6 * period and missing >= 1:
            self._gaps.append((int(after[0][0]), missing, after[0][1] - before[-1][1]))
            self._lost += missing
            for entry in after:
                entry[2] -= missing * period
