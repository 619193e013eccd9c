"""Play a finished recording into the live page at its own pace, with play, pause and seek."""

from __future__ import annotations

import threading
import time

import numpy as np

from gait_metrics.analyze import frame_times
from live_view.feed import LiveFeed
from live_view.server import Command
from mat_driver.model import Recording

__all__ = ["Player"]

#: Frames read from the file at a time.
CHUNK_FRAMES = 64


class Player:
    """Feed ``recording``'s frames to ``feed`` in real time on a thread of its own.

    It starts paused at the first frame; :meth:`command` plays, pauses and seeks. At the
    end it pauses. Status messages give the play head, the frame number, the nominal rate
    and the recording's dropped and rejected frames.
    """

    def __init__(self, recording: Recording, feed: LiveFeed) -> None:
        self.recording, self.feed = recording, feed
        self.times = frame_times(recording)
        self.duration_s = float(self.times[-1]) if self.times.size else 0.0
        self.dropped = recording.gaps.total_missing
        self.rejected = int(recording.stats.get("frames_rejected", 0))
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._index = 0
        self._playing = False
        self._origin = 0.0  # monotonic time at which the play head was at 0 s
        self._show_one = True
        self._thread = threading.Thread(target=self._run, name="mat-live-replay", daemon=True)

    def start(self) -> "Player":
        """Start the thread (paused, showing the first frame)."""
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop the thread."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)

    def command(self, command: Command) -> None:
        """Apply a page's :class:`~live_view.server.Command` (any thread)."""
        with self._lock:
            if command.name == "seek":
                assert command.time_s is not None  # parse_command requires a time for seek
                self._index = int(np.searchsorted(self.times, command.time_s))
                self._index = min(self._index, max(len(self.times) - 1, 0))
                self.feed.seek(float(self.times[self._index]) if self.times.size else 0.0)
                self._show_one = True
            elif command.name == "play":
                if self._index >= len(self.times) - 1:  # at the end: play again from the start
                    self._index = 0
                    self.feed.seek(0.0)
                self._playing = True
            else:
                self._playing = False
            self._origin = time.monotonic() - (float(self.times[self._index]) if self.times.size else 0.0)
        self._wake.set()

    def _run(self) -> None:
        last_status = 0.0
        while not self._stop.is_set():
            with self._lock:
                start, playing = self._index, self._playing
                show_one, self._show_one = self._show_one, False
                head = time.monotonic() - self._origin if playing else None
            stop = start
            if head is not None:  # playing
                stop = min(int(np.searchsorted(self.times, head, side="right")), len(self.times))
            elif show_one and start < len(self.times):
                stop = start + 1
            for first in range(start, stop, CHUNK_FRAMES):
                last = min(first + CHUNK_FRAMES, stop)
                for cells, t in zip(np.asarray(self.recording.frames[first:last]), self.times[first:last]):
                    self.feed(cells, float(t))
            with self._lock:
                if self._index == start:  # no seek meanwhile
                    self._index = stop if playing else start
                    if playing and stop >= len(self.times):
                        self._playing = False
                        self._index = max(len(self.times) - 1, 0)
                index, playing = self._index, self._playing
            now = time.monotonic()
            if now - last_status >= 0.25 or not playing:
                last_status = now
                self._status(index, playing)
            self._wake.wait(timeout=0.02 if playing else 0.25)
            self._wake.clear()

    def _status(self, index: int, playing: bool) -> None:
        at_end = index >= len(self.times) - 1
        self.feed.status(
            elapsed_s=float(self.times[index]) if self.times.size else 0.0,
            frames=index + 1 if self.times.size else 0,
            rate_hz=self.recording.rate_hz,
            dropped=self.dropped,
            rejected=self.rejected,
            state="playing" if playing else ("finished" if at_end else "paused"),
            duration_s=self.duration_s,
        )
