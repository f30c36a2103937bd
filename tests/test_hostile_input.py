"""Bad and hostile input: every case is refused or kept exactly, with a
located message, bounded work and no traceback (issue: trustworthy under
faults, bad input and hostile data)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_validation import BASE

from graphkit import GraphkitError, PortfolioError, read_portfolio, write_portfolio
from graphkit.cli.main import main
from graphkit.io import atomic_path
from graphkit.model import Portfolio

SMALL = Path(__file__).with_name("small.yaml")


def problems_of(path: Path) -> list[str]:
    with pytest.raises(PortfolioError) as info:
        read_portfolio(path)
    return [str(p) for p in info.value.problems]


def has(found: list[str], *expected: str) -> None:
    for e in expected:
        assert any(e in f for f in found), (e, found)


# -- numbers as ids ---------------------------------------------------------


def test_integer_ids_are_text_everywhere(write) -> None:
    """An analyst's spreadsheet ids like 1001 keep working: a whole number is
    the id '1001', in definitions and references alike."""
    path = write(
        "p.yaml",
        "providers: [{id: 7, name: Seven, kind: cmo}]\nclients: [{id: 1001, name: C, segment: small}]\n"
        "products: [{id: 55, name: P, technology: tablet, owner: 1001, supply: [{provider: 7, step: api}]}]\n"
        "contracts: [{client: '1001', provider: 7, annual_value: 5}]\n",
    )
    p, warnings = read_portfolio(path)
    assert warnings == [] and p.nodes["55"].owner == "1001" and p.contracts[0].provider == "7"


def test_duplicate_integer_and_text_ids(write) -> None:
    path = write(
        "p.yaml", "providers:\n  - {id: 7, name: Seven, kind: cmo}\n  - {id: '7', name: Also seven, kind: cmo}\n"
    )
    assert problems_of(path) == [f"{path}:3: duplicate id '7' (first defined at {path}:2)"]


def test_a_provider_kind_written_as_a_list_is_refused_not_a_crash(write) -> None:
    path = write("p.yaml", "providers:\n  - {id: a, name: A, kind: [cmo]}\n")
    assert problems_of(path) == [
        f"{path}:2: provider 'a': kind '['cmo']' is not one of cmo, cro, test_lab, distributor (did you mean 'cmo'?)"
    ]


def test_fractional_ids_are_refused_in_definitions_and_references(write) -> None:
    """1.5 and 1.50 are one number: an id that is not a whole number must be
    written as text, or two ids could silently become one."""
    path = write(
        "p.yaml",
        "providers:\n  - {id: 1.5, name: A, kind: cmo}\n  - {id: 1.50, name: B, kind: cmo}\n"
        "clients:\n  - {id: c, name: C, segment: small}\n"
        "products:\n  - {id: p, name: P, technology: tablet, owner: 2.5, supply: [{provider: 1.5, step: api}]}\n",
    )
    found = problems_of(path)
    has(
        found,
        f"{path}:2: provider '1.5': id 1.5 is a number that is not whole; write it in quotes",
        f"{path}:3: provider '1.5': id 1.5 is a number",
        f"{path}:7: product 'p': owner 2.5 is a number that is not whole",
        f"{path}:7: product 'p': supply #1 provider 1.5 is a number",
    )


def test_boolean_id_is_refused(write) -> None:
    path = write("p.yaml", "clients:\n  - {id: yes, name: C, segment: small}\n")
    has(problems_of(path), f"{path}:2: client 'True': id must be text, got 'True'")


# -- requirement topics -----------------------------------------------------


def test_ids_may_not_take_the_requirement_topic_prefix(write) -> None:
    path = write(
        "p.yaml",
        BASE.replace("{id: client-1,", "{id: 'topic:labeling',").replace("owner: client-1", "owner: 'topic:labeling'")
        + "requirements:\n  - {party: mp-1, topic: labeling, value: de}\n",
    )
    has(
        problems_of(path),
        f"{path}:5: client 'topic:labeling': ids starting 'topic:' are reserved for requirement topics",
    )


# -- accepted but wrong -----------------------------------------------------


def test_boolean_amount_is_refused(write) -> None:
    path = write("p.yaml", BASE + "contracts:\n  - {client: client-1, provider: cmo-1, annual_value: true}\n")
    assert problems_of(path) == [
        f"{path}:16: contract client-1 -> cmo-1: annual_value must be a number, got 'True'",
    ]


def test_duplicate_yaml_keys_are_errors(write) -> None:
    path = write("p.yaml", BASE + "providers:\n  - {id: cmo-9, name: X, kind: cmo, name: Y}\n")
    found = problems_of(path)
    has(found, f"{path}:15: duplicate key 'providers' (first at line 1)", f"{path}:16: duplicate key 'name'")


def test_duplicate_json_keys_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(
        '{\n "clients": [\n  {"id": "c", "name": "C", "segment": "small", "name": "D"}\n ],\n "clients": []\n}\n'
    )
    found = problems_of(path)
    has(found, f"{path}:3: duplicate key 'name'", f"{path}:5: duplicate key 'clients'")


def test_duplicate_contracts_are_errors_not_sums(write) -> None:
    path = write(
        "p.yaml",
        BASE + "contracts:\n  - {client: client-1, provider: cmo-1, annual_value: 1}\n"
        "  - {client: client-1, provider: cmo-1, annual_value: 2}\n",
    )
    assert problems_of(path) == [
        f"{path}:17: duplicate contract client-1 -> cmo-1 in USD (first at {path}:16); write one contract with the"
        " total"
    ]


def test_duplicate_supply_entries_are_errors(write) -> None:
    path = write(
        "p.yaml",
        BASE.replace(
            "supply: [{provider: cmo-1, step: drug_product}]",
            "supply: [{provider: cmo-1, step: drug_product}, {provider: cmo-1, step: drug_product, qualified: false}]",
        ),
    )
    assert problems_of(path) == [
        f"{path}:13: product 'prod-1': duplicate supply entry cmo-1 drug_product (first at {path}:13)"
    ]


# -- bounded work -----------------------------------------------------------


def test_yaml_alias_bomb_is_refused_before_expansion(write) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 9):
        prev, cur = chr(ord("a") + n - 1), chr(ord("a") + n)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    path = write("p.yaml", "\n".join(lines) + "\nproviders: *i\n")
    found = problems_of(path)
    assert len(found) == 1 and "aliases expand" in found[0] and len(found[0]) < 300


def test_messages_quote_a_short_prefix_of_long_values(write) -> None:
    path = write("p.yaml", f"clients:\n  - {{id: c, name: C, segment: {'x' * 100_000}}}\n")
    (found,) = problems_of(path)
    assert found.startswith(f"{path}:2: client 'c': segment 'xxxx") and len(found) < 400


def test_deeply_nested_json_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"clients":\n' + "[" * 100_000 + "]" * 100_000 + "}")
    has(problems_of(path), f"{path}:2: nested deeper than")


def test_deeply_nested_yaml_is_a_located_error(write) -> None:
    path = write("p.yaml", "clients:\n  - " + "[" * 5000 + "]" * 5000 + "\n")
    has(problems_of(path), f"{path}:2: not valid YAML")


def test_csv_field_over_the_limit_is_a_located_error(tmp_path: Path) -> None:
    folder = write_portfolio(read_portfolio(SMALL)[0], tmp_path / "csv")
    with (folder / "clients.csv").open("a") as f:
        f.write(f"c-9,{'n' * 200_000},small\n")
    has(problems_of(folder), f"{folder}/clients.csv:5: a cell is longer than 131,072 characters")


def test_non_utf8_input_gives_file_and_line(tmp_path: Path) -> None:
    yml = tmp_path / "p.yaml"
    yml.write_bytes(b"clients:\n  - {id: c, name: \xff\xfe, segment: small}\n")
    with pytest.raises(GraphkitError, match=rf"^{yml}:2: not UTF-8 text \(byte 0xff\)"):
        read_portfolio(yml)
    folder = write_portfolio(read_portfolio(SMALL)[0], tmp_path / "csv")
    with (folder / "clients.csv").open("ab") as f:
        f.write(b"c-9,Caf\xe9,small\n")
    with pytest.raises(GraphkitError, match=rf"^{folder}/clients.csv:4: not UTF-8 text \(byte 0xe9\)"):
        read_portfolio(folder)


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_over_long_integers_are_located(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"p.{suffix}"
    digits = "9" * 5000
    if suffix == "json":
        path.write_text('{"clients": [\n{"id": "c", "name": "C", "segment": "small"}],\n"contracts": [' + digits + "]}")
    else:
        path.write_text(f"clients:\n  - {{id: c, name: C, segment: small}}\ncontracts: [{digits}]\n")
    (found,) = problems_of(path)
    assert found.startswith(f"{path}:3: a number with 5000 digits") and len(found) < 300


# -- spreadsheets -----------------------------------------------------------


def _book(tmp_path: Path) -> Path:
    return write_portfolio(read_portfolio(SMALL)[0], tmp_path / "p.xlsx")


def test_xlsx_formula_without_a_value_is_reported_with_its_cell(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = _book(tmp_path)
    wb = load_workbook(book)
    wb["contracts"]["C2"] = "=1000000*5"
    wb.save(book)
    has(
        problems_of(book),
        f"{book}[contracts] row 2: cell C2 holds the formula '=1000000*5' and no value; graphkit reads values: "
        "enter the value, or open and save the workbook in a spreadsheet program so it stores one",
    )


def test_xlsx_cell_far_outside_the_table_costs_nothing(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = _book(tmp_path)
    wb = load_workbook(book)
    wb["clients"]["XFD1048576"] = "x"
    wb.save(book)
    assert book.stat().st_size < 20_000
    p, warnings = read_portfolio(book)
    assert p == read_portfolio(SMALL)[0]
    assert [str(w) for w in warnings] == [
        f"{book}[clients] row 1048576: warning: cell XFD1048576 is outside the table's columns: ignored"
    ]


def test_xlsx_declared_dimensions_are_checked_before_reading(tmp_path: Path) -> None:
    book = _book(tmp_path)
    forged = tmp_path / "forged.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(forged, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith("sheet2.xml"):  # clients: one cell past Excel's last row
                row = b'<row r="2000000"><c r="A2000000"><v>1</v></c></row>'
                data = data.replace(b"</sheetData>", row + b"</sheetData>")
            dst.writestr(item, data)
    with pytest.raises(GraphkitError, match=r"\[clients\]: row 2000000 is past the last row a workbook can have"):
        read_portfolio(forged)


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated
        lambda b: b"providers.csv,id\n",  # a text file named .xlsx
        lambda b: b.replace(b"xl/workbook.xml", b"xl/workbook.xmm"),  # a member missing
        lambda b: b[:200] + bytes(200) + b[400:],  # corrupt bytes
    ],
)
def test_damaged_workbooks_are_errors_naming_the_file(tmp_path: Path, damage) -> None:
    book = _book(tmp_path)
    book.write_bytes(damage(book.read_bytes()))
    with pytest.raises(GraphkitError, match=rf"^{book}: not a readable .xlsx workbook"):
        read_portfolio(book)


def test_control_characters_are_refused_before_any_write(write, tmp_path: Path) -> None:
    path = write("p.yaml", 'clients:\n  - {id: c, name: "C\\u0000x\\u001b[2J", segment: small}\n')
    found = problems_of(path)
    assert found == [f"{path}:2: client 'c': name contains the control character U+0000 (at character 2)"]
    result = CliRunner().invoke(main, ["convert", str(path), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert not (tmp_path / "out.xlsx").exists()


def test_text_with_surrounding_whitespace_is_refused_in_every_format(write, tmp_path: Path) -> None:
    path = write("p.yaml", BASE.replace("kind: cmo}", "kind: cmo, country: ' DE'}"))
    assert problems_of(path) == [f"{path}:2: provider 'cmo-1': country ' DE' has spaces around it; remove them"]
    folder = write_portfolio(read_portfolio(write("q.yaml", BASE))[0], tmp_path / "csv")
    clients = folder / "clients.csv"
    clients.write_text(clients.read_text().replace("Client One", "Client One "))
    assert problems_of(folder) == [
        f"{folder}/clients.csv:2: client 'client-1': name 'Client One ' has spaces around it; remove them"
    ]


@pytest.mark.parametrize("target", ["p-csv", "p.xlsx", "p.json", "p.yaml"])
def test_list_separator_quotes_and_odd_text_survive_every_format(tmp_path: Path, write, target: str) -> None:
    text = (
        BASE.replace("{id: mp-1, name: Partner}", "{id: 'mp;1', name: \"'=Partner\", territories: ['E;U', 'a\\\\;b']}")
        .replace("marketed_by: [mp-1]", "marketed_by: ['mp;1']")
        .replace("{id: cmo-1, name: Alpha CMO", "{id: 'cmo\\\\1', name: \"''quoted\"")
        .replace("provider: cmo-1", "provider: 'cmo\\\\1'")
        + "liaisons:\n  - {id: li, name: '@Li', client: client-1, providers: ['cmo\\\\1'], skills: ['x;y', '-z\\n2']}\n"
    )
    original, _ = read_portfolio(write("p.yaml", text))
    assert original.nodes["mp;1"].territories == ("E;U", "a\\\\;b")  # single quotes: two backslashes
    assert original.nodes["cmo\\\\1"].name == "''quoted"
    assert read_portfolio(write_portfolio(original, tmp_path / target))[0] == original


def test_xlsx_marks_formula_like_text_as_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = _book(tmp_path)
    ws = load_workbook(book)["requirements"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=@"]
    assert {c.value for c in cells} == {"=cmd|' /C calc'!A0", "@SUM(1)"}
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_ctrl_c_during_an_xlsx_write_leaves_nothing_and_no_traceback(tmp_path: Path, monkeypatch) -> None:
    import openpyxl.workbook.workbook

    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")

    def interrupted(self, filename):  # the user presses Ctrl-C while the workbook is being saved
        Path(filename).write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(openpyxl.workbook.workbook.Workbook, "save", interrupted)
    result = CliRunner().invoke(main, ["convert", str(SMALL), "-o", str(target)])
    assert result.exit_code == 130 and "Traceback" not in result.output
    assert "interrupted; nothing was written" in result.output
    assert target.read_bytes() == b"old" and [f.name for f in tmp_path.iterdir()] == ["out.xlsx"]


# -- exports: formula and row smuggling -------------------------------------


def test_every_dangerous_start_is_neutralised_and_line_breaks_quoted() -> None:
    import csv
    import io

    from graphkit.cli.output import render_rows
    from graphkit.io.tables import safe_cell

    for start in ("=", "+", "-", "@", "\t", "\r", "\0", "'"):
        assert safe_cell(start + "1+1") == "'" + start + "1+1"
    assert safe_cell("a=b") == "a=b" and safe_cell(-3) == -3
    out = render_rows([{"a": "US\r=2+5", "b": "x\ny", "n": -2}], "csv")
    assert list(csv.reader(io.StringIO(out))) == [["a", "b", "n"], ["US\r=2+5", "x\ny", "-2"]]
    assert out.count("\n") == 2 and '"US\r=2+5"' in out


def test_analysis_csv_neutralises_data_at_the_start_of_every_cell(write) -> None:
    hostile = write("h.yaml", SMALL.read_text().replace("cmo-a", "'@cmo-a'").replace("prod-1", "'-prod-1'"))
    out = CliRunner().invoke(main, ["analyze", str(hostile), "--format", "csv"]).stdout
    cells = [c for line in out.splitlines()[1:] for c in line.split(",")]
    assert any(c.startswith("'@cmo-a") for c in cells) and any(c.startswith("'-prod-1") for c in cells)
    assert not any(c.startswith(("@", "-", "=", "+")) for c in cells)


def test_analysis_markdown_escapes_data(write) -> None:
    hostile = write(
        "h.yaml", SMALL.read_text().replace("cmo-a", "'<img src=x onerror=alert(1)>'").replace("prod-1", "'*[x](y)*'")
    )
    out = CliRunner().invoke(main, ["analyze", str(hostile), "--format", "markdown", "--limit", "0"]).stdout
    assert "<img" not in out and "&lt;img src=x onerror=alert\\(1\\)&gt;" in out
    assert "*[x](y)*" not in out and "\\*\\[x\\]\\(y\\)\\*" in out


# -- terminal ---------------------------------------------------------------


def test_escape_sequences_never_reach_the_terminal_raw(write) -> None:
    from graphkit.cli.output import render_table

    assert render_table([{"a": "x\x1b[2Jy\x9b"}]).splitlines()[-1] == "x\\x1b[2Jy\\x9b"
    path = write("p\x1b[31m.yaml", 'clients:\n  - {id: c, name: C, segment: small, "\\e[2J": 1}\n')
    result = CliRunner().invoke(main, ["validate", str(path)], color=True)
    assert "\x1b[2J" not in result.output and "\x1b[31m.yaml" not in result.output
    assert "\\x1b[2J" in result.output and "p\\x1b[31m.yaml:2" in result.output


def test_ids_differing_only_by_invisible_or_look_alike_characters_warn(write) -> None:
    path = write(
        "p.yaml",
        "providers:\n  - {id: cmo-1, name: A, kind: cmo}\n  - {id: cm\u043e-1, name: B, kind: cmo}\n"
        '  - {id: "cmo\u200b-1", name: C, kind: cmo}\n  - {id: \u03bfk, name: D, kind: cmo}\n',
    )
    _, warnings = read_portfolio(path)
    assert [str(w) for w in warnings] == [
        f"{path}:3: warning: id 'cm\u043e-1' looks like 'cmo-1' (at {path}:2): it differs only in"
        " U+043E CYRILLIC SMALL LETTER O",
        f"{path}:4: warning: id 'cmo\u200b-1' looks like 'cmo-1' (at {path}:2): it differs only in"
        " U+200B ZERO WIDTH SPACE",
    ]


# -- signals ----------------------------------------------------------------


def test_sigterm_during_a_write_removes_the_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    with pytest.raises(SystemExit), atomic_path(target) as tmp:
        tmp.write_text("half")
        os.kill(os.getpid(), signal.SIGTERM)
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


@pytest.mark.parametrize("name", ["out.json", "out-csv"])
def test_temporaries_of_a_killed_writer_are_swept_by_the_next_write(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    script = (
        "import os, signal, sys\nfrom pathlib import Path\nfrom graphkit.io import atomic_path\n"
        f"with atomic_path(Path(sys.argv[1]), directory={name.endswith('csv')}) as tmp:\n"
        "    (tmp / 'x.csv' if tmp.is_dir() else tmp).write_text('half')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(target)], check=False)
    (left,) = tmp_path.iterdir()
    assert left.name.startswith(f".{name}.") and left.name.endswith(".tmp")
    write_portfolio(Portfolio(), target)
    assert [f.name for f in tmp_path.iterdir()] == [name]


def test_a_live_writers_temporary_is_not_swept(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    with atomic_path(target) as tmp:
        write_portfolio(Portfolio(), target)  # another write to the same target meanwhile
        assert tmp.exists()
        tmp.write_text(json.dumps({}))
    assert [f.name for f in tmp_path.iterdir()] == ["out.json"]
