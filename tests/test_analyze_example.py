"""The analyses on the bundled example, against the answers worked out by hand
(and by an independent brute-force script) in examples/README.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphkit import read_portfolio
from graphkit.analysis import analyze, findings, read_analysis

EXAMPLE = Path(__file__).parent.parent / "examples" / "portfolio.yaml"


@pytest.fixture(scope="module")
def results() -> dict:
    return analyze(read_portfolio(EXAMPLE)[0]).as_dict()


def p(*names: str) -> set[str]:
    return {f"prod-{n}" for n in names}


LOSSES = {
    "cmo-cellvault": (p("veltamab", "lyozumab", "cx101", "tessimab", "wr12"), 910_000_000),
    "cmo-northbridge": (p("veltamab", "lyozumab", "cx101", "tessimab", "wr12"), 910_000_000),
    "cmo-harborfill": (p("cx101"), 0),
    "cmo-alpinefill": (p("lyozumab", "tessimab", "wr12"), 490_000_000),
    "cmo-meridian-api": (p("sterisol", "ceftavir", "zelvatinib", "capsorin", "orivir"), 482_000_000),
    "cmo-riverton": (p("zelvatinib", "calmapril", "hydrolyte", "orivir", "cx205", "aurevant", "tessadol"), 391_000_000),
    "cmo-oakridge": (p("capsorin"), 12_000_000),
    "cmo-kestrel": (p("sterisol", "ceftavir", "cefazolin-galen"), 170_000_000),
    "cmo-valemont": (p("dermacort", "nefrostatin"), 73_000_000),
    "cmo-pinecrest-pack": (p("veltamab", "lyozumab", "tessimab", "ceftavir", "capsorin", "orivir"), 1_087_000_000),
    "cmo-summit-clinical": (p("cx101", "wr12", "cx205"), 0),
    "cro-lumen": (p("cx101", "wr12", "cx205"), 0),
    "lab-clearwater": (
        p(
            "veltamab",
            "tessimab",
            "sterisol",
            "ceftavir",
            "cefazolin-galen",
            "zelvatinib",
            "capsorin",
            "calmapril",
            "orivir",
            "aurevant",
            "tessadol",
        ),
        1_299_000_000,
    ),
    "lab-eastgate": (p("lyozumab", "dermacort", "hydrolyte", "nefrostatin"), 257_000_000),
    "dist-westbrook": (p("sterisol", "cefazolin-galen", "capsorin", "calmapril", "hydrolyte", "tessadol"), 133_000_000),
    "dist-fairhaven": (p("aurevant"), 35_000_000),
}


# Each product's markets, read off its distributors and partners (no filings, and no
# per-market revenue in the example, so a product's revenue splits evenly over its markets).
MARKETS = {
    "prod-veltamab": ["US", "EU", "JP"],
    "prod-lyozumab": ["US", "EU"],
    "prod-cx101": [None],
    "prod-tessimab": ["US", "EU"],
    "prod-wr12": [None],
    "prod-sterisol": ["US"],
    "prod-ceftavir": ["EU", "AU"],
    "prod-cefazolin-galen": ["US"],
    "prod-dermacort": ["GB", "LATAM"],
    "prod-zelvatinib": ["US", "EU", "AU"],
    "prod-capsorin": ["LATAM"],
    "prod-calmapril": ["CA"],
    "prod-hydrolyte": ["LATAM"],
    "prod-nefrostatin": ["EU", "JP"],
    "prod-orivir": ["US", "JP"],
    "prod-cx205": [None],
    "prod-aurevant": ["JP"],
    "prod-tessadol": ["US"],
}
# Every market has exactly one distributor and one partner, so each takes down every
# market it serves (even shares in M: veltamab 140, lyozumab 90, tessimab 155, ceftavir 45,
# dermacort 9, zelvatinib 80, nefrostatin 27.5, orivir 37.5; single-market products whole).
MARKET_LOSSES = {
    "dist-westbrook": (
        {
            ("prod-calmapril", "CA"),
            ("prod-capsorin", "LATAM"),
            ("prod-cefazolin-galen", "US"),
            ("prod-dermacort", "LATAM"),
            ("prod-hydrolyte", "LATAM"),
            ("prod-lyozumab", "US"),
            ("prod-orivir", "US"),
            ("prod-sterisol", "US"),
            ("prod-tessadol", "US"),
            ("prod-tessimab", "US"),
            ("prod-veltamab", "US"),
            ("prod-zelvatinib", "US"),
        },
        644_500_000,  # 9 + 12 + 15 + 9 + 4 + 90 + 37.5 + 65 + 28 + 155 + 140 + 80
    ),
    "dist-saltmarsh": (
        {
            ("prod-ceftavir", "EU"),
            ("prod-dermacort", "GB"),
            ("prod-lyozumab", "EU"),
            ("prod-nefrostatin", "EU"),
            ("prod-tessimab", "EU"),
            ("prod-veltamab", "EU"),
            ("prod-zelvatinib", "EU"),
        },
        546_500_000,  # 45 + 9 + 90 + 27.5 + 155 + 140 + 80
    ),
    "dist-fairhaven": (
        {
            ("prod-aurevant", "JP"),
            ("prod-ceftavir", "AU"),
            ("prod-nefrostatin", "JP"),
            ("prod-orivir", "JP"),
            ("prod-veltamab", "JP"),
            ("prod-zelvatinib", "AU"),
        },
        365_000_000,  # 35 + 45 + 27.5 + 37.5 + 140 + 80
    ),
    "partner-atlas": (
        {
            ("prod-calmapril", "CA"),
            ("prod-cefazolin-galen", "US"),
            ("prod-lyozumab", "US"),
            ("prod-orivir", "US"),
            ("prod-sterisol", "US"),
            ("prod-tessadol", "US"),
            ("prod-tessimab", "US"),
            ("prod-veltamab", "US"),
            ("prod-zelvatinib", "US"),
        },
        619_500_000,  # 9 + 15 + 90 + 37.5 + 65 + 28 + 155 + 140 + 80
    ),
    "partner-sakura": (
        {("prod-aurevant", "JP"), ("prod-nefrostatin", "JP"), ("prod-orivir", "JP"), ("prod-veltamab", "JP")},
        240_000_000,  # 35 + 27.5 + 37.5 + 140
    ),
    "partner-southern-cross": (
        {
            ("prod-capsorin", "LATAM"),
            ("prod-ceftavir", "AU"),
            ("prod-dermacort", "LATAM"),
            ("prod-hydrolyte", "LATAM"),
            ("prod-zelvatinib", "AU"),
        },
        150_000_000,  # 12 + 45 + 9 + 4 + 80
    ),
}
# partner-eurovita is named for exactly the markets dist-saltmarsh serves
MARKET_LOSSES["partner-eurovita"] = MARKET_LOSSES["dist-saltmarsh"]


def test_every_providers_loss_matches_the_hand_derivation(results: dict) -> None:
    got = {
        c["node"]: ({(m["product"], m["market"]) for m in c["markets_lost"]}, c["revenue_at_risk"])
        for c in results["spof"]["critical_nodes"]
    }
    expected = {
        # a manufacturing failure loses every market of the products it takes down
        node: ({(p, m) for p in products for m in MARKETS[p]}, revenue)
        for node, (products, revenue) in LOSSES.items()
        if not node.startswith("dist-")
    }
    expected.update(MARKET_LOSSES)
    assert got == expected
    products = {c["node"]: set(c["products_lost"]) for c in results["spof"]["critical_nodes"]}
    for node, (lost, _) in MARKET_LOSSES.items():  # products with every market lost
        assert products[node] == {p for p in MARKETS if all((p, m) in lost for m in MARKETS[p])}, node


# examples/README.md §2d: each critical node's loss, worked by hand as the sum over its
# lost products of revenue (M a year) x weeks short (recovery - stock), / 52 weeks.
# Stock: veltamab 12, lyozumab 10, tessimab 12, sterisol 6, ceftavir 8, cefazolin 4,
# dermacort 6, zelvatinib 10, capsorin 6, calmapril 4, hydrolyte 2, nefrostatin 8 (JP 16),
# orivir 8, aurevant 6, tessadol 4 weeks; the clinical products carry no revenue.
# Partners record no recovery: 52 weeks.
HAND_LOSS = {
    "partner-atlas": (
        140 * 40 + 90 * 42 + 155 * 40 + 80 * 42 + 37.5 * 44 + 65 * 46 + 15 * 48 + 28 * 48 + 9 * 48,
        "critical",
    ),
    "partner-eurovita": (140 * 40 + 90 * 42 + 155 * 40 + 45 * 44 + 80 * 42 + 27.5 * 44 + 9 * 46, "critical"),
    "cmo-northbridge": (420 * 18 + 180 * 20 + 310 * 18, "critical"),  # back at week 30
    "cmo-cellvault": (420 * 14 + 180 * 16 + 310 * 14, "critical"),  # 26
    "partner-sakura": (140 * 40 + 27.5 * 36 + 37.5 * 44 + 35 * 46, "critical"),
    "partner-southern-cross": (45 * 44 + 80 * 42 + 12 * 46 + 4 * 50 + 9 * 46, "high"),
    "cmo-alpinefill": (180 * 10 + 310 * 8, "high"),  # 20
    "cmo-meridian-api": (65 * 10 + 90 * 8 + 240 * 6 + 12 * 10 + 75 * 8, "high"),  # 16
    "cmo-kestrel": (65 * 18 + 90 * 16 + 15 * 20, "high"),  # 24
    "cmo-riverton": (240 * 2 + 9 * 8 + 4 * 10 + 75 * 4 + 35 * 6 + 28 * 8, "medium"),  # 12
    "lab-clearwater": (65 * 4 + 90 * 2 + 15 * 6 + 12 * 4 + 9 * 6 + 75 * 2 + 35 * 4 + 28 * 6, "medium"),  # 10
    # Valemont 16; Kestrel brought up for Dermacort at week 8 (2 weeks short); Nefrostatin JP outlasts it
    "cmo-valemont": (18 * 2 + 27.5 * 8, "low"),
    "lab-eastgate": (18 * 4 + 4 * 8 + 27.5 * 2, "low"),  # 10
    "cmo-oakridge": (12 * 6, "low"),  # 12
    "dist-westbrook": (4 * 2, "low"),  # 4: only hydrolyte's 2 weeks of stock run out
    # stock outlasts the recovery: no loss
    "cmo-pinecrest-pack": (0, "info"),
    "dist-saltmarsh": (0, "info"),
    "dist-fairhaven": (0, "info"),
    # only clinical products (no revenue): the points fallback, cx101 and wr12 (sterile, clinical, small) 5: high
    "cmo-harborfill": (0, "high"),
    "cmo-summit-clinical": (0, "high"),
    "cro-lumen": (0, "high"),
}


def test_every_loss_and_severity_matches_the_hand_derivation(results: dict) -> None:
    nodes = results["spof"]["critical_nodes"]
    assert {c["node"]: (c["loss"], c["severity"]) for c in nodes} == {
        node: (pytest.approx(weeks * 1e6 / 52), level) for node, (weeks, level) in HAND_LOSS.items()
    }
    assert [c["node"] for c in nodes][:5] == list(HAND_LOSS)[:5]  # ranked by loss
    valemont = next(c for c in nodes if c["node"] == "cmo-valemont")
    shortage = {(m["product"], m["market"]): m["shortage_weeks"] for m in valemont["markets_lost"]}
    assert shortage == {
        ("prod-dermacort", "GB"): 2,
        ("prod-dermacort", "LATAM"): 2,
        ("prod-nefrostatin", "EU"): 8,
        ("prod-nefrostatin", "JP"): 0,
    }


def test_hidden_common_mode_explained(results: dict) -> None:
    northbridge = next(c for c in results["spof"]["critical_nodes"] if c["node"] == "cmo-northbridge")
    assert "only from cmo-northbridge" in northbridge["explanation"]
    assert set(northbridge["clients_affected"]) == {
        "client-aurelia",
        "client-helix",
        "client-calyx",
        "client-tessera",
        "client-wren",
    }
    assert set(northbridge["partners_affected"]) == {"partner-atlas", "partner-eurovita", "partner-sakura"}


def test_one_double_failure_and_no_hidden_common_cause(results: dict) -> None:
    # examples/README.md §2c: only veltamab's two sites (Harbor + Alpine) are a pair that adds a loss.
    spof = results["spof"]
    assert spof["double_failures_total"] == 1
    (pair,) = spof["double_failures"]
    assert pair["nodes"] == ["cmo-alpinefill", "cmo-harborfill"]
    assert {(m["product"], m["market"]) for m in pair["markets_lost"]} == {
        ("prod-veltamab", "US"),
        ("prod-veltamab", "EU"),
        ("prod-veltamab", "JP"),
    }
    # both back at week 20, veltamab's stock lasts 12 weeks: 8 weeks short of 420M a year,
    # 64.6M = 4.2 % of the 1,556M portfolio (high), one level lower for needing two failures
    assert pair["added_revenue_at_risk"] == 420_000_000
    assert (pair["added_loss"], pair["severity"]) == (pytest.approx(420e6 * 8 / 52), "medium")
    causes = {c["group"]: c for c in spof["common_causes"]}
    assert set(causes) == {"country=DE", "country=US"}
    assert not any(c["hidden"] for c in causes.values())
    de, us = causes["country=DE"], causes["country=US"]
    assert set(de["nodes"]) == {"cmo-valemont", "lab-eastgate"}
    assert (de["revenue_at_risk"], de["members_revenue_at_risk"]) == (257_000_000, 330_000_000)
    # examples/README.md §2c: every member down at once, each market back when its last
    # needed member is: DE 324 millions x weeks short (0.4 %: low), the US 15,028 (18.6 %)
    assert (de["loss"], de["members_loss"], de["severity"]) == (
        pytest.approx(324e6 / 52),
        pytest.approx(415e6 / 52),
        "low",
    )
    us = causes["country=US"]
    assert (us["loss"], us["members_loss"], us["severity"]) == (
        pytest.approx(15_028e6 / 52),
        pytest.approx(15_596e6 / 52),
        "critical",
    )
    assert len(us["nodes"]) == 8 and us["revenue_at_risk"] == 1_556_000_000 - 18_000_000 - 55_000_000 + 9_000_000
    assert {m["product"] for m in us["markets_lost"]} == p(
        "veltamab",
        "lyozumab",
        "cx101",
        "tessimab",
        "wr12",
        "sterisol",
        "ceftavir",
        "cefazolin-galen",
        "dermacort",
        "zelvatinib",
        "capsorin",
        "calmapril",
        "hydrolyte",
        "orivir",
        "cx205",
        "aurevant",
        "tessadol",
    )
    assert [m["market"] for m in us["markets_lost"] if m["product"] == "prod-dermacort"] == ["LATAM"]


def test_sole_source_steps(results: dict) -> None:
    steps = results["spof"]["sole_source_steps"]
    manufacturing = [s for s in steps if s["step"] != "distribution"]
    # the 66 sole-source (product, step) pairs, once per market of the product (no filings):
    # veltamab 2x3, lyozumab 6x2, cx101 4, tessimab 4x2, wr12 4, sterisol 5, ceftavir 5x2,
    # cefazolin-galen 4, dermacort 3x2, zelvatinib 3x3, capsorin 4, calmapril 3, hydrolyte 3,
    # nefrostatin 3x2, orivir 4x2, cx205 3, aurevant 3, tessadol 3
    assert len(manufacturing) == 101
    # one distributor per market: every market of the 15 products with distributors
    assert len([s for s in steps if s["step"] == "distribution"]) == 25
    veltamab = {(s["step"], s["provider"]) for s in steps if s["product"] == "prod-veltamab"}
    assert ("packaging_labeling", "cmo-pinecrest-pack") in veltamab
    assert not any(step in ("drug_product", "fill_finish") for step, _ in veltamab)  # dual-sourced on paper
    dermacort = next(s for s in steps if s["product"] == "prod-dermacort" and s["step"] == "drug_product")
    assert dermacort["provider"] == "cmo-valemont" and dermacort["backup"] == ["cmo-kestrel"]
    packing = next(s for s in steps if s["product"] == "prod-dermacort" and s["step"] == "packaging_labeling")
    assert packing["provider"] == "cmo-valemont" and packing["backup"] == ["cmo-kestrel"]


HHI = {
    "cmo-kestrel": 8152,
    "cmo-harborfill": 7812.5,
    "cmo-valemont": 6250,
    "cmo-oakridge": 6250,
    "cmo-summit-clinical": 5200,
    "cmo-meridian-api": 3437.5,
    "cmo-alpinefill": 3150,
    "cmo-pinecrest-pack": 2450,
    "cmo-riverton": 1468,
    "cmo-northbridge": 10000,
    "cmo-cellvault": 10000,
}
TOP3 = {
    "cmo-kestrel": 1,
    "cmo-harborfill": 1,
    "cmo-valemont": 1,
    "cmo-oakridge": 1,
    "cmo-summit-clinical": 1,
    "cmo-meridian-api": 0.875,
    "cmo-alpinefill": 0.95,
    "cmo-pinecrest-pack": 0.75,
    "cmo-riverton": 0.48,
}


def test_concentration_matches_the_hand_arithmetic(results: dict) -> None:
    rows = {r["provider"]: r for r in results["concentration"]["providers"]}
    for cmo, hhi in HHI.items():
        assert rows[cmo]["hhi"] == pytest.approx(hhi), cmo
        assert rows[cmo]["effective_customers"] == pytest.approx(10_000 / hhi), cmo
    for cmo, top3 in TOP3.items():
        assert rows[cmo]["top3_share"] == pytest.approx(top3), cmo
    assert rows["cmo-riverton"]["class"] == "moderately_concentrated"
    assert rows["cmo-pinecrest-pack"]["class"] == "highly_concentrated"
    valemont = rows["cmo-valemont"]
    assert valemont["currency"] == "EUR" and valemont["top1_share"] == pytest.approx(0.75)
    assert valemont["top1_share_of_total"] == pytest.approx(0.125)  # 4.5M of 6.0M + 30.0M own
    assert valemont["hhi_with_own"] == pytest.approx(7118.056, abs=1e-3)  # 156.25 + 17.361 + 6944.444
    assert rows["cmo-oakridge"]["hhi_with_own"] == pytest.approx(6015.625)
    assert rows["cmo-meridian-api"]["hhi_with_own"] == pytest.approx(7833.045, abs=1e-3)


CONFLICTS = {
    "veltamab": 5,
    "orivir": 4,
    "nefrostatin": 4,
    "tessimab": 3,
    "ceftavir": 3,
    "lyozumab": 2,
    "zelvatinib": 2,
    "dermacort": 1,
    "cefazolin-galen": 1,
    "calmapril": 1,
    "aurevant": 1,
}


def test_requirement_conflicts_per_product(results: dict) -> None:
    rows = {r["product"]: r for r in results["overlap"]["products"]}
    assert {k.removeprefix("prod-"): len(r["conflicts"]) for k, r in rows.items() if r["conflicts"]} == CONFLICTS
    assert {k for k, r in rows.items() if not r["conflicts"]} == p("sterisol", "tessadol")
    spec = next(c for c in rows["prod-veltamab"]["conflicts"] if c["topic"] == "spec.assay")
    assert spec["values"] == {
        "partner-atlas": "95.0-105.0%",
        "partner-sakura": "98.0-102.0%",
        "client-aurelia": "98.0-102.0%",
    }


def test_single_liaison_relationships(results: dict) -> None:
    kestrel = [k for k in results["spof"]["key_person_risks"] if k["provider"] == "cmo-kestrel"]
    assert [(k["client"], k["liaison"]) for k in kestrel if k["liaison"]] == [("client-tessera", "liaison-tessera-ito")]


def test_findings_are_rated_and_explained(results: dict) -> None:
    all_findings = list(findings(read_analysis(results)))
    assert all(f.explanation for f in all_findings)
    assert {f.analysis for f in all_findings} == {"spof", "overlap", "concentration"}


def test_requirement_conflicts_per_provider_follow_steps_and_markets(results: dict) -> None:
    rows = {r["provider"]: {c["topic"]: c["values"] for c in r["conflicts"]} for r in results["overlap"]["providers"]}
    # CellVault (cell bank) and Northbridge (drug substance) only make lyozumab upstream: of its
    # topics only audit.frequency reaches them, and Atlas and EuroVita agree (annual): no row.
    assert "cmo-cellvault" not in rows and "cmo-northbridge" not in rows
    # Meridian makes API only: audits reach it, labels, packaging, serialization and specs do not.
    # annual: Atlas (sterisol, orivir, zelvatinib) and EuroVita (ceftavir, zelvatinib); every 2
    # years: Sakura (orivir); every 3 years: Galen's own (capsorin).
    assert rows["cmo-meridian-api"] == {
        "audit.frequency": {
            "annual": sorted(p("ceftavir", "orivir", "sterisol", "zelvatinib")),
            "every 2 years": ["prod-orivir"],
            "every 3 years": ["prod-capsorin"],
        }
    }
    # Saltmarsh serves EU and GB, where EuroVita sells de+fr+it labels; en reaches it only
    # through Helix's own requirement (an owner sells everywhere) on lyozumab and zelvatinib.
    assert rows["dist-saltmarsh"]["labeling.language"] == {
        "de+fr+it": sorted(p("ceftavir", "dermacort", "lyozumab", "nefrostatin", "tessimab", "veltamab", "zelvatinib")),
        "en": sorted(p("lyozumab", "zelvatinib")),
    }
    # Westbrook serves US and LATAM, where every party wants en labels: no label conflict.
    assert "labeling.language" not in rows["dist-westbrook"]
