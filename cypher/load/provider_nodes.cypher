// Upsert one batch of providers of one kind: like nodes.cypher, and a provider
// whose kind changed loses its old kind label ({{stale_labels}}).
// $rows: [{id, props}]
UNWIND $rows AS row
MERGE (n:{{key_label}} {id: row.id})
SET n = row.props
REMOVE n:{{stale_labels}}
SET n:{{labels}}
RETURN count(*) AS done
