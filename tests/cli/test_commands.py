"""The `mat` commands as a user runs them, including bad input."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
from click.testing import CliRunner

from gait_metrics import analyze
from mat_cli.main import cli
from mat_driver.calibration import GRAVITY_M_S2, load_calibration
from mat_driver.model import Geometry, Recording
from mat_driver.recording import open_recording, save_recording
from mat_sim.pointload import point_load
from mat_sim.simulator import add_crosstalk, simulate, truth_steps
from tests.support import PMAT_SIMULATOR_GRID, rate_tolerance_hz, wait_for

MAT = [sys.executable, "-m", "mat_cli"]


def run(*args: str, expect: int = 0):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == expect, result.output
    return result


def one_line_error(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[-1].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return lines[-1]


def test_demo_writes_before_and_after_and_can_run_again(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = run("demo", "-o", str(out), "--duration", "6")
    assert "before.h5" in result.output and "after.h5" in result.output
    with open_recording(out / "before.h5") as before, open_recording(out / "after.h5") as after:
        assert (before.metadata.condition, after.metadata.condition) == ("before", "after")
        gap = np.mean([s.transition_ms for s in truth_steps(before.truth)]) - np.mean([s.transition_ms for s in truth_steps(after.truth)])
        assert gap > 40.0  # the slow push-off shrank after training
    run("demo", "-o", str(out), "--duration", "6")  # replaces its own files
    (out / "after.h5").write_text("a user's notes")
    assert "not a demo file" in one_line_error(run("demo", "-o", str(out), expect=1))
    assert (out / "after.h5").read_text() == "a user's notes"


def test_simulate_writes_truth_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "w.h5"
    result = run("simulate", "walker", "-o", str(path), "--duration", "4", "--seed", "3", "--rows", "40", "--rate", "50")
    assert "steps" in result.output
    with open_recording(path) as rec:
        assert rec.geometry.rows == 40 and rec.rate_hz == 50 and rec.n_frames == 200
        assert rec.metadata.setup == "walkway" and "step_ic_s" in rec.truth
    assert "--force" in one_line_error(run("simulate", "walker", "-o", str(path), expect=1))
    run("simulate", "walker", "-o", str(path), "--duration", "2", "--force")
    one_line_error(run("simulate", "walker", expect=2))  # neither -o nor --serve
    one_line_error(run("simulate", "sprinter", "-o", str(tmp_path / "x.h5"), expect=2))


def test_simulate_foot_model_and_sensor_level(tmp_path: Path) -> None:
    plantar = tmp_path / "plantar.h5"
    run("simulate", "walker", "-o", str(plantar), "--duration", "4", "--seed", "3", "--foot-model", "plantar")
    with open_recording(plantar) as rec:
        expected = simulate("walker", seed=3, duration_s=4.0, foot_model="plantar").truth
        blobs = simulate("walker", seed=3, duration_s=4.0).truth
        np.testing.assert_array_equal(rec.truth["step_cop_foot_mm"], expected["step_cop_foot_mm"])
        assert not np.array_equal(rec.truth["step_cop_foot_mm"], blobs["step_cop_foot_mm"])
    bad = tmp_path / "bad.h5"
    result = run("simulate", "trained-runner", "-o", str(bad), "--duration", "6", "--sensor", "bad", "--rate", "50")
    assert "bad sensor" in result.output
    with open_recording(bad) as rec:
        assert rec.rate_hz == 50 and rec.metadata.adc_max == 1023  # --rate wins over the level, its 10-bit ADC stays
        frames = rec.raw()
        assert np.count_nonzero(np.all(frames == 0, axis=0)) >= 150  # its dead cells
        assert frames.max() == 1023
        quality = analyze(rec).quality
        assert quality.too_noisy and len(quality.dead_cells) == 150 and len(quality.stuck_cells) == 10
    with open_recording(plantar) as rec:
        assert rec.metadata.adc_max == 4095 and not analyze(rec).quality.too_noisy  # --sensor clean: the preset's own
    assert "8 bits" in one_line_error(run("simulate", "trained-runner", "--serve", "--protocol", "trailer", "--sensor", "velostat", expect=2))


def test_info_and_bad_files(tmp_path: Path) -> None:
    path = tmp_path / "r.h5"
    run("simulate", "trained-runner", "-o", str(path), "--duration", "2")
    result = run("info", str(path))
    assert "56 x 160 cells" in result.output and "200 at 100 Hz" in result.output and "kPa" in result.output
    bad = tmp_path / "notes.h5"
    bad.write_text("not a recording")
    assert f"{bad}: not an HDF5 file" in one_line_error(run("info", str(bad), expect=1))
    one_line_error(run("info", str(tmp_path / "absent.h5"), expect=2))


def test_repair_command(tmp_path: Path) -> None:
    path = tmp_path / "r.h5"
    run("simulate", "trained-runner", "-o", str(path), "--duration", "1")
    assert "complete, 100 frames" in run("repair", str(path)).output


def test_calibrate_from_a_standing_recording(tmp_path: Path) -> None:
    n, gain = 40, 0.5
    frames = np.zeros((n, 8, 8), np.uint16)
    frames[10:, 2:6, 2:6] = 200  # 16 cells of 200 counts
    standing = Recording(frames, np.arange(n) / 20.0, Geometry(8, 8, 10.0, 10.0), 20.0)
    save_recording(standing, tmp_path / "standing.h5")
    mass = 16 * 200 * gain * 100.0 / 1000.0 / GRAVITY_M_S2  # the mass that gain 0.5 kPa/count implies
    result = run("calibrate", str(tmp_path / "standing.h5"), "--mass", f"{mass:.6f}", "-o", str(tmp_path / "cal.json"))
    assert "kPa per count" in result.output
    assert load_calibration(tmp_path / "cal.json").gain_kpa == pytest.approx(gain, rel=1e-4)
    one_line_error(run("calibrate", str(tmp_path / "standing.h5"), "--mass", "70", "-o", str(tmp_path / "cal.json"), expect=1))


def test_calibrate_with_a_point_load_stores_the_crosstalk(tmp_path: Path) -> None:
    n, gain, crosstalk = 40, 0.5, 0.04
    signal = np.zeros((n, 8, 8))
    signal[10:, 2:6, 2:6] = 200.0  # 16 cells of 200 counts, read with their crosstalk
    frames = np.rint(add_crosstalk(signal, crosstalk)).astype(np.uint16)
    save_recording(Recording(frames, np.arange(n) / 20.0, Geometry(8, 8, 10.0, 10.0), 20.0), tmp_path / "standing.h5")
    mass = 16 * 200 * gain * 100.0 / 1000.0 / GRAVITY_M_S2
    save_recording(point_load(seed=2, crosstalk_frac=crosstalk).recording(), tmp_path / "coin.h5")
    args = ("calibrate", str(tmp_path / "standing.h5"), "--mass", f"{mass:.6f}", "-o", str(tmp_path / "cal.json"))
    result = run(*args, "--crosstalk", str(tmp_path / "coin.h5"))
    assert re.search(r"coin.h5: crosstalk (3.9|4.0)\d %", result.output)
    cal = load_calibration(tmp_path / "cal.json")
    assert cal.crosstalk_frac == pytest.approx(crosstalk, abs=0.002)
    assert cal.gain_kpa == pytest.approx(gain, rel=0.01)  # the signal without its crosstalk carries the weight
    save_recording(point_load(seed=2, crosstalk_frac=crosstalk, on_s=10.0).recording(), tmp_path / "empty.h5")
    assert "no point load" in one_line_error(run(*args, "--force", "--crosstalk", str(tmp_path / "empty.h5"), expect=1))


def test_devices_lists_profiles() -> None:
    result = run("devices")
    assert "velostat-rp2040" in result.output and "serial ports" in result.output


def test_record_errors_are_one_line(tmp_path: Path) -> None:
    assert "no such serial port" in one_line_error(run("record", "--port", "/dev/ttyNOPE", "--device", "pmat-64", "-o", str(tmp_path / "a.h5"), expect=1))
    assert "unknown device" in one_line_error(run("record", "--port", "loop://", "--device", "nope", "-o", str(tmp_path / "a.h5"), expect=1))
    assert "contradict" in one_line_error(
        run("record", "--port", "loop://", "--device", "pmat-64", "--overground", "--belt-speed", "2", "-o", str(tmp_path / "a.h5"), expect=2)
    )
    assert not (tmp_path / "a.h5").exists()


def short_error(result, culprit: str) -> str:
    """Assert ``result`` failed with at most 3 lines, no traceback, naming ``culprit``."""
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, OSError), result.output
    assert 1 <= len(lines) <= 3 and culprit in result.output, result.output
    return result.output


@pytest.fixture
def recording_and_a_file(tmp_path: Path) -> tuple[Path, Path]:
    """A short recording, and notes.txt: a regular file where an -o wants a folder."""
    run("simulate", "walker", "-o", str(tmp_path / "rec.h5"), "--duration", "4")
    (tmp_path / "notes.txt").write_text("a user's notes")
    return tmp_path / "rec.h5", tmp_path / "notes.txt"


@pytest.mark.parametrize("command", [["export", "--format", "csv"], ["export", "--format", "json"], ["report"], ["compare"]])
def test_an_output_below_a_file_is_one_line(recording_and_a_file: tuple[Path, Path], command: list[str]) -> None:
    recording, notes = recording_and_a_file
    inputs = [str(recording)] * (2 if command == ["compare"] else 1)
    output = short_error(CliRunner().invoke(cli, [command[0], *inputs, *command[1:], "-o", str(notes / "out")]), str(notes))
    assert "is a file, not a folder" in output
    assert notes.read_text() == "a user's notes"


def test_frames_with_nan_are_refused_with_their_count(tmp_path: Path) -> None:
    frames = np.zeros((30, 4, 6))
    frames[10:20, 1:3, 2:4] = 100.0
    frames[12, 0, 0] = np.nan
    frames[15] = np.nan  # one whole frame: 24 cells
    np.savez(tmp_path / "frames.npz", frames=frames)
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "frames.npz"), "-o", str(tmp_path / "f.h5"), "--pitch", "10", "--rate", "50"])
    assert "25 cells in 2 of 30 frames NaN" in short_error(result, "frames.npz")
    assert not (tmp_path / "f.h5").exists()
    (tmp_path / "m.csv").write_text("1,2,3,4,0,0\n1,nan,3,4,1,10000\n")
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "m.csv"), "-o", str(tmp_path / "m.h5"), "--pitch", "10"])
    assert "1 cell in 1 of 2 frames NaN" in short_error(result, "m.csv")


def test_batch_names_every_input_that_does_not_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["batch", "no_such_dir", "-o", "study.csv"])
    assert "no_such_dir: no such file or folder" in short_error(result, "no_such_dir")
    run("simulate", "walker", "-o", "rec.h5", "--duration", "4")
    result = CliRunner().invoke(cli, ["batch", "rec.h5", "gone-a", "gone-b", "-o", "study.csv"])
    assert "gone-b" in short_error(result, "gone-a")
    result = CliRunner().invoke(cli, ["batch", *(f"gone-{k}" for k in range(6)), "-o", "study.csv"])
    assert "4 more inputs that do not exist: gone-2, gone-3, gone-4, gone-5" in short_error(result, "gone-0")
    assert not (tmp_path / "study.csv").exists()


def test_record_from_the_virtual_mat_end_to_end(tmp_path: Path, virtual_mat) -> None:
    port = virtual_mat("trained-runner", "--duration", "20", "--protocol", "pmat", "--drop-every", "50")
    path = tmp_path / "live.h5"
    result = run(
        "record",
        "--port",
        port,
        *PMAT_SIMULATOR_GRID,
        "-o",
        str(path),
        "--duration",
        "2",
        "--subject",
        "S7",
        "--condition",
        "after",
        "--belt-speed",
        "2.8",
        "--body-mass",
        "70",
    )
    assert "duration reached" in result.output
    sim = simulate("trained-runner", seed=0, duration_s=20.0)
    with open_recording(path) as rec:
        assert rec.metadata.subject_id == "S7" and rec.metadata.belt_speed_m_s == 2.8
        assert rec.n_frames > 150
        np.testing.assert_array_equal(rec.raw(), sim.render(0, sim.n_frames)[rec.counter])  # bit-identical
        lost = np.arange(rec.counter[0], rec.counter[-1] + 1)
        assert rec.gaps.total_missing == np.sum((lost + 1) % 50 == 0) > 0  # every 50th frame skipped
        # the rate from the intervals, within what the arrival times allow (tight when idle)
        tolerance_hz = rate_tolerance_hz(rec.host_time_s, 100.0, len(rec.gaps))
        measured_hz = rec.stats["rate_estimated_hz"]
        assert abs(measured_hz - 100.0) <= tolerance_hz, (
            f"{measured_hz:.2f} Hz from {rec.n_frames} frames over {rec.host_time_s[-1] - rec.host_time_s[0]:.3f} s; "
            f"the arrival times allow 100 +- {tolerance_hz:.2f} Hz"
        )


def test_ctrl_c_closes_the_file_cleanly(tmp_path: Path, virtual_mat) -> None:
    port = virtual_mat("trained-runner", "--duration", "20", "--protocol", "csv")
    path = tmp_path / "c.h5"
    recorder = subprocess.Popen(
        [*MAT, "record", "--port", port, "--protocol", "csv", "--rows", "56", "--cols", "160", "-o", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def frames_on_disk() -> bool:
        try:
            with open_recording(path) as rec:
                return rec.n_frames > 20
        except Exception:  # not created yet, or caught mid-write
            return False

    wait_for(frames_on_disk, 30, "frames to reach the file")
    recorder.send_signal(signal.SIGINT)
    out, err = recorder.communicate(timeout=20)
    assert recorder.returncode == 0, err
    assert "stopped with Ctrl-C" in out and "Traceback" not in err
    with h5py.File(path, "r") as f:  # a normal, complete file
        assert f.attrs["status"] == "complete" and f["frames"].shape[0] > 20
