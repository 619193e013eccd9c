"""One recording as it runs: frames written with their gaps and tare, consumers fed, status.

:class:`~mat_driver.recorder.Recorder` (the public facade) opens the port and the file and
hands each decoded frame to the :class:`RecordingSession`, which lives across reconnects.
"""

from __future__ import annotations

import logging
import queue
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np

from mat_driver.frame import Frame
from mat_driver.gaps import GapDetector
from mat_driver.recording import RecordingWriter

if TYPE_CHECKING:
    from mat_driver.recorder import Recorder, _PortReader

__all__ = ["RecorderStatus", "RecordingSession"]

log = logging.getLogger("mat_driver.recorder")  # the recorder's log, as before the split


@dataclass(frozen=True)
class RecorderStatus:
    """A snapshot for the status line."""

    elapsed_s: float
    frames: int
    rate_hz: float
    dropped: int
    rejected: int
    load: float
    state: str


class RecordingSession:
    """State of one recording across reconnects: counts, gaps, tare, status."""

    def __init__(self, recorder: Recorder, writer: RecordingWriter, on_status: Callable[[RecorderStatus], None] | None) -> None:
        self.recorder = recorder
        self.writer = writer
        self.on_status = on_status
        self.gaps = GapDetector(recorder.profile.rate_hz)
        self.frames = 0
        self.dropped = 0
        self.rejected_before = 0
        self.discarded_before = 0
        self.reconnects = 0
        self.t0: float | None = None
        self.started = time.monotonic()
        self.last_time = 0.0
        self.last_status = 0.0
        self.last_load = 0.0
        self.state = "waiting for frames"
        self.tare_sum: np.ndarray | None = None
        self.tare_n = 0
        self.resuming = False
        self.reader: _PortReader | None = None
        self.intervals = (0, 0.0, 0.0)

    def elapsed(self) -> float:
        return 0.0 if self.t0 is None else self.last_time

    def loop(self, reader: _PortReader) -> str:
        self.reader = reader
        options = self.recorder.options
        while True:
            if self.recorder.stop_requested.is_set():
                return "stopped"
            if options.duration_s is not None and self.t0 is not None:
                if time.monotonic() - self.t0 >= options.duration_s:
                    return "duration reached"
            if self.t0 is None and time.monotonic() - self.started > options.first_frame_timeout_s:
                return f"no frames in {options.first_frame_timeout_s:g} s"
            try:
                item = reader.frames.get(timeout=0.05)
            except queue.Empty:
                self.report()
                continue
            if isinstance(item, BaseException):
                return f"port lost ({item})"
            self.handle(*item)
            self.report()

    def handle(self, frame: Frame, received: float) -> None:
        if self.t0 is None:
            self.t0 = received
            self.state = "recording"
        host = received - self.t0
        device_s, counter = self.gaps.update(frame, host)
        gaps = self.gaps.take_gaps()
        if self.resuming:
            lost = int(round((host - self.last_time) * self.recorder.profile.rate_hz)) - 1
            gaps.append((self.frames, max(lost, 0), host - self.last_time))
            self.resuming = False
        for index, missing, duration_s in gaps:
            self.writer.add_gap(index, missing, duration_s)
            self.dropped += missing
            log.info("%d frame(s) lost before frame %d", missing, index)
        if self.frames and not gaps:
            n, total, squares = self.intervals
            interval = host - self.last_time
            self.intervals = (n + 1, total + interval, squares + interval * interval)
        self.writer.append(frame.cells[None], host, counter, device_s)
        self.frames += 1
        self.last_time = host
        self.last_load = float(frame.cells.sum(dtype=np.int64))
        self.accumulate_tare(frame, host)
        for consumer in list(self.recorder.consumers):
            try:
                consumer(frame, host, device_s)
            except Exception:
                log.exception("frame consumer %r failed; dropping it", consumer)
                self.recorder.consumers.remove(consumer)

    def accumulate_tare(self, frame: Frame, host: float) -> None:
        tare_s = self.recorder.options.tare_s
        if not tare_s or self.tare_n < 0:
            return
        if host <= tare_s:
            cells = frame.cells.astype(np.float64)
            self.tare_sum = cells if self.tare_sum is None else self.tare_sum + cells
            self.tare_n += 1
        elif self.tare_n > 0:
            tare = (self.tare_sum / self.tare_n).astype(np.float32)
            self.writer.set_tare(tare)
            self.tare_n = -1
            if self.recorder.on_tare is not None:
                self.recorder.on_tare(tare)

    def retire_reader(self) -> None:
        """Keep the counts of a reader whose port was lost."""
        if self.reader is not None:
            self.rejected_before += self.reader.codec.frames_rejected
            self.discarded_before += self.reader.codec.bytes_discarded
            self.reader = None

    def reconnected(self) -> None:
        self.reconnects += 1
        self.gaps.restart()
        self.resuming = True
        self.state = "recording"

    def report(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.on_status is None or (not force and now - self.last_status < self.recorder.options.status_interval_s):
            return
        self.last_status = now
        rate = (self.frames - 1) / self.last_time if self.frames > 1 and self.last_time > 0 else 0.0
        self.on_status(
            RecorderStatus(
                elapsed_s=self.elapsed(),
                frames=self.frames,
                rate_hz=rate,
                dropped=self.dropped,
                rejected=self.rejected(),
                load=self.last_load,
                state=self.state,
            )
        )

    def rejected(self) -> int:
        return self.rejected_before + (self.reader.codec.frames_rejected if self.reader else 0)

    def stats(self) -> dict[str, float]:
        n, total, squares = self.intervals
        mean = total / n if n else 0.0
        jitter_ms = float(np.sqrt(max(squares / n - mean * mean, 0.0)) * 1000.0) if n else 0.0
        discarded = self.discarded_before + (self.reader.codec.bytes_discarded if self.reader else 0)
        return {
            "frames_received": float(self.frames),
            "frames_rejected": float(self.rejected()),
            "frames_dropped": float(self.dropped),
            "bytes_discarded": float(discarded),
            "rate_estimated_hz": 1.0 / mean if mean > 0 else 0.0,
            "rate_jitter_ms": jitter_ms,
            "reconnects": float(self.reconnects),
        }
