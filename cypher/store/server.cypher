// The server's version and edition (run against the configured database, so
// a missing database is reported here).
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions[0] AS version, edition
