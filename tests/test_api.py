"""The library API as a notebook uses it (docs/api.md): files in, tables and reports out, no CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from gait_metrics import SIDES, SessionResult, analyze, compare_sessions
from gait_metrics.dataframes import PANDAS_MISSING
from gait_metrics.results import json_safe
from mat_driver.recording import save_recording
from mat_sim.simulator import simulate

ROOT = Path(__file__).resolve().parents[1]


def _environment(**env: str) -> dict[str, str]:
    """This process's environment without MPLBACKEND, the repository on the path, plus ``env``."""
    environment = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"} | env
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environment.get("PYTHONPATH", "")]))
    return environment


def _docs_example() -> str:
    """The python block of docs/api.md."""
    (block,) = re.findall(r"```python\n(.*?)\n```", (ROOT / "docs" / "api.md").read_text(), re.S)
    return block


def test_the_docs_notebook_runs_and_never_imports_the_cli(tmp_path: Path) -> None:
    check = """
import json, sys
print(json.dumps({
    "rows": len(steps), "columns": list(steps.columns), "left_sides": sorted(set(left.side_name.tolist())),
    "left_excluded": int(left.excluded.sum()), "left_n": before.summary_of("left").transition_ms.n,
    "recording": before.info["recording"], "report": sorted(written), "compared": sorted(k for k in compared if not k.startswith("png:")),
    "cli_imported": sorted(m for m in sys.modules if m == "mat_cli" or m.startswith("mat_cli.")),
}))
"""
    done = subprocess.run(
        [sys.executable, "-c", _docs_example() + "\n" + check], cwd=tmp_path, env=_environment(), capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["cli_imported"] == []
    folder = tmp_path / "api-demo"
    assert out["recording"] == "api-demo/before.h5"
    truth = simulate("shuffling-runner", seed=5, duration_s=10.0).truth
    assert abs(out["rows"] - len(truth["step_side"])) <= 4 and out["columns"][:3] == ["step", "side", "side_name"]
    assert out["left_sides"] == ["left"] and out["left_excluded"] == 0 and out["left_n"] > 3
    assert out["report"] == ["html", "json"] and out["compared"] == ["json"]
    summary = json.loads((folder / "before-report" / "summary.json").read_text())
    assert summary["summary"]["left"]["transition_ms"]["n"] == out["left_n"]
    comparison = json.loads((folder / "comparison" / "comparison.json").read_text())
    transition = next(row for row in comparison["metrics"] if row["metric"] == "transition_ms")
    assert comparison["sessions"] == ["before", "after"] and transition["difference"] < -40  # the trained runner's transition is ~60 ms shorter
    assert (folder / "comparison" / "comparison-compare-force.png").exists() and not (folder / "comparison" / "comparison.pdf").exists()


def test_importing_plots_and_writing_a_report_keeps_the_matplotlib_backend(tmp_path: Path) -> None:
    script = f"""
        import matplotlib
        from mat_sim.simulator import simulate
        import gait_metrics, plots, plots.document, plots.report
        result = gait_metrics.analyze(simulate("trained-runner", seed=1, duration_s=5.0).recording())
        plots.session_report(result, {str(tmp_path)!r}, formats=["png", "pdf"])
        print(matplotlib.get_backend())
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], env=_environment(MPLBACKEND="svg"), capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1].lower() == "svg"
    assert (tmp_path / "report.pdf").stat().st_size > 0 and (tmp_path / "report-force.png").exists()


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> tuple[SessionResult, SessionResult, Path]:
    folder = tmp_path_factory.mktemp("api")
    path = save_recording(simulate("treadmill-walker", seed=3, duration_s=16.0).recording(), folder / "treadmill-walker.h5")
    return analyze(path), analyze(simulate("treadmill-walker", seed=3, duration_s=16.0).recording()), path


def test_analyze_takes_a_path_or_a_recording_and_gives_the_same_numbers(sessions) -> None:
    from_file, in_memory, path = sessions
    assert from_file.info["recording"] == str(path) and in_memory.info["recording"] == ""
    assert from_file.to_dict()["summary"] == in_memory.to_dict()["summary"]
    np.testing.assert_array_equal(from_file.steps.transition_ms, in_memory.steps.transition_ms)


def test_select_and_mask_pick_a_sides_included_steps(sessions) -> None:
    result = sessions[0]
    steps = result.steps
    for code, name in enumerate(SIDES):
        expected = [k for k, s in enumerate(steps) if s.side == code and not s.excluded]
        assert steps.rows(name, included=True).tolist() == expected == steps.rows(code, included=True).tolist()
        chosen = steps.select(name, included=True)
        assert len(chosen) == len(expected) > 3
        np.testing.assert_array_equal(chosen.transition_ms, steps.transition_ms[expected])
        assert result.summary_of(name).transition_ms.n == np.isfinite(chosen.transition_ms).sum()
    assert steps.mask(included=False).sum() + steps.mask(included=True).sum() == len(steps)


def test_typed_summary_and_quality_read_like_the_json(sessions) -> None:
    result = sessions[0]
    content = result.to_dict()
    left = result.summary.left.transition_ms
    assert left.mean == result.summary["left"]["transition_ms"]["mean"] == content["summary"]["left"]["transition_ms"]["mean"]
    assert result.summary_of(0) is result.summary.left and result.summary_of("all") is result.summary.all
    assert result.quality.steps_detected == len(result.steps) == content["quality"]["steps_detected"]
    assert list(result.quality.to_dict()) == list(content["quality"]) and result.quality["frames_dropped"] == 0
    with pytest.raises(AttributeError):
        result.summary.left.no_such_metric  # noqa: B018


def test_dataframes_of_steps_and_frames(sessions) -> None:
    result = sessions[0]
    steps, frames = result.steps.to_dataframe(), result.frames.to_dataframe()
    assert list(steps.columns) == list(result.steps.names()) and len(steps) == len(result.steps)
    np.testing.assert_array_equal(steps["transition_ms"].to_numpy(), result.steps.transition_ms)
    assert list(frames.columns) == list(result.frames.COLUMNS) and len(frames) == len(result.frames)


def test_dataframes_without_pandas_say_which_extra_to_install(sessions, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if pandas were not installed
    for table in (sessions[0].steps, sessions[0].frames):
        with pytest.raises(ImportError) as error:
            table.to_dataframe()
        assert str(error.value) == PANDAS_MISSING and "pressure-mat[pandas]" in PANDAS_MISSING


def test_json_safe_makes_every_nan_null() -> None:
    value = {"a": np.float64("nan"), "b": [1.5, float("inf")], "c": np.arange(2), "d": np.bool_(True), "e": (np.int32(3),)}
    assert json_safe(value) == {"a": None, "b": [1.5, None], "c": [0, 1], "d": True, "e": [3]}
    assert json_safe(1.23456, digits=2) == 1.23


def test_a_comparison_of_a_session_with_itself_finds_no_change(sessions) -> None:
    result = sessions[0]
    comparison = compare_sessions([result, result], ["a", "b"])
    transition = comparison.metric("transition_ms")
    assert transition.difference == 0.0 and transition.n_a == transition.n_b == result.summary.all.transition_ms.n
    assert [row.change.exceeds for row in comparison.transition_changes] == [False, False]
    assert "NaN" not in json.dumps(json_safe(comparison.to_dict()))
    with pytest.raises(ValueError):
        compare_sessions([result], ["a"])


def test_spm_clusters_go_into_the_comparison_and_its_json() -> None:
    before, after = (analyze(simulate(preset, seed=5, duration_s=10.0).recording()) for preset in ("shuffling-runner", "trained-runner"))
    comparison = compare_sessions([before, after], ["before", "after"], spm=True)
    assert set(comparison.spm) == {"force_n", "cop_x_mm"} and comparison.spm["force_n"].clusters  # the trained runner loads its forefoot sooner
    content = comparison.to_dict()["spm_clusters"]["force_n"]
    assert [(c["start_pct"], c["end_pct"], c["p_value"]) for c in content] == list(comparison.spm["force_n"].clusters)
    assert "spm_clusters" not in compare_sessions([before, after], ["before", "after"]).to_dict()
    with pytest.raises(ValueError):
        compare_sessions([before, after, before], ["a", "b", "c"], spm=True)
