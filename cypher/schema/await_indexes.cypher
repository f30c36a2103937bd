// Wait until every index is online, so the MERGEs that follow use them.
CALL db.awaitIndexes($seconds)
