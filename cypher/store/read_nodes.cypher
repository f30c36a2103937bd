// Every {{label}} node, for reading the portfolio back.
MATCH (n:{{label}})
RETURN elementId(n) AS eid, labels(n) AS labels, properties(n) AS props
