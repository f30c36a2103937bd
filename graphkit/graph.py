"""The portfolio as a NetworkX graph: one node per entity, one edge per relationship."""

from __future__ import annotations

from typing import Any

import networkx as nx

from .model import NodeKind, Portfolio, Provider, requirement_node_id

__all__ = ["to_networkx"]


def to_networkx(portfolio: Portfolio) -> nx.MultiDiGraph[str]:
    """Build a directed multigraph of the portfolio.

    Nodes carry ``kind`` (a `NodeKind` value), ``name`` and the record's
    fields; requirement topics become nodes ``topic:<topic>``. Edges carry
    ``type`` (a `RelType` value) and the relationship's properties.

    Examples
    --------
    >>> from graphkit.model import Client, Portfolio, Product
    >>> p = Portfolio(clients=(Client(id="c", name="C", segment="small"),),
    ...               products=(Product(id="p", name="P", technology="tablet", owner="c"),))
    >>> g = to_networkx(p)
    >>> sorted(g.nodes), [d["type"] for _, _, d in g.edges(data=True)]
    (['c', 'p'], ['OWNS'])
    """
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for node_id, record in portfolio.nodes.items():
        attrs: dict[str, Any] = record.to_dict()
        for nested in record.NESTED:
            attrs.pop(nested, None)
        if isinstance(record, Provider) and record.business_model is not None:
            attrs["business_model"] = str(record.business_model)
        attrs["kind"] = str(portfolio.kind(node_id))
        g.add_node(node_id, **attrs)
    for topic in dict.fromkeys(r.topic for r in portfolio.requirements):
        g.add_node(requirement_node_id(topic), kind=str(NodeKind.REQUIREMENT), name=topic, topic=topic)
    g.add_edges_from(
        (rel.source, rel.target, {"type": str(rel.type), **rel.properties}) for rel in portfolio.relationships()
    )
    return g
