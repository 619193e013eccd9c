"""``python -m mat_cli`` runs the ``mat`` command."""

from mat_cli.main import cli

cli(prog_name="mat")
