"""graphkit import ledger: small ledgers whose answers are derived by hand in
the comments, each messy case on its own, the shipped ERP example, the SCMS
preset held equal to the generic importer with examples/scms-mapping.yaml,
and SCMS provenance counted straight from the CSV."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from test_importers import SCMS_CSV, need_data

from graphkit import GraphkitError, PortfolioError, read_portfolio, write_portfolio
from graphkit.cli.main import main
from graphkit.importers import import_ledger, import_scms
from graphkit.model import Portfolio

ROOT = Path(__file__).resolve().parent.parent
ERP = ROOT / "examples" / "erp"
ERP_MAP = ROOT / "examples" / "erp-mapping.yaml"
SCMS_MAP = ROOT / "examples" / "scms-mapping.yaml"


def run(*args: object):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [str(a) for a in args])


# -- the shipped ERP example, derived by hand -----------------------------------


@pytest.fixture(scope="module")
def erp() -> Portfolio:
    return import_ledger([ERP / "po_lines.csv", ERP / "suppliers.csv"], ERP_MAP).portfolio()


def test_erp_example_by_hand(erp: Portfolio) -> None:
    # rows 2-9; row 7 is Cancelled and row 8 dated 2023: both filtered
    result = import_ledger([ERP / "po_lines.csv", ERP / "suppliers.csv"], ERP_MAP)
    assert result.counts["imported_rows"] == 6
    assert result.counts["filtered"] == {"PO Date from 2024-01-01 and to 2024-12-31": 1, "Status not_in Cancelled": 1}
    kinds = {p.id: p.kind for p in erp.providers}
    assert kinds == {
        "sup-alpha-pharma-gmbh": "cmo",  # S-100 and S-101 ("ALPHA PHARMA GMBH") by case
        "sup-betalab-inc": "test_lab",
        "sup-gamma-sterile-s-a": "cmo",  # S-301 "Gama Sterile SA" by the merge rule
        "dist-eurodist": "distributor",
        "dist-medlog": "distributor",  # "Direct" (row 5) is no distributor
    }
    assert [line for line in result.report if "merged" in line] == [
        "  merged client 'Helix Pharma' <- 'helix pharma' (1 row)",
        "  merged provider 'Alpha Pharma GmbH' <- 'ALPHA PHARMA GMBH' (1 row)",
        "  merged provider 'Gamma Sterile S.A.' <- 'Gama Sterile SA' (1 row, merge rule)",
    ]
    # Helix: 12,500 + 1,000 + 7,500 + 40,000 + 20,000 = 81,000 >= 50,000; Calyx: 2,000 USD x 0.9 = 1,800
    assert {c.id: c.segment for c in erp.clients} == {"client-helix-pharma": "large", "client-calyx-bio": "small"}
    assert {(c.client, c.provider): (c.annual_value, c.currency) for c in erp.contracts} == {
        ("client-helix-pharma", "sup-alpha-pharma-gmbh"): (20_000, "EUR"),
        ("client-helix-pharma", "sup-betalab-inc"): (1_000, "EUR"),
        ("client-helix-pharma", "sup-gamma-sterile-s-a"): (60_000, "EUR"),
        ("client-calyx-bio", "sup-betalab-inc"): (1_800, "EUR"),
    }
    products = {p.id: p for p in erp.products}
    assert set(products) == {"prod-m-1", "prod-m-2", "prod-m-4"}  # M-3 only on the cancelled row
    m1, m2 = products["prod-m-1"], products["prod-m-2"]
    assert [(s.provider, s.step) for s in m1.supply] == [
        ("sup-alpha-pharma-gmbh", "drug_product"),
        ("sup-betalab-inc", "testing"),
    ]
    assert [(d.distributor, d.territory) for d in m1.distributors] == [("dist-eurodist", "DE"), ("dist-eurodist", "FR")]
    assert m2.technology == "lyophilization" and [(m.partner, m.territory) for m in m2.marketed_by] == [
        ("partner-sakura-partners", "DE"),
        ("partner-sakura-partners", "JP"),
    ]
    alpha = erp.nodes["sup-alpha-pharma-gmbh"]
    assert alpha.source == "po_lines.csv rows 2, 4; suppliers.csv rows 2-3; 2024-01-05..2024-02-12"  # type: ignore[attr-defined]
    assert m1.supply[1].source == "po_lines.csv row 3; 2024-01-05"
    assert erp.contracts[0].source == "po_lines.csv row 9; 2024-06-02"


@pytest.mark.parametrize("name", ["p.yaml", "p.json", "p.xlsx", "csv"])
def test_erp_round_trip_through_every_format(erp: Portfolio, tmp_path: Path, name: str) -> None:
    write_portfolio(erp, tmp_path / name)
    back, warnings = read_portfolio(tmp_path / name)
    assert back == erp and warnings == []


def test_cli_dry_run_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "erp.yaml"
    result = run("import", "ledger", ERP / "po_lines.csv", ERP / "suppliers.csv", "--map", ERP_MAP, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "6 imported, 2 left out by filters" in result.stdout and "dry run: nothing was written" in result.stdout
    assert not out.exists()
    result = run("import", "ledger", ERP / "po_lines.csv", ERP / "suppliers.csv", "--map", ERP_MAP, "-o", out)
    assert result.exit_code == 0 and result.stdout.strip() == str(out)
    assert read_portfolio(out)[0] == import_ledger([ERP / "po_lines.csv", ERP / "suppliers.csv"], ERP_MAP).portfolio()
    result = run("import", "ledger", ERP / "po_lines.csv", "--map", ERP_MAP, "-o", out)
    assert result.exit_code == 1 and "the mapping reads 2 file(s) (lines, suppliers); 1 given" in result.stderr


# -- small ledgers, one messy case each ------------------------------------------

MAP = """\
files: [{name: lines}]
value: {column: Value}
date: {column: Date}
territory: Market
provider: {name: Site, id_prefix: site-, step: {value: drug_product}}
client: {name: Buyer, segment: {value: small}}
product: {name: Product, technology: {column: Form, map: {tab: tablet, vial: aseptic_fill}}}
contracts: {with: provider, per: year}
revenue: {per: year, markets: true}
"""
HEAD = "Site,Buyer,Product,Form,Market,Value,Date"


def ledger(tmp_path: Path, rows: list[str], mapping: str = MAP, **kw: str) -> tuple[Path, Path]:
    data = tmp_path / kw.get("name", "lines.csv")
    sep = kw.get("sep", ",")
    text = kw.get("newline", "\n").join([HEAD.replace(",", sep), *rows]) + "\n"
    data.write_bytes(kw.get("bom", "").encode() + text.encode("utf-8"))
    mp = tmp_path / "map.yaml"
    mp.write_text(mapping, encoding="utf-8")
    return data, mp


def problems(exc: pytest.ExceptionInfo[GraphkitError]) -> list[str]:
    assert isinstance(exc.value, PortfolioError)
    return [str(p) for p in exc.value.problems]


@pytest.mark.parametrize(
    ("sep", "newline", "bom"), [(",", "\n", ""), (";", "\r\n", "\ufeff"), ("\t", "\r", "\ufeff"), ("|", "\n", "")]
)
def test_small_ledger_any_delimiter_line_ending_and_bom(tmp_path: Path, sep: str, newline: str, bom: str) -> None:
    rows = [
        'A,X,P1,tab,DE,"1,000.50",2023-03-01',
        "a ,X,P1,TAB,FR,2000,2024-06-30",  # "a " is A (trimmed, case-folded)
        "B,X,P1,tab,DE,500,2024-01-01",
    ]
    rows = [r.replace('"1,000.50"', "1,000.50" if sep != "," else '"1,000.50"').replace(",", sep) for r in rows]
    if sep != ",":
        rows[0] = rows[0].replace(f"1{sep}000.50", "1,000.50")
    data, mp = ledger(tmp_path, rows, sep=sep, newline=newline, bom=bom)
    p = import_ledger([data], mp).portfolio()
    (product,) = p.products
    # two calendar years (2023..2024): per year = totals / 2
    assert product.annual_revenue == (1000.5 + 2000 + 500) / 2
    assert [(m.territory, m.annual_revenue) for m in product.markets] == [("DE", 750.25), ("FR", 1000)]
    assert {c.provider: c.annual_value for c in p.contracts} == {"site-a": 1500.25, "site-b": 250}
    assert p.nodes["site-a"].name == "A"  # type: ignore[attr-defined]  # a tie: the first spelling seen
    assert p.nodes["site-a"].source == "lines.csv rows 2-3; 2023-03-01..2024-06-30"  # type: ignore[attr-defined]


def test_non_numeric_amounts_and_unmapped_values_counted_by_column(tmp_path: Path) -> None:
    rows = [
        "A,X,P1,tab,DE,n/a,2024-01-01",  # row 2
        "A,X,P1,tab,DE,100,2024-01-02",
        "A,X,P1,tab,DE,TBD,2024-01-03",  # row 4
        "A,X,P1,cream,DE,5,2024-01-04",  # row 5: unmapped
        "A,X,P1,tab,DE,12.3.4,2024-01-05",  # row 6
        "A,X,P1,tab,DE,-,2024-01-06",  # row 7: four bad amounts, three shown
        "A,X,P1,tab,DE,7,06/01/2024",  # row 8: not ISO
    ]
    data, mp = ledger(tmp_path, rows)
    with pytest.raises(PortfolioError) as info:
        import_ledger([data], mp)
    assert sorted(problems(info)) == [
        "lines.csv row 2: column 'Value': 4 row(s) with non-numeric amount(s), e.g. row 2 'n/a', row 4 'TBD', "
        "row 6 '12.3.4'",
        "lines.csv row 5: column 'Form': 1 row(s) with value(s) not in the technology map, e.g. row 5 'cream'",
        "lines.csv row 8: column 'Date': 1 row(s) with date(s) that do not parse as YYYY-MM-DD, e.g. row 8 "
        "'06/01/2024'",
    ]
    skipping = MAP + "bad_rows: skip\n"
    data, mp = ledger(tmp_path, rows, skipping)
    result = import_ledger([data], mp)
    assert result.counts["bad_rows"] == 6 and result.counts["imported_rows"] == 1
    assert len(result.warnings) == 3 and all(w.severity == "warning" for w in result.warnings)
    assert result.portfolio().products[0].annual_revenue == 100


def test_a_mapping_naming_a_missing_column_is_located(tmp_path: Path) -> None:
    data, mp = ledger(tmp_path, ["A,X,P1,tab,DE,1,2024-01-01"], MAP.replace("name: Site,", "name: Sitee,"))
    with pytest.raises(PortfolioError) as info:
        import_ledger([data], mp)
    (message,) = problems(info)
    assert message.startswith(f"{mp}:5: column 'Sitee' is not in lines.csv (did you mean 'Site'?)")


def test_an_invalid_mapping_file_is_located_all_at_once(tmp_path: Path) -> None:
    bad = MAP.replace("per: year}\nrevenue", "per: yearly}\nrevenue").replace(
        "segment: {value: small}", "segment: {value: tiny}, colour: red"
    )
    data, mp = ledger(tmp_path, ["A,X,P1,tab,DE,1,2024-01-01"], bad)
    with pytest.raises(PortfolioError) as info:
        import_ledger([data], mp)
    got = problems(info)
    assert any(p.startswith(f"{mp}:6: unknown setting 'colour' in client (did you mean ") for p in got), got
    assert f"{mp}:8: contracts.per 'yearly' is not one of total, year (did you mean 'year'?)" in got
    assert len(got) == 2  # the vocabulary check runs once the schema holds
    data, mp = ledger(tmp_path, ["A,X,P1,tab,DE,1,2024-01-01"], MAP.replace("{value: small}", "{value: tiny}"))
    with pytest.raises(PortfolioError) as info:
        import_ledger([data], mp)
    assert problems(info) == [f"{mp}:6: segment 'tiny' is not one of generics_only, large, mid_sized, small"]
    mp.write_text("files: [\n", encoding="utf-8")
    with pytest.raises(PortfolioError, match="problem"):
        import_ledger([data], mp)


def test_join_keys_missing_from_the_master_and_disagreeing_attributes(tmp_path: Path) -> None:
    mapping = """\
files:
  - {name: lines}
  - {name: sites, key: Code, join: Site}
provider:
  name: {column: Name, file: sites}
  kind: {column: Type, file: sites, map: {M: cmo, L: test_lab}}
  step: {value: testing}
client: {name: Buyer, segment: {value: large}}
product: {name: Product, technology: {value: tablet}}
"""
    data, mp = ledger(tmp_path, ["S1,X,P1,tab,DE,1,2024-01-01", "S9,X,P1,tab,DE,1,2024-01-01"], mapping)
    sites = tmp_path / "sites.xlsx"
    wb = Workbook()
    wb.active.title = "Other"
    ws = wb.create_sheet("Sites")
    for r in (["Code", "Name", "Type"], ["S1", "Lab One", "L"], ["S2", "lab one", "M"]):
        ws.append(r)
    wb.save(sites)
    with pytest.raises(GraphkitError, match=r"sites.xlsx: no sheet 'Master' \(it has Other, Sites\)"):
        import_ledger([data, sites], _with_sheet(mp, "Master"))
    mp = _with_sheet(mp, "Sites")
    with pytest.raises(PortfolioError) as info:
        import_ledger([data, sites], mp)
    assert problems(info) == [
        "lines.csv row 3: column 'Site': 1 row(s) with key(s) not in sites.xlsx[Sites], e.g. row 3 'S9'"
    ]
    # S2 is "lab one" (the same provider by case) but a CMO: one kind per provider
    data, mp = ledger(tmp_path, ["S1,X,P1,tab,DE,1,2024-01-01", "S2,X,P1,tab,DE,1,2024-01-01"], mapping)
    with pytest.raises(PortfolioError) as info:
        import_ledger([data, sites], _with_sheet(mp, "Sites"))
    assert problems(info) == [
        "lines.csv row 3: provider 'Lab One': kind 'cmo' here, but 'test_lab' at row 2; one kind per provider"
    ]


def _with_sheet(mp: Path, sheet: str) -> Path:
    text = mp.read_text(encoding="utf-8")
    text = re.sub(r"join: Site(, sheet: \w+)?\}", f"join: Site, sheet: {sheet}}}", text)
    mp.write_text(text, encoding="utf-8")
    return mp


# -- SCMS through the generic importer --------------------------------------------


@pytest.mark.parametrize("kits", [False, True])
def test_scms_preset_equals_the_generic_import_with_the_example_mapping(kits: bool, tmp_path: Path) -> None:
    need_data(SCMS_CSV)
    preset = import_scms(SCMS_CSV, include_test_kits=kits).portfolio()
    if kits:  # the example mapping without its test-kit filter
        text = SCMS_MAP.read_text(encoding="utf-8")
        text = re.sub(r"filters:\n(  .*\n)+", "", text)
        mapping = tmp_path / "scms-kits.yaml"
        mapping.write_text(text, encoding="utf-8")
    else:
        mapping = SCMS_MAP
    generic = import_ledger([SCMS_CSV], mapping).portfolio()
    assert generic == preset
    assert (len(preset.products), len(preset.contracts)) == ((1012, 361) if kits else (829, 229))


def _rows_in(source: str, label: str) -> int:
    """How many rows of `label` a provenance text names."""
    part = next(p for p in source.split("; ") if p.startswith(label))
    counted = re.search(r": ([\d,]+) rows between", part)
    if counted:
        return int(counted[1].replace(",", ""))
    spans = re.findall(r"(\d+)(?:-(\d+))?", part.split(" ", 2)[2])
    return sum(int(b or a) - int(a) + 1 for a, b in spans)


def test_scms_provenance_counts_match_the_csv() -> None:
    need_data(SCMS_CSV)
    with open(SCMS_CSV, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if not r["Dosage Form"].startswith("Test kit")]
    per_product = Counter((r["Item Description"], r["Country"]) for r in rows)
    per_vendor = Counter(r["Vendor"] for r in rows)
    p = import_scms(SCMS_CSV).portfolio()
    label = SCMS_CSV.name
    for product in p.products:
        item, country = product.name.rsplit(" — ", 1)
        assert _rows_in(str(product.source), label) == per_product[(item, country)], product.id
    for vendor in (x for x in p.providers if x.kind == "distributor"):
        assert _rows_in(str(vendor.source), label) == per_vendor[vendor.name], vendor.id
    assert sum(_rows_in(str(x.source), label) for x in p.products) == len(rows) == 8588
