"""Reading, writing and converting portfolios: every format, without loss."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from graphkit import read_portfolio, summarize, to_networkx, write_portfolio, write_records
from graphkit.generate import GeneratorSpec, iter_records
from graphkit.io import detect_format
from graphkit.model import Portfolio

SMALL = Path(__file__).with_name("small.yaml")
TARGETS = ["p.yaml", "p.json", "p-csv", "p.xlsx"]


def test_small_portfolio_reads_as_written() -> None:
    p, warnings = read_portfolio(SMALL)
    assert warnings == []
    assert [x.id for x in p.providers] == ["cb-1", "api-1", "cmo-a", "lab-1", "dist-1"]
    prod1 = p.nodes["prod-1"]
    assert prod1.annual_revenue == 1200000.5
    assert [(s.provider, str(s.step), s.qualified) for s in prod1.supply] == [
        ("cmo-a", "fill_finish", True),
        ("lab-1", "testing", False),
    ]
    assert [(m.partner, m.territory) for m in prod1.marketed_by] == [("mp-1", None), ("mp-2", "US")]
    assert p.nodes["prod-2"].distributors[0].distributor == "dist-1"
    assert p.contracts[2].currency == "EUR"  # normalised to upper case
    assert p.nodes["api-1"].business_model == "hybrid_generic" and p.nodes["cmo-a"].business_model == "cmo_only"
    assert p.nodes["lab-1"].business_model is None
    terms = p.contracts[0]
    assert (terms.start, terms.end, terms.notice_months, terms.auto_renew) == (
        date(2024, 7, 1),
        date(2027, 6, 30),
        6,
        False,
    )
    assert p.contracts[1].end == date(2026, 12, 31) and p.contracts[1].start is None  # quoted text reads alike
    assert p.nodes["cmo-a"].capacity == 40 and prod1.supply[0].volume == 12.5 and prod1.supply[1].volume is None


def test_summary_counts_by_hand() -> None:
    s = summarize(read_portfolio(SMALL)[0])
    assert s.nodes == {
        "cmo": 3,
        "test_lab": 1,
        "distributor": 1,
        "client": 2,
        "marketing_partner": 2,
        "product": 2,
        "liaison": 1,
        "requirement": 2,
    }
    # 2 OWNS, 3 SUPPLIES, 2 DISTRIBUTES, 2 MARKETS, 1 FEEDS, 3 CONTRACTS_WITH, 3 REQUIRES,
    # 1 EMPLOYS, 2 LIAISES_WITH
    assert s.relationships == {
        "OWNS": 2,
        "SUPPLIES": 3,
        "DISTRIBUTES": 2,
        "MARKETS": 2,
        "FEEDS": 1,
        "CONTRACTS_WITH": 3,
        "REQUIRES": 3,
        "EMPLOYS": 1,
        "LIAISES_WITH": 2,
    }
    assert s.business_models == {"cmo_only": 2, "hybrid_generic": 1}
    assert s.segments == {"small": 1, "large": 1}
    assert s.technologies == {"aseptic_fill": 1, "tablet": 1}


def test_networkx_graph() -> None:
    p, _ = read_portfolio(SMALL)
    g = to_networkx(p)
    assert g.number_of_nodes() == 14 and g.number_of_edges() == 19
    assert g.nodes["api-1"]["kind"] == "cmo" and g.nodes["api-1"]["business_model"] == "hybrid_generic"
    assert g.nodes["topic:labeling.language"]["kind"] == "requirement"
    edges = {(u, v, d["type"]) for u, v, d in g.edges(data=True)}
    assert ("cb-1", "api-1", "FEEDS") in edges and ("li-1", "lab-1", "LIAISES_WITH") in edges
    supply = g.get_edge_data("lab-1", "prod-1")[0]
    assert supply == {"type": "SUPPLIES", "step": "testing", "qualified": False, "bring_up_weeks": 10.0}


def test_requirement_reach() -> None:
    p, _ = read_portfolio(SMALL)
    reach = {(r.party, r.topic): prods for r, prods in p.requirement_products}
    assert reach[("mp-1", "labeling.language")] == ("prod-1",)  # every product it markets
    assert reach[("mp-2", "labeling.language")] == ("prod-1",)  # its own list
    assert reach[("client-1", "=cmd|' /C calc'!A0")] == ("prod-1",)  # every product it owns


@pytest.mark.parametrize("first", TARGETS)
@pytest.mark.parametrize("second", TARGETS)
def test_round_trip_between_every_pair_of_formats(tmp_path: Path, first: str, second: str) -> None:
    original, _ = read_portfolio(SMALL)
    a = write_portfolio(original, tmp_path / first)
    one, _ = read_portfolio(a)
    b = write_portfolio(one, tmp_path / ("2-" + second))
    two, _ = read_portfolio(b)
    assert one == original
    assert two == original


def test_round_trip_of_a_generated_portfolio(tmp_path: Path) -> None:
    spec = GeneratorSpec.from_scale(3000, seed=3)
    write_records(iter_records(spec), tmp_path / "g.json")
    original, _ = read_portfolio(tmp_path / "g.json")
    for target in TARGETS:
        assert read_portfolio(write_portfolio(original, tmp_path / target))[0] == original, target


def test_formula_text_is_neutralised_in_csv_and_kept_as_text_in_xlsx(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    p, _ = read_portfolio(SMALL)
    write_portfolio(p, tmp_path / "csv")
    text = (tmp_path / "csv" / "requirements.csv").read_text()
    assert "'=cmd|' /C calc'!A0" in text and "'@SUM(1)" in text
    assert "\n=cmd" not in text and ",=cmd" not in text
    write_portfolio(p, tmp_path / "p.xlsx")
    ws = load_workbook(tmp_path / "p.xlsx")["requirements"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == "=cmd|' /C calc'!A0"]
    assert cells and all(c.data_type == "s" for c in cells)


def test_spreadsheet_layout(tmp_path: Path) -> None:
    write_portfolio(read_portfolio(SMALL)[0], tmp_path / "csv")
    assert sorted(f.name for f in (tmp_path / "csv").iterdir()) == sorted(
        [
            "providers.csv",
            "clients.csv",
            "marketing_partners.csv",
            "products.csv",
            "product_supply.csv",
            "product_distributors.csv",
            "product_marketed_by.csv",
            "product_markets.csv",
            "feeds.csv",
            "contracts.csv",
            "requirements.csv",
            "liaisons.csv",
        ]
    )
    assert (tmp_path / "csv" / "product_supply.csv").read_text().splitlines() == [
        "product,provider,step,qualified,filed_in,bring_up_weeks,volume,source",
        "prod-1,cmo-a,fill_finish,true,,,12.5,",
        "prod-1,lab-1,testing,false,,10,,",
        "prod-2,api-1,api,true,,,,",
    ]
    assert (tmp_path / "csv" / "contracts.csv").read_text().splitlines()[:2] == [
        "client,provider,annual_value,currency,start,end,notice_months,auto_renew,source",
        "client-1,cmo-a,300000,USD,2024-07-01,2027-06-30,6,false,",
    ]
    assert "li-1,Ana Liaison,client-1,cmo-a; lab-1,aseptic" in (tmp_path / "csv" / "liaisons.csv").read_text()


def test_writes_are_atomic(tmp_path: Path) -> None:
    target = tmp_path / "p.yaml"
    target.write_text("old")

    def broken():
        yield "providers", {"id": "x", "name": "X", "kind": "cmo"}
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_records(broken(), target)
    assert target.read_text() == "old"
    assert [f.name for f in tmp_path.iterdir()] == ["p.yaml"]


def test_csv_folder_is_replaced_whole(tmp_path: Path) -> None:
    p, _ = read_portfolio(SMALL)
    write_portfolio(p, tmp_path / "out")
    (tmp_path / "out" / "stray.csv").write_text("a\n1\n")
    write_portfolio(Portfolio(clients=p.clients), tmp_path / "out")
    assert not (tmp_path / "out" / "stray.csv").exists()
    assert read_portfolio(tmp_path / "out")[0] == Portfolio(clients=p.clients)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["out"]


def test_format_detection(tmp_path: Path) -> None:
    assert detect_format(Path("a.yml")) == "yaml"
    assert detect_format(Path("a.JSON")) == "json"
    assert detect_format(tmp_path) == "csv"
    assert detect_format(tmp_path / "new-folder", for_writing=True) == "csv"


def test_bundled_example_is_valid_and_complete() -> None:
    example = Path(__file__).parent.parent / "examples" / "portfolio.yaml"
    p, warnings = read_portfolio(example)
    # Only notes: the three feeds into sites making several products have no `products`
    # (Harbor: veltamab, cx101; Alpine: four mAbs; Oakridge: zelvatinib, capsorin).
    assert [(w.severity, w.message.split(" of ")[0]) for w in warnings] == [
        ("note", "feed cmo-northbridge -> cmo-harborfill"),
        ("note", "feed cmo-northbridge -> cmo-alpinefill"),
        ("note", "feed cmo-meridian-api -> cmo-oakridge"),
    ]
    s = summarize(p)
    # every provider kind, business model, segment and technology is shown
    assert {"cmo", "cro", "test_lab", "distributor"} <= set(s.nodes)
    assert set(s.business_models) == {"cmo_only", "hybrid_branded", "hybrid_generic"}
    assert set(s.segments) == {"generics_only", "large", "mid_sized", "small"}
    assert len(s.technologies) == 9 and set(s.stages) == {"clinical", "commercial"}


def test_generator_counts_relationships_as_the_model_does() -> None:
    from graphkit.generate import build_portfolio_dict, count_relationships
    from graphkit.validate import build_portfolio

    raw = build_portfolio_dict(GeneratorSpec.from_scale(2000, seed=4))
    portfolio, _ = build_portfolio(raw, lambda path: "")
    assert count_relationships(raw)["total"] == sum(summarize(portfolio).relationships.values())


def test_links_are_the_relationships_without_their_properties() -> None:
    """`links` (what the summary counts) gives every relationship's type and
    ends, in order, and the record its properties are read from."""
    from graphkit.generate import build_portfolio_dict
    from graphkit.validate import build_portfolio

    example = Path(__file__).parent.parent / "examples" / "portfolio.yaml"
    generated, _ = build_portfolio(build_portfolio_dict(GeneratorSpec.from_scale(2000, seed=4)), lambda path: "")
    for p in (read_portfolio(SMALL)[0], read_portfolio(example)[0], generated):
        links = list(p.links())
        assert [(t, s, e) for t, s, e, _ in links] == [(r.type, r.source, r.target) for r in p.relationships()]
        assert len({t for t, *_ in links}) == 9
    owns = next(link for link in read_portfolio(SMALL)[0].links() if link[0] == "OWNS")
    assert owns[1:3] == ("client-1", "prod-1") and owns[3].id == "prod-1"


def test_written_files_and_folders_get_ordinary_permissions(tmp_path: Path) -> None:
    import os

    umask = os.umask(0o022)
    os.umask(umask)
    p, _ = read_portfolio(SMALL)
    folder = write_portfolio(p, tmp_path / "csv")
    file = write_portfolio(p, tmp_path / "p.yaml")
    assert folder.stat().st_mode & 0o777 == 0o777 & ~umask  # not mkdtemp's private 0700
    assert file.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0600
    file.chmod(0o640)
    write_portfolio(p, file)
    assert file.stat().st_mode & 0o777 == 0o640  # a replaced file keeps its mode


def test_a_failed_replace_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch) -> None:
    import os

    target = tmp_path / "p.json"
    target.write_text("old")

    def boom(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_portfolio(read_portfolio(SMALL)[0], target)
    assert target.read_text() == "old" and [f.name for f in tmp_path.iterdir()] == ["p.json"]
