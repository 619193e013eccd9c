"""Exports read back equal to the analysis; batch runs locally and on a Dask cluster."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import ezc3d
import numpy as np
import pytest
from click.testing import CliRunner
from scipy.io import loadmat

from exports import export_session
from exports.batch import expand_inputs, run_batch
from gait_metrics import analyze
from mat_cli.main import cli
from mat_driver.errors import RecordingError
from mat_driver.recording import save_recording
from mat_sim.simulator import simulate
from tests.support import VENDOR_DATA


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    folder = tmp_path_factory.mktemp("study")
    paths = []
    for k, preset in enumerate(("shuffling-runner", "trained-runner")):
        rec = simulate(preset, seed=k, duration_s=5.0).recording()
        paths.append(save_recording(rec, folder / f"{preset}.h5"))
    return folder, paths, analyze(simulate("shuffling-runner", seed=0, duration_s=5.0).recording())


def test_csv_tables_are_tidy_and_equal_the_results(session, tmp_path: Path) -> None:
    _, _, result = session
    written = export_session(result, tmp_path / "t", format="csv")
    assert {p.name for p in written} == {"steps.csv", "frames.csv", "curves.csv"}
    steps = list(csv.DictReader((tmp_path / "t" / "steps.csv").open()))
    assert len(steps) == len(result.steps)
    assert float(steps[3]["transition_ms"]) == pytest.approx(result.steps[3].transition_ms)
    assert steps[3]["side"] == result.steps[3].side_name and "peak_pressure_forefoot_kpa" in steps[3]
    frames = list(csv.DictReader((tmp_path / "t" / "frames.csv").open()))
    assert len(frames) == len(result.frames.time_s) and "force_n" in frames[0]
    curves = list(csv.DictReader((tmp_path / "t" / "curves.csv").open()))
    assert len(curves) == len(result.steps) * 7 * 101
    with pytest.raises(RecordingError, match="exists"):
        export_session(result, tmp_path / "t", format="csv", what=["steps"])


def test_matlab_file(session, tmp_path: Path) -> None:
    _, _, result = session
    (path,) = export_session(result, tmp_path / "s.mat", format="mat")
    content = loadmat(path, squeeze_me=True, struct_as_record=False)
    np.testing.assert_allclose(content["steps"].transition_ms, [s.transition_ms for s in result.steps])
    np.testing.assert_allclose(content["curves"].force_n, result.curves.force_n)
    assert json.loads(content["summary"])["info"]["setup"] == "treadmill"


def test_c3d_round_trip(session, tmp_path: Path) -> None:
    _, _, result = session
    (path,) = export_session(result, tmp_path / "s.c3d", format="c3d")
    c3d = ezc3d.c3d(str(path))
    analogs = c3d["data"]["analogs"][0]
    labels = list(c3d["parameters"]["ANALOG"]["LABELS"]["value"])
    np.testing.assert_allclose(analogs[labels.index("Fz")], np.nan_to_num(result.frames.force_n), rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(analogs[labels.index("Px")], np.nan_to_num(result.frames.cop_x_mm), rtol=1e-5, atol=1e-3)
    assert c3d["parameters"]["FORCE_PLATFORM"]["TYPE"]["value"][0] == 1
    events = c3d["parameters"]["EVENT"]
    times = np.array(events["TIMES"]["value"])[1]
    strikes = sorted(
        t for t, label, context in zip(times, events["LABELS"]["value"], events["CONTEXTS"]["value"]) if label == "Foot Strike" and context == "Left"
    )
    expected = sorted(s.ic_s for s in result.included(0))
    np.testing.assert_allclose(strikes, expected, atol=1e-4)


def test_batch_locally_with_a_failure(session, tmp_path: Path) -> None:
    folder, paths, _ = session
    bad = folder / "broken.h5"
    bad.write_text("not hdf5")
    result = run_batch(expand_inputs([str(folder)]), workers=2)
    assert [Path(f[0]).name for f in result.failures] == ["broken.h5"] and "not an HDF5 file" in result.failures[0][1]
    assert [Path(r["recording"]).name for r in result.sessions] == [p.name for p in paths]
    assert len(result.steps) == sum(r["steps_included"] for r in result.sessions) + sum(1 for s in result.steps if s["excluded"])
    bad.unlink()


def test_batch_on_a_dask_cluster(session) -> None:
    from distributed import LocalCluster

    _, paths, _ = session
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://", host="127.0.0.1", dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        remote = run_batch(paths, scheduler=cluster.scheduler_address)
    local = run_batch(paths)
    assert len(remote.sessions) == 2 and not remote.failures
    assert [r["transition_ms_all_mean"] for r in remote.sessions] == pytest.approx([r["transition_ms_all_mean"] for r in local.sessions])


def test_cli_import_export_batch(session, tmp_path: Path) -> None:
    folder, paths, _ = session
    runner = CliRunner()
    frames = np.zeros((30, 4, 6))
    frames[10:20, 1:3, 2:4] = 100.0
    np.save(tmp_path / "f.npy", frames)
    result = runner.invoke(cli, ["import", str(tmp_path / "f.npy"), "-o", str(tmp_path / "f.h5"), "--pitch", "10", "--rate", "50"])
    assert result.exit_code == 0 and "30 frames, 4x6 cells" in result.output, result.output
    result = runner.invoke(cli, ["import", str(tmp_path / "f.npy"), "-o", str(tmp_path / "g.h5")])
    assert result.exit_code == 1 and "need --pitch, --rate" in result.output
    result = runner.invoke(cli, ["import", str(VENDOR_DATA / "fscan_testL.asf"), "-o", str(tmp_path / "insole.h5"), "--side", "left"])
    assert result.exit_code == 0, result.output
    insole = analyze(tmp_path / "insole.h5")
    assert insole.included() and all(s.side == 0 and s.side_confident for s in insole.included())
    assert insole.summary["left"]["stance_ms"]["n"] == len(insole.included())
    result = runner.invoke(cli, ["export", str(paths[0]), "--format", "json", "-o", str(tmp_path / "s.json")])
    assert result.exit_code == 0 and json.loads((tmp_path / "s.json").read_text())["info"]["setup"] == "treadmill"
    result = runner.invoke(cli, ["batch", str(folder), "-o", str(tmp_path / "study.csv")])
    assert result.exit_code == 0, result.output
    assert len(list(csv.DictReader((tmp_path / "study-sessions.csv").open()))) == 2
    result = runner.invoke(cli, ["batch", str(tmp_path / "nothing-*.h5"), "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and f"no recordings found in {tmp_path / 'nothing-*.h5'}: give .h5 files" in result.output
    (tmp_path / "empty").mkdir()
    result = runner.invoke(cli, ["batch", str(tmp_path / "empty"), "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and f"no recordings found in {tmp_path / 'empty'}:" in result.output and "Traceback" not in result.output
