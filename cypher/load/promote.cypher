// Switch, part 2: staged {{staged}} nodes of one kind ($kind: the providers'
// kind property, or null for a label with one kind) get the kind's model
// labels ({{labels}}) and become the live generation.
MATCH (n:{{staged}})
WHERE $kind IS NULL OR n.kind = $kind
REMOVE n:{{staged}}
SET n:{{labels}}
