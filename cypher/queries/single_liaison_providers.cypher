// Client-provider relationships that rest on a single liaison.
//
// Key-person risk: client-provider relationships that rest on one liaison,
// the only person of the client (EMPLOYS) who LIAISES_WITH that provider.
//
// A client-provider relationship exists when the client contracts with the
// provider or owns a product the provider supplies (qualified or not) or
// distributes, as in `graphkit analyze` (spof.key_person_risks).
// `annual_value` is the contract value (null without a contract); `products`
// are the client's products the provider handles.
//
// params: none
// columns: client, provider, liaison, liaison_name, annual_value, products
MATCH (c:Client)-[:EMPLOYS]->(li:Liaison)-[:LIAISES_WITH]->(x:Provider)
WITH c, x, collect(DISTINCT li) AS liaisons
WHERE size(liaisons) = 1
OPTIONAL MATCH (c)-[k:CONTRACTS_WITH]->(x)
WITH c, x, liaisons[0] AS li, sum(k.annual_value) AS value, count(k) AS contracts
OPTIONAL MATCH (c)-[:OWNS]->(p:Product)<-[:SUPPLIES|DISTRIBUTES]-(x)
WITH c, x, li, value, contracts, collect(DISTINCT p.id) AS products
WHERE contracts > 0 OR size(products) > 0
RETURN c.id AS client, x.id AS provider, li.id AS liaison, li.name AS liaison_name,
       CASE WHEN contracts > 0 THEN value END AS annual_value, products
ORDER BY client, provider;
