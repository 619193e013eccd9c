"""Importers on the vendor sample files, and on broken copies of them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gait_metrics import analyze
from mat_driver.errors import RecordingError
from mat_driver.importers import import_recording
from tests.support import VENDOR_DATA

ASF, LST = VENDOR_DATA / "fscan_testL.asf", VENDOR_DATA / "emed_test.lst"


def test_tekscan_asf_values_geometry_and_times() -> None:
    rec = import_recording(ASF)
    assert rec.n_frames == 205 and rec.geometry.shape == (60, 21)
    assert rec.geometry.pitch_row_mm == rec.geometry.pitch_col_mm == 5.08 and rec.geometry.walk_axis == "rows"
    assert rec.rate_hz == pytest.approx(1 / 0.032) and rec.host_time_s[10] == pytest.approx(0.32)
    assert rec.metadata.setup == "insole" and rec.pressure_unit == "kPa"
    # "Frame 102", data line 55, value 11 of 21 is 760 kPa; the sensor is turned by 180 degrees
    assert rec.pressure(101)[60 - 55, 21 - 11] == pytest.approx(760.0)
    assert rec.pressure(99).sum() == 0.0  # "Frame 100" is all zeros (swing)
    assert "turned 180 degrees" in rec.metadata.notes


def test_emed_lst_values_and_force_column() -> None:
    rec = import_recording(LST)
    assert rec.n_frames == 106 and rec.geometry.shape == (95, 64) and rec.rate_hz == pytest.approx(100.0)
    assert rec.geometry.pitch_row_mm == 5.0 and rec.metadata.setup == "walkway"
    # the file's own Force[N] total of picture 41 (sum x 0.25 cm^2)
    force_n = rec.pressure(40).sum() * rec.geometry.cell_area_mm2 / 1000.0
    assert force_n == pytest.approx(754.38, abs=0.01)


def test_imported_files_can_be_analysed() -> None:
    insole = analyze(import_recording(ASF))
    assert len(insole.included()) >= 4
    assert all(600 < s.stance_ms < 850 for s in insole.included())  # walking stance at 31 Hz
    platform = analyze(import_recording(LST))
    assert len(platform.included()) == 1 and platform.included()[0].strike_pattern == "rearfoot"


def broken(tmp_path: Path, source: Path, edit) -> Path:
    lines = source.read_text(encoding="latin-1").splitlines()
    target = tmp_path / source.name
    target.write_text("\n".join(edit(lines)) + "\n", encoding="latin-1")
    return target


@pytest.mark.parametrize(
    "source, edit, message",
    [
        (ASF, lambda lines: lines[:200], r"fscan_testL.asf line \d+: frame has \d+ rows, expected 60, file truncated"),
        (ASF, lambda lines: lines[:40] + [lines[40].rsplit(",", 2)[0]] + lines[41:], r"fscan_testL.asf line 41: expected 21 values, got 19"),
        (ASF, lambda lines: lines[:40] + [lines[40].replace("0", "x", 1)] + lines[41:], r"line 41: non-numeric cell"),
        (ASF, lambda lines: [x for x in lines if not x.startswith("ROWS")], r"header has no ROWS"),
        (LST, lambda lines: [x.replace("Matrix", "Mtx") for x in lines], r"emed_test.lst line 1: no 'Matrix: CxR'"),
        (LST, lambda lines: lines[:25] + ["40\t0.00\tabc" + "\t0.00" * 20 + "\t0.00"] + lines[26:], r"line 26: non-numeric value"),
        (LST, lambda lines: lines[:25] + ["40\t0.00\t0.00"] + lines[26:], r"line 26: expected 22 values"),
    ],
)
def test_malformed_files_name_the_line(tmp_path: Path, source: Path, edit, message: str) -> None:
    with pytest.raises(RecordingError, match=message) as info:
        import_recording(broken(tmp_path, source, edit))
    assert "\n" not in str(info.value)


def test_numpy_and_matsense(tmp_path: Path) -> None:
    frames = np.zeros((5, 3, 4))
    frames[2, 1, 1] = 123.4
    np.save(tmp_path / "f.npy", frames)
    rec = import_recording(tmp_path / "f.npy", pitch_mm=10.0, rate_hz=50.0)
    assert rec.pressure(2)[1, 1] == pytest.approx(123.4) and rec.rate_hz == 50.0 and rec.geometry.pitch_row_mm == 10.0
    with pytest.raises(RecordingError, match="need --rate"):
        import_recording(tmp_path / "f.npy", pitch_mm=10.0)
    np.savez(tmp_path / "g.npz", other=frames)
    with pytest.raises(RecordingError, match="has no 'frames'"):
        import_recording(tmp_path / "g.npz", pitch_mm=10.0, rate_hz=50.0)
    csv = tmp_path / "m.csv"
    csv.write_text("1,2,3,4,0,1000\n5,6,7,8,1,21000\n9,9,9,9,2,41000\n")
    rec = import_recording(csv, pitch_mm=8.0)
    assert rec.geometry.shape == (2, 2) and rec.raw(1).tolist() == [[5, 6], [7, 8]]
    assert rec.rate_hz == pytest.approx(50.0) and rec.pressure_unit == "raw"
    csv.write_text("1,2,3,4,0,1000\n5,6,7,0,1\n")
    with pytest.raises(RecordingError, match="m.csv line 2: expected 6 fields, got 5"):
        import_recording(csv, pitch_mm=8.0)
    with pytest.raises(RecordingError, match="unknown import format 'bogus'"):
        import_recording(tmp_path / "f.npy", format="bogus")
    (tmp_path / "notes.docx").write_text("x")
    with pytest.raises(RecordingError, match="unknown file type '.docx'; give --format"):
        import_recording(tmp_path / "notes.docx")
