"""LiveFeed: display messages, steps, and a recorder that never waits for the live view."""

from __future__ import annotations

import base64
import json
import threading

import numpy as np

from gait_metrics import analyze
from live_view import KnownSteps, LiveFeed, LiveSession, StreamedSteps
from mat_driver.devices import load_profile
from mat_driver.recorder import Recorder, RecordingOptions
from mat_driver.recording import open_recording
from mat_sim.simulator import simulate
from tests.support import rate_tolerance_hz


class Collected:
    """A publish callback that keeps every message."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, dict]] = []

    def __call__(self, kind: str, text: str) -> None:
        self.messages.append((kind, json.loads(text)))

    def of(self, kind: str) -> list[dict]:
        return [m for _, m in self.messages if m["type"] == kind]


def fed(recording, steps=None) -> tuple[LiveFeed, Collected]:
    session = LiveSession(recording.geometry, recording.rate_hz, recording.calibration, recording.metadata, target_ms=(40.0, 80.0))
    out = Collected()
    feed = LiveFeed(session, steps or StreamedSteps(session), out).start()
    for t, cells in zip(recording.host_time_s, recording.frames):
        feed(cells, t)
    feed.close()
    return feed, out


def test_frames_carry_the_pressure_force_and_cop_of_the_newest_frame() -> None:
    rec = simulate("trained-runner", seed=4, duration_s=2.0).recording()
    _, out = fed(rec)
    frame = out.of("frame")[-1]
    assert frame["t"] == round(rec.host_time_s[-1], 3)
    pressure = rec.calibration.apply(rec.frames[-1])
    cells = np.frombuffer(base64.b64decode(frame["px"]), np.uint8).reshape(rec.geometry.shape)
    expected = np.clip(pressure * 255.0 / frame["scale"], 0, 255).astype(np.uint8)
    assert np.abs(cells.astype(int) - expected).max() <= 1 and cells.max() > 100
    loaded = np.where(pressure > 5.0, pressure, 0.0)  # the default noise threshold, kPa
    force_n = loaded.sum() * rec.geometry.pitch_row_mm * rec.geometry.pitch_col_mm / 1000.0
    assert abs(frame["force"] - force_n) < 0.1
    rows, cols = np.indices(rec.geometry.shape) + 0.5  # cell centres, in cells
    col, row = frame["cop"][-1]
    assert abs(col - (cols * loaded).sum() / loaded.sum()) < 0.01 and abs(row - (rows * loaded).sum() / loaded.sum()) < 0.01
    times = [t for t, _ in frame["force_trail"]]
    assert times == sorted(times) and times[-1] - times[0] > 1.5


def test_a_tare_from_the_recorder_applies_from_then_on() -> None:
    rec = simulate("trained-runner", seed=4, duration_s=1.0).recording()
    session = LiveSession(rec.geometry, rec.rate_hz, rec.calibration, rec.metadata)
    out = Collected()
    feed = LiveFeed(session, StreamedSteps(session), out).start()
    feed.set_tare(rec.calibration.tare + 40)  # a mat whose empty cells read 40 counts more
    for t, cells in zip(rec.host_time_s, rec.frames):
        feed(cells + 40, t)
    feed.close()
    expected = rec.calibration.apply(rec.frames[-1])
    expected = np.where(expected > 5.0, expected, 0.0).sum() * rec.geometry.cell_area_mm2 / 1000.0
    assert abs(out.of("frame")[-1]["force"] - expected) < 0.1


def test_every_step_row_matches_the_offline_analysis() -> None:
    rec = simulate("shuffling-runner", seed=8, duration_s=8.0).recording()
    feed, out = fed(rec)
    rows = [row for message in out.of("steps") for row in message["rows"]]
    offline = analyze(rec).steps
    included = [k for k in range(len(offline)) if offline.included[k]]
    counted = [row for row in rows if not row["excluded"]]
    assert len(counted) == len(included) > 10
    for k in included:
        row = min(counted, key=lambda r: abs(r["ic_s"] - offline.ic_s[k]))
        assert abs(row["ic_s"] - offline.ic_s[k]) < 0.005
        assert row["side"] == offline.side_name[k] and abs(row["transition_ms"] - offline.transition_ms[k]) <= 5
    snapshot = [json.loads(text) for text in feed.snapshot()]  # what a page connecting now gets
    assert [m["type"] for m in snapshot] == ["hello", "steps", "status", "frame"]
    assert snapshot[0]["target_ms"] == [40.0, 80.0] and snapshot[1]["rows"] == rows


def test_a_device_clock_that_restarts_switches_the_steps_to_host_time(caplog) -> None:
    rec = simulate("trained-runner", seed=5, duration_s=8.0).recording()
    session = LiveSession(rec.geometry, rec.rate_hz, rec.calibration, rec.metadata)
    out = Collected()
    feed = LiveFeed(session, StreamedSteps(session), out).start()
    for t, cells in zip(rec.host_time_s, rec.frames):
        feed(cells, t, t if t < 4.0 else t - 4.0)  # a reconnect at 4 s: the mat's clock starts again
    feed.close()
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    rows = [row for message in out.of("steps") for row in message["rows"]]
    offline = analyze(rec).steps  # on the simulated device clock, within a few ms of host time here
    late = [row for row in rows if row["ic_s"] > 5.0 and not row["excluded"]]
    assert len(late) >= 5
    for row in late:  # after the switch, on the host clock, as offline
        k = int(np.argmin(np.abs(offline.ic_s - row["ic_s"])))
        assert abs(offline.ic_s[k] - row["ic_s"]) < 0.005 and abs(offline.transition_ms[k] - row["transition_ms"]) <= 5
    ics = [row["ic_s"] for row in rows]
    assert len(set(ics)) == len(ics)


def test_known_steps_come_out_at_toe_off_and_again_after_a_seek() -> None:
    rec = simulate("trained-runner", seed=2, duration_s=4.0).recording()
    steps = list(analyze(rec).steps)
    source = KnownSteps(steps)
    source.add(None, 2.0)
    first = source.completed()
    assert first and all(s.to_s <= 2.0 for s in first) and len(first) == sum(s.to_s <= 2.0 for s in steps)
    source.add(None, 2.5)
    assert all(2.0 < s.to_s <= 2.5 for s in source.completed())
    source.reset(1.0)
    assert [s.ic_s for s in source.completed()] == [s.ic_s for s in steps if s.to_s <= 1.0]


def test_a_blocked_live_view_never_holds_up_the_recording(tmp_path, virtual_mat) -> None:
    port = virtual_mat("trained-runner", "--duration", "30", "--protocol", "pmat", "--rows", "56", "--cols", "160")
    release = threading.Event()

    def stuck(kind: str, text: str) -> None:  # a page that never reads
        release.wait()

    profile = load_profile("pmat-64").replace(rows=56, cols=160)
    recorder = Recorder(port, profile, str(tmp_path / "r.h5"), options=RecordingOptions(duration_s=3.0))
    session = LiveSession(profile.geometry, profile.rate_hz, recorder.calibration)
    feed = LiveFeed(session, StreamedSteps(session), stuck).start()
    recorder.consumers.append(feed)
    summaries = []
    recording = threading.Thread(target=lambda: summaries.append(recorder.run()), daemon=True)
    recording.start()
    try:
        recording.join(timeout=60.0)  # 3 s of recording; a held-up recorder never ends (generous for a busy machine)
        held_up = recording.is_alive()
    finally:
        release.set()
        recording.join(timeout=30.0)
        feed.close()
    assert not held_up, "the recording did not end within 60 s while the live view was blocked"
    (summary,) = summaries
    assert summary.reason == "duration reached" and summary.dropped == 0
    with open_recording(summary.path) as saved:  # every frame the mat sent, in order, in a complete file
        assert saved.n_frames == summary.frames and np.all(np.diff(saved.counter) == 1)
        tolerance_hz = rate_tolerance_hz(saved.host_time_s, profile.rate_hz)
    measured_hz = summary.stats["rate_estimated_hz"]
    assert abs(measured_hz - profile.rate_hz) <= tolerance_hz, (
        f"{measured_hz:.2f} Hz from {summary.frames} frames; the arrival times allow {profile.rate_hz:g} +- {tolerance_hz:.2f} Hz"
    )
