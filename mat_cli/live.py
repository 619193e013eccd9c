"""``mat live`` (replay a recording into the live page) and the live options of ``mat record``."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any, Callable

import click

from gait_metrics import analyze
from gait_metrics.analyze import frame_times
from live_view import Command, KnownSteps, LiveSession, LiveView, LslOutlet, Player, StreamedSteps
from mat_cli.options import existing_file
from mat_driver.recording import open_recording


class TransitionBand(click.ParamType):
    """``LOW:HIGH`` in ms, e.g. ``40:80``."""

    name = "LOW:HIGH"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[float, float]:
        if isinstance(value, tuple):
            return value
        try:
            low, high = (float(part) for part in str(value).split(":"))
        except ValueError:
            self.fail(f"{value!r} is not LOW:HIGH in ms, e.g. 40:80", param, ctx)
        if not 0 <= low < high:
            self.fail(f"{value!r}: need 0 <= LOW < HIGH (ms)", param, ctx)
        return low, high


def server_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--live-host, --live-port, --no-browser and --target-transition."""
    for option in reversed(
        (
            click.option(
                "--live-host",
                default="127.0.0.1",
                show_default=True,
                help="Address the live page listens on; anything but loopback (e.g. 0.0.0.0 for a tablet) needs the access token printed at start.",
            ),
            click.option("--live-port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port of the live page (0: any free port)."),
            click.option("--no-browser", is_flag=True, help="Print the live page's address instead of opening a browser."),
            click.option(
                "--target-transition",
                "target_ms",
                type=TransitionBand(),
                default=None,
                help="Target band of the transition time in ms (LOW:HIGH, e.g. 40:80): steps are coloured in or out of it.",
            ),
        )
    ):
        command = option(command)
    return command


def start_view(view: LiveView, no_browser: bool) -> None:
    """Print the page's address (once: it may hold the token) and open a browser."""
    click.echo(f"live view: {view.url}", err=True)
    assert view.server is not None  # view.url has checked it
    if view.server.token:
        click.echo("live view: anyone with this address sees the data; do not share it beyond the clinic", err=True)
    if not no_browser and not view.open_browser():
        click.echo("live view: no browser to open here; open the address above in one", err=True)


def live_view_for_recording(session: LiveSession, *, serve: bool, live_host: str, live_port: int, lsl: bool, lsl_name: str) -> LiveView:
    """The live view of ``mat record --live``/``--lsl``: steps from the growing recording, the page if ``serve``, LSL outlets if ``lsl``."""
    sinks = [LslOutlet(session.geometry, session.rate_hz, session.calibration, name=lsl_name, source_id=f"pressure-mat-{lsl_name}")] if lsl else []
    return LiveView(session, StreamedSteps(session), host=live_host, port=live_port, sinks=sinks, serve=serve)


@click.command()
@click.argument("recording", type=existing_file)
@server_options
@click.option("--play", is_flag=True, help="Start playing at once (default: paused at the first frame).")
def live(recording: Path, live_host: str, live_port: int, no_browser: bool, target_ms: tuple[float, float] | None, play: bool) -> None:
    """Replay a recording into the live page, with play, pause and a time slider; Ctrl-C ends.

    The step table fills in as the play head passes each toe off, with the values of
    `mat report` (the whole recording is analysed first).

    Example: mat live before.h5 --target-transition 40:80
    """
    with open_recording(recording) as rec:
        click.echo(f"{recording}: analysing {rec.n_frames} frames…", err=True)
        steps = list(analyze(rec).steps)
        times = frame_times(rec)
        duration_s = float(times[-1]) if times.size else 0.0
        session = LiveSession(
            rec.geometry,
            rec.rate_hz,
            rec.calibration,
            rec.metadata,
            mode="replay",
            title=recording.name,
            duration_s=duration_s,
            target_ms=target_ms,
        )
        view = LiveView(session, KnownSteps(steps, end_s=duration_s), host=live_host, port=live_port)
        player = Player(rec, view.feed)
        assert view.server is not None  # LiveView serves by default
        view.server.on_command = player.command
        with view:
            player.start()
            start_view(view, no_browser)
            if play:
                player.command(Command("play"))
            _wait_for_interrupt()
            player.close()
    click.echo("live view closed", err=True)


def _wait_for_interrupt() -> None:
    """Block until Ctrl-C or SIGTERM."""
    done = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)


COMMANDS = (live,)
