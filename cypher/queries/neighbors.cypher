// The nodes one relationship away from some nodes, in either direction.
//
// One hop of `graphkit query neighbors` (which repeats it for --hops): every
// node joined to one of $ids by a relationship of one of $types (null: any).
//
// params: $ids (node ids), $types (relationship types; null for every type)
// columns: node, name, labels
MATCH (a:Provider|Client|MarketingPartner|Product|Requirement|Liaison)-[r]-(b:Provider|Client|MarketingPartner|Product|Requirement|Liaison)
WHERE a.id IN $ids AND ($types IS NULL OR type(r) IN $types)
RETURN DISTINCT b.id AS node, b.name AS name, labels(b) AS labels
ORDER BY node;
