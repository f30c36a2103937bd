// How many {{label}} nodes there are, and how many relationships of the
// model's types ({{types}}) start at them: both from the count store.
CALL () { MATCH (n:{{label}}) RETURN count(n) AS nodes }
CALL () { MATCH (:{{label}})-[r:{{types}}]->() RETURN count(r) AS relationships }
RETURN nodes, relationships
