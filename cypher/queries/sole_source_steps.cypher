// Product steps with exactly one qualified source in a market (sole-source steps).
//
// The step stops in that market when that one provider fails.
//
// Per (product, step, market), the rules of `graphkit analyze`
// (spof.sole_source_steps): a product's markets are the territories of its
// `markets`, DISTRIBUTES and MARKETS (`market` null: its one global market,
// when none names one). A step is a SUPPLIES step (cell_bank, api,
// drug_product, fill_finish, packaging_labeling, testing) whose sources count
// in a market when filed there (`filed_in` absent or naming it; the global
// market ignores filings), or `distribution` when the product has
// distributors (those whose territory is absent or the market). Unqualified
// backups (qualified: false) filed there are listed but do not count as
// sources. Markets not currently available are listed too.
//
// params: none
// columns: product, product_name, step, market, provider, provider_name, unqualified_backups
MATCH (p:Product)
WITH p,
     coalesce(p.markets, []) +
     COLLECT { MATCH (:Provider)-[d:DISTRIBUTES]->(p) WHERE d.territory IS NOT NULL RETURN d.territory } +
     COLLECT { MATCH (:MarketingPartner)-[k:MARKETS]->(p) WHERE k.territory IS NOT NULL RETURN k.territory } AS named
WITH p, reduce(ms = [], t IN named | CASE WHEN t IN ms THEN ms ELSE ms + t END) AS markets
UNWIND CASE WHEN markets = [] THEN [null] ELSE markets END AS m
CALL (p, m) {
  MATCH (x:Provider)-[s:SUPPLIES]->(p)
  WHERE m IS NULL OR s.filed_in IS NULL OR m IN s.filed_in
  WITH s.step AS step,
       collect(DISTINCT CASE WHEN coalesce(s.qualified, true) THEN x END) AS sources,
       collect(DISTINCT CASE WHEN NOT coalesce(s.qualified, true) THEN x.id END) AS backups
  WHERE size(sources) = 1
  RETURN step, sources[0] AS x, backups
  UNION
  MATCH (x:Provider)-[d:DISTRIBUTES]->(p)
  WHERE d.territory IS NULL OR d.territory = m
  WITH collect(DISTINCT x) AS sources
  WHERE size(sources) = 1
  RETURN 'distribution' AS step, sources[0] AS x, [] AS backups
}
RETURN p.id AS product, p.name AS product_name, step, m AS market, x.id AS provider, x.name AS provider_name,
       [b IN backups WHERE b <> x.id] AS unqualified_backups
ORDER BY product, step, market, provider;
