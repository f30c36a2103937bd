// Requirement overlaps and conflicts between the parties of each product.
//
// Where the parties behind a product ask for the same thing (overlap:
// harmonise once) or for different things (conflict), per product and topic.
//
// A product's parties are its owner (OWNS) and its marketing partners
// (MARKETS). A party's requirement (REQUIRES -> Requirement {topic}) applies
// to the products its `products` property lists or, when that is empty or
// missing, to every product the party owns or markets. Only topics with two
// or more parties are listed. `shared_values` are values two or more parties
// require; `conflict` is true when the parties want different values. Same
// rule as `graphkit analyze` (overlap.products).
//
// params: none
// columns: product, product_name, topic, conflict, values, shared_values, requirements
MATCH (party)-[:OWNS|MARKETS]->(p:Product)
WITH DISTINCT p, party
MATCH (party)-[r:REQUIRES]->(q:Requirement)
WHERE coalesce(size(r.products), 0) = 0 OR p.id IN r.products
WITH p, q.topic AS topic, party, collect(r.value)[0] AS value
ORDER BY party.id
WITH p, topic, collect({party: party.id, value: value}) AS requirements
WHERE size(requirements) >= 2
UNWIND requirements AS req
WITH p, topic, requirements, req.value AS value, count(*) AS parties
ORDER BY value
WITH p, topic, requirements, collect(value) AS values,
     [v IN collect(CASE WHEN parties >= 2 THEN value END) WHERE v IS NOT NULL] AS shared_values
RETURN p.id AS product, p.name AS product_name, topic, size(values) > 1 AS conflict,
       values, shared_values, requirements
ORDER BY product, topic;
