// Critical nodes ranked by the money their failure loses.
//
// The risk-exposure ranking: reads what `graphkit analyze --neo4j --write-back`
// stores on each provider or marketing partner whose failure alone takes
// markets down. `loss` is the revenue lost while those markets run short
// (each back when the node recovers or a backup is brought up, less its
// stock), `risk_exposure` its share of the worst node's loss (0-1),
// `shortage_weeks` the longest shortage, `market_recovery_weeks` the week the
// last of them is back (null when that rests on the 52-week fallback for a
// node without a recovery time), then the revenue at risk, the severity and
// the products lost in every market. Largest loss first, ties by id.
//
// params: none
// columns: node, loss, risk_exposure, shortage_weeks, market_recovery_weeks, revenue_at_risk, severity, products_lost
MATCH (n)
WHERE n.is_single_point_of_failure AND n.loss IS NOT NULL
RETURN n.id AS node, n.loss AS loss, n.risk_exposure AS risk_exposure, n.shortage_weeks AS shortage_weeks,
       n.market_recovery_weeks AS market_recovery_weeks, n.revenue_at_risk AS revenue_at_risk,
       n.risk_severity AS severity, n.products_lost AS products_lost
ORDER BY loss DESC, node;
