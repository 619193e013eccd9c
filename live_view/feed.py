"""The live feed: frames in from the recorder (or a replay), display messages out.

The recorder's thread only appends each frame to a queue (:meth:`LiveFeed.__call__`), so the
file writer never waits on the live view. A worker thread of the feed's own takes the
queued frames about 25 times a second, turns them into pressure, force and centre of
pressure, lets the step source (:mod:`live_view.steps`) find completed steps, and publishes
JSON messages (:mod:`live_view.messages`, docs/live.md) to whoever listens: the web server, an LSL outlet. A listener that falls
behind sees fewer display frames; the recording never notices.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, Sequence

import numpy as np

from gait_metrics import AnalysisConfig, Step
from gait_metrics.cop import frame_stats
from gait_metrics.results import json_safe
from live_view.messages import frame_message, hello_message, step_row, steps_message
from live_view.steps import StepSource
from mat_driver.frame import Frame
from mat_driver.model import Calibration, Geometry, Metadata

__all__ = ["LiveFeed", "LiveSession", "FrameSink"]

log = logging.getLogger(__name__)

#: Frames queued for the worker at most; more are dropped for display (never from the file).
MAX_QUEUED_FRAMES = 4096
#: Seconds of total force shown, and of CoP trail.
FORCE_WINDOW_S = 6.0
TRAIL_S = 0.6
#: The colour scale's top is this fraction of the highest peak pressure shown in the
#: force window (so a few peak cells saturate and the rest of the foot keeps its colours).
SCALE_OF_PEAK = 0.7


@dataclass(frozen=True)
class LiveSession:
    """What the page needs to know about the recording being shown.

    ``mode`` is ``"live"`` or ``"replay"``; ``duration_s`` is the replay's length;
    ``target_ms`` the transition time band that colours the steps, or ``None``.
    """

    geometry: Geometry
    rate_hz: float
    calibration: Calibration = field(default_factory=Calibration)
    metadata: Metadata = field(default_factory=Metadata)
    mode: str = "live"
    title: str = ""
    duration_s: float | None = None
    target_ms: tuple[float, float] | None = None


class FrameSink(Protocol):
    """Something else fed from the live feed's worker (e.g. an LSL outlet)."""

    def frames(self, pressure: np.ndarray, monotonic_s: np.ndarray) -> None:
        """Pressure frames ``(n, rows, cols)`` and their arrival (``time.monotonic`` clock)."""

    def steps(self, steps: Sequence[Step], to_monotonic_s: float) -> None:
        """Steps just completed; their event times plus ``to_monotonic_s`` are on ``time.monotonic``'s clock."""


class LiveFeed:
    """Frames in, display messages out, on a worker thread of its own.

    Parameters
    ----------
    session
        Geometry, calibration, metadata and mode of what is shown.
    steps
        Where completed steps come from (:class:`StreamedSteps` when recording).
    publish
        Called on the worker thread with ``(kind, json_text)``: kind ``"frame"`` for
        display frames (a listener may skip all but the newest), ``"event"`` for
        everything else (steps, status; none may be skipped).
    sinks
        Further listeners that get every frame's pressure and every step.
    display_hz
        Display frames per second at most.
    config
        Analysis settings (the noise threshold for force and CoP).
    """

    def __init__(
        self,
        session: LiveSession,
        steps: StepSource,
        publish: Callable[[str, str], None],
        *,
        sinks: Sequence[FrameSink] = (),
        display_hz: float = 25.0,
        config: AnalysisConfig | None = None,
    ) -> None:
        self.session, self.step_source, self.publish = session, steps, publish
        self.calibration = session.calibration
        self.sinks = list(sinks)
        self.period_s = 1.0 / display_hz
        self.noise = (config or AnalysisConfig()).noise_kpa
        self.unit = "N" if session.calibration.calibrated else "raw"
        self._queue: deque[tuple[np.ndarray | None, float, float]] = deque(maxlen=MAX_QUEUED_FRAMES)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._rows: list[dict[str, Any]] = []
        self._force: deque[tuple[float, float, float]] = deque()  # time, force, peak pressure
        self._trail: deque[tuple[float, float, float]] = deque()
        self._status: dict[str, Any] = {"type": "status", "state": "waiting for frames"}
        self._frame_text: str | None = None
        self._floor = 100.0 if session.calibration.calibrated else 10.0 * max(self.noise, 1.0)
        self._to_monotonic = math.inf
        self._device_clock, self._last_device_s = True, -math.inf
        self._clock = 0.0
        self._failures = 0
        self._thread = threading.Thread(target=self._run, name="mat-live-feed", daemon=True)

    # -- producer side (any thread) ------------------------------------------------------

    def __call__(self, frame: Frame | np.ndarray, host_s: float, device_s: float = math.nan) -> None:
        """Queue one frame (raw counts) that arrived at ``host_s``; returns at once.

        Steps and the display use ``device_s`` when it is given (the clock the offline
        analysis uses), else ``host_s``; LSL stamps use the host time.
        """
        cells = frame.cells if isinstance(frame, Frame) else frame
        host_s, device_s = float(host_s), float(device_s)
        if not math.isfinite(self._to_monotonic):  # host time is monotonic time from the first frame
            self._to_monotonic = time.monotonic() - host_s
        if self._device_clock and not device_s > self._last_device_s:
            # no device clock, or it restarted (a reconnect): host time from now on, as the
            # offline analysis then uses host time for the whole recording
            first = self._last_device_s == -math.inf
            self._device_clock = first and math.isfinite(device_s)
            if not first:
                self._queue.append((None, host_s, host_s))  # tells the worker: steps start afresh
        self._last_device_s = device_s
        self._queue.append((cells, device_s if self._device_clock else host_s, host_s))

    def status(self, **values: Any) -> None:
        """New recording status (elapsed_s, frames, rate_hz, dropped, rejected, state, ...)."""
        with self._lock:
            self._status = {"type": "status", **{k: json_safe(v, digits=3) for k, v in values.items()}}
        self._wake.set()

    def set_tare(self, tare: np.ndarray) -> None:
        """Subtract the per-cell zero ``tare`` (counts) from now on, as the file will."""
        with self._lock:
            self.calibration = self.calibration.with_tare(tare)
            self.step_source.calibrate(self.calibration)

    def seek(self, time_s: float) -> None:
        """Forget the trails and steps; the next frames start at ``time_s`` (replay)."""
        with self._lock:
            self._queue.clear()
            self._force.clear()
            self._trail.clear()
            self._rows = []
            self.step_source.reset(time_s)
        self.publish("event", steps_message([], reset=True))

    # -- lifetime --------------------------------------------------------------------------

    def start(self) -> "LiveFeed":
        """Start the worker thread."""
        self._thread.start()
        return self

    def close(self) -> None:
        """Process what is queued, publish the last status, and stop the worker."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5.0)

    # -- what a newly connected page gets --------------------------------------------------

    def hello(self) -> str:
        """The first message: grid, units, mode, target band."""
        return hello_message(self.session, self.unit, FORCE_WINDOW_S)

    def snapshot(self) -> list[str]:
        """Messages that bring a (re)connected page up to date."""
        with self._lock:
            messages = [self.hello(), steps_message(list(self._rows), reset=True), json.dumps(self._status)]
            if self._frame_text is not None:
                messages.append(self._frame_text)
        return messages

    # -- the worker --------------------------------------------------------------------------

    def _run(self) -> None:
        next_display = 0.0
        unshown = False  # a newer frame than the last one published
        last_status: dict[str, Any] | None = None
        while True:
            stopping = self._stop.is_set()
            self._wake.wait(timeout=self.period_s)
            self._wake.clear()
            try:
                batch = self._take()
                if batch:
                    self._process(batch)
                rows = self._new_steps(final=stopping)
                if rows:
                    self.publish("event", steps_message(rows, reset=False))
                now = time.monotonic()
                if batch:
                    unshown = True
                if unshown and (now >= next_display or stopping):
                    next_display, unshown = now + self.period_s, False
                    self.publish("frame", self._frame_text)
                with self._lock:
                    status = self._status
                if status is not last_status:
                    last_status = status
                    self.publish("event", json.dumps(status))
            except Exception:  # the live view must never take the recording down
                self._failures += 1
                if self._failures == 1:
                    log.exception("live view: frames could not be shown (the recording goes on)")
            if stopping:
                return

    def _take(self) -> list[tuple[np.ndarray | None, float, float]]:
        batch = []
        while self._queue:  # popleft and the producer's append are atomic: no frame slips through
            batch.append(self._queue.popleft())
        return batch

    def _process(self, batch: list[tuple[np.ndarray | None, float, float]]) -> None:
        restart = next((k for k, (cells, _, _) in enumerate(batch) if cells is None), None)
        if restart is not None:  # the clock changed: what came before it, then start afresh
            if restart:
                self._process(batch[:restart])
            with self._lock:
                self._force.clear()
                self._trail.clear()
                self.step_source.reset(batch[restart][1])
            if restart + 1 < len(batch):
                self._process(batch[restart + 1 :])
            return
        raw = np.stack([cells for cells, _, _ in batch])
        times = np.array([t for _, t, _ in batch])
        hosts = np.array([host for _, _, host in batch])
        self._clock = hosts[-1] - times[-1] + self._to_monotonic  # frame clock to monotonic, now
        pressure = self.calibration.apply(raw)
        stats = frame_stats(pressure, self.session.geometry, noise_kpa=self.noise, time_s=times)
        for cells, t, _ in batch:
            self.step_source.add(cells, t)
        for sink in self.sinks:
            sink.frames(pressure, hosts + self._to_monotonic)
        latest = pressure[-1]
        with self._lock:
            for t, f, peak, x, y in zip(times, stats.force_n, stats.peak_kpa, stats.cop_x_mm, stats.cop_y_mm):
                self._force.append((float(t), float(f), float(peak)))
                if math.isfinite(x) and f > 0:
                    self._trail.append((float(t), *self._grid_position(float(x), float(y))))
            _trim(self._force, times[-1] - FORCE_WINDOW_S)
            _trim(self._trail, times[-1] - TRAIL_S)
            scale = max(self._floor, SCALE_OF_PEAK * max(peak for _, _, peak in self._force))
            self._frame_text = frame_message(times[-1], scale, latest, stats.force_n[-1], self._trail, self._force, self.period_s)

    def _grid_position(self, x_mm: float, y_mm: float) -> tuple[float, float]:
        """Mat coordinates (mm) as (column, row) in cells, 0 at the grid's corner."""
        g = self.session.geometry
        if g.walk_axis == "cols":
            return x_mm / g.pitch_col_mm, y_mm / g.pitch_row_mm
        return y_mm / g.pitch_col_mm, x_mm / g.pitch_row_mm

    def _new_steps(self, final: bool) -> list[dict[str, Any]]:
        steps = self.step_source.completed(final)
        if not steps:
            return []
        for sink in self.sinks:
            sink.steps(steps, self._clock)
        rows = [step_row(s) for s in steps]
        with self._lock:
            self._rows.extend(rows)
        return rows


def _trim(values: deque, before: float) -> None:
    while values and values[0][0] < before:
        values.popleft()
