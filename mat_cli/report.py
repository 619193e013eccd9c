"""``mat report`` and ``mat compare``: what a clinician reads at a glance."""

from __future__ import annotations

from pathlib import Path

import click

from gait_metrics import MdcChange, analyze
from mat_cli.options import existing_file
from mat_driver.paths import check_folder
from plots import compare_report, session_report
from plots.document import REPORT_FORMATS


def _formats(value: str) -> list[str]:
    chosen = [f.strip().lower() for f in value.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in REPORT_FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"choose from {', '.join(REPORT_FORMATS)} (comma-separated), got {value!r}")
    return chosen


format_option = click.option("--format", "formats", default=",".join(REPORT_FORMATS), show_default=True, help="Outputs, comma-separated: pdf, html, png.")


def _say(written: dict[str, Path]) -> None:
    for key in ("pdf", "html", "json"):
        if key in written:
            click.echo(f"  {key}: {written[key]}")
    pngs = [p for k, p in written.items() if k.startswith("png:")]
    if pngs:
        click.echo(f"  png: {len(pngs)} figures in {pngs[0].parent}")


@click.command()
@click.argument("recording", type=existing_file)
@click.option(
    "-o",
    "--output",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the report. [default: RECORDING without .h5, plus -report, beside it]",
)
@format_option
def report(recording: Path, folder: Path | None, formats: str) -> None:
    """Analyse a recording and write a report a clinician can hand over.

    A printable A4 PDF, a self-contained HTML page (opens offline), the figures as PNG and
    summary.json with every number.

    Example: mat report before.h5 -o before-report --format pdf,html
    """
    chosen = _formats(formats)
    folder = check_folder(folder or recording.with_name(recording.stem + "-report"))
    result = analyze(recording)
    written = session_report(result, folder, chosen)
    click.echo(f"{recording}: {len(result.included())} steps analysed")
    for notice in result.notices:
        click.echo(f"  note: {notice}")
    _say(written)


@click.command()
@click.argument("recordings", type=existing_file, nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("comparison"),
    show_default=True,
    help="Folder for the comparison report.",
)
@click.option("--label", "labels", multiple=True, help="Name of each session in order (default: its condition or file name).")
@click.option(
    "--spm",
    is_flag=True,
    help="Shade where the force and CoP curves differ by statistical parametric mapping (two sessions; extra: pip install 'pressure-mat[spm]').",
)
@format_option
def compare(recordings: tuple[Path, ...], folder: Path, labels: tuple[str, ...], spm: bool, formats: str) -> None:
    """Compare sessions side by side, e.g. before and after training.

    Per side: the change of mean transition time and whether it exceeds MDC95 (the
    larger of the two sessions' minimal detectable change; printed, and in
    comparison.json). Per metric: each session's mean and SD, difference, % change,
    Hedges' g, Welch's t-test or Mann-Whitney U and a bootstrap 95 % CI; overlays of the
    force and CoP curves and the transition-time distributions. Warns when setups, belt
    speeds or calibrations differ.

    Example: mat compare before.h5 after.h5 -o comparison
    """
    if len(recordings) < 2:
        raise click.UsageError("give at least two recordings to compare")
    if labels and len(labels) != len(recordings):
        raise click.UsageError(f"{len(labels)} --label for {len(recordings)} recordings")
    chosen = _formats(formats)
    check_folder(folder)
    if spm and len(recordings) != 2:
        raise click.UsageError("--spm compares exactly two sessions")
    results = [analyze(path) for path in recordings]
    names = list(labels) or [r.info["condition"] or p.stem for r, p in zip(results, recordings)]
    comparison, written = compare_report(results, names, folder, chosen, spm=spm)
    for warning in comparison.warnings:
        click.echo(f"  note: {warning}")
    transition = comparison.metric("transition_ms")
    click.echo(
        f"transition {names[0]} {transition.mean_a:.0f} ms -> {names[1]} {transition.mean_b:.0f} ms "
        f"({transition.difference:+.0f} ms, p = {transition.p_value:.3g})"
    )
    for row in comparison.transition_changes:
        click.echo(f"  {row.change.side} {row.session_a} -> {row.session_b}: {_mdc_verdict(row.change)}")
    _say(written)


def _mdc_verdict(change: MdcChange) -> str:
    if change.exceeds is None:
        return f"change {_ms(change.change_ms)}, MDC95 n/a ({change.reason})"
    verdict = "exceeds MDC95: a real change" if change.exceeds else "within MDC95: not beyond measurement noise"
    return f"change {change.change_ms:+.1f} ms, MDC95 {change.mdc95_ms:.1f} ms, {verdict}"


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f} ms"


COMMANDS = (report, compare)
