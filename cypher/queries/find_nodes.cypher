// Nodes of one label whose properties have the values asked for, and how many there are.
//
// As `graphkit query find`: `total` counts the nodes with $label (null: every
// node); `found` lists those meeting every condition of $where, each
// {key, value, many, number}: a list property holds the value (many), a
// number equals it (number), anything else reads as the value. $defaults
// [{label, key, value}] stand in for properties a node of that label leaves
// unset (a CMO's business model).
//
// params: $label (a model label, or null), $where (conditions), $defaults (unset values)
// columns: total, found
MATCH (n:Provider|Client|MarketingPartner|Product|Requirement|Liaison)
WHERE $label IS NULL OR $label IN labels(n)
WITH collect(n) AS pool
RETURN size(pool) AS total,
       [n IN pool WHERE all(c IN $where WHERE
          CASE
            WHEN c.many THEN c.value IN [v IN coalesce(n[c.key], []) | toString(v)]
            WHEN c.number IS NOT NULL THEN n[c.key] = c.number
            ELSE toString(coalesce(n[c.key], head([d IN $defaults WHERE d.key = c.key AND d.label IN labels(n) | d.value]))) = c.value
          END)
        | {node: n.id, labels: labels(n), props: properties(n)}] AS found;
