// Every product and market that needs one provider or partner (as `graphkit query users`).
//
// The reverse of dependencies_by_market, by the same rules: the (product,
// market) pairs whose steps, distribution or marketing the node serves there,
// directly or by feeding, at any depth, a qualified source or distributor of
// the product through feeds that go into it and are filed in the market.
// `role` and `tier` as in dependencies_by_market; whether the node's failure
// alone loses the market is the supply engine's answer (`graphkit query users
// --neo4j` adds it).
//
// params: $node (provider or marketing partner id)
// columns: product, product_name, market, tier, role, qualified
MATCH (x:Provider|MarketingPartner {id: $node})
CALL (x) {
  MATCH (x)-[:FEEDS*0..]->(:Provider)-[:SUPPLIES|DISTRIBUTES]->(p:Product)
  RETURN p
  UNION
  MATCH (x)-[:MARKETS]->(p:Product)
  RETURN p
}
WITH x, p, coalesce(p.markets, [])
        + [(p)<-[d:DISTRIBUTES]-(:Provider) WHERE d.territory IS NOT NULL | d.territory]
        + [(p)<-[m:MARKETS]-(:MarketingPartner) WHERE m.territory IS NOT NULL | m.territory] AS named
WITH x, p, reduce(acc = [], t IN named | CASE WHEN t IN acc THEN acc ELSE acc + [t] END) AS named
UNWIND CASE size(named) WHEN 0 THEN [null] ELSE named END AS market
CALL (x, p, market) {
  MATCH (x)-[s:SUPPLIES]->(p)
  WHERE market IS NULL OR s.filed_in IS NULL OR market IN s.filed_in
  RETURN 1 AS tier, s.step AS role, coalesce(s.qualified, true) AS qualified
  UNION ALL
  MATCH (x)-[d:DISTRIBUTES]->(p)
  WHERE d.territory IS NULL OR d.territory = market
  RETURN 1 AS tier, 'distribution' AS role, true AS qualified
  UNION ALL
  MATCH (x)-[m:MARKETS]->(p)
  WHERE m.territory IS NULL OR m.territory = market
  RETURN 1 AS tier, 'marketing' AS role, true AS qualified
  UNION ALL
  MATCH chain = (x)-[:FEEDS*1..]->(:Provider)-[s:SUPPLIES|DISTRIBUTES]->(p)
  WHERE CASE type(s)
          WHEN 'SUPPLIES' THEN coalesce(s.qualified, true)
                               AND (market IS NULL OR s.filed_in IS NULL OR market IN s.filed_in)
          ELSE s.territory IS NULL OR s.territory = market
        END
    AND all(f IN relationships(chain)[..-1] WHERE (f.products IS NULL OR p.id IN f.products)
                                               AND (market IS NULL OR f.filed_in IS NULL OR market IN f.filed_in))
  WITH relationships(chain)[0] AS first, length(chain) AS tier
  RETURN tier, first.material + ' to ' + endNode(first).id AS role, true AS qualified
}
WITH p, market, role, min(tier) AS tier, any(q IN collect(qualified) WHERE q) AS qualified
RETURN p.id AS product, p.name AS product_name, market, tier, role, qualified
ORDER BY product, market, tier, role;
