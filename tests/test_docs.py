"""The README documents every command, and its set-up is exactly two commands."""

from __future__ import annotations

import re
from pathlib import Path

import click

from graphkit.cli.main import main

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def leaf_commands(group: click.Group = main, prefix: str = "graphkit") -> list[str]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            out += leaf_commands(cmd, f"{prefix} {name}")
        else:
            out.append(f"{prefix} {name}")
    return out


def test_every_command_appears_in_the_readme() -> None:
    missing = [c for c in leaf_commands() if c not in README]
    assert not missing, f"undocumented in README.md: {missing}"


def test_two_setup_commands_and_ci_runs_the_test_one() -> None:
    setup = README.split("## Set-up", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in setup.strip().splitlines()] == ["make demo", "make test"]
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)
