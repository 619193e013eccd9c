"""A live page: the feed and its server, started and stopped together."""

from __future__ import annotations

import os
import sys
import webbrowser
from typing import Callable, Sequence

from live_view.feed import FrameSink, LiveFeed, LiveSession
from live_view.server import Command, LiveServer
from live_view.steps import StepSource

__all__ = ["LiveView"]


class LiveView:
    """Serve ``session`` on ``host:port``; frames go in through :attr:`feed`.

    Use as a context manager: entering starts the server (raising
    :class:`~live_view.server.LiveViewError` at once if the port is taken) and the
    feed; leaving publishes what is left and closes both. With ``serve=False`` there is
    no page, only the feed and its sinks (``mat record --lsl`` without ``--live``).
    """

    def __init__(
        self,
        session: LiveSession,
        steps: StepSource,
        *,
        host: str = "127.0.0.1",
        port: int = 8765,
        sinks: Sequence[FrameSink] = (),
        on_command: Callable[[Command], None] | None = None,
        serve: bool = True,
    ) -> None:
        self.server = LiveServer(self._snapshot, host=host, port=port, on_command=on_command, duration_s=session.duration_s) if serve else None
        self.feed = LiveFeed(session, steps, self.server.publish if self.server else _nowhere, sinks=sinks)

    def _snapshot(self) -> list[str]:
        return self.feed.snapshot()

    @property
    def url(self) -> str:
        """The page's address (with the access token when one is needed)."""
        assert self.server is not None, "a view made with serve=False has no page"
        return self.server.url()

    def open_browser(self) -> bool:
        """Open the page in the default browser, on this machine's loopback address.

        False when there is no graphical browser to open: on Linux without a display,
        :mod:`webbrowser` would start a text browser in the recording's terminal.
        """
        if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return False
        assert self.server is not None, "a view made with serve=False has no page"
        return webbrowser.open(self.server.url("127.0.0.1" if self.server.host in ("0.0.0.0", "::") else None))

    def __enter__(self) -> "LiveView":
        if self.server is not None:
            self.server.start()
        self.feed.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.feed.close()
        if self.server is not None:
            self.server.stop()


def _nowhere(kind: str, text: str) -> None:
    """Publish to no page."""
