"""Reports: the content equals the metrics, every figure is drawn, bad input is plain."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib import image

from gait_metrics import analyze, compare_sessions
from mat_cli.main import cli
from mat_driver.model import Geometry, Recording
from mat_driver.recording import save_recording
from mat_sim.simulator import SENSOR_LEVELS, simulate
from plots.document import write_report
from plots.report import REPORT_METRICS, comparison_document, session_document


@pytest.fixture(scope="module")
def runner_result():
    return analyze(simulate("shuffling-runner", seed=4, duration_s=12.0).recording())


def test_summary_table_holds_the_metrics_values(runner_result) -> None:
    report = session_document(runner_result)
    (table,) = report.tables
    rows = {row[0]: row for row in table.rows}
    transition = runner_result.summary["left"]["transition_ms"]
    assert rows["Loading-to-propulsion transition (ms)"][1] == f"{transition['mean']:.1f} ± {transition['sd']:.1f}"
    assert rows["Peak force (N)"][3].startswith(f"{runner_result.summary['right']['peak_force_n']['mean']:.1f}")
    stance = runner_result.summary["all"]["stance_ms"]
    assert rows["Stance (ms)"][5] == f"{stance['mean']:.1f} ± {stance['sd']:.1f}"
    assert len(table.rows) == len(REPORT_METRICS)
    header = dict(report.header)
    assert "2.80 m/s set" in header["Setup"] and header["Condition"] == "before"
    assert {p.key for p in report.panels} == {"footprint", "force", "cop-velocity", "transition", "butterfly", "regions", "consistency"}
    assert "crosstalk" not in header["Sensor"]  # none known, none removed


def test_the_sensor_line_names_a_crosstalk_correction() -> None:
    recording = simulate("trained-runner", seed=4, duration_s=4.0, crosstalk_frac=0.03).recording()
    recording = dataclasses.replace(recording, calibration=dataclasses.replace(recording.calibration, crosstalk_frac=0.03))
    result = analyze(recording)
    sensor = dict(session_document(result).header)["Sensor"]
    assert f"crosstalk of 3.0 % removed ({result.quality.crosstalk_removed_force_pct:.1f} % of the force)" in sensor


def test_every_figure_is_written_and_not_blank(runner_result, tmp_path: Path) -> None:
    written = write_report(session_document(runner_result), tmp_path, "report")
    pngs = [p for k, p in written.items() if k.startswith("png:")]
    assert len(pngs) == 7
    for path in pngs:
        pixels = image.imread(path)
        assert pixels.std() > 0.01, f"{path.name} is blank"
    html = written["html"].read_text()
    assert html.count("data:image/png;base64,") == 7 and "http" not in html.split("<body>")[1].split("data:image")[0]
    left = runner_result.summary["left"]["transition_ms"]
    assert html.index(f'<div class="value">{left["mean"]:.1f} ± {left["sd"]:.1f} ms</div>') < html.index("<dl>")  # the headline leads
    pdf = written["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 1 + 7 // 2


def test_comparison_rows_and_warnings(runner_result) -> None:
    after = analyze(simulate("trained-runner", seed=4, duration_s=12.0).recording())
    walker = analyze(simulate("walker", seed=4, duration_s=12.0).recording())
    comparison = compare_sessions([runner_result, after], ["before", "after"])
    transition = next(r for r in comparison.to_dict()["metrics"] if r["metric"] == "transition_ms")
    assert transition["difference"] == pytest.approx(after.summary["all"]["transition_ms"]["mean"] - runner_result.summary["all"]["transition_ms"]["mean"])
    assert transition["difference"] < -40 and transition["p_value"] < 0.001
    assert transition["ci_low"] < transition["difference"] < transition["ci_high"]
    report = comparison_document([runner_result, after], comparison)
    assert not report.notices
    rows = {row[0]: row for row in report.tables[0].rows}
    assert rows["Loading-to-propulsion transition (ms)"][3] == f"{transition['difference']:.1f}"  # the table shows gait_metrics' numbers
    mixed = compare_sessions([runner_result, walker], ["run", "walk"])
    assert any("setup walkway differs" in n for n in mixed.warnings)
    assert comparison_document([runner_result, walker], mixed).notices == mixed.warnings


def test_report_and_compare_commands(tmp_path: Path) -> None:
    before, after = tmp_path / "before.h5", tmp_path / "after.h5"
    save_recording(simulate("shuffling-runner", seed=2, duration_s=12.0).recording(), before)
    save_recording(simulate("trained-runner", seed=2, duration_s=12.0).recording(), after)
    result = CliRunner().invoke(cli, ["report", str(before), "--format", "html"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "before-report"
    assert (folder / "report.html").exists() and not (folder / "report.pdf").exists()
    summary = json.loads((folder / "summary.json").read_text())
    expected = analyze(simulate("shuffling-runner", seed=2, duration_s=12.0).recording())
    assert summary["summary"]["all"]["transition_ms"]["mean"] == pytest.approx(expected.summary["all"]["transition_ms"]["mean"])
    assert summary["reliability"]["right"]["mdc95_ms"] == pytest.approx(expected.reliability["right"].mdc95_ms)
    result = CliRunner().invoke(cli, ["compare", str(before), str(after), "-o", str(tmp_path / "cmp"), "--format", "pdf"])
    assert result.exit_code == 0, result.output
    assert "transition before" in result.output and (tmp_path / "cmp" / "comparison.pdf").exists()
    # the trained runner's transition is 60 ms shorter: beyond MDC95 on both sides
    assert result.output.count("exceeds MDC95: a real change") == 2 and "  left before -> after: change -" in result.output
    changes = json.loads((tmp_path / "cmp" / "comparison.json").read_text())["transition_vs_mdc95"]
    assert [(c["side"], c["exceeds"]) for c in changes] == [("left", True), ("right", True)]
    assert changes[0]["mdc95_ms"] == max(changes[0]["mdc95_a_ms"], changes[0]["mdc95_b_ms"])
    bad = CliRunner().invoke(cli, ["report", str(before), "--format", "docx"])
    assert bad.exit_code == 2 and "choose from pdf, html, png" in bad.output


def test_a_recording_without_steps_still_gets_a_report(tmp_path: Path) -> None:
    empty = Recording(np.zeros((50, 10, 20), np.uint16), np.arange(50) / 100.0, Geometry(10, 20, 8.5, 8.5), 100.0)
    path = save_recording(empty, tmp_path / "empty.h5")
    result = CliRunner().invoke(cli, ["report", str(path), "-o", str(tmp_path / "r"), "--format", "html,png"])
    assert result.exit_code == 0, result.output
    assert "no steps detected" in result.output
    assert "no steps detected" in (tmp_path / "r" / "report.html").read_text()


def test_an_insole_recording_gets_a_report_with_all_steps(tmp_path: Path) -> None:
    from mat_driver.importers import import_recording
    from tests.support import VENDOR_DATA

    result = analyze(import_recording(VENDOR_DATA / "fscan_testL.asf"))
    (table,) = session_document(result).tables
    rows = {row[0]: row for row in table.rows}
    assert rows["Stance (ms)"][1] == "-" and rows["Stance (ms)"][5].startswith(f"{result.summary['all']['stance_ms']['mean']:.1f}")
    written = write_report(session_document(result), tmp_path, "insole", ["png"])
    assert len(written) >= 5


def test_report_of_a_non_recording_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "x.h5"
    path.write_text("hello")
    result = CliRunner().invoke(cli, ["report", str(path)])
    assert result.exit_code == 1 and result.output.strip().splitlines()[-1].startswith("Error: ") and "Traceback" not in result.output


def test_a_too_noisy_mat_is_named_in_the_report_and_its_json(tmp_path: Path) -> None:
    sim = simulate("walker", seed=2, duration_s=10.0, **SENSOR_LEVELS["bad"])
    result = analyze(sim.recording())
    report = session_document(result)
    sensor = dict(report.header)["Sensor"]
    assert f"{int(sim.dead_cells.sum())} dead, {int(sim.stuck_cells.sum())} stuck" in sensor
    assert any(n.startswith("mat too noisy") and "kPa" in n for n in report.notices)
    quality = json.loads(result.to_json())["quality"]
    assert quality["too_noisy"] and quality["dead_cells"] == np.argwhere(sim.dead_cells).tolist()
