// Remove the {{types}} relationships of the given {{label}} nodes that their
// records in the file no longer list (a product's owner, supply, distributors
// and marketing partners; a liaison's client and providers).
// $keys: relationship type -> key property (or null); $rows: [{id, keep}],
// keep = [[type, other end's id, key value or '']] of the relationships to keep
UNWIND $rows AS row
MATCH (n:{{label}} {id: row.id})-[r:{{types}}]-(other)
WITH r, row, [type(r), other.id,
              CASE WHEN $keys[type(r)] IS NULL THEN '' ELSE coalesce(r[$keys[type(r)]], '') END] AS key
WHERE NOT key IN row.keep
DELETE r
