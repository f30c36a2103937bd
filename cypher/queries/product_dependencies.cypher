// Every provider one product depends on, through every tier of supply.
//
// The providers one product depends on, through every tier: its suppliers
// and distributors (tier 1) and, through FEEDS, the providers feeding them
// (tier 2 feeds a tier-1 provider, and so on up the chain).
//
// `roles` lists what each provider does for the product: the step it performs
// (tier 1) or the material it feeds and to whom. `qualified` is false only for
// a provider that is nothing but an unqualified backup; feeders of unqualified
// backups are not dependencies and are left out, and so are feeds scoped to
// other products (`products`). `tier` is the shortest chain.
//
// params: $product (product id)
// columns: provider, name, kind, tier, qualified, roles
MATCH (p:Product {id: $product})
CALL (p) {
  MATCH (x:Provider)-[s:SUPPLIES]->(p)
  RETURN x, 1 AS tier, coalesce(s.qualified, true) AS qualified, s.step AS role
  UNION
  MATCH (x:Provider)-[:DISTRIBUTES]->(p)
  RETURN x, 1 AS tier, true AS qualified, 'distribution' AS role
  UNION
  MATCH chain = (x:Provider)-[:FEEDS*1..]->(y:Provider)-[s:SUPPLIES|DISTRIBUTES]->(p)
  WHERE (type(s) = 'DISTRIBUTES' OR coalesce(s.qualified, true))
    AND all(f IN relationships(chain)[0..-1] WHERE f.products IS NULL OR p.id IN f.products)
  WITH x, chain, relationships(chain)[0] AS first
  RETURN x, length(chain) AS tier, true AS qualified,
         first.material + ' to ' + endNode(first).id AS role
}
WITH x, min(tier) AS tier, any(q IN collect(qualified) WHERE q) AS qualified, collect(DISTINCT role) AS roles
RETURN x.id AS provider, x.name AS name, x.kind AS kind, tier, qualified, roles
ORDER BY tier, provider;
