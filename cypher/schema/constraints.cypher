// One named uniqueness constraint on `id` per node label graphkit keys nodes
// by (the first label of each kind in graphkit.model.LABELS). Applied once per
// label; {{name}} and {{label}} are filled in from the model, never from data.
// The constraint's index backs every `{id: ...}` lookup and MERGE.
CREATE CONSTRAINT {{name}} IF NOT EXISTS
FOR (n:{{label}}) REQUIRE n.id IS UNIQUE
