"""analyze's output: progress on stderr, JSON streamed section by section,
-o written whole or not at all."""

from __future__ import annotations

import gc
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from graphkit import read_portfolio
from graphkit.analysis import Analysis, analyses, analyze
from graphkit.analysis.results import Result, encode, native
from graphkit.cli.json_writer import write_json
from graphkit.cli.main import main
from graphkit.cli.output import to_json
from graphkit.fingerprint import fingerprint
from graphkit.generate import GeneratorSpec, build_portfolio_dict
from graphkit.problems import ExitCode, GraphkitError
from graphkit.validate import build_portfolio

EXAMPLE = Path(__file__).parent.parent / "examples" / "portfolio.yaml"

# The phases analyze names on stderr, in order (each a line's start after the clock).
PHASES = [
    "reading",
    "read and validated",
    "spof",
    "writing spof",  # each list as it is made
    "spof: cut points",
    "spof: supply engine",
    "spof: sole sources",
    "spof: critical nodes",
    "spof: key people",
    "spof: double failures",
    "spof: common causes",
    "overlap",
    "writing overlap",
    "concentration",
    "writing concentration",
    "fingerprint",
    "done",
]


def invoke(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def example_json() -> str:
    """The example's analysis as one string, the way it was written before streaming."""
    p, _ = read_portfolio(EXAMPLE)
    return to_json(Analysis(**{**analyze(p).__dict__, "fingerprint": fingerprint(p)}).as_dict()) + "\n"


def test_progress_names_every_phase_on_stderr_and_stdout_holds_only_the_json(example_json: str) -> None:
    code, out, err = invoke("analyze", EXAMPLE, "--format", "json", "--progress")
    assert code == 0 and out == example_json
    phases = [line.split("] ", 1)[1] for line in err.splitlines()]
    said = iter(phases)
    missing = [phase for phase in PHASES if not any(p.startswith(phase) for p in said)]
    assert not missing, phases  # each phase, in this order
    assert all(line.startswith("[") and " s] " in line for line in err.splitlines())


def test_no_progress_when_stderr_is_not_a_terminal(example_json: str) -> None:
    assert invoke("analyze", EXAMPLE, "--format", "json") == (0, example_json, "")
    code, out, err = invoke("analyze", EXAMPLE, "--progress", "--no-progress")
    assert code == 0 and out and err == ""


def test_table_progress_ends_with_one_writing_phase() -> None:
    code, out, err = invoke("analyze", EXAMPLE, "--progress")
    phases = [line.split("] ", 1)[1] for line in err.splitlines()]
    assert code == 0 and "Critical nodes: what one failure takes down" in out
    assert phases[-3:] == ["fingerprint", "writing", "done"]
    assert not any(p.startswith("writing ") for p in phases)


def test_json_is_written_as_each_analysis_finishes() -> None:
    p, _ = read_portfolio(EXAMPLE)
    out = io.StringIO()
    written_when: dict[str, str] = {}

    def heard(phase: str) -> None:
        written_when[phase] = out.getvalue()

    write_json(out, analyses(p, progress=heard))
    # spof's whole section is out before overlap starts, overlap's before concentration's
    assert written_when["overlap"].startswith('{\n  "spof": {') and written_when["overlap"].endswith("\n  }")
    assert '"partner_similarity"' in written_when["concentration"]
    assert '"concentration"' not in written_when["concentration"]


@pytest.mark.parametrize("seed", [1, 2])
def test_streamed_json_is_the_one_string_json_on_generated_portfolios(seed: int) -> None:
    p, _ = build_portfolio(build_portfolio_dict(GeneratorSpec.from_scale(2_000, seed=seed)), lambda path: "")
    result = analyze(p, pairs=5)
    out = io.StringIO()
    write_json(out, [*((name, getattr(result, name)) for name in ("spof", "overlap", "concentration")), ("f", "x")])
    assert out.getvalue() == to_json({**result.as_dict(), "f": "x"})
    streamed = io.StringIO()  # spof's lists each made as the writer reaches it
    write_json(streamed, [*analyses(p, pairs=5, streamed=True), ("f", "x")])
    assert streamed.getvalue() == out.getvalue()


def test_output_file_holds_the_same_bytes_and_stdout_nothing(tmp_path: Path, example_json: str) -> None:
    target = tmp_path / "results.json"
    assert invoke("analyze", EXAMPLE, "-f", "json", "-o", target)[:2] == (0, "")
    assert target.read_text(encoding="utf-8") == example_json
    assert invoke("analyze", EXAMPLE, "-f", "markdown", "-o", target)[:2] == (0, "")
    assert target.read_text(encoding="utf-8") == invoke("analyze", EXAMPLE, "-f", "markdown")[1]
    assert os.listdir(tmp_path) == ["results.json"]


def test_output_file_is_untouched_when_an_analysis_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import graphkit.analysis.overlap as overlap

    def broken(*_args: object) -> None:
        raise GraphkitError("overlap broke")

    target = tmp_path / "results.json"
    target.write_text("old", encoding="utf-8")
    monkeypatch.setattr(overlap, "requirement_overlap", broken)  # fails after spof has been written
    code, out, err = invoke("analyze", EXAMPLE, "-f", "json", "-o", target)
    assert code != 0 and "overlap broke" in err and "Traceback" not in err + out
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["results.json"]


def test_output_file_is_untouched_when_terminated_midway(tmp_path: Path) -> None:
    """SIGTERM arrives while overlap runs, after spof is already in the
    temporary file: the target keeps its old bytes and no temporary stays."""
    target = tmp_path / "results.json"
    target.write_text("old", encoding="utf-8")
    script = (
        "import os, signal, sys\n"
        "import graphkit.analysis.overlap as overlap\n"
        "def terminated(*_args):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    raise AssertionError('still running after SIGTERM')\n"
        "overlap.requirement_overlap = terminated\n"
        "from graphkit.cli.main import main\n"
        "sys.argv = ['graphkit', *sys.argv[1:]]\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "analyze", str(EXAMPLE), "-f", "json", "-o", str(target), "--progress"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "writing spof" in done.stderr  # spof had been written to the temporary
    assert done.returncode not in (0, 1) and "still running" not in done.stderr, done.stderr
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["results.json"]


# -- --top: the table and Markdown cut, JSON whole unless --top-json ----------------------------

RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}


def test_the_collector_stays_paused_while_every_section_is_made_and_written(
    example_json: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import graphkit.cli.analysis_commands as commands

    seen: list[bool] = []

    def write(out: Any, items: Any) -> None:
        def watched() -> Any:
            for item in items:
                seen.append(gc.isenabled())
                yield item

        write_json(out, watched())

    monkeypatch.setattr(commands, "write_json", write)
    assert gc.isenabled()
    code, out, _ = invoke("analyze", EXAMPLE, "--format", "json")
    assert code == 0 and out == example_json
    assert seen == [False] * 4  # spof, overlap, concentration, the fingerprint
    assert gc.isenabled()  # restored


def test_top_cuts_tables_and_markdown_but_not_json(example_json: str) -> None:
    code, table, _ = invoke("analyze", EXAMPLE, "--top", "3")
    assert code == 0 and "Sole-source steps (126)" in table and "… and 123 more (--top 0 shows all)" in table
    code, markdown, _ = invoke("analyze", EXAMPLE, "--top", "3", "-f", "markdown")
    assert "## Sole-source steps (126)" in markdown and "… and 123 more (--top 0 shows all)" in markdown
    assert markdown.count("| critical | prod-") <= 3 + markdown.count("| critical | prod-cefazolin")  # rows are cut
    assert invoke("analyze", EXAMPLE, "--top", "3", "-f", "json")[1] == example_json


def test_top_json_keeps_the_rows_the_table_shows_and_says_how_many(example_json: str) -> None:
    import json

    from graphkit.analysis import read_analysis
    from graphkit.cli.analysis_render import SECTIONS

    whole = json.loads(example_json)
    shown = {(name, attribute) for _, name, attribute, _ in SECTIONS}  # all keyed by their own names
    code, out, _ = invoke("analyze", EXAMPLE, "--top", "2", "-f", "json", "--top-json")
    cut = json.loads(out)
    assert code == 0 and read_analysis(cut).spof is not None  # still the JSON contract
    checked = 0
    for name, section in whole.items():
        if not isinstance(section, dict):
            continue
        for key, rows in section.items():
            if not (isinstance(rows, list) and rows and isinstance(rows[0], dict)) or key in ("bands",):
                continue
            kept = cut[name][key]
            if (name, key) not in shown:  # a list the table does not show stays whole
                assert kept == rows
                continue
            if len(rows) <= 2:
                assert kept == rows and cut[name].get(f"{key}_total") == section.get(f"{key}_total")
                continue
            checked += 1
            assert len(kept) == 2 and all(row in rows for row in kept)
            assert cut[name].get(f"{key}_total", len(rows)) == len(rows)
            if key in ("double_failures", "common_causes"):  # ranked by money: the first two
                assert kept == rows[:2]
            elif "severity" in rows[0]:  # the most severe, ties in the analysis's order
                dropped = [r for r in rows if r not in kept]
                assert min(RANK[r["severity"]] for r in kept) >= max(RANK[r["severity"]] for r in dropped)
                assert kept == sorted(kept, key=lambda r: (-RANK[r["severity"]], rows.index(r)))
    assert checked >= 6
    assert cut["spof"]["double_failures_total"] == whole["spof"]["double_failures_total"]


def test_top_json_needs_json() -> None:
    code, _, err = invoke("analyze", EXAMPLE, "--top-json")
    assert code == 2 and "--top-json" in err


@dataclass(frozen=True)
class Row(Result):
    value: object
    rows: tuple[Row, ...]


def test_streamed_json_writes_every_kind_of_value_as_json_dumps_does() -> None:
    from enum import Enum
    from types import MappingProxyType

    from graphkit.analysis.severity import Severity

    class Colour(Enum):
        RED = "red"

    tricky: list[tuple[str, object]] = [
        ("floats", [0.1, -0.0, 1e16, 1e-05, 5e-324, 1.7976931348623157e308, float("nan"), float("inf"), -float("inf")]),
        ("ints", [0, -1, 2**70, True, False, None]),
        ("text", ['é \u2028 \x00 \x1f \x7f " \\ \n\r\t', "", "日本"]),
        ("keys", {7: "a", 2.5: "b", True: "c", False: "f", None: "d", "é\n": "e"}),
        ("empties", [[], {}, (), [[]], {"a": {}}]),
        ("typed", [Severity.HIGH, Colour.RED, MappingProxyType({"k": (1, 2)}), frozenset({"b", "a"})]),
        ("nested", {"a": [{"b": [1, {"c": ()}]}], "d": ((1, 2), (3,))}),
    ]
    # Rows of a result (written by orjson where it writes as json.dumps does) holding each of them,
    # and text that only looks like what orjson spells otherwise.
    values = [x for _, v in tricky for x in (v if isinstance(v, list) else [v])]
    values += [1.5e-05, -2e-07, 0.0001, 1e-4 * 0.99, "1e-5 and 0.00001", "null", None]
    tricky.append(("rows", [Row(x, (Row(x, ()),)) for x in values]))
    out = io.StringIO()
    write_json(out, iter(tricky))
    expected = to_json({k: [encode(x) for x in v] if isinstance(v, list) else encode(v) for k, v in tricky})
    assert out.getvalue() == expected
    assert write_json_text([]) == to_json({}) == "{}"


@dataclass(frozen=True)
class FloatRow(Result):
    value: float
    note: str | None
    rows: tuple[FloatRow, ...]


@dataclass(slots=True, unsafe_hash=True)
class PlainRow(Result):
    name: str
    value: float


def test_long_lists_of_rows_are_written_as_json_dumps_does_whatever_they_hold() -> None:
    # Rows go to orjson a batch at a time: batches of rows it writes as json.dumps does, batches holding
    # one it would not (each row then on its own), and rows of other types or other values between them.
    rows: list[object] = [Row(i, ()) for i in range(700)]
    rows[300] = Row(float("nan"), ())
    rows[650] = Row(1e-07, (Row("null", ()),))
    rows[680:680] = [FloatRow(0.5, None, ()), "text", Row(None, ())]
    values = (1e-05, -2e-07, 20209573250.000004, 1e16, 0.1) * 120
    others = [FloatRow(x, None, (FloatRow(x, "n", ()),) if i % 7 else ()) for i, x in enumerate(values)]
    others[500] = FloatRow(float("inf"), None, ())
    # Rows whose every field is JSON as it is go to orjson as they are, floats and all.
    plain = [PlainRow("a", x) for x in values]
    plain[7] = PlainRow("nan", float("nan"))
    assert native(PlainRow)
    items: list[tuple[str, object]] = [
        ("list", rows),
        ("tuple", tuple(rows)),
        ("one", [Row(1, ())]),
        ("o", others),
        ("plain", tuple(plain)),
    ]
    assert write_json_text(items) == to_json({k: [encode(x) for x in v] for k, v in items})  # type: ignore[attr-defined]


def write_json_text(items: list[tuple[str, object]]) -> str:
    out = io.StringIO()
    write_json(out, items)
    return out.getvalue()


@pytest.mark.parametrize("more", [[], ["--fail-on", "critical"]])
def test_json_lets_each_list_of_spof_go_once_written(monkeypatch: pytest.MonkeyPatch, more: list[str]) -> None:
    # spof's lists are made one at a time as written: its critical nodes are gone when common causes start.
    import weakref

    import graphkit.analysis.joint as joint
    import graphkit.analysis.spof as spof

    made: list[weakref.ref[object]] = []
    alive: list[int] = []
    real_critical, real_common = spof._critical_nodes, joint._common_causes

    def critical(ctx):  # type: ignore[no-untyped-def]
        rows = real_critical(ctx)
        made.extend(weakref.ref(r) for r in rows)
        return rows

    def common(ctx):  # type: ignore[no-untyped-def]
        alive.append(sum(ref() is not None for ref in made))
        return real_common(ctx)

    monkeypatch.setattr(spof, "_critical_nodes", critical)
    monkeypatch.setattr(joint, "_common_causes", common)
    code, out, _ = invoke("analyze", EXAMPLE, "-f", "json", *more)
    assert code in (0, ExitCode.FINDINGS) and out.startswith("{") and made
    assert alive == ([0] if not more else [len(made)])  # --fail-on reads them all at the end


@pytest.mark.parametrize("more", [[], ["--fail-on", "critical"]])
def test_json_lets_each_result_go_once_written(monkeypatch: pytest.MonkeyPatch, more: list[str]) -> None:
    # An industry-wide analysis holds one result at a time: the one written is gone when the next is built.
    import weakref

    import graphkit.analysis as analysis

    real = analysis.analyses
    written: list[weakref.ref[object]] = []
    alive: list[int] = []

    def watched(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        for name, result in real(*args, **kwargs):  # type: ignore[arg-type]
            alive.append(sum(ref() is not None for ref in written))
            written.append(weakref.ref(result))
            yield name, result
            del result

    monkeypatch.setattr(analysis, "analyses", watched)
    code, out, _ = invoke("analyze", EXAMPLE, "-f", "json", *more)
    assert code in (0, ExitCode.FINDINGS) and out.startswith("{")
    assert alive == ([0, 0, 0] if not more else [0, 1, 2])  # --fail-on reads them all at the end
