"""The live page's JSON messages (docs/live.md): hello, frame, steps.

Built here from plain values, so that the message format lives in one place; the
:class:`~live_view.feed.LiveFeed` decides when each is sent.
"""

from __future__ import annotations

import base64
import json
import math
from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np

from gait_metrics import Step

if TYPE_CHECKING:
    from live_view.feed import LiveSession

__all__ = ["hello_message", "frame_message", "steps_message", "step_row"]


def hello_message(s: LiveSession, force_unit: str, force_window_s: float) -> str:
    """The first message: grid, units, mode, target band."""
    return json.dumps(
        {
            "type": "hello",
            "mode": s.mode,
            "title": s.title,
            "rows": s.geometry.rows,
            "cols": s.geometry.cols,
            "pitch_row_mm": s.geometry.pitch_row_mm,
            "pitch_col_mm": s.geometry.pitch_col_mm,
            "pressure_unit": s.calibration.unit,
            "force_unit": force_unit,
            "rate_hz": s.rate_hz,
            "duration_s": s.duration_s,
            "target_ms": list(s.target_ms) if s.target_ms else None,
            "force_window_s": force_window_s,
        }
    )


def frame_message(t: float, scale: float, latest: np.ndarray, force: float, trail: deque, force_points: deque, period_s: float) -> str:
    """The newest pressure frame (``latest``, at ``t``) as bytes over ``0..scale``, its force,
    the CoP trail (``(t, column, row)`` points) and the force plot's ``(t, force, peak)`` points."""
    return json.dumps(
        {
            "type": "frame",
            "t": round(float(t), 3),
            "scale": round(scale, 1),
            "px": base64.b64encode(_to_bytes(latest, scale)).decode("ascii"),
            "force": round(float(force), 1),
            "cop": [[round(col, 2), round(row, 2)] for _, col, row in trail],
            "force_trail": _decimate(force_points, period_s),
        }
    )


def steps_message(rows: list[dict[str, Any]], *, reset: bool) -> str:
    """Step rows (:func:`step_row`); ``reset``: they replace the page's list."""
    return json.dumps({"type": "steps", "reset": reset, "rows": rows})


def step_row(step: Step) -> dict[str, Any]:
    """The values of one step the page shows, JSON-ready (``None`` for a missing value)."""

    def num(value: float, digits: int) -> float | None:
        return round(float(value), digits) if value is not None and math.isfinite(value) else None

    return {
        "ic_s": num(step.ic_s, 3),
        "to_s": num(step.to_s, 3),
        "side": step.side_name,
        "side_confident": bool(step.side_confident),
        "excluded": step.exclude_reason or None,
        "contact_ms": num(step.stance_ms, 1),
        "transition_ms": num(step.transition_ms, 1),
        "transition_pct": num(step.transition_pct, 1),
        "strike": step.strike_pattern or None,
        "heel_loaded": bool(step.heel_loaded),
    }


def _to_bytes(pressure: np.ndarray, scale: float) -> bytes:
    """Pressure as one byte per cell, 0..255 over ``0..scale``."""
    return np.clip(pressure * (255.0 / scale), 0, 255).astype(np.uint8).tobytes()


def _decimate(points: deque, period_s: float) -> list[list[float]]:
    """About one (t, force) point per display period, for the force plot."""
    out: list[list[float]] = []
    last = -math.inf
    for t, f, _ in points:
        if t - last >= period_s:
            out.append([round(t, 3), round(f, 1)])
            last = t
    return out
