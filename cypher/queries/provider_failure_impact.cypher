// Products a given provider's failure reaches, directly and through FEEDS.
//
// The products a provider's failure reaches: those it supplies (as a
// qualified source) or distributes, and those of every provider it feeds,
// directly or through further FEEDS tiers.
//
// `certainly_lost` is true when some chain from the provider to the product
// has no alternative at any hop: each feed is the only feeder of its material
// to the receiver, and the last provider is the product's only qualified
// source of that step (or its only distributor). Otherwise the product may
// still be lost (e.g. two "independent" sources sharing this upstream
// supplier); `graphkit analyze` computes the exact loss. `tier` 1 = direct.
// Products that are unavailable anyway (a step with no qualified source) are
// listed too; `graphkit analyze` never counts them as lost.
//
// params: $provider (provider id)
// columns: product, product_name, owner, annual_revenue, tier, via, certainly_lost
MATCH chain = (x:Provider {id: $provider})-[:FEEDS*0..]->(y:Provider)-[s:SUPPLIES|DISTRIBUTES]->(p:Product)
WHERE type(s) = 'DISTRIBUTES' OR coalesce(s.qualified, true)
WITH p, y, s, chain,
     all(f IN relationships(chain)[..-1] WHERE NOT EXISTS {
       MATCH (other:Provider)-[g:FEEDS]->(receiver:Provider)
       WHERE receiver = endNode(f) AND other <> startNode(f) AND g.material = f.material
     }) AS sole_feeds,
     NOT EXISTS {
       MATCH (other:Provider)-[t:SUPPLIES|DISTRIBUTES]->(p)
       WHERE other <> y AND type(t) = type(s)
         AND (type(t) = 'DISTRIBUTES' OR (t.step = s.step AND coalesce(t.qualified, true)))
     } AS sole_source
WITH p, min(length(chain)) AS tier, collect(DISTINCT y.id) AS via, any(ok IN collect(sole_feeds AND sole_source) WHERE ok) AS certainly_lost
OPTIONAL MATCH (owner:Client)-[:OWNS]->(p)
RETURN p.id AS product, p.name AS product_name, owner.id AS owner, p.annual_revenue AS annual_revenue,
       tier, via, certainly_lost
ORDER BY certainly_lost DESC, tier, product;
