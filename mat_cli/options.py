"""Option groups shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click

from mat_driver.model import SETUPS, Metadata

existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)
output_file = click.Path(dir_okay=False, path_type=Path)

force_option = click.option("--force", is_flag=True, help="Overwrite an existing output file (never done otherwise).")


def session_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Subject, condition, setup and body options that end up in the recording's metadata."""
    options = [
        click.option("--subject", default="", help="Subject id (pseudonymous)."),
        click.option("--condition", default="", help='Condition label, e.g. "before" or "after".'),
        click.option(
            "--setup",
            type=click.Choice(SETUPS),
            default=None,
            help="Mat under a treadmill belt, overground walkway, or insole. [default: treadmill, walkway with --overground]",
        ),
        click.option("--belt-speed", type=click.FloatRange(min=0), default=None, help="Treadmill belt speed, m/s."),
        click.option("--overground", is_flag=True, help="No treadmill: the subject walks over the mat."),
        click.option("--body-mass", type=click.FloatRange(min=0, min_open=True), default=None, help="Body mass, kg."),
        click.option("--notes", default="", help="Free-text notes stored in the file."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def metadata_from_options(
    *,
    subject: str,
    condition: str,
    setup: str | None,
    belt_speed: float | None,
    overground: bool,
    body_mass: float | None,
    notes: str,
) -> Metadata:
    """Metadata from :func:`session_options`; rejects contradictory choices."""
    if overground and belt_speed is not None:
        raise click.UsageError("--belt-speed and --overground contradict each other; give one")
    if setup is None:
        setup = "walkway" if overground else "treadmill"
    return Metadata(
        subject_id=subject,
        condition=condition,
        setup=setup,
        belt_speed_m_s=None if overground else belt_speed,
        body_mass_kg=body_mass,
        notes=notes,
    )
