"""The analysis against the simulator's truth: sessions, step pairing and error tables.

Used by tests/gait_metrics/test_validation.py and by benchmarks/validate.py (run by hand).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from gait_metrics import SessionResult, analyze
from gait_metrics.phases import strike_pattern
from mat_driver.model import Recording
from mat_sim.simulator import Simulation, StepTruth, simulate, truth_steps

__all__ = ["ValidatedSession", "ErrorRow", "error_row", "format_table", "EVENTS"]

#: Events compared step by step, as StepTable columns and StepTruth fields.
EVENTS = ("ic_s", "ff_s", "ho_s", "to_s")


class ValidatedSession:
    """A simulated session, its truth, its analysis, and each included step's true step.

    Parameters
    ----------
    preset
        A name from :data:`mat_sim.simulator.PRESETS`.
    foot_model
        ``"blobs"`` or ``"plantar"``.
    seed, duration_s
        As for :func:`mat_sim.simulator.simulate`.
    **overrides
        Further :class:`~mat_sim.simulator.SimConfig` fields (e.g. sensor settings).
    """

    def __init__(self, preset: str, foot_model: str, *, seed: int, duration_s: float, **overrides: object) -> None:
        self.preset, self.foot_model, self.seed = preset, foot_model, seed
        self.sim: Simulation = simulate(preset, seed=seed, duration_s=duration_s, foot_model=foot_model, **overrides)
        self.recording: Recording = self.sim.recording()
        self.truth: list[StepTruth] = truth_steps(self.recording.truth)
        self.result: SessionResult = analyze(self.recording)

    @cached_property
    def pairs(self) -> list[tuple[int, StepTruth]]:
        """``(analysed step index, true step)`` for every included step: the true step whose
        initial contact lies nearest."""
        true_ic = np.array([t.ic_s for t in self.truth])
        steps = self.result.steps
        return [(int(k), self.truth[int(np.argmin(np.abs(true_ic - steps.ic_s[k])))]) for k in np.flatnonzero(steps.included)]

    @property
    def frame_s(self) -> float:
        """One frame period, s."""
        return 1.0 / self.sim.config.rate_hz

    @property
    def whole_steps(self) -> list[StepTruth]:
        """True steps neither cut by the mat nor by the recording."""
        return [t for t in self.truth if not t.cut]

    def errors_s(self, event: str) -> np.ndarray:
        """Measured minus true ``event`` (a StepTable column ending in ``_s``) per pair, s."""
        column = getattr(self.result.steps, event)
        return np.array([column[k] - getattr(t, event) for k, t in self.pairs])

    def transition_errors_ms(self) -> np.ndarray:
        """Measured minus true transition time (HO - FF) per pair, ms."""
        return np.array([self.result.steps.transition_ms[k] - t.transition_ms for k, t in self.pairs])

    def true_strike_patterns(self) -> np.ndarray:
        """The truth's strike pattern per pair, by the analysis's own rule on the true strike index."""
        return strike_pattern(np.array([t.strike_index_pct for _, t in self.pairs]))


@dataclass(frozen=True)
class ErrorRow:
    """One (foot model, preset) row of the validation table, pooled over seeds.

    ``found_cut`` counts included steps whose true step is cut (the truth's mat edge is the
    model's outline, the analysis's a loaded edge cell). Event errors are medians of |measured - true| in frames; transition errors in ms
    (median signed, median absolute, SD of the per-step signed error).
    """

    foot_model: str
    preset: str
    steps_found: int
    whole_steps: int
    found_cut: int
    sides_pct: float
    ic_frames: float
    ff_frames: float
    ho_frames: float
    to_frames: float
    transition_median_ms: float
    transition_abs_median_ms: float
    transition_sd_ms: float
    transition_missing: int
    strike_pct: float


def _median_abs(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.median(np.abs(finite))) if finite.size else float("nan")


def error_row(sessions: list[ValidatedSession]) -> ErrorRow:
    """The errors of one foot model on one preset over several seeds' sessions."""
    first = sessions[0]
    pairs = [p for s in sessions for p in s.pairs]
    sides = np.concatenate([[s.result.steps.side[k] == t.side for k, t in s.pairs] for s in sessions])
    frames = {e: np.concatenate([s.errors_s(e) / s.frame_s for s in sessions]) for e in EVENTS}
    transition = np.concatenate([s.transition_errors_ms() for s in sessions])
    missing = int(np.isnan(transition).sum())  # measured NaN where the truth has a value
    transition = transition[np.isfinite(transition)]
    strike = np.concatenate([s.result.steps.strike_pattern[[k for k, _ in s.pairs]] == s.true_strike_patterns() for s in sessions])
    percent = lambda ok: 100.0 * float(np.mean(ok)) if len(ok) else float("nan")  # noqa: E731
    return ErrorRow(
        foot_model=first.foot_model,
        preset=first.preset,
        steps_found=len(pairs),
        whole_steps=sum(len(s.whole_steps) for s in sessions),
        found_cut=sum(t.cut for _, t in pairs),
        sides_pct=percent(sides),
        ic_frames=_median_abs(frames["ic_s"]),
        ff_frames=_median_abs(frames["ff_s"]),
        ho_frames=_median_abs(frames["ho_s"]),
        to_frames=_median_abs(frames["to_s"]),
        transition_median_ms=float(np.median(transition)) if transition.size else float("nan"),
        transition_abs_median_ms=_median_abs(transition),
        transition_sd_ms=float(np.std(transition, ddof=1)) if transition.size > 1 else float("nan"),
        transition_missing=missing,
        strike_pct=percent(strike),
    )


_HEADER = (
    "model",
    "preset",
    "found/whole (cut)",
    "sides %",
    "IC fr",
    "FF fr",
    "HO fr",
    "TO fr",
    "trans med ms",
    "trans |med| ms",
    "trans SD ms",
    "trans NaN",
    "strike %",
)


def format_table(rows: list[ErrorRow]) -> str:
    """The rows as a Markdown table."""
    lines = ["| " + " | ".join(_HEADER) + " |", "|" + "---|" * len(_HEADER)]
    for r in rows:
        cells = (
            r.foot_model,
            r.preset,
            f"{r.steps_found}/{r.whole_steps} ({r.found_cut})",
            f"{r.sides_pct:.0f}",
            f"{r.ic_frames:.2f}",
            f"{r.ff_frames:.2f}",
            f"{r.ho_frames:.2f}",
            f"{r.to_frames:.2f}",
            f"{r.transition_median_ms:+.1f}",
            f"{r.transition_abs_median_ms:.1f}",
            f"{r.transition_sd_ms:.1f}",
            str(r.transition_missing),
            f"{r.strike_pct:.0f}",
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
