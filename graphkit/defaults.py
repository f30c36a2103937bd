"""Facts the command line needs before it knows what it will run, in a module
that imports nothing: reading it loads no driver, model or spreadsheet code.

>>> FORMATS
('yaml', 'json', 'csv', 'xlsx')
"""

from __future__ import annotations

__all__ = ["BATCH_SIZE", "FORMATS", "LOCK_WAIT"]

#: Portfolio file formats (``csv`` is a folder of CSV files); `graphkit.io` reads and writes them.
FORMATS = ("yaml", "json", "csv", "xlsx")
#: Rows per Neo4j statement (each staged batch commits on its own); `graphkit.neo4j_store`'s default.
BATCH_SIZE = 10_000
#: Seconds a Neo4j writer (load, write-back) waits for another to finish; `graphkit.neo4j_store`'s default.
LOCK_WAIT = 30.0
