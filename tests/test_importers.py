"""The importers of real public data (USAID SCMS delivery history; Willems 2008
multi-echelon chains), checked against facts derived here directly from the
CSV files with the csv module and networkx, independently of the importers.

The data live in shared/data/real beside the clone; when missing the tests
fail under CI and are skipped elsewhere.
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from graphkit import GraphkitError, read_portfolio
from graphkit.analysis import analyze
from graphkit.cli.main import main
from graphkit.importers import import_scms, import_willems, readable_ids, slugify
from graphkit.model import Portfolio, Product, Provider

DATA = Path(__file__).parents[1].parent / "shared" / "data" / "real"
SCMS_CSV = DATA / "scms" / "SCMS_Delivery_History_Dataset.csv"
WILLEMS = DATA / "willems2008"
SEP = " — "  # product name = "<item> — <country>"


def need_data(path: Path) -> None:
    if path.exists():
        return
    message = f"real data missing: {path} (shared/data/real belongs beside the clone)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


# -- SCMS: facts straight from the CSV -----------------------------------------


@pytest.fixture(scope="module")
def scms_rows() -> list[dict[str, str]]:
    need_data(SCMS_CSV)
    with open(SCMS_CSV, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def is_kit(row: dict[str, str]) -> bool:
    return row["Dosage Form"].startswith("Test kit")


def has_site(row: dict[str, str]) -> bool:
    return row["Manufacturing Site"] != "Not Applicable"


@pytest.fixture(scope="module")
def scms() -> Portfolio:
    need_data(SCMS_CSV)
    return import_scms(SCMS_CSV).portfolio()


def names(portfolio: Portfolio, kind: str) -> set[str]:
    return {p.name for p in portfolio.providers if p.kind == kind}


def by_name(portfolio: Portfolio) -> dict[str, str]:
    """Provider and client name -> id (names are unique within the imports)."""
    return {r.name: r.id for r in (*portfolio.providers, *portfolio.clients)}


def test_scms_file_has_its_quirks(scms_rows: list[dict[str, str]]) -> None:
    raw = SCMS_CSV.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r" in raw and b"\n" not in raw
    assert len(scms_rows) == 10_324 and "ID" in scms_rows[0]
    assert sum(r["Freight Cost (USD)"] == "Freight Included in Commodity Cost" for r in scms_rows) > 1000


def test_scms_counts_match_the_csv(scms_rows: list[dict[str, str]], scms: Portfolio) -> None:
    drugs = [r for r in scms_rows if not is_kit(r)]
    assert names(scms, "cmo") == {r["Manufacturing Site"] for r in drugs if has_site(r)}
    assert names(scms, "distributor") == {r["Vendor"] for r in drugs}
    assert {c.name for c in scms.clients} == {r["Country"] for r in drugs}
    assert {p.name.rsplit(SEP, 1)[0] for p in scms.products} == {r["Item Description"] for r in drugs}
    assert {tuple(p.name.rsplit(SEP, 1)[::-1]) for p in scms.products} == {
        (r["Country"], r["Item Description"]) for r in drugs
    }
    assert (len(names(scms, "cmo")), len(names(scms, "distributor")), len(scms.clients), len(scms.products)) == (
        62,
        42,
        34,
        829,
    )


def test_scms_with_test_kits_matches_the_data_readme(scms_rows: list[dict[str, str]]) -> None:
    p = import_scms(SCMS_CSV, include_test_kits=True).portfolio()
    # The data README: 73 vendors, 88 manufacturing sites, 43 countries, 184 items;
    # one of the 88 "sites" is "Not Applicable" (no site), which is no provider.
    assert len(names(p, "distributor")) == 73 and len(names(p, "cmo")) == 87
    assert len(p.clients) == 43 and len({x.name.rsplit(SEP, 1)[0] for x in p.products}) == 184
    kits = {(r["Country"], r["Item Description"]) for r in scms_rows if is_kit(r)}
    kit_products = [x for x in p.products if tuple(x.name.rsplit(SEP, 1)[::-1]) in kits]
    assert len(kit_products) == len(kits) and {x.technology for x in kit_products} == {"sachet"}


def test_scms_contract_values_are_the_summed_line_values(scms_rows: list[dict[str, str]], scms: Portfolio) -> None:
    expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for r in scms_rows:
        if not is_kit(r):
            expected[(r["Country"], r["Vendor"])] += Decimal(r["Line Item Value"])
    ids = by_name(scms)
    got = {(c.client, c.provider): c.annual_value for c in scms.contracts}
    assert len(got) == len(expected)
    for (country, vendor), value in expected.items():
        assert got[(ids[country], ids[vendor])] == pytest.approx(float(value), abs=0.005)
    # one pair by hand: Nigeria's purchases through SCMS's own regional warehouses
    nigeria_rdc = sum(
        Decimal(r["Line Item Value"])
        for r in scms_rows
        if r["Country"] == "Nigeria" and r["Vendor"] == "SCMS from RDC" and not is_kit(r)
    )
    assert got[("country-nigeria", "vendor-scms-from-rdc")] == float(nigeria_rdc) > 100_000_000
    assert {c.currency for c in scms.contracts} == {"USD"}


def test_scms_rows_with_text_in_numeric_columns_are_imported(scms_rows: list[dict[str, str]], scms: Portfolio) -> None:
    quirky = [r for r in scms_rows if not is_kit(r) and not _is_number(r["Freight Cost (USD)"])]
    assert len(quirky) > 1000
    products = {p.name: p for p in scms.products}
    ids = by_name(scms)
    for r in quirky:
        product = products[f"{r['Item Description']}{SEP}{r['Country']}"]
        assert ids[r["Manufacturing Site"]] in {s.provider for s in product.supply}
        assert ids[r["Vendor"]] in {d.distributor for d in product.distributors}
    revenue = sum(p.annual_revenue or 0 for p in scms.products)
    assert revenue == pytest.approx(math.fsum(float(r["Line Item Value"]) for r in scms_rows if not is_kit(r)))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_scms_segments_and_technologies(scms: Portfolio, scms_rows: list[dict[str, str]]) -> None:
    totals: dict[str, float] = defaultdict(float)
    for r in scms_rows:
        totals[r["Country"]] += float(r["Line Item Value"])
    for c in scms.clients:
        want = "large" if totals[c.name] >= 100e6 else "mid_sized" if totals[c.name] >= 10e6 else "small"
        assert c.segment == want, c.name
    tech = {p.name.rsplit(SEP, 1)[0]: p.technology for p in scms.products}
    assert tech["Zidovudine 10mg/ml [Retrovir], solution for IV infusion injection, Vial 5 x 20 ml"] == "aseptic_fill"
    assert tech["Nevirapine 10mg/ml, oral suspension, Bottle, 240 ml"] == "sachet"
    assert tech["Efavirenz 600mg, tablets, 30 Tabs"] == "tablet"


def test_scms_analysis_single_points_of_failure_match_the_csv(scms_rows: list[dict[str, str]], scms: Portfolio) -> None:
    """A site (vendor) takes down exactly the (country, item) pairs it alone made (delivered)."""
    sites: dict[tuple[str, str], set[str]] = defaultdict(set)
    vendors: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in scms_rows:
        if not is_kit(r):
            sites[(r["Country"], r["Item Description"])].add(r["Manufacturing Site"])
            vendors[(r["Country"], r["Item Description"])].add(r["Vendor"])
    expected: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for sources in (sites, vendors):
        for pair, who in sources.items():
            if len(who) == 1:
                expected[next(iter(who))].add(pair)
    result = analyze(scms)
    assert result.spof is not None and result.concentration is not None
    pname = {p.id: tuple(p.name.rsplit(SEP, 1)[::-1]) for p in scms.products}
    got = {scms.nodes[c.node].name: {pname[x] for x in c.products_lost} for c in result.spof.critical_nodes}
    assert got == dict(expected)
    # the site that alone supplies the most countries, derived from the CSV
    countries: dict[str, set[str]] = defaultdict(set)
    for site, pairs in expected.items():
        if site in {r["Manufacturing Site"] for r in scms_rows}:
            countries[site].update(c for c, _ in pairs)
    top = max(countries, key=lambda s: (len(countries[s]), s))
    node = next(c for c in result.spof.critical_nodes if scms.nodes[c.node].name == top)
    assert len(node.clients_affected) == len(countries[top]) == max(len(v) for v in countries.values())
    # vendors' customer concentration is on money, sites' on product counts
    basis = {r.provider: r.basis for r in result.concentration.providers}
    assert basis["vendor-scms-from-rdc"] == "contract_value"
    assert {basis[p.id] for p in scms.providers if p.kind == "cmo"} == {"product_count"}


# -- SCMS: quirks and bad input on small files ---------------------------------

HEADER = (
    "ID,Project Code,Country,Vendor,Item Description,Dosage Form,Manufacturing Site,"
    "Line Item Value,Freight Cost (USD),Weight (Kilograms),Delivered to Client Date"
)


def scms_file(tmp_path: Path, *rows: str) -> Path:
    """A small file in the SCMS layout, every row delivered on 2 June 2006."""
    path = tmp_path / "scms.csv"
    path.write_bytes(("\ufeff" + "\r".join((HEADER, *(r + ",2-Jun-06" for r in rows))) + "\r").encode("utf-8"))
    return path


def problems_of(exc: GraphkitError) -> list[str]:
    return [str(p) for p in getattr(exc, "problems", ())] or [str(exc)]


def test_scms_small_file_with_every_quirk(tmp_path: Path) -> None:
    path = scms_file(
        tmp_path,
        '1,P1,Côte d\'Ivoire,Vendor A,"Drug X 10mg, tablets",Tablet - FDC,Site 1,"1,234.50",'
        "Freight Included in Commodity Cost,Weight Captured Separately",
        '2,P1,Côte d\'Ivoire,SCMS from RDC,"Drug X 10mg, tablets",Tablet - FDC,Site 2,100,See ASN-93 (ID#:1281),',
        "3,P2,Haiti,Vendor A,Kit K,Test kit,Not Applicable,50,Invoiced Separately,3",
    )
    result = import_scms(path)
    p = result.portfolio()
    assert result.counts["skipped_test_kit_rows"] == 1
    (product,) = p.products
    assert product.id == "drug-x-10mg-tablets--cote-d-ivoire" and product.owner == "country-cote-d-ivoire"
    assert product.annual_revenue == 1334.5 and product.technology == "tablet"
    assert [s.provider for s in product.supply] == ["site-site-1", "site-site-2"]
    assert {c.provider: c.annual_value for c in p.contracts} == {"vendor-vendor-a": 1234.5, "vendor-scms-from-rdc": 100}
    kits = import_scms(path, include_test_kits=True).portfolio()
    kit = next(x for x in kits.products if x.owner == "country-haiti")
    assert kit.technology == "sachet" and kit.supply == () and kit.distributors[0].distributor == "vendor-vendor-a"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("1,P,Haiti,V,Item,Tablet,S,lots,0,0", "column 'Line Item Value': 1 row(s) with non-numeric amount(s)"),
        ("1,P,Haiti,V,Item,Tablet,S,-5,0,0", "column 'Line Item Value': 1 row(s) with negative amount(s)"),
        ("1,P,,V,Item,Tablet,S,5,0,0", "column 'Country': 1 row(s) with empty cell(s), e.g. row 3"),
        ("1,P,Haiti,V,Item,Cream,S,5,0,0", "column 'Dosage Form': 1 row(s) with value(s) not in the technology map"),
    ],
)
def test_scms_bad_rows_are_named(tmp_path: Path, row: str, message: str) -> None:
    path = scms_file(tmp_path, "1,P,Haiti,V,Item,Tablet,S,5,0,0", row)
    with pytest.raises(GraphkitError) as info:
        import_scms(path)
    (problem,) = problems_of(info.value)
    assert problem.startswith(f"scms.csv row 3: {message}")


def test_scms_wrong_file(tmp_path: Path) -> None:
    wrong = tmp_path / "other.csv"
    wrong.write_text("a,b\r1,2\r", encoding="utf-8")
    with pytest.raises(GraphkitError) as info:
        import_scms(wrong)
    problems = problems_of(info.value)
    # every mention of a column the preset names, located in the preset mapping
    assert {re.search(r"column '([^']+)' is not in other.csv", p)[1] for p in problems} == {  # type: ignore[index]
        "Dosage Form",
        "Delivered to Client Date",
        "Line Item Value",
        "Country",
        "Manufacturing Site",
        "Vendor",
        "Item Description",
    }
    assert any(re.search(r"scms.yaml:\d+: column 'Country' is not in other.csv", p) for p in problems)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(HEADER.encode() + "\r1,P,Côte,V,I,Tablet,S,5,0,0\r".encode("latin-1"))
    with pytest.raises(GraphkitError, match="latin.csv: not UTF-8"):
        import_scms(latin)
    with pytest.raises(GraphkitError, match="no such file"):
        import_scms(tmp_path / "missing.csv")


def test_ids_are_readable_stable_and_unique() -> None:
    assert slugify("Mylan,  H-12 & H-13, India") == "mylan-h-12-h-13-india"
    ids = readable_ids(["A b", "a-B", "C"], prefix="x-")
    assert ids["C"] == "x-c" and ids["A b"] != ids["a-B"] and ids["A b"].startswith("x-a-b-")
    assert readable_ids(["a-B", "A b", "C"], prefix="x-") == ids  # order never changes an id
    long = readable_ids(["y" * 80])["y" * 80]
    assert len(long) == 60 + 7 and long == readable_ids(["y" * 80])["y" * 80]


# -- Willems: facts straight from the SD/LL files -------------------------------


def willems_chain(number: int) -> tuple[dict[str, dict[str, str]], nx.DiGraph]:
    """Stage rows by name and the arc graph, read directly."""
    need_data(WILLEMS)
    with open(WILLEMS / f"{number:02d}_SD.csv", encoding="utf-8-sig", newline="") as f:
        stages = {r["Stage Name"]: r for r in csv.DictReader(f)}
    with open(WILLEMS / f"{number:02d}_LL.csv", encoding="utf-8-sig", newline="") as f:
        g = nx.DiGraph((r["sourceStage"], r["destinationStage"]) for r in csv.DictReader(f))
    g.add_nodes_from(stages)
    return stages, g


@pytest.fixture(scope="module")
def chain22() -> Portfolio:
    need_data(WILLEMS)
    return import_willems(22, WILLEMS).portfolio()


def test_willems_chain22_stages_map_by_class(chain22: Portfolio) -> None:
    stages, g = willems_chain(22)
    cls = {n: r["stageClassification"] for n, r in stages.items()}

    def of(*classes: str) -> set[str]:
        return {n for n, c in cls.items() if c in classes}

    assert (len(of("Manuf")), len(of("Dist", "Trans")), len(of("Retail"))) == (123, 7, 123)
    assert names(chain22, "cmo") == of("Manuf", "Part")
    assert names(chain22, "distributor") == of("Dist", "Trans")
    assert {p.name for p in chain22.products} == of("Retail")
    non_retail = of("Part", "Manuf", "Dist", "Trans")
    arcs = {(u, v) for u, v in g.edges if u in non_retail and v in non_retail}
    ids = by_name(chain22)
    assert {(f.from_, f.to) for f in chain22.feeds} == {(ids[u], ids[v]) for u, v in arcs}
    assert len(chain22.feeds) == len(arcs) == 130
    assert len({(f.to, f.material) for f in chain22.feeds}) == len(chain22.feeds)  # one material per arc
    assert nx.is_directed_acyclic_graph(nx.DiGraph((f.from_, f.to) for f in chain22.feeds))
    assert "Pharmaceutical Preparations" in chain22.clients[0].name


def test_willems_chain22_revenue_is_demand_times_cumulative_cost(chain22: Portfolio) -> None:
    stages, g = willems_chain(22)
    for product in chain22.products[:10]:
        row = stages[product.name]
        unit_cost = sum(float(stages[s]["stageCost"]) for s in nx.ancestors(g, product.name) | {product.name})
        assert product.annual_revenue == pytest.approx(365 * float(row["avgDemand"]) * unit_cost, abs=0.01)


def test_willems_chain22_spof_includes_the_common_upstream_manufacturer(chain22: Portfolio) -> None:
    stages, g = willems_chain(22)
    retail = [n for n, r in stages.items() if r["stageClassification"] == "Retail"]
    common = set.intersection(*(nx.ancestors(g, r) for r in retail))
    manuf = [s for s in common if stages[s]["stageClassification"] == "Manuf"]
    (top,) = [s for s in manuf if not nx.ancestors(g, s) & set(manuf)]
    assert top == "Manuf_0001"
    result = analyze(chain22, only=["spof"])
    assert result.spof is not None
    critical = {chain22.nodes[c.node].name: c for c in result.spof.critical_nodes}
    node = critical[top]
    assert len(node.products_lost) == len(retail) and node.hidden  # reaches them only through feeds


@pytest.mark.parametrize("number", [1, 17, 20, 22, 23])
def test_willems_every_stage_is_a_spof_for_exactly_the_demand_below_it(number: int) -> None:
    """No arc is an alternative (bill of materials): losing a stage loses every
    demand point at or below it, and nothing else -- derived from the arcs."""
    stages, g = willems_chain(number)
    imported = import_willems(number, WILLEMS)
    p = imported.portfolio()
    demand = {
        n for n, r in stages.items() if r["stageClassification"] == "Retail" or r["avgDemand"] or g.out_degree(n) == 0
    }
    product_of = imported.ids["product"]
    assert set(product_of) == demand
    result = analyze(p, only=["spof"])
    assert result.spof is not None
    lost = {c.node: set(c.products_lost) for c in result.spof.critical_nodes}
    for stage in stages:
        if stages[stage]["stageClassification"] == "Retail":
            continue
        below = {product_of[d] for d in (nx.descendants(g, stage) | {stage}) & demand}
        assert lost.get(imported.ids["stage"][stage], set()) == below, stage


# -- Willems: tiny chains written in the Willems format --------------------------

SD_HEADER = (
    "Stage Name,stageCost,relDepth,stageClassification,avgDemand,stdDevDemand,maxServiceTime,"
    "serviceLevel,stageTime,stdDev stageTime,xPosition,yPosition"
)


def tiny_chain(
    folder: Path, stages: list[tuple[str, str, float, str]], arcs: list[tuple[str, str]], number: int = 90
) -> Path:
    sd = folder / f"{number}_SD.csv"
    rows = [f"{name},{cost},0,{cls},{demand},,,,1,,0,0" for name, cls, cost, demand in stages]
    sd.write_text("\r\n".join([SD_HEADER, *rows]) + "\r\n", encoding="utf-8")
    ll = folder / f"{number}_LL.csv"
    ll.write_text("\n".join(["sourceStage,destinationStage", *(f"{u},{v}" for u, v in arcs)]) + "\n", encoding="utf-8")
    return sd


def spofs_of(p: Portfolio, product: str) -> set[str]:
    result = analyze(p, only=["spof"])
    assert result.spof is not None
    return {c.node for c in result.spof.critical_nodes if product in c.products_lost}


def test_willems_tiny_chain_needs_both_parts(tmp_path: Path) -> None:
    stages = [
        ("Part_A", "Part", 1, ""),
        ("Part_B", "Part", 2, ""),
        ("Manuf_1", "Manuf", 3, ""),
        ("Retail_1", "Retail", 0, "10"),
    ]
    sd = tiny_chain(tmp_path, stages, [("Part_A", "Manuf_1"), ("Part_B", "Manuf_1"), ("Manuf_1", "Retail_1")])
    p = import_willems(sd).portfolio()
    assert spofs_of(p, "retail-1") == {"part-a", "part-b", "manuf-1"}
    (retail,) = p.products
    assert retail.annual_revenue == 365 * 10 * 6
    assert [(s.provider, s.step) for s in retail.supply] == [("manuf-1", "drug_product")]


def test_willems_tiny_chain_second_manufacturer_is_no_alternative(tmp_path: Path) -> None:
    stages = [
        ("Part_A", "Part", 1, ""),
        ("Part_B", "Part", 2, ""),
        ("Manuf_1", "Manuf", 3, ""),
        ("Manuf_2", "Manuf", 4, ""),
        ("Retail_1", "Retail", 0, "10"),
        ("Retail_2", "Retail", 0, "1"),
    ]
    arcs = [
        ("Part_A", "Manuf_1"),
        ("Part_B", "Manuf_1"),
        ("Manuf_1", "Retail_1"),
        ("Part_A", "Manuf_2"),
        ("Manuf_2", "Retail_1"),
        ("Manuf_2", "Retail_2"),
    ]
    p = import_willems(tiny_chain(tmp_path, stages, arcs)).portfolio()
    # Retail_1 needs Manuf_1 AND Manuf_2 (a bill of materials): Part_A feeds both, and
    # Part_B is still needed through Manuf_1; the retail stage's stocking stage holds them together.
    assert spofs_of(p, "retail-1") == {"part-a", "part-b", "manuf-1", "manuf-2", "retail-1-stage"}
    assert spofs_of(p, "retail-2") == {"part-a", "manuf-2"}  # Part_B is not upstream of Retail_2
    assert {(f.from_, f.to, f.material) for f in p.feeds if f.to == "retail-1-stage"} == {
        ("manuf-1", "retail-1-stage", "Manuf_1"),
        ("manuf-2", "retail-1-stage", "Manuf_2"),
    }


def test_willems_tiny_chain_dist_and_demand_on_a_non_retail_stage(tmp_path: Path) -> None:
    stages = [
        ("Manuf_1", "Manuf", 2, ""),
        ("Dist_1", "Dist", 1, ""),
        ("Retail_1", "Retail", 0, "1"),
        ("Dist_2", "Dist", 1, "5"),
    ]
    arcs = [("Manuf_1", "Dist_1"), ("Manuf_1", "Retail_1"), ("Dist_1", "Retail_1"), ("Manuf_1", "Dist_2")]
    imported = import_willems(tiny_chain(tmp_path, stages, arcs))
    p = imported.portfolio()
    retail = p.nodes["retail-1"]
    assert isinstance(retail, Product)
    assert [s.provider for s in retail.supply] == ["manuf-1"] and retail.distributors[0].distributor == "dist-1"
    assert spofs_of(p, "retail-1") == {"manuf-1", "dist-1"}
    assert imported.ids["product"]["Dist_2"] == "demand-dist-2"
    assert spofs_of(p, "demand-dist-2") == {"manuf-1", "dist-2"}
    assert p.nodes["demand-dist-2"].annual_revenue == 365 * 5 * 3  # type: ignore[union-attr]


def test_willems_parts_spelling_and_industry() -> None:
    stages, _ = willems_chain(19)
    p = import_willems(WILLEMS / "19_SD.csv").portfolio()
    parts = {n for n, r in stages.items() if r["stageClassification"] == "Parts"}
    assert len(parts) == 43
    services = {x.name: x.services for x in p.providers if isinstance(x, Provider)}
    assert {n for n, s in services.items() if s == ("api",)} == parts


@pytest.mark.parametrize(
    ("stages", "arcs", "message"),
    [
        ([("A", "Manuf", 1, ""), ("R", "Shop", 0, "1")], [], r"91_SD.csv row 3: stage 'R' has classification 'Shop'"),
        ([("A", "Manuf", "x", "")], [], r"91_SD.csv row 2: stageCost 'x' is not a number"),
        ([("A", "Manuf", 1, ""), ("A", "Dist", 1, "")], [], r"row 3: stage 'A' already defined at row 2"),
        ([("A", "Manuf", 1, "")], [("A", "B")], r"91_LL.csv row 2: destinationStage 'B' is not a stage"),
        (
            [("A", "Manuf", 1, ""), ("B", "Manuf", 1, "")],
            [("A", "B"), ("B", "A")],
            r"91_LL.csv row 3: arcs form a cycle: ",
        ),
        ([("A", "Manuf", 1, ""), ("R", "Retail", 0, "1")], [("R", "A")], r"row 2: Retail stage 'R' feeds 'A'"),
    ],
)
def test_willems_bad_input_is_named(tmp_path: Path, stages: list, arcs: list, message: str) -> None:
    sd = tiny_chain(tmp_path, stages, arcs, number=91)
    with pytest.raises(GraphkitError, match=message):
        import_willems(sd)


def test_willems_missing_files(tmp_path: Path) -> None:
    with pytest.raises(GraphkitError, match=r"no chain 7 in .*07_SD.csv"):
        import_willems(7, tmp_path)
    sd = tmp_path / "07_SD.csv"
    sd.write_text(SD_HEADER + "\n", encoding="utf-8")
    with pytest.raises(GraphkitError, match=r"07_LL.csv: no such file"):
        import_willems(7, tmp_path)


# -- the commands ----------------------------------------------------------------


def run(*args: object):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [str(a) for a in args])


def test_cli_import_scms(tmp_path: Path) -> None:
    need_data(SCMS_CSV)
    out = tmp_path / "scms.json"
    result = run("import", "scms", SCMS_CSV, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    assert "62 manufacturing sites, 42 vendors, 34 countries" in result.stderr
    p, warnings = read_portfolio(out)
    assert len(p.products) == 829 and warnings == []


def test_cli_import_willems_by_number_and_by_file(tmp_path: Path) -> None:
    need_data(WILLEMS)
    out = tmp_path / "chain22.yaml"
    result = run("import", "willems", "22", "--data-dir", WILLEMS, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out) and "253 stages" in result.stderr
    assert len(read_portfolio(out)[0].products) == 123
    folder = tmp_path / "csv"
    result = run(
        "import", "willems", WILLEMS / "01_SD.csv", "-o", folder, "--to", "csv", "--technology", "aseptic_fill"
    )
    assert result.exit_code == 0, result.output
    assert {x.technology for x in read_portfolio(folder)[0].products} == {"aseptic_fill"}


def test_cli_bad_input_names_file_and_row_and_writes_nothing(tmp_path: Path) -> None:
    path = scms_file(tmp_path, "1,P,Haiti,V,Item,Tablet,S,5,0,0", "2,P,Haiti,V,Item,Tablet,S,n/a,0,0")
    out = tmp_path / "out.yaml"
    result = run("import", "scms", path, "-o", out)
    assert result.exit_code == 1
    assert "scms.csv row 3: column 'Line Item Value': 1 row(s) with non-numeric amount(s), e.g. row 3 'n/a'" in (
        result.stderr
    )
    assert not out.exists()
    result = run("import", "willems", "99", "--data-dir", tmp_path, "-o", out)
    assert result.exit_code == 1 and "no chain 99" in result.stderr
