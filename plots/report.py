"""A session report and a before/after comparison from gait_metrics results: the documents
(:func:`session_document`, :func:`comparison_document`) and the library calls that write
them with their JSON (:func:`session_report`, :func:`compare_report`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes

from gait_metrics import COMPARED_METRICS, SessionComparison, SessionResult, compare_sessions, json_safe
from mat_driver import __version__
from plots import session, stance
from plots.document import REPORT_FORMATS, Panel, Report, Table, write_report
from plots.headline import comparison_headline, fmt, mean_sd, session_headline
from plots.style import SESSION_COLOURS

__all__ = ["REPORT_METRICS", "session_document", "comparison_document", "session_report", "compare_report"]

_LABELS = dict(
    (
        ("transition_ms", "Loading-to-propulsion transition (ms)"),
        ("transition_pct", "Transition (% stance)"),
        ("heel_forefoot_change_ms", "Heel-to-forefoot change (ms)"),
        ("initial_contact_pct", "Initial contact phase (% stance)"),
        ("forefoot_contact_pct", "Forefoot contact phase (% stance)"),
        ("foot_flat_pct", "Foot flat phase (% stance)"),
        ("push_off_pct", "Push-off phase (% stance)"),
        ("stance_ms", "Stance (ms)"),
        ("flight_ms", "Flight (ms)"),
        ("swing_ms", "Swing (ms)"),
        ("step_time_ms", "Step time (ms)"),
        ("stride_time_ms", "Stride time (ms)"),
        ("cadence_spm", "Cadence (steps/min)"),
        ("step_length_mm", "Step length (mm)"),
        ("step_width_mm", "Step width (mm)"),
        ("progression_angle_deg", "Foot progression angle (deg)"),
        ("strike_index_pct", "Strike index (% foot length)"),
        ("peak_force_n", "Peak force ({force})"),
        ("peak_force_bw", "Peak force (body weights)"),
        ("loading_rate_n_s", "Loading rate ({force}/s)"),
        ("peak_pressure_rearfoot_kpa", "Peak pressure rearfoot ({pressure})"),
        ("peak_pressure_midfoot_kpa", "Peak pressure midfoot ({pressure})"),
        ("peak_pressure_forefoot_kpa", "Peak pressure forefoot ({pressure})"),
        ("gait_line_length_mm", "Gait line length (mm)"),
    )
)

#: (metric, label with unit) in the order of the summary tables (gait_metrics.COMPARED_METRICS);
#: {force}/{pressure} take the unit.
REPORT_METRICS = tuple((metric, _LABELS[metric]) for metric in COMPARED_METRICS)


def _label(result: SessionResult, label: str) -> str:
    return label.format(force=result.force_unit, pressure=result.pressure_unit)


def _p_value(p: float) -> str:
    return "p<0.001" if np.isfinite(p) and p < 0.001 else f"p={fmt(p, 3)}"


def _setup_text(result: SessionResult) -> str:
    info = result.info
    if info["setup"] != "treadmill":
        return info["setup"]
    set_speed = info["belt_speed_set_m_s"]
    estimated = info["belt_speed_estimated_m_s"]
    return f"treadmill, belt {fmt(set_speed, 2)} m/s set, {fmt(estimated, 2)} m/s measured from the footprints"


def _header(result: SessionResult) -> list[tuple[str, str]]:
    info, quality = result.info, result.quality
    per_side = [len(result.steps.rows(side, included=True)) for side in (0, 1)]
    excluded = ", ".join(f"{n} {why}" for why, n in quality["steps_excluded"].items()) or "none"
    return [
        ("Subject", info["subject_id"] or "-"),
        ("Condition", info["condition"] or "-"),
        ("Date (UTC)", info["start_utc"] or "-"),
        ("Device", info["device"] or "-"),
        ("Setup", _setup_text(result)),
        ("Duration", f"{info['duration_s']:.1f} s at {info['rate_hz']:g} Hz"),
        ("Steps analysed", f"left {per_side[0]}, right {per_side[1]} (of {quality['steps_detected']} detected)"),
        ("Steps excluded", excluded),
        (
            "Data quality",
            f"{quality['frames_dropped']} dropped frames, {quality['frames_with_saturation']} frames with saturated cells, "
            f"{quality['low_confidence_sides']} steps with an uncertain side",
        ),
        (
            "Sensor",
            f"noise {quality['noise_sd_kpa']['median']:.1f} {result.pressure_unit} (SD of the median cell), cells loaded over "
            f"{quality['loaded_level_kpa']:.1f} {result.pressure_unit}; {len(quality['dead_cells'])} dead, "
            f"{len(quality['stuck_cells'])} stuck, {len(quality['saturated_cells'])} saturated cells"
            + (f" (extrapolated: +{quality['saturation_added_force_pct']:.1f} % force)" if quality["saturation_added_force_pct"] else "")
            + (
                f"; crosstalk of {100 * quality['crosstalk_frac']:.1f} % removed ({quality['crosstalk_removed_force_pct']:.1f} % of the force)"
                if quality["crosstalk_frac"]
                else ""
            ),
        ),
        ("File", info["recording"] or "-"),
    ]


def _summary_table(result: SessionResult) -> Table:
    rows = []
    for metric, label in REPORT_METRICS:
        left, right, both = (result.summary[side][metric] for side in ("left", "right", "all"))
        rows.append(
            [
                _label(result, label),
                mean_sd(left),
                fmt(left["cv_pct"]),
                mean_sd(right),
                fmt(right["cv_pct"]),
                mean_sd(both),
                fmt(result.symmetry[metric]),
                fmt(result.change["all"][metric]),
            ]
        )
    return Table(
        "Summary per side (mean ± SD of included steps)",
        ["Metric", "Left", "CV %", "Right", "CV %", "All steps", "Symmetry index %", "Last - first third"],
        rows,
        note="Symmetry index = 100 (L - R) / mean(L, R). Definitions and sources: docs/metrics.md.",
    )


def session_document(result: SessionResult) -> Report:
    """The report of one session: the transition per side at a glance, header, summary
    table and the seven figures."""
    panels = [
        Panel(
            "footprint",
            "Mean footprint and CoP gait line",
            lambda axes: [stance.mean_footprint(ax, result, side) for side, ax in enumerate(axes)],
            2,
            "Peak pressure in foot coordinates; line: mean CoP with its mediolateral SD; dotted: region boundaries (30 % and 60 % of foot length).",
        ),
        Panel(
            "force",
            "Vertical force through stance",
            lambda axes: [stance.force_curve(ax, result, side) for side, ax in enumerate(axes)],
            2,
            "Mean ± SD; shaded: loading (IC to foot flat), transition (foot flat to heel off), propulsion (heel off to toe off).",
        ),
        Panel("cop-velocity", "Anterior CoP velocity", lambda axes: stance.cop_velocity(axes[0], result), 1, "Mean ± SD per side."),
        Panel(
            "transition",
            "Loading-to-propulsion transition, step by step",
            lambda axes: (session.transition_timeline(axes[0], result), session.transition_distribution(axes[1], result)),
            2,
            f"Left: every step and a rolling mean of {session.ROLLING_STEPS} steps. Right: distribution per side.",
            (3, 1),
        ),
        Panel("regions", "Rearfoot, midfoot and forefoot force", lambda axes: [stance.region_forces(ax, result, side) for side, ax in enumerate(axes)], 2),
        Panel("consistency", "Stance and step time across the session", lambda axes: session.consistency(axes[0], result), 1),
    ]
    if result.info["setup"] == "treadmill":
        panels.insert(
            4,
            Panel(
                "butterfly",
                "Butterfly diagram (combined CoP)",
                lambda axes: session.butterfly(axes[0], result),
                1,
                "Combined CoP of both feet, belt motion removed; X: crossing of the double-support diagonals.",
            ),
        )
    title = f"Gait report: {result.info['subject_id'] or 'subject'} ({result.info['condition'] or 'session'})"
    return Report(
        title, _header(result), result.notices, [_summary_table(result)], panels, footer=f"pressure-mat {__version__}", headline=session_headline(result)
    )


def comparison_document(results: Sequence[SessionResult], comparison: SessionComparison) -> Report:
    """Sessions side by side: the statistics of :func:`gait_metrics.compare_sessions`
    (each later session against the first), overlays of force and CoP curves and the
    transition distributions; the stretches of stance where SPM found the curves to differ
    are shaded when ``comparison.spm`` holds them."""
    base, labels = results[0], comparison.sessions
    rows = []
    for metric, label in REPORT_METRICS:
        cells = [_label(base, label)]
        cells += [mean_sd(r.summary["all"][metric]) for r in results]
        for name in labels[1:]:
            c = comparison.metric(metric, name)
            cells += [fmt(c.difference), fmt(c.percent_change), fmt(c.hedges_g, 2), f"{c.test} {_p_value(c.p_value)}", f"[{fmt(c.ci_low)}, {fmt(c.ci_high)}]"]
        rows.append(cells)
    columns = ["Metric", *labels]
    for name in labels[1:]:
        columns += [f"Δ {name}", "% change", "Hedges' g", "test", "95% CI of Δ"]
    table = Table(
        "Sessions compared (mean ± SD of all included steps; Δ = session - first)",
        columns,
        rows,
        note="Welch's t-test when both samples look normal (Shapiro-Wilk), else Mann-Whitney U; bootstrap CI. docs/metrics.md.",
    )

    def overlay(ax: Axes, curve: str, ylabel: str) -> list[Artist]:
        artists: list[Artist] = []
        if curve in comparison.spm:
            for start, end, p in comparison.spm[curve].clusters:
                artists.append(ax.axvspan(start, end, color="#BBBBBB", alpha=0.5, linewidth=0))
                artists.append(ax.text((start + end) / 2, 0.02, f"SPM p={p:.3f}", transform=ax.get_xaxis_transform(), ha="center", fontsize=6))
        for k, (result, name) in enumerate(zip(results, labels)):
            rows_k = result.steps.rows(included=True)
            if rows_k.size:
                values = getattr(result.curves, curve)[rows_k]
                mean, sd = np.nanmean(values, axis=0), np.nanstd(values, axis=0)
                colour = SESSION_COLOURS[k % len(SESSION_COLOURS)]
                artists += ax.plot(result.curves.percent, mean, color=colour, linestyle=["-", "--", ":", "-."][k % 4], label=name)
                artists.append(ax.fill_between(result.curves.percent, mean - sd, mean + sd, color=colour, alpha=0.15, linewidth=0))
        ax.set_xlabel("stance (%)")
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=7)
        return artists

    def distributions(ax: Axes) -> list[Artist]:
        data = [np.asarray(r.steps.select(included=True).transition_ms, float) for r in results]
        box = ax.boxplot([d if d.size else [np.nan] for d in data], tick_labels=list(labels), widths=0.5)
        for k, values in enumerate(data, start=1):
            ax.plot(k + np.linspace(-0.15, 0.15, values.size), values, linestyle="none", marker="o", markersize=3, color=SESSION_COLOURS[(k - 1) % 4])
        ax.set_ylabel("transition (ms)")
        return box["boxes"]

    panels = [
        Panel("compare-force", "Vertical force through stance", lambda axes: overlay(axes[0], "force_n", f"vertical force ({base.force_unit})"), 1),
        Panel("compare-cop", "CoP progression along the foot", lambda axes: overlay(axes[0], "cop_x_mm", "CoP x (mm, heel to toe)"), 1),
        Panel("compare-transition", "Loading-to-propulsion transition per session", lambda axes: distributions(axes[0]), 1),
    ]
    header = [
        (name, f"{r.info['subject_id']} {r.info['condition']} {r.info['start_utc']} - {r.steps.rows(included=True).size} steps - {_setup_text(r)}")
        for r, name in zip(results, labels)
    ]
    return Report(
        "Session comparison",
        header,
        comparison.warnings,
        [table],
        panels,
        footer=f"pressure-mat {__version__}",
        headline=comparison_headline(results, comparison),
    )


def _write_json(content: object, path: Path) -> Path:
    path.write_text(json.dumps(json_safe(content), indent=2) + "\n", encoding="utf-8")
    return path


def session_report(result: SessionResult, folder: str | Path, formats: Iterable[str] = REPORT_FORMATS) -> dict[str, Path]:
    """Write one session's report into ``folder``: ``report.pdf``, ``report.html`` (offline,
    self-contained), ``report-*.png`` (as ``formats`` ask) and always summary.json.

    Returns
    -------
    dict
        The written paths by kind: ``"pdf"``, ``"html"``, ``"json"``, ``"png:<figure>"``.
    """
    folder = Path(folder)
    written = write_report(session_document(result), folder, "report", formats)
    written["json"] = _write_json(result.to_dict(), folder / "summary.json")
    return written


def compare_report(
    results: Sequence[SessionResult], labels: Sequence[str], folder: str | Path, formats: Iterable[str] = REPORT_FORMATS, *, spm: bool = False
) -> tuple[SessionComparison, dict[str, Path]]:
    """Compare sessions (:func:`gait_metrics.compare_sessions`) and write the comparison
    into ``folder``: ``comparison.pdf``/``.html``/``-*.png`` (as ``formats`` ask) and
    always comparison.json.

    Returns
    -------
    tuple
        The :class:`~gait_metrics.SessionComparison` and the written paths by kind.
    """
    folder = Path(folder)
    comparison = compare_sessions(results, labels, spm=spm)
    written = write_report(comparison_document(results, comparison), folder, "comparison", formats)
    written["json"] = _write_json(comparison.to_dict(), folder / "comparison.json")
    return comparison, written
