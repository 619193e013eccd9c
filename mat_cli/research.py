"""``mat export``, ``mat import`` and ``mat batch``: data for research."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from exports import EXPORT_FORMATS, WHAT, export_session
from exports.batch import expand_inputs, run_batch
from exports.tables import check_new, write_rows
from gait_metrics import analyze
from mat_cli.options import existing_file, force_option, output_file
from mat_driver.importers import IMPORT_FORMATS, import_recording
from mat_driver.model import SETUPS
from mat_driver.paths import check_folder
from mat_driver.recording import check_writable, save_recording

_SUFFIX = {"mat": ".mat", "c3d": ".c3d", "json": ".json"}


@click.command("export")
@click.argument("recording", type=existing_file)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    required=True,
    help="csv: tidy tables; mat: MATLAB; c3d: biomechanics exchange (extra c3d); json: session summary.",
)
@click.option(
    "--what", type=click.Choice(WHAT), multiple=True, default=("all",), show_default=True, help="Which data (repeatable): frames, cop, steps, curves or all."
)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="Folder (csv) or file. [default: beside the recording]")
@force_option
def export(recording: Path, fmt: str, what: tuple[str, ...], output: Path | None, force: bool) -> None:
    """Export a recording's analysis for research tools (pandas, R, MATLAB, Mokka, OpenSim).

    Example: mat export before.h5 --format csv --what steps --what curves -o before-tables
    """
    if output is None:
        output = recording.with_name(recording.stem + ("-tables" if fmt == "csv" else _SUFFIX[fmt]))
    if fmt == "csv":
        check_folder(output)
    else:
        check_writable(output, force=force)
    result = analyze(recording)
    for path in export_session(result, output, format=fmt, what=what, force=force):
        click.echo(str(path))


@click.command("import")
@click.argument("source", type=existing_file)
@click.option("-o", "--output", type=output_file, required=True, help="Recording to create (.h5).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(IMPORT_FORMATS),
    default=None,
    help="asf (Tekscan), lst (emed), matsense (CSV), numpy (.npy/.npz). [default: from the extension]",
)
@click.option("--rows", type=click.IntRange(min=1), default=None, help="Grid rows (matsense).")
@click.option("--cols", type=click.IntRange(min=1), default=None, help="Grid columns (matsense).")
@click.option("--pitch", "pitch_mm", type=click.FloatRange(min=0, min_open=True), default=None, help="Cell pitch, mm (matsense, numpy).")
@click.option("--rate", "rate_hz", type=click.FloatRange(min=0, min_open=True), default=None, help="Frame rate, Hz (numpy).")
@click.option("--setup", type=click.Choice(SETUPS), default=None, help="Recording setup (matsense, numpy). [default: walkway]")
@click.option("--side", type=click.Choice(["left", "right"]), default=None, help="Foot of an insole recording (gives sides and medial-positive y).")
@force_option
def import_(source: Path, output: Path, fmt: str | None, rows, cols, pitch_mm, rate_hz, setup, side, force: bool) -> None:
    """Convert another system's recording into a pressure-mat recording.

    Geometry, frame rate and units are carried over; the result can be reported and
    compared like any recording.

    Example: mat import trial.asf -o trial.h5
    """
    check_writable(output, force=force)
    recording = import_recording(source, format=fmt, rows=rows, cols=cols, pitch_mm=pitch_mm, rate_hz=rate_hz, **({"setup": setup} if setup else {}))
    if side:
        recording.metadata = dataclasses.replace(recording.metadata, foot_side=side)
    save_recording(recording, output, force=force)
    g = recording.geometry
    click.echo(
        f"{output}: {recording.n_frames} frames, {g.rows}x{g.cols} cells of {g.pitch_row_mm:g} x {g.pitch_col_mm:g} mm, "
        f"{recording.rate_hz:g} Hz, {recording.pressure_unit}, setup {recording.metadata.setup}"
    )


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", type=output_file, required=True, help="Step table to write (.csv); the session table goes beside it as NAME-sessions.csv.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Local processes.")
@click.option("--scheduler", default=None, help="Dask scheduler address (tcp://host:port) to run on a cluster (extra: cluster).")
@force_option
def batch(inputs: tuple[str, ...], output: Path, workers: int, scheduler: str | None, force: bool) -> None:
    """Analyse many recordings (files, folders, globs) into one step table and one session table.

    A recording that fails is reported and the others still finish.

    Example: mat batch study/ "extra/*.h5" -o study.csv --workers 2
    """
    sessions_path = output.with_name(output.stem + "-sessions.csv")
    for path in (output, sessions_path):
        check_new(path, force)
    paths = expand_inputs(inputs)
    if not paths:
        raise click.UsageError(f"no recordings found in {', '.join(inputs)}: give .h5 files, folders holding them, or a glob such as 'study/*.h5'")
    with click.progressbar(length=len(paths), label="analysing", file=sys.stderr) as bar:
        result = run_batch(paths, workers=workers, scheduler=scheduler, progress=lambda _: bar.update(1))
    write_rows(output, result.steps, force)
    write_rows(sessions_path, result.sessions, force)
    click.echo(f"{output}: {len(result.steps)} steps; {sessions_path}: {len(result.sessions)} sessions")
    for failed, why in result.failures:
        click.echo(f"failed: {failed}: {why}")
    if result.failures:
        raise click.ClickException(f"{len(result.failures)} of {len(paths)} recordings failed (listed above)")


COMMANDS = (export, import_, batch)
