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


def test_readme_topic_table_is_topic_steps() -> None:
    from graphkit.analysis.overlap import TOPIC_STEPS

    table = README.split("| topic family | steps it reaches |", 1)[1].split("\n\n", 1)[0]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table.strip().splitlines()[1:]]
    written = {family.strip("`"): {s.strip() for s in steps.split(",")} for family, steps in rows if "`" in family[:1]}
    assert written == {family: {str(s) for s in steps} for family, steps in TOPIC_STEPS.items()}
    assert rows[-1][0].startswith("any other") and rows[-1][1] == "every step"


def test_readme_names_every_spreadsheet_table() -> None:
    from graphkit.io.tables import TABLES

    paragraph = README.split("Spreadsheets (a folder of CSV files", 1)[1].split("\n\n", 1)[0]
    nested = [t for t, (_, n) in TABLES.items() if n is not None]
    assert nested and all(f"`{t}`" in paragraph for t in nested)


def test_readme_states_the_generator_shares() -> None:
    from graphkit.generate import SHARES

    missing = [line for line in SHARES.splitlines() if line not in README]
    assert not missing, f"README.md's generate shares differ from graphkit.generate.SHARES: {missing}"
