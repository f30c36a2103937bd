// One node: its labels, its properties and every relationship it has.
//
// As `graphkit query show` (which adds the findings that name it): each
// relationship with its type, the ids of its start and end, and properties.
//
// params: $node (node id)
// columns: labels, props, relationships
MATCH (n:Provider|Client|MarketingPartner|Product|Requirement|Liaison {id: $node})
RETURN labels(n) AS labels, properties(n) AS props,
       COLLECT {
         MATCH (n)-[r]-(m)
         RETURN {type: type(r), source: startNode(r).id, target: endNode(r).id, props: properties(r)}
       } AS relationships;
