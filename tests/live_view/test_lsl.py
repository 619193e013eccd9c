"""--lsl: frames and step events reach a pylsl inlet on loopback, stamped on LSL's clock."""

from __future__ import annotations

import time

import numpy as np

from gait_metrics import analyze
from live_view import LiveFeed, LiveSession, LslOutlet, StreamedSteps
from live_view.lsl import event_markers, import_pylsl
from mat_sim.simulator import simulate

pylsl = import_pylsl()  # imported the way the outlet does (quiet liblsl settings)


def inlet(source_id: str) -> pylsl.StreamInlet:
    found = pylsl.resolve_byprop("source_id", source_id, timeout=10)
    assert found, f"no LSL stream {source_id}"
    stream = pylsl.StreamInlet(found[0], max_buflen=60)
    stream.open_stream(timeout=10)
    return stream


def test_frames_and_step_events_reach_an_inlet() -> None:
    rec = simulate("trained-runner", seed=6, duration_s=4.0).recording()
    outlet = LslOutlet(rec.geometry, rec.rate_hz, rec.calibration, name="test", source_id="pm-test")
    frames_in, events_in = inlet("pm-test-frames"), inlet("pm-test-events")
    info = frames_in.info()
    assert info.channel_count() == rec.geometry.rows * rec.geometry.cols and info.type() == "Pressure"
    assert info.desc().child_value("unit") == "kPa"
    session = LiveSession(rec.geometry, rec.rate_hz, rec.calibration, rec.metadata)
    feed = LiveFeed(session, StreamedSteps(session), lambda kind, text: None, sinks=[outlet]).start()
    started = pylsl.local_clock()
    for t, cells in zip(rec.host_time_s, rec.frames):
        feed(cells, t)
    feed.close()

    samples, stamps = [], []
    deadline = time.monotonic() + 10
    while len(samples) < rec.n_frames and time.monotonic() < deadline:
        chunk, chunk_stamps = frames_in.pull_chunk(timeout=1.0, max_samples=1000)
        samples += chunk
        stamps += chunk_stamps
    assert len(samples) == rec.n_frames
    expected = rec.calibration.apply(rec.frames[-1]).ravel()
    np.testing.assert_allclose(samples[-1], expected, rtol=1e-6)
    spacing = np.diff(stamps)  # the frames' own times, moved onto LSL's clock
    np.testing.assert_allclose(spacing, np.diff(rec.host_time_s), atol=1e-6)
    assert abs(stamps[0] - started) < 1.0

    markers = []
    while True:
        sample, stamp = events_in.pull_sample(timeout=2.0)
        if sample is None:
            break
        markers.append((sample[0], stamp))
    steps = [s for s in analyze(rec).steps if np.isfinite(s.to_s) and not s.exclude_reason.startswith("cut")]
    texts = [text for text, _ in markers]
    for step in steps:
        for text, _ in event_markers(step):
            assert text in texts
    first_ic = [(stamp, text) for text, stamp in markers if text.endswith(" IC")][0]
    first_to = [(stamp, text) for text, stamp in markers if text.endswith(" TO")][0]
    assert first_ic[1][0] in "LR" and 0.15 < first_to[0] - first_ic[0] < 0.4  # a running stance, on the frames' clock
