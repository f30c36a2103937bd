// Every client-provider relationship with its contacts and contract end.
//
// A relationship exists when the client contracts with the provider or owns a
// product the provider supplies (qualified or not) or distributes, as in
// `graphkit relationships`. `liaisons` are the ids of the client's liaisons
// (EMPLOYS) who LIAISES_WITH the provider, sorted (empty: nobody holds the
// relationship, which `graphkit relationships` rates at least as severe as
// one liaison). `annual_value` sums the contracts (null without one);
// `contract_end` is the earliest contract end (ISO date text, null when none
// is recorded).
//
// params: none
// columns: client, provider, liaisons, annual_value, contract_end
CALL () {
  MATCH (c:Client)-[:CONTRACTS_WITH]->(x:Provider)
  RETURN c, x
  UNION
  MATCH (c:Client)-[:OWNS]->(:Product)<-[:SUPPLIES|DISTRIBUTES]-(x:Provider)
  RETURN c, x
}
OPTIONAL MATCH (c)-[:EMPLOYS]->(li:Liaison)-[:LIAISES_WITH]->(x)
WITH c, x, li
ORDER BY li.id
WITH c, x, collect(DISTINCT li.id) AS liaisons
OPTIONAL MATCH (c)-[k:CONTRACTS_WITH]->(x)
WITH c, x, liaisons, sum(k.annual_value) AS value, count(k) AS contracts, min(k.end) AS contract_end
RETURN c.id AS client, x.id AS provider, liaisons,
       CASE WHEN contracts > 0 THEN value END AS annual_value, contract_end
ORDER BY client, provider;
