"""Write the corpus of malformed portfolios in tests/corpus/inputs/ (run from
the repository root: `python tests/corpus/make_corpus.py`). The outputs are
committed; tests/test_corpus.py reads every one of them each run.

Each input is the small test portfolio broken one way: syntax, types,
references, duplicates, hostile text, sizes meant to exhaust memory or time,
damaged workbooks.
"""

from __future__ import annotations

import json
import shutil
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from graphkit import read_portfolio, write_portfolio  # noqa: E402

SMALL = HERE.parent / "small.yaml"
OUT = HERE / "inputs"

BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x]"]
    + [f"{c}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]" for p, c in zip("abcdefgh", "bcdefghi")]
)

# (name, change to the YAML text): each also becomes a JSON input where it still parses.
TEXT = {
    "empty": lambda t: "",
    "scalar": lambda t: "42\n",
    "list-root": lambda t: "- a\n- b\n",
    "tab-indent": lambda t: t.replace("  - {id: cb-1", "\t- {id: cb-1"),
    "unclosed-flow": lambda t: t.replace("services: [cell_bank]}", "services: [cell_bank}"),
    "float-id": lambda t: t.replace("id: cb-1", "id: 1.5").replace("from: cb-1", "from: 1.5"),
    "bool-id": lambda t: t.replace("id: cb-1", "id: true"),
    "null-id": lambda t: t.replace("id: cb-1", "id: null"),
    "list-id": lambda t: t.replace("id: cb-1", "id: [a, b]"),
    "int-ids": lambda t: t.replace("cb-1", "1001"),
    "huge-int": lambda t: t.replace("annual_value: 300000", "annual_value: " + "9" * 6000),
    "huge-float": lambda t: t.replace("annual_value: 300000", "annual_value: 1e999"),
    "nan-amount": lambda t: t.replace("annual_value: 300000", "annual_value: .nan"),
    "bool-amount": lambda t: t.replace("annual_value: 300000", "annual_value: true"),
    "negative-amount": lambda t: t.replace("annual_value: 300000", "annual_value: -1"),
    "string-amount": lambda t: t.replace("annual_value: 300000", "annual_value: lots"),
    "topic-id": lambda t: t.replace("id: client-2", "id: 'topic:labeling.language'"),
    "dup-id": lambda t: t.replace("id: api-1", "id: cb-1"),
    "dup-key": lambda t: t.replace("{id: lab-1, name: Test Lab", "{id: lab-1, name: Test Lab, name: Lab"),
    "dup-section": lambda t: t + "providers: []\n",
    "dup-contract": lambda t: t + "  - {client: client-1, provider: cmo-a, annual_value: 1}\n",
    "dup-supply": lambda t: t.replace(
        "- {provider: cmo-a, step: fill_finish}",
        "- {provider: cmo-a, step: fill_finish}\n      - {provider: cmo-a, step: fill_finish}",
    ),
    "unknown-ref": lambda t: t.replace("owner: client-1", "owner: client-9"),
    "wrong-kind-ref": lambda t: t.replace("provider: api-1, step: api", "provider: dist-1, step: api"),
    "feed-cycle": lambda t: t.replace(
        "  - {from: cb-1, to: api-1, material: cell line}",
        "  - {from: cb-1, to: api-1, material: cell line}\n  - {from: api-1, to: cb-1, material: back}",
    ),
    "bad-enum": lambda t: t.replace("kind: test_lab", "kind: lab"),
    "bad-currency": lambda t: t.replace("currency: eur", "currency: euros"),
    "mixed-currency": lambda t: t.replace("annual_value: 100000}", "annual_value: 100000, currency: GBP}"),
    "section-not-list": lambda t: t.replace("liaisons:\n", "liaisons: 5\nx:\n"),
    "record-not-mapping": lambda t: t.replace("  - {id: mp-2, name: Partner Two}", "  - just text"),
    "nested-not-list": lambda t: t.replace("distributors: [dist-1]", "distributors: dist-1"),
    "control-char": lambda t: t.replace("name: Dist EU", 'name: "Dist\\u0000EU\\u001b[2J"'),
    "c1-control": lambda t: t.replace("name: Dist EU", 'name: "Dist\\u009b31m"'),
    "spaces-around": lambda t: t.replace("country: IN", "country: ' IN '"),
    "zero-width-id": lambda t: t + '  - {id: "li\u200b-1", name: Twin, client: client-1}\n',
    "cyrillic-id": lambda t: t.replace("  - {id: mp-2, name: Partner Two}", "  - {id: m\u0440-1, name: Twin}"),
    "bidi-name": lambda t: t.replace("name: Dist EU", 'name: "\u202eUE tsiD"'),
    "long-value": lambda t: t.replace("segment: small", "segment: " + "s" * 200_000),
    "long-key": lambda t: t.replace("{id: cb-1,", "{" + "k" * 5000 + ": 1, id: cb-1,"),
    "formula-text": lambda t: t.replace("name: Dist EU", 'name: \'=HYPERLINK("http://x","y")\''),
    "cr-in-value": lambda t: t.replace("territory: US", 'territory: "US\\r=2+5"'),
    "semicolon-list": lambda t: t.replace("territories: [EU, UK]", "territories: ['E;U', UK]"),
    "deep-nesting": lambda t: t + "extra: " + "[" * 3000 + "]" * 3000 + "\n",
    "many-unknown-keys": lambda t: t.replace(
        "{id: cb-1,", "{" + ", ".join(f"u{i}: 1" for i in range(2000)) + ", id: cb-1,"
    ),
    "many-errors": lambda t: (
        t + "".join(f"  - {{client: c{i}, provider: p{i}, annual_value: x}}\n" for i in range(3000))
    ),
}
YAML_ONLY = {
    "alias-bomb": lambda t: BOMB + "\nproviders: *i\n",
    "alias-loop": lambda t: "a: &a [*a]\n",
    "merge-key": lambda t: "base: &b {kind: cmo}\nproviders:\n  - {<<: *b, id: x, name: X}\n",
    "python-tag": lambda t: "providers: !!python/object/apply:os.system [echo hi]\n",
    "binary-tag": lambda t: t.replace("name: Dist EU", "name: !!binary aGVsbG8="),
    "timestamp": lambda t: t.replace("name: Dist EU", "name: 2001-12-14"),
    "multi-doc": lambda t: t + "---\nproviders: []\n",
    "non-utf8": None,
    "bom": None,
}
JSON_ONLY = {
    "deep-json": '{"clients": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "trailing-comma": '{"clients": [],}',
    "nan-literal": '{"contracts": [{"client": "c", "provider": "p", "annual_value": NaN}]}',
    "huge-json-int": '{"contracts": [{"client": "c", "provider": "p", "annual_value": ' + "1" * 5000 + "}]}",
    "dup-json-key": '{"clients": [{"id": "c", "name": "C", "segment": "small", "id": "d"}]}',
    "json-lone-surrogate": '{"clients": [{"id": "\\ud800", "name": "C", "segment": "small"}]}',
    "json-null-root": "null",
    "json-string-root": '"portfolio"',
}


def yaml_inputs(base: str) -> None:
    for name, change in {**TEXT, **YAML_ONLY}.items():
        target = OUT / "yaml" / f"{name}.yaml"
        if name == "non-utf8":
            target.write_bytes(base.encode().replace(b"Dist EU", b"Dist \xff\xfeEU"))
        elif name == "bom":
            target.write_bytes(b"\xef\xbb\xbf" + base.encode())
        else:
            target.write_text(change(base), encoding="utf-8")


def json_inputs(portfolio_json: str) -> None:
    for name, text in JSON_ONLY.items():
        (OUT / "json" / f"{name}.json").write_text(text, encoding="utf-8")
    data = json.loads(portfolio_json)
    mutations = {
        "json-float-id": lambda d: d["providers"][0].update(id=1.5),
        "json-bool-amount": lambda d: d["contracts"][0].update(annual_value=True),
        "json-dup-contract": lambda d: d["contracts"].append(dict(d["contracts"][0])),
        "json-list-amount": lambda d: d["contracts"][0].update(annual_value=[1]),
        "json-object-name": lambda d: d["providers"][0].update(name={"a": 1}),
        "json-topic-id": lambda d: d["clients"][0].update(id="topic:x"),
        "json-control": lambda d: d["clients"][0].update(name="a\u0007b"),
        "json-whitespace": lambda d: d["clients"][0].update(name=" a"),
        "json-section-null": lambda d: d.update(products=None),
        "json-section-object": lambda d: d.update(products={"a": 1}),
        "json-unknown-ref": lambda d: d["liaisons"][0].update(client="nobody"),
        "json-wrong-step": lambda d: d["products"][0]["supply"][0].update(step="filling"),
    }
    for name, mutate in mutations.items():
        d = json.loads(portfolio_json)
        mutate(d)
        (OUT / "json" / f"{name}.json").write_text(json.dumps(d), encoding="utf-8")
    (OUT / "json" / "json-non-utf8.json").write_bytes(portfolio_json.encode().replace(b"Dist EU", b"Dist \xe9"))
    del data


def csv_inputs(portfolio) -> None:  # type: ignore[no-untyped-def]
    base = OUT / "csv-base"
    write_portfolio(portfolio, base)
    mutations = {
        "csv-long-field": ("clients.csv", lambda b: b + b"c-9," + b"n" * 200_000 + b",small\n"),
        "csv-non-utf8": ("clients.csv", lambda b: b + b"c-9,Caf\xe9,small\n"),
        "csv-nul": ("clients.csv", lambda b: b + b"c-9,a\x00b,small\n"),
        "csv-unclosed-quote": ("clients.csv", lambda b: b + b'c-9,"open,small\n'),
        "csv-extra-cells": ("clients.csv", lambda b: b + b"c-9,C,small,high,x,y,z\n"),
        "csv-no-header": ("clients.csv", lambda b: b""),
        "csv-bad-header": ("clients.csv", lambda b: b.replace(b"segment", b"segmnt", 1)),
        "csv-dup-id": ("clients.csv", lambda b: b + b"client-1,Again,small\n"),
        "csv-float-id": ("providers.csv", lambda b: b.replace(b"cb-1,", b"1.5,", 1)),
        "csv-spaces": ("clients.csv", lambda b: b.replace(b"Big Pharma", b"Big Pharma ")),
        "csv-formula": ("clients.csv", lambda b: b.replace(b"Big Pharma", b"=1+1")),
        "csv-orphan-child": ("product_supply.csv", lambda b: b + b"prod-9,cmo-a,api,true,\n"),
        "csv-bad-bool": ("product_supply.csv", lambda b: b.replace(b"true", b"maybe", 1)),
        "csv-bad-amount": ("contracts.csv", lambda b: b.replace(b"300000", b"3e", 1)),
        "csv-dup-contract": ("contracts.csv", lambda b: b + b"client-1,cmo-a,5,USD\n"),
        "csv-lone-cr": ("clients.csv", lambda b: b + b"c-9,a\rb,small\n"),
        "csv-escape-seq": ("clients.csv", lambda b: b + b"c-9,\x1b[2J,small\n"),
        "csv-semicolons": ("liaisons.csv", lambda b: b.replace(b"cmo-a; lab-1", b"cmo-a;;; lab-1;")),
        "csv-backslash": ("liaisons.csv", lambda b: b.replace(b"cmo-a; lab-1", b"cmo-a\\; lab-1")),
        "csv-unknown-table": ("stray.csv", lambda b: b"a,b\n1,2\n"),
        "csv-many-rows": ("clients.csv", lambda b: b + b"".join(b"c%d,C,huge\n" % i for i in range(3000))),
        "csv-empty-rows": ("clients.csv", lambda b: b + b",,\n" * 1000),
        "csv-quote-in-id": ("clients.csv", lambda b: b + b'"c""9",C,small\n'),
        "csv-bom-twice": ("clients.csv", lambda b: b"\xef\xbb\xbf" + b),
        "csv-int-ids": ("clients.csv", lambda b: b.replace(b"client-2", b"2002")),
    }
    for name, (file, change) in mutations.items():
        folder = OUT / "csv" / name
        shutil.copytree(base, folder)
        path = folder / file
        path.write_bytes(change(path.read_bytes() if path.exists() else b""))
    shutil.rmtree(base)


def xlsx_inputs(portfolio) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    base = OUT / "base.xlsx"
    write_portfolio(portfolio, base)
    raw = base.read_bytes()
    damaged = {
        "truncated": raw[: len(raw) // 2],
        "empty-file": b"",
        "text-named-xlsx": b"id,name\n1,2\n",
        "zeroed-middle": raw[:300] + bytes(300) + raw[600:],
        "flipped-tail": raw[:-40] + bytes(b ^ 0xFF for b in raw[-40:]),
    }
    for name, data in damaged.items():
        (OUT / "xlsx" / f"{name}.xlsx").write_bytes(data)
    edits = {
        "formula": lambda wb: wb["contracts"].__setitem__("C2", "=1000000*5"),
        "far-cell": lambda wb: wb["clients"].__setitem__("XFD1048576", "x"),
        "bool-amount": lambda wb: wb["contracts"].__setitem__("C2", True),
        "float-id": lambda wb: wb["clients"].__setitem__("A2", 1.5),
        "int-id": lambda wb: (wb["clients"].__setitem__("A3", 2002), wb["products"].__setitem__("E3", 2002)),
        "date-cell": lambda wb: wb["clients"].__setitem__("B2", __import__("datetime").datetime(2020, 1, 1)),
        "no-header": lambda wb: wb["clients"].delete_rows(1),
        "bad-header": lambda wb: wb["clients"].__setitem__("C1", "segmnt"),
        "extra-sheet": lambda wb: wb.create_sheet("notes"),
        "dup-id": lambda wb: wb["clients"].append(["client-1", "Again", "small"]),
        "spaces": lambda wb: wb["clients"].__setitem__("B2", " padded "),
        "control-char": lambda wb: wb["clients"].__setitem__("B2", "tab\there"),
        "orphan-child": lambda wb: wb["product_supply"].append(["prod-9", "cmo-a", "api"]),
        "long-text": lambda wb: wb["clients"].__setitem__("B2", "x" * 32_000),
        "wide-header": lambda wb: wb["clients"].__setitem__("ZZ1", "extra"),
        "dup-contract": lambda wb: wb["contracts"].append(["client-1", "cmo-a", 5, "USD"]),
    }
    for name, edit in edits.items():
        wb = load_workbook(base)
        edit(wb)
        wb.save(OUT / "xlsx" / f"{name}.xlsx")
    forged = OUT / "xlsx" / "past-last-row.xlsx"
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(forged, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.endswith("sheet2.xml"):
                data = data.replace(b"</sheetData>", b'<row r="2000000"><c r="A2000000"><v>1</v></c></row></sheetData>')
            dst.writestr(item, data)
    bomb = OUT / "xlsx" / "zip-bomb.xlsx"
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/padding.bin", bytes(300_000_000))
    base.unlink()


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    for fmt in ("yaml", "json", "csv", "xlsx"):
        (OUT / fmt).mkdir(parents=True)
    base = SMALL.read_text(encoding="utf-8")
    portfolio, _ = read_portfolio(SMALL)
    yaml_inputs(base)
    write_portfolio(portfolio, OUT / "base.json")
    json_inputs((OUT / "base.json").read_text(encoding="utf-8"))
    (OUT / "base.json").unlink()
    csv_inputs(portfolio)
    xlsx_inputs(portfolio)
    print(sum(1 for fmt in OUT.iterdir() for _ in fmt.iterdir()), "inputs")


if __name__ == "__main__":
    main()
