"""`mat live`'s player: play, pause and seek a finished recording into the page."""

from __future__ import annotations

from gait_metrics import analyze
from gait_metrics.analyze import frame_times
from live_view import Command, KnownSteps, LiveFeed, LiveSession, Player
from mat_sim.simulator import simulate
from tests.live_view.test_feed import Collected
from tests.support import wait_for


def paused_statuses(out: Collected) -> int:
    """How many "paused" status messages the page got so far."""
    return sum(1 for m in out.of("status") if m["state"] == "paused")


def test_play_pause_and_seek() -> None:
    rec = simulate("trained-runner", seed=3, duration_s=6.0).recording()
    steps = list(analyze(rec).steps)
    session = LiveSession(rec.geometry, rec.rate_hz, rec.calibration, rec.metadata, mode="replay", duration_s=6.0)
    out = Collected()
    end_s = float(frame_times(rec)[-1])  # the analysis' clock: the device's
    feed = LiveFeed(session, KnownSteps(steps, end_s=end_s), out).start()
    player = Player(rec, feed).start()
    try:
        wait_for(lambda: out.of("frame") and out.of("status"))
        assert out.of("frame")[-1]["t"] == 0.0 and out.of("status")[-1]["state"] == "paused"  # shows the first frame
        player.command(Command("play"))
        wait_for(lambda: out.of("frame")[-1]["t"] > 1.0)
        rows = [r for m in out.of("steps") for r in m["rows"]]
        assert rows and all(r["to_s"] <= out.of("frame")[-1]["t"] + 0.05 for r in rows)
        player.command(Command("pause"))
        # The paused player says so on every turn of its loop (about 4 a second): after one
        # more such turn the frames shown before the pause are out; two turns further on
        # (half a second of the player's own time, however busy the machine) none followed.
        paused = wait_for(lambda: paused_statuses(out) if out.of("status")[-1]["state"] == "paused" else 0, what="the pause")
        wait_for(lambda: paused_statuses(out) >= paused + 1, timeout_s=30, what="a turn of the paused player")
        paused_at = out.of("frame")[-1]["t"]
        wait_for(lambda: paused_statuses(out) >= paused + 3, timeout_s=30, what="two more turns of the paused player")
        assert out.of("frame")[-1]["t"] == paused_at and out.of("status")[-1]["state"] == "paused"
        player.command(Command("seek", 4.0))
        wait_for(lambda: abs(out.of("frame")[-1]["t"] - 4.0) < 0.02)
        since_reset = out.of("steps")[[m.get("reset") for m in out.of("steps")].index(True, 1) :]
        shown = [r["ic_s"] for m in since_reset for r in m["rows"]]
        assert shown == [round(s.ic_s, 3) for s in steps if s.to_s <= 4.0]  # the table up to the play head
        player.command(Command("play"))
        wait_for(lambda: out.of("status")[-1]["state"] == "finished")
        wait_for(lambda: out.of("frame")[-1]["t"] == round(end_s, 3))
        since_seek = out.of("steps")[[m.get("reset") for m in out.of("steps")].index(True, 1) :]
        assert [r["ic_s"] for m in since_seek for r in m["rows"]] == [round(s.ic_s, 3) for s in steps]  # the whole table by the end
    finally:
        player.close()
        feed.close()
