"""The `graphkit` command: assembles the commands of the *_commands modules
under one group (see `common.GraphkitGroup` for errors and exit codes).

A command's module is imported only when that command runs: `graphkit
validate` loads the portfolio commands alone, and `graphkit --help` lists
every command from an index of their names, modules and help texts, kept
beside the compiled modules and made again (by importing them all) whenever
one of the modules changes."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
from pathlib import Path
from typing import Any

import click

import graphkit

from .common import CONTEXT, GraphkitGroup

# The modules whose `COMMANDS` make up graphkit.
MODULES = (
    "portfolio_commands",
    "analysis_commands",
    "relationship_commands",
    "query_commands",
    "viz_commands",
    "neo4j_commands",
    "import_commands",
)
HERE = Path(__file__).parent
# name -> {"module", and what `--help` shows of it: "help", "short_help", "deprecated", "hidden"}
Index = dict[str, dict[str, Any]]
_SHOWN = ("help", "short_help", "deprecated", "hidden")


class LazyGroup(GraphkitGroup):
    """A group whose commands are imported on first use (see the module's
    docstring); `commands` imports them all, as a plain group holds them."""

    index_path = HERE / "__pycache__" / "commands.json"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._index: Index | None = None
        self._loaded: set[str] = set()

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        for module in MODULES:
            self._load(module)
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.index())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = self.index().get(cmd_name)
        if entry is not None:
            self._load(entry["module"])
        return self._commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's listing, made from the index's copies of the help texts."""
        shown = {
            name: click.Command(name, **{key: entry[key] for key in _SHOWN}) for name, entry in self.index().items()
        }
        click.Group(commands=shown).format_commands(ctx, formatter)

    def index(self) -> Index:
        if self._index is None:
            self._index = self._read_index() or self._make_index()
        return self._index

    def _load(self, module: str) -> list[click.Command]:
        commands: list[click.Command] = importlib.import_module(f".{module}", __package__).COMMANDS
        if module not in self._loaded:
            self._commands.update((command.name or "", command) for command in commands)
            self._loaded.add(module)
        return commands

    def _read_index(self) -> Index | None:
        try:
            saved = json.loads(self.index_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(saved, dict) or saved.get("sources") != _sources():
            return None
        commands = saved.get("commands")
        entries = commands.values() if isinstance(commands, dict) else [None]
        if all(isinstance(e, dict) and e.get("module") in MODULES and set(_SHOWN) <= e.keys() for e in entries):
            return commands
        return None  # not what this version writes: made again

    def _make_index(self) -> Index:
        index: Index = {}
        for module in MODULES:
            for command in self._load(module):
                index[command.name or ""] = {"module": module, **{key: getattr(command, key) for key in _SHOWN}}
        import tempfile  # only when the index is made

        with contextlib.suppress(OSError):  # a read-only install: listed by importing, every time
            self.index_path.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".commands.", suffix=".tmp", dir=self.index_path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump({"sources": _sources(), "commands": index}, out)
                os.replace(tmp, self.index_path)
            except OSError:
                os.unlink(tmp)
                raise
        return index


def _sources() -> list[Any]:
    """What the index was made from: the size and time of change of every
    module of the command line (as Python checks a compiled module)."""
    out: list[Any] = [graphkit.__version__, list(MODULES)]
    for entry in sorted(os.scandir(HERE), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            stat = entry.stat()
            out.append([entry.name, stat.st_size, stat.st_mtime_ns])
    return out


@click.group(cls=LazyGroup, context_settings=CONTEXT)
@click.version_option(graphkit.__version__, "--version", "-V", prog_name="graphkit")
def main() -> None:
    """Map pharmaceutical contract-manufacturing relationships as a graph and
    find what endangers supply.

    \b
    Examples:
      graphkit validate examples/portfolio.yaml
      graphkit analyze examples/portfolio.yaml
      graphkit whatif examples/portfolio.yaml --fail cmo-northbridge
      graphkit relationships examples/portfolio.yaml
      graphkit query deps examples/portfolio.yaml prod-veltamab
      graphkit report examples/portfolio.yaml -o report.html
      graphkit neo4j load examples/portfolio.yaml
    """
