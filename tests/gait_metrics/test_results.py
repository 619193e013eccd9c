"""Result types: JSON, tidy tables, rows, summaries, against values known by construction."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from test_robustness import recording, walkway_steps

from gait_metrics import CURVE_NAMES, SUMMARY_METRICS, SessionResult, StepTable, analyze
from gait_metrics.summary import describe, side_summary, symmetry_index, thirds_change


@pytest.fixture(scope="module")
def result() -> SessionResult:
    return analyze(recording(walkway_steps(8)))


def test_every_metric_name_carries_a_unit(result: SessionResult) -> None:
    units = ("_s", "_ms", "_pct", "_mm", "_n", "_kpa", "_bw", "_n_s", "_m_s", "_spm", "_deg")
    unitless = {
        "step",
        "side",
        "side_name",
        "side_confident",
        "excluded",
        "exclude_reason",
        "first_frame",
        "last_frame",
        "heel_loaded",
        "well_conditioned",
        "strike_pattern",
    }
    for name in StepTable.names():
        assert name in unitless or name.endswith(units), name
    assert set(SUMMARY_METRICS) <= set(StepTable.names()) and "transition_ms" in SUMMARY_METRICS


def test_json_is_plain_and_nan_becomes_null(result: SessionResult) -> None:
    data = json.loads(result.to_json())
    assert set(data) == {"info", "summary", "symmetry_index_pct", "first_to_last_third", "reliability", "butterfly", "quality", "notices", "steps"}
    assert len(data["steps"]) == len(result.steps) == 8
    assert data["steps"][0]["step_time_ms"] is None  # the first step has no step before it
    assert data["steps"][1]["step_time_ms"] == pytest.approx(result.steps.step_time_ms[1])
    assert data["summary"]["left"]["stance_ms"]["n"] == 4
    assert data["info"]["force_unit"] == "N" and data["info"]["config"]["threshold_frac"] == 0.05


def test_tables_and_rows(result: SessionResult) -> None:
    table = result.steps_table()
    n = len(result.steps)
    assert len(table) == n and list(table[0])[:5] == ["recording", "subject_id", "condition", "step", "side"]
    assert set(table[0]) == {"recording", "subject_id", "condition", *StepTable.names()} - {"side_name"}
    assert [row["side"] for row in table[:2]] == ["left", "right"]
    assert table[3]["transition_ms"] == result.steps.transition_ms[3] and math.isnan(table[0]["step_time_ms"])
    row = result.steps[3]
    assert row.step == 3 and row.side_name == "right" and row.transition_ms == result.steps.transition_ms[3]
    assert [s.step for s in result.included(1)] == [1, 3, 5, 7]
    assert result.steps.row(2)["side"] == 0
    long = result.curves_long()
    assert len(long) == n * len(CURVE_NAMES) * 101
    k = 2 * len(CURVE_NAMES) * 101 + 101 + 50  # step 2, second curve (cop_y_mm), 50 %
    assert long[k] == {"step": 2, "side_name": "left", "curve": "cop_y_mm", "stance_pct": 50.0, "value": result.curves.cop_y_mm[2, 50]}
    frames = result.frames_table()
    assert {"time_s", "force_n", "left_force_n", "right_cop_x_mm"} <= set(frames)
    both = np.nan_to_num(frames["left_force_n"]) + np.nan_to_num(frames["right_force_n"])
    assert np.allclose(both, frames["force_n"])  # every load on the mat is one foot's


def test_per_foot_frames_add_up_to_the_mat(result: SessionResult) -> None:
    left, right, mat = result.frames_left, result.frames_right, result.frames
    assert np.allclose(left.area_cm2 + right.area_cm2, mat.area_cm2)
    assert np.allclose(np.fmax(left.peak_kpa, right.peak_kpa), mat.peak_kpa)
    both = (left.force_n > 0) & (right.force_n > 0)
    cop = (left.force_n * np.nan_to_num(left.cop_x_mm) + right.force_n * np.nan_to_num(right.cop_x_mm)) / np.where(mat.force_n > 0, mat.force_n, np.nan)
    assert both.any() and np.allclose(cop[mat.force_n > 0], mat.cop_x_mm[mat.force_n > 0])


def test_summary_symmetry_and_change_by_hand() -> None:
    d = describe(np.array([100.0, 110.0, 120.0, np.nan]))
    assert d == {"n": 3, "mean": 110.0, "sd": 10.0, "cv_pct": pytest.approx(100 * 10 / 110)}
    assert symmetry_index(120.0, 80.0) == pytest.approx(40.0) and math.isnan(symmetry_index(0.0, 0.0))
    columns = {"stance_ms": np.array([300.0, 310.0, 320.0, 330.0, 340.0, 350.0])}
    side = np.array([0, 1, 0, 1, 0, 1])
    included = np.array([True, True, True, True, True, False])
    summary = side_summary(columns, side, included)
    assert summary["left"]["stance_ms"]["mean"] == 320.0 and summary["right"]["stance_ms"]["n"] == 2
    ic = np.array([1.0, 2.0, 5.0, 6.0, 8.0, 9.0])
    change = thirds_change(columns, side, included, ic, start_s=0.0, end_s=9.0)
    assert change["all"]["stance_ms"] == pytest.approx(335.0 - 305.0)  # last third (from 6 s): 330, 340
    assert change["right"]["stance_ms"] == pytest.approx(330.0 - 310.0)  # 350 is not included
