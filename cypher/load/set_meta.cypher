// Switch, part 3: record what the database now holds: the portfolio's
// fingerprint (graphkit.fingerprint), a new generation number, the counts.
MERGE (m:GraphkitMeta {name: 'graph'})
SET m.fingerprint = $fingerprint,
    m.generation = coalesce(m.generation, 0) + 1,
    m.nodes = $nodes,
    m.relationships = $relationships,
    m.loaded_at = datetime()
RETURN m.generation AS generation
