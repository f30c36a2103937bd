// Write analysis findings onto {{type}} relationships from {{source}} to
// {{target}}; a row with a step marks only the relationship of that step.
// $rows: [{source, target, step, props}]
UNWIND $rows AS row
MATCH (a:{{source}} {id: row.source})-[r:{{type}}]->(b:{{target}} {id: row.target})
WHERE row.step IS NULL OR r.step = row.step
SET r += row.props
RETURN DISTINCT row.source AS source, row.target AS target, row.step AS step
