// Upsert one batch of {{type}} relationships from {{source}} to {{target}} nodes.
// A relationship is identified by its two ends and, when $key is not null, by
// the value of its property $key (null and missing match each other), e.g.
// SUPPLIES by step. Its properties become exactly the file's; duplicates of
// one key left by hand edits are removed.
// $key: property name or null; $rows: [{source, target, key, props}]
UNWIND $rows AS row
MATCH (a:{{source}} {id: row.source})
MATCH (b:{{target}} {id: row.target})
CALL (a, b, row) {
  OPTIONAL MATCH (a)-[old:{{type}}]->(b)
  WHERE $key IS NULL OR coalesce(old[$key], '') = coalesce(row.key, '')
  WITH a, b, row, collect(old) AS found
  FOREACH (r IN found[0..1] | SET r = row.props)
  FOREACH (r IN found[1..] | DELETE r)
  FOREACH (_ IN CASE WHEN size(found) = 0 THEN [1] ELSE [] END |
    CREATE (a)-[r:{{type}}]->(b) SET r = row.props)
}
RETURN count(*) AS done
