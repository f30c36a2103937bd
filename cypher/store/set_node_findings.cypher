// Write analysis findings onto {{label}} nodes. $rows: [{id, props}]
UNWIND $rows AS row
MATCH (n:{{label}} {id: row.id})
SET n += row.props
RETURN n.id AS id
