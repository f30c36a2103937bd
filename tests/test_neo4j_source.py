"""Commands that read the portfolio from Neo4j (--neo4j) and write findings back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphkit import read_portfolio
from graphkit.analysis import analyze
from graphkit.cli.main import main
from graphkit.fingerprint import fingerprint

EXAMPLE = Path(__file__).parent.parent / "examples" / "portfolio.yaml"


@pytest.fixture
def env(neo4j_clean, neo4j_settings) -> dict[str, str]:
    s = neo4j_settings
    return {
        "NEO4J_URI": s.uri,
        "NEO4J_USERNAME": s.username,
        "NEO4J_PASSWORD": s.password,
        "NEO4J_DATABASE": s.database,
    }


def run(env: dict[str, str], *args: object, code: int = 0) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args], env=env)
    assert result.exit_code == code, result.output
    return result.stdout


def canonical(value):
    """Results up to the order of rows (Neo4j returns records sorted by id)."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def test_analyze_from_neo4j_equals_analyze_from_the_file(env) -> None:
    run(env, "neo4j", "load", EXAMPLE)
    from_db = json.loads(run(env, "analyze", "--neo4j", "--format", "json"))
    # the same portfolio, read from the database: the same fingerprint
    assert from_db.pop("portfolio_fingerprint") == fingerprint(read_portfolio(EXAMPLE)[0])
    from_file = json.loads(json.dumps(analyze(read_portfolio(EXAMPLE)[0]).as_dict()))
    assert canonical(from_db) == canonical(from_file)


def test_write_back_flags_what_analyze_found(env, neo4j_clean) -> None:
    run(env, "neo4j", "load", EXAMPLE)
    result = CliRunner().invoke(
        main, ["analyze", "--neo4j", "--only", "spof,concentration", "--write-back", "-f", "json"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "findings written back to Neo4j database" in result.stderr
    records, _, _ = neo4j_clean.execute_query(
        "MATCH (p) WHERE p.is_single_point_of_failure RETURN p.id AS id ORDER BY id",
        database_=env["NEO4J_DATABASE"],
    )
    critical = sorted(c["node"] for c in json.loads(result.stdout)["spof"]["critical_nodes"])
    assert [r["id"] for r in records] == critical
    records, _, _ = neo4j_clean.execute_query(
        "MATCH (c:CMO {id: 'cmo-kestrel'}) RETURN c.hhi AS hhi", database_=env["NEO4J_DATABASE"]
    )
    assert records[0]["hhi"] == pytest.approx(8152)


def test_write_back_needs_neo4j(env) -> None:
    result = CliRunner().invoke(main, ["analyze", str(EXAMPLE), "--write-back"], env=env)
    assert result.exit_code == 2 and "use it with --neo4j" in result.output


def test_file_or_neo4j_not_both(env) -> None:
    result = CliRunner().invoke(main, ["whatif", str(EXAMPLE), "--neo4j", "--fail", "x"], env=env)
    assert result.exit_code == 2 and "give a PORTFOLIO file, or --neo4j" in result.output


def test_whatif_and_viz_from_neo4j(env, tmp_path) -> None:
    run(env, "neo4j", "load", EXAMPLE)
    out = json.loads(run(env, "whatif", "--neo4j", "--fail", "cmo-northbridge", "-f", "json"))
    assert len(out["failure"]["products_lost"]) == 5
    assert run(env, "viz", "--neo4j", "--view", "supply", "-o", tmp_path / "n.html").strip() == str(tmp_path / "n.html")
    assert (tmp_path / "n.html").read_text().count("Northbridge Biologics") >= 1


def test_unreachable_server_exit_code(env, tmp_path) -> None:
    env = {**env, "NEO4J_URI": "bolt://127.0.0.1:1"}
    result = CliRunner().invoke(main, ["analyze", "--neo4j"], env=env)
    assert result.exit_code == 3 and "cannot reach Neo4j" in result.output
    assert env["NEO4J_PASSWORD"] not in result.output


def test_relationships_from_neo4j_equal_those_from_the_file(env) -> None:
    # Contract terms, volumes and capacities survive the store: the same scorecard either way.
    run(env, "neo4j", "load", EXAMPLE)
    from_db = json.loads(run(env, "relationships", "--neo4j", "--format", "json"))
    from_file = json.loads(run(env, "relationships", EXAMPLE, "--format", "json"))
    assert canonical(from_db) == canonical(from_file) and len(from_file["cliffs"]) == 3


def test_relationships_write_back_through_the_command_line(env) -> None:
    run(env, "neo4j", "load", EXAMPLE)
    result = CliRunner().invoke(main, ["relationships", "--neo4j", "--write-back", "-f", "json"], env=env)
    assert result.exit_code == 0, result.output
    assert (
        "scorecard written back to Neo4j" in result.stderr and "57 relationship(s) and 2 provider(s)" in result.stderr
    )
    rows = json.loads(run(env, "cypher", "run", "relationship_scorecard", "--format", "json"))
    kestrel = next(r for r in rows if r["provider"] == "cmo-kestrel" and r["client"] == "client-tessera")
    assert kestrel["severity"] == "critical" and "contract_cliff" in kestrel["findings"]
    refused = CliRunner().invoke(main, ["relationships", str(EXAMPLE), "--write-back"], env=env)
    assert refused.exit_code == 2 and "use it with --neo4j" in refused.output
