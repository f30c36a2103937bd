// The relationships of the model's types ($types) that leave a page of live
// nodes ($eids, element ids read just before), for reading the portfolio back:
// one list of [source id, target id, target topic, properties] per type, so a
// page crosses the wire as a few records, not one per relationship, and the
// server holds one page at a time. `topic` is the Requirement node's topic for
// REQUIRES.
UNWIND $eids AS eid
MATCH (a) WHERE elementId(a) = eid
MATCH (a)-[r]->(b) WHERE type(r) IN $types
RETURN type(r) AS type, collect([a.id, b.id, b.topic, properties(r)]) AS rows
