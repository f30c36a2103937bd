// The names of the indexes that are online (a constraint's backing index
// bears the constraint's name), so the schema is only created where missing.
SHOW INDEXES YIELD name, state
WHERE state = 'ONLINE'
RETURN name
