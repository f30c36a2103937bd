// Remove the {{type}} relationships the file does not have.
// $key: the key property (or null); $keep: [source id, target id, key value or '']
// of each relationship of the file
MATCH (a)-[r:{{type}}]->(b)
WHERE NOT [a.id, b.id, CASE WHEN $key IS NULL THEN '' ELSE coalesce(r[$key], '') END] IN $keep
DELETE r
