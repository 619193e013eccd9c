"""Record a live mat into a recording file.

A reader thread pulls bytes off the port as fast as they come, decodes them and stamps each
frame with the host clock; the calling thread writes frames to the file, detects dropped
frames and reports status. A slow file never stalls the port, and the port going away
ends (or, with ``reconnect_s``, pauses) the recording with everything written so far kept.
The running recording itself (writing, tare, consumers, status) is
:class:`~mat_driver.recorder_session.RecordingSession`.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterable

import numpy as np
import serial

from mat_driver import __version__
from mat_driver.devices import DeviceProfile
from mat_driver.errors import DeviceProfileError, PortError, ProtocolError, RecordingError
from mat_driver.frame import Frame
from mat_driver.model import Calibration, Metadata
from mat_driver.protocols import Command, get_codec, parse_info
from mat_driver.recorder_session import RecorderStatus, RecordingSession
from mat_driver.recording import RecordingWriter, check_writable
from mat_driver.transport import open_port

__all__ = ["RecordingOptions", "RecorderStatus", "RecordingSummary", "Recorder"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordingOptions:
    """What ``mat record`` was asked to do.

    ``duration_s=None`` records until stopped; ``tare_s`` averages the first seconds of an
    empty mat into the per-cell zero; ``reconnect_s`` waits that long for a lost port;
    without a first frame within ``first_frame_timeout_s`` the recording ends.
    """

    duration_s: float | None = None
    tare_s: float | None = None
    reconnect_s: float | None = None
    force: bool = False
    status_interval_s: float = 0.25
    first_frame_timeout_s: float = 5.0


@dataclass(frozen=True)
class RecordingSummary:
    """How a recording ended."""

    path: str
    frames: int
    dropped: int
    rejected: int
    duration_s: float
    reason: str
    stats: dict[str, float] = field(default_factory=dict)


class _PortReader(threading.Thread):
    """Read, decode and timestamp frames on a thread of its own."""

    def __init__(self, port: serial.SerialBase, codec, poll: bytes, rate_hz: float) -> None:
        super().__init__(name="mat-port-reader", daemon=True)
        self.port = port
        self.codec = codec
        self.poll = poll
        self.rate_hz = rate_hz
        self.frames: queue.Queue[tuple[Frame, float] | BaseException] = queue.Queue()
        self.stop = threading.Event()
        if poll:  # a polled mat answers at once: don't block past the next poll
            port.timeout = min(port.timeout or 0.05, 0.25 / rate_hz)

    def finish(self) -> None:
        """Stop reading and wait for the thread, so the port can be closed under it."""
        self.stop.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout=2.0)

    def run(self) -> None:
        next_poll = 0.0
        try:
            while not self.stop.is_set():
                if self.poll and time.monotonic() >= next_poll:
                    self.port.write(self.poll)
                    next_poll = time.monotonic() + 1.0 / self.rate_hz
                data = self.port.read(max(1, self.port.in_waiting))
                if not data:
                    continue
                now = time.monotonic()
                for frame in self.codec.feed(data):
                    self.frames.put((frame, now))
        except (serial.SerialException, OSError) as exc:
            if not self.stop.is_set():
                self.frames.put(exc)


class Recorder:
    """Record frames from a port into a file.

    Parameters
    ----------
    port
        Port path, pyserial URL, or an open pyserial object.
    profile
        Protocol, grid and port settings.
    path
        Recording file to create.
    metadata
        Subject, condition, setup, ...; device, software version and start time are filled in.
    calibration
        Raw to kPa; uncalibrated by default.
    options
        Duration, tare, reconnect, overwrite.
    consumers
        Extra callables that receive every frame, its host time and its device time (s from
        the first frame; NaN when the protocol has no clock), e.g. a live view. They are
        called after the frame is written and must return quickly; an exception in one is
        logged and that consumer is dropped.
    on_tare
        Called with the per-cell zero (counts, ``(rows, cols)``) once ``tare_s`` is over,
        so that consumers can apply it as the file does.
    """

    def __init__(
        self,
        port: str | serial.SerialBase,
        profile: DeviceProfile,
        path: str,
        *,
        metadata: Metadata | None = None,
        calibration: Calibration | None = None,
        options: RecordingOptions | None = None,
        consumers: Iterable[Callable[[Frame, float, float], None]] = (),
        on_tare: Callable[[np.ndarray], None] | None = None,
    ) -> None:
        self.port_name = port if isinstance(port, str) else str(getattr(port, "port", port))
        self._port_arg = port
        self.profile = profile
        self.options = options or RecordingOptions()
        self.path = check_writable(path, force=self.options.force)
        self.metadata = metadata or Metadata()
        self.calibration = calibration or Calibration()
        self.consumers = list(consumers)
        self.on_tare = on_tare
        self.stop_requested = threading.Event()

    def _new_codec(self):
        return get_codec(
            self.profile.protocol,
            rows=self.profile.rows,
            cols=self.profile.cols,
            **self.profile.protocol_params,
        )

    def _ask_info(self, port: serial.SerialBase, codec) -> dict | None:
        """The device's own description, for protocols with an INFO command (pmat)."""
        ask = codec.encode(Command.INFO)
        if not ask:
            return None
        port.write(codec.encode(Command.STOP))
        settle = time.monotonic() + 0.1  # let a streaming mat stop, then drop what it sent
        while time.monotonic() < settle:
            port.read(max(1, port.in_waiting))
        port.reset_input_buffer()
        port.write(ask)
        deadline, received = time.monotonic() + 1.0, b""
        while time.monotonic() < deadline and not re.search(rb"\{[^\n]*\n", received):
            received += port.read(max(1, port.in_waiting))
        found = re.search(rb"\{[^\n]*\n", received)
        answer = found.group(0) if found else None
        if answer is None:
            log.info("%s: no answer to INFO; using the profile", self.port_name)
            return None
        try:
            return parse_info(answer)
        except ProtocolError as exc:
            log.warning("%s", exc)
            return None

    def _start(self, *, ask_info: bool = False) -> tuple[serial.SerialBase, "_PortReader", dict | None]:
        port = open_port(self._port_arg, baud=self.profile.baud)
        codec = self._new_codec()
        try:
            info = self._ask_info(port, codec) if ask_info else None
            if info and (info["rows"], info["cols"]) != (self.profile.rows, self.profile.cols):
                _close_quietly(port)
                raise DeviceProfileError(
                    f"{self.port_name}: the mat reports {info['rows']}x{info['cols']} cells but the profile "
                    f"{self.profile.name} has {self.profile.rows}x{self.profile.cols}; use --rows/--cols or another --device"
                )
            start = codec.encode(Command.START)
            if start:
                port.write(start)
        except (serial.SerialException, OSError) as exc:
            raise PortError(f"{self.port_name}: cannot send the start command ({exc})") from None
        poll = codec.encode(Command.POLL) if self.profile.protocol == "sensingtex" else b""
        reader = _PortReader(port, codec, poll, self.profile.rate_hz)
        reader.start()
        return port, reader, info

    def run(self, on_status: Callable[[RecorderStatus], None] | None = None) -> RecordingSummary:
        """Record until the duration is reached, :attr:`stop_requested` is set, Ctrl-C, or
        the port is lost; the file is complete in every case."""
        port, reader, info = self._start(ask_info=True)
        info = info or {}
        metadata = Metadata(
            **{
                **vars(self.metadata),
                "device_model": self.metadata.device_model or info.get("model") or self.profile.description or self.profile.name,
                "device_serial": self.metadata.device_serial or info.get("serial", ""),
                "adc_bits": self.profile.adc_bits,
                "software_version": __version__,
                "start_utc": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            }
        )
        writer = RecordingWriter(
            self.path,
            geometry=self.profile.geometry,
            rate_hz=self.profile.rate_hz,
            calibration=self.calibration,
            metadata=metadata,
            dtype=np.uint8 if self.profile.adc_bits <= 8 else np.uint16,
            force=self.options.force,
        )
        session = RecordingSession(self, writer, on_status)
        reason = "duration reached"
        failure: RecordingError | None = None
        try:
            reason = session.loop(reader)
            while reason.startswith("port lost") and self.options.reconnect_s:
                reader.finish()
                _close_quietly(port)
                session.retire_reader()
                port, reader = self._reconnect(session)
                if reader is None:
                    reason += f"; not back within {self.options.reconnect_s:g} s"
                    break
                reason = session.loop(reader)
        except KeyboardInterrupt:
            reason = "stopped with Ctrl-C"
        except RecordingError as exc:  # e.g. the disk is full: stop, keep what is safe
            failure = exc
        finally:
            if reader is not None:
                reader.finish()
            _send_stop(port, self._new_codec())
            _close_quietly(port)
            stats = session.stats()
            try:
                writer.close(stats=stats)
            except RecordingError as exc:
                failure = failure or exc
        if failure is not None:
            raise RecordingError(
                f"{failure}; recording stopped after {session.frames} frames; free some space, then run `mat repair {self.path}` so that other tools open it"
            )
        return RecordingSummary(
            path=str(self.path),
            frames=session.frames,
            dropped=session.dropped,
            rejected=int(stats["frames_rejected"]),
            duration_s=session.elapsed(),
            reason=reason,
            stats=stats,
        )

    def _reconnect(self, session: RecordingSession):
        deadline = time.monotonic() + float(self.options.reconnect_s or 0)
        session.state = "reconnecting"
        session.report(force=True)
        while time.monotonic() < deadline and not self.stop_requested.is_set():
            try:
                port, reader, _ = self._start()
            except PortError:
                self.stop_requested.wait(0.25)
                continue
            session.reconnected()
            return port, reader
        return None, None


def _close_quietly(port: serial.SerialBase | None) -> None:
    if port is None:
        return
    try:
        port.close()
    except (serial.SerialException, OSError):
        pass


def _send_stop(port: serial.SerialBase | None, codec) -> None:
    if port is None or not port.is_open:
        return
    try:
        stop = codec.encode(Command.STOP)
        if stop:
            port.write(stop)
    except (serial.SerialException, OSError):
        pass
