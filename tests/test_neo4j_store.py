"""graphkit.neo4j_store against the real Neo4j server (tests/fixtures_neo4j.py)."""

from __future__ import annotations

import dataclasses
import gc
import json
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import neo4j
import pytest
from fixtures_neo4j import canonical
from msgspec import structs
from result_records import record as result_record

from graphkit import neo4j_store, read_portfolio, write_records
from graphkit.analysis.concentration import ConcentrationResult, ProviderConcentration
from graphkit.analysis.overlap import OverlapResult, ProductOverlap
from graphkit.analysis.spof import CriticalNode, SoleSourceStep, SpofResult
from graphkit.fingerprint import FINGERPRINT_KEY, fingerprint
from graphkit.generate import GeneratorSpec, iter_records
from graphkit.model import Client, Portfolio, Product, Provider, ProviderKind, Requirement, SupplyLink
from graphkit.neo4j_store import (
    FingerprintMismatch,
    LoadResult,
    Neo4jAuthError,
    Neo4jDatabaseNotFound,
    Neo4jSettings,
    Neo4jSettingsError,
    Neo4jStore,
    Neo4jStoreError,
    Neo4jUnavailable,
    WriteRefused,
    _version_tuple,
    read,
)
from graphkit.problems import PortfolioError

SMALL = Path(__file__).with_name("small.yaml")
AWKWARD = "O'Brien \"quoted\" back\\slash $param {id: 'x'}}) MATCH (n) DETACH DELETE n // 東京\nline2"


@pytest.fixture(scope="module")
def small() -> Portfolio:
    return read_portfolio(SMALL)[0]


def snapshot(driver: Any, database: str) -> tuple[list[Any], list[Any]]:
    """Every node and relationship with labels, type and properties, sorted."""
    nodes, _, _ = driver.execute_query(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props", database_=database
    )
    rels, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS type, b.id AS b, properties(r) AS props", database_=database
    )

    def key(v: Any) -> str:
        return json.dumps(v, sort_keys=True, default=str)

    return (
        sorted(([sorted(r["labels"]), r["props"]] for r in nodes), key=key),
        sorted(([r["a"], r["type"], r["b"], r["props"]] for r in rels), key=key),
    )


# -- settings and errors --------------------------------------------------------


def test_settings_never_show_the_password() -> None:
    s = Neo4jSettings("bolt://localhost:7687", "neo4j", "s3cret-Pa55")
    assert "s3cret" not in repr(s) and "s3cret" not in str(s) and "s3cret" not in s.describe()


@pytest.mark.parametrize("uri", ["http://localhost:7474", "localhost:7687", "bolt://", "neo4j+ssc:/x"])
def test_unusable_uris_are_refused(uri: str) -> None:
    with pytest.raises(Neo4jSettingsError) as err:
        Neo4jSettings(uri, "neo4j", "pw")
    assert err.value.exit_code == 2 and "neo4j://" in str(err.value)


def test_a_password_in_the_uri_is_refused_without_showing_it() -> None:
    with pytest.raises(Neo4jSettingsError) as err:
        Neo4jSettings("bolt://neo4j:hunter2@localhost:7687")
    assert "hunter2" not in str(err.value) and "NEO4J_PASSWORD" in str(err.value)


def test_wrong_credentials_exit_4_without_the_password(settings: Neo4jSettings, neo4j_driver: Any) -> None:
    # A user that does not exist, so the real user is never locked out by failed attempts.
    bad = dataclasses.replace(settings, user="graphkit_nobody", password="Wr0ng-Secret-'$")
    with pytest.raises(Neo4jAuthError) as err:
        Neo4jStore(bad)
    message = str(err.value)
    assert err.value.exit_code == 4
    assert "rejected user 'graphkit_nobody'" in message and "wrong user name or password" in message
    assert "Wr0ng" not in message and "Wr0ng" not in repr(err.value)


def test_unreachable_server_exits_3_quickly() -> None:
    started = time.monotonic()
    with pytest.raises(Neo4jUnavailable) as err:
        Neo4jStore(Neo4jSettings("bolt://127.0.0.1:1", "neo4j", "pw"))
    assert err.value.exit_code == 3
    assert "cannot reach Neo4j at bolt://127.0.0.1:1" in str(err.value)
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("scheme", ["bolt+s", "neo4j+s"])
def test_tls_against_a_plain_server_says_so(settings: Neo4jSettings, neo4j_driver: Any, scheme: str) -> None:
    parts = urlsplit(settings.uri)
    uri = f"{scheme}://{parts.hostname}:{parts.port}"
    with pytest.raises(Neo4jUnavailable) as err:
        Neo4jStore(dataclasses.replace(settings, uri=uri))
    assert str(err.value).startswith(f"cannot reach Neo4j at {uri} (")
    assert str(err.value).endswith(
        f"the server answers plain Bolt, without TLS, and {scheme}:// asks for TLS: "
        f"use {scheme[:-2]}:// (or turn TLS on in the server)"
    )


@contextmanager
def fake_server(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    """A bolt:// URI at a local socket server whose every connection goes to
    `answer` (connections are closed when the block ends)."""
    taken: list[socket.socket] = []
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(0.2)
        stop = threading.Event()

        def serve() -> None:
            while not stop.is_set():
                with suppress(OSError):  # mostly the accept timing out: look at `stop` again
                    conn = listener.accept()[0]
                    taken.append(conn)
                    answer(conn)

        server = threading.Thread(target=serve, daemon=True)
        server.start()
        try:
            yield f"bolt://127.0.0.1:{listener.getsockname()[1]}"
        finally:
            stop.set()
            server.join()
            for conn in taken:
                conn.close()


def test_plain_bolt_against_a_tls_server_says_so(tmp_path: Path) -> None:
    """A server that speaks only TLS (a self-signed one made here) answers a
    plain Bolt handshake with a TLS alert or nothing: the message says TLS."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def handshake(conn: socket.socket) -> None:
        conn.settimeout(5)
        context.wrap_socket(conn, server_side=True).close()

    with fake_server(handshake) as uri, pytest.raises(Neo4jUnavailable) as err:
        Neo4jStore(Neo4jSettings(uri, "neo4j", "pw"))
    assert str(err.value).startswith(f"cannot reach Neo4j at {uri} (")
    assert str(err.value).endswith("the server asks for TLS (encrypted Bolt): use bolt+s://")


def test_a_server_that_accepts_but_never_answers_fails_within_the_timeouts(monkeypatch: Any) -> None:
    """Once `neo4j status` hung 61 s here: every wait of the driver (and of the
    TLS probe after it) is bounded by the store's timeouts."""
    monkeypatch.setattr(neo4j_store, "TIMEOUT", 1.0)
    monkeypatch.setattr(neo4j_store, "PROBE_TIMEOUT", 0.5)
    started = time.monotonic()
    with fake_server(lambda conn: None) as uri, pytest.raises(Neo4jUnavailable) as err:
        Neo4jStore(Neo4jSettings(uri, "neo4j", "pw"))
    assert time.monotonic() - started < 10  # 1 s to connect, 0.5 s to probe; the driver's own default is 60 s
    assert str(err.value).startswith(f"cannot reach Neo4j at {uri} (")


def test_the_system_database_is_refused_clearly() -> None:
    with pytest.raises(Neo4jSettingsError) as err:
        Neo4jSettings("bolt://127.0.0.1:7687", "neo4j", "pw", database="System")
    assert str(err.value).startswith("database 'system' holds Neo4j's users, roles and databases, not a portfolio")
    assert err.value.exit_code == 2


def test_missing_database_exits_5(settings: Neo4jSettings, neo4j_driver: Any) -> None:
    with pytest.raises(Neo4jDatabaseNotFound) as err:
        Neo4jStore(dataclasses.replace(settings, database="nosuchdb"))
    assert err.value.exit_code == 5 and "no database 'nosuchdb'" in str(err.value)


def test_server_version_is_checked(store: Neo4jStore) -> None:
    assert _version_tuple(store.server.version) >= (5, 26)
    assert _version_tuple("5.25.1") < (5, 26) <= _version_tuple("2025.01.0")


def test_neo4j_scheme_with_routing_works(settings: Neo4jSettings, neo4j_clean: Any) -> None:
    routed = dataclasses.replace(settings, uri=settings.uri.replace("bolt://", "neo4j://"))
    with Neo4jStore(routed) as store:
        assert store.run_query("RETURN 1 AS one") == (["one"], [{"one": 1}])


# -- schema ---------------------------------------------------------------------


def test_schema_is_applied_idempotently(store: Neo4jStore, neo4j_driver: Any, settings: Neo4jSettings) -> None:
    store.apply_schema()
    again = store.apply_schema()
    assert not any(item["created"] for item in again)
    records, _, _ = neo4j_driver.execute_query(
        "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties", database_=settings.database
    )
    ours = {r["name"]: r for r in records if r["name"].startswith("graphkit_")}
    assert set(ours) == {
        "graphkit_provider_id",
        "graphkit_client_id",
        "graphkit_marketing_partner_id",
        "graphkit_product_id",
        "graphkit_requirement_id",
        "graphkit_liaison_id",
        "graphkit_lock_name",
        "graphkit_meta_name",
    }
    assert ours["graphkit_product_id"]["type"] == "UNIQUENESS"
    assert ours["graphkit_product_id"]["labelsOrTypes"] == ["Product"]
    assert ours["graphkit_product_id"]["properties"] == ["id"]
    indexes, _, _ = neo4j_driver.execute_query("SHOW INDEXES YIELD name", database_=settings.database)
    assert "graphkit_product_name" in {r["name"] for r in indexes}


def test_constraints_an_earlier_graphkit_made_for_staging_are_dropped(
    store: Neo4jStore, neo4j_driver: Any, settings: Neo4jSettings, small: Portfolio
) -> None:
    """Staged nodes are found by element id now: the staging labels' id
    constraints an earlier version created would only cost index upkeep."""
    neo4j_driver.execute_query(
        "CREATE CONSTRAINT graphkit_staged_product_id IF NOT EXISTS "
        "FOR (n:GraphkitStagedProduct) REQUIRE n.id IS UNIQUE",
        database_=settings.database,
    )
    store.load(small, replace=True)
    records, _, _ = neo4j_driver.execute_query("SHOW CONSTRAINTS YIELD name", database_=settings.database)
    assert not [r["name"] for r in records if r["name"].startswith("graphkit_staged_")]
    assert canonical(store.read()[0]) == canonical(small)


# -- load ---------------------------------------------------------------------------


def test_load_twice_changes_nothing(
    store: Neo4jStore, small: Portfolio, neo4j_driver: Any, settings: Neo4jSettings
) -> None:
    first = store.load(small)
    assert (first.nodes, first.relationships, first.changed) == (14, 19, True)
    assert (first.nodes_before, first.relationships_before) == (0, 0)
    before = snapshot(neo4j_driver, settings.database)
    second = store.load(small)
    assert (second.changed, second.nodes_before, second.relationships_before) == (False, 14, 19)
    assert "stage" not in second.phases  # nothing was written
    assert snapshot(neo4j_driver, settings.database) == before
    graphkit = [n for n in before[0] if "GraphkitMeta" not in n[0] and "GraphkitLock" not in n[0]]
    assert len(graphkit) == 14 and len(before[1]) == 19


def test_labels_and_properties_follow_the_model(store: Neo4jStore, small: Portfolio) -> None:
    store.load(small)
    _, rows = store.run_query("MATCH (n {id: $id}) RETURN labels(n) AS labels, properties(n) AS props", {"id": "api-1"})
    assert sorted(rows[0]["labels"]) == ["CMO", "Provider"]
    assert rows[0]["props"] == {
        "id": "api-1",
        "name": "API Works",
        "kind": "cmo",
        "business_model": "hybrid_generic",
        "services": ["api"],
        "own_revenue": 500000,
        "own_technologies": ["tablet"],
        "country": "IN",
        "recovery_weeks": 12,
        "parent": "Works Group",
    }
    _, rows = store.run_query("MATCH (p:Product {id: 'prod-1'}) RETURN properties(p) AS props")
    assert "owner" not in rows[0]["props"] and "supply" not in rows[0]["props"]
    props = rows[0]["props"]
    assert (props["inventory_weeks"], props["markets"], props["market_inventory_weeks"]) == (4, ["EU"], [8.0])
    assert "market_revenues" not in props  # no market gives a revenue
    _, rows = store.run_query("MATCH (:Provider {id: 'lab-1'})-[r:SUPPLIES]->() RETURN r.bring_up_weeks AS weeks")
    assert rows == [{"weeks": 10.0}]
    _, rows = store.run_query("MATCH (:Provider {id: 'cmo-a'})-[r:SUPPLIES]->() RETURN r.volume AS volume")
    assert rows == [{"volume": 12.5}]
    _, rows = store.run_query(
        "MATCH (:Client {id: 'client-1'})-[r:CONTRACTS_WITH]->(:Provider {id: 'cmo-a'}) RETURN properties(r) AS props"
    )
    assert rows == [  # dates as ISO text, the form every file writes
        {
            "props": {
                "annual_value": 300000.0,
                "currency": "USD",
                "start": "2024-07-01",
                "end": "2027-06-30",
                "notice_months": 6.0,
                "auto_renew": False,
            }
        }
    ]
    _, rows = store.run_query(
        "MATCH (:MarketingPartner {id: 'mp-2'})-[r:REQUIRES]->(q:Requirement) "
        "RETURN q.id AS id, q.topic AS topic, r.value AS value, r.products AS products"
    )
    assert rows == [
        {"id": "topic:labeling.language", "topic": "labeling.language", "value": "en", "products": ["prod-1"]}
    ]


def test_reload_makes_records_exactly_the_files(store: Neo4jStore, small: Portfolio) -> None:
    store.load(small)
    api = next(p for p in small.providers if p.id == "api-1")
    changed = dataclasses.replace(
        small,
        providers=tuple(
            structs.replace(api, country=None, own_revenue=1.5) if p.id == "api-1" else p for p in small.providers
        ),
    )
    prod1 = next(p for p in small.products if p.id == "prod-1")
    changed = dataclasses.replace(
        changed,
        products=tuple(
            structs.replace(
                prod1,
                supply=(
                    SupplyLink(provider="cmo-a", step="fill_finish"),
                    SupplyLink(provider="lab-1", step="testing", qualified=True),
                ),
            )
            if p.id == "prod-1"
            else p
            for p in small.products
        ),
    )
    result = store.load(changed)
    assert (result.changed, result.relationships) == (True, 19)
    _, rows = store.run_query("MATCH (n:Provider {id: 'api-1'}) RETURN n.country AS c, n.own_revenue AS r")
    assert rows == [{"c": None, "r": 1.5}]
    _, rows = store.run_query(
        "MATCH (x)-[s:SUPPLIES]->(:Product {id: 'prod-1'}) "
        "RETURN x.id AS x, s.step AS step, s.qualified AS q ORDER BY x"
    )
    assert rows == [{"x": "cmo-a", "step": "fill_finish", "q": True}, {"x": "lab-1", "step": "testing", "q": True}]
    # A product record owns its relationships: a supply entry dropped from it goes.
    dropped = dataclasses.replace(
        changed,
        products=tuple(
            structs.replace(p, supply=p.supply[:1], marketed_by=()) if p.id == "prod-1" else p for p in changed.products
        ),
    )
    result = store.load(dropped)
    assert result.relationships == 16  # lab-1 SUPPLIES, mp-1 and mp-2 MARKETS gone
    assert canonical(store.read()[0]) == canonical(dropped)


def test_kind_change_moves_the_label(store: Neo4jStore, small: Portfolio) -> None:
    store.load(small)
    moved = dataclasses.replace(
        small,
        providers=tuple(
            structs.replace(p, kind=ProviderKind.TEST_LAB, services=()) if p.id == "cb-1" else p
            for p in small.providers
        ),
    )
    store.load(moved)
    _, rows = store.run_query("MATCH (n {id: 'cb-1'}) RETURN labels(n) AS labels")
    assert sorted(rows[0]["labels"]) == ["Provider", "TestLab"]


def test_a_merge_that_would_leave_an_invalid_graph_writes_nothing(
    store: Neo4jStore, small: Portfolio, neo4j_driver: Any, settings: Neo4jSettings
) -> None:
    """Valid alone, invalid merged: the file makes cmo-a, which fills prod-1 in
    the database, a distributor. Refused before anything is written."""
    store.load(small)
    before = snapshot(neo4j_driver, settings.database)
    other = Portfolio(providers=(Provider(id="cmo-a", name="Now a distributor", kind=ProviderKind.DISTRIBUTOR),))
    with pytest.raises(PortfolioError) as err:
        store.load(other)
    assert any("prod-1" in str(p) and "cmo-a" in str(p) for p in err.value.problems), err.value.problems
    assert snapshot(neo4j_driver, settings.database) == before
    assert store.load(other, replace=True).changed  # --replace: the file alone is the graph


def test_replace_removes_what_the_file_dropped(
    store: Neo4jStore, small: Portfolio, neo4j_driver: Any, settings: Neo4jSettings
) -> None:
    store.load(small)
    neo4j_driver.execute_query("CREATE (:Note {text: 'analyst note'})", database_=settings.database)
    smaller = dataclasses.replace(
        small,
        products=tuple(p for p in small.products if p.id != "prod-2"),
        clients=tuple(c for c in small.clients if c.id != "client-2"),
        contracts=tuple(c for c in small.contracts if c.client != "client-2"),
        requirements=small.requirements[:1],
    )
    kept = store.load(smaller)  # without --replace nothing goes: the merge is the stored portfolio
    assert (kept.changed, kept.nodes, kept.relationships) == (False, 14, 19)
    assert store.status()["nodes"]["Product"] == 2
    result = store.load(smaller, replace=True)
    # prod-2 and client-2 with their 5 relationships (OWNS, SUPPLIES, DISTRIBUTES, 2 CONTRACTS_WITH),
    # the two REQUIRES the file dropped, and the topic only client-1's dropped requirement had.
    assert (result.nodes_before - result.nodes, result.relationships_before - result.relationships) == (3, 7)
    assert canonical(store.read()[0]) == canonical(smaller)
    status = store.status()
    assert status["nodes"]["Product"] == 1 and status["nodes"]["Requirement"] == 1
    notes, _, _ = neo4j_driver.execute_query("MATCH (n:Note) RETURN n.text AS t", database_=settings.database)
    assert [r["t"] for r in notes] == ["analyst note"]  # data without graphkit labels is left alone
    again = store.load(smaller, replace=True)
    assert again.changed is False


def test_a_failed_replace_leaves_the_old_graph(
    store: Neo4jStore, small: Portfolio, neo4j_driver: Any, settings: Neo4jSettings
) -> None:
    store.load(small)
    before = snapshot(neo4j_driver, settings.database)
    smaller = dataclasses.replace(small, products=small.products[:1], feeds=(), contracts=())
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        if done == total - 1:  # everything staged, nothing switched: fail now
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        store.load(smaller, replace=True, progress=progress, batch_size=1)
    assert len(calls) > 10
    assert canonical(store.read()[0]) == canonical(small)
    store.load(small)  # the next load deletes the dead staged generation
    assert snapshot(neo4j_driver, settings.database) == before


def test_progress_reports_every_batch(store: Neo4jStore, small: Portfolio) -> None:
    calls: list[tuple[int, int]] = []
    store.load(small, progress=lambda done, total: calls.append((done, total)), batch_size=1)
    total = calls[-1][1]
    assert [c[0] for c in calls] == list(range(1, total + 1)) and total == 34  # 14 nodes + 19 rels, then the switch


def test_load_pauses_the_collector_and_sends_rows_the_driver_need_not_format(
    store: Neo4jStore, small: Portfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[Any] = []
    run = neo4j.ManagedTransaction.run

    def spy(tx: Any, query: str, parameters: Any = None, **kwargs: Any) -> Any:
        if "UNWIND $rows" in query:
            sent.append((gc.isenabled(), kwargs["rows"]))
        return run(tx, query, parameters, **kwargs)

    monkeypatch.setattr(neo4j.ManagedTransaction, "run", spy)
    assert gc.isenabled()
    store.load(small, replace=True, batch_size=5)
    assert gc.isenabled()  # restored
    assert sent and not any(enabled for enabled, _ in sent)
    # the driver's debug line formats the parameters on every run: a batch's says its length only
    assert all(repr(rows) == f"<{len(rows)} rows>" and rows == list(rows) for _, rows in sent)
    assert sum(len(rows) for _, rows in sent) == 14 + 19  # every node and relationship, as a list of rows


def test_different_duplicates_are_refused_and_nothing_is_written(
    store: Neo4jStore, small: Portfolio, neo4j_driver: Any, settings: Neo4jSettings
) -> None:
    prod = small.products[0]
    twice = dataclasses.replace(
        small,
        products=(
            structs.replace(
                prod,
                supply=(
                    SupplyLink(provider="cmo-a", step="fill_finish"),
                    SupplyLink(provider="cmo-a", step="fill_finish", qualified=False),
                ),
            ),
        )
        + small.products[1:],
    )
    with pytest.raises(Neo4jStoreError, match="SUPPLIES cmo-a -> prod-1 \\(fill_finish\\)"):
        store.load(twice)
    assert store.status()["nodes"]["Product"] == 0
    # the node batches staged while the relationships were planned are deleted
    assert snapshot(neo4j_driver, settings.database) == ([], [])
    same = dataclasses.replace(
        small,
        products=(structs.replace(prod, distributors=(*prod.distributors, *prod.distributors)),) + small.products[1:],
    )
    result = store.load(same)
    assert result.warnings == ("DISTRIBUTES dist-1 -> prod-1 (EU) is in the file twice; Neo4j stores it once",)


# -- read -------------------------------------------------------------------------


def test_round_trip_small(store: Neo4jStore, small: Portfolio, settings: Neo4jSettings) -> None:
    store.load(small)
    back, warnings = read(settings)
    assert warnings == []
    assert canonical(back) == canonical(small)
    assert back.nodes.keys() == small.nodes.keys()
    # Read order is deterministic: by id, then by natural key.
    assert [p.id for p in back.providers] == sorted(p.id for p in small.providers)


def test_round_trip_generated(store: Neo4jStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_records(iter_records(GeneratorSpec.from_scale(3000, seed=1)), tmp_path / "g.json")
    portfolio, _ = read_portfolio(path)
    result = store.load(portfolio, batch_size=500)
    assert result.relationships == sum(1 for _ in portfolio.relationships()) > 2500
    back, _ = store.read()
    assert canonical(back) == canonical(portfolio)
    # one string for each id, however many relationships name it (as a parsed file has)
    links = [link for product in back.products for link in product.supply]
    first = {}
    assert all(first.setdefault(link.provider, link.provider) is link.provider for link in links)
    assert len(first) < len(links)
    # read a page of 7 nodes (and their relationships) at a time: the same portfolio
    monkeypatch.setattr(neo4j_store, "READ_PAGE", 7)
    assert canonical(store.read()[0]) == canonical(portfolio)
    out = write_records(back.records(), tmp_path / "back.yaml")
    assert canonical(read_portfolio(out)[0]) == canonical(portfolio)


def test_awkward_values_survive_as_parameters(store: Neo4jStore, small: Portfolio) -> None:
    awkward = Portfolio(
        providers=(Provider(id="o'brien\\1", name=AWKWARD, kind="cmo", country="$x"),),
        clients=(Client(id='c"1 })', name="MATCH (n) DETACH DELETE n", segment="small"),),
        products=(
            Product(
                id="p`1`",
                name="{{labels}}",
                technology="tablet",
                owner='c"1 })',
                supply=(SupplyLink(provider="o'brien\\1", step="api"),),
            ),
        ),
        requirements=(Requirement(party='c"1 })', topic="x' OR 1=1 //", value=AWKWARD),),
    )
    store.load(awkward)
    back, _ = store.read()
    assert back == awkward
    assert store.run_query("MATCH (n) WHERE NOT n:GraphkitMeta RETURN count(n) AS n")[1] == [{"n": 4}]
    _, rows = store.run_query("MATCH (p:Provider {id: $id}) RETURN p.name AS name", {"id": "o'brien\\1"})
    assert rows == [{"name": AWKWARD}]


def test_read_validates_the_graph_like_a_file(
    store: Neo4jStore, small: Portfolio, neo4j_driver: Any, settings: Neo4jSettings
) -> None:
    store.load(small)
    neo4j_driver.execute_query(
        "MATCH (p:Product {id: 'prod-1'}) SET p.technology = 'tabletz', p.colour = 'red' "
        "WITH p MATCH (c:Client {id: 'client-2'}) CREATE (c)-[:SUPPLIES {step: 'api', qualified: true}]->(p)",
        database_=settings.database,
    )
    neo4j_driver.execute_query(
        "MATCH (:Client {id: 'client-2'})-[r:CONTRACTS_WITH]->(:Provider {id: 'api-1'}) SET r.annual_value = 'lots'",
        database_=settings.database,
    )
    with pytest.raises(PortfolioError) as err:
        store.read()
    text = [str(p) for p in err.value.problems]
    assert (
        "neo4j:Product{id: 'prod-1'}: product 'prod-1': technology 'tabletz' is not one of aseptic_fill, "
        "lyophilization, terminal_sterilization, sterile_powder, sterile_cream, tablet, capsule, caplet, "
        "sachet (did you mean 'tablet'?)" in text
    )
    assert any(
        t.startswith(
            "neo4j:(:Client{id: 'client-2'})-[:SUPPLIES {step: 'api'}]->(:Product{id: 'prod-1'}): "
            "product 'prod-1': supply provider 'client-2' is a client"
        )
        for t in text
    )
    assert any(
        t.startswith("neo4j:(:Client{id: 'client-2'})-[:CONTRACTS_WITH]->(:Provider{id: 'api-1'}): ") and "lots" in t
        for t in text
    ), text
    assert "neo4j:Product{id: 'prod-1'}: warning: product 'prod-1': unknown field 'colour' ignored" in text
    assert "Neo4j database 'neo4j'" in str(err.value)


def test_an_empty_database_reads_as_an_empty_portfolio(store: Neo4jStore) -> None:
    assert store.read() == (Portfolio(), [])


# -- write-back ---------------------------------------------------------------------

RESULTS = {
    "spof": result_record(
        SpofResult,
        sole_source_steps=[
            result_record(SoleSourceStep, product="prod-1", step="fill_finish", provider="cmo-a", severity="critical"),
            result_record(SoleSourceStep, product="prod-2", step="distribution", provider="dist-1"),
            result_record(SoleSourceStep, product="prod-9", step="api", provider="api-1"),
        ],
        critical_nodes=[
            result_record(
                CriticalNode,
                node="cmo-a",
                kind="cmo",
                products_lost=["prod-1"],
                clients_affected=["client-1"],
                partners_affected=["mp-1", "mp-2"],
                revenue_at_risk=1200000.5,
                hidden=False,
                severity="critical",
                explanation="...",
            ),
            result_record(
                CriticalNode,
                node="cb-1",
                products_lost=["prod-2"],
                clients_affected=["client-2"],
                partners_affected=[],
                revenue_at_risk=0,
                hidden=True,
                severity="medium",
            ),
            result_record(CriticalNode, node="ghost", products_lost=[], severity="low"),
        ],
    ),
    "concentration": result_record(
        ConcentrationResult,
        bands={"moderate": 1000, "high": 1800},
        providers=[
            result_record(
                ProviderConcentration,
                provider="cmo-a",
                hhi=6250.0,
                top1_share=0.75,
                top3_share=1.0,
                effective_customers=1.6,
                severity="critical",
                top_customer="client-1",
                shares={"client-1": 0.75, "client-2": 0.25},
                **{"class": "highly_concentrated"},
            ),
        ],
    ),
    "overlap": result_record(
        OverlapResult,
        products=[
            result_record(
                ProductOverlap,
                product="prod-1",
                conflicts=[{"topic": "labeling.language", "values": {"mp-1": "de", "mp-2": "en"}}],
            ),
        ],
    ),
}
EMPTY_SPOF = result_record(SpofResult)


def test_write_back_findings_are_queryable_and_idempotent(store: Neo4jStore, small: Portfolio) -> None:
    store.load(small)
    outcome = store.write_back({**RESULTS, FINGERPRINT_KEY: fingerprint(small)})
    assert outcome.nodes == 3 and outcome.relationships == 2
    assert outcome.missing == ("node 'ghost'", "SUPPLIES api-1 -> prod-9 (api)")
    _, rows = store.run_query(
        "MATCH (n) WHERE n.is_single_point_of_failure RETURN n.id AS id, n.risk_severity AS severity, "
        "n.revenue_at_risk AS revenue, n.products_lost AS lost, n.hidden_common_mode AS hidden ORDER BY id"
    )
    assert rows == [
        {"id": "cb-1", "severity": "medium", "revenue": 0, "lost": ["prod-2"], "hidden": True},
        {"id": "cmo-a", "severity": "critical", "revenue": 1200000.5, "lost": ["prod-1"], "hidden": False},
    ]
    _, rows = store.run_query(
        "MATCH (x:CMO {id: 'cmo-a'}) RETURN x.hhi AS hhi, x.top1_share AS top1, "
        "x.concentration_class AS class, x.shares AS shares"
    )
    assert rows == [{"hhi": 6250.0, "top1": 0.75, "class": "highly_concentrated", "shares": None}]
    _, rows = store.run_query(
        "MATCH (x)-[r {sole_source: true}]->(p) RETURN x.id AS x, type(r) AS t, p.id AS p ORDER BY x"
    )
    assert rows == [{"x": "cmo-a", "t": "SUPPLIES", "p": "prod-1"}, {"x": "dist-1", "t": "DISTRIBUTES", "p": "prod-2"}]
    _, rows = store.run_query(
        "MATCH (p:Product {id: 'prod-1'}) RETURN p.requirement_conflicts AS n, p.conflicting_topics AS topics"
    )
    assert rows == [{"n": 1, "topics": ["labeling.language"]}]
    # Findings are not portfolio data: reading back ignores them.
    assert canonical(store.read()[0]) == canonical(small)
    # Writing again clears what the new results no longer say.
    again = store.write_back(
        {
            "spof": result_record(
                SpofResult, critical_nodes=[result_record(CriticalNode, node="cb-1", severity="high")]
            ),
            FINGERPRINT_KEY: fingerprint(small),
        }
    )
    assert (again.nodes, again.relationships, again.missing) == (1, 0, ())
    _, rows = store.run_query(
        "MATCH (n) WHERE n.risk_severity IS NOT NULL OR n.hhi IS NOT NULL "
        "OR n.requirement_conflicts IS NOT NULL RETURN n.id AS id, n.risk_severity AS s"
    )
    assert rows == [{"id": "cb-1", "s": "high"}]
    assert store.run_query("MATCH ()-[r]->() WHERE r.sole_source IS NOT NULL RETURN count(r) AS n")[1] == [{"n": 0}]


def test_write_back_refuses_results_of_another_portfolio_and_keeps_the_old_findings(
    store: Neo4jStore, small: Portfolio
) -> None:
    store.load(small)
    store.write_back({**RESULTS, FINGERPRINT_KEY: fingerprint(small)})
    flagged = "MATCH (n) WHERE n.is_single_point_of_failure RETURN n.id AS id ORDER BY id"
    other = dataclasses.replace(small, contracts=())
    for results, message in (
        ({"spof": EMPTY_SPOF, FINGERPRINT_KEY: fingerprint(other)}, "the results are of portfolio"),
        ({"spof": EMPTY_SPOF}, "the results carry no portfolio_fingerprint"),
    ):
        with pytest.raises(FingerprintMismatch, match=message) as err:
            store.write_back(results)
        assert "nothing was written" in str(err.value) and err.value.exit_code == 1
        assert store.run_query(flagged)[1] == [{"id": "cb-1"}, {"id": "cmo-a"}]


def test_write_back_rejects_malformed_results(store: Neo4jStore) -> None:
    with pytest.raises(Neo4jStoreError, match=r"spof\.critical_nodes\[0\]: no node"):
        store.write_back({"spof": result_record(SpofResult, critical_nodes=[{"id": "x"}])})


# -- analysts' queries ----------------------------------------------------------------


def test_queries_are_read_only_unless_write(store: Neo4jStore) -> None:
    with pytest.raises(WriteRefused, match="this query writes; run it with --write"):
        store.run_query("CREATE (n:Scratch {v: $v}) RETURN n", {"v": 1})
    assert store.run_query("MATCH (n:Scratch) RETURN count(n) AS n")[1] == [{"n": 0}]
    columns, rows = store.run_query("CREATE (n:Scratch {v: $v}) RETURN n.v AS v", {"v": AWKWARD}, write=True)
    assert (columns, rows) == (["v"], [{"v": AWKWARD}])


def test_query_values_become_plain_json(store: Neo4jStore, small: Portfolio) -> None:
    store.load(small)
    columns, rows = store.run_query(
        "MATCH path = (c:Client {id: 'client-1'})-[o:OWNS]->(p:Product) "
        "RETURN c, o, path, date('2024-02-29') AS d, duration('P1DT2H') AS dur, [1, 'a', null] AS l, "
        "{b: 1, a: {c: 2}} AS m, 1.5 AS f, point({x: 1, y: 2}) AS pt"
    )
    assert columns == ["c", "o", "path", "d", "dur", "l", "m", "f", "pt"]
    assert rows[0]["pt"] == {"srid": 7203, "coordinates": [1.0, 2.0]}
    row = rows[0]
    assert row["c"] == {"id": "client-1", "name": "Biotech = One", "segment": "small", "_labels": ["Client"]}
    assert row["o"] == {"_type": "OWNS", "_start": "client-1", "_end": "prod-1"}
    assert [n["id"] for n in row["path"]["nodes"]] == ["client-1", "prod-1"]
    assert row["path"]["relationships"][0]["_type"] == "OWNS"
    assert (row["d"], row["dur"], row["l"], row["m"], row["f"]) == (
        "2024-02-29",
        "P1DT2H",
        [1, "a", None],
        {"a": {"c": 2}, "b": 1},
        1.5,
    )
    json.dumps(rows)


def test_server_notices_are_kept(store: Neo4jStore) -> None:
    assert store.run_query("MATCH (n:Prodcut) RETURN n") == (["n"], [])
    assert any("Prodcut" in n for n in store.notices)


def test_load_result_is_json_able(store: Neo4jStore, small: Portfolio) -> None:
    result = store.load(small)
    assert isinstance(result, LoadResult)
    assert json.loads(json.dumps(result.as_dict()))["nodes"] == 14


def test_markets_filings_and_scoped_feeds_round_trip(store: Neo4jStore, small: Portfolio) -> None:
    from graphkit.model import Feed, Market

    prod = small.products[0]
    rich = dataclasses.replace(
        small,
        products=(
            structs.replace(
                prod,
                markets=(Market(territory="US", annual_revenue=5.5), Market(territory="EU")),
                supply=tuple(structs.replace(s, filed_in=("US", "EU")) for s in prod.supply),
            ),
            *small.products[1:],
        ),
        feeds=tuple(structs.replace(f, products=(prod.id,), filed_in=("EU",)) for f in small.feeds)
        or (Feed(from_="api-1", to="cmo-a", material="api", products=(prod.id,)),),
    )
    store.load(rich)
    _, rows = store.run_query(
        "MATCH (p:Product {id: $id}) RETURN p.markets AS m, p.market_revenues AS r", {"id": prod.id}
    )
    assert rows[0]["m"] == ["US", "EU"] and rows[0]["r"][0] == 5.5  # parallel lists, NaN where none given
    back, warnings = store.read()
    assert warnings == [] and canonical(back) == canonical(rich)
    assert fingerprint(back) == fingerprint(rich)
