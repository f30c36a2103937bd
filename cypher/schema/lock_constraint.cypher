// The store's singleton nodes (GraphkitLock, GraphkitMeta) are unique by name.
CREATE CONSTRAINT {{name}} IF NOT EXISTS
FOR (n:{{label}}) REQUIRE n.name IS UNIQUE
