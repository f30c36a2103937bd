"""The command line, through click's runner and through the installed entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from graphkit import read_portfolio
from graphkit.cli.main import main

SMALL = Path(__file__).with_name("small.yaml")


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def all_commands(group: click.Group = main, prefix: tuple[str, ...] = ()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, prefix + (name,))


def test_every_command_has_help_with_an_example() -> None:
    for path, _ in [((), main), *all_commands()]:
        result = run(*path, "-h")
        assert result.exit_code == 0, path
        assert "Example" in result.output, f"graphkit {' '.join(path)} has no example"


def test_version() -> None:
    assert run("--version").output.strip() == "graphkit, version 0.1.0"


def test_validate_summary() -> None:
    result = run("validate", SMALL)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == f"{SMALL}: valid, 14 nodes, 19 relationships"
    assert "  segments:        large 1, small 1" in lines


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown"])
def test_validate_formats(fmt: str) -> None:
    out = run("validate", SMALL, "--format", fmt).output
    if fmt == "json":
        assert json.loads(out)["nodes"]["cmo"] == 3
    elif fmt == "csv":
        assert "nodes,cmo,3" in out.splitlines()
    else:
        assert "| nodes | cmo | 3 |" in out.splitlines()


def test_invalid_input_exits_1_with_every_problem_and_no_traceback(write) -> None:
    path = write("bad.yaml", "clients:\n  - {id: c, name: C, segment: tiny}\n  - {id: c, name: D, segment: small}\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{path}:2: client 'c': segment 'tiny' is not one of" in result.output
    assert f"{path}:3: duplicate id 'c' (first defined at {path}:2)" in result.output
    assert "Error: " in result.output and "nothing was written" in result.output


def test_convert_writes_nothing_when_input_is_invalid(write, tmp_path: Path) -> None:
    path = write("bad.yaml", "clients:\n  - {id: c, name: '', segment: small}\n")
    result = CliRunner().invoke(main, ["convert", str(path), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 1
    assert not (tmp_path / "out.xlsx").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_convert_round_trip(tmp_path: Path) -> None:
    assert run("convert", SMALL, "-o", tmp_path / "p.xlsx").exit_code == 0
    assert run("convert", tmp_path / "p.xlsx", "-o", tmp_path / "p", "--to", "csv").exit_code == 0
    assert read_portfolio(tmp_path / "p")[0] == read_portfolio(SMALL)[0]


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_generate_is_reproducible(tmp_path: Path) -> None:
    for name, seed in (("a.yaml", 5), ("b.yaml", 5), ("c.yaml", 6)):
        result = run("generate", "--scale", 800, "--seed", seed, "-o", tmp_path / name)
        assert result.exit_code == 0
    a, b, c = ((tmp_path / n).read_bytes() for n in ("a.yaml", "b.yaml", "c.yaml"))
    assert a == b and a != c
    read_portfolio(tmp_path / "a.yaml")  # and valid


def test_generate_rejects_impossible_counts(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["generate", "--providers", "1", "-o", str(tmp_path / "x.yaml")])
    assert result.exit_code == 1 and result.output.startswith("Error: cannot generate: providers must be")
    assert not (tmp_path / "x.yaml").exists()


def test_installed_entry_point(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("graphkit")
    assert exe.exists(), "graphkit is not installed in this environment"
    ok = subprocess.run([exe, "validate", SMALL], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith(f"{SMALL}: valid")
    bad = tmp_path / "bad.json"
    bad.write_text('{"products": [{"id": "p"}]}')
    failed = subprocess.run([exe, "validate", bad], capture_output=True, text=True)
    assert failed.returncode == 1 and failed.stdout == ""
    assert "product 'p': name is missing" in failed.stderr and "Traceback" not in failed.stderr
    module = subprocess.run([sys.executable, "-m", "graphkit", "--version"], capture_output=True, text=True)
    assert module.stdout.strip() == "graphkit, version 0.1.0"


def test_csv_cells_keep_numbers_and_neutralise_formula_text() -> None:
    from graphkit.cli.output import render_rows

    out = render_rows(
        [{"n": -1500.5, "t": "-x", "f": "=HYPERLINK(1)", "at": "@a", "plus": "+1", "big": 1234567}], "csv"
    )
    assert out.splitlines() == ["n,t,f,at,plus,big", "-1500.5,'-x,'=HYPERLINK(1),'@a,'+1,1234567"]


# --- how the command line is put together ------------------------------------

CLI = Path(__file__).resolve().parent.parent / "cli"


def cli_imports() -> dict[str, set[str]]:
    """Module of cli/ -> the cli/ modules it imports (at any depth in the file)."""
    import ast

    graph: dict[str, set[str]] = {}
    for path in CLI.glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level == 1:
                    found |= {node.module} if node.module else {a.name for a in node.names}
                elif (node.module or "").startswith("graphkit.cli."):
                    found.add(node.module.removeprefix("graphkit.cli."))
        graph[path.stem] = found
    return graph


def test_cli_imports_have_no_cycle_and_only_the_entry_points_import_main() -> None:
    import graphlib

    graph = cli_imports()
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError on a cycle
    assert {m for m, deps in graph.items() if "main" in deps} == {"__main__"}
    commands = {m for m in graph if m.endswith("_commands")}
    assert all(not (graph[m] & commands) for m in commands), "commands borrow from each other"


def test_readme_lists_every_exit_code() -> None:
    from graphkit.problems import ExitCode

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Exit codes", 1)[1].split("##", 1)[0]
    listed = [part.strip() for part in " ".join(section.split()).rstrip(".").split("·")]
    assert listed == [f"{int(c)} {c.meaning}" for c in ExitCode]


def test_help_loads_no_driver_graph_library_or_spreadsheet_reader() -> None:
    code = (
        "import sys\nfrom graphkit.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(' '.join(m for m in ('neo4j', 'networkx', 'openpyxl', 'asyncio', 'pyvis') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == ""
