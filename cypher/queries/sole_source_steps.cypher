// Product steps with exactly one qualified source (sole-source steps).
//
// The step stops when that one provider fails.
//
// A step is a product's SUPPLIES step (cell_bank, api, drug_product,
// fill_finish, packaging_labeling, testing) or `distribution` when the product
// has distributors (any one of them covers it). Unqualified backups
// (qualified: false) are listed but do not count as sources. Same rule as
// `graphkit analyze` (spof.sole_source_steps).
//
// params: none
// columns: product, product_name, step, provider, provider_name, unqualified_backups
CALL () {
  MATCH (x:Provider)-[s:SUPPLIES]->(p:Product)
  WITH p, s.step AS step,
       collect(DISTINCT CASE WHEN coalesce(s.qualified, true) THEN x END) AS sources,
       collect(DISTINCT CASE WHEN NOT coalesce(s.qualified, true) THEN x.id END) AS backups
  WHERE size(sources) = 1
  RETURN p, step, sources[0] AS x, backups
  UNION
  MATCH (x:Provider)-[:DISTRIBUTES]->(p:Product)
  WITH p, collect(DISTINCT x) AS sources
  WHERE size(sources) = 1
  RETURN p, 'distribution' AS step, sources[0] AS x, [] AS backups
}
RETURN p.id AS product, p.name AS product_name, step, x.id AS provider, x.name AS provider_name,
       [b IN backups WHERE b <> x.id] AS unqualified_backups
ORDER BY product, step, provider;
