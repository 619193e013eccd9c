"""The ``mat`` click group: version, logging, and one place that turns errors into one line."""

from __future__ import annotations

import logging
from typing import Any

import click

from gait_metrics import MetricsError
from mat_cli import demo, files, live, record, report, research, simulate
from mat_driver import MatError, __version__

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class MatGroup(click.Group):
    """A click group whose commands report library errors as a one-line message."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (MatError, MetricsError) as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=MatGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="pressure-mat")
@click.option("-v", "--verbose", count=True, help="More log output (-vv shows raw traffic).")
def cli(verbose: int) -> None:
    """pressure-mat: record, analyse and report gait on a pressure mat.

    Start with `mat demo`: it needs no hardware.
    """
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


for command in (*demo.COMMANDS, *report.COMMANDS, *research.COMMANDS, *simulate.COMMANDS, *record.COMMANDS, *live.COMMANDS, *files.COMMANDS):
    cli.add_command(command)
