"""Figures over one stance: mean footprint, force, CoP velocity, region forces.

Each function takes precomputed gait_metrics results and an ``ax``, draws, and returns
the artists; none computes a metric or calls ``plt.show()``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes

from gait_metrics import SessionResult
from plots.style import PHASE_COLOURS, side_style

__all__ = ["mean_footprint", "force_curve", "cop_velocity", "region_forces"]


def _band(ax: Axes, x: np.ndarray, curves: np.ndarray, side: int, label: str) -> list:
    style = side_style(side)
    mean, sd = np.nanmean(curves, axis=0), np.nanstd(curves, axis=0)
    line = ax.plot(x, mean, color=style.colour, linestyle=style.linestyle, label=f"{label} (n={len(curves)})")
    band = ax.fill_between(x, mean - sd, mean + sd, color=style.colour, alpha=0.2, hatch=style.hatch, linewidth=0)
    return [*line, band]


def mean_footprint(ax: Axes, result: SessionResult, side: int) -> list:
    """Mean peak-pressure footprint of one side with the mean CoP gait line, its SD band
    and the region boundaries, in foot coordinates (mm)."""
    style = side_style(side)
    ax.set_title(style.label)
    ax.set_xlabel("y (mm, medial +)")
    ax.set_ylabel("x (mm, heel to toe)")
    footprint = result.footprints.get(side)
    rows = result.steps.rows(side, included=True)
    if footprint is None or rows.size == 0:
        return [ax.text(0.5, 0.5, "no steps", transform=ax.transAxes, ha="center")]
    extent = (footprint.y_edges_mm[0], footprint.y_edges_mm[-1], footprint.x_edges_mm[0], footprint.x_edges_mm[-1])
    image = ax.imshow(footprint.pressure.T, origin="lower", extent=extent, cmap="Greys", aspect="equal")
    ax.figure.colorbar(image, ax=ax, label=f"peak pressure ({result.pressure_unit})", shrink=0.8)
    x = np.nanmean(result.curves.cop_x_mm[rows], axis=0)
    y = np.nanmean(result.curves.cop_y_mm[rows], axis=0)
    sd = np.nanstd(result.curves.cop_y_mm[rows], axis=0)
    artists: list[Artist] = list(ax.plot(y, x, color=style.colour, linestyle=style.linestyle, linewidth=2, label="mean CoP"))
    artists.append(ax.fill_betweenx(x, y - sd, y + sd, color=style.colour, alpha=0.3, linewidth=0))
    length = np.nanmean(result.steps.foot_length_mm[rows])
    config = result.info["config"]
    for frac in (config["rearfoot_end_frac"], config["midfoot_end_frac"]):
        artists.append(ax.axhline(frac * length, color="black", linestyle=":", linewidth=1))
    return artists


def _shade_phases(ax: Axes, result: SessionResult, side: int) -> list:
    steps = result.steps.select(side, included=True)
    if len(steps) == 0:
        return []
    ff = np.nanmean(100 * (steps.ff_s - steps.ic_s) / (steps.to_s - steps.ic_s))
    ho = np.nanmean(100 * (steps.ho_s - steps.ic_s) / (steps.to_s - steps.ic_s))
    if not (np.isfinite(ff) and np.isfinite(ho)):
        return []
    return [
        ax.axvspan(0, ff, color=PHASE_COLOURS["loading"], alpha=0.5, linewidth=0),
        ax.axvspan(ff, ho, color=PHASE_COLOURS["transition"], alpha=0.5, linewidth=0),
        ax.axvspan(ho, 100, color=PHASE_COLOURS["propulsion"], alpha=0.5, linewidth=0),
        ax.text(ff / 2, 0.97, "loading", transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=7),
        ax.text((ff + ho) / 2, 0.97, "transition", transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=7),
        ax.text((ho + 100) / 2, 0.97, "propulsion", transform=ax.get_xaxis_transform(), ha="center", va="top", fontsize=7),
    ]


def force_curve(ax: Axes, result: SessionResult, side: int) -> list:
    """Vertical force vs % stance (mean and SD band) with loading, transition and
    propulsion shaded (mean foot flat and heel off of that side)."""
    artists = _shade_phases(ax, result, side)
    rows = result.steps.rows(side, included=True)
    if rows.size:
        artists += _band(ax, result.curves.percent, result.curves.force_n[rows], side, side_style(side).label)
    ax.set_xlabel("stance (%)")
    ax.set_ylabel(f"vertical force ({result.force_unit})")
    ax.set_title(side_style(side).label)
    ax.set_xlim(0, 100)
    return artists


def cop_velocity(ax: Axes, result: SessionResult) -> list:
    """Anterior CoP velocity vs % stance, both sides."""
    artists = []
    for side in (0, 1):
        rows = result.steps.rows(side, included=True)
        if rows.size:
            artists += _band(ax, result.curves.percent, result.curves.cop_velocity_m_s[rows], side, side_style(side).label)
    ax.set_xlabel("stance (%)")
    ax.set_ylabel("anterior CoP velocity (m/s)")
    ax.set_xlim(0, 100)
    if artists:
        ax.legend(fontsize=7)
    return artists


def region_forces(ax: Axes, result: SessionResult, side: int) -> list:
    """Rearfoot, midfoot and forefoot force vs % stance for one side (mean)."""
    artists = []
    rows = result.steps.rows(side, included=True)
    style = side_style(side)
    for name, dash in (("force_rearfoot_n", "-"), ("force_midfoot_n", ":"), ("force_forefoot_n", "--")):
        if rows.size:
            mean = np.nanmean(getattr(result.curves, name)[rows], axis=0)
            artists += ax.plot(result.curves.percent, mean, color=style.colour, linestyle=dash, label=name.split("_")[1])
    ax.set_xlabel("stance (%)")
    ax.set_ylabel(f"force ({result.force_unit})")
    ax.set_title(style.label)
    ax.set_xlim(0, 100)
    if artists:
        ax.legend(fontsize=7)
    return artists
