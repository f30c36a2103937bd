"""graphkit's Cypher files: reading them as package data, and the analysts'
query library in ``cypher/queries`` (each file headed by a comment block
saying what it answers, its ``// params:`` and its ``// columns:``).

No driver here: running a query is `graphkit.neo4j_store.Neo4jStore.run_query`.

Example
-------
>>> [q.name for q in list_queries()][:2]
['client_dependence', 'cmo_customer_shares']
>>> [p.name for p in query_info("provider_failure_impact").params]
['provider']
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from typing import NamedTuple

from .problems import GraphkitError, did_you_mean

__all__ = ["Param", "QueryInfo", "cypher_text", "list_queries", "query_info", "query_text"]

_PACKAGE = "graphkit.cypher"
_PARAM = re.compile(r"\$(\w+)\s*(?:\(([^)]*)\))?")


class Param(NamedTuple):
    name: str
    description: str

    @property
    def optional(self) -> bool:
        return "optional" in self.description


class QueryInfo(NamedTuple):
    """One library query: its name (the file's stem), the first line of its
    header, its parameters, the whole header text and the statement."""

    name: str
    summary: str
    params: tuple[Param, ...]
    description: str
    text: str


@cache
def cypher_text(path: str) -> str:
    """The text of a .cypher file of the package, e.g. ``"load/nodes.cypher"``."""
    resource = files(_PACKAGE)
    for part in path.split("/"):
        resource = resource / part
    return resource.read_text(encoding="utf-8")


@cache
def _library() -> dict[str, QueryInfo]:
    folder = files(_PACKAGE) / "queries"
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".cypher"):
            name = entry.name.removesuffix(".cypher")
            found[name] = _parse(name, entry.read_text(encoding="utf-8"))
    return found


def _parse(name: str, text: str) -> QueryInfo:
    header: list[str] = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        header.append(line[2:].strip())
    params: tuple[Param, ...] = ()
    body = []
    for line in header:
        key, _, value = line.partition(":")
        if key == "params":
            params = tuple(Param(m[1], m[2] or "") for m in _PARAM.finditer(value))
        elif key != "columns":
            body.append(line)
    description = "\n".join(body).strip()
    summary = description.split("\n")[0]
    return QueryInfo(name, summary, params, description, text)


def list_queries() -> list[QueryInfo]:
    """Every query of the library, by name."""
    return list(_library().values())


def query_info(name: str) -> QueryInfo:
    """One query of the library; `GraphkitError` naming the choices if unknown."""
    library = _library()
    if name not in library:
        raise GraphkitError(
            f"no query named '{name}'{did_you_mean(name, library)}; "
            f"`graphkit cypher list` shows the {len(library)} there are"
        )
    return library[name]


def query_text(name: str) -> str:
    """The Cypher text of a library query (header comment included)."""
    return query_info(name).text
