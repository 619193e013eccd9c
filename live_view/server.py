"""The live page's web server: aiohttp on a thread of its own, WebSockets out to browsers.

Only the page's three files (shipped in the package, no CDN) and the WebSocket are served;
nothing on disk is. Bound to loopback by default; bound anywhere else, every request must
carry the random access token printed once at start. Each browser gets every step and
status message but only the newest display frame, so a slow or closed browser costs
display frames and nothing else. See docs/live.md for the messages.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import json
import logging
import math
import secrets
import socket
import threading
from collections import deque
from dataclasses import dataclass
from importlib import resources
from typing import Awaitable, Callable

from aiohttp import WSMsgType, web

from mat_driver.errors import MatError

__all__ = ["LiveServer", "LiveViewError", "Command", "MAX_MESSAGE_BYTES", "MAX_CLIENTS"]

log = logging.getLogger(__name__)

#: A browser message longer than this closes its connection (the page sends ~30 bytes).
MAX_MESSAGE_BYTES = 1024
#: Browsers connected at once at most.
MAX_CLIENTS = 16
#: Events (steps, status) waiting for one browser at most before it is let go.
MAX_PENDING_EVENTS = 2000
STATIC_FILES = {"/": ("index.html", "text/html"), "/live.js": ("live.js", "text/javascript"), "/live.css": ("live.css", "text/css")}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


class LiveViewError(MatError):
    """The live view cannot start (port in use, bad host) or was given a bad value."""


@dataclass(frozen=True)
class Command:
    """A validated command from a page: ``play``, ``pause`` or ``seek`` to ``time_s``."""

    name: str
    time_s: float | None = None


def parse_command(text: str, duration_s: float | None) -> Command:
    """A page's message as a :class:`Command`; ``ValueError`` saying what is wrong."""
    try:
        message = json.loads(text)
    except ValueError:
        raise ValueError("not JSON") from None
    if not isinstance(message, dict) or message.get("cmd") not in ("play", "pause", "seek"):
        raise ValueError('expected {"cmd": "play" | "pause" | "seek"}')
    if message["cmd"] != "seek":
        return Command(message["cmd"])
    t = message.get("t")
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) or t < 0 or (duration_s is not None and t > duration_s):
        raise ValueError(f"seek needs a time t in s within 0..{duration_s if duration_s is not None else 'the end'}")
    return Command("seek", float(t))


class _Client:
    """One connected browser: pending events and the newest frame, sent by its own task."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.events: deque[str] = deque()
        self.frame: str | None = None
        self.wake = asyncio.Event()

    async def send_loop(self) -> None:
        try:
            while not self.ws.closed:
                await self.wake.wait()
                self.wake.clear()
                while self.events and not self.ws.closed:
                    await self.ws.send_str(self.events.popleft())
                frame, self.frame = self.frame, None
                if frame is not None and not self.ws.closed:
                    await self.ws.send_str(frame)
        except (ConnectionError, RuntimeError):  # the page went away mid-send
            pass


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LiveServer:
    """Serve the live page for a :class:`~live_view.feed.LiveFeed`.

    Parameters
    ----------
    snapshot
        Messages a newly connected page gets first (``LiveFeed.snapshot``).
    host, port
        Where to listen; port 0 picks a free one. Any host but loopback needs the token.
    on_command
        Called (on the server's thread) with each valid :class:`Command` from a page;
        ``None`` for a live recording, which has no play controls.
    duration_s
        A replay's length, to validate seeks.
    """

    def __init__(
        self,
        snapshot: Callable[[], list[str]],
        *,
        host: str = "127.0.0.1",
        port: int = 8765,
        on_command: Callable[[Command], None] | None = None,
        duration_s: float | None = None,
    ) -> None:
        self.snapshot, self.host, self.port = snapshot, host, port
        self.on_command, self.duration_s = on_command, duration_s
        self.token = None if is_loopback(host) else secrets.token_urlsafe(16)
        self._clients: set[_Client] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="mat-live-server", daemon=True)
        self._runner: web.AppRunner | None = None

    # -- lifetime ----------------------------------------------------------------------------

    def start(self) -> str:
        """Listen, and return the page's URL (with the token when one is needed).

        Raises
        ------
        LiveViewError
            When the port is in use or the host cannot be bound.
        """
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=15)
        except OSError as exc:
            self._stop_loop()
            where = f"{self.host}:{self.port}"
            if exc.errno == errno.EADDRINUSE:
                raise LiveViewError(f"live view: {where} is already in use (another `mat record --live` or `mat live`?); choose another --live-port") from None
            raise LiveViewError(f"live view: cannot listen on {where} ({exc.strerror or exc}); check --live-host") from None
        return self.url()

    def url(self, host: str | None = None) -> str:
        """The page's address for ``host`` (default: where it listens; a LAN address for 0.0.0.0)."""
        host = host or (_lan_address() if self.host in ("0.0.0.0", "::") else self.host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/" + (f"?token={self.token}" if self.token else "")

    def stop(self) -> None:
        """Close every connection and stop listening."""
        if not self._thread.is_alive():
            return
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        except (TimeoutError, asyncio.TimeoutError):
            log.warning("live view: connections did not close in time")
        self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    async def _start(self) -> None:
        app = web.Application(middlewares=[self._guard], client_max_size=MAX_MESSAGE_BYTES)
        for path in STATIC_FILES:
            app.router.add_get(path, self._static)
        app.router.add_get("/ws", self._websocket)
        app.router.add_get("/favicon.ico", self._no_icon)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        # asyncio sets SO_REUSEADDR on Unix: a port left in TIME_WAIT by the last recording is
        # free at once, while one that another server listens on still is not
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await self._runner.cleanup()
            raise
        self.port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        await asyncio.sleep(0.2)  # let the last status and steps go out
        for client in list(self._clients):
            await client.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- publishing (any thread) ----------------------------------------------------------

    def publish(self, kind: str, text: str) -> None:
        """Send a message to every page: ``kind`` ``"frame"`` (newest only) or ``"event"``."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._deliver, kind, text)

    def _deliver(self, kind: str, text: str) -> None:
        for client in list(self._clients):
            if kind == "frame":
                client.frame = text
            elif len(client.events) < MAX_PENDING_EVENTS:
                client.events.append(text)
            else:
                log.warning("live view: a page stopped reading; disconnecting it")
                self._clients.discard(client)
                asyncio.ensure_future(client.ws.close())
                continue
            client.wake.set()

    # -- requests ------------------------------------------------------------------------

    @web.middleware
    async def _guard(self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        if self.token is not None and not secrets.compare_digest(request.query.get("token", ""), self.token):
            return web.Response(status=403, text="live view: missing or wrong access token; use the address printed by mat\n")
        response = await handler(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    async def _static(self, request: web.Request) -> web.Response:
        name, content_type = STATIC_FILES[request.path]
        body = resources.files("live_view").joinpath("static").joinpath(name).read_bytes()
        return web.Response(body=body, content_type=content_type, charset="utf-8")

    async def _no_icon(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin is not None and origin not in (f"http://{request.host}", f"https://{request.host}"):
            return web.Response(status=403, text="live view: connections from other sites are refused\n")
        if len(self._clients) >= MAX_CLIENTS:
            return web.Response(status=503, text=f"live view: {MAX_CLIENTS} pages are open already\n")
        ws = web.WebSocketResponse(max_msg_size=MAX_MESSAGE_BYTES, heartbeat=10.0)
        await ws.prepare(request)
        client = _Client(ws)
        client.events.extend(self.snapshot())
        client.wake.set()
        self._clients.add(client)
        sender = asyncio.ensure_future(client.send_loop())
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._command(client, message.data)
                elif message.type in (WSMsgType.BINARY,):
                    self._reply_error(client, "binary messages are not accepted")
        finally:
            self._clients.discard(client)
            sender.cancel()
        return ws

    def _command(self, client: _Client, text: str) -> None:
        if self.on_command is None:
            self._reply_error(client, "this is a live recording: it has no play controls")
            return
        try:
            command = parse_command(text, self.duration_s)
        except ValueError as exc:
            self._reply_error(client, f"rejected message: {exc}")
            return
        self.on_command(command)

    def _reply_error(self, client: _Client, message: str) -> None:
        client.events.append(json.dumps({"type": "error", "message": message}))
        client.wake.set()


def _lan_address() -> str:
    """This machine's address on its network, for the URL a tablet types (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            return socket.gethostname()
