"""Recording file: round trip, lazy reading, crash safety, bad files."""

from __future__ import annotations

import dataclasses
import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mat_driver.errors import RecordingError
from mat_driver.model import FORMAT_VERSION, Calibration, Geometry, Metadata, Recording
from mat_driver.recording import RecordingWriter, open_recording, repair_recording, save_recording

GEOMETRY = Geometry(rows=4, cols=6, pitch_row_mm=8.5, pitch_col_mm=7.0, walk_axis="rows")
METADATA = Metadata(
    subject_id="S01",
    condition="before",
    setup="treadmill",
    belt_speed_m_s=2.8,
    body_mass_kg=None,
    device_model="test mat",
    device_serial="SN42",
    adc_bits=10,
    start_utc="2026-11-25T08:00:00Z",
    notes="medial calf pain, left",
)


def make_recording(n: int = 50, seed: int = 0) -> Recording:
    rng = np.random.default_rng(seed)
    return Recording(
        frames=rng.integers(0, 1024, (n, 4, 6), dtype=np.uint16),
        host_time_s=np.arange(n) / 100.0,
        counter=np.arange(n, dtype=np.int64),
        device_time_s=np.arange(n) / 100.0 + 5.0,
        geometry=GEOMETRY,
        rate_hz=100.0,
        calibration=Calibration(gain_kpa=0.5, exponent=1.1, tare=np.full((4, 6), 2.0, np.float32), calibrated=True),
        metadata=METADATA,
        stats={"frames_rejected": 3.0},
        truth={"step_ic_s": np.array([0.1, 0.4]), "step_cut": np.array([True, False])},
    )


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    original = make_recording()
    path = save_recording(original, tmp_path / "a.h5")
    with open_recording(path) as rec:
        np.testing.assert_array_equal(rec.raw(), original.frames)
        np.testing.assert_array_equal(rec.host_time_s, original.host_time_s)
        np.testing.assert_array_equal(rec.counter, original.counter)
        np.testing.assert_array_equal(rec.device_time_s, original.device_time_s)
        assert rec.geometry == GEOMETRY
        assert rec.metadata == METADATA
        assert rec.rate_hz == 100.0
        assert rec.calibration.calibrated and rec.calibration.gain_kpa == 0.5
        np.testing.assert_array_equal(rec.calibration.tare, original.calibration.tare)
        np.testing.assert_allclose(rec.pressure(slice(3, 5)), original.pressure(slice(3, 5)))
        assert rec.stats["frames_rejected"] == 3.0 and rec.stats["incomplete"] == 0.0
        np.testing.assert_array_equal(rec.truth["step_ic_s"], [0.1, 0.4])
        np.testing.assert_array_equal(rec.truth["step_cut"], [1, 0])


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(0, 40),
    rows=st.integers(1, 5),
    cols=st.integers(1, 5),
    belt=st.one_of(st.none(), st.floats(0, 6)),
    notes=st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30),
)
def test_round_trip_property(tmp_path_factory, n, rows, cols, belt, notes) -> None:
    rng = np.random.default_rng(n)
    frames = rng.integers(0, 65535, (n, rows, cols), dtype=np.uint16)
    rec = Recording(
        frames=frames,
        host_time_s=np.sort(rng.random(n)),
        geometry=Geometry(rows, cols, 5.0, 5.0),
        rate_hz=50.0,
        metadata=Metadata(belt_speed_m_s=belt, notes=notes),
    )
    path = save_recording(rec, tmp_path_factory.mktemp("p") / "r.h5")
    with open_recording(path) as back:
        np.testing.assert_array_equal(back.raw(), frames)
        np.testing.assert_array_equal(back.host_time_s, rec.host_time_s)
        assert back.metadata.belt_speed_m_s == belt
        assert back.metadata.notes == notes
        assert np.all(back.counter == -1) and np.all(np.isnan(back.device_time_s))


def test_file_is_plain_hdf5_with_documented_layout(tmp_path: Path) -> None:
    path = save_recording(make_recording(), tmp_path / "a.h5")
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == "pressure-mat recording"
        assert f.attrs["format_version"] == FORMAT_VERSION
        assert f.attrs["status"] == "complete"
        assert f["frames"].compression == "gzip" and f["frames"].chunks is not None
        assert f["geometry"].attrs["walk_axis"] == "rows"
        assert f["metadata"].attrs["subject_id"] == "S01"
        assert np.isnan(f["metadata"].attrs["body_mass_kg"])


def test_reading_is_lazy(tmp_path: Path) -> None:
    geometry = Geometry(64, 64, 8.5, 8.5)
    n = 4000  # 32 MB of frames
    path = tmp_path / "big.h5"
    with RecordingWriter(path, geometry=geometry, rate_hz=100.0) as writer:
        block = np.arange(64 * 64, dtype=np.uint16).reshape(64, 64)
        for start in range(0, n, 500):
            writer.append(np.broadcast_to(block, (500, 64, 64)), np.arange(start, start + 500) / 100)
    import tracemalloc

    tracemalloc.start()
    with open_recording(path) as rec:
        assert rec.n_frames == n
        middle = rec.raw(slice(2000, 2003))
        _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    np.testing.assert_array_equal(middle[1], block)
    assert isinstance(rec.frames, h5py.Dataset)
    assert peak < 4 * 1024 * 1024, f"opening and slicing used {peak} bytes"


def test_existing_file_is_never_overwritten_without_force(tmp_path: Path) -> None:
    path = save_recording(make_recording(), tmp_path / "a.h5")
    with pytest.raises(RecordingError, match="exists.*--force"):
        save_recording(make_recording(n=3), path)
    with open_recording(path) as rec:
        assert rec.n_frames == 50
    save_recording(make_recording(n=3), path, force=True)
    with open_recording(path) as rec:
        assert rec.n_frames == 3


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="does not exist"):
        save_recording(make_recording(), tmp_path / "nope" / "a.h5")


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda p: p.write_text("subject,force\n1,2\n"), "not an HDF5 file"),
        (lambda p: h5py.File(p, "w").close(), "not a pressure-mat recording"),
        (lambda p: p.mkdir(), "is a folder"),
    ],
)
def test_bad_files_give_one_line_errors(tmp_path: Path, make, expected) -> None:
    path = tmp_path / "bad.h5"
    make(path)
    with pytest.raises(RecordingError, match=expected) as info:
        open_recording(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="no such file"):
        open_recording(tmp_path / "absent.h5")


def test_newer_format_version_is_refused(tmp_path: Path) -> None:
    path = save_recording(make_recording(), tmp_path / "a.h5")
    with h5py.File(path, "r+") as f:
        f.attrs["format_version"] = FORMAT_VERSION + 1
    with pytest.raises(RecordingError, match="upgrade pressure-mat"):
        open_recording(path)


def test_truncated_file(tmp_path: Path) -> None:
    path = save_recording(make_recording(n=400), tmp_path / "a.h5")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(RecordingError, match="truncated") as info:
        open_recording(path)
    assert str(path) in str(info.value)


def test_damaged_layout_is_a_clear_error(tmp_path: Path) -> None:
    path = save_recording(make_recording(), tmp_path / "a.h5")
    with h5py.File(path, "r+") as f:
        del f["geometry"]
    with pytest.raises(RecordingError, match="damaged recording"):
        open_recording(path)


WRITER_SCRIPT = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from mat_driver.model import Geometry
    from mat_driver.recording import RecordingWriter

    writer = RecordingWriter(sys.argv[1], geometry=Geometry(16, 16, 8.5, 8.5), rate_hz=100.0)
    k = 0
    start = time.monotonic()
    while True:
        writer.append(np.full((1, 16, 16), k % 65536, np.uint16), k / 100.0, k)
        k += 1
        print(k, time.monotonic(), flush=True)
        time.sleep(max(0.0, start + k / 100.0 - time.monotonic()))
    """
)


def test_sigkill_mid_recording_keeps_all_frames_older_than_one_second(tmp_path: Path) -> None:
    path = tmp_path / "killed.h5"
    child = subprocess.Popen([sys.executable, "-c", WRITER_SCRIPT, str(path)], stdout=subprocess.PIPE, text=True)
    appended: list[tuple[float, int]] = []
    deadline = time.monotonic() + 60
    try:
        while not appended or appended[-1][1] < 300:
            assert time.monotonic() < deadline, "writer subprocess made no progress"
            ready, _, _ = select.select([child.stdout], [], [], 5.0)
            assert ready, "writer subprocess is silent"
            line = child.stdout.readline()
            assert line, "writer subprocess died"
            count, appended_at = line.split()
            appended.append((float(appended_at), int(count)))  # the child's monotonic clock: the system's
        killed_at = time.monotonic()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(10)
    # The writer flushes every 0.5 s while it runs, so frames older than 1 s are on disk. A
    # starved CPU stops it running: the bound grows by the longest stretch it appended nothing.
    times = [t for t, _ in appended] + [killed_at]
    stall_s = max(b - a for a, b in zip(times, times[1:]))
    bound_s = 1.0 + stall_s
    must_have = max((count for t, count in appended if t <= killed_at - bound_s), default=0)

    with pytest.raises(OSError):  # plain HDF5 readers refuse it ...
        h5py.File(path, "r").close()
    with open_recording(path) as rec:  # ... ours reads it
        assert rec.stats["incomplete"] == 1.0
        assert rec.n_frames >= must_have, (
            f"{rec.n_frames} frames on disk, but {must_have} were appended more than {bound_s:.2f} s before the kill "
            f"(1 s, plus {stall_s:.2f} s: the longest the writer went without appending, e.g. on a starved CPU)"
        )
        frames = rec.raw()
        np.testing.assert_array_equal(frames[:, 0, 0], np.arange(rec.n_frames))
        np.testing.assert_array_equal(rec.counter, np.arange(rec.n_frames))

    kept = repair_recording(path)
    assert kept == rec.n_frames
    with h5py.File(path, "r") as f:  # now any HDF5 tool opens it
        assert f.attrs["status"] == "complete"
        assert f["frames"].shape[0] == kept
    with open_recording(path) as repaired:
        assert repaired.stats["incomplete"] == 0.0 and repaired.stats["repaired"] == 1.0
        np.testing.assert_array_equal(repaired.raw()[:, 0, 0], np.arange(kept))


def test_repair_leaves_complete_file_alone(tmp_path: Path) -> None:
    path = save_recording(make_recording(), tmp_path / "a.h5")
    before = path.stat().st_mtime_ns
    assert repair_recording(path) == 50
    assert path.stat().st_mtime_ns == before


def test_writer_rejects_wrong_frame_shape(tmp_path: Path) -> None:
    with RecordingWriter(tmp_path / "a.h5", geometry=GEOMETRY, rate_hz=100.0) as writer:
        with pytest.raises(RecordingError, match="does not match"):
            writer.append(np.zeros((1, 6, 4), np.uint16), 0.0)


def test_tare_set_after_start_is_stored(tmp_path: Path) -> None:
    path = tmp_path / "a.h5"
    with RecordingWriter(path, geometry=GEOMETRY, rate_hz=100.0) as writer:
        writer.append(np.full((2, 4, 6), 7, np.uint16), [0.0, 0.01])
        writer.set_tare(np.full((4, 6), 5.0, np.float32))
    with open_recording(path) as rec:
        np.testing.assert_array_equal(rec.pressure(), np.full((2, 4, 6), 2.0))
        assert rec.pressure_unit == "raw"


def test_metadata_rejects_nul_characters_and_undecodable_text() -> None:
    with pytest.raises(RecordingError, match="notes must not contain NUL"):
        Metadata(notes="a\x00b")
    with pytest.raises(RecordingError, match="subject_id is not valid text"):
        Metadata(subject_id="S\udcff")  # what a non-UTF-8 command-line byte becomes


def test_calibration_rejects_bad_gain() -> None:
    from mat_driver.errors import CalibrationError

    with pytest.raises(CalibrationError, match="gain"):
        dataclasses.replace(Calibration(), gain_kpa=-1.0)


@pytest.mark.parametrize("fraction", [-0.01, 0.25, float("nan")])
def test_calibration_rejects_a_crosstalk_fraction_outside_0_to_a_quarter(fraction: float) -> None:
    from mat_driver.errors import CalibrationError

    with pytest.raises(CalibrationError, match=r"crosstalk fraction must be in \[0, 0.25\)"):
        Calibration(crosstalk_frac=fraction)


def test_crosstalk_fraction_round_trips_and_older_files_read_zero(tmp_path: Path) -> None:
    original = make_recording()
    original = dataclasses.replace(original, calibration=dataclasses.replace(original.calibration, crosstalk_frac=0.035))
    path = save_recording(original, tmp_path / "a.h5")
    with open_recording(path) as rec:
        assert rec.calibration.crosstalk_frac == 0.035
    with h5py.File(path, "r+") as f:  # a file written before the crosstalk was stored
        del f["calibration"].attrs["crosstalk_frac"]
    with open_recording(path) as rec:
        assert rec.calibration.crosstalk_frac == 0.0 and rec.calibration.gain_kpa == 0.5


def test_geometry_says_its_pitches_and_cells_along_and_across_the_walking_axis() -> None:
    along_rows = GEOMETRY  # 4 rows of 8.5 mm, 6 columns of 7.0 mm, walking along the rows
    assert (along_rows.pitch_along_mm, along_rows.pitch_across_mm) == (8.5, 7.0)
    assert (along_rows.cells_along, along_rows.cells_across) == (4, 6)
    along_cols = Geometry(rows=4, cols=6, pitch_row_mm=8.5, pitch_col_mm=7.0, walk_axis="cols")
    assert (along_cols.pitch_along_mm, along_cols.pitch_across_mm) == (7.0, 8.5)
    assert (along_cols.cells_along, along_cols.cells_across) == (6, 4)
