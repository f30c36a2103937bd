// Every index and its state (a constraint's backing index bears the
// constraint's name), so the schema is only created where missing and
// constraints of earlier versions are dropped where found.
SHOW INDEXES YIELD name, state
RETURN name, state
