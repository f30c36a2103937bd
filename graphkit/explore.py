"""Named questions about the graph itself, answered alike from a portfolio's
NetworkX graph (`NetworkQueries`) or from Neo4j through the ``.cypher``
library (`CypherQueries`): the same rows, in the same order, either way.

* `deps` — every provider (and marketing partner) a product needs, per
  market, tier by tier, with the step, distribution, marketing or the
  material fed and to whom; ``certain`` when the supply engine
  (`graphkit.analysis.spof.single_failure_losses`) says that one failure
  alone loses the market.
* `users` — the reverse: every (product, market) that needs a provider or
  partner, through feeds too.
* `neighbors` — the nodes within N undirected hops, optionally over some
  relationship types only.
* `paths` — the shortest undirected paths between two nodes.
* `find` — nodes by kind and properties (names and vocabularies from the model).
* `show` — one node: its properties, relationships and the findings naming it.

A product *needs* a provider in a market when the provider is a source of one
of its steps whose filings cover the market (``qualified`` false for a
backup), one of its distributors or partners serving the market, or feeds,
at any depth, a qualified source or distributor of it in that market through
feeds that go into the product and are filed there (the rules of
`graphkit.analysis.supply`; feeders of unqualified backups are not needed).
``tier`` is the shortest such chain (1: direct).

Pure library code: no printing, no driver (`CypherQueries` takes anything
with `run_query`, i.e. a `graphkit.neo4j_store.Neo4jStore`).

Example
-------
>>> from graphkit import read_portfolio
>>> q = NetworkQueries(read_portfolio("examples/portfolio.yaml")[0])
>>> [(d.tier, d.provider, d.certain) for d in q.deps("prod-cx101") if d.tier > 1]
[(2, 'cmo-northbridge', True), (3, 'cmo-cellvault', True)]
"""

from __future__ import annotations

import functools
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from functools import cached_property
from types import UnionType
from typing import TYPE_CHECKING, Any, Protocol, Union, get_args, get_origin

from .model import (
    DISTRIBUTION_STEP,
    LABELS,
    MARKETING_STEP,
    MODEL_LABELS,
    PROVIDER_KINDS,
    Client,
    Liaison,
    MarketingPartner,
    NodeKind,
    Portfolio,
    Product,
    Provider,
    ProviderKind,
    Record,
    RelType,
    fields_of,
    references,
)
from .problems import GraphkitError, did_you_mean

if TYPE_CHECKING:
    import networkx as nx

    from .analysis.supply import Unit

__all__ = [
    "QUERIES",
    "CypherQueries",
    "Dependency",
    "Detail",
    "Found",
    "FoundNodes",
    "Neighbor",
    "NetworkQueries",
    "Path",
    "Paths",
    "Queries",
    "Use",
    "find_properties",
    "within_hops",
]

QUERIES = ("deps", "users", "neighbors", "path", "find", "show")
Market = str | None


# --------------------------------------------------------------------------
# rows
# --------------------------------------------------------------------------


class _Row:
    """A frozen row; `columns()` are its fields, `as_dict()` the JSON row."""

    @classmethod
    def columns(cls) -> list[str]:
        return [f.name for f in fields(cls)]  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload, no-any-return]


@dataclass(frozen=True)
class Dependency(_Row):
    """One thing a product needs in one market (see the module notes)."""

    market: Market
    tier: int
    provider: str
    name: str
    kind: str
    role: str
    qualified: bool
    certain: bool


@dataclass(frozen=True)
class Use(_Row):
    """One (product, market) that needs the asked-about node, and for what."""

    product: str
    product_name: str
    market: Market
    tier: int
    role: str
    qualified: bool
    certain: bool


@dataclass(frozen=True)
class Neighbor(_Row):
    node: str
    name: str
    kind: str
    hops: int


@dataclass(frozen=True)
class Path(_Row):
    """One shortest path: its nodes and, per hop, the relationships between them."""

    path: int
    hops: int
    route: str
    nodes: tuple[str, ...]


@dataclass(frozen=True)
class Paths:
    paths: tuple[Path, ...]
    total: int  # every shortest path, `paths` being the first of them


@dataclass(frozen=True)
class Found(_Row):
    """A node `find` matched, with the values of the properties asked about."""

    node: str
    name: str
    kind: str
    values: tuple[tuple[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"node": self.node, "name": self.name, "kind": self.kind, **dict(self.values)}


@dataclass(frozen=True)
class FoundNodes:
    nodes: tuple[Found, ...]
    total: int  # nodes of the kind asked about (every node without one)
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Detail(_Row):
    """One line of `show`: a property, a relationship or a finding."""

    section: str
    item: str
    value: Any


# --------------------------------------------------------------------------
# what the model says
# --------------------------------------------------------------------------

_RECORDS: dict[NodeKind, type[Record]] = {
    **{k: Provider for k in PROVIDER_KINDS},
    NodeKind.CLIENT: Client,
    NodeKind.MARKETING_PARTNER: MarketingPartner,
    NodeKind.PRODUCT: Product,
    NodeKind.LIAISON: Liaison,
}
# graph.py's requirement nodes carry these (they are topics, not records).
_REQUIREMENT_PROPERTIES = ("id", "name", "topic")
# Fields the graph keeps as relationships of the record's own node (owner,
# a liaison's client and providers), not as properties.
_REL_FIELDS = frozenset(r.path[0] for r in references() if r.ref.rel is not None and r.path[1:] in ((), ("*",)))
_KIND_BY_LABELS = {frozenset(labels): kind for kind, labels in LABELS.items()}
# What a node's property is when unset (a CMO's business model), from the model.
_DEFAULTS: dict[NodeKind, dict[str, str]] = {
    NodeKind(k.value): {"business_model": str(model)}
    for k in ProviderKind
    if (model := Provider(id="_", name="_", kind=k).business_model) is not None
}
_NEEDED_KINDS = PROVIDER_KINDS | {NodeKind.MARKETING_PARTNER}
_DIRECT_ROLES = {RelType.DISTRIBUTES: DISTRIBUTION_STEP, RelType.MARKETS: MARKETING_STEP}


def _kind_of(labels: Iterable[str]) -> NodeKind:
    return _KIND_BY_LABELS[frozenset(label for label in labels if label in MODEL_LABELS)]


def _label(kind: NodeKind) -> str:
    return LABELS[kind][-1]


@dataclass(frozen=True)
class _Shape:
    many: bool  # a list: matches when it holds the value
    number: bool
    choices: tuple[str, ...]  # a closed vocabulary, or ()


def _shape(annotation: Any) -> _Shape:
    many = get_origin(annotation) is tuple
    base = get_args(annotation)[0] if many else annotation
    if get_origin(base) in (Union, UnionType):
        base = next(a for a in get_args(base) if a is not type(None))
    if hasattr(base, "__metadata__"):  # Annotated
        base = get_args(base)[0]
    choices = tuple(str(v) for v in base) if isinstance(base, type) and issubclass(base, StrEnum) else ()
    number = isinstance(base, type) and issubclass(base, (int, float)) and not issubclass(base, bool)
    return _Shape(many, number, choices)


def find_properties(kind: NodeKind | None = None) -> dict[str, _Shape]:
    """The properties `find` can match for a kind of node (every kind: None),
    read from the model's records: their fields but the nested lists, the
    fields kept as relationships and ``kind`` (`--kind` itself).

    >>> sorted(find_properties(NodeKind.CLIENT))
    ['id', 'name', 'quality_maturity', 'segment', 'source']
    """
    kinds = [kind] if kind is not None else list(NodeKind)
    out: dict[str, _Shape] = {}
    for k in kinds:
        if k is NodeKind.REQUIREMENT:
            out.update({p: _Shape(False, False, ()) for p in _REQUIREMENT_PROPERTIES if p not in out})
            continue
        record = _RECORDS[k]
        for f in fields_of(record):
            if f.name in record.NESTED or f.key in _REL_FIELDS or f.key == "kind" or f.key in out:
                continue
            out[f.key] = _shape(f.type)
    return out


@dataclass(frozen=True)
class _Condition:
    key: str
    value: str
    shape: _Shape

    def matches(self, value: Any) -> bool:
        if value is None:
            return False
        if self.shape.many:
            return self.value in [str(v) for v in value]
        if self.shape.number:
            return isinstance(value, (int, float)) and float(value) == float(self.value)
        return str(value) == self.value


def _conditions(kind: str | None, where: Mapping[str, str]) -> tuple[NodeKind | None, list[_Condition]]:
    """`find`'s arguments checked against the model: every problem at once."""
    problems: list[str] = []
    node_kind = None
    if kind is not None:
        if kind in set(NodeKind):
            node_kind = NodeKind(kind)
        else:
            problems.append(f"unknown kind '{kind}'{did_you_mean(kind, list(NodeKind))}; kinds: {', '.join(NodeKind)}")
    allowed = find_properties(node_kind)
    conditions = []
    for key, value in where.items():
        key = _plural(key, allowed)
        shape = allowed.get(key)
        if shape is None:
            whose = f"a {node_kind}" if node_kind else "any node"
            problems.append(
                f"'{key}' is not a property of {whose}{did_you_mean(key, allowed)}; "
                f"properties: {', '.join(sorted(allowed))}"
            )
        elif shape.choices and value not in shape.choices:
            problems.append(
                f"{key} '{value}' is not one of {', '.join(shape.choices)}{did_you_mean(value, shape.choices)}"
            )
        elif shape.number and not _is_number(value):
            problems.append(f"{key} must be a number, got '{value}'")
        else:
            conditions.append(_Condition(key, value, shape))
    if problems:
        raise GraphkitError("; ".join(problems))
    return node_kind, conditions


def _plural(key: str, allowed: Mapping[str, _Shape]) -> str:
    """A list property may be named in the singular (--technology for technologies)."""
    if key in allowed:
        return key
    for plural in (key + "s", key[:-1] + "ies"):
        if plural in allowed and allowed[plural].many:
            return plural
    return key


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _with_defaults(kind: NodeKind, props: Mapping[str, Any]) -> dict[str, Any]:
    return {**_DEFAULTS.get(kind, {}), **props}


def _types(types: Iterable[str] | None) -> list[str] | None:
    if types is None:
        return None
    chosen = list(dict.fromkeys(types))
    bad = [t for t in chosen if t not in set(RelType)]
    if bad:
        raise GraphkitError(
            "; ".join(f"unknown relationship type '{t}'{did_you_mean(t, list(RelType))}" for t in bad)
            + f"; types: {', '.join(RelType)}"
        )
    return chosen


def _hops(hops: int) -> int:
    if hops < 1:
        raise GraphkitError(f"hops must be 1 or more, not {hops}")
    return hops


def within_hops(adjacency: Mapping[str, Iterable[str]], start: str, hops: int) -> dict[str, int]:
    """Node -> distance from `start` (0), up to `hops`, by breadth-first search.

    >>> within_hops({"a": ["b"], "b": ["a", "c"], "c": ["b"]}, "a", 1)
    {'a': 0, 'b': 1}
    """
    dist = {start: 0}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        if dist[u] >= hops:
            continue
        for v in adjacency.get(u, ()):
            if v not in dist:
                dist[v] = dist[u] + 1
                queue.append(v)
    return dist


def _rel_label(type_: str, props: Mapping[str, Any]) -> str:
    from .neo4j_mapping import REL_KEYS  # which property tells parallel relationships apart

    key = REL_KEYS[RelType(type_)]
    value = props.get(key) if key else None
    return f"{type_} {value}" if isinstance(value, str) else type_


Edge = tuple[str, str, str, Mapping[str, Any]]  # (type, source, target, properties)


def _route(nodes: Sequence[str], between: Callable[[str, str], Iterable[Edge]]) -> str:
    """``a -[OWNS]-> b <-[SUPPLIES api|SUPPLIES testing]- c``: each hop with
    every relationship between its two nodes, in its direction."""
    parts = [nodes[0]]
    for u, v in zip(nodes, nodes[1:]):
        edges = list(between(u, v))
        for forward in (True, False):
            labels = sorted({_rel_label(t, p) for t, s, _, p in edges if (s == u) == forward})
            if labels:
                joined = "|".join(labels)
                parts.append(f"-[{joined}]->" if forward else f"<-[{joined}]-")
        parts.append(v)
    return " ".join(parts)


_FINDING_ID = r"(?<![\w:.-]){}(?![\w:.-])"


def _named_findings(portfolio: Portfolio, node: str) -> list[Detail]:
    """The findings whose subject is, or whose explanation names, the node."""
    from .analysis import analyze, findings

    pattern = re.compile(_FINDING_ID.format(re.escape(node)))
    named = [f for f in findings(analyze(portfolio)) if node in f.subject.split("/") or pattern.search(f.explanation)]
    # Most severe first, then by text: not by record order, which Neo4j does not keep.
    named.sort(key=lambda f: (-f.severity, f.analysis, f.finding, f.subject, f.explanation))
    return [
        Detail("finding", f"{f.analysis}.{f.finding}: {f.subject}", f"[{f.severity}] {f.explanation}") for f in named
    ]


def _details(
    node: str, kind: NodeKind, props: Mapping[str, Any], edges: Iterable[Edge], portfolio: Portfolio
) -> list[Detail]:
    props = _with_defaults(kind, {k: v for k, v in props.items() if k not in _REL_FIELDS})
    props.setdefault("kind", str(kind))
    order = sorted(props, key=lambda k: (k != "id", k != "name", k))
    rows = [Detail("property", k, props[k]) for k in order]
    rels = []
    for type_, source, target, p in edges:
        item = f"{type_} -> {target}" if source == node else f"{type_} <- {source}"
        rels.append(Detail("relationship", item, {k: p[k] for k in sorted(p)}))
    rows += sorted(rels, key=lambda d: (d.item, str(d.value)))
    return rows + _named_findings(portfolio, node)


# --------------------------------------------------------------------------
# the two back ends
# --------------------------------------------------------------------------


class Queries(Protocol):
    """What both back ends answer, with the same rows."""

    def deps(self, product: str) -> list[Dependency]: ...
    def users(self, node: str) -> list[Use]: ...
    def neighbors(self, node: str, hops: int = 1, types: Iterable[str] | None = None) -> list[Neighbor]: ...
    def paths(self, a: str, b: str, limit: int = 10) -> Paths: ...
    def find(self, kind: str | None = None, where: Mapping[str, str] | None = None) -> FoundNodes: ...
    def show(self, node: str) -> list[Detail]: ...


def _keep_best(best: dict[tuple[str, str], tuple[int, bool]], x: str, role: str, tier: int, qualified: bool) -> None:
    """Keep the shortest tier of (x, role), qualified when any way is."""
    old = best.get((x, role))
    best[(x, role)] = (min(tier, old[0]), qualified or old[1]) if old else (tier, qualified)


def _sorted_deps(rows: Iterable[Dependency]) -> list[Dependency]:
    return sorted(rows, key=lambda d: (d.market or "", d.tier, d.provider, d.role))


def _sorted_uses(rows: Iterable[Use]) -> list[Use]:
    return sorted(rows, key=lambda u: (u.product, u.market or "", u.tier, u.role))


def _unknown(node: str, known: Iterable[str], what: str = "node") -> GraphkitError:
    return GraphkitError(f"unknown {what} '{node}'{did_you_mean(node, known)}")


def _check_kind(node: str, kind: NodeKind, wanted: frozenset[NodeKind], question: str) -> None:
    if kind not in wanted:
        raise GraphkitError(f"'{node}' is a {kind}; {question}")


_DEPS_OF = "deps asks about a product"
_USERS_OF = "users asks about a provider or a marketing partner"


class NetworkQueries:
    """The questions over a portfolio's NetworkX graph (`graphkit.graph.to_networkx`)."""

    def __init__(self, portfolio: Portfolio) -> None:
        from .graph import to_networkx

        self.portfolio = portfolio
        self.graph: nx.MultiDiGraph[str] = to_networkx(portfolio)
        self._products = {p.id: p for p in portfolio.products}

    @cached_property
    def losses(self) -> dict[str, frozenset[Unit]]:
        from .analysis.spof import single_failure_losses

        return single_failure_losses(self.portfolio)

    def _kind(self, node: str) -> NodeKind:
        if node not in self.graph:
            raise _unknown(node, self.graph.nodes)
        return NodeKind(self.graph.nodes[node]["kind"])

    def _needs(self, pid: str) -> list[tuple[Market, str, int, str, bool]]:
        """(market, provider, tier, role, qualified) of everything the product needs."""
        from .analysis.spof import _filed

        g = self.graph
        out = []
        for market in self._products[pid].market_territories:
            best: dict[tuple[str, str], tuple[int, bool]] = {}

            add = functools.partial(_keep_best, {})
            best = add.args[0]

            reached: dict[str, int] = {}
            for x, _, data in g.in_edges(pid, data=True):
                t = data["type"]
                if t == RelType.SUPPLIES and _filed(data.get("filed_in") or (), market):
                    add(x, data["step"], 1, data["qualified"])
                    if data["qualified"]:
                        reached[x] = 1
                elif t in _DIRECT_ROLES and data.get("territory") in (None, market):
                    add(x, _DIRECT_ROLES[RelType(t)], 1, True)
                    if t == RelType.DISTRIBUTES:
                        reached[x] = 1
            frontier, tier = sorted(reached), 1
            while frontier:
                tier += 1
                upper = []
                for y in frontier:
                    for x, _, data in g.in_edges(y, data=True):
                        scope = data.get("products")
                        if data["type"] != RelType.FEEDS or (scope and pid not in scope):
                            continue
                        if _filed(data.get("filed_in") or (), market):
                            add(x, f"{data['material']} to {y}", tier, True)
                            if x not in reached:
                                reached[x] = tier
                                upper.append(x)
                frontier = upper
            out += [(market, x, t, role, q) for (x, role), (t, q) in best.items()]
        return out

    def deps(self, product: str) -> list[Dependency]:
        _check_kind(product, self._kind(product), frozenset({NodeKind.PRODUCT}), _DEPS_OF)
        nodes = self.graph.nodes
        return _sorted_deps(
            Dependency(m, t, x, nodes[x]["name"], nodes[x]["kind"], role, q, (product, m) in self.losses.get(x, ()))
            for m, x, t, role, q in self._needs(product)
        )

    def users(self, node: str) -> list[Use]:
        _check_kind(node, self._kind(node), _NEEDED_KINDS, _USERS_OF)
        g = self.graph
        # The products downstream of the node: only they can need it.
        upstream = within_hops(
            {n: [v for _, v, d in g.out_edges(n, data=True) if d["type"] == RelType.FEEDS] for n in g}, node, len(g)
        )
        products = {
            p
            for x in upstream
            for _, p, d in g.out_edges(x, data=True)
            if d["type"] in (RelType.SUPPLIES, *_DIRECT_ROLES)
        }
        lost = self.losses.get(node, frozenset())
        return _sorted_uses(
            Use(p, g.nodes[p]["name"], m, t, role, q, (p, m) in lost)
            for p in products
            for m, x, t, role, q in self._needs(p)
            if x == node
        )

    def neighbors(self, node: str, hops: int = 1, types: Iterable[str] | None = None) -> list[Neighbor]:
        self._kind(node)
        chosen = _types(types)
        adj: dict[str, list[str]] = {}
        for u, v, d in self.graph.edges(data=True):
            if chosen is None or d["type"] in chosen:
                adj.setdefault(u, []).append(v)
                adj.setdefault(v, []).append(u)
        dist = within_hops(adj, node, _hops(hops))
        nodes = self.graph.nodes
        return sorted(
            (Neighbor(n, nodes[n]["name"], nodes[n]["kind"], h) for n, h in dist.items() if n != node),
            key=lambda r: (r.hops, r.node),
        )

    def _between(self, u: str, v: str) -> list[Edge]:
        g = self.graph
        return [
            (d["type"], s, t, {k: x for k, x in d.items() if k != "type"})
            for s, t in ((u, v), (v, u))
            for d in (g.get_edge_data(s, t) or {}).values()
        ]

    def paths(self, a: str, b: str, limit: int = 10) -> Paths:
        import networkx as nx

        self._kind(a), self._kind(b)
        if a == b:
            raise GraphkitError("give two different nodes")
        undirected: nx.Graph[str] = nx.Graph(self.graph.to_undirected(as_view=True))
        try:
            found = sorted(tuple(p) for p in nx.all_shortest_paths(undirected, a, b))
        except nx.NetworkXNoPath:
            found = []
        return _paths(found, self._between, limit)

    def find(self, kind: str | None = None, where: Mapping[str, str] | None = None) -> FoundNodes:
        node_kind, conditions = _conditions(kind, where or {})
        pool = [(n, d) for n, d in self.graph.nodes(data=True) if node_kind is None or d["kind"] == node_kind]
        hits = [
            Found(n, d["name"], d["kind"], tuple((c.key, d.get(c.key)) for c in conditions))
            for n, d in pool
            if all(c.matches(d.get(c.key)) for c in conditions)
        ]
        return _found(hits, len(pool), conditions)

    def show(self, node: str) -> list[Detail]:
        kind = self._kind(node)
        attrs = {k: v for k, v in self.graph.nodes[node].items()}
        edges = [
            (d["type"], s, t, {k: x for k, x in d.items() if k != "type"})
            for s, t, d in (*self.graph.out_edges(node, data=True), *self.graph.in_edges(node, data=True))
        ]
        return _details(node, kind, attrs, edges, self.portfolio)


def _paths(found: Sequence[tuple[str, ...]], between: Callable[[str, str], Iterable[Edge]], limit: int) -> Paths:
    if limit < 1:
        raise GraphkitError(f"limit must be 1 or more, not {limit}")
    rows = tuple(Path(i, len(p) - 1, _route(p, between), p) for i, p in enumerate(found[:limit], 1))
    return Paths(rows, len(found))


def _found(hits: list[Found], total: int, conditions: list[_Condition]) -> FoundNodes:
    columns = ("node", "name", "kind", *(c.key for c in conditions))
    return FoundNodes(tuple(sorted(hits, key=lambda f: f.node)), total, columns)


class _Runner(Protocol):
    def run_query(
        self, text: str, params: Mapping[str, Any] | None = None, *, write: bool = False
    ) -> tuple[list[str], list[dict[str, Any]]]: ...


class CypherQueries:
    """The questions through the ``cypher/queries`` library on a Neo4j store
    (read transactions, every value a parameter). Certainty and findings are
    the analyses' answers on the stored portfolio, read once when first
    needed (`portfolio`)."""

    def __init__(self, store: _Runner, portfolio: Callable[[], Portfolio]) -> None:
        self.store = store
        self._read = portfolio

    @cached_property
    def portfolio(self) -> Portfolio:
        return self._read()

    @cached_property
    def losses(self) -> dict[str, frozenset[Unit]]:
        from .analysis.spof import single_failure_losses

        return single_failure_losses(self.portfolio)

    def _run(self, name: str, **params: Any) -> list[dict[str, Any]]:
        from .queries import query_text

        return self.store.run_query(query_text(name), params)[1]

    def _node(self, node: str) -> dict[str, Any]:
        rows = self._run("node_detail", node=node)
        if not rows:
            everything = self._run("find_nodes", label=None, where=[], defaults=[])[0]["found"]
            raise _unknown(node, [n["node"] for n in everything])
        return rows[0]

    def _kind(self, node: str) -> NodeKind:
        return _kind_of(self._node(node)["labels"])

    def deps(self, product: str) -> list[Dependency]:
        _check_kind(product, self._kind(product), frozenset({NodeKind.PRODUCT}), _DEPS_OF)
        return _sorted_deps(
            Dependency(
                r["market"],
                r["tier"],
                r["provider"],
                r["name"],
                str(_kind_of(r["labels"])),
                r["role"],
                r["qualified"],
                (product, r["market"]) in self.losses.get(r["provider"], ()),
            )
            for r in self._run("dependencies_by_market", product=product)
        )

    def users(self, node: str) -> list[Use]:
        _check_kind(node, self._kind(node), _NEEDED_KINDS, _USERS_OF)
        lost = self.losses.get(node, frozenset())
        return _sorted_uses(
            Use(
                r["product"],
                r["product_name"],
                r["market"],
                r["tier"],
                r["role"],
                r["qualified"],
                (r["product"], r["market"]) in lost,
            )
            for r in self._run("users_by_market", node=node)
        )

    def neighbors(self, node: str, hops: int = 1, types: Iterable[str] | None = None) -> list[Neighbor]:
        self._kind(node)
        chosen, hops = _types(types), _hops(hops)
        dist, found = {node: 0}, []
        frontier = [node]
        for h in range(1, hops + 1):
            if not frontier:
                break
            fresh = [r for r in self._run("neighbors", ids=frontier, types=chosen) if r["node"] not in dist]
            for r in fresh:
                dist[r["node"]] = h
                found.append(Neighbor(r["node"], r["name"], str(_kind_of(r["labels"])), h))
            frontier = [r["node"] for r in fresh]
        return sorted(found, key=lambda r: (r.hops, r.node))

    def paths(self, a: str, b: str, limit: int = 10) -> Paths:
        self._kind(a), self._kind(b)
        if a == b:
            raise GraphkitError("give two different nodes")
        # Every relationship between two consecutive nodes of a shortest path
        # makes one of the paths Neo4j returns: collected per pair of nodes.
        found: set[tuple[str, ...]] = set()
        pairs: dict[tuple[str, str], dict[str, Edge]] = {}
        for r in self._run("shortest_paths", a=a, b=b):
            nodes = tuple(r["nodes"])
            found.add(nodes)
            for u, v, rel in zip(nodes, nodes[1:], r["relationships"]):
                edge = (rel["type"], rel["source"], rel["target"], rel["props"])
                pairs.setdefault((u, v), {})[repr(edge)] = edge
        return _paths(sorted(found), lambda u, v: pairs[(u, v)].values(), limit)

    def find(self, kind: str | None = None, where: Mapping[str, str] | None = None) -> FoundNodes:
        node_kind, conditions = _conditions(kind, where or {})
        defaults = [
            {"label": _label(k), "key": key, "value": value} for k, d in _DEFAULTS.items() for key, value in d.items()
        ]
        (row,) = self._run(
            "find_nodes",
            label=_label(node_kind) if node_kind else None,
            where=[
                {
                    "key": c.key,
                    "value": c.value,
                    "many": c.shape.many,
                    "number": float(c.value) if c.shape.number else None,
                }
                for c in conditions
            ],
            defaults=defaults,
        )
        hits = []
        for r in row["found"]:
            k = _kind_of(r["labels"])
            props = _with_defaults(k, r["props"])
            hits.append(
                Found(r["node"], props.get("name", ""), str(k), tuple((c.key, props.get(c.key)) for c in conditions))
            )
        return _found(hits, row["total"], conditions)

    def show(self, node: str) -> list[Detail]:
        from .neo4j_mapping import MARKET_LISTS, NODE_FINDINGS, RELATIONSHIP_FINDINGS

        r = self._node(node)
        kind = _kind_of(r["labels"])
        # Findings written back and a product's markets (parallel lists in
        # Neo4j; the graph keeps them as records, not properties) are left out.
        skip = {*NODE_FINDINGS, *MARKET_LISTS.values(), *(("markets",) if kind is NodeKind.PRODUCT else ())}
        props = {k: v for k, v in r["props"].items() if k not in skip}
        edges = [
            (
                e["type"],
                e["source"],
                e["target"],
                {k: v for k, v in e["props"].items() if k not in RELATIONSHIP_FINDINGS},
            )
            for e in r["relationships"]
        ]
        return _details(node, kind, props, edges, self.portfolio)
