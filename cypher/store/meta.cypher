// What the database holds, as the last load recorded it (no row: never loaded).
MATCH (m:GraphkitMeta {name: 'graph'})
RETURN m.fingerprint AS fingerprint, m.generation AS generation, m.nodes AS nodes, m.relationships AS relationships
