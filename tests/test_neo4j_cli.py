"""`graphkit neo4j ...` and `graphkit cypher ...` through click's runner,
against the real Neo4j server."""

from __future__ import annotations

import http.server
import json
import threading
import uuid
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from neo4j.exceptions import Neo4jError
from result_records import record

from graphkit import read_portfolio, write_records
from graphkit.analysis.spof import CriticalNode, SoleSourceStep, SpofResult
from graphkit.cli.main import main
from graphkit.cli.neo4j_commands import parse_param
from graphkit.fingerprint import FINGERPRINT_KEY, fingerprint
from graphkit.generate import GeneratorSpec, iter_records

SMALL = Path(__file__).with_name("small.yaml")
AWKWARD = "O'Brien \"q\" back\\slash $x {id: 'x'}}) MATCH (n) DETACH DELETE n // 東京"


@pytest.fixture
def env(neo4j_settings: Any) -> dict[str, str]:
    s = neo4j_settings
    return {
        "NEO4J_URI": s.uri,
        "NEO4J_USERNAME": s.username,
        "NEO4J_PASSWORD": s.password,
        "NEO4J_DATABASE": s.database,
    }


@pytest.fixture
def gk(env: dict[str, str], neo4j_clean: Any):
    """Run graphkit with the test server's settings in the environment, on an empty database."""

    def invoke(*args: Any, **kwargs: Any) -> click.testing.Result:
        return CliRunner().invoke(main, [str(a) for a in args], env={**env, **kwargs.pop("env", {})}, **kwargs)

    return invoke


def test_load_status_export_round_trip(gk: Any, tmp_path: Path) -> None:
    result = gk("neo4j", "load", SMALL)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{SMALL}: 14 nodes, 19 relationships in database 'neo4j' at ")
    assert "switched in (was 0 nodes, 0 relationships)" in result.stdout
    again = gk("neo4j", "load", SMALL, "--replace")
    assert "unchanged: the database held this portfolio already" in again.stdout
    status = json.loads(gk("neo4j", "status", "--format", "json").stdout)
    assert status["nodes"]["Provider"] == 5 and status["nodes"]["CMO"] == 3
    assert status["relationships"]["SUPPLIES"] == 3 and status["version"].startswith("5.")
    table = gk("neo4j", "status").stdout
    assert table.startswith("Neo4j 5.") and "relationship  CONTRACTS_WITH        3" in table
    out = tmp_path / "back.xlsx"
    exported = gk("neo4j", "export", "-o", out)
    assert exported.exit_code == 0 and exported.stdout.strip() == str(out)
    back, original = read_portfolio(out)[0], read_portfolio(SMALL)[0]
    assert back.nodes.keys() == original.nodes.keys()
    assert sorted(back.contracts, key=str) == sorted(original.contracts, key=str)


def test_export_of_an_invalid_graph_writes_nothing(gk: Any, tmp_path: Path) -> None:
    gk("neo4j", "load", SMALL)
    gk("cypher", "query", "MATCH (p:Product {id: 'prod-2'})<-[r:OWNS]-() DELETE r", "--write")
    result = gk("neo4j", "export", "-o", tmp_path / "out.yaml")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "neo4j:Product{id: 'prod-2'}: product 'prod-2': owner is missing" in result.stderr
    assert "nothing was written" in result.stderr and not (tmp_path / "out.yaml").exists()


def test_schema_command(gk: Any) -> None:
    first = gk("neo4j", "schema", "--format", "json")
    assert first.exit_code == 0
    rows = json.loads(first.stdout)
    assert {r["name"] for r in rows} >= {"graphkit_product_id", "graphkit_provider_id"}
    again = json.loads(gk("neo4j", "schema", "--format", "json").stdout)
    assert not any(r["created"] for r in again)


def test_large_loads_show_progress_on_stderr(gk: Any, tmp_path: Path) -> None:
    path = write_records(iter_records(GeneratorSpec.from_scale(6000, seed=2)), tmp_path / "g.json")
    result = gk("neo4j", "load", path, "--batch-size", "1000")
    assert result.exit_code == 0, result.output
    assert "loading into Neo4j" in result.stderr and "loading" not in result.stdout


def test_cypher_list_needs_no_server() -> None:
    result = CliRunner().invoke(main, ["cypher", "list", "--format", "json"], env={"NEO4J_URI": "bolt://127.0.0.1:1"})
    rows = json.loads(result.stdout)
    assert {
        "name": "provider_failure_impact",
        "params": "$provider (provider or marketing partner id)",
        "summary": "Markets a given provider's or marketing partner's failure reaches, and which it loses.",
    } in rows
    shown = CliRunner().invoke(main, ["cypher", "show", "sole_source_steps"])
    assert shown.stdout.startswith("// Product steps with exactly one qualified source")


def test_cypher_run_library_queries(gk: Any) -> None:
    gk("neo4j", "load", SMALL)
    rows = json.loads(gk("cypher", "run", "sole_source_steps", "-f", "json").stdout)
    assert [(r["product"], r["step"], r["market"], r["provider"]) for r in rows] == [
        ("prod-1", "distribution", "EU", "dist-1"),
        ("prod-1", "fill_finish", "EU", "cmo-a"),
        ("prod-1", "fill_finish", "US", "cmo-a"),
        ("prod-2", "api", None, "api-1"),
        ("prod-2", "distribution", None, "dist-1"),
    ]
    csv = gk("cypher", "run", "provider_failure_impact", "--param", "provider=cb-1", "--format", "csv")
    assert csv.stdout.splitlines() == [
        "product,product_name,market,owner,revenue,revenue_basis,tier,via,available,lost",
        "prod-2,Tablet Two,,client-2,0.0,share,2,api-1,yes,yes",
    ]
    table = gk("cypher", "run", "product_dependencies", "-p", "product=prod-2").stdout.splitlines()
    assert table[0].split() == ["provider", "name", "kind", "tier", "qualified", "roles"]
    assert table[2].split()[:2] == ["api-1", "API"] and len(table) == 5


def test_cypher_run_checks_parameters(gk: Any) -> None:
    missing = gk("cypher", "run", "product_dependencies")
    assert missing.exit_code == 2 and "needs --param product=... (product id)" in missing.stderr
    unknown = gk("cypher", "run", "product_dependencies", "-p", "produtc=x")
    assert unknown.exit_code == 2 and "no parameter 'produtc' (did you mean 'product'?)" in unknown.stderr
    nosuch = gk("cypher", "run", "nope")
    assert nosuch.exit_code == 1 and "no query named 'nope'" in nosuch.stderr


def test_ids_stay_text_in_library_queries(gk: Any, tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "providers: [{id: 12345, name: Numbered, kind: cmo}]\n"
        "clients: [{id: c, name: C, segment: small}]\n"
        "products: [{id: p, name: P, technology: tablet, owner: c, "
        "supply: [{provider: 12345, step: api}]}]\n"
    )
    gk("neo4j", "load", path)
    query = "MATCH (x:Provider {id: $id}) RETURN x.name AS n"
    assert json.loads(gk("cypher", "query", query, "-p", "id=12345", "-f", "json").stdout) == []  # a number
    assert json.loads(gk("cypher", "query", query, "-p", 'id="12345"', "-f", "json").stdout) == [{"n": "Numbered"}]
    rows = json.loads(gk("cypher", "run", "provider_failure_impact", "-p", "provider=12345", "-f", "json").stdout)
    assert [r["product"] for r in rows] == ["p"]  # library ids are always text


def test_query_is_read_only_unless_write(gk: Any) -> None:
    refused = gk("cypher", "query", "CREATE (n:Scratch {v: 1}) RETURN n.v AS v")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == "Error: this query writes; run it with --write (queries are read-only by default)"
    counted = gk("cypher", "query", "MATCH (n:Scratch) RETURN count(n) AS n", "-f", "json")
    assert json.loads(counted.stdout) == [{"n": 0}]
    written = gk("cypher", "query", "CREATE (n:Scratch {v: 1}) RETURN n.v AS v", "--write", "-f", "json")
    assert written.exit_code == 0 and json.loads(written.stdout) == [{"v": 1}]


def test_awkward_parameter_values_arrive_intact(gk: Any) -> None:
    result = gk(
        "cypher",
        "query",
        "RETURN $v AS v, $n AS n, $l AS l, $b AS b, $j AS j",
        "-p",
        f"v={AWKWARD}",
        "-p",
        "n=-1.5e3",
        "-p",
        'l=[1, "a"]',
        "-p",
        "b=true",
        "-p",
        'j="123"',
        "-f",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"v": AWKWARD, "n": -1500.0, "l": [1, "a"], "b": True, "j": "123"}]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a=1", ("a", 1)),
        ("a=007", ("a", "007")),
        ("a=-2.5", ("a", -2.5)),
        ("a=null", ("a", None)),
        ("a=false", ("a", False)),
        ("a=x=y", ("a", "x=y")),
        ("a=", ("a", "")),
        ('a={"k": [1]}', ("a", {"k": [1]})),
        ("a=True", ("a", "True")),
        ("a=prod-1", ("a", "prod-1")),
    ],
)
def test_param_values(text: str, expected: tuple[str, Any]) -> None:
    assert parse_param(text) == expected


def test_bad_params_are_usage_errors(gk: Any) -> None:
    for bad in ("novalue", "1x=2", "j=[1,"):
        result = gk("cypher", "query", "RETURN 1", "-p", bad)
        assert result.exit_code == 2, bad


def test_syntax_errors_are_clean(gk: Any) -> None:
    result = gk("cypher", "query", "MATCH (n RETURN n")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith("Error: Neo4j refused the query: Invalid input 'RETURN'")


def test_unknown_label_warns(gk: Any) -> None:
    result = gk("cypher", "query", "MATCH (n:Prodcut) RETURN n")
    assert result.exit_code == 0 and result.stdout.strip() == "(no rows)"
    assert "warning: label does not exist. The label `Prodcut` does not exist" in result.stderr


def test_write_back_command(gk: Any, tmp_path: Path) -> None:
    gk("neo4j", "load", SMALL)
    results = tmp_path / "results.json"
    results.write_text(
        json.dumps(
            {
                "spof": record(
                    SpofResult,
                    sole_source_steps=[record(SoleSourceStep, product="prod-1", step="fill_finish", provider="cmo-a")],
                    critical_nodes=[
                        record(
                            CriticalNode,
                            node="cmo-a",
                            severity="critical",
                            revenue_at_risk=1200000.5,
                            products_lost=["prod-1"],
                        ),
                        record(CriticalNode, node="gone", severity="low"),
                    ],
                ),
                FINGERPRINT_KEY: fingerprint(read_portfolio(SMALL)[0]),
            }
        )
    )
    result = gk("neo4j", "write-back", results)
    assert result.exit_code == 0
    assert result.stdout.startswith("findings stored on 1 nodes and 1 relationships")
    assert "warning: node 'gone' is not in the database" in result.stderr
    rows = json.loads(
        gk(
            "cypher",
            "query",
            "MATCH (n)-[r:SUPPLIES]->() WHERE n.is_single_point_of_failure "
            "RETURN n.id AS id, n.risk_severity AS s, r.sole_source AS sole",
            "-f",
            "json",
        ).stdout
    )
    assert rows == [{"id": "cmo-a", "s": "critical", "sole": True}]
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert gk("neo4j", "write-back", bad).exit_code == 1
    bad.write_text(json.dumps({"spof": record(SpofResult, critical_nodes=[{"node": "cmo-a"}])}))
    refused = gk("neo4j", "write-back", bad)
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    at = "spof.critical_nodes[0]: no"
    assert f"{at} kind; {at} loss; {at} risk_exposure; {at} markets_lost" in refused.stderr


# -- connection problems: exit codes and messages ------------------------------------


def test_wrong_password_exits_4_without_showing_it(gk: Any) -> None:
    result = gk("neo4j", "status", env={"NEO4J_PASSWORD": "Not-The-Pa55word"})
    assert result.exit_code == 4
    assert "rejected user 'neo4j': wrong user name or password" in result.stderr
    assert "Not-The-Pa55word" not in result.output and "Traceback" not in result.output


def test_no_password_and_no_terminal_exits_4(gk: Any) -> None:
    result = gk("neo4j", "status", env={"NEO4J_PASSWORD": None})
    assert result.exit_code == 4 and "no password for Neo4j user 'neo4j'" in result.stderr


def test_password_prompt_is_not_echoed(env: dict[str, str], neo4j_settings: Any, monkeypatch: Any) -> None:
    import graphkit.cli.common as commands

    monkeypatch.setattr(commands, "_interactive", lambda: True)
    result = CliRunner().invoke(
        main,
        ["neo4j", "status", "-f", "json"],
        env={**env, "NEO4J_PASSWORD": None},
        input=neo4j_settings.password + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Neo4j password for neo4j" in result.stderr and neo4j_settings.password not in result.output


def test_unreachable_server_exits_3(gk: Any) -> None:
    result = gk("neo4j", "status", "--uri", "bolt://127.0.0.1:1")
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: cannot reach Neo4j at bolt://127.0.0.1:1")


def test_missing_database_exits_5(gk: Any) -> None:
    result = gk("cypher", "query", "RETURN 1", "--database", "nosuchdb")
    assert result.exit_code == 5
    assert "has no database 'nosuchdb'" in result.stderr


def test_unusable_uri_exits_2(gk: Any) -> None:
    result = gk("neo4j", "status", env={"NEO4J_URI": "http://localhost:7474"})
    assert result.exit_code == 2 and "neo4j://host:port" in result.stderr


def test_every_command_has_an_example() -> None:
    for path in (
        ["neo4j"],
        ["neo4j", "load"],
        ["neo4j", "export"],
        ["neo4j", "schema"],
        ["neo4j", "status"],
        ["neo4j", "write-back"],
        ["cypher"],
        ["cypher", "list"],
        ["cypher", "show"],
        ["cypher", "run"],
        ["cypher", "query"],
    ):
        result = CliRunner().invoke(main, [*path, "-h"])
        assert result.exit_code == 0 and "Example" in result.stdout, path
    assert "NEO4J_PASSWORD" in CliRunner().invoke(main, ["neo4j", "load", "-h"]).stdout


# -- what read-only `cypher query` refuses beyond writes ----------------------------


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("SHOW TRANSACTIONS", "SHOW TRANSACTIONS"),
        ("SHOW USERS", "users, roles, privileges or databases"),
        ("SHOW DATABASES YIELD name RETURN name", "users, roles, privileges or databases"),
        ("CREATE USER graphkit_intruder SET PASSWORD 'pw-long-enough'", "users, roles, privileges or databases"),
        ("SHOW ROLES", "SHOW ROLES"),
        ("SHOW SETTINGS", "SHOW SETTINGS"),
        ("// a comment first\nshow   transactions yield transactionId RETURN count(*)", "SHOW TRANSACTIONS"),
        ("CALL dbms.listConnections()", "DBMS procedure dbms.listConnections"),
        ("MATCH (n) WITH count(n) AS c CALL db.clearQueryCaches() YIELD value RETURN c", "db.clearQueryCaches"),
    ],
)
def test_query_refuses_administration_commands_unless_admin(gk: Any, statement: str, named: str) -> None:
    refused = gk("cypher", "query", statement)
    assert refused.exit_code == 1, refused.output
    assert refused.stderr.startswith("Error: this statement ") and named in refused.stderr
    assert refused.stderr.rstrip().endswith("it is refused unless asked for with --admin")
    assert refused.stdout == ""


def test_query_still_runs_schema_and_catalogue_reads_and_profile(gk: Any) -> None:
    for statement in (
        "SHOW INDEXES YIELD name RETURN count(*) AS n",
        "SHOW PROCEDURES YIELD name RETURN count(*) AS n",
        "CALL db.labels() YIELD label RETURN count(*) AS n",
        "PROFILE MATCH (n) RETURN count(n) AS n",
    ):
        result = gk("cypher", "query", statement, "-f", "json")
        assert result.exit_code == 0, (statement, result.output)
        assert json.loads(result.stdout)[0]["n"] >= 0


def test_terminate_transactions_of_another_user_is_refused_unless_admin(
    gk: Any, neo4j_clean: Any, neo4j_settings: Any
) -> None:
    """A transaction the test holds open stands for another analyst's running load."""
    tag = f"victim-{uuid.uuid4()}"
    with neo4j_clean.session(database=neo4j_settings.database) as session:
        victim = session.begin_transaction(metadata={"app": tag})
        victim.run("CREATE (:Scratch {v: 1})").consume()
        records, _, _ = neo4j_clean.execute_query(
            "SHOW TRANSACTIONS YIELD transactionId, metaData WHERE metaData.app = $tag RETURN transactionId",
            tag=tag,
            database_=neo4j_settings.database,
        )
        [victim_id] = [r["transactionId"] for r in records]
        refused = gk("cypher", "query", "TERMINATE TRANSACTIONS $id", "-p", f"id={victim_id}")
        assert refused.exit_code == 1
        assert refused.stderr.strip() == (
            "Error: this statement runs an administration command (TERMINATE TRANSACTIONS); "
            "it is refused unless asked for with --admin"
        )
        assert victim.run("RETURN 1 AS one").single(strict=True)["one"] == 1  # still alive
        ended = gk("cypher", "query", "TERMINATE TRANSACTIONS $id", "-p", f"id={victim_id}", "--admin", "-f", "json")
        assert ended.exit_code == 0, ended.output
        assert json.loads(ended.stdout)[0]["message"] == "Transaction terminated."
        with pytest.raises(Neo4jError):
            victim.run("RETURN 1").consume()


def test_load_csv_is_refused_unless_asked_for_and_fetches_nothing(gk: Any) -> None:
    fetched: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fetched.append(self.path)
            body = b"id,name\nx,ex\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/secret.csv"
        statement = "CALL () { LOAD CSV WITH HEADERS FROM $url AS row RETURN row } RETURN row.id AS id"
        refused = gk("cypher", "query", statement, "-p", f"url={url}")
        assert refused.exit_code == 1 and fetched == []
        assert refused.stderr.strip() == (
            "Error: this statement reads a file or URL with LOAD CSV (the server would fetch it); "
            "it is refused unless asked for with --load-csv"
        )
        allowed = gk("cypher", "query", statement, "-p", f"url={url}", "--load-csv", "-f", "json")
        server.shutdown()
    assert allowed.exit_code == 0, allowed.output
    assert json.loads(allowed.stdout) == [{"id": "x"}] and fetched == ["/secret.csv"]


def test_library_queries_do_not_warn_about_properties_no_record_has(gk: Any, monkeypatch: Any) -> None:
    """A library query names model properties a database may never have held
    (market_revenues where no product has per-market revenue): the server's
    "does not exist" notice is noise there, but stays for a typed query."""
    from graphkit.cli import neo4j_commands
    from graphkit.queries import QueryInfo

    absent = f"never_{uuid.uuid4().hex}"  # a property key this server has never seen
    text = f"MATCH (p:Product) RETURN p.{absent} AS a, p.{absent} + 1 AS b"
    monkeypatch.setattr(neo4j_commands, "query_info", lambda name: QueryInfo(name, "test", (), "", text))
    library = gk("cypher", "run", "absent_property")
    assert library.exit_code == 0 and library.stderr == ""
    typed = gk("cypher", "query", text)
    assert typed.exit_code == 0
    assert typed.stderr.count("warning: ") == 1 and absent in typed.stderr  # two mentions, one warning
