"""The virtual mat: a simulated session streamed over a pseudo-terminal or TCP, in any protocol.

``mat simulate PRESET --serve`` opens a pseudo-terminal and prints its path; ``mat record
--port THAT_PATH`` then records it exactly as it would a real mat, at the real frame rate.
It answers the host commands of its protocol (``START``/``STOP``/``INFO`` for pmat,
``start_reading`` for the trailer mat, the ``R`` poll of the Sensingtex kit) and streams
the other protocols unasked.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import select
import socket
import threading
import time
import tty
from typing import Any, Iterator

from mat_driver.frame import Frame
from mat_driver.model import Recording
from mat_driver.protocols import Command, get_codec

__all__ = ["stream_frames", "VirtualMat", "PtyLink", "TcpLink"]

log = logging.getLogger(__name__)

_WRAP_32 = 1 << 32


def stream_frames(recording: Recording, *, loop: bool, drop_every: int | None, chunk: int = 64) -> Iterator[Frame]:
    """A recording's frames as a device would send them, with counters and device times.

    With ``drop_every`` every n-th frame is skipped but its counter consumed, as when a
    device's buffer overflows.
    """
    counter = 0
    rate_hz = recording.rate_hz
    while True:
        for start in range(0, recording.n_frames, chunk):
            for cells in recording.raw(slice(start, start + chunk)):
                counter += 1
                if drop_every and counter % drop_every == 0:
                    continue
                device_us = int(round((counter - 1) * 1e6 / rate_hz)) % _WRAP_32
                yield Frame(cells=cells, counter=(counter - 1) % _WRAP_32, device_time_us=device_us)
        if not loop or recording.n_frames == 0:
            return


class PtyLink:
    """The device end of a pseudo-terminal; :attr:`path` is the port to open."""

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)
        os.set_blocking(self.master, False)
        self.path = os.ttyname(self._slave)

    def fileno(self) -> int:
        return self.master

    def send(self, data: bytes, stop: threading.Event) -> bool:
        """Write all of ``data`` (waiting while the host is slow); False once closed."""
        view = memoryview(data)
        while view and not stop.is_set():
            try:
                written = os.write(self.master, view)
            except BlockingIOError:
                select.select([], [self.master], [], 0.05)
                continue
            except OSError:
                return False
            view = view[written:]
        return not view

    def receive(self) -> bytes:
        try:
            return os.read(self.master, 4096)
        except (BlockingIOError, InterruptedError):
            return b""
        except OSError as exc:
            if exc.errno == errno.EIO:  # no host has the port open
                return b""
            raise

    def close(self) -> None:
        """Close the device end: for the host this is the cable being pulled."""
        for fd in (self.master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass


class TcpLink:
    """A Wi-Fi serial bridge on loopback: the host opens ``socket://127.0.0.1:PORT``."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self._server = socket.create_server((host, port))
        self.port = self._server.getsockname()[1]
        self.path = f"socket://{host}:{self.port}"
        self._conn: socket.socket | None = None

    def accept(self, stop: threading.Event) -> bool:
        """Wait for the host to connect; False if stopped first."""
        while not stop.is_set():
            ready, _, _ = select.select([self._server], [], [], 0.05)
            if ready:
                self._conn, _ = self._server.accept()
                self._conn.setblocking(False)
                return True
        return False

    def fileno(self) -> int:
        return self._conn.fileno() if self._conn else self._server.fileno()

    def send(self, data: bytes, stop: threading.Event) -> bool:
        try:
            assert self._conn is not None
            self._conn.setblocking(True)
            self._conn.sendall(data)
            self._conn.setblocking(False)
            return True
        except OSError:
            return False

    def receive(self) -> bytes:
        try:
            return self._conn.recv(4096) if self._conn else b""
        except (BlockingIOError, InterruptedError):
            return b""

    def drop_connection(self) -> None:
        """Cut the current host connection (a Wi-Fi bridge losing its link)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        self.drop_connection()
        self._server.close()


class VirtualMat:
    """Stream a recording through a link in one protocol at its real frame rate.

    Parameters
    ----------
    recording
        Frames to send (a simulated session, or a real recording to replay).
    protocol
        Codec name; ``protocol_params`` go to its constructor.
    loop
        Start the session again after its last frame.
    drop_every
        Skip every n-th frame (counters show the gap) to exercise drop detection.
    speed
        1 streams at the real frame rate; larger is faster.
    """

    def __init__(
        self,
        recording: Recording,
        protocol: str,
        *,
        protocol_params: dict[str, Any] | None = None,
        loop: bool = True,
        drop_every: int | None = None,
        speed: float = 1.0,
    ) -> None:
        self.recording = recording
        g = recording.geometry
        self.codec = get_codec(protocol, rows=g.rows, cols=g.cols, **(protocol_params or {}))
        self.protocol = protocol
        self.loop = loop
        self.drop_every = drop_every
        self.speed = speed
        self.frames_sent = 0
        self.stop = threading.Event()
        self.finished = threading.Event()
        self._start = self.codec.encode(Command.START)
        self._stop = self.codec.encode(Command.STOP)  # b"" where the protocol has none
        self._info = self.codec.encode(Command.INFO)
        self._polled = protocol == "sensingtex"

    def info_line(self) -> bytes:
        """The pmat ``INFO`` answer."""
        g, m = self.recording.geometry, self.recording.metadata
        info = dict(
            model=m.device_model or "pressure-mat virtual mat",
            serial=m.device_serial or "VIRTUAL-0001",
            rows=g.rows,
            cols=g.cols,
            pitch_mm=g.pitch_row_mm,
            rate_hz=self.recording.rate_hz,
            adc_bits=m.adc_bits,
        )
        return (json.dumps(info) + "\n").encode()

    def serve(self, link: PtyLink | TcpLink) -> None:
        """Stream until the session ends (without ``loop``), :attr:`stop` is set or the link closes."""
        frames = stream_frames(self.recording, loop=self.loop, drop_every=self.drop_every)
        try:
            self._stream(link, frames)
        except (OSError, ValueError):  # the link was closed under us: the cable is out
            return
        finally:
            self.finished.set()

    def _stream(self, link: PtyLink | TcpLink, frames: Iterator[Frame]) -> None:
        streaming = not self._start and not self._polled
        polls = 0
        inbox = b""
        period = 1.0 / (self.recording.rate_hz * self.speed)
        next_time = time.monotonic()
        while not self.stop.is_set():
            readable, _, _ = select.select([link], [], [], 0.0 if streaming else 0.02)
            if readable:
                inbox += link.receive()
                inbox, streaming, polls, reply = self._commands(inbox, streaming, polls)
                if reply and not link.send(reply, self.stop):
                    return
            if not (streaming or polls):
                next_time = time.monotonic()
                continue
            delay = next_time - time.monotonic()
            if delay > 0:
                self.stop.wait(delay)
            frame = next(frames, None)
            if frame is None:
                return
            if not link.send(self.codec.encode_frame(frame), self.stop):
                return
            self.frames_sent += 1
            polls = max(polls - 1, 0)
            next_time += period

    def _commands(self, inbox: bytes, streaming: bool, polls: int) -> tuple[bytes, bool, int, bytes]:
        reply = b""
        if self._polled:
            polls += inbox.count(self.codec.encode(Command.POLL))
            return b"", streaming, polls, reply
        while b"\n" in inbox:
            line, inbox = inbox.split(b"\n", 1)
            command = line.strip()
            if self._start and command == self._start.strip():
                streaming = True
            elif command == self._stop.strip() and self._stop:
                streaming = False
            elif command == self._info.strip() and self._info and not streaming:
                reply += self.info_line()
        return inbox[-256:], streaming, polls, reply
