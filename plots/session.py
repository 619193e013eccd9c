"""Figures over a whole session: transition per step, its distribution, consistency, butterfly."""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes

from gait_metrics import SessionResult
from plots.style import SESSION_COLOURS, side_style

__all__ = ["transition_timeline", "transition_distribution", "consistency", "butterfly", "ROLLING_STEPS"]

#: Steps in the rolling mean of the timeline figures.
ROLLING_STEPS = 9


def _per_side(result: SessionResult, side: int, metric: str) -> tuple[np.ndarray, np.ndarray]:
    steps = result.steps.select(side, included=True)
    return steps.ic_s, np.asarray(getattr(steps, metric), float)


def _rolling(values: np.ndarray, width: int) -> np.ndarray:
    if values.size < width:
        return np.full(values.shape, np.nan)
    kernel = np.ones(width) / width
    core = np.convolve(values, kernel, mode="valid")
    pad = (values.size - core.size) // 2
    return np.concatenate([np.full(pad, np.nan), core, np.full(values.size - core.size - pad, np.nan)])


def transition_timeline(ax: Axes, result: SessionResult, metric: str = "transition_ms") -> list:
    """A metric of every step across the session (time of IC), per side, with a rolling mean."""
    artists = []
    for side in (0, 1):
        style = side_style(side)
        t, values = _per_side(result, side, metric)
        if t.size:
            artists += ax.plot(t, values, linestyle="none", marker=style.marker, markersize=3, color=style.colour, label=style.label)
            artists += ax.plot(t, _rolling(values, ROLLING_STEPS), color=style.colour, linestyle=style.linestyle)
    ax.set_xlabel("time (s)")
    ax.set_ylabel(metric.replace("_ms", " (ms)").replace("_", " "))
    if artists:
        ax.legend(fontsize=7)
    return artists


def transition_distribution(ax: Axes, result: SessionResult, metric: str = "transition_ms") -> list:
    """Distribution of a metric per side (box plots with the steps as points)."""
    data = [_per_side(result, side, metric)[1] for side in (0, 1)]
    data = [d[np.isfinite(d)] for d in data]
    artists = []
    if any(d.size for d in data):
        boxes = ax.boxplot([d if d.size else [np.nan] for d in data], tick_labels=["left", "right"], widths=0.5)
        artists += [*boxes["boxes"]]
        for position, (side, values) in enumerate(zip((0, 1), data), start=1):
            style = side_style(side)
            jitter = np.linspace(-0.15, 0.15, values.size) if values.size else values
            artists += ax.plot(position + jitter, values, linestyle="none", marker=style.marker, markersize=3, color=style.colour)
    ax.set_ylabel(metric.replace("_ms", " (ms)").replace("_", " "))
    return artists


def consistency(ax: Axes, result: SessionResult) -> list:
    """Stance and step time across the session (consistency, fatigue)."""
    artists = []
    for metric, marker in (("stance_ms", "o"), ("step_time_ms", "^")):
        for side in (0, 1):
            style = side_style(side)
            t, values = _per_side(result, side, metric)
            if t.size:
                artists += ax.plot(t, values, linestyle="none", marker=marker, markersize=3, color=style.colour, label=f"{metric.split('_')[0]} {style.label}")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("time (ms)")
    if artists:
        ax.legend(fontsize=7, ncol=2)
    return artists


def butterfly(ax: Axes, result: SessionResult) -> list:
    """Combined CoP of both feet (belt motion removed) with the butterfly's intersection point."""
    wings = result.butterfly
    ax.set_xlabel("x along the foot, belt motion removed (mm)")
    ax.set_ylabel("y across (mm, walker's left +)")
    if wings is None:
        return [ax.text(0.5, 0.5, "no treadmill: no butterfly", transform=ax.transAxes, ha="center")]
    artists: list[Artist] = list(ax.plot(wings.x_mm, wings.y_mm, color=SESSION_COLOURS[0], linewidth=0.4, alpha=0.6))
    if np.isfinite(wings.intersection_x_mm):
        artists += ax.plot(
            [wings.intersection_x_mm], [wings.intersection_y_mm], marker="X", markersize=10, color=SESSION_COLOURS[1], linestyle="none", label="intersection"
        )
        ax.legend(fontsize=7)
    else:
        artists.append(ax.text(0.02, 0.95, "no double support (running): no intersection point", transform=ax.transAxes, fontsize=7, va="top"))
    ax.set_aspect("equal", adjustable="datalim")
    return artists
