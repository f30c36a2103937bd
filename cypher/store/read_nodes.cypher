// A page of the nodes whose element ids read_node_ids.cypher gave, for reading
// the portfolio back: one list of [element id, labels, properties], so a page
// crosses the wire as one record, not one per node.
UNWIND $eids AS eid
MATCH (n) WHERE elementId(n) = eid
RETURN collect([eid, labels(n), properties(n)]) AS rows
