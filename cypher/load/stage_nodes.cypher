// Stage one batch of nodes of the next generation under {{staged}}, the
// staging label of their key label (graphkit.neo4j_mapping.STAGED). Staged
// nodes carry no model label, so queries that name one do not see them; the
// switch relabels them. Staging always starts empty: CREATE, not MERGE.
// Returns each node's element id beside its id (two collects of one
// aggregation keep one order): relationships are staged by element id, so
// staging labels need no index.
// $rows: [[id, the node's properties (id included)]]; rows are lists, not
// maps, so the planner sees no property read that the SET could change
// (with maps it would buffer the whole batch first, an Eager)
UNWIND $rows AS row
CREATE (n:{{staged}})
SET n = row[1]
RETURN collect(row[0]) AS ids, collect(elementId(n)) AS eids
