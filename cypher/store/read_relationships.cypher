// Every {{type}} relationship with its ends' ids, for reading the portfolio
// back (`topic` is the Requirement node's topic for REQUIRES).
MATCH (a)-[r:{{type}}]->(b)
RETURN a.id AS source, b.id AS target, b.topic AS topic, properties(r) AS props
