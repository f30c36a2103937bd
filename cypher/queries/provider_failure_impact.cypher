// Markets a given provider's or marketing partner's failure reaches, and which it loses.
//
// The rules of `graphkit analyze` (spof.critical_nodes), per (product, market):
// a product's markets are the territories of its `markets`, DISTRIBUTES and
// MARKETS (`market` null: its one global market, when none names one). A
// market is available when every SUPPLIES step has an operational qualified
// source filed there (`filed_in` absent or naming the market; the global
// market ignores filings), an operational distributor serves it (territory
// absent or the market) when the product has distributors, and a partner
// named for it has not failed when any is named. A provider is operational
// for (product, market) when it has not failed and every material fed to it
// for that product (FEEDS with `products` absent or naming it) comes from an
// operational feeder filed in the market.
//
// A market is reached when the node is a partner named for it or lies
// upstream of one of its sources through such feeds (filed in the market).
// `lost` is exact, feed cycles included: over the market's upstream the
// operational providers are grown from nothing (one pass per upstream
// provider, the least fixed point), with nothing failed (`available`) and
// with the node failed. `tier` 1 = a source, distributor or partner of the
// product; `via` the product's direct providers it reaches through.
// `revenue` is the market's own annual revenue when the product gives one for
// every market, else an even share of its annual_revenue (`revenue_basis`
// market / share), as `revenue_at_risk` counts it.
//
// Cost: the upstream of each reached market is found by path expansion and
// evaluated in (upstream providers)² steps: one node at a time, not thousands
// (`graphkit analyze` does every node in one pass).
//
// params: $provider (provider or marketing partner id)
// columns: product, product_name, market, owner, revenue, revenue_basis, tier, via, available, lost
MATCH (x {id: $provider})
WHERE x:Provider OR x:MarketingPartner
CALL (x) {
  MATCH (x)-[:FEEDS*0..]->(:Provider)-[:SUPPLIES|DISTRIBUTES]->(p:Product)
  RETURN DISTINCT p
  UNION
  MATCH (x)-[:MARKETS]->(p:Product)
  RETURN DISTINCT p
}
WITH x, p,
     coalesce(p.markets, []) +
     COLLECT { MATCH (:Provider)-[d:DISTRIBUTES]->(p) WHERE d.territory IS NOT NULL RETURN d.territory } +
     COLLECT { MATCH (:MarketingPartner)-[k:MARKETS]->(p) WHERE k.territory IS NOT NULL RETURN k.territory } AS named
WITH x, p, reduce(ms = [], t IN named | CASE WHEN t IN ms THEN ms ELSE ms + t END) AS markets
UNWIND CASE WHEN markets = [] THEN [null] ELSE markets END AS m
WITH x, p, markets, m,
     COLLECT {
       MATCH (y:Provider)-[s:SUPPLIES]->(p)
       WITH s.step AS step,
            collect(DISTINCT CASE WHEN coalesce(s.qualified, true) AND (m IS NULL OR s.filed_in IS NULL OR m IN s.filed_in)
                                  THEN y.id END) AS ids
       RETURN ids
     } +
     CASE WHEN EXISTS { (:Provider)-[:DISTRIBUTES]->(p) }
          THEN [COLLECT { MATCH (y:Provider)-[d:DISTRIBUTES]->(p) WHERE d.territory IS NULL OR d.territory = m
                          RETURN DISTINCT y.id }]
          ELSE [] END AS steps,
     COLLECT { MATCH (k:MarketingPartner)-[r:MARKETS]->(p) WHERE r.territory IS NULL OR r.territory = m
               RETURN DISTINCT k.id } AS partners
// The market's upstream: its sources and their feeders at any depth, through feeds
// into this product filed in this market; per provider, the feeders of each material it needs.
CALL (p, m, steps) {
  UNWIND reduce(acc = [], ids IN steps | acc + ids) AS source
  MATCH (s:Provider {id: source})
  MATCH SHORTEST 1 (s) (()<-[f:FEEDS WHERE (f.products IS NULL OR p.id IN f.products)
                                    AND (m IS NULL OR f.filed_in IS NULL OR m IN f.filed_in)]-())* (y:Provider)
  WITH y, min(size(f)) AS depth, collect(DISTINCT source) AS via
  WITH y, depth, via,
       COLLECT {
         MATCH (z:Provider)-[f:FEEDS]->(y)
         WHERE f.products IS NULL OR p.id IN f.products
         WITH f.material AS material,
              collect(CASE WHEN m IS NULL OR f.filed_in IS NULL OR m IN f.filed_in THEN z.id END) AS feeders
         RETURN feeders
       } AS needs
  RETURN collect({id: y.id, depth: depth, via: via, needs: needs}) AS upstream
}
WITH x, p, markets, m, steps, partners, upstream, [u IN upstream WHERE u.id = x.id][0] AS mine
WHERE mine IS NOT NULL OR x.id IN partners
WITH x, p, markets, m, steps, partners, mine,
     [failed IN [[], [x.id]] | {failed: failed, operational:
       reduce(op = [], pass IN upstream |
         reduce(o = op, u IN upstream |
           CASE WHEN u.id IN o OR u.id IN failed OR NOT all(need IN u.needs WHERE any(z IN need WHERE z IN o))
                THEN o ELSE o + u.id END))}] AS cases
WITH x, p, markets, m, mine,
     [c IN cases | all(ids IN steps WHERE any(s IN ids WHERE s IN c.operational))
                   AND (partners = [] OR any(k IN partners WHERE NOT k IN c.failed))] AS up,
     [i IN range(0, size(coalesce(p.markets, [])) - 1) WHERE NOT isNaN(p.market_revenues[i]) | p.markets[i]] AS given
WITH x, p, markets, m, mine, up,
     size(markets) > 0 AND all(t IN markets WHERE t IN given) AS own
OPTIONAL MATCH (owner:Client)-[:OWNS]->(p)
RETURN p.id AS product, p.name AS product_name, m AS market, owner.id AS owner,
       CASE WHEN own THEN [i IN range(0, size(p.markets) - 1) WHERE p.markets[i] = m | p.market_revenues[i]][0]
            ELSE coalesce(p.annual_revenue, 0.0) / CASE WHEN m IS NULL THEN 1 ELSE size(markets) END END AS revenue,
       CASE WHEN own THEN 'market' ELSE 'share' END AS revenue_basis,
       CASE WHEN mine IS NULL THEN 1 ELSE mine.depth + 1 END AS tier,
       CASE WHEN mine IS NULL THEN [] ELSE mine.via END AS via,
       up[0] AS available, up[0] AND NOT up[1] AS lost
ORDER BY lost DESC, tier, product, market;
