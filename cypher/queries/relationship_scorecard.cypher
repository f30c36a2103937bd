// Client-provider relationships as `graphkit relationships` rated them.
//
// Reads what `graphkit relationships --neo4j --write-back` stores on each
// CONTRACTS_WITH relationship (a relationship without a contract has no edge to
// hold it and is left out): its severity, the rules of its findings
// (no_contact, single_contact, one_person_behind_backups, skills_gap,
// weak_leverage, provider_depends_on_client, priority_conflict,
// contract_cliff), the explanation, how many liaisons hold it and the skills
// they lack; and the provider's capacity utilisation (0-1, null when unknown).
// Most severe first, then by client and provider.
//
// params: none
// columns: client, provider, severity, findings, contacts, skills_missing, utilisation, explanation
MATCH (c:Client)-[k:CONTRACTS_WITH]->(x:Provider)
WHERE k.relationship_severity IS NOT NULL
RETURN c.id AS client, x.id AS provider, k.relationship_severity AS severity,
       k.relationship_findings AS findings, k.liaison_count AS contacts, k.skills_missing AS skills_missing,
       x.capacity_utilisation AS utilisation, k.relationship_explanation AS explanation
ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END,
         client, provider;
