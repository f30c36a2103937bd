// Every {{type}} relationship of the live generation with its ends' ids, for
// reading the portfolio back (`topic` is the Requirement node's topic for
// REQUIRES). Staged and retired nodes carry none of {{sources}}.
MATCH (a:{{sources}})-[r:{{type}}]->(b)
RETURN a.id AS source, b.id AS target, b.topic AS topic, properties(r) AS props
