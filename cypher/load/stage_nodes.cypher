// Stage one batch of nodes of the next generation under {{staged}}, the
// staging label of their key label (graphkit.neo4j_mapping.STAGED). Staged
// nodes carry no model label, so queries that name one do not see them; the
// switch relabels them. Staging always starts empty: CREATE, not MERGE.
// $rows: [the node's properties, id included]
UNWIND $rows AS row
CREATE (n:{{staged}})
SET n = row
