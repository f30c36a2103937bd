// Every shortest path between two nodes, over any relationships in either direction.
//
// All shortest paths (as `graphkit query path`): each as its node ids and its
// relationships (type, the ids of its start and end, properties).
//
// params: $a (node id), $b (another node id)
// columns: nodes, relationships
MATCH (a:Provider|Client|MarketingPartner|Product|Requirement|Liaison {id: $a}),
      (b:Provider|Client|MarketingPartner|Product|Requirement|Liaison {id: $b})
MATCH path = allShortestPaths((a)-[*]-(b))
RETURN [n IN nodes(path) | n.id] AS nodes,
       [r IN relationships(path) | {type: type(r), source: startNode(r).id, target: endNode(r).id,
                                    props: properties(r)}] AS relationships;
