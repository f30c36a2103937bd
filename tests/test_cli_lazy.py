"""The command line imports a command's module only when that command runs,
and lists every command for `--help` from an index kept beside the compiled
modules: its listing must be the one the loaded commands give, and a stale
or missing index is made again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from graphkit.cli import main as cli_main
from graphkit.cli.main import CONTEXT, MODULES, LazyGroup, main

SMALL = Path(__file__).with_name("small.yaml")


def fresh(index: Path) -> LazyGroup:
    """A group like `main`, with nothing loaded and its index at `index`."""
    group = LazyGroup(
        name="graphkit", callback=main.callback, params=main.params, help=main.help, context_settings=CONTEXT
    )
    group.index_path = index
    return group


def help_of(group: click.Group) -> str:
    result = CliRunner().invoke(group, ["--help"], prog_name="graphkit", catch_exceptions=False)
    assert result.exit_code == 0
    return result.output


def test_help_lists_what_a_group_of_every_loaded_command_lists(tmp_path: Path) -> None:
    plain = click.Group(
        name="graphkit",
        callback=main.callback,
        params=main.params,
        help=main.help,
        context_settings=CONTEXT,
        commands=dict(main.commands),
    )
    index = tmp_path / "commands.json"
    made = help_of(fresh(index))  # no index yet: made by importing every module, and saved
    assert index.exists()
    read = fresh(index)
    assert help_of(read) == made == help_of(plain)
    assert "validate" in made and "neo4j" in made
    assert not read._loaded  # listed from the index alone


def test_a_stale_index_is_made_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = tmp_path / "commands.json"
    help_of(fresh(index))
    saved = json.loads(index.read_text())
    saved["commands"]["validate"]["help"] = "Something else entirely."
    index.write_text(json.dumps(saved))
    assert "Something else entirely." in help_of(fresh(index))  # the index is what --help reads
    monkeypatch.setattr(cli_main, "_sources", lambda: ["a module changed"])
    assert "Something else entirely." not in help_of(fresh(index))
    assert json.loads(index.read_text())["sources"] == ["a module changed"]


@pytest.mark.parametrize("damage", ["not json", "list", "no commands", "a bad entry"])
def test_an_unreadable_index_is_made_again(damage: str, tmp_path: Path) -> None:
    index = tmp_path / "commands.json"
    help_of(fresh(index))
    saved = json.loads(index.read_text())
    if damage == "a bad entry":
        saved["commands"]["validate"] = {"module": "os"}
    elif damage == "no commands":
        del saved["commands"]
    index.write_text({"not json": "{not json", "list": "[1]"}.get(damage) or json.dumps(saved))
    assert "validate" in help_of(fresh(index))
    assert json.loads(index.read_text())["commands"]["validate"]["module"] == "portfolio_commands"


def test_every_command_is_reachable_by_name(tmp_path: Path) -> None:
    group = fresh(tmp_path / "commands.json")
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        assert group.get_command(ctx, name) is main.commands[name]
    assert group.get_command(ctx, "no-such-command") is None
    assert set(group.list_commands(ctx)) == set(main.commands)


def loaded_after(*args: str) -> set[str]:
    code = (
        "import sys\nfrom graphkit.cli.main import main\n"
        f"try:\n    main({list(args)!r})\nexcept SystemExit:\n    pass\n"
        "print('loaded:', *(m for m in sys.modules if m.startswith('graphkit.cli.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return {m.rsplit(".", 1)[1] for m in out.splitlines()[-1].split()[1:]} & set(MODULES)


def test_help_loads_no_command_module_and_a_command_only_its_own() -> None:
    loaded_after("--help")  # makes the index if it is missing or stale
    assert loaded_after("--help") == set()
    assert loaded_after("validate", str(SMALL)) == {"portfolio_commands"}
    assert loaded_after("relationships", "--help") == {"relationship_commands"}


def test_validating_a_yaml_file_imports_no_library_it_does_not_use() -> None:
    """Start-up is mostly imports: validate of YAML reads no tables, writes no
    file, draws nothing and talks to no database."""
    code = (
        "import sys\nfrom graphkit.cli.main import main\n"
        f"try:\n    main(['validate', {str(SMALL)!r}])\nexcept SystemExit:\n    pass\n"
        "print('loaded:', *sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(out.splitlines()[-1].split()[1:])
    unused = {"csv", "zipfile", "openpyxl", "tempfile", "shutil", "html", "neo4j", "networkx", "pydantic", "asyncio"}
    assert "graphkit.model" in loaded and not loaded & unused
