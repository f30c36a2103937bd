// Stage one batch of {{type}} relationships between staged {{source}} and
// {{target}} nodes, found by the element ids their node batches returned (a
// direct seek, no index).
// $rows: [[source element id, target element id, properties]] (lists, as
// in stage_nodes.cypher, so the batch streams without an Eager)
UNWIND $rows AS row
MATCH (a:{{source}}) WHERE elementId(a) = row[0]
MATCH (b:{{target}}) WHERE elementId(b) = row[1]
CREATE (a)-[r:{{type}}]->(b)
SET r = row[2]
RETURN count(*) AS done
