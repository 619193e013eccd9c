"""Page 1 of the report and of the comparison, read back from the PDF's text positions:
the transition leads, and no text box overlaps another."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from gait_metrics import SessionResult, analyze, compare_sessions
from mat_sim.simulator import simulate
from plots.document import Report, Table, write_report
from plots.headline import REFERENCE_FOOT_FLAT_PCT
from plots.report import comparison_document, session_document
from tests.plots.pdf_text import TextBox, overlapping, page_text_boxes


@pytest.fixture(scope="module")
def before() -> SessionResult:
    return analyze(simulate("shuffling-runner", seed=4, duration_s=12.0).recording())


@pytest.fixture(scope="module")
def after() -> SessionResult:
    return analyze(simulate("trained-runner", seed=4, duration_s=12.0).recording())


def _pages(report: Report, folder: Path) -> list[tuple[tuple[float, ...], list[TextBox]]]:
    return page_text_boxes(write_report(report, folder, "page", ["pdf"])["pdf"])


def _assert_laid_out(pages) -> None:
    for number, (media, boxes) in enumerate(pages, start=1):
        assert not overlapping(boxes), f"page {number}: overlapping text {overlapping(boxes)[:3]}"
        for box in boxes:
            assert media[0] <= box.x0 and box.x1 <= media[2] and media[1] <= box.y0 and box.y1 <= media[3], f"page {number}: {box.text!r} off the page"


def _texts(boxes: list[TextBox]) -> list[str]:
    return [box.text for box in boxes]


def _row(boxes: list[TextBox], label: str) -> list[TextBox]:
    """The boxes on the baseline of the table row whose first cell is ``label``."""
    (first,) = [box for box in boxes if box.text == label]
    return sorted((box for box in boxes if abs(box.y0 - first.y0) < 0.01), key=lambda box: box.x0)


def test_session_page_one_leads_with_the_transition_and_nothing_overlaps(before: SessionResult, tmp_path: Path) -> None:
    pages = _pages(session_document(before), tmp_path)
    _assert_laid_out(pages)
    _, boxes = pages[0]
    texts = _texts(boxes)
    left = before.summary["left"]["transition_ms"]
    big = next(box for box in boxes if box.text == f"{left['mean']:.1f} ± {left['sd']:.1f} ms")
    summary_title = next(box for box in boxes if box.text.startswith("Summary per side"))
    loading = _row(boxes, "Loading rate (N/s)")
    assert big.y1 - big.y0 > 2 * (loading[0].y1 - loading[0].y0)  # large, and above the header and tables
    assert big.y0 > summary_title.y1 and big.y0 > next(box for box in boxes if box.text == "Subject:").y1
    assert f"{REFERENCE_FOOT_FLAT_PCT:g} % of stance" in texts
    mdc = before.reliability["right"].mdc95_ms
    assert any(t.startswith(f"MDC95 {mdc:.1f} ms") for t in texts)
    if hasattr(before.steps, "transition_spread_ms"):  # the robustness columns of issue 13 point 3
        assert any(t.startswith("spread: median ") for t in texts) and any(t.startswith("well conditioned: ") and "of" in t for t in texts)
    else:
        assert "spread: n/a (not in this analysis)" in texts and "well conditioned: n/a" in texts
    stats = before.summary["left"]["loading_rate_n_s"]
    assert len(loading) == 8 and loading[1].text == f"{stats['mean']:.1f} ± {stats['sd']:.1f}"


def test_comparison_page_one_says_whether_each_side_changed_beyond_mdc95(before: SessionResult, after: SessionResult, tmp_path: Path) -> None:
    report = comparison_document([before, after], compare_sessions([before, after], ["before", "after"]))
    pages = _pages(report, tmp_path)
    _assert_laid_out(pages)
    texts = _texts(pages[0][1])
    for side in ("left", "right"):
        change = after.summary[side]["transition_ms"]["mean"] - before.summary[side]["transition_ms"]["mean"]
        assert f"{change:+.1f} ms" in texts  # the simulated runners differ by 60 ms
    assert texts.count("exceeds MDC95: YES (real change)") == 2
    assert len(_row(pages[0][1], "Loading rate (N/s)")) == 8


def test_a_comparison_of_three_sessions_splits_its_table_and_still_fits(before: SessionResult, after: SessionResult, tmp_path: Path) -> None:
    report = comparison_document([before, after, before], compare_sessions([before, after, before], ["before", "after", "retest"]))
    pages = _pages(report, tmp_path)
    _assert_laid_out(pages)
    texts = [text for _, boxes in pages for text in _texts(boxes)]
    assert any(t.endswith("(continued)") for t in texts)
    assert texts.count("exceeds MDC95: no (within noise)") == 2  # retest = before


def test_a_table_of_very_long_cells_is_never_overlapping_and_loses_nothing(tmp_path: Path) -> None:
    cells = [[f"metric {r}"] + [f"{123456.7 * (c + 1):.1f} ± {9876.5 * (r + 1):.1f}" for c in range(11)] for r in range(40)]
    table = Table("Wide", ["Metric"] + [f"Session number {c} (raw units)" for c in range(11)], cells, note="note " * 60)
    pages = _pages(Report("Wide", [("A", "b " * 200)], tables=[table]), tmp_path)
    _assert_laid_out(pages)
    texts = [text for _, boxes in pages for text in _texts(boxes)]
    for row in cells:
        for cell in row:
            assert cell in texts


def _with_robustness(result: SessionResult, spread_ms: dict[int, float]) -> SessionResult:
    """The result with every step's transition spread set per side."""
    spread = np.array([spread_ms.get(int(side), np.nan) for side in result.steps.side])
    steps = dataclasses.replace(result.steps, transition_spread_ms=spread, well_conditioned=spread <= 10.0)
    return dataclasses.replace(result, steps=steps)


def test_the_spread_and_a_poorly_conditioned_session_are_shown(before: SessionResult, tmp_path: Path) -> None:
    one_side = session_document(_with_robustness(before, {0: 15.0, 1: 2.0})).headline
    left, right = one_side.cards[:2]
    assert "spread: median 15.0 ms (IQR 15.0-15.0)" in left.lines and left.flags
    n_right = len(before.included(1))
    assert f"well conditioned: {n_right} of {n_right} steps" in right.lines and not right.flags
    assert not one_side.flags  # half the session's steps are well conditioned
    both = session_document(_with_robustness(before, {0: 15.0, 1: 12.0}))
    assert both.headline.flags and "Not well conditioned" in both.headline.flags[0]
    pages = _pages(both, tmp_path)
    _assert_laid_out(pages)
    assert any(text.startswith("! Not well conditioned") for text in _texts(pages[0][1]))


def test_walking_gets_no_running_reference() -> None:
    walker = analyze(simulate("walker", seed=4, duration_s=24.0).recording())
    reference = session_document(walker).headline.cards[2]
    assert reference.value == "none for walking"
