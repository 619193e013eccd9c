"""The live page: watch the mat and every step's transition time while recording.

:class:`LiveView` joins a :class:`LiveFeed` (frames in from the recorder's thread or a
:class:`Player`, display messages out, steps from the same :mod:`gait_metrics` analysis as
the report) and a :class:`LiveServer` (aiohttp, WebSockets, the page shipped in
``static/``). :class:`LslOutlet` publishes frames and step events to Lab Streaming Layer.
The protocol and its limits are in docs/live.md.
"""

from live_view.feed import LiveFeed, LiveSession
from live_view.lsl import LslOutlet
from live_view.messages import step_row
from live_view.replay import Player
from live_view.server import Command, LiveServer, LiveViewError
from live_view.steps import KnownSteps, StreamedSteps
from live_view.view import LiveView

__all__ = ["LiveView", "LiveFeed", "LiveSession", "StreamedSteps", "KnownSteps", "step_row", "Player", "LiveServer", "LiveViewError", "Command", "LslOutlet"]
