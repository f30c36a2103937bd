"""analyze, whatif and diff through the command line."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphkit.cli.main import main

EXAMPLE = Path(__file__).parent.parent / "examples" / "portfolio.yaml"
SMALL = Path(__file__).with_name("small.yaml")


def run(*args: object, code: int = 0) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result.stdout


def test_json_contract_keys() -> None:
    out = json.loads(run("analyze", EXAMPLE, "--format", "json"))
    assert set(out) == {"spof", "overlap", "concentration", "portfolio_fingerprint"}
    assert {"sole_source_steps", "critical_nodes", "articulation_points", "bridges"} <= set(out["spof"])
    assert {"product", "step", "provider"} <= set(out["spof"]["sole_source_steps"][0])
    assert {"node", "products_lost", "clients_affected", "partners_affected", "revenue_at_risk"} <= set(
        out["spof"]["critical_nodes"][0]
    )
    assert {"products", "providers", "partner_similarity"} <= set(out["overlap"])
    assert {"product", "overlaps", "conflicts"} <= set(out["overlap"]["products"][0])
    assert {"a", "b", "jaccard"} == set(out["overlap"]["partner_similarity"][0])
    assert {
        "provider",
        "top_customer",
        "top1_share",
        "top3_share",
        "hhi",
        "effective_customers",
        "class",
        "top1_share_of_total",
        "major_customers",
        "revenue_lost_if_top_leaves",
    } <= set(out["concentration"]["providers"][0])
    assert {"client", "top_provider", "top1_share", "hhi"} <= set(out["concentration"]["clients"][0])


def test_only_one_analysis() -> None:
    assert set(json.loads(run("analyze", EXAMPLE, "--only", "concentration", "-f", "json"))) == {
        "concentration",
        "portfolio_fingerprint",
    }
    result = CliRunner().invoke(main, ["analyze", str(EXAMPLE), "--only", "spof,money"])
    assert result.exit_code == 2 and "unknown analysis money" in result.output


def test_table_output_limits_rows_and_says_so() -> None:
    out = run("analyze", EXAMPLE, "--top", "2")
    assert "Critical nodes: what one failure takes down (21)" in out
    assert "… and 19 more (--top 0 shows all)" in out
    assert run("analyze", EXAMPLE, "--limit", "2") == out  # the option's first name still works


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_table_and_markdown_lead_with_the_top_risks(fmt: str) -> None:
    nodes = json.loads(run("analyze", EXAMPLE, "--format", "json"))["spof"]["critical_nodes"]
    worst = max(c["loss"] for c in nodes)
    costliest = sorted((c for c in nodes if c["loss"] > 0), key=lambda c: -c["loss"])[:5]
    out = run("analyze", EXAMPLE, "--format", fmt)
    head, rest = out.split("Critical nodes: what one failure takes down", 1)
    assert "Top risks: the 5 costliest single failures" in head and "Top risks" not in rest
    lines = [line for line in head.splitlines() if any(c["node"] in line for c in nodes)]
    assert [line.replace("|", " ").split()[:2] for line in lines] == [[c["severity"], c["node"]] for c in costliest]
    for line, c in zip(lines, costliest):  # each with its loss and its share of the worst
        assert f"{c['loss']:,.0f}" in line and f"{100 * c['loss'] / worst:.1f}%" in line
    # examples/README.md §2d: Atlas 501.46M is the worst, then EuroVita, Northbridge, CellVault, Sakura
    assert [c["node"] for c in costliest] == [
        "partner-atlas",
        "partner-eurovita",
        "cmo-northbridge",
        "cmo-cellvault",
        "partner-sakura",
    ]


def test_csv_is_the_flat_finding_list_with_formulas_neutralised(write) -> None:
    rows = list(csv.DictReader(io.StringIO(run("analyze", EXAMPLE, "--format", "csv"))))
    assert list(rows[0]) == [
        "analysis", "finding", "subject", "severity", "revenue_at_risk", "loss", "risk_exposure",
        "recovery_weeks", "shortage_weeks", "explanation",
    ]  # fmt: skip
    assert {"spof", "overlap", "concentration"} == {r["analysis"] for r in rows}
    hostile = write(
        "h.yaml",
        SMALL.read_text()
        .replace("name: Alpha", "name: Alpha")
        .replace("{id: cmo-a, name: Fill Alpha", "{id: '=cmo-a', name: Fill Alpha")
        .replace("provider: cmo-a", "provider: '=cmo-a'")
        .replace("[cmo-a, lab-1]", "['=cmo-a', lab-1]"),
    )
    out = run("analyze", hostile, "--format", "csv")
    assert "'=cmo-a" in out and "\n=cmo-a" not in out and ",=cmo-a" not in out


def test_markdown_has_a_section_per_list() -> None:
    out = run("analyze", EXAMPLE, "--format", "markdown", "--limit", "0")
    assert "## Customer concentration per provider (17)" in out
    assert "| critical | cmo-kestrel |" in out


@pytest.mark.parametrize(("level", "code"), [("critical", 9), ("info", 9)])
def test_fail_on_gates_a_pipeline(level: str, code: int) -> None:
    run("analyze", EXAMPLE, "--fail-on", level, "--format", "json", code=code)


def test_fail_on_passes_when_nothing_is_that_bad(write) -> None:
    quiet = write("q.yaml", "clients:\n  - {id: c, name: C, segment: large}\n")
    run("analyze", quiet, "--fail-on", "low")


def test_custom_bands() -> None:
    out = json.loads(run("analyze", EXAMPLE, "--only", "concentration", "--bands", "1500,2500", "-f", "json"))
    riverton = next(r for r in out["concentration"]["providers"] if r["provider"] == "cmo-riverton")
    assert riverton["class"] == "unconcentrated" and out["concentration"]["bands"]["high"] == 2500


def test_whatif_failure_with_a_second_source() -> None:
    out = json.loads(
        run(
            "whatif",
            EXAMPLE,
            "--fail",
            "cmo-alpinefill",
            "--add-source",
            "prod-tessimab:drug_product:cmo-harborfill",
            "--add-source",
            "prod-tessimab:fill_finish:cmo-harborfill",
            "-f",
            "json",
        )
    )
    f = out["failure"]
    assert set(f["products_lost"]) == {"prod-lyozumab", "prod-wr12"}
    assert f["products_saved"] == ["prod-tessimab"]
    # Alpine's contracts vanish: its clients' spend concentrates on the rest
    changed = {r["node"] for r in out["concentration_change"]}
    assert {"client-aurelia", "client-helix", "client-tessera", "client-wren"} <= changed


def test_whatif_unknown_id_suggests() -> None:
    result = CliRunner().invoke(main, ["whatif", str(EXAMPLE), "--fail", "cmo-kestrl"])
    assert result.exit_code == 1 and "did you mean 'cmo-kestrel'?" in result.output
    assert "Traceback" not in result.output


def test_whatif_merge_clients() -> None:
    rows = json.loads(run("whatif", SMALL, "--merge-clients", "client-1,client-2", "-f", "json"))["merge"]
    cmo_a = next(r for r in rows if r["provider"] == "cmo-a")
    # 300k + 100k: shares 75/25 -> HHI 6,250; merged: one customer -> 10,000
    assert (cmo_a["hhi_before"], cmo_a["hhi_after"]) == (6250, 10000)


def test_diff_between_snapshots(write) -> None:
    old = EXAMPLE.read_text()
    line = "      - {provider: cmo-pinecrest-pack, step: packaging_labeling, qualified: true}\n"
    assert line in old
    # the first product listing Pinecrest (veltamab) gets a qualified second packager
    new = old.replace(line, line + "      - {provider: cmo-riverton, step: packaging_labeling}\n", 1)
    rows = json.loads(run("diff", EXAMPLE, write("new.yaml", new), "-f", "json"))
    removed = {(r["finding"], r["subject"]) for r in rows if r["change"] == "removed"}
    assert ("sole_source_steps", "prod-veltamab/packaging_labeling") in removed
    changed = {r["subject"] for r in rows if r["change"] == "changed"}
    assert "cmo-pinecrest-pack" in changed  # it now takes down one product fewer
    assert run("diff", EXAMPLE, EXAMPLE).strip() == "no changes in findings"


def test_same_json_whatever_the_hash_seed(tmp_path: Path) -> None:
    # Sets of ids iterate in a per-process order (string hashing is seeded); every sum and
    # ranking over them must not depend on it. A generated portfolio has float sums that do.
    portfolio = tmp_path / "g.json"
    graphkit = [sys.executable, "-m", "graphkit"]
    subprocess.run(
        [*graphkit, "generate", "--scale", "3000", "--seed", "2", "-o", portfolio], check=True, capture_output=True
    )
    outputs = {
        subprocess.run(
            [*graphkit, "analyze", portfolio, "--format", "json"],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1 and len(next(iter(outputs))) > 10_000
