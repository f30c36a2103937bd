// Each client's dependence on its providers: top provider's share and HHI of spend.
//
// Each client's dependence on its providers, measured on contract spend: the
// top provider's share and the HHI of spend across providers (percentage
// shares, 0-10,000; 10,000 = everything with one provider).
//
// Spend = sum of CONTRACTS_WITH annual_value per provider. Currencies are not
// converted: a client paying in several currencies gets them all listed and
// its shares mix them, as in `graphkit analyze`. Clients without spend are
// left out.
//
// params: none
// columns: client, name, segment, spend, currencies, providers, top_provider, top1_share, hhi, shares
MATCH (c:Client)-[k:CONTRACTS_WITH]->(x:Provider)
WITH c, x, sum(k.annual_value) AS value
ORDER BY value DESC, x.id
WITH c, collect({provider: x.id, value: value}) AS spends, sum(value) AS total
WHERE total > 0
WITH c, total,
     [s IN spends | {provider: s.provider, value: s.value, share: toFloat(s.value) / total}] AS shares,
     COLLECT { MATCH (c)-[k:CONTRACTS_WITH]->(:Provider) RETURN DISTINCT k.currency AS cur ORDER BY cur } AS currencies
RETURN c.id AS client, c.name AS name, c.segment AS segment, total AS spend, currencies,
       size(shares) AS providers, shares[0].provider AS top_provider, shares[0].share AS top1_share,
       reduce(h = 0.0, s IN shares | h + (100 * s.share) ^ 2) AS hhi, shares
ORDER BY hhi DESC, client;
