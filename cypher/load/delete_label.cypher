// Delete every {{label}} node and its relationships (a retired generation, or
// a staged one left by a load that died), committing every $batch nodes, so
// memory stays bounded at any size. Runs in an auto-commit transaction.
MATCH (n:{{label}})
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF $batch ROWS
