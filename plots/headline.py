"""Page 1's key figures: the transition per side, how robust it is, and whether it changed.

The spread and the conditioning come from the step table's robustness columns
``transition_spread_ms`` and ``well_conditioned`` (docs/metrics.md).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from gait_metrics import SIDES, MdcChange, SessionComparison, SessionResult
from gait_metrics.robustness import WELL_CONDITIONED_MS
from plots.page import Card, Headline
from plots.style import side_style

__all__ = ["REFERENCE_FOOT_FLAT_PCT", "fmt", "mean_sd", "conditioning", "session_headline", "comparison_headline"]

#: Foot-flat phase (foot flat to heel off) in % of stance: mean of 220 young adults jogging
#: barefoot at 3.3 m/s (De Cock et al. 2005, Gait Posture 21:432). No SD is given with it here.
REFERENCE_FOOT_FLAT_PCT = 25.3

_NOTE = (
    "Transition: foot flat (heel and forefoot both loaded) to heel off, mean ± SD of the included steps. "
    "Spread: how far a step's transition moves when the event threshold (4-6 %) or the region boundaries "
    f"(± half a cell) move; well conditioned: spread ≤ {WELL_CONDITIONED_MS:g} ms. MDC95: the smallest change of "
    "one step's transition beyond measurement noise, from the first against the second half of the session "
    "(SEM = √MSE, MDC95 = 1.96 √2 SEM; Weir 2005). ICC(2,1) of the same pairs: near 0 in a steady session, "
    "whose halves' steps are independent; MDC95 tells whether a change is real. Definitions: docs/metrics.md."
)


def fmt(value: float | None, digits: int = 1) -> str:
    """A number with ``digits`` decimals; "-" for None, NaN or infinity."""
    return "-" if value is None or not np.isfinite(value) else f"{value:.{digits}f}"


def mean_sd(stats: dict[str, float], unit: str = "") -> str:
    """``mean ± SD [unit]`` of a :func:`gait_metrics.describe` entry; "-" without values."""
    if not stats["n"]:
        return "-"
    return f"{fmt(stats['mean'])} ± {fmt(stats['sd'])}" + (f" {unit}" if unit else "")


def conditioning(result: SessionResult, side: int | None = None) -> tuple[int, int]:
    """(well-conditioned steps, included steps) of a side or of the session."""
    mask = result.steps.mask(side, included=True)
    return int(np.count_nonzero(result.steps.well_conditioned[mask])), int(np.count_nonzero(mask))


def _poorly_conditioned(counts: tuple[int, int]) -> bool:
    return counts[1] > 0 and 2 * counts[0] < counts[1]


def _conditioning_text(counts: tuple[int, int]) -> str:
    return f"well conditioned: {counts[0]} of {counts[1]} steps"


def _spread_text(result: SessionResult, side: int) -> str:
    values = np.asarray(result.steps.transition_spread_ms, float)[result.steps.mask(side, included=True)]
    values = values[np.isfinite(values)]
    if not values.size:
        return "spread: -"
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return f"spread: median {median:.1f} ms (IQR {q1:.1f}-{q3:.1f})"


def _reliability_lines(result: SessionResult, side: str) -> list[str]:
    r = result.reliability[side]
    if r.mdc95_ms is None:
        return [f"MDC95: n/a ({r.reason})"]
    lines = [f"MDC95 {r.mdc95_ms:.1f} ms (SEM {r.sem_ms:.1f} ms, {r.n_pairs} pairs)"]
    if r.icc is not None:
        lines.append(f"ICC(2,1) {r.icc:.2f} (95 % CI {fmt(r.icc_ci_low, 2)} to {fmt(r.icc_ci_high, 2)})")
    return lines


def _walking(result: SessionResult) -> bool | None:
    """True with double support (walking), False without (running), None if unknown."""
    values = result.steps.double_support_ms[result.steps.included]
    values = values[np.isfinite(values)]
    return bool(np.median(values) > 0) if values.size else None


def _reference_card(result: SessionResult) -> Card:
    source = "De Cock et al. 2005: 220 young adults jogging barefoot at 3.3 m/s"
    if _walking(result):
        return Card(
            "Reference",
            "none for walking",
            lines=[f"{REFERENCE_FOOT_FLAT_PCT:g} % of stance is for running ({source});", "this session has double support: walking"],
            colour="#777777",
        )
    stance = result.summary["all"]["stance_ms"]["mean"]
    lines = [f"foot flat phase (foot flat to heel off), {source}", "mean only: no SD is available to us"]
    if np.isfinite(stance):
        lines.insert(1, f"≈ {REFERENCE_FOOT_FLAT_PCT / 100 * stance:.0f} ms at this session's mean stance of {stance:.0f} ms")
    return Card("Reference (running)", f"{REFERENCE_FOOT_FLAT_PCT:g} % of stance", lines=lines, colour="#777777")


def _side_card(result: SessionResult, code: int) -> Card:
    side = SIDES[code]
    counts = conditioning(result, code)
    lines = [
        f"{mean_sd(result.summary[side]['transition_pct'], '% of stance')} ({result.summary[side]['transition_ms']['n']} steps)",
        _spread_text(result, code),
        _conditioning_text(counts),
        *_reliability_lines(result, side),
    ]
    flags = ["fewer than half its steps are well conditioned"] if _poorly_conditioned(counts) else []
    return Card(side.capitalize(), mean_sd(result.summary[side]["transition_ms"], "ms"), lines=lines, flags=flags, colour=side_style(code).colour)


def _session_flag(result: SessionResult, name: str = "this session") -> list[str]:
    counts = conditioning(result)
    if counts is None or not _poorly_conditioned(counts):
        return []
    return [
        f"! Not well conditioned: only {counts[0]} of {counts[1]} steps of {name} keep their transition within "
        f"{WELL_CONDITIONED_MS:g} ms when the threshold or the region boundaries move. Read the transition with care."
    ]


def session_headline(result: SessionResult) -> Headline:
    """Transition per side (mean ± SD in ms and % of stance), its spread and conditioning,
    MDC95, and the literature's reference beside them."""
    cards = [_side_card(result, 0), _side_card(result, 1), _reference_card(result)]
    note = _NOTE + " Reference: De Cock's foot flat starts when all metatarsal heads are loaded, ours when heel and forefoot are: ours can be longer."
    return Headline("Loading-to-propulsion transition", cards, note, _session_flag(result))


def _verdict(change: MdcChange) -> str:
    if change.exceeds is None:
        return "exceeds MDC95: n/a"
    return "exceeds MDC95: YES (real change)" if change.exceeds else "exceeds MDC95: no (within noise)"


def _change_card(results: Sequence[SessionResult], labels: Sequence[str], name: str, change: MdcChange) -> Card:
    code = SIDES.index(change.side)
    later = results[labels.index(name)]
    pct = [r.summary[change.side]["transition_pct"] for r in (results[0], later)]
    lines = [
        f"{labels[0]} {mean_sd(results[0].summary[change.side]['transition_ms'], 'ms')} → {name} {mean_sd(later.summary[change.side]['transition_ms'], 'ms')}",
        f"% of stance: {fmt(pct[0]['mean'])} → {fmt(pct[1]['mean'])}",
        f"MDC95 {fmt(change.mdc95_ms)} ms (the larger of {fmt(change.mdc95_a_ms)} and {fmt(change.mdc95_b_ms)})"
        if change.mdc95_ms is not None
        else f"MDC95: n/a ({change.reason})",
        f"{labels[0]}: {_conditioning_text(conditioning(results[0], code))}; {name}: {_conditioning_text(conditioning(later, code))}",
    ]
    value = "-" if change.change_ms is None else f"{change.change_ms:+.1f} ms"
    return Card(f"{change.side.capitalize()}: {labels[0]} → {name}", value, _verdict(change), lines, colour=side_style(code).colour)


def comparison_headline(results: Sequence[SessionResult], comparison: SessionComparison) -> Headline:
    """Per side and later session: before and after, the change, and whether it exceeds MDC95
    (``comparison.transition_changes``)."""
    labels = list(comparison.sessions)
    cards = [_change_card(results, labels, row.session_b, row.change) for row in comparison.transition_changes]
    flags = [flag for result, name in zip(results, labels) for flag in _session_flag(result, name)]
    note = (
        _NOTE + " A change counts as real when it exceeds the larger of the two sessions' MDC95 (the noisier session's): "
        "a one-step MDC95 against a change of means, so a conservative test."
    )
    return Headline("Loading-to-propulsion transition: change", cards, note, flags, per_row=2)
