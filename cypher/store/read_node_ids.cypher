// The element ids of every {{label}} node, for reading the portfolio back a
// page at a time (read_nodes.cypher).
MATCH (n:{{label}})
RETURN collect(elementId(n)) AS eids
