"""What `graphkit cypher query` refuses to run unless asked for by name:
administration commands and LOAD CSV.

A read transaction stops writes, but not everything that acts beyond the
query's own reading: TERMINATE TRANSACTIONS (another user's running load),
SHOW TRANSACTIONS (other users' query texts), SHOW USERS/DATABASES/SETTINGS,
procedures the server runs in DBMS mode (dbms.listConnections,
db.clearQueryCaches...) and LOAD CSV (the server fetches a URL or reads a
file) all run in one. So the store has the server plan the statement first
(EXPLAIN: nothing runs) and reads the plan: the server's own parser decides
what the statement does, so comments, string literals, case and subqueries
cannot hide a clause. This module reads a plan; it needs no driver.

>>> plan = {"operatorType": "ProduceResults@neo4j", "children": [
...     {"operatorType": "TerminateTransactions@neo4j", "args": {}, "children": []}]}
>>> refusal(plan, "r", admin=False, load_csv=False)
'this statement runs an administration command (TERMINATE TRANSACTIONS); it is refused unless asked for with --admin'
>>> refusal(plan, "r", admin=True, load_csv=False) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["ADMIN_ERROR_CODES", "ADMIN_OPERATORS", "operators", "refusal"]

# Plan operators of commands that act on the server or on other users' work.
# SHOW INDEXES/CONSTRAINTS/PROCEDURES/FUNCTIONS describe this database's
# schema and catalogue: they stay allowed.
ADMIN_OPERATORS = frozenset({"AdministrationCommand", "ShowTransactions", "TerminateTransactions", "ShowSettings"})
# The server's answers to an administration command it will not even plan on a
# user database (SHOW ROLES, GRANT..., SHOW SERVERS, STOP DATABASE).
ADMIN_ERROR_CODES = frozenset(
    {
        "Neo.ClientError.Statement.UnsupportedAdministrationCommand",
        "Neo.ClientError.Statement.NotSystemDatabaseError",
    }
)
_QUERY_TYPE_DBMS = "s"  # the summary's type of a statement that changes schema or runs a DBMS procedure


def operators(plan: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(operator, details) of every step of a plan, e.g. ("LoadCSV", "row")."""
    yield str(plan.get("operatorType", "")).partition("@")[0], str(plan.get("args", {}).get("Details") or "")
    for child in plan.get("children", ()):
        yield from operators(child)


def refusal(plan: Mapping[str, Any], query_type: str, *, admin: bool, load_csv: bool) -> str | None:
    """Why the planned statement may not run, or None when it may."""
    steps = list(operators(plan))
    found = [_spoken(name) for name, _ in steps if name in ADMIN_OPERATORS]
    if query_type == _QUERY_TYPE_DBMS:  # a procedure in DBMS mode (schema commands plan no ProcedureCall)
        found += [f"DBMS procedure {details.partition('(')[0]}" for name, details in steps if name == "ProcedureCall"]
    if found and not admin:
        return (
            f"this statement runs an administration command ({', '.join(dict.fromkeys(found))}); "
            "it is refused unless asked for with --admin"
        )
    if not load_csv and any(name == "LoadCSV" for name, _ in steps):
        return (
            "this statement reads a file or URL with LOAD CSV (the server would fetch it); "
            "it is refused unless asked for with --load-csv"
        )
    return None


def _spoken(operator: str) -> str:
    """An operator as the command reads: TerminateTransactions -> TERMINATE TRANSACTIONS."""
    if operator == "AdministrationCommand":
        return "users, roles, privileges or databases"
    return re.sub(r"(?<!^)(?=[A-Z])", " ", operator).upper()
