"""Every command is documented, and the README's commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mat_cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_with_an_example(name: str) -> None:
    command = cli.commands[name]
    assert command.help and len(command.help.split()) > 5, f"{name} has no real help text"
    assert "Example:" in command.help, f"{name}'s help has no Example:"
    for param in command.params:
        if param.name not in ("help",) and getattr(param, "help", None) is not None:
            assert param.help.strip(), f"{name} --{param.name} has empty help"


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_in_the_docs(name: str) -> None:
    docs = (ROOT / "docs" / "cli.md").read_text()
    assert f"## mat {name}" in docs, f"docs/cli.md has no section for mat {name}"
    command = cli.commands[name]
    for param in command.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--"):
                assert opt in docs, f"docs/cli.md does not mention mat {name} {opt}"


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, re.S)
    install_demo, tests = blocks[0].strip(), blocks[1].strip()
    assert install_demo.endswith("mat demo") and "pip install ." in install_demo
    assert "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text()
    assert tests in ci.splitlines(), ".ci/run must run the README's test command verbatim"
