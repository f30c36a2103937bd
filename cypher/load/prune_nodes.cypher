// Remove the {{label}} nodes (and their relationships) the file does not have.
// $ids: the ids of the file's {{label}} nodes
MATCH (n:{{label}})
WHERE n.id IS NULL OR NOT n.id IN $ids
DETACH DELETE n
