// Delete every {{label}} node (a label expression: a retired generation, or
// the staged and retired ones a load that died left) and its relationships,
// committing every $batch nodes, so memory stays bounded at any size. Runs
// in an auto-commit transaction.
MATCH (n:{{label}})
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF $batch ROWS
