// Stage one batch of {{type}} relationships between staged {{source}} and
// {{target}} nodes (looked up by the staging labels' id constraints).
// $rows: [{source, target, props}]
UNWIND $rows AS row
MATCH (a:{{source}} {id: row.source})
MATCH (b:{{target}} {id: row.target})
CREATE (a)-[r:{{type}}]->(b)
SET r = row.props
RETURN count(*) AS done
