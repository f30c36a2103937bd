"""How a portfolio maps onto the Neo4j graph and back, without the driver:
the statements of a load, the portfolio rebuilt from the graph's records,
and the property rows of write-back. `graphkit.neo4j_store` runs them.

Every statement is a ``.cypher`` file of `graphkit.cypher`; labels and
relationship types are filled into them from `graphkit.model` only (Cypher 5
cannot take them as parameters), every value is a ``$parameter``.

* A node per record of a node section, labels ``LABELS[kind]``, properties
  exactly its file fields (``record.to_dict()``) minus those that are
  relationships: a product's owner, supply, distributors and marketing
  partners, a liaison's client and providers. Requirement topics are
  ``(:Requirement {id: requirement_node_id(topic), topic, name})`` nodes.
* A relationship per `Portfolio.relationships()`, identified by its type, its
  two ends and its key property (`REL_KEYS`): SUPPLIES by ``step``, FEEDS by
  ``material``, DISTRIBUTES and MARKETS by ``territory`` (absent counts as a
  value), REQUIRES by ``products``; OWNS, CONTRACTS_WITH, LIAISES_WITH and
  EMPLOYS one per pair. Two file entries with one key are collapsed when
  equal, refused when they differ.

Example
-------
>>> from graphkit import read_portfolio
>>> plan = LoadPlan(read_portfolio("tests/small.yaml")[0], batch_size=1000)
>>> plan.node_count, plan.relationship_count, len(plan.nodes), len(plan.relationships)
(14, 19, 6, 10)
>>> print(statement("store/count_nodes.cypher", label="Product").splitlines()[-1])
MATCH (n:Product) RETURN count(n) AS count
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from .model import (
    DISTRIBUTION_STEP,
    LABELS,
    MODEL_LABELS,
    NODE_SECTIONS,
    SECTIONS,
    NodeKind,
    Portfolio,
    Product,
    ProviderKind,
    Record,
    RelType,
    references,
    requirement_node_id,
)
from .problems import GraphkitError, PortfolioError, Problem, sort_problems
from .queries import cypher_text
from .validate import KIND_OF_SECTION, build_portfolio

__all__ = [
    "FINDING_TYPES",
    "GraphRelationship",
    "KEY_LABEL",
    "NODE_FINDINGS",
    "RELATIONSHIP_FINDINGS",
    "REL_KEYS",
    "LIVE_SOURCES",
    "LOCK",
    "META",
    "RETIRED",
    "SCORE_NODE_PROPERTIES",
    "SCORE_PROPERTIES",
    "SCORE_TYPES",
    "STAGED",
    "LoadPlan",
    "Neo4jStoreError",
    "Statement",
    "finding_rows",
    "graph_node_count",
    "graph_to_portfolio",
    "key_labels",
    "merge_portfolios",
    "score_rows",
    "node_properties",
    "model_labels",
    "section_labels",
    "statement",
]

if TYPE_CHECKING:
    from .analysis.relationships import RelationshipsResult

T = TypeVar("T")


class Neo4jStoreError(GraphkitError):
    """Neo4j could not do what was asked (a query error, a failed load...);
    the base of `graphkit.neo4j_store`'s errors."""


# The natural key of each relationship type besides its two ends (None: one per pair).
REL_KEYS: dict[RelType, str | None] = {
    RelType.OWNS: None,
    RelType.SUPPLIES: "step",
    RelType.FEEDS: "material",
    RelType.DISTRIBUTES: "territory",
    RelType.CONTRACTS_WITH: None,
    RelType.MARKETS: "territory",
    RelType.REQUIRES: "products",
    RelType.LIAISES_WITH: None,
    RelType.EMPLOYS: None,
}
# Fields of node records that are relationships in the graph (as in
# Portfolio.relationships()): type -> (section, is the record the target end?,
# field, key of the other end in a nested record). Loading a record makes its
# relationships of these types exactly the file's.
# Read from the model's `Ref` marks that name a relationship type.
_RECORD_FIELDS: dict[RelType, tuple[str, bool, str, str | None]] = {
    r.ref.rel: (r.section, r.ref.incoming, r.path[0], r.path[2] if len(r.path) == 3 else None)
    for r in references()
    if r.ref.rel is not None
}
# Properties `write_back` sets (and clears first); `read` ignores them.
# What each finding row puts on its node (None: nothing), by the typed results.
_CRITICAL_NODE: dict[str, Callable[[Any], Any]] = {
    "is_single_point_of_failure": lambda c: True,
    "risk_severity": lambda c: str(c.severity),
    "revenue_at_risk": lambda c: c.revenue_at_risk,
    "loss": lambda c: c.loss,
    "risk_exposure": lambda c: c.risk_exposure,
    "shortage_weeks": lambda c: c.shortage_weeks,
    # not `recovery_weeks`: that is a provider's own data, which a write-back never touches
    "market_recovery_weeks": lambda c: c.recovery_weeks,
    "products_lost": lambda c: list(c.products_lost),
    "clients_affected": lambda c: list(c.clients_affected),
    "partners_affected": lambda c: list(c.partners_affected),
    "hidden_common_mode": lambda c: c.hidden,
}
_CONCENTRATED_PROVIDER: dict[str, Callable[[Any], Any]] = {
    "hhi": lambda p: p.hhi,
    "top1_share": lambda p: p.top1_share,
    "top3_share": lambda p: p.top3_share,
    "effective_customers": lambda p: p.effective_customers,
    "concentration_class": lambda p: str(p.concentration),
    "concentration_severity": lambda p: str(p.severity),
    "top_customer": lambda p: p.top_customer,
}
_PRODUCT_OVERLAP: dict[str, Callable[[Any], Any]] = {
    "requirement_conflicts": lambda o: len(o.conflicts),
    "requirement_overlaps": lambda o: len(o.overlaps),
    "conflicting_topics": lambda o: sorted(c.topic for c in o.conflicts) or None,
}
NODE_FINDINGS = (*_CRITICAL_NODE, *_CONCENTRATED_PROVIDER, *_PRODUCT_OVERLAP)
RELATIONSHIP_FINDINGS = ("sole_source",)
FINDING_TYPES = (RelType.SUPPLIES, RelType.DISTRIBUTES)
# Properties `write_relationships` sets (and clears first), apart from those of
# `write_back`: a provider's capacity use, and the scorecard on the
# CONTRACTS_WITH relationship (a relationship without a contract has no edge
# to hold it).
_UTILISATION: dict[str, Callable[[Any], Any]] = {
    "capacity_utilisation": lambda u: u.utilisation,
    "capacity_short": lambda u: u.high,
}
_SCORECARD: dict[str, Callable[[Any], Any]] = {
    "relationship_severity": lambda r: str(r.severity),
    "relationship_findings": lambda r: [str(f.rule) for f in r.findings],
    "relationship_explanation": lambda r: r.explanation,
    "liaison_count": lambda r: len(r.liaisons),
    "skills_missing": lambda r: list(r.skills_missing),
}
SCORE_NODE_PROPERTIES = tuple(_UTILISATION)
SCORE_PROPERTIES = tuple(_SCORECARD)
SCORE_TYPES = (RelType.CONTRACTS_WITH,)
# What reading a portfolio back ignores: every property a write-back sets.
_WRITTEN_NODE = frozenset(NODE_FINDINGS + SCORE_NODE_PROPERTIES)
_WRITTEN_RELATIONSHIP = frozenset(RELATIONSHIP_FINDINGS + SCORE_PROPERTIES)

KEY_LABEL = {kind: labels[0] for kind, labels in LABELS.items()}
# The store's own labels. A load stages the new generation under STAGED
# labels (invisible to queries that name the model's labels), switches it in
# by relabelling in one transaction, and deletes the old one, RETIRED.
STAGED = {label: f"GraphkitStaged{label}" for label in dict.fromkeys(KEY_LABEL.values())}
RETIRED = "GraphkitRetired"
META = "GraphkitMeta"  # one node: the fingerprint and generation of the stored portfolio
LOCK = "GraphkitLock"  # one node: write-locked by the one writer (load, write-back) at a time
# The labels a relationship of the stored portfolio starts at (its end is as live as its start).
LIVE_SOURCES = "|".join(dict.fromkeys(KEY_LABEL[k] for k in NodeKind if k is not NodeKind.REQUIREMENT))
_MODEL_NAMES = frozenset(
    {label for labels in LABELS.values() for label in labels}
    | set(RelType)
    | set(STAGED.values())
    | {RETIRED, META, LOCK}
)
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_SCHEMA_NAME = re.compile(r"graphkit_[a-z_]+")


def statement(path: str, **names: str) -> str:
    """A .cypher file with its ``{{placeholders}}`` filled in. Only the model's
    labels and relationship types (joined with ``:`` or ``|``) and graphkit's
    schema names are accepted: statement text never holds data."""

    def fill(m: re.Match[str]) -> str:
        value = names[m[1]]
        ok = (
            _SCHEMA_NAME.fullmatch(value)
            if m[1] == "name"
            else value and all(part in _MODEL_NAMES for part in re.split(r"[:|]", value))
        )
        if not ok:
            raise ValueError(f"{path}: {{{{{m[1]}}}}} = {value!r} is not a model label or type")
        return value

    return _PLACEHOLDER.sub(fill, cypher_text(path))


def model_labels() -> list[str]:
    """Every label of the model, e.g. Provider, CMO, ..., Liaison."""
    return list(MODEL_LABELS)


def key_labels() -> list[str]:
    """The labels ids are unique in (one constraint each)."""
    return list(dict.fromkeys(KEY_LABEL.values()))


def section_labels() -> dict[str, str]:
    """Node section -> the label its ids are unique in."""
    out = {}
    for section in NODE_SECTIONS:
        kinds = [NodeKind(k.value) for k in ProviderKind] if section == "providers" else [KIND_OF_SECTION[section]]
        (label,) = {KEY_LABEL[k] for k in kinds}
        out[section] = label
    return out


@dataclass(frozen=True)
class Statement:
    """One statement to run: its text and parameters, how many rows it
    carries, how many rows it must report done (``RETURN count(*) AS
    done``; None: not checked), and whether it is a relationship batch
    (`ends`: its rows name their ends by id, to be sent as element ids)."""

    query: str
    params: dict[str, Any]
    rows: int = 0
    expect: int | None = None
    ends: bool = False


def _key_value(type_: RelType, props: Mapping[str, Any]) -> Any:
    """A relationship's key property value ('' for none)."""
    key = REL_KEYS[type_]
    value = props.get(key) if key else None
    return "" if value is None or value == "" else value


# Product.markets is a list of {territory, annual_revenue?, inventory_weeks?}
# records, and a property cannot hold maps: it is stored as parallel lists,
# `markets` (the territories) and one list of floats per number field (NaN
# where a market gives none; absent when none does).
MARKET_LISTS = {"annual_revenue": "market_revenues", "inventory_weeks": "market_inventory_weeks"}


@cache
def _relationship_fields(cls: type[Record]) -> frozenset[str]:
    """The fields of a node record of class `cls` that are relationships in the graph."""
    return frozenset(name for s, _, name, _ in _RECORD_FIELDS.values() if issubclass(cls, SECTIONS[s]))


def node_properties(record: Record) -> dict[str, Any]:
    """A node record's properties in Neo4j: its file fields minus those that
    are relationships, with `markets` as parallel lists."""
    props = record.to_dict(omit=_relationship_fields(type(record)))
    if isinstance(record, Product) and record.markets:
        props["markets"] = [m.territory for m in record.markets]
        for field, prop in MARKET_LISTS.items():
            values = [getattr(m, field) for m in record.markets]
            if any(v is not None for v in values):
                props[prop] = [math.nan if v is None else float(v) for v in values]
    return props


def _markets(props: dict[str, Any], where: str, problems: list[Problem]) -> None:
    """Undo `node_properties`' parallel lists (in place)."""
    lists = {field: props.pop(prop, None) for field, prop in MARKET_LISTS.items()}
    territories = props.get("markets")
    if not isinstance(territories, list):
        for field, values in lists.items():
            if values is not None:
                problems.append(Problem(where, f"{MARKET_LISTS[field]} without markets; ignored", "warning"))
        return
    records: list[dict[str, Any]] = [{"territory": t} for t in territories]
    for field, values in lists.items():
        if values is None:
            continue
        if not isinstance(values, list) or len(values) != len(territories):
            problems.append(
                Problem(where, f"{MARKET_LISTS[field]} must be a list as long as markets ({len(territories)}); ignored")
            )
            continue
        for record, v in zip(records, values, strict=True):
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v:
                record[field] = v
    props["markets"] = records


def graph_node_count(portfolio: Portfolio) -> int:
    """How many nodes `portfolio` makes in the graph (`LoadPlan.node_count`,
    without planning): its node records and one per requirement topic."""
    return len(portfolio.nodes) + len({r.topic for r in portfolio.requirements})


class LoadPlan:
    """The statements that stage a portfolio as a new generation (see
    `graphkit.neo4j_store.Neo4jStore.load`): node batches (`nodes`, each
    returning its nodes' element ids), then relationship batches
    (`relationships`) between staged nodes, their rows ``{source, target,
    props}`` naming the ends by id (the store sends ``[source, target,
    props]`` with the element ids the node batches returned), with the
    counts the staged generation must have before it is switched in. The
    rows by label (`node_rows`) and by type and end labels
    (`relationship_rows`) are kept too.

    Each batch is handed to `stage` as soon as it is planned, so the server
    stages while the rest is planned: a node section's batches when the
    section is made, a relationship group's when it has a batch's worth of
    rows (its last, shorter one at the end). Raises `Neo4jStoreError` when
    two different file entries share one key (see `REL_KEYS`), once every
    relationship is planned (some may have been handed to `stage` by then)."""

    def __init__(
        self, portfolio: Portfolio, batch_size: int, stage: Callable[[Statement], object] | None = None
    ) -> None:
        self.size = batch_size
        self.warnings: list[str] = []
        self.nodes: list[Statement] = []
        self.relationships: list[Statement] = []
        self.node_rows: dict[str, list[dict[str, Any]]] = {}  # key label -> node properties
        # (type, source key label, target key label) -> [{source, target, props}], ends by id
        self.relationship_rows: dict[tuple[RelType, str, str], list[dict[str, Any]]] = {}
        self.node_counts: dict[str, int] = {}  # key label -> nodes
        self.relationship_counts: dict[tuple[RelType, str], int] = defaultdict(int)  # (type, source key label)
        self._nodes(portfolio, stage or (lambda step: None))
        self._relationships(portfolio, stage or (lambda step: None))
        self.node_count = sum(self.node_counts.values())
        self.relationship_count = sum(self.relationship_counts.values())

    def _chunks(self, rows: list[T]) -> list[list[T]]:
        return [rows[i : i + self.size] for i in range(0, len(rows), self.size)]

    def _nodes(self, portfolio: Portfolio, stage: Callable[[Statement], object]) -> None:
        """Node rows by key label (one per node section, then requirement
        topics), each section's batches staged as soon as it is planned."""
        labels = section_labels()
        sections = ((labels[s], (node_properties(r) for r in getattr(portfolio, s))) for s in NODE_SECTIONS)
        topics = dict.fromkeys(r.topic for r in portfolio.requirements)
        requirements = ({"id": requirement_node_id(t), "topic": t, "name": t} for t in topics)
        for label, made in (*sections, (KEY_LABEL[NodeKind.REQUIREMENT], requirements)):
            rows = list(made)
            if not rows:
                continue
            self.node_rows[label] = rows
            self.node_counts[label] = len(rows)
            query = statement("load/stage_nodes.cypher", staged=STAGED[label])
            for chunk in self._chunks(rows):
                step = Statement(query, {"rows": [[r["id"], r] for r in chunk]}, len(chunk))
                self.nodes.append(step)
                stage(step)

    def _relationships(self, portfolio: Portfolio, stage: Callable[[Statement], object]) -> None:
        """Relationship rows by type and end labels, duplicates collapsed,
        each batch staged as soon as its group has a batch's worth of rows."""
        label = {node_id: KEY_LABEL[portfolio.kind(node_id)] for node_id in portfolio.nodes}
        requirement = KEY_LABEL[NodeKind.REQUIREMENT]
        groups: dict[tuple[RelType, str, str], dict[tuple[Any, ...], dict[str, Any]]] = {}
        queries: dict[tuple[RelType, str, str], str] = {}
        clashes: list[str] = []

        def send(where: tuple[RelType, str, str], chunk: list[dict[str, Any]]) -> None:
            step = Statement(queries[where], {"rows": chunk}, len(chunk), len(chunk), ends=True)
            self.relationships.append(step)
            stage(step)

        for type_, source, target, props in portfolio.relationship_fields():
            value = _key_value(type_, props)
            key = (source, target, tuple(value) if isinstance(value, list) else value)  # the type is the group's
            where = (type_, label[source], label.get(target, requirement))
            group = groups.get(where)
            if group is None:
                group = groups[where] = {}
                self.relationship_rows[where] = []
                staged = STAGED[where[1]], STAGED[where[2]]
                queries[where] = statement(
                    "load/stage_relationships.cypher", type=str(type_), source=staged[0], target=staged[1]
                )
            first = group.get(key)
            if first is None:
                row = group[key] = {"source": source, "target": target, "props": props}
                rows = self.relationship_rows[where]
                rows.append(row)
                if len(rows) % self.size == 0:
                    send(where, rows[-self.size :])
                continue
            what = f"{type_} {source} -> {target}" + (f" ({key[2]})" if key[2] else "")
            if first["props"] == props:
                self.warnings.append(f"{what} is in the file twice; Neo4j stores it once")
            else:
                clashes.append(f"{what}: {first['props']} and {props}")
        if clashes:
            raise Neo4jStoreError(
                f"{len(clashes)} relationship(s) appear twice with different values, and Neo4j keeps one "
                "per key (SUPPLIES per provider, product and step; CONTRACTS_WITH per client and provider...):"
                "\n  "
                + "\n  ".join(clashes[:10])
                + ("\n  ..." if len(clashes) > 10 else "")
                + "\nCombine them in the file; nothing was written."
            )
        for where, rows in self.relationship_rows.items():
            self.relationship_counts[(where[0], where[1])] += len(rows)
            if len(rows) % self.size:
                send(where, rows[len(rows) - len(rows) % self.size :])


def merge_portfolios(stored: Portfolio, loaded: Portfolio, source: str) -> tuple[Portfolio, list[Problem]]:
    """What a load without ``--replace`` makes of the stored portfolio: every
    record of `loaded` replaces the stored record with its key (node records
    by id, feeds by ends and material, contracts by client and provider,
    requirements by party, topic and products), the rest is kept.

    The result is validated like a file: a merge that would give an invalid
    graph (a feed cycle, a reference to a node of the wrong kind...) raises
    `PortfolioError`, its problems located in `source` or the database.
    """
    keys: dict[str, Any] = {
        "feeds": lambda r: (r.from_, r.to, r.material),
        "contracts": lambda r: (r.client, r.provider),
        "requirements": lambda r: (r.party, r.topic, r.products),
    }
    new_ids = set(loaded.nodes)
    raw: dict[str, list[dict[str, Any]]] = {}
    origin: dict[tuple[str, int], str] = {}
    for section in SECTIONS:
        key = keys.get(section, lambda r: r.id)
        ours = {key(r): r for r in getattr(loaded, section)}
        kept = [
            r
            for r in getattr(stored, section)
            if key(r) not in ours and (section not in NODE_SECTIONS or r.id not in new_ids)
        ]
        raw[section] = [r.to_dict() for r in (*kept, *getattr(loaded, section))]
        for i in range(len(raw[section])):
            origin[(section, i)] = "the database" if i < len(kept) else source
    return build_portfolio(
        raw,
        lambda path: f"{origin.get(tuple(path[:2]), source)}: {path[0]}[{path[1]}]" if len(path) >= 2 else source,
        f"{source} merged into the database",
    )


# --------------------------------------------------------------------------
# read: graph records -> raw sections -> build_portfolio
# --------------------------------------------------------------------------


def _quote(value: Any) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _node_location(label: str, node_id: Any, eid: str) -> str:
    return (
        f"neo4j:{label}{{id: {_quote(node_id)}}}"
        if node_id is not None
        else f"neo4j:{label}{{elementId: {_quote(eid)}}}"
    )


class GraphRelationship(NamedTuple):
    """A relationship as store/read_relationships.cypher returns it: its ends'
    ids (`topic`: the Requirement node's, for REQUIRES) and its properties,
    already plain Python. A tuple, not a dict: a read holds one per
    relationship until the portfolio is built."""

    source: Any
    target: Any
    topic: Any
    props: dict[str, Any]


class _Reader:
    """Builds raw portfolio sections from the graph, remembering where each
    record came from: a node record's location, and the relationships a raw
    record or list entry was made from, in the lists the raw records were
    made in (one reference per relationship, no index of its own); their
    locations are only spelled out when a problem needs one."""

    def __init__(self, source: str) -> None:
        self.source = f"Neo4j {source}"
        self.nodes: dict[tuple[str, int], str] = {}  # (node section, index) -> location
        self.records: dict[
            str, tuple[RelType, list[GraphRelationship]]
        ] = {}  # section -> its relationships, in raw order
        self.entries: dict[
            tuple[str, int, str], list[tuple[Any, RelType, GraphRelationship]]
        ] = {}  # a list field's relationships
        self.label_of: dict[str, str] = {}
        self.problems: list[Problem] = []

    def locate(self, path: tuple[Any, ...]) -> str:
        if path[:3] in self.entries and len(path) >= 4:
            entries = self.entries[path[:3]]
            if isinstance(path[3], int) and 0 <= path[3] < len(entries):
                _, t, r = entries[path[3]]
                return self.rel_location(t, r)
        if path[:2] in self.nodes:
            return self.nodes[path[:2]]
        if len(path) >= 2 and path[0] in self.records:
            t, records = self.records[path[0]]
            if isinstance(path[1], int) and 0 <= path[1] < len(records):
                return self.rel_location(t, records[path[1]])
        return "neo4j"

    def rel_location(self, t: RelType, r: GraphRelationship) -> str:
        """e.g. neo4j:(:Provider{id: 'a'})-[:SUPPLIES {step: 'api'}]->(:Product{id: 'p'})"""

        def end(node_id: Any, prop: str = "id", value: Any = None, label: str | None = None) -> str:
            label = label or self.label_of.get(str(node_id), "")
            text = f"{{{prop}: {_quote(node_id if value is None else value)}}}"
            return f"(:{label}{text})" if label else f"({text})"

        key = REL_KEYS[t]
        value = r.props.get(key) if key else None
        detail = f" {{{key}: {_quote(value)}}}" if value is not None else ""
        target = (
            end(r.target, "topic", r.topic, KEY_LABEL[NodeKind.REQUIREMENT]) if t is RelType.REQUIRES else end(r.target)
        )
        return f"neo4j:{end(r.source)}-[:{t}{detail}]->{target}"

    def build(
        self, nodes: Mapping[str, list[Any]], rels: Mapping[RelType, list[GraphRelationship]]
    ) -> tuple[Portfolio, list[Problem]]:
        raw: dict[str, list[dict[str, Any]]] = {}
        index: dict[str, tuple[str, int]] = {}  # node id -> (section, position)
        for section, label in section_labels().items():
            items = sorted(nodes[label], key=lambda r: (str(r["props"].get("id")), r["eid"]))
            raw[section] = []
            for i, r in enumerate(items):
                props = _unwritten(r["props"], _WRITTEN_NODE)
                raw[section].append(props)
                where = self.nodes[(section, i)] = _node_location(label, props.get("id"), r["eid"])
                index.setdefault(str(props.get("id")), (section, i))
                self.label_of.setdefault(str(props.get("id")), label)
                if section == "products":
                    _markets(props, where, self.problems)
                if section == "providers":
                    self._check_labels(props, r["labels"], where)
        self._owned(raw, index, rels)
        for t, section, fields in (
            (RelType.FEEDS, "feeds", ("from", "to")),
            (RelType.CONTRACTS_WITH, "contracts", ("client", "provider")),
            (RelType.REQUIRES, "requirements", ("party", "topic")),
        ):
            ordered = sorted(rels[t], key=partial(_sort_key, t))
            raw[section] = []
            for r in ordered:
                row = _unwritten(r.props, _WRITTEN_RELATIONSHIP)
                row[fields[0]] = r.source
                row[fields[1]] = r.topic if t is RelType.REQUIRES else r.target
                raw[section].append(row)
            self.records[section] = (t, ordered)
        try:
            portfolio, warnings = build_portfolio(raw, self.locate, self.source)
        except PortfolioError as exc:
            raise PortfolioError(sort_problems(self.problems + exc.problems), self.source) from None
        problems = sort_problems(self.problems + warnings)
        if any(p.severity == "error" for p in problems):
            raise PortfolioError(problems, self.source)
        return portfolio, problems

    def _check_labels(self, props: Mapping[str, Any], labels: list[str], where: str) -> None:
        try:
            expected = set(LABELS[NodeKind(str(props.get("kind")))])
        except ValueError:
            return
        extra = {la for ls in LABELS.values() for la in ls} & set(labels)
        if extra != expected:
            self.problems.append(
                Problem(
                    where,
                    f"provider '{props.get('id')}': labels "
                    f"{':'.join(sorted(extra))} do not match kind '{props.get('kind')}' "
                    "(load the portfolio again to fix them)",
                    "warning",
                )
            )

    def _owned(
        self,
        raw: dict[str, list[dict[str, Any]]],
        index: Mapping[str, tuple[str, int]],
        rels: Mapping[RelType, list[GraphRelationship]],
    ) -> None:
        """Fields of products and liaisons that are relationships in the graph."""
        nested: dict[tuple[str, int, str], list[tuple[Any, RelType, GraphRelationship]]] = defaultdict(list)
        for t, (section, at_target, name, ref) in _RECORD_FIELDS.items():
            for r in sorted(rels[t], key=partial(_sort_key, t)):
                owner, other = (r.target, r.source) if at_target else (r.source, r.target)
                home = index.get(str(owner))
                if home is None or home[0] != section:
                    noun = "a product" if section == "products" else "a liaison"
                    self.problems.append(
                        Problem(
                            self.rel_location(t, r),
                            f"{t} {'to' if at_target else 'from'} '{owner}', which is not {noun}; ignored",
                            "warning",
                        )
                    )
                    continue
                value: Any = other
                if ref:
                    value = _unwritten(r.props, _WRITTEN_RELATIONSHIP)
                    value[ref] = other
                nested[(home[0], home[1], name)].append((value, t, r))
        for (section, i, name), values in nested.items():
            if name in ("owner", "client"):
                if len(values) > 1:
                    self.problems.append(
                        Problem(
                            self.locate((section, i)),
                            f"{section[:-1]} "
                            f"'{raw[section][i].get('id')}' has {len(values)} {name}s in the "
                            f"graph ({', '.join(str(v) for v, _, _ in values)}); one is allowed",
                        )
                    )
                raw[section][i][name] = values[0][0]
                continue
            raw[section][i][name] = [v for v, _, _ in values]
            self.entries[(section, i, name)] = values


def _unwritten(props: dict[str, Any], written: frozenset[str]) -> dict[str, Any]:
    """`props` without the properties a write-back set: changed in place, as
    the raw record it becomes, so a read holds one copy of each record."""
    for name in written.intersection(props):
        del props[name]
    return props


def _sort_key(t: RelType, r: GraphRelationship) -> tuple[str, str, str]:
    """Records read from relationships come sorted by their ends and key."""
    return str(r.source), str(r.target), str(_key_value(t, r.props))


def graph_to_portfolio(
    nodes: Mapping[str, list[Any]], rels: Mapping[RelType, list[GraphRelationship]], source: str
) -> tuple[Portfolio, list[Problem]]:
    """The portfolio from the records of store/read_nodes.cypher (per section
    label: eid, labels, props) and store/read_relationships.cypher (per type,
    `GraphRelationship`s), property values already plain Python.

    Records come sorted by id (nodes) or by ends and key (the rest). Raises
    `PortfolioError` like a file with problems located as
    ``neo4j:Product{id: 'x'}`` or ``neo4j:(:Provider{id: 'a'})-[:SUPPLIES
    {step: 'api'}]->(:Product{id: 'p'})``.
    """
    return _Reader(source).build(nodes, rels)


# --------------------------------------------------------------------------
# write-back: the analyze JSON -> property rows
# --------------------------------------------------------------------------


def finding_rows(
    results: Mapping[str, Any],
) -> tuple[list[dict[str, Any]], dict[tuple[RelType, str, str], list[dict[str, Any]]]]:
    """Property rows for write-back from the JSON of ``graphkit analyze``
    (read through the typed results): ``[{id, props}]`` for nodes, and per
    (type, source label, target label) ``[{source, target, step, props}]``
    for relationships."""
    from .analysis import read_analysis
    from .analysis.results import ResultsError

    try:
        analysis = read_analysis(results)
    except ResultsError as err:
        raise Neo4jStoreError(str(err)) from None
    props: dict[str, dict[str, Any]] = defaultdict(dict)
    rels: dict[tuple[RelType, str, str], list[dict[str, Any]]] = defaultdict(list)

    def put(node: str, row: Any, properties: dict[str, Callable[[Any], Any]]) -> None:
        values = {name: get(row) for name, get in properties.items()}
        props[node].update({name: v for name, v in values.items() if v is not None})

    if analysis.spof is not None:
        for c in analysis.spof.critical_nodes:
            put(c.node, c, _CRITICAL_NODE)
        provider, product = KEY_LABEL[NodeKind.CMO], KEY_LABEL[NodeKind.PRODUCT]
        for s in analysis.spof.sole_source_steps:
            distribution = s.step == DISTRIBUTION_STEP
            t = RelType.DISTRIBUTES if distribution else RelType.SUPPLIES
            rels[(t, provider, product)].append(
                {
                    "source": s.provider,
                    "target": s.product,
                    "step": None if distribution else s.step,
                    "props": {"sole_source": True},
                }
            )
    if analysis.concentration is not None:
        for p in analysis.concentration.providers:
            put(p.provider, p, _CONCENTRATED_PROVIDER)
    if analysis.overlap is not None:
        for o in analysis.overlap.products:
            put(o.product, o, _PRODUCT_OVERLAP)
    return [{"id": k, "props": v} for k, v in props.items()], rels


def score_rows(
    result: RelationshipsResult,
) -> tuple[list[dict[str, Any]], dict[tuple[RelType, str, str], list[dict[str, Any]]]]:
    """Property rows for `write_relationships`, shaped like `finding_rows`'."""
    nodes = [
        {"id": u.provider, "props": {key: get(u) for key, get in _UTILISATION.items()}}
        for u in result.utilisation
        if u.utilisation is not None
    ]
    rows = [
        {
            "source": r.client,
            "target": r.provider,
            "step": None,
            "props": {key: get(r) for key, get in _SCORECARD.items()},
        }
        for r in result.scorecard
        if r.currency is not None  # has a contract
    ]
    key = (RelType.CONTRACTS_WITH, KEY_LABEL[NodeKind.CLIENT], KEY_LABEL[NodeKind.CMO])
    return nodes, ({key: rows} if rows else {})
