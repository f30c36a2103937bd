// A range index on `name` per node label, for analysts who look nodes up by
// name in Neo4j Browser (`MATCH (p:Product {name: 'Sterile One'})`).
// graphkit's own statements and the query library look nodes up by id only.
CREATE INDEX {{name}} IF NOT EXISTS
FOR (n:{{label}}) ON (n.name)
