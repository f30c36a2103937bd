// Everything one product needs, per market, tier by tier (as `graphkit query deps`).
//
// Per market of the product (the territories of its `markets`, distributors
// and partners; none named: one market, null): every source of a step filed
// there (`qualified` false for a backup), every distributor and marketing
// partner serving it, and, through FEEDS at any depth, every provider feeding
// a qualified source or distributor of it there, through feeds that go into
// this product (`products`) and are filed in the market (`filed_in`).
//
// `role` is the step, 'distribution', 'marketing' or "<material> to
// <receiver>"; `tier` the shortest chain (1: direct). Whether a dependency is
// certain (its failure alone loses the market) is the supply engine's answer:
// `graphkit query deps --neo4j` adds it.
//
// params: $product (product id)
// columns: market, tier, provider, name, labels, role, qualified
MATCH (p:Product {id: $product})
WITH p, coalesce(p.markets, [])
        + [(p)<-[d:DISTRIBUTES]-(:Provider) WHERE d.territory IS NOT NULL | d.territory]
        + [(p)<-[m:MARKETS]-(:MarketingPartner) WHERE m.territory IS NOT NULL | m.territory] AS named
WITH p, reduce(acc = [], t IN named | CASE WHEN t IN acc THEN acc ELSE acc + [t] END) AS named
UNWIND CASE size(named) WHEN 0 THEN [null] ELSE named END AS market
CALL (p, market) {
  MATCH (x:Provider)-[s:SUPPLIES]->(p)
  WHERE market IS NULL OR s.filed_in IS NULL OR market IN s.filed_in
  RETURN x, 1 AS tier, s.step AS role, coalesce(s.qualified, true) AS qualified
  UNION ALL
  MATCH (x:Provider)-[d:DISTRIBUTES]->(p)
  WHERE d.territory IS NULL OR d.territory = market
  RETURN x, 1 AS tier, 'distribution' AS role, true AS qualified
  UNION ALL
  MATCH (x:MarketingPartner)-[m:MARKETS]->(p)
  WHERE m.territory IS NULL OR m.territory = market
  RETURN x, 1 AS tier, 'marketing' AS role, true AS qualified
  UNION ALL
  MATCH chain = (x:Provider)-[:FEEDS*1..]->(:Provider)-[s:SUPPLIES|DISTRIBUTES]->(p)
  WHERE CASE type(s)
          WHEN 'SUPPLIES' THEN coalesce(s.qualified, true)
                               AND (market IS NULL OR s.filed_in IS NULL OR market IN s.filed_in)
          ELSE s.territory IS NULL OR s.territory = market
        END
    AND all(f IN relationships(chain)[..-1] WHERE (f.products IS NULL OR p.id IN f.products)
                                               AND (market IS NULL OR f.filed_in IS NULL OR market IN f.filed_in))
  WITH x, relationships(chain)[0] AS first, length(chain) AS tier
  RETURN x, tier, first.material + ' to ' + endNode(first).id AS role, true AS qualified
}
WITH market, x, role, min(tier) AS tier, any(q IN collect(qualified) WHERE q) AS qualified
RETURN market, tier, x.id AS provider, x.name AS name, labels(x) AS labels, role, qualified
ORDER BY market, tier, provider, role;
