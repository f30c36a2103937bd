// Each CMO's customer shares, top-customer share and HHI (0-10,000).
//
// Each CMO's customers: their shares of its contract value, the top
// customer's share and the Herfindahl-Hirschman Index on percentage shares
// (0-10,000: 10,000 = one customer; above 1,800 highly concentrated, 1,000 to
// 1,800 moderately, below 1,000 unconcentrated, as `graphkit analyze`).
//
// Value = sum of CONTRACTS_WITH annual_value per client (one currency per
// provider). A hybrid CMO's own-product revenue buffers it:
// `top1_share_of_total` is the top customer's share of contracts plus
// own_revenue. CMOs whose contracts total nothing are left out. For every
// provider kind, change :CMO to :Provider.
//
// params: none
// columns: provider, name, business_model, currency, contract_value, customers, top_customer, top1_share, hhi, effective_customers, own_revenue, top1_share_of_total, shares
MATCH (c:Client)-[k:CONTRACTS_WITH]->(x:CMO)
WITH x, c, sum(k.annual_value) AS value
ORDER BY value DESC, c.id
WITH x, collect({client: c.id, value: value}) AS customers, sum(value) AS total
WHERE total > 0
WITH x, customers, total,
     COLLECT { MATCH (x)<-[k:CONTRACTS_WITH]-(:Client) RETURN DISTINCT k.currency AS cur ORDER BY cur } AS currencies
WITH x, total, currencies,
     [cv IN customers | {client: cv.client, value: cv.value, share: toFloat(cv.value) / total}] AS shares
RETURN x.id AS provider, x.name AS name, coalesce(x.business_model, 'cmo_only') AS business_model,
       CASE size(currencies) WHEN 1 THEN currencies[0] ELSE currencies END AS currency,
       total AS contract_value, size(shares) AS customers,
       shares[0].client AS top_customer, shares[0].share AS top1_share,
       reduce(h = 0.0, s IN shares | h + (100 * s.share) ^ 2) AS hhi,
       10000 / reduce(h = 0.0, s IN shares | h + (100 * s.share) ^ 2) AS effective_customers,
       coalesce(x.own_revenue, 0) AS own_revenue,
       toFloat(shares[0].value) / (total + coalesce(x.own_revenue, 0)) AS top1_share_of_total,
       shares
ORDER BY hhi DESC, provider;
