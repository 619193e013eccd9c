"""The recorder end to end: virtual mat -> pseudo-terminal or TCP -> Recorder -> file."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from mat_driver.devices import DeviceProfile
from mat_driver.frame import Frame
from mat_driver.model import Geometry, Recording
from mat_driver.protocols import PROTOCOLS
from mat_driver.recorder import Recorder, RecordingOptions
from mat_driver.recording import open_recording
from mat_sim.virtual_mat import PtyLink, TcpLink, VirtualMat

ROWS, COLS, RATE_HZ = 6, 10, 200.0


def source_recording(n: int = 400, seed: int = 3) -> Recording:
    """Frames every protocol can carry (0..254), with zero runs for the run-length codec."""
    rng = np.random.default_rng(seed)
    frames = rng.integers(1, 255, (n, ROWS, COLS), dtype=np.uint16)
    frames[rng.random(frames.shape) < 0.4] = 0
    return Recording(frames, np.arange(n) / RATE_HZ, Geometry(ROWS, COLS, 10.0, 10.0), RATE_HZ)


def profile(protocol: str) -> DeviceProfile:
    params = {"framing": "secure"} if protocol == "matsense" else {}
    return DeviceProfile(
        name=f"test-{protocol}",
        protocol=protocol,
        rows=ROWS,
        cols=COLS,
        pitch_row_mm=10.0,
        pitch_col_mm=10.0,
        rate_hz=RATE_HZ,
        adc_bits=8 if protocol != "pmat" else 12,
        protocol_params=params,
    )


def serve_in_background(mat: VirtualMat, link) -> threading.Thread:
    thread = threading.Thread(target=mat.serve, args=(link,), daemon=True)
    thread.start()
    return thread


@contextmanager
def served(source: Recording, protocol: str, **options):
    """A virtual mat streaming ``source`` on a fresh pty; stopped and unplugged afterwards."""
    link = PtyLink()
    mat = VirtualMat(source, protocol, **options)
    serve_in_background(mat, link)
    try:
        yield mat, link
    finally:
        mat.stop.set()
        link.close()


def match_offset(recorded: np.ndarray, source: np.ndarray) -> int:
    for offset in range(len(source)):
        if np.array_equal(recorded[0], source[offset]):
            return offset
    raise AssertionError("first recorded frame is not a source frame")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_every_protocol_records_bit_identical_frames_through_a_pty(tmp_path: Path, protocol: str) -> None:
    source = source_recording()
    with served(source, protocol, protocol_params=profile(protocol).protocol_params) as (mat, link):
        recorder = Recorder(link.path, profile(protocol), str(tmp_path / "r.h5"), options=RecordingOptions(duration_s=0.6))
        summary = recorder.run()
    assert summary.reason == "duration reached"
    with open_recording(summary.path) as rec:
        recorded = rec.raw()
        # 120 frames in 0.6 s when idle; a polled mat answers slower on a busy CPU. The
        # property is bit-identity, and 20 consecutive random frames settle it.
        assert rec.n_frames == summary.frames >= 20
        assert rec.stats["frames_rejected"] == 0
        assert rec.gaps.total_missing == 0
        offset = match_offset(recorded, source.frames)
        expected = np.take(source.frames, np.arange(offset, offset + len(recorded)) % len(source.frames), axis=0)
        np.testing.assert_array_equal(recorded, expected)
        assert np.all(np.diff(rec.host_time_s) >= 0)


def test_skipped_counters_are_counted_exactly(tmp_path: Path) -> None:
    source = source_recording()
    with served(source, "pmat", drop_every=7) as (mat, link):
        summary = Recorder(link.path, profile("pmat"), str(tmp_path / "r.h5"), options=RecordingOptions(duration_s=0.6)).run()
    with open_recording(summary.path) as rec:
        counters = rec.counter
        span = counters[-1] - counters[0] + 1
        assert rec.gaps.total_missing == span - rec.n_frames == summary.dropped > 0
        # the device skips every 7th counter value (1-based): those are exactly the gaps
        sent = np.arange(counters[0], counters[-1] + 1)
        skipped = sent[(sent + 1) % 7 == 0]
        assert rec.gaps.total_missing == len(skipped)
        np.testing.assert_array_equal(rec.counter[rec.gaps.frame_index] - 1, skipped[skipped > counters[0]])
        # frames still match the source by counter
        np.testing.assert_array_equal(rec.raw(), source.frames[counters % len(source.frames)])


def test_pulling_the_cable_keeps_the_file(tmp_path: Path) -> None:
    source = source_recording()
    link = PtyLink()
    mat = VirtualMat(source, "pmat")
    serve_in_background(mat, link)
    received = threading.Event()
    frames_seen = []

    def pull_after_some_frames(frame: Frame, host_s: float, device_s: float) -> None:
        frames_seen.append(frame.counter)
        if len(frames_seen) == 50:
            mat.stop.set()
            link.close()
            received.set()

    recorder = Recorder(link.path, profile("pmat"), str(tmp_path / "r.h5"), options=RecordingOptions(duration_s=30), consumers=[pull_after_some_frames])
    summary = recorder.run()
    assert received.is_set()
    assert summary.reason.startswith("port lost")
    with open_recording(summary.path) as rec:
        assert rec.stats["incomplete"] == 0.0
        assert rec.n_frames == summary.frames >= 50
        np.testing.assert_array_equal(rec.raw(), source.frames[rec.counter % len(source.frames)])


def test_reconnect_continues_in_the_same_file_with_the_gap_recorded(tmp_path: Path) -> None:
    source = source_recording()
    link = TcpLink()
    mat = VirtualMat(source, "pmat")
    stop_serving = threading.Event()
    cut_once = threading.Event()

    def bridge() -> None:
        while link.accept(stop_serving):
            mat.stop.clear()
            mat.serve(link)
            link.drop_connection()

    bridge_thread = threading.Thread(target=bridge, daemon=True)
    bridge_thread.start()
    seen = []

    def cut_link(frame: Frame, host_s: float, device_s: float) -> None:
        seen.append(host_s)
        if len(seen) == 40 and not cut_once.is_set():
            cut_once.set()
            mat.stop.set()  # the bridge drops the connection, then accepts again

    recorder = Recorder(link.path, profile("pmat"), str(tmp_path / "r.h5"), options=RecordingOptions(duration_s=1.0, reconnect_s=5.0), consumers=[cut_link])
    try:
        summary = recorder.run()
    finally:
        stop_serving.set()
        mat.stop.set()
        bridge_thread.join(5)
        link.close()
    assert cut_once.is_set()
    assert summary.reason == "duration reached"
    with open_recording(summary.path) as rec:
        assert rec.stats["reconnects"] == 1.0
        assert len(rec.gaps) >= 1 and rec.gaps.duration_s.max() > 0
        assert rec.n_frames > 45


def test_tare_from_the_first_seconds(tmp_path: Path) -> None:
    source = source_recording()
    source.frames[:] = 5  # an empty mat with a baseline of 5 counts
    with served(source, "pmat") as (mat, link):
        options = RecordingOptions(duration_s=0.5, tare_s=0.2)
        told = []  # what a live view is told
        summary = Recorder(link.path, profile("pmat"), str(tmp_path / "r.h5"), options=options, on_tare=told.append).run()
    with open_recording(summary.path) as rec:
        np.testing.assert_array_equal(rec.calibration.tare, np.full((ROWS, COLS), 5.0))
        assert rec.pressure().max() == 0.0
        assert len(told) == 1 and np.array_equal(told[0], rec.calibration.tare)


def test_existing_output_is_refused_before_touching_the_port(tmp_path: Path) -> None:
    from mat_driver.errors import RecordingError

    path = tmp_path / "r.h5"
    path.write_bytes(b"precious")
    with pytest.raises(RecordingError, match="--force"):
        Recorder("/dev/ttyDOES-NOT-EXIST", profile("pmat"), str(path))
    assert path.read_bytes() == b"precious"


def test_a_full_disk_stops_with_a_clear_error_and_an_intact_file(tmp_path: Path, monkeypatch) -> None:
    from mat_driver.errors import RecordingError
    from mat_driver.recording import RecordingWriter

    real_flush = RecordingWriter._flush
    calls = {"n": 0}

    def flush_until_full(self) -> None:
        calls["n"] += 1
        if calls["n"] > 2:
            raise OSError(28, "No space left on device")
        real_flush(self)

    monkeypatch.setattr(RecordingWriter, "_flush", flush_until_full)
    source = source_recording()
    path = tmp_path / "r.h5"
    with served(source, "pmat") as (mat, link):
        recorder = Recorder(link.path, profile("pmat"), str(path), options=RecordingOptions(duration_s=30))
        with pytest.raises(RecordingError, match="disk full.*recording stopped.*mat repair") as info:
            recorder.run()
    assert "\n" not in str(info.value)
    with open_recording(path) as rec:  # everything flushed before the disk filled is there
        assert rec.n_frames >= 1
        np.testing.assert_array_equal(rec.raw(), source.frames[rec.counter % len(source.frames)])


def test_pmat_info_names_the_device_and_a_wrong_profile_is_refused(tmp_path: Path) -> None:
    from mat_driver.errors import DeviceProfileError

    source = source_recording()
    source.metadata = source.metadata.__class__(device_model="PM-6x10", device_serial="SN-77")
    with served(source, "pmat") as (mat, link):
        summary = Recorder(link.path, profile("pmat"), str(tmp_path / "r.h5"), options=RecordingOptions(duration_s=0.3)).run()
        with open_recording(summary.path) as rec:
            assert (rec.metadata.device_model, rec.metadata.device_serial) == ("PM-6x10", "SN-77")
        wrong = profile("pmat").replace(rows=8)
        with pytest.raises(DeviceProfileError, match="reports 6x10 cells but the profile"):
            Recorder(link.path, wrong, str(tmp_path / "w.h5"), options=RecordingOptions(duration_s=0.3)).run()
        assert not (tmp_path / "w.h5").exists()


def test_a_mat_speaking_another_protocol_ends_with_no_frames(tmp_path: Path) -> None:
    source = source_recording()
    link = PtyLink()
    mat = VirtualMat(source, "csv")  # the profile below expects pmat
    serve_in_background(mat, link)
    try:
        # long enough for the mat's first bytes to arrive on a busy machine (at 200 frames/s
        # they come within milliseconds when idle); the test waits that long in any case
        options = RecordingOptions(duration_s=30, first_frame_timeout_s=3.0)
        summary = Recorder(link.path, profile("pmat"), str(tmp_path / "r.h5"), options=options).run()
    finally:
        mat.stop.set()
        link.close()
    assert summary.reason == "no frames in 3 s" and summary.frames == 0
    assert summary.stats["bytes_discarded"] > 0
