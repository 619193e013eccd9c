"""Commands about recording files: ``mat info`` and ``mat repair``."""

from __future__ import annotations

from pathlib import Path

import click

from mat_driver.recording import open_recording, repair_recording

existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command()
@click.argument("recording", type=existing_file)
def info(recording: Path) -> None:
    """Show a recording's metadata, geometry and size without reading its frames.

    Example: mat info before.h5
    """
    with open_recording(recording) as rec:
        g, m = rec.geometry, rec.metadata
        belt = "overground" if m.belt_speed_m_s is None else f"{m.belt_speed_m_s:.2f} m/s"
        lines = [
            f"file:        {recording}",
            f"subject:     {m.subject_id or '-'}   condition: {m.condition or '-'}",
            f"setup:       {m.setup}   belt: {belt}   body mass: " + ("-" if m.body_mass_kg is None else f"{m.body_mass_kg:.1f} kg"),
            f"device:      {m.device_model or '-'} {m.device_serial}".rstrip(),
            f"started:     {m.start_utc or '-'}",
            f"grid:        {g.rows} x {g.cols} cells, pitch {g.pitch_row_mm:g} x {g.pitch_col_mm:g} mm, walking along {g.walk_axis}",
            f"frames:      {rec.n_frames} at {rec.rate_hz:g} Hz nominal, {rec.duration_s:.1f} s, {rec.gaps.total_missing} dropped in {len(rec.gaps)} gaps",
            f"pressure:    {rec.pressure_unit}" + (f" ({rec.calibration.source})" if rec.calibration.source else ""),
        ]
        if m.notes:
            lines.append(f"notes:       {m.notes}")
        if rec.stats.get("incomplete"):
            lines.append(f"status:      incomplete (writer stopped abruptly); run: mat repair {recording}")
    click.echo("\n".join(lines))


@click.command()
@click.argument("recording", type=existing_file)
def repair(recording: Path) -> None:
    """Make a recording whose writer crashed a normal HDF5 file again, in place.

    Frames that reached the disk are kept; afterwards MATLAB, R and HDFView open it.

    Example: mat repair session.h5
    """
    kept = repair_recording(recording)
    click.echo(f"{recording}: complete, {kept} frames")


COMMANDS = (info, repair)
