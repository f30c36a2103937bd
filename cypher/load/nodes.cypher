// Upsert one batch of nodes of one kind. {{key_label}} is the label the id is
// unique in, {{labels}} all labels of the kind (graphkit.model.LABELS).
// A node's properties become exactly the record's (`SET n = ...`): a field
// removed from the file is removed here, and earlier write-back findings go.
// $rows: [{id, props}]
UNWIND $rows AS row
MERGE (n:{{key_label}} {id: row.id})
SET n = row.props
SET n:{{labels}}
RETURN count(*) AS done
